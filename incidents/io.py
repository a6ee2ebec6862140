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

import itertools
import json
import os
import warnings
from pathlib import Path
from typing import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from incidents import readers
from incidents import sources as importers
from incidents.columns import map_columns, numeric_header
from incidents.output import formula_safe as neutralised
from incidents.output import is_stream, write_output
from incidents.readers import RawTable
from incidents.schema import COLUMN_KINDS, CRS, LIST_SEPARATOR, MAX_FIELD_CHARS
from incidents.validate import finish, to_frame

#: What :func:`save` writes (reading takes more: spreadsheets, .tsv).
SAVE_EXTENSIONS = (".csv", ".geojson", ".json", ".gpkg", ".parquet")
WRITABLE = ("csv", "geojson", "gpkg", "parquet")
_LIST_COLUMNS = [c for c, kind in COLUMN_KINDS.items() if kind == "list"]
_DATE_COLUMNS = [c for c, kind in COLUMN_KINDS.items() if kind == "datetime"]


def read_raw(path: str | os.PathLike, sheet: str | int | None = None) -> RawTable:
    """Read a file into a raw table in our column names, without validating it.

    Exports of known datasets (ACLED, UCDP, ...) go through their importer; any other file
    through the header synonyms of :mod:`incidents.columns`. Fully blank rows are dropped
    here and counted in ``attrs["rows_blank"]``; ``attrs["notes"]`` says in words what was
    read how (columns, encoding, delimiter, sheet, reprojection, blank rows).
    """
    path = Path(path)
    table = readers.read(path, sheet, numeric=numeric_header)
    cells, attrs = table.cells, table.attrs
    notes = attrs.setdefault("notes", [])
    if attrs.get("encoding") not in ("utf-8", "spreadsheet"):
        # A warning, not a note: a script should hear of it without reading attrs.
        warnings.warn(f"{path.name} is not UTF-8; decoded it as {attrs['encoding']}", UnicodeWarning, stacklevel=3)
    if attrs.get("delimiter", "comma") != "comma":
        notes.append(f"columns separated by {attrs['delimiter']}s")
    if "sheet" in attrs:
        notes.append(f"read sheet {attrs['sheet']!r}")
    if "reprojected_from" in attrs:
        notes.append(f"coordinates reprojected from {attrs['reprojected_from']} to {CRS}")
    lines = table.lines if table.lines is not None else np.arange(len(cells), dtype=np.int64) + 2
    blank = _blank_rows(cells) if table.geometry is None else np.zeros(len(cells), dtype=bool)
    attrs["rows_blank"] = int(blank.sum()) + attrs.pop("empty_lines", 0)
    if attrs["rows_blank"]:
        notes.append(f"skipped {attrs['rows_blank']} blank row{'s' if attrs['rows_blank'] != 1 else ''}")
    if blank.any():
        cells, lines = cells.loc[~blank].reset_index(drop=True), lines[~blank]
    if cells.empty:
        raise readers.file_error(path, "has a header but no incident rows")
    cells, attrs["problems"] = _clean_cells(cells, control_free=attrs.pop("control_free", False))
    importer = importers.detect(cells.columns)
    if importer is not None:
        cells = importer.to_records(cells)
        attrs.update(importer.attrs(cells, path), dayfirst=importer.dayfirst)
        notes.append(f"read as a {importer.name} export")
    else:
        cells, read_as, found = map_columns(
            cells, decimal_comma=attrs.get("delimiter") == "semicolon", spatial=table.geometry is not None)
        attrs["problems"] += found
        attrs["columns_read"] = read_as
        if read_as:
            notes.append("columns read as: " + ", ".join(f"{theirs!r} -> {ours}" for theirs, ours in read_as.items()))
    return RawTable(cells, lines, table.geometry, attrs, table.rejected)


#: Cell texts that mean "no value" in every column, whatever else the column holds.
EMPTY_TOKENS = ("nan", "null", "na", "n/a")


def _spellings(word: str) -> list[str]:
    """Every upper/lower-case spelling of a short word ("na": na, nA, Na, NA)."""
    return ["".join(c) for c in itertools.product(*({ch.lower(), ch.upper()} for ch in word))]


_TOKEN_SPELLINGS = pa.array(sorted({s for token in EMPTY_TOKENS for s in _spellings(token)}))


