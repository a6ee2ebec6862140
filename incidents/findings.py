"""Findings of validation: a column seen through its distinct values, and the collector
that turns per-row masks into the rejection table (row, field, value, reason).

Example:
    >>> import pandas as pd
    >>> column = Distinct(pd.Series(["a", "b", "a"]))
    >>> list(column.text), column.codes.tolist()
    (['a', 'b'], [0, 1, 0])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from incidents.schema import LIST_SEPARATOR

REJECTED_COLUMNS = ["row", "field", "value", "reason"]


def is_sequence(value: object) -> bool:
    return isinstance(value, (list, tuple, np.ndarray))


def stripped_text(series: pd.Series) -> pd.Series:
    """Values as stripped strings, missing as '' (lists joined with the list separator)."""
    if series.dtype == object and series.map(is_sequence).any():
        series = series.map(lambda v: LIST_SEPARATOR.join(map(str, v)) if is_sequence(v) else v)
    if pd.api.types.is_string_dtype(series) and series.dtype != object:
        return series.fillna("").str.strip()
    return series.astype(object).where(series.notna(), "").astype(str).str.strip()


class Distinct:
    """A column seen through its distinct values: ``text`` holds each distinct value once
    (stripped, '' for missing) and ``codes`` maps every row to it."""

    def __init__(self, series: pd.Series):
        if series.dtype == object and series.map(is_sequence).any():
            series = stripped_text(series)
        codes, uniques = pd.factorize(series, use_na_sentinel=False)
        self.codes = codes
        self.text = stripped_text(pd.Series(uniques, dtype=series.dtype if series.dtype != object else object))

    @classmethod
    def empty(cls, rows: int) -> "Distinct":
        """A column the file does not have: every row empty."""
        column = cls.__new__(cls)
        column.codes = np.zeros(rows, dtype=np.intp)
        column.text = pd.Series([""], dtype=object)
        return column

    def rows(self, mask) -> np.ndarray:
        """Spread a per-distinct-value mask (or array) to the rows."""
        return np.asarray(mask)[self.codes]

    def text_rows(self, per_value) -> pd.api.extensions.ExtensionArray:
        """Spread per-distinct-value text (None for missing) to the rows as a string array.

        Built once per distinct value and taken by code: pandas would otherwise turn an
        object array of a million row strings into its string dtype one string at a time."""
        return pd.array(np.asarray(per_value, dtype=object), dtype="str").take(self.codes)

    def at(self, positions: np.ndarray) -> list[str]:
        return list(self.text.to_numpy()[self.codes[positions]])


class Collector:
    """Accumulates findings: (row mask, field, values, reason)."""

    def __init__(self, rows: int):
        self.rows = rows
        self.findings: list[tuple[np.ndarray, str, object, str]] = []

    def add(self, mask, field: str, values, reason: str) -> None:
        """``mask`` is per row; ``values`` a :class:`Distinct`, a Series or a callable of positions."""
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self.findings.append((mask, field, values, reason))

    def add_distinct(self, column: Distinct, mask, field: str, reason: str) -> None:
        """Like :meth:`add` with a mask over ``column``'s distinct values."""
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self.add(column.rows(mask), field, column, reason)

    def bad_rows(self) -> np.ndarray:
        bad = np.zeros(self.rows, dtype=bool)
        for mask, *_ in self.findings:
            bad |= mask
        return bad

    def table(self, lines: np.ndarray) -> pd.DataFrame:
        parts = []
        for order, (mask, field, values, reason) in enumerate(self.findings):
            positions = np.flatnonzero(mask)
            if isinstance(values, Distinct):
                shown = values.at(positions)
            elif callable(values):
                shown = values(positions)
            else:
                shown = [as_text(v) for v in values.iloc[positions]]
            parts.append(pd.DataFrame({"row": lines[positions], "field": field, "value": shown,
                                       "reason": reason, "_order": order}))
        if not parts:
            return empty_rejections()
        table = pd.concat(parts, ignore_index=True).sort_values(["row", "_order"], kind="stable")
        return table.drop(columns="_order").reset_index(drop=True).astype({"row": int})


def as_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (float, np.floating)) and float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))  # a number parsed from "91" is quoted back as "91", not "91.0"
    if is_sequence(value):
        return LIST_SEPARATOR.join(map(str, value))
    return str(value)


def empty_rejections() -> pd.DataFrame:
    """A rejection table with no rows (columns row, field, value, reason)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in REJECTED_COLUMNS})
