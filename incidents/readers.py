"""Reading files into a raw table, one small reader per file kind.

Each reader returns a :class:`RawTable`: the cells (text for CSV and spreadsheets, typed for
spatial formats), the 1-based line or row of each record in the file, the shapes of a
spatial format, and what was learnt on the way (encoding, delimiter, sheet, the CRS the file
was reprojected from, how many blank rows were skipped). Validation happens later, the
same way for every kind.

Example:
    >>> import incidents.readers as readers
    >>> table = readers.read(incidents.sample_path())   # doctest: +SKIP
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS as ProjCRS
from pyproj.exceptions import CRSError

from incidents.errors import IncidentDataError, Problem
from incidents.schema import CRS

FORMATS = {".csv": "csv", ".tsv": "csv", ".geojson": "geojson", ".json": "geojson",
           ".gpkg": "gpkg", ".parquet": "parquet", ".geoparquet": "parquet",
           ".xlsx": "spreadsheet", ".xlsm": "spreadsheet", ".xls": "spreadsheet", ".ods": "spreadsheet"}


#: Control characters no text field may hold (tab, line feed and carriage return are allowed):
#: the CSV reader scans a file's bytes for them, the loader each text column.
CONTROL_RANGES = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x7F))
CONTROL_BYTES = bytes(b for low, high in CONTROL_RANGES for b in range(low, high + 1))
CONTROL_PATTERN = "[" + "".join(rf"\x{low:02x}-\x{high:02x}" for low, high in CONTROL_RANGES) + "]"


@dataclass
class RawTable:
    """A file's records before validation."""

    cells: pd.DataFrame
    #: 1-based line (CSV) or sheet row of each record; None: record i is on line i + 2.
    lines: np.ndarray | None = None
    geometry: gpd.GeoSeries | None = None
    attrs: dict = field(default_factory=dict)
    #: Records the reader could not turn into a row (wrong width, bytes that are not
    #: UTF-8), as problems on their file lines; they count as rows in and rejected.
    rejected: list = field(default_factory=list)


def file_error(path: Path | str, reason: str, value: object = None) -> IncidentDataError:
    return IncidentDataError([Problem(0, "file", value, reason)], str(path))


def check_header(names: list[str], path: Path) -> None:
    """Two columns of one name would be renamed ``x.1`` by pandas or lost in a dict."""
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise file_error(path, "column names appear more than once in the header; give each column its own name",
                         ", ".join(repeated))


