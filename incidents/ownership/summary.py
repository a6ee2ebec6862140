"""Counts of tagged incidents per owner country, sector and company."""

from __future__ import annotations

import pandas as pd

from incidents.countries import country_name

from incidents.schema import LIST_SEPARATOR

#: Label of the group of incidents with no value in the grouped column.
UNKNOWN = "(unknown)"
_GROUPS = {"owner_country": "owner_country", "sector": "sector", "company": "owner_company"}


def ownership_summary(gdf: pd.DataFrame, include_vessel_flags: bool = True) -> dict[str, pd.DataFrame]:
    """Incident counts by owner: a dict of three DataFrames keyed
    ``"owner_country"``, ``"sector"`` and ``"company"``.

    Each table has one row per value (incidents without one are grouped as
    ``"(unknown)"``, so the counts add up to the number of incidents) and columns
    ``incidents``, ``foreign_owned`` (incidents tagged foreign-owned) and, when the frame
    has them, ``killed`` and ``injured`` (sums of known figures). Rows are sorted by
    incidents, most first. The owner_country table also has ``country_name``. A record
    listing several countries ("US | DE") counts once under each.
    ``include_vessel_flags=False`` leaves out records whose ``ownership_kind`` is
    ``vessel_flag``, for counts of foreign *investors*.

    Example:
        >>> df = pd.DataFrame({"owner_country": ["US", "US", None], "sector": ["a", "b", "b"],
        ...                    "owner_company": ["Flex Ltd.", "Flex Ltd.", None]})
        >>> ownership_summary(df)["owner_country"]["incidents"].to_dict()
        {'US': 2, '(unknown)': 1}
    """
    frame = pd.DataFrame(gdf).drop(columns=[c for c in ("geometry",) if c in gdf.columns])
    if not include_vessel_flags and "ownership_kind" in frame:
        frame = frame[frame["ownership_kind"].astype(object) != "vessel_flag"]
    return {name: _table(frame, column, name) for name, column in _GROUPS.items()}


def _labels(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(UNKNOWN, index=frame.index)
    text = frame[column].astype(object).map(lambda v: v.strip() if isinstance(v, str) else "")
    if column == "owner_country":
        text = text.map(lambda v: [c.strip() for c in v.split(LIST_SEPARATOR.strip()) if c.strip()])
        text = text.map(lambda codes: codes or [UNKNOWN]).explode()
    return text.where(text != "", UNKNOWN)


def _table(frame: pd.DataFrame, column: str, name: str) -> pd.DataFrame:
    labels = _labels(frame, column)
    rows = frame.loc[labels.index].assign(**{name: labels.to_numpy()})
    foreign = rows["foreign_owned"].astype("boolean").fillna(False) if "foreign_owned" in rows else False
    rows = rows.assign(incidents=1, foreign_owned=foreign)
    sums = {"incidents": "sum", "foreign_owned": "sum"}
    for casualties in ("killed", "injured"):
        if casualties in rows:
            rows[casualties] = pd.to_numeric(rows[casualties], errors="coerce").astype("Int64")
            sums[casualties] = "sum"
    table = rows.groupby(name, sort=False).agg(sums).astype("Int64")
    table = table.sort_values("incidents", ascending=False, kind="stable")
    if name == "owner_country":
        table.insert(0, "country_name", [country_name(code) for code in table.index])
    return table

