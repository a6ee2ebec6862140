"""Turn a raw table into an IncidentFrame, finding every problem on the way.

Checks are vectorised and run once per *distinct* value of a column (a million rows
usually hold a few thousand distinct dates, places or source lists), then spread back to
the rows. Each check yields a mask of bad rows and one reason; a row with any problem is
rejected as a whole, and every rejected row appears in the rejection table with its
1-based line in the source file. Nothing is dropped silently.

Example:
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"id": ["a", "b"], "date": ["2025-08-21", "yesterday"]})
    >>> frame, rejected = to_frame(raw)
    >>> len(frame), rejected.loc[0, "reason"]
    (1, 'is not a date (expected e.g. 2025-08-21, 21.08.2025 or 21 August 2025)')
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from incidents.countries import ISO_ALPHA2
from incidents.dates import AmbiguousDates, parse_dates
from incidents.errors import IncidentDataError, Problem
from incidents.findings import Collector, Distinct, as_text, stripped_text
from incidents.oblasts import closest_oblasts, read_oblast
from incidents.schema import (
    CASUALTY_COLUMNS,
    COLUMN_KINDS,
    COLUMNS,
    CRS,
    MAX_FIELD_CHARS,
    REQUIRED,
    UKRAINE_BBOX,
    VOCABULARIES,
)

#: More casualties than this in one incident is a typo (and would overflow the counts).
MAX_CASUALTIES = 10_000_000
DATE_REASON = "is not a date (expected e.g. 2025-08-21, 21.08.2025 or 21 August 2025)"
_URL = r"https?://[^\s|/?#]+[^\s|]*"
_URL_LIST = rf"{_URL}(?:\s*\|\s*{_URL})*"
# 1.0/0.0: GeoPackage stores booleans as numbers, floats once a value is missing.
_TRUE = {"true", "yes", "y", "1", "1.0", "t"}
_FALSE = {"false", "no", "n", "0", "0.0", "f"}


def _repeated(values: pd.Series) -> np.ndarray:
    """Mask of values seen before in the column (hashing Arrow strings in place; several
    times faster than encoding them)."""
    return values.astype("str").duplicated().to_numpy()


def _numbers(column: Distinct, field: str, found: Collector) -> pd.Series:
    """Numbers of each distinct value (NaN for empty); non-numbers are reported."""
    numbers = pd.to_numeric(column.text.where(column.text != ""), errors="coerce").astype(float)
    reason = "is not a number (expected a whole number >= 0)" if field in CASUALTY_COLUMNS else "is not a number"
    found.add_distinct(column, (column.text != "") & numbers.isna(), field, reason)
    return numbers


class _Parser:
    """Validates one raw table column by column into ``self.out``."""

    def __init__(self, raw: pd.DataFrame, lines: np.ndarray, today: dt.date, dayfirst: bool | None = None,
                 admin1_oblasts: bool = False, max_chars: int = MAX_FIELD_CHARS):
        self.raw, self.lines, self.today = raw, lines, today
        self.dayfirst, self.admin1_oblasts, self.max_chars = dayfirst, admin1_oblasts, max_chars
        self.notes: list[str] = []
        self.found = Collector(len(raw))
        self.out: dict[str, object] = {}
        self._distinct: dict[str, Distinct] = {}

    def distinct(self, name: str) -> Distinct:
        """The column's distinct values, factorised once on first use."""
        if name not in self._distinct:
            self._distinct[name] = Distinct(self.raw[name]) if name in self.raw else Distinct.empty(len(self.raw))
        return self._distinct[name]

    def text_column(self, name: str) -> None:
        if name in VOCABULARIES:
            column = self.distinct(name)
            allowed = VOCABULARIES[name]
            value = column.text.str.lower().str.replace(r"[\s\-]+", "_", regex=True)
            self.found.add_distinct(column, (value != "") & ~value.isin(allowed), name,
                                    f"is not one of: {', '.join(allowed)}")
            self.out[name] = column.text_rows(value.where(value != "", None))
            return
        if name not in self.raw:
            self.out[name] = np.full(len(self.raw), None, dtype=object)
            return
        # Free text is mostly distinct per row: check it directly, not through factorize.
        text = stripped_text(self.raw[name])
        self.cap(name, text)
        self.out[name] = text.where(text != "", None).to_numpy(dtype=object) if text.dtype == object else text.replace("", None)

    def cap(self, name: str, text: pd.Series) -> None:
        """Text longer than ``max_chars`` is a row error (rejected, not truncated)."""
        self.found.add((text.str.len() > self.max_chars).to_numpy(dtype=bool), str(name), text,
                       f"is too long (more than {self.max_chars} characters)")

    def extra_columns(self, names) -> None:
        """The user's own columns get the same cap as ours, so a 50 MB cell cannot reach the map."""
        for name in names:
            column = self.raw[name]
            if pd.api.types.is_string_dtype(column) or column.dtype == object:
                self.cap(name, column.astype(object).where(column.notna(), "").astype(str))

    def numbers(self, name: str) -> tuple[np.ndarray, np.ndarray, Distinct | pd.Series]:
        """Floats of a numeric column (NaN where empty or not a number, which is
        reported), the mask of empty cells, and what to quote in messages.

        Clean columns convert in one vectorised cast; only a column holding something
        else goes through its distinct values to name the bad ones."""
        rows = len(self.raw)
        if name not in self.raw:
            return np.full(rows, np.nan), np.ones(rows, dtype=bool), Distinct.empty(rows)
        series = self.raw[name]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            values = series.astype(float).to_numpy()
            return values, np.isnan(values), series
        text = stripped_text(series)
        try:
            # One Arrow cast for the whole column; it raises at the first non-number.
            strings = pa.array(text.replace("", None).astype("str"), from_pandas=True)
            values = pc.cast(strings, pa.float64()).to_numpy(zero_copy_only=False)
            return values, np.isnan(values), text
        except (pa.ArrowInvalid, ValueError, TypeError):
            column = self.distinct(name)
            values = column.rows(_numbers(column, name, self.found).to_numpy())
            return values, column.rows(column.text == ""), column

    def ids(self) -> None:
        ids = stripped_text(self.raw["id"])
        found = self.found
        found.add((ids == "").to_numpy(), "id", ids, "is empty (every incident needs an id)")
        self.cap("id", ids)
        repeated = _repeated(ids) & (ids != "").to_numpy()
        if repeated.any():
            first = pd.Series(self.lines).groupby(ids.to_numpy()).transform("first").to_numpy()
            found.add(repeated, "id", lambda pos: [f"{ids.iloc[p]} (first seen on row {first[p]})" for p in pos],
                      "is a duplicate id")
        self.out["id"] = ids

    def dates(self) -> None:
        found, tomorrow = self.found, pd.Timestamp(self.today) + pd.Timedelta(days=1)
        parsed = {}
        for name in ("date", "date_end"):
            column = self.distinct(name)
            when, implied, bad = parse_dates(column.text, dayfirst=self.dayfirst, field=name)
            found.add_distinct(column, bad, name, DATE_REASON)
            found.add_distinct(column, when >= tomorrow, name, f"is in the future (today is {self.today.isoformat()})")
            parsed[name] = (column, when, implied)
        date_column, date, implied = parsed["date"]
        found.add_distinct(date_column, date_column.text == "", "date", "is empty (every incident needs a date)")
        start = date_column.rows(date.to_numpy())
        end_column, end, _ = parsed["date_end"]
        end = end_column.rows(end.to_numpy())
        found.add(end < start, "date_end", end_column, "is before date")
        self.out["date"], self.out["date_end"] = start, end
        self.text_column("date_precision")
        stated = pd.Series(self.out["date_precision"])
        if stated.isna().any():
            self.out["date_precision"] = stated.fillna(pd.Series(date_column.text_rows(implied))).array

    def codes(self) -> None:
        country = self.distinct("owner_country")
        code = country.text.str.upper()
        # Several owners are joined like a list ("AL | AR"); every part must be a code.
        parts = code.str.split(r"\s*\|\s*", regex=True)
        valid = parts.map(lambda codes: all(c in ISO_ALPHA2 for c in codes))
        self.found.add_distinct(country, (code != "") & ~valid.astype(bool), "owner_country",
                                "is not an ISO 3166-1 alpha-2 country code (e.g. US; EU and UK are not codes)")
        self.out["owner_country"] = country.text_rows(code.where(code != "", None))
        self.oblasts()

    def oblasts(self) -> None:
        """Stated oblasts become ISO codes; a close misspelling is read with a note, anything
        else is a row error naming the closest units."""
        column = self.distinct("oblast")
        codes = np.full(len(column.text), None, dtype=object)
        for i, text in enumerate(column.text):
            if not text:
                continue
            unit, how = read_oblast(text, admin1=self.admin1_oblasts)
            if unit is not None:
                codes[i] = unit.iso
                if how == "close":
                    count = int((column.codes == i).sum())
                    self.notes.append(f"oblast {text!r} read as {unit.name_en} ({unit.iso}) on {count} "
                                      f"row{'s' if count != 1 else ''}")
                continue
            # Unknown values are few and distinct: one finding each, with its own suggestions.
            if re.fullmatch(r"(?i)UA-?\d+", text):
                reason = "is not an ISO 3166-2:UA code (e.g. UA-21)"
            else:
                close = ", ".join(f"{u.name_en} ({u.iso})" for u, _, _ in closest_oblasts(text))
                reason = "is not an oblast of Ukraine" + (f"; closest: {close}" if close else
                                                          " (use a name such as Zakarpattia or a code such as UA-21)")
            self.found.add(column.codes == i, "oblast", column, reason)
        self.out["oblast"] = column.text_rows(codes)

    def coordinates(self) -> np.ndarray:
        """Fill latitude/longitude; return the mask of rows with usable coordinates."""
        found = self.found
        lat, lat_empty, lat_col = self.numbers("latitude")
        lon, lon_empty, lon_col = self.numbers("longitude")
        quote = lambda col, pos: col.at(pos) if isinstance(col, Distinct) else [as_text(v) for v in col.iloc[pos]]  # noqa: E731
        with np.errstate(invalid="ignore"):
            found.add(np.abs(lat) > 90, "latitude", lat_col, "is out of range (-90 to 90)")
            found.add(np.abs(lon) > 180, "longitude", lon_col, "is out of range (-180 to 180)")
            pair = lambda pos: [f"{a}, {b}" for a, b in zip(quote(lat_col, pos), quote(lon_col, pos))]  # noqa: E731
            found.add(lat_empty ^ lon_empty, "latitude/longitude", pair,
                      "has only one of latitude and longitude")
            west, south, east, north = UKRAINE_BBOX
            inside = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
            swapped_inside = (lat >= west) & (lat <= east) & (lon >= south) & (lon <= north)
            found.add(~inside & swapped_inside, "latitude/longitude", pair,
                      "lies outside Ukraine but inside it when swapped: latitude and longitude look swapped")
        self.out["latitude"], self.out["longitude"] = lat, lon
        return ~np.isnan(lat) & ~np.isnan(lon)

    def casualties(self) -> None:
        found = self.found
        quoted = {}
        for name in CASUALTY_COLUMNS:
            numbers, _, quoted[name] = self.numbers(name)
            with np.errstate(invalid="ignore"):
                fractional = ~np.isnan(numbers) & (numbers % 1 != 0)
                negative = numbers < 0
            found.add(fractional, name, quoted[name], "is not a whole number")
            found.add(negative, name, quoted[name], "is negative (casualties are counts >= 0)")
            huge = numbers > MAX_CASUALTIES
            found.add(huge, name, quoted[name], f"is implausibly large (more than {MAX_CASUALTIES:,})")
            clean = np.where(fractional | negative | huge, np.nan, numbers)
            self.out[name] = pd.array(pd.Series(clean).round(), dtype="Int64")
        for kind in ("killed", "injured"):
            low, mid, high = (self.out[f"{kind}_low"], self.out[kind], self.out[f"{kind}_high"])
            for a, b, name in ((low, mid, kind), (mid, high, f"{kind}_high"), (low, high, f"{kind}_high")):
                wrong = np.asarray((a > b).fillna(False), dtype=bool)
                found.add(wrong, name, quoted[name],
                          f"is below {kind}_low or {kind} (ranges run low <= value <= high)")

    def flags(self) -> None:
        column = self.distinct("foreign_owned")
        lower = column.text.str.lower()
        self.found.add_distinct(column, (lower != "") & ~lower.isin(_TRUE | _FALSE), "foreign_owned",
                                "is not true or false")
        value = pd.array(np.where(lower.isin(_TRUE), True, np.where(lower.isin(_FALSE), False, None)), dtype="boolean")
        self.out["foreign_owned"] = pd.array(column.rows(value.to_numpy(dtype=object, na_value=pd.NA)), dtype="boolean")

    def lists(self) -> None:
        for name in ("sources", "tags"):
            column = self.distinct(name)
            if name == "sources":
                not_http = (column.text != "") & ~column.text.str.fullmatch(_URL_LIST, case=False)
                self.found.add_distinct(column, not_http, name,
                                        "is not a list of http(s) links (other schemes such as javascript: are refused)")
            items = column.text.str.split(r"\s*\|\s*", regex=True)
            items = [v if t else [] for v, t in zip(items, column.text)]
            # Rows with equal lists share one list object, as pandas copies do: replace a
            # cell's list rather than mutating it in place.
            self.out[name] = np.asarray(items + [None], dtype=object)[:-1][column.codes]