def format_of(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise file_error(path, f"has an unsupported extension (use one of {', '.join(FORMATS)})", path.name) from None


def read(path: Path, sheet: str | int | None = None, numeric=lambda header: False) -> RawTable:
    """Read ``path`` by its extension. ``numeric(header)`` says which CSV columns may be
    parsed as numbers straight away (a column holding anything else stays text)."""
    kind = format_of(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    if path.is_dir():
        raise file_error(path, "is a folder, not a file")
    if sheet is not None and kind != "spreadsheet":
        raise file_error(path, f"is not a spreadsheet, so sheet={sheet!r} does not apply")
    from incidents.csvfile import read_csv  # the CSV module builds on this one

    readers = {"csv": lambda p: read_csv(p, numeric), "geojson": read_json,
               "spreadsheet": lambda p: read_spreadsheet(p, sheet)}
    table = readers[kind](path) if kind in readers else read_spatial(path, kind)
    table.attrs = {"source_file": str(path), "format": kind, **table.attrs}
    return table


# ---- spreadsheets ------------------------------------------------------------------------

def read_spreadsheet(path: Path, sheet: str | int | None = None) -> RawTable:
    """First sheet (or ``sheet``, by name or 0-based position) of .xlsx/.xls/.ods.

    The first non-empty row is the header; cells become text the way the CSV reader
    sees them (dates as ISO text, whole numbers without ``.0``), and each record keeps its
    spreadsheet row number."""
    try:
        book = pd.ExcelFile(path)
    except ImportError as err:
        raise file_error(path, f"needs a reader that is not installed ({err})") from None
    except Exception as err:  # each engine raises its own error for a file it cannot open
        raise file_error(path, f"is not a readable spreadsheet ({type(err).__name__}: {err})") from None
    names = book.sheet_names
    chosen = names[0] if sheet is None else sheet
    if isinstance(chosen, int) and not 0 <= chosen < len(names) or isinstance(chosen, str) and chosen not in names:
        raise file_error(path, f"has no sheet {sheet!r} (sheets: {', '.join(map(repr, names))})")
    grid = pd.read_excel(book, sheet_name=chosen, header=None, dtype=object)
    filled = grid.notna().any(axis=1).to_numpy()
    if not filled.any():
        raise file_error(path, f"sheet {chosen!r} is empty")
    top = int(np.argmax(filled))
    header = [_cell_text(v) for v in grid.iloc[top]]
    check_header(header, path)
    body = grid.iloc[top + 1:]
    keep = [i for i, name in enumerate(header) if name or body.iloc[:, i].notna().any()]
    cells = pd.DataFrame({header[i] or f"column {i + 1}": body.iloc[:, i].map(_cell_text).to_numpy() for i in keep})
    return RawTable(cells, np.arange(top + 2, top + 2 + len(body)), None,
                    {"encoding": "spreadsheet", "sheet": str(names[chosen] if isinstance(chosen, int) else chosen)})


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
        stamp = pd.Timestamp(value)
        return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---- JSON and spatial formats ------------------------------------------------------------

def read_json(path: Path) -> RawTable:
    """GeoJSON (a legacy ``crs`` member is honoured), or JSON records: a list of objects
    or an API response with the records under ``data`` (ACLED's API)."""
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise file_error(path, f"is not JSON ({err})") from None
    if isinstance(doc, dict) and isinstance(doc.get("data"), list) and "features" not in doc:
        doc = doc["data"]
    if isinstance(doc, list):
        if not all(isinstance(r, dict) for r in doc):
            raise file_error(path, "is a JSON list, but not of records (objects)")
        return RawTable(pd.DataFrame([{k: _json_text(v) for k, v in r.items()} for r in doc]), None, None,
                        {"encoding": "utf-8"})
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise file_error(path, "is not a GeoJSON FeatureCollection (no list of features) nor a list of records")
    rows, shapes = [], []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            raise file_error(path, f"feature {number} is not an object")
        properties = feature.get("properties") or {}
        rows.append({k: _json_text(v) if isinstance(v, dict) else v for k, v in properties.items()})
        try:
            shapes.append(shapely.geometry.shape(feature["geometry"]) if feature.get("geometry") else None)
        except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException) as err:
            raise file_error(path, f"feature {number} has an unreadable geometry ({err})") from None
    crs = _legacy_crs(doc, path)
    geometry = gpd.GeoSeries(shapes, crs=crs or CRS)
    attrs = {"encoding": "utf-8"}
    if crs is not None and not ProjCRS.from_user_input(crs).equals(ProjCRS.from_user_input(CRS)):
        geometry = geometry.to_crs(CRS)
        attrs["reprojected_from"] = crs
    return RawTable(pd.DataFrame(rows, index=range(len(rows))), None, geometry, attrs)


def _json_text(value: object) -> object:
    """Nested values are kept as JSON text, never spread over columns or lost."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value


def _legacy_crs(doc: dict, path: Path) -> str | None:
    """The CRS named by a 2008-style GeoJSON ``crs`` member (desktop GIS still writes it)."""
    member = doc.get("crs")
    if not member:
        return None
    name = (member.get("properties") or {}).get("name") if isinstance(member, dict) else None
    try:
        crs = ProjCRS.from_user_input(name)
    except (CRSError, TypeError):
        raise file_error(path, "has a crs member naming no known coordinate system", name) from None
    if crs.equals(ProjCRS.from_user_input("OGC:CRS84")):
        return None
    return crs.to_string()


def read_spatial(path: Path, kind: str) -> RawTable:
    try:
        gdf = gpd.read_parquet(path) if kind == "parquet" else gpd.read_file(path, engine="pyogrio")
    except Exception as err:  # pyarrow, pyogrio and GDAL each raise their own errors
        raise file_error(path, f"is not a readable {kind} file ({type(err).__name__}: {err})") from None
    attrs = {"encoding": "utf-8"}
    if gdf.crs is not None and not gdf.crs.equals(CRS):
        attrs["reprojected_from"] = gdf.crs.to_string()
        gdf = gdf.to_crs(CRS)
    return RawTable(pd.DataFrame(gdf.drop(columns=gdf.geometry.name)), None, gdf.geometry, attrs)
