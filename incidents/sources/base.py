"""The importer base class: signature columns, a column map and the source's date convention."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from incidents.schema import COLUMN_KINDS


class Importer:
    """Maps one dataset's export layout to incident columns.

    Subclasses set ``name``, ``prefix``, ``signature`` (columns that identify the layout),
    ``dayfirst`` (the order the source documents for ``03/04/2025``-style dates) and the
    column maps below. Dates are copied as text: validation parses them with the one date
    parser of :mod:`incidents.dates`. Unmapped columns are kept as extra columns, so nothing
    the export carried is lost; one whose name is taken by a column of ours is kept as
    ``<prefix>_<name>`` (ACLED's row ``id`` becomes ``acled_id``).
    """

    name: str = ""
    #: Prefix for the export's columns whose names collide with ours.
    prefix: str = ""
    signature: frozenset[str] = frozenset()
    #: True: 03/04/2025 is 3 April; False: 4 March; None: the source does not say.
    dayfirst: bool | None = None
    #: Our column -> the export's column, copied as text.
    columns: dict[str, str] = {}
    #: Our date columns -> the export's (text; validation parses them).
    dates: dict[str, str] = {}
    #: Our column -> (the export's column, code -> our value), e.g. precision codes.
    codes: dict[str, tuple[str, dict[str, str]]] = {}
    #: The export's columns kept under another name (so they cannot clash with ours).
    renamed: dict[str, str] = {}
    #: The export's columns :meth:`finish` reads into ours, not kept a second time.
    consumed: tuple[str, ...] = ()

    def to_records(self, raw: pd.DataFrame) -> pd.DataFrame:
        """Map the export to incident columns; every column not mapped is kept as is."""
        raw = lower_columns(raw)
        records = pd.DataFrame({ours: self.text(raw, theirs) for ours, theirs in {**self.columns, **self.dates}.items()})
        for ours, (theirs, table) in self.codes.items():
            records[ours] = self.text(raw, theirs).map(table)
        records = self.finish(raw, records)
        used = {*self.columns.values(), *self.dates.values(), *(c for c, _ in self.codes.values()), *self.consumed}
        extras = raw[[c for c in raw.columns if c not in used]].rename(columns=self.renamed)
        taken = set(COLUMN_KINDS) | set(records.columns)
        extras = extras.rename(columns={c: f"{self.prefix}_{c}" for c in extras.columns if c in taken})
        out = pd.concat([records, extras], axis=1)
        repeated = sorted({c for c in out.columns if list(out.columns).count(c) > 1})
        if repeated:  # a guard for every importer: one name, one column
            raise AssertionError(f"{self.name} importer produced duplicate columns: {', '.join(repeated)}")
        return out

    def finish(self, raw: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
        """Hook for mappings a column table cannot say (combined or prefixed values)."""
        return records

    @staticmethod
    def text(raw: pd.DataFrame, column: str) -> pd.Series:
        """A column as stripped text ('' where missing or absent)."""
        if column not in raw:
            return pd.Series("", index=raw.index)
        return raw[column].fillna("").astype(str).str.strip()

    def attrs(self, records: pd.DataFrame, path: Path) -> dict:
        """Facts for ``frame.attrs`` (dataset name and attribution)."""
        return {"dataset": self.name}

def access_date(path: Path) -> dt.date:
    """When an export was obtained, as far as the file can tell: its modification date."""
    return dt.date.fromtimestamp(path.stat().st_mtime)


def lower_columns(raw: pd.DataFrame) -> pd.DataFrame:
    """Exports differ in header case between versions; compare in lower case."""
    return raw.rename(columns={c: str(c).strip().lower() for c in raw.columns})
