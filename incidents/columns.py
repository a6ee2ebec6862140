"""Column names as people write them, mapped to the incident record's.

Headers are compared case-insensitively, with spaces, hyphens and dots read as
underscores, through :data:`SYNONYMS` (English, Ukrainian and Russian headers). A single
``coordinates`` column holding ``48.44, 22.72`` becomes latitude and longitude. What was
read as what is returned, so the summary can say it.

A column we cannot use is an error, never a silent drop: two headers that mean the same
field, a latitude without a longitude, or a header that looks like coordinates but is not
one we read (``geo_lat``, ``easting``).

Example:
    >>> import pandas as pd
    >>> cells, read_as, problems = map_columns(pd.DataFrame({"ID": ["a"], "Date": ["2025-08-21"],
    ...                                                        "Lat": ["48.44"], "Lng": ["22.72"]}))
    >>> list(cells.columns), read_as
    (['id', 'date', 'latitude', 'longitude'], {'ID': 'id', 'Date': 'date', 'Lat': 'latitude', 'Lng': 'longitude'})
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from incidents.errors import IncidentDataError, Problem
from incidents.schema import COLUMN_KINDS

#: Our column -> the other headers that mean it (compared after :func:`header_key`).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("event_id", "incident_id", "record_id", "ідентифікатор", "идентификатор"),
    "date": ("event_date", "incident_date", "date_start", "дата", "дата_події", "дата_события"),
    "place": ("location", "settlement", "locality", "city", "town", "village", "place_name",
              "населений_пункт", "нас_пункт", "місто", "населенный_пункт", "город", "місце", "место"),
    "oblast": ("region", "admin1", "province", "область", "регіон", "регион"),
    "latitude": ("lat", "y", "широта"),
    "longitude": ("lon", "lng", "long", "x", "довгота", "долгота"),
    "target": ("target_name", "object", "site", "ціль", "об_єкт", "обєкт", "цель", "объект"),
    "killed": ("fatalities", "deaths", "dead", "загиблі", "загинули", "погибшие"),
    "injured": ("wounded", "поранені", "ранені", "раненые"),
    "weapon": ("weapon_type", "зброя", "оружие"),
    "owner_company": ("owner", "company", "власник", "владелец"),
    "notes": ("description", "comment", "comments", "опис", "примітки", "описание"),
    "sources": ("source", "url", "urls", "link", "links", "source_url", "джерело", "посилання", "источник"),
}
#: Headers of one column holding "LAT, LON".
COORDINATE_PAIR = ("coordinates", "coords", "coordinate", "lat_lon", "latlon", "lat_lng", "latlng",
                   "координати", "координаты")
#: Headers that look like coordinates; any such column left unread is an error.
_COORDINATE_LIKE = re.compile(
    r"(^|_)(lat|latitude|lon|lng|longitude|coord|coords|coordinates|easting|northing|широта|довгота|долгота)($|_)")

_PAIR = re.compile(r"^\s*\(?\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*\)?\s*$")
_PAIR_DECIMAL_COMMA = re.compile(r"^\s*\(?\s*(-?\d+(?:,\d+)?)\s*[; ]\s*(-?\d+(?:,\d+)?)\s*\)?\s*$")
_DECIMAL_COMMA = r"-?\d+,\d+"


def header_key(name: object) -> str:
    """``" Event Date "`` -> ``event_date``: case, spaces, hyphens, dots, apostrophes folded."""
    return re.sub(r"[\s\-./'’ʼ]+", "_", str(name).strip().lower()).strip("_")


_LOOKUP = {header_key(ours): ours for ours in COLUMN_KINDS} | {
    header_key(alias): ours for ours, aliases in SYNONYMS.items() for alias in aliases}


_NUMERIC = {c for c, kind in COLUMN_KINDS.items() if kind in ("float", "int")}


def numeric_header(name: object) -> bool:
    """True for a header that means a numeric column of ours (``Latitude``, ``fatalities``)."""
    return _LOOKUP.get(header_key(name)) in _NUMERIC


def map_columns(cells: pd.DataFrame, decimal_comma: bool = False, spatial: bool = False
                ) -> tuple[pd.DataFrame, dict[str, str], list[tuple[np.ndarray, str, pd.Series, str]]]:
    """Rename recognised headers to ours and split a coordinates column.

    Returns ``(cells, read_as, problems)``: ``read_as`` maps each header that was renamed to
    the column it was read as; ``problems`` are per-row findings ``(mask, field, values,
    reason)`` for validation to report with the rest. Raises :class:`IncidentDataError`
    for columns that cannot be used. ``spatial``: the file's geometry gives the points, so
    coordinate headers are left as they are.
    """
    targets: dict[str, list[str]] = {}
    for name in cells.columns:
        ours = _LOOKUP.get(header_key(name))
        if ours and not (spatial and ours in ("latitude", "longitude")):
            targets.setdefault(ours, []).append(name)
    clashes = {ours: names for ours, names in targets.items() if len(names) > 1}
    if clashes:
        ours, names = next(iter(clashes.items()))
        raise _error(f"all mean {ours}; keep one of them or rename the others", ", ".join(map(repr, names)))
    read_as = {names[0]: ours for ours, names in targets.items() if names[0] != ours}
    if "sources" in targets and header_key(targets["sources"][0]) == "source" and not _all_links(cells[targets["sources"][0]]):
        # A "Source" column of outlet names ("Reuters") is source text, not links.
        read_as[targets["sources"][0]] = "source_text"
    cells = cells.rename(columns=read_as)
    problems = []
    pair = [c for c in cells.columns if header_key(c) in COORDINATE_PAIR]
    if pair and not spatial:
        if "latitude" in cells or "longitude" in cells:
            raise _error("and latitude/longitude columns both give coordinates; keep one", pair[0])
        cells, problems = _split_pair(cells, pair[0], decimal_comma)
        read_as[pair[0]] = "latitude, longitude"
    if not spatial:
        _check_coordinates(cells)
        if decimal_comma:
            for column in ("latitude", "longitude"):
                if column in cells:
                    text = cells[column].astype(str)
                    cells[column] = text.where(~text.str.fullmatch(_DECIMAL_COMMA), text.str.replace(",", ".", regex=False))
    return cells, read_as, problems


def _all_links(values: pd.Series) -> bool:
    text = values.astype(str).str.strip()
    text = text[text != ""]
    return bool(len(text)) and bool(text.str.match(r"(?i)https?://").all())


def _split_pair(cells: pd.DataFrame, column: str, decimal_comma: bool):
    text = cells[column].fillna("").astype(str)
    parts = text.str.extract(_PAIR)
    if decimal_comma:
        other = text.str.extract(_PAIR_DECIMAL_COMMA).apply(lambda s: s.str.replace(",", ".", regex=False))
        parts = parts.where(parts[0].notna(), other)
    bad = ((text.str.strip() != "") & parts[0].isna()).to_numpy()
    cells = cells.drop(columns=column).assign(latitude=parts[0].fillna("").to_numpy(),
                                              longitude=parts[1].fillna("").to_numpy())
    problems = [(bad, column, text, "is not a coordinate pair (expected 'LAT, LON', e.g. '48.44, 22.72')")]
    return cells, problems if bad.any() else []


def _check_coordinates(cells: pd.DataFrame) -> None:
    if ("latitude" in cells) != ("longitude" in cells):
        have, lacking = ("latitude", "longitude") if "latitude" in cells else ("longitude", "latitude")
        raise _error(f"is there but no {lacking} column is; add it (or a coordinates column 'LAT, LON')", have)
    for name in cells.columns:
        if name not in COLUMN_KINDS and _COORDINATE_LIKE.search(header_key(name)):
            raise _error("looks like coordinates but is not a column incident-mapper reads; rename it "
                         "latitude/longitude (decimal degrees, WGS 84), or coordinates for 'LAT, LON'", name)


def _error(reason: str, value: str) -> IncidentDataError:
    return IncidentDataError([Problem(0, "column", value, reason)])