def to_frame(
    raw: pd.DataFrame,
    lines: Iterable[int] | None = None,
    geometry: gpd.GeoSeries | None = None,
    today: dt.date | None = None,
    source: str | None = None,
    dayfirst: bool | None = None,
    problems: Iterable[tuple[np.ndarray, str, pd.Series, str]] = (),
    admin1_oblasts: bool = False,
    max_chars: int = MAX_FIELD_CHARS,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Validate ``raw`` (strings or typed values) into ``(frame, rejected)``.

    ``dayfirst`` settles date columns like ``03/04/2025`` (see :mod:`incidents.dates`);
    ``problems`` are row findings ``(mask, field, values, reason)`` made before validation
    (e.g. an unreadable coordinates pair); ``admin1_oblasts`` reads bare "Kyiv" in the
    oblast column as the oblast, as admin1 columns mean it. Notes on what was read with a
    correction (a misspelt oblast) are in ``frame.attrs["notes"]``.

    ``lines`` gives each row's 1-based line in the source file (default: row i is line
    i + 2, after a header). ``geometry`` supplies the shapes read from a spatial format:
    points become latitude/longitude (and get the same checks as CSV coordinates); a shape
    that is not a point, or a point that disagrees with the row's latitude/longitude, is a
    row error (an incident is a point, and every command can then draw it). ``max_chars``
    caps every text field, extra columns included. File-level problems (missing required columns) raise
    :class:`IncidentDataError`.
    """
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise IncidentDataError([Problem(0, c, None, "required column is missing") for c in missing], source)
    raw = raw.reset_index(drop=True)
    problems = list(problems)
    if geometry is not None:
        raw, found = _split_geometry(raw, gpd.GeoSeries(geometry).reset_index(drop=True))
        problems += found
    lines = np.asarray(list(lines) if lines is not None else np.arange(len(raw)) + 2, dtype=np.int64)
    parser = _Parser(raw, lines, today or dt.date.today(), dayfirst=dayfirst, admin1_oblasts=admin1_oblasts,
                     max_chars=max_chars)
    for finding in problems:
        parser.found.add(*finding)
    parser.ids()
    try:
        parser.dates()
    except AmbiguousDates as error:
        raise AmbiguousDates(error.problems, source) from None
    for name in COLUMNS:
        if COLUMN_KINDS[name] == "str" and name not in parser.out and name not in ("owner_country", "oblast"):
            parser.text_column(name)
    parser.codes()
    has_point = parser.coordinates()
    parser.casualties()
    parser.flags()
    parser.lists()

    extras = [c for c in raw.columns if c not in COLUMN_KINDS and c not in ("geometry", "wkt")]
    parser.extra_columns(extras)
    columns = {name: parser.out[name] for name in COLUMNS} | {name: raw[name] for name in extras}
    shapes = np.full(len(raw), None, dtype=object)
    shapes[has_point] = shapely.points(parser.out["longitude"][has_point], parser.out["latitude"][has_point])
    columns["geometry"] = gpd.array.GeometryArray(shapes, crs=CRS)
    # A fresh frame: geopandas would otherwise deep-copy it (0.5 s per million rows).
    frame = gpd.GeoDataFrame(pd.DataFrame(columns, copy=False), geometry="geometry", crs=CRS, copy=False)
    bad = parser.found.bad_rows()
    if bad.any():
        frame = frame.loc[~bad].reset_index(drop=True)
    frame.attrs["notes"] = parser.notes
    return frame, parser.found.table(lines)


def _split_geometry(raw: pd.DataFrame, geometry: gpd.GeoSeries) -> tuple[pd.DataFrame, list]:
    """Points become latitude/longitude; ``(raw, findings)`` where the findings are rows whose
    shape is not a point, or whose point disagrees with their own latitude/longitude."""
    shapes = geometry.to_numpy()
    valid = ~(pd.isna(shapes)) & ~shapely.is_empty(shapes)
    is_point = valid & (shapely.get_type_id(shapes) == 0)
    x, y = shapely.get_x(np.where(is_point, shapes, None)), shapely.get_y(np.where(is_point, shapes, None))
    findings = []
    kinds = pd.Series([g.geom_type if g is not None else "" for g in np.where(valid & ~is_point, shapes, None)])
    findings.append((valid & ~is_point, "geometry", kinds,
                     "is not a point: an incident is a point (give a location inside it, e.g. its centroid)"))
    raw = raw.copy()
    if {"latitude", "longitude"} <= set(raw.columns):
        lat = pd.to_numeric(raw["latitude"], errors="coerce").to_numpy(float)
        lon = pd.to_numeric(raw["longitude"], errors="coerce").to_numpy(float)
        with np.errstate(invalid="ignore"):
            differ = is_point & np.isfinite(lat) & np.isfinite(lon) & ((np.abs(lat - y) > 1e-6) | (np.abs(lon - x) > 1e-6))
        shown = pd.Series([f"POINT ({a:g} {b:g}) vs {c:g}, {d:g}" for a, b, c, d in zip(x, y, lat, lon)])
        findings.append((differ, "geometry", shown, "and latitude/longitude give different points: keep one"))
        raw["longitude"] = np.where(is_point, x, lon)
        raw["latitude"] = np.where(is_point, y, lat)
    else:
        raw["longitude"], raw["latitude"] = x, y
    return raw, findings


def validate(gdf: gpd.GeoDataFrame, errors: str = "raise", today: dt.date | None = None
             ) -> gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Check an in-memory incident frame; rows are numbered 1, 2, ... in frame order.

    With ``errors="raise"`` (default) returns the cleaned frame or raises
    :class:`IncidentDataError` listing up to 20 problems; with ``errors="report"``
    returns ``(frame, rejected)``.

    Example:
        >>> import incidents
        >>> frame = incidents.validate(incidents.sample())
    """
    is_geo = isinstance(gdf, gpd.GeoDataFrame)
    raw = pd.DataFrame(gdf.drop(columns=gdf.geometry.name) if is_geo else gdf)
    frame, rejected = to_frame(raw, lines=np.arange(len(raw)) + 1, geometry=gdf.geometry if is_geo else None,
                               today=today)
    return finish(frame, rejected, errors)


def finish(frame: gpd.GeoDataFrame, rejected: pd.DataFrame, errors: str, source: str | None = None):
    """Apply the ``errors=`` policy to a validated ``(frame, rejected)`` pair."""
    if errors == "report":
        return frame, rejected
    if errors != "raise":
        raise ValueError(f"errors must be 'raise' or 'report', not {errors!r}")
    if len(rejected):
        problems = [Problem(int(r.row), r.field, r.value, r.reason) for r in rejected.itertuples()]
        raise IncidentDataError(problems, source)
    return frame
