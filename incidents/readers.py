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

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from pyproj import CRS as ProjCRS
from pyproj.exceptions import CRSError

from incidents.errors import IncidentDataError, Problem
from incidents.schema import CRS

FORMATS = {".csv": "csv", ".tsv": "csv", ".geojson": "geojson", ".json": "geojson",
           ".gpkg": "gpkg", ".parquet": "parquet", ".geoparquet": "parquet",
           ".xlsx": "spreadsheet", ".xlsm": "spreadsheet", ".xls": "spreadsheet", ".ods": "spreadsheet"}
#: Delimiters a CSV may use: comma, semicolon (European Excel, where the comma is the
#: decimal mark), tab.
DELIMITERS = (",", ";", "\t")


@dataclass
class RawTable:
    """A file's records before validation."""

    cells: pd.DataFrame
    #: 1-based line (CSV) or sheet row of each record; None: record i is on line i + 2.
    lines: np.ndarray | None = None
    geometry: gpd.GeoSeries | None = None
    attrs: dict = field(default_factory=dict)


def file_error(path: Path | str, reason: str, value: object = None) -> IncidentDataError:
    return IncidentDataError([Problem(0, "file", value, reason)], str(path))


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
    readers = {"csv": lambda p: read_csv(p, numeric), "geojson": read_json,
               "spreadsheet": lambda p: read_spreadsheet(p, sheet)}
    table = readers[kind](path) if kind in readers else read_spatial(path, kind)
    table.attrs = {"source_file": str(path), "format": kind, **table.attrs}
    return table


# ---- CSV ---------------------------------------------------------------------------------

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
        raise file_error(source, "is neither UTF-8, cp1251 nor cp1252 text") from None


def sniff_delimiter(header: str) -> str:
    """The delimiter of a CSV from its header line: the most frequent of comma,
    semicolon and tab outside quotes (comma on a tie)."""
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def read_csv(path: Path, numeric=lambda header: False) -> RawTable:
    data = path.read_bytes()
    if not data[:4096].strip() and not data.strip():  # only a blank start is worth a full scan
        raise file_error(path, "is empty (expected a header line and incident rows)")
    head = data[:65536].decode("utf-8", errors="replace").lstrip("\ufeff")
    delimiter = sniff_delimiter(re.split(r"\r\n|\r|\n", head, maxsplit=1)[0])
    header = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), [])
    _check_header([h.strip() for h in header], path)
    text = None
    try:
        # Arrow's multi-threaded reader is the fast path, and it checks the bytes are UTF-8.
        # Numeric columns are left to Arrow's type inference (a column with text in it stays
        # text, and validation names the bad values); everything else is read as text.
        text_columns = {name: str for name in header if not numeric(name.strip().lstrip("\ufeff"))}
        cells = pd.read_csv(io.BytesIO(data), dtype=text_columns, engine="pyarrow", keep_default_na=False,
                            sep=delimiter)
        encoding = "utf-8"
    except (pa.ArrowInvalid, UnicodeDecodeError, pd.errors.ParserError):
        # Not UTF-8, or a layout Arrow refuses (quoted line breaks, ragged rows): the C reader.
        text, encoding = decode(data, str(path))
        cells = _read_text(text, delimiter, path)
    cells.columns = [str(c).strip().lstrip("\ufeff") for c in cells.columns]
    lines, empty = None, 0
    if data.count(b"\n") - data.endswith(b"\n") != len(cells) or b"\r" in data and b"\n" not in data:
        # Empty lines, quoted line breaks or CR-only endings: count record lines exactly.
        lines, empty = _record_lines(text if text is not None else decode(data, str(path))[0], delimiter)
    attrs = {"encoding": encoding, "delimiter": {",": "comma", ";": "semicolon", "\t": "tab"}[delimiter],
             "empty_lines": empty}
    return RawTable(cells, lines, _wkt_geometry(cells, path), attrs)


def _wkt_geometry(cells: pd.DataFrame, path: Path) -> gpd.GeoSeries | None:
    """Shapes of a WKT column (``wkt`` or ``geometry``), as desktop GIS exports CSV."""
    column = next((c for c in ("wkt", "geometry") if c in cells.columns), None)
    if column is None:
        return None
    wkt = cells[column].where(cells[column].str.strip() != "", None)
    try:
        return gpd.GeoSeries.from_wkt(wkt, crs=CRS)
    except Exception as err:  # shapely raises GEOSException subclasses
        raise IncidentDataError([Problem(0, column, None, f"holds text that is not WKT ({err})")], str(path)) from None


def _read_text(text: str, delimiter: str, path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, sep=delimiter)
    except pd.errors.ParserError as err:
        raise file_error(path, f"is not a well-formed CSV ({err})") from None


def _record_lines(text: str, delimiter: str) -> tuple[np.ndarray, int]:
    """1-based line on which each non-empty CSV record starts, and how many empty lines
    there were (the table readers skip those without a word)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader, None)
    starts, line, empty = [], reader.line_num + 1, 0
    for record in reader:
        if record:
            starts.append(line)
        else:
            empty += 1
        line = reader.line_num + 1
    return np.asarray(starts, dtype=np.int64), empty


def _check_header(names: list[str], path: Path) -> None:
    """Two columns of one name would be renamed ``x.1`` by pandas or lost in a dict."""
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise file_error(path, "column names appear more than once in the header; give each column its own name",
                         ", ".join(repeated))


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
    _check_header(header, path)
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
