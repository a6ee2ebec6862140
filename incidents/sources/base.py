"""The importer base class: signature columns, a column map and date formats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd


class Importer:
    """Maps one dataset's export layout to incident columns.

    Subclasses set ``name``, ``signature`` (columns that identify the layout),
    ``date_formats`` (strptime formats tried in order) and implement :meth:`to_records`.
    Unmapped columns are kept as extra columns, so nothing the export carried is lost.
    """

    name: str = ""
    signature: frozenset[str] = frozenset()
    date_formats: tuple[str, ...] = ()
    #: Our column -> the export's column, copied as text.
    columns: dict[str, str] = {}
    #: Our date columns -> the export's, parsed with ``date_formats``.
    dates: dict[str, str] = {}
    #: Our column -> (the export's column, code -> our value), e.g. precision codes.
    codes: dict[str, tuple[str, dict[str, str]]] = {}
    #: The export's columns kept under another name (so they cannot clash with ours).
    renamed: dict[str, str] = {}

    def to_records(self, raw: pd.DataFrame) -> pd.DataFrame:
        """Map the export to incident columns; every column not mapped is kept as is."""
        raw = lower_columns(raw)
        records = pd.DataFrame({ours: self.text(raw, theirs) for ours, theirs in self.columns.items()})
        for ours, theirs in self.dates.items():
            records[ours] = self.parse_dates(raw[theirs])
        for ours, (theirs, table) in self.codes.items():
            records[ours] = self.text(raw, theirs).map(table)
        records = self.finish(raw, records)
        used = {*self.columns.values(), *self.dates.values(), *(c for c, _ in self.codes.values())}
        extras = raw[[c for c in raw.columns if c not in used]].rename(columns=self.renamed)
        return pd.concat([records, extras], axis=1)

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

    def parse_dates(self, text: pd.Series) -> pd.Series:
        """Dates in any of ``date_formats``, written back as ISO text for validation;
        values no format fits are passed through unchanged so validation names them."""
        text = text.fillna("").astype(str).str.strip()
        parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
        for fmt in self.date_formats:
            todo = parsed.isna() & (text != "")
            if not todo.any():
                break
            parsed[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        iso = parsed.dt.strftime("%Y-%m-%d")
        return pd.Series(np.where(parsed.notna(), iso, text), index=text.index)


def access_date(path: Path) -> dt.date:
    """When an export was obtained, as far as the file can tell: its modification date."""
    return dt.date.fromtimestamp(path.stat().st_mtime)


def lower_columns(raw: pd.DataFrame) -> pd.DataFrame:
    """Exports differ in header case between versions; compare in lower case."""
    return raw.rename(columns={c: str(c).strip().lower() for c in raw.columns})
