"""One date parser for every file the loader reads.

Accepted, per value:

* ISO 8601: ``2025-08-21``, ``2025-08-21T14:05``, ``2014-01-22 00:00:00.000``, with an
  optional offset (converted to UTC); ``2025-08`` (month) and ``2025`` (year); also
  ``2025/08/21``.
* Numeric day, month and year: ``21.08.2025`` is always day first (the Ukrainian and
  European convention); ``21/08/2025``, ``8/21/2025`` and ``21-08-2025`` are decided per
  column from the values themselves (a first part above 12 settles day first, a second
  part above 12 month first). A column that stays ambiguous takes the convention its
  source documents (``dayfirst=``), or stops with :class:`AmbiguousDates`.
* Times after any of these, 24-hour or 12-hour (``1/22/2014 12:00:00 AM``).
* Excel serial dates (``45890`` is 2025-08-21), five digits, 1954 to 2119.
* Month names in English, Ukrainian and Russian: ``21 August 2025``, ``August 21, 2025``,
  ``21-Aug-2025``, ``21 серпня 2025 р.``, ``21 августа 2025``, ``August 2025`` (month).

Example:
    >>> import pandas as pd
    >>> when, precision, bad = parse_dates(pd.Series(["21.08.2025", "8/21/2025 1:30 PM", "soon"]))
    >>> [str(w) for w in when], bad.tolist()
    (['2025-08-21 00:00:00', '2025-08-21 13:30:00', 'NaT'], [False, False, True])
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from incidents.errors import IncidentDataError, Problem

__all__ = ["AmbiguousDates", "parse_dates", "MONTHS"]

#: Whole month words in English, Ukrainian (nominative and genitive) and Russian (genitive).
MONTHS: dict[str, int] = {}
for _number, _words in {
    1: "january jan січень січня январь января", 2: "february feb лютий лютого февраль февраля",
    3: "march mar березень березня март марта", 4: "april apr квітень квітня апрель апреля",
    5: "may травень травня май мая", 6: "june jun червень червня июнь июня",
    7: "july jul липень липня июль июля", 8: "august aug серпень серпня август августа",
    9: "september sept sep вересень вересня сентябрь сентября",
    10: "october oct жовтень жовтня октябрь октября", 11: "november nov листопад листопада ноябрь ноября",
    12: "december dec грудень грудня декабрь декабря",
}.items():
    for _word in _words.split():
        MONTHS[_word] = _number

_TIME = r"(?:[ T,]+(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:[.,]\d+)?)?\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?)?"
_ISO_SHAPE = re.compile(r"\d{4}(-\d{1,2}(-\d{1,2}([T ].*)?)?)?")
_NUMERIC = re.compile(rf"(?P<a>\d{{1,2}})(?P<sep>[./-])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}})\.?{_TIME}")
_YEAR_FIRST = re.compile(rf"(?P<y>\d{{4}})[/.](?P<m>\d{{1,2}})[/.](?P<d>\d{{1,2}}){_TIME}")
_MONTH = r"(?P<mon>[^\W\d_]+)\.?"
_YEAR = r"(?P<y>\d{4})(?:\s*(?:р|г|рік|року|год|года)\.?)?"
_DAY_MONTH_YEAR = re.compile(rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s-]+(?:of\s+)?{_MONTH}[\s,-]+{_YEAR}{_TIME}")
_MONTH_DAY_YEAR = re.compile(rf"{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}{_TIME}")
_MONTH_YEAR = re.compile(rf"{_MONTH}[\s,-]+{_YEAR}")
_SERIAL = re.compile(r"(?P<serial>\d{5}(?:\.\d+)?)")
#: Excel serial day numbers accepted (1954-10-03 to 2119-10-16): five digits, never a year.
_SERIAL_RANGE = (20000.0, 80000.0)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


class AmbiguousDates(IncidentDataError):
    """A column of day/month dates that reads both ways and whose source names no order."""


def _empty(n: int) -> pd.Series:
    return pd.Series(pd.NaT, index=range(n), dtype="datetime64[us]")


def _assemble(parts: pd.DataFrame, rows: np.ndarray, out: pd.Series) -> None:
    """Build datetimes from year/month/day(/hour/minute/second/ampm) text columns into
    ``out`` at ``rows``; impossible dates (31 February) stay NaT."""
    year = pd.to_numeric(parts["y"], errors="coerce")
    year = year.where(year >= 100, np.where(year > pd.Timestamp.now().year % 100 + 1, 1900, 2000) + year)
    hour = pd.to_numeric(parts.get("hh"), errors="coerce").fillna(0) if "hh" in parts else 0
    if "ampm" in parts:
        pm = parts["ampm"].fillna("").str.lower().str.startswith("p")
        am = parts["ampm"].fillna("").str.lower().str.startswith("a")
        bad_clock = (am | pm) & ((hour < 1) | (hour > 12))
        hour = np.where(pm & (hour < 12), hour + 12, np.where(am & (hour == 12), 0, hour))
        hour = pd.Series(hour, index=parts.index).where(~bad_clock)
    frame = pd.DataFrame({
        "year": year, "month": pd.to_numeric(parts["m"], errors="coerce"),
        "day": pd.to_numeric(parts["d"], errors="coerce"),
        "hour": hour, "minute": pd.to_numeric(parts["mi"], errors="coerce").fillna(0) if "mi" in parts else 0,
        "second": pd.to_numeric(parts["ss"], errors="coerce").fillna(0) if "ss" in parts else 0,
    }, index=parts.index)
    out.iloc[rows] = pd.to_datetime(frame, errors="coerce").astype("datetime64[us]").to_numpy()


def _slash_order(a: pd.Series, b: pd.Series, sep: pd.Series, dayfirst: bool | None, field: str,
                 examples: pd.Series) -> np.ndarray:
    """Per value: True where the first number is the day. Dots are always day first;
    slashes and dashes follow the evidence of the whole column."""
    a, b = a.astype(int), b.astype(int)
    fixed = (sep == ".").to_numpy()
    free = ~fixed
    day_first_evidence = int(((a > 12) & (b <= 12) & free).sum())
    month_first_evidence = int(((b > 12) & (a <= 12) & free).sum())
    if dayfirst is None:
        if day_first_evidence or month_first_evidence:
            dayfirst = day_first_evidence >= month_first_evidence
        elif (both_ways := free & (a != b) & a.between(1, 12) & b.between(1, 12)).any():
            sample = examples[both_ways].iloc[0]
            raise AmbiguousDates([Problem(0, field, sample, (
                "reads both as day/month and as month/day in every row of the column; say which: "
                "dayfirst=True or False in incidents.load, or --dayfirst / --monthfirst on the command line"))])
        else:
            dayfirst = True  # day == month everywhere: either order gives the same date
    return np.where(fixed, True, dayfirst)


def parse_dates(values: pd.Series, dayfirst: bool | None = None, field: str = "date"
                ) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """Parse date text (see the module docstring for the forms).

    Returns ``(when, precision, bad)``: naive datetimes (``datetime64[us]``, offsets
    converted to UTC), the precision each value implies (``day``, ``month``, ``year`` or
    None) and the mask of non-empty values that are not dates. Raises
    :class:`AmbiguousDates` for a day/month column that reads both ways when ``dayfirst``
    is None.
    """
    values = values.reset_index(drop=True)
    n = len(values)
    if pd.api.types.is_datetime64_any_dtype(values):
        when = values.dt.tz_convert(None) if values.dt.tz is not None else values
        precision = pd.Series(np.where(when.notna(), "day", None), dtype=object)
        return when.astype("datetime64[us]"), precision, np.zeros(n, dtype=bool)
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    when = _empty(n)
    precision = np.full(n, None, dtype=object)

    iso = text.str.fullmatch(_ISO_SHAPE.pattern).to_numpy()
    if iso.any():
        parsed = pd.to_datetime(text[iso], format="ISO8601", errors="coerce", utc=True)
        when.iloc[np.flatnonzero(iso)] = parsed.dt.tz_convert(None).astype("datetime64[us]").to_numpy()
        length = text[iso].str.len().to_numpy()
        precision[iso] = np.select([length == 4, length <= 7], ["year", "month"], "day")
    rest = ~iso & (text != "").to_numpy()
    if rest.any():
        _parse_other(text, rest, when, precision, dayfirst, field)
    bad = (text != "").to_numpy() & when.isna().to_numpy()
    precision[bad] = None
    return when, pd.Series(precision, dtype=object), bad


def _parse_other(text: pd.Series, todo: np.ndarray, when: pd.Series, precision: np.ndarray,
                 dayfirst: bool | None, field: str) -> None:
    """The non-ISO forms, each tried on the values no earlier form matched."""
    def take(pattern: re.Pattern) -> tuple[np.ndarray, pd.DataFrame]:
        rows = np.flatnonzero(todo)
        parts = text.iloc[rows].str.extract(f"^(?:{pattern.pattern})$", flags=re.IGNORECASE)
        hit = parts.notna().any(axis=1).to_numpy()
        todo[rows[hit]] = False
        return rows[hit], parts[hit]

    rows, parts = take(_YEAR_FIRST)
    if len(rows):
        _assemble(parts, rows, when)
    rows, parts = take(_NUMERIC)
    if len(rows):
        first = _slash_order(parts["a"], parts["b"], parts["sep"], dayfirst, field, text.iloc[rows])
        parts = parts.assign(d=np.where(first, parts["a"], parts["b"]), m=np.where(first, parts["b"], parts["a"]))
        _assemble(parts, rows, when)
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _MONTH_YEAR):
        rows, parts = take(pattern)
        if len(rows):
            parts = parts.assign(m=parts["mon"].str.lower().map(MONTHS))
            if pattern is _MONTH_YEAR:
                parts = parts.assign(d="1")
                precision[rows] = "month"
            _assemble(parts, rows, when)
    rows, parts = take(_SERIAL)
    if len(rows):
        serial = pd.to_numeric(text.iloc[rows], errors="coerce")
        serial = serial.where(serial.between(*_SERIAL_RANGE))
        when.iloc[rows] = (_EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")).dt.round("s").astype("datetime64[us]").to_numpy()
    done = when.notna().to_numpy() & (precision == None)  # noqa: E711 (element-wise)
    precision[done] = "day"
