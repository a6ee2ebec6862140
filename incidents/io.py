"""Reading and writing incident files, chosen by extension.

CSV (latitude/longitude columns, or a WKT column named ``wkt``/``geometry``), GeoJSON,
GeoPackage and GeoParquet load through the same validation and round-trip every column
losslessly: lists (sources, tags) are native in GeoJSON and GeoParquet and joined with
``" | "`` in CSV and GeoPackage; dates are written as ISO 8601 (date only when the time is
midnight).

Example:
    >>> import incidents, tempfile, pathlib
    >>> gdf = incidents.sample()
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "sample.gpkg"
    >>> incidents.save(gdf, path)
    >>> len(incidents.load(path)) == len(gdf)
    True
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from incidents import sources as importers
from incidents.errors import IncidentDataError, Problem
from incidents.schema import COLUMN_KINDS, CRS, LIST_SEPARATOR
from incidents.validate import finish, to_frame

FORMATS = {".csv": "csv", ".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg",
           ".parquet": "parquet", ".geoparquet": "parquet"}
_LIST_COLUMNS = [c for c, kind in COLUMN_KINDS.items() if kind == "list"]
_DATE_COLUMNS = [c for c, kind in COLUMN_KINDS.items() if kind == "datetime"]


def _format_of(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise IncidentDataError(
            [Problem(0, "file", path.name, f"has an unsupported extension (use one of {', '.join(FORMATS)})")],
            str(path)) from None


def decode(data: bytes, source: str = "file") -> tuple[str, str]:
    """Decode file bytes: UTF-8 (with or without BOM), else cp1251 or cp1252.

    Cyrillic text saved by Windows tools is cp1251; Western European text (UCDP exports
    opened in Excel) is cp1252. Bytes that fail UTF-8 are read as cp1251 first: real
    Cyrillic text is whole words of Cyrillic letters, while cp1252 accents read as cp1251
    become single Cyrillic letters inside Latin words ("Munkбcs"). Returns
    ``(text, encoding)``.
    """
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    cyrillic = data.decode("cp1251", errors="replace")
    in_words = len(re.findall(r"[\u0400-\u04ff]{2,}", cyrillic))
    in_latin = len(re.findall(r"[A-Za-z][\u0400-\u04ff]|[\u0400-\u04ff][A-Za-z]", cyrillic))
    if in_words > in_latin:
        return cyrillic, "cp1251"
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise IncidentDataError([Problem(0, "file", None, "is neither UTF-8, cp1251 nor cp1252 text")], source) from None


def _read_csv(path: Path) -> tuple[pd.DataFrame, np.ndarray | None, object, str]:
    data = path.read_bytes()
    if not data.strip():
        raise IncidentDataError([Problem(0, "file", None, "is empty (expected a header line and incident rows)")], str(path))
    try:
        # The multi-threaded Arrow reader also checks that the bytes are UTF-8.
        raw = pd.read_csv(io.BytesIO(data), dtype=str, engine="pyarrow", keep_default_na=False)
        encoding = "utf-8"
    except (UnicodeDecodeError, pa.ArrowInvalid, pd.errors.ParserError):
        # Not UTF-8, or a layout Arrow refuses (quoted line breaks): the C reader takes all.
        text, encoding = decode(data, str(path))
        if encoding != "utf-8":
            warnings.warn(f"{path.name} is not UTF-8; decoded it as {encoding}", UnicodeWarning, stacklevel=4)
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    raw.columns = [str(c).strip().lstrip("\ufeff") for c in raw.columns]
    lines = None
    if data.count(b"\n") - data.endswith(b"\n") != len(raw):
        lines = _record_lines(decode(data, str(path))[0])  # quoted fields span lines: count them exactly
    wkt_column = next((c for c in ("wkt", "geometry") if c in raw.columns), None)
    geometry = None
    if wkt_column:
        wkt = raw[wkt_column].where(raw[wkt_column].str.strip() != "", None)
        try:
            geometry = gpd.GeoSeries.from_wkt(wkt, crs=CRS)
        except Exception as err:  # shapely raises GEOSException subclasses
            raise IncidentDataError([Problem(0, wkt_column, None, f"holds text that is not WKT ({err})")], str(path)) from None
    return raw, lines, geometry, encoding


def _record_lines(text: str) -> np.ndarray:
    """1-based line on which each CSV record starts (slow path for multi-line fields)."""
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    starts, line = [], reader.line_num + 1
    for _ in reader:
        starts.append(line)
        line = reader.line_num + 1
    return np.asarray(starts)


def _read_geojson(path: Path) -> tuple[pd.DataFrame, None, object, str]:
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise IncidentDataError([Problem(0, "file", None, f"is not GeoJSON ({err})")], str(path)) from None
    features = doc.get("features") if isinstance(doc, dict) else None
    if features is None:
        raise IncidentDataError([Problem(0, "file", None, "is not a GeoJSON FeatureCollection")], str(path))
    raw = pd.DataFrame([f.get("properties") or {} for f in features])
    shapes = [shapely.geometry.shape(f["geometry"]) if f.get("geometry") else None for f in features]
    return raw, None, gpd.GeoSeries(shapes, crs=CRS), "utf-8"


def _read_spatial(path: Path, kind: str) -> tuple[pd.DataFrame, None, object, str]:
    gdf = gpd.read_parquet(path) if kind == "parquet" else gpd.read_file(path, engine="pyogrio")
    if gdf.crs is not None and not gdf.crs.equals(CRS):
        gdf = gdf.to_crs(CRS)
    raw = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    return raw, None, gdf.geometry, "utf-8"


def read_raw(path: str | os.PathLike) -> tuple[pd.DataFrame, np.ndarray | None, object, dict]:
    """Read a file into a raw table without validating it.

    Returns ``(raw, lines, geometry, attrs)``: ``lines`` is the 1-based line of each
    record (None: one line per record after a header), ``geometry`` the shapes of a
    spatial format, ``attrs`` what was learnt on the way (encoding, format, importer).
    """
    path = Path(path)
    kind = _format_of(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    readers = {"csv": _read_csv, "geojson": _read_geojson}
    raw, lines, geometry, encoding = (readers[kind](path) if kind in readers else _read_spatial(path, kind))
    if raw.empty:
        raise IncidentDataError([Problem(0, "file", None, "has a header but no incident rows")], str(path))
    attrs = {"source_file": str(path), "format": kind, "encoding": encoding}
    importer = importers.detect(raw.columns)
    if importer is not None:
        raw = importer.to_records(raw)
        attrs.update(importer.attrs(raw, path))
    return raw, lines, geometry, attrs


def load(path: str | os.PathLike, errors: str = "raise"):
    """Load incidents from CSV, GeoJSON, GeoPackage or GeoParquet (ACLED and UCDP
    exports are recognised by their columns).

    ``errors="raise"`` (default): return the frame, or raise :class:`IncidentDataError`
    naming up to 20 problems (row = 1-based line in the file, field, value, reason).
    ``errors="report"``: return ``(frame, rejected)`` where ``rejected`` has columns
    row, field, value, reason; every input row is either in the frame or rejected.
    """
    raw, lines, geometry, attrs = read_raw(path)
    frame, rejected = to_frame(raw, lines=lines, geometry=geometry, source=str(path))
    frame.attrs.update(attrs, rows_in=len(raw), rows_rejected=int(rejected["row"].nunique()))
    return finish(frame, rejected, errors, source=str(path))


def _flat(gdf: gpd.GeoDataFrame, lists_as_text: bool) -> pd.DataFrame:
    """A copy whose dates are ISO strings and (optionally) lists joined text."""
    flat = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).copy()
    for column in _DATE_COLUMNS:
        if column in flat:
            flat[column] = iso_dates(flat[column])
    for column in _LIST_COLUMNS:
        if column in flat:
            values = flat[column].map(lambda v: list(v) if isinstance(v, (list, tuple, np.ndarray)) else [])
            flat[column] = values.map(LIST_SEPARATOR.join) if lists_as_text else values
    return flat


def iso_dates(values: pd.Series) -> pd.Series:
    """ISO 8601 text of datetimes: ``YYYY-MM-DD`` at midnight, with the time otherwise."""
    values = pd.to_datetime(values)
    midnight = values.dt.normalize() == values
    text = np.where(midnight, values.dt.strftime("%Y-%m-%d"), values.dt.strftime("%Y-%m-%dT%H:%M:%S"))
    return pd.Series(text, index=values.index, dtype=object).where(values.notna(), None)


def write_atomically(path: str | os.PathLike, write) -> None:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it over
    ``path``: readers see the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
    os.close(fd)
    try:
        os.unlink(tmp)  # some writers (GDAL) refuse to overwrite an existing file
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save(gdf: gpd.GeoDataFrame, path: str | os.PathLike) -> None:
    """Write incidents by extension (.csv .geojson .gpkg .parquet), atomically.

    Example:
        >>> import incidents, tempfile, os
        >>> incidents.save(incidents.sample(), os.path.join(tempfile.mkdtemp(), "s.csv"))
    """
    path = Path(path)
    kind = _format_of(path)
    geometry = gdf.geometry
    is_point = (geometry.geom_type == "Point").to_numpy()

    def write_csv(tmp: Path) -> None:
        flat = _flat(gdf, lists_as_text=True)
        if "latitude" in flat:
            flat["latitude"] = np.where(is_point, geometry.y, flat["latitude"])
            flat["longitude"] = np.where(is_point, geometry.x, flat["longitude"])
        if (~is_point & geometry.notna().to_numpy()).any():
            flat["wkt"] = geometry.to_wkt()
        flat.to_csv(tmp, index=False)

    def write_geojson(tmp: Path) -> None:
        flat = _flat(gdf, lists_as_text=False)
        records = flat.astype(object).where(flat.notna(), None).to_dict("records")
        shapes = [shapely.geometry.mapping(g) if g is not None else None for g in geometry]
        doc = {"type": "FeatureCollection",
               "features": [{"type": "Feature", "properties": _jsonable(r), "geometry": g}
                            for r, g in zip(records, shapes)]}
        tmp.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    def write_gpkg(tmp: Path) -> None:
        flat = _flat(gdf, lists_as_text=True)
        gpd.GeoDataFrame(flat, geometry=geometry.values, crs=CRS).to_file(tmp, driver="GPKG", layer="incidents", engine="pyogrio")

    def write_parquet(tmp: Path) -> None:
        gdf.to_parquet(tmp)

    writers = {"csv": write_csv, "geojson": write_geojson, "gpkg": write_gpkg, "parquet": write_parquet}
    write_atomically(path, writers[kind])


def _jsonable(record: dict) -> dict:
    out = {}
    for key, value in record.items():
        if isinstance(value, (np.integer,)):
            value = int(value)
        elif isinstance(value, (np.floating,)):
            value = float(value)
        elif isinstance(value, (np.bool_,)):
            value = bool(value)
        out[key] = value
    return out


def save_rejections(rejected: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a rejection table (row, field, value, reason) as CSV, atomically."""
    write_atomically(Path(path), lambda tmp: rejected.to_csv(tmp, index=False))