def _clean_cells(cells: pd.DataFrame, control_free: bool = False) -> tuple[pd.DataFrame, list]:
    """``nan``/``null``/``NA`` become empty in every text column, so one column does not
    read them as empty and another as a bad value; control characters (NUL, ESC, ...) are
    row problems (skipped when the reader saw no control byte in the file at all). Arrow's
    kernels keep this at a few milliseconds per column."""
    problems, cleaned = [], {}
    for name in cells.columns:
        column = cells[name]
        if not pd.api.types.is_string_dtype(column):
            continue
        arrow = pa.array(column.astype("str"), from_pandas=True)
        token = pc.fill_null(pc.is_in(arrow, value_set=_TOKEN_SPELLINGS), False).to_numpy(zero_copy_only=False)
        if token.any():
            cleaned[name] = column.where(~token, "")
        if not control_free:
            control = pc.fill_null(pc.match_substring_regex(arrow, readers.CONTROL_PATTERN), False).to_numpy(zero_copy_only=False)
            if control.any():
                # The value as it is: messages quote it with repr(), which shows "\x1b" and "\x00".
                problems.append((control, str(name), column,
                                 "holds a control character (such as NUL), which no text field may contain"))
    return cells.assign(**cleaned) if cleaned else cells, problems


def _blank_rows(cells: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell is empty (Excel's trailing rows of separators). Each column
    after the first is tested only on the rows still blank, so this costs about one
    column's comparison."""
    blank = np.ones(len(cells), dtype=bool)
    for column in range(cells.shape[1]):
        rows = np.flatnonzero(blank)
        if not len(rows):
            break
        values = cells.iloc[rows, column]
        blank[rows] = (values.isna() | (values.astype(str).str.strip() == "")).to_numpy()
    return blank


def load(path: str | os.PathLike, errors: str = "raise", sheet: str | int | None = None,
         dayfirst: bool | None = None, max_chars: int = MAX_FIELD_CHARS, engine: str = "pandas"
         ) -> gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Load incidents from CSV (comma, semicolon or tab), a spreadsheet (.xlsx .xls .ods),
    GeoJSON or JSON records, GeoPackage or GeoParquet; ACLED, UCDP and other exports are
    recognised by their columns.

    ``sheet``: a spreadsheet's sheet by name or 0-based position (default: the first).
    ``dayfirst``: how to read a date column of ``03/04/2025``-style dates that no value
    settles (default: the convention the source documents, else an error that says so).
    ``max_chars``: the longest text accepted in any field, extra columns included.
    ``errors="raise"`` (default): return the frame, or raise :class:`IncidentDataError`
    naming up to 20 problems (row = 1-based line in the file, field, value, reason).
    ``errors="report"``: return ``(frame, rejected)`` where ``rejected`` has columns
    row, field, value, reason. Rows in = rows loaded + rows rejected + blank rows skipped.
    ``engine="dask"``: ``path`` may be a glob or a folder of GeoParquet; the result is a lazy
    ``dask_geopandas.GeoDataFrame``, one partition per file (see :mod:`incidents.daskio`).
    """
    if engine == "dask":
        from incidents import daskio

        return daskio.load(path, errors=errors, sheet=sheet, dayfirst=dayfirst, max_chars=max_chars)
    if engine != "pandas":
        raise ValueError(f"engine must be 'pandas' or 'dask', not {engine!r}")
    table = read_raw(path, sheet)
    attrs = table.attrs
    if attrs.get("kind") == "detections":  # NASA FIRMS: satellite detections, kept apart from incidents
        from incidents.sources.firms import detections

        return detections(table.cells, table.lines, attrs, errors, source=str(path), unread=table.rejected)
    frame, rejected = to_frame(
        table.cells, lines=table.lines, geometry=table.geometry, source=str(path),
        dayfirst=dayfirst if dayfirst is not None else attrs.pop("dayfirst", None),
        problems=attrs.pop("problems"), admin1_oblasts=attrs.get("columns_read", {}).get("admin1") == "oblast",
        max_chars=max_chars)
    attrs["notes"] += frame.attrs.pop("notes", [])
    if table.rejected:  # records the reader could not make rows of (wrong width, bad bytes)
        extra = pd.DataFrame([vars(p) for p in table.rejected], columns=list(rejected.columns))
        rejected = pd.concat([rejected, extra], ignore_index=True).sort_values("row", kind="stable", ignore_index=True)
    frame.attrs.update(attrs, rows_in=len(table.cells) + attrs["rows_blank"] + len(table.rejected),
                       rows_rejected=int(rejected["row"].nunique()))
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


def save(gdf: gpd.GeoDataFrame, path: str | os.PathLike, *, formula_safe: bool = True,
         force: bool = False, inputs: Iterable[str | os.PathLike | None] = ()) -> None:
    """Write incidents by extension (.csv .geojson .gpkg .parquet; ``"-"``: CSV to standard
    output) through :func:`incidents.output.write_output`: atomically, never over the file
    the frame was loaded from (``gdf.attrs["source_file"]``) or any of ``inputs``, never over
    a read-only file unless ``force``.

    CSV cells a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR
    first) get a leading ``'``; numbers and plain-number text are left alone.
    ``formula_safe=False`` writes every cell exactly (the ``--raw-csv`` option).

    A Dask frame is written as partitioned GeoParquet into a new folder (:mod:`incidents.daskio`).

    Example:
        >>> import incidents, tempfile, os
        >>> incidents.save(incidents.sample(), os.path.join(tempfile.mkdtemp(), "s.csv"))
    """
    from incidents import daskio

    if daskio.is_dask(gdf):
        return daskio.save(gdf, path)
    # "-", /dev/stdout, a pipe: a name without extension there means CSV
    kind = "csv" if is_stream(path) and not Path(path).suffix else readers.format_of(Path(path))
    if kind not in WRITABLE or Path(path).suffix.lower() == ".tsv":
        raise ValueError(f"cannot write {Path(path).suffix or 'a file without extension'}: save writes "
                         f"{', '.join(SAVE_EXTENSIONS)}")
    geometry = gdf.geometry
    is_point = (geometry.geom_type == "Point").to_numpy()

    def write_csv(out) -> None:
        flat = _flat(gdf, lists_as_text=True)
        if "latitude" in flat:
            flat["latitude"] = np.where(is_point, geometry.y, flat["latitude"])
            flat["longitude"] = np.where(is_point, geometry.x, flat["longitude"])
        if (~is_point & geometry.notna().to_numpy()).any():
            flat["wkt"] = geometry.to_wkt()
        _csv(flat, out, formula_safe)

    def write_geojson(out) -> None:
        flat = _flat(gdf, lists_as_text=False)
        records = flat.astype(object).where(flat.notna(), None).to_dict("records")
        shapes = [shapely.geometry.mapping(g) if g is not None else None for g in geometry]
        doc = {"type": "FeatureCollection",
               "features": [{"type": "Feature", "properties": _jsonable(r), "geometry": g}
                            for r, g in zip(records, shapes)]}
        out.write(json.dumps(doc, ensure_ascii=False).encode("utf-8"))

    def write_gpkg(tmp: Path) -> None:
        flat = _flat(gdf, lists_as_text=True)
        gpd.GeoDataFrame(flat, geometry=geometry.values, crs=CRS).to_file(tmp, driver="GPKG", layer="incidents", engine="pyogrio")

    def write_parquet(out) -> None:
        gdf.to_parquet(out)

    writers = {"csv": write_csv, "geojson": write_geojson, "gpkg": write_gpkg, "parquet": write_parquet}
    write_output(path, writers[kind], inputs=[*inputs, gdf.attrs.get("source_file")], force=force,
                 stream=kind in ("csv", "geojson"), needs_path=kind == "gpkg")


def _csv(frame: pd.DataFrame, out, safe: bool) -> None:
    """UTF-8 CSV into a binary file object; formula-leading text neutralised when ``safe``."""
    (neutralised(frame) if safe else frame).to_csv(out, index=False, encoding="utf-8")


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


def save_rejections(rejected: pd.DataFrame, path: str | os.PathLike, *, formula_safe: bool = True,
                    force: bool = False, inputs: Iterable[str | os.PathLike | None] = ()) -> None:
    """Write a rejection table (row, field, value, reason) as CSV, like :func:`save`: the
    rejected values are the input's own text, so formula-leading cells get a ``'``
    unless ``formula_safe=False``; never over ``inputs`` (the file the rows came from)."""
    write_output(path, lambda out: _csv(rejected, out, formula_safe),
                 inputs=[*inputs, rejected.attrs.get("source_file")], force=force)
