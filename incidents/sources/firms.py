"""NASA FIRMS active-fire (thermal anomaly) detections: a *detections* frame, not incidents.

A detection is a satellite pixel that was hot at one overpass: evidence to check an incident
against (``geo.corroborate``) or a lead to review (``geo.unreported_fires``), never an
incident by itself. So ``incidents.load`` recognises a FIRMS file by its columns and returns
a detections frame, which no incident function accepts by mistake (``attrs["kind"]``).

Layouts read (archive and near-real-time CSV as FIRMS writes them):

* VIIRS (S-NPP, NOAA-20, NOAA-21): ``latitude,longitude,bright_ti4,scan,track,acq_date,
  acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight`` (+ ``type`` in
  archive files); confidence is ``l``/``n``/``h``.
* MODIS (Terra, Aqua): ``brightness`` and ``bright_t31`` in place of ``bright_ti4``/
  ``bright_ti5``; confidence is a number 0-100 (FIRMS classes: below 30 low, below 80
  nominal, else high).
* A detections frame saved by :func:`incidents.save` (``detected_at`` instead of
  ``acq_date``/``acq_time``), so a converted archive loads back the same.

``acq_time`` is HHMM in UTC (archives drop leading zeros: ``5`` is 00:05); ``detected_at``
is that moment as a naive UTC timestamp. Every row is checked; a bad value is a problem
naming its line and field, exactly as for incident files.

Attribution (NASA's open data policy puts no restriction on use; FIRMS asks for it):
"We acknowledge the use of data from NASA's Fire Information for Resource Management System
(FIRMS) (https://www.earthdata.nasa.gov/firms), part of NASA's Earth Science Data and
Information System (ESDIS)."
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from incidents.errors import Problem
from incidents.schema import CRS
from incidents.sources.base import Importer, access_date, lower_columns

ATTRIBUTION = ("NASA Fire Information for Resource Management System (FIRMS), "
               "https://www.earthdata.nasa.gov/firms, part of NASA's Earth Science Data and Information "
               "System (ESDIS)")

#: FIRMS satellite codes (archive and NRT spellings) -> platform name.
SATELLITES = {"n": "Suomi NPP", "npp": "Suomi NPP", "suomi npp": "Suomi NPP",
              "1": "NOAA-20", "n20": "NOAA-20", "noaa-20": "NOAA-20", "j1": "NOAA-20",
              "2": "NOAA-21", "n21": "NOAA-21", "noaa-21": "NOAA-21", "j2": "NOAA-21",
              "t": "Terra", "terra": "Terra", "a": "Aqua", "aqua": "Aqua"}
VIIRS_CONFIDENCE = {"l": "low", "n": "nominal", "h": "high", "low": "low", "nominal": "nominal", "high": "high"}
#: FIRMS archive ``type``: 0 presumed vegetation fire, 1 active volcano, 2 other static land
#: source (industrial heat such as steel works and gas flares), 3 offshore.
TYPES = (0, 1, 2, 3)

#: Columns of a detections frame, in order (geometry last).
DETECTION_COLUMNS = ("detected_at", "latitude", "longitude", "satellite", "instrument", "confidence",
                     "confidence_pct", "frp", "brightness", "brightness_2", "scan", "track", "daynight",
                     "type", "version")


class FirmsImporter(Importer):
    """Recognises FIRMS exports; :func:`detections` turns the raw table into detections."""

    name = "NASA FIRMS"
    prefix = "firms"
    #: In every FIRMS layout and in a saved detections frame.
    signature = frozenset({"frp", "scan", "track", "daynight"})
    kind = "detections"

    def to_records(self, raw: pd.DataFrame) -> pd.DataFrame:
        return lower_columns(raw)  # checked and typed by detections(), not by incident validation

    def attrs(self, records: pd.DataFrame, path: Path) -> dict:
        return {"dataset": self.name, "kind": self.kind,
                "attribution": f"{ATTRIBUTION}; accessed {access_date(path):%Y-%m-%d}"}


def detections(cells: pd.DataFrame, lines: np.ndarray, attrs: dict, errors: str = "raise",
               source: str | None = None, unread: list[Problem] = ()):
    """A checked detections GeoDataFrame from a FIRMS table read by :func:`incidents.load`.

    ``unread``: records the reader could not make rows of (they are rejected too).
    Returns like ``load``: the frame, or ``(frame, rejected)`` with ``errors="report"``;
    ``errors="raise"`` raises :class:`~incidents.errors.IncidentDataError` naming each bad
    row (file line), field and value.
    """
    from incidents.validate import finish

    check = _Checks(cells, lines)
    for mask, field, values, reason in attrs.pop("problems", []):  # found while reading (control characters)
        check.report(mask, field, values.reset_index(drop=True), reason)
    attrs.pop("dayfirst", None)  # FIRMS writes ISO dates
    out = {"detected_at": check.moment(), "latitude": check.number("latitude", -90, 90, required=True),
           "longitude": check.number("longitude", -180, 180, required=True)}
    out["satellite"] = check.coded("satellite", SATELLITES, "a FIRMS satellite code (N, N20, N21, 1, 2, T, A, Terra, Aqua)")
    out["instrument"] = _instrument(cells)
    out["confidence"], out["confidence_pct"] = check.confidence(out["instrument"])
    out["frp"] = check.number("frp", 0, None)
    out["brightness"] = check.number(_first(cells, "bright_ti4", "brightness"), 0, None)
    out["brightness_2"] = check.number(_first(cells, "bright_ti5", "bright_t31", "brightness_2"), 0, None)
    out["scan"], out["track"] = check.number("scan", 0, None), check.number("track", 0, None)
    out["daynight"] = check.coded("daynight", {"d": "D", "n": "N"}, "D (day) or N (night)")
    out["type"] = check.fire_type()
    out["version"] = _text(cells, "version").replace("", None)
    frame = pd.DataFrame(out)
    for column in ("satellite", "instrument", "confidence", "daynight", "version"):
        frame[column] = frame[column].astype("str")  # one dtype whatever the file, so partitions agree
    kept = [c for c in cells.columns if c not in _READ]
    frame = pd.concat([frame, cells[kept].reset_index(drop=True)], axis=1)
    bad = check.bad_rows()
    points = gpd.points_from_xy(frame["longitude"], frame["latitude"], crs=CRS)
    gdf = gpd.GeoDataFrame(frame, geometry=points, crs=CRS)[~bad].reset_index(drop=True)
    problems = [*check.problems, *unread]
    rejected = pd.DataFrame([vars(p) for p in problems], columns=["row", "field", "value", "reason"])
    rejected = rejected.sort_values("row", kind="stable", ignore_index=True)
    gdf.attrs.update(attrs, rows_in=len(cells) + attrs.get("rows_blank", 0) + len(unread),
                     rows_rejected=int(rejected["row"].nunique()))
    return finish(gdf, rejected, errors, source=source)


#: Source columns read into DETECTION_COLUMNS (everything else is kept as it is).
_READ = {"latitude", "longitude", "acq_date", "acq_time", "detected_at", "satellite", "instrument", "confidence",
         "confidence_pct", "frp", "bright_ti4", "brightness", "bright_ti5", "bright_t31", "brightness_2", "scan",
         "track", "daynight", "type", "version", "geometry"}


def _text(cells: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None or column not in cells:
        return pd.Series("", index=cells.index, dtype=object)
    values = cells[column]
    if pd.api.types.is_numeric_dtype(values):  # typed spatial formats and parsed CSV numbers
        text = values.map(lambda v: "" if pd.isna(v) else repr(float(v)) if isinstance(v, float) else str(v))
        return text.astype(object)
    return values.astype(object).where(values.notna(), "").astype(str).str.strip()


def _first(cells: pd.DataFrame, *names: str) -> str | None:
    return next((n for n in names if n in cells), None)


def _instrument(cells: pd.DataFrame) -> pd.Series:
    """VIIRS or MODIS: the file's ``instrument`` column, else told by its brightness columns."""
    stated = _text(cells, "instrument").str.upper()
    inferred = "VIIRS" if "bright_ti4" in cells else "MODIS" if "brightness" in cells else None
    return stated.where(stated != "", inferred)


