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

    def to_records(self, raw: pd.DataFrame) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

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