class _Checks:
    """Per-column checks that collect :class:`Problem` rows (line numbers of the file)."""

    def __init__(self, cells: pd.DataFrame, lines: np.ndarray):
        self.cells, self.lines = cells.reset_index(drop=True), np.asarray(lines)
        self.problems: list[Problem] = []
        self._bad = np.zeros(len(cells), dtype=bool)

    def report(self, mask: np.ndarray, field: str, values: pd.Series, reason: str) -> None:
        mask = np.asarray(mask, dtype=bool)
        self._bad |= mask
        self.problems += [Problem(int(self.lines[i]), field, values.iloc[i], reason) for i in np.flatnonzero(mask)]

    def bad_rows(self) -> np.ndarray:
        return self._bad

    def number(self, column: str | None, low: float | None, high: float | None, required: bool = False) -> np.ndarray:
        text = _text(self.cells, column)
        if column in self.cells and pd.api.types.is_numeric_dtype(self.cells[column]):
            # Parsed by the reader already: use the numbers, not their (shortened) text.
            values = self.cells[column].to_numpy(dtype=float, na_value=np.nan)
            empty = np.isnan(values)
        else:
            values = pd.to_numeric(text.where(text != ""), errors="coerce").to_numpy(float)
            empty = (text == "").to_numpy()
        if required:
            self.report(empty, column, text, "is empty (every detection has coordinates)")
        self.report(~empty & np.isnan(values), column, text, "is not a number")
        with np.errstate(invalid="ignore"):
            out = (low is not None and values < low) | (high is not None and values > high)
        span = f"{low:g} to {high:g}" if high is not None else f"{low:g} or more"
        self.report(np.asarray(out) & ~np.isnan(values), column, text, f"is out of range ({span})")
        return values

    def coded(self, column: str, table: dict[str, str], expected: str) -> pd.Series:
        text = _text(self.cells, column)
        values = text.str.lower().map(table)
        self.report(((text != "") & values.isna()).to_numpy(), column, text, f"is not {expected}")
        return values.astype(object).where(values.notna(), None)

    def moment(self) -> pd.Series:
        """``detected_at`` from ``acq_date`` + ``acq_time`` (HHMM UTC), or as saved."""
        if "acq_date" not in self.cells and "detected_at" in self.cells:
            saved = self.cells["detected_at"]
            values = pd.to_datetime(saved, errors="coerce")
            self.report(values.isna().to_numpy(), "detected_at", _text(self.cells, "detected_at"),
                        "is not a date and time")
            return values.astype("datetime64[us]")
        day_text, time_text = _text(self.cells, "acq_date"), _text(self.cells, "acq_time")
        day = pd.to_datetime(day_text, format="%Y-%m-%d", errors="coerce")
        self.report(day.isna().to_numpy(), "acq_date", day_text, "is not a date YYYY-MM-DD")
        digits = time_text.str.fullmatch(r"\d{1,4}")
        hhmm = pd.to_numeric(time_text.where(digits), errors="coerce")
        hours, minutes = hhmm // 100, hhmm % 100
        bad_time = (hhmm.isna() | (hours > 23) | (minutes > 59)).to_numpy()
        self.report(bad_time, "acq_time", time_text, "is not a time HHMM (UTC), e.g. 0042 or 1135")
        offset = pd.to_timedelta(hours * 60 + minutes, unit="min")
        return (day + offset).astype("datetime64[us]")

    def confidence(self, instrument: pd.Series) -> tuple[pd.Series, pd.Series]:
        """VIIRS: a class l/n/h. MODIS: a percentage, classed as FIRMS does (<30, <80, else high)."""
        text = _text(self.cells, "confidence")
        classed = text.str.lower().map(VIIRS_CONFIDENCE)
        saved = _text(self.cells, "confidence_pct")  # a saved detections frame keeps MODIS's percentage
        pct_text = saved.where(saved != "", text)
        pct = pd.to_numeric(pct_text.where(pct_text.str.fullmatch(r"\d{1,3}")), errors="coerce")
        pct = pct.where(pct <= 100)
        from_pct = pd.Series(np.select([pct < 30, pct < 80], ["low", "nominal"], "high"), index=text.index)
        label = classed.where(classed.notna(), from_pct.where(pct.notna()))
        self.report(((text != "") & label.isna()).to_numpy(), "confidence", text,
                    "is not a FIRMS confidence (l, n, h, or 0-100)")
        return label.astype(object).where(label.notna(), None), pd.array(pct, dtype="Int64")

    def fire_type(self) -> pd.Series:
        text = _text(self.cells, "type")
        values = pd.to_numeric(text.where(text != ""), errors="coerce")
        self.report(((text != "") & ~values.isin(TYPES)).to_numpy(), "type", text,
                    "is not a FIRMS fire type (0 vegetation, 1 volcano, 2 static land source, 3 offshore)")
        return pd.array(values.where(values.isin(TYPES)), dtype="Int64")
