"""Incident records as store rows and back.

A stored record is one incident row of one source: its key is ``(source, record_id)``,
its content every column of :data:`incidents.schema.COLUMNS` (dates as ISO 8601 text,
lists joined with :data:`~incidents.schema.LIST_SEPARATOR`, like a GeoPackage file) plus
any extra columns the source carried, as one JSON object (kept, never dropped). Both
backends store exactly these values, so "unchanged" means equal cell by cell.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from incidents.io import iso_dates
from incidents.schema import COLUMN_KINDS, CRS, LIST_SEPARATOR

#: Content columns as stored (the record's ``id`` is the key column ``record_id``).
CONTENT = [c for c in COLUMN_KINDS if c != "id"] + ["extra"]
KINDS = {**{c: k for c, k in COLUMN_KINDS.items() if c != "id"}, "extra": "json"}
#: Bookkeeping columns: the key, the event the record belongs to, the ingests that first
#: stored and last changed it.
KEY = ["source", "record_id"]
BOOK = [*KEY, "event_id", "first_ingest", "last_ingest"]
#: Every stored column a read fetches, in order.
STORED = [*BOOK, *CONTENT]
_ARROW = {"str": pa.string(), "datetime": pa.string(), "list": pa.string(), "json": pa.string(),
          "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
#: Bookkeeping columns as frames name them: names no incident file uses for its own
#: columns (a file calls its id "record_id" or "event_id", its links "source"), so an
#: exported frame loads back without a clash.
FRAME_NAMES = {"source": "store_source", "event_id": "store_event", "first_ingest": "store_first_ingest",
               "last_ingest": "store_last_ingest"}
#: Columns a ``where={...}`` filter may name (frame name or stored name -> stored name):
#: single values, not lists or JSON.
FILTERABLE = {**{c: c for c in BOOK}, **{v: k for k, v in FRAME_NAMES.items()}, "id": "record_id",
              **{c: c for c, k in KINDS.items() if k not in ("list", "json")}}


def arrow_types(columns: list[str]) -> dict[str, pa.DataType]:
    """The Arrow type each named stored column is read as (dates, lists and JSON as text).

    >>> arrow_types(["record_id", "killed"])
    {'record_id': DataType(string), 'killed': DataType(int64)}
    """
    kinds = {**KINDS, "fid": "int", "source": "str", "record_id": "str", "event_id": "int", "first_ingest": "int",
             "last_ingest": "int"}
    return {name: _ARROW[kinds[name]] for name in columns}


def _objects(values) -> np.ndarray:
    """Python values, None for missing: what both database drivers bind as NULL."""
    out = np.asarray(values, dtype=object)
    return np.where(pd.isna(out), None, out)


def encode(frame: gpd.GeoDataFrame, source: str) -> pd.DataFrame:
    """The rows to store for a validated incident frame: key + content, Python values."""
    out = {"source": np.full(len(frame), source, dtype=object), "record_id": _objects(frame["id"])}
    for name, kind in KINDS.items():
        if kind == "json":
            continue
        column = frame[name]
        if kind == "datetime":
            out[name] = _objects(iso_dates(column))
        elif kind == "list":
            out[name] = _objects([LIST_SEPARATOR.join(v) if len(v) else None for v in column])
        elif kind == "int":
            out[name] = _objects(column.astype(object))
        elif kind == "bool":
            out[name] = np.array([None if v is pd.NA else bool(v) for v in column], dtype=object)
        else:
            out[name] = _objects(column.astype(object))
    extras = [c for c in frame.columns if c not in COLUMN_KINDS and c != frame.geometry.name]
    out["extra"] = _extra_json(frame[extras]) if extras else np.full(len(frame), None, dtype=object)
    # object dtype: pandas would otherwise make text columns "str" with NaN for None
    return pd.DataFrame(out, dtype=object)


def _extra_json(extra: pd.DataFrame) -> np.ndarray:
    """Each row's extra columns as a JSON object of its non-empty cells (None if none)."""
    rows = extra.astype(object).where(extra.notna(), None).to_dict("records")
    texts = [{k: v for k, v in row.items() if v is not None} for row in rows]
    return np.array([json.dumps(t, ensure_ascii=False, sort_keys=True, default=str) if t else None
                     for t in texts], dtype=object)


def changed(new: pd.DataFrame, old: pd.DataFrame) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Which rows of ``new`` differ from the aligned rows of ``old`` (same order), and per
    content column the rows where that column differs."""
    differs = np.zeros(len(new), dtype=bool)
    by_column = {}
    for name in CONTENT:
        a, b = new[name].to_numpy(dtype=object), old[name].to_numpy(dtype=object)
        missing_a, missing_b = pd.isna(a), pd.isna(b)
        if KINDS[name] == "bool":  # SQLite hands booleans back as 0/1
            b = np.where(missing_b, None, b.astype(bool) if len(b) else b)
        with np.errstate(invalid="ignore"):
            same = (missing_a & missing_b) | (~missing_a & ~missing_b & (a == b))
        column = ~same.astype(bool)
        if column.any():
            by_column[name] = column
        differs |= column
    return differs, by_column


def decode(table: pa.Table, distance_km: np.ndarray | None = None) -> gpd.GeoDataFrame:
    """An incident frame (the same dtypes :func:`incidents.load` gives) from stored rows
    (``table``: the columns :data:`STORED`, typed as :func:`arrow_types` says), with the
    store's bookkeeping columns after the incident columns, then ``distance_km`` if given.

    Column by column from Arrow into one frame built once, no Python object per cell
    except in list columns and the extra JSON (only where a row has them).
    """
    head = {"id": pd.array(table["record_id"], dtype="str")}
    for name, kind in KINDS.items():
        values = table[name]
        if kind == "datetime":
            head[name] = _dates(values)
        elif kind == "int":
            head[name] = pd.array(values, dtype="Int64")
        elif kind == "float":
            head[name] = values.to_numpy()  # nulls become NaN
        elif kind == "bool":
            head[name] = pd.array(values, dtype="boolean")
        elif kind == "list":
            head[name] = [v.split(LIST_SEPARATOR) if v else [] for v in values.to_pylist()]
        elif kind == "str":
            head[name] = pd.array(values, dtype="str")
    tail = {shown: table[name].to_numpy() if name == "source" else pd.array(table[name], dtype="Int64")
            for name, shown in FRAME_NAMES.items()}
    if distance_km is not None:
        tail["distance_km"] = distance_km
    lon, lat = head["longitude"], head["latitude"]
    located = ~(np.isnan(lon) | np.isnan(lat))
    shapes = np.full(len(lon), None, dtype=object)
    shapes[located] = shapely.points(lon[located], lat[located])
    tail["geometry"] = gpd.array.GeometryArray(shapes, crs=CRS)
    extra = table["extra"]
    if extra.null_count < len(extra):
        parsed = pd.DataFrame([json.loads(v) if v is not None else {} for v in extra.to_pylist()])
        # An extra named like a store column (a re-ingested store frame's) gives way to the store's own.
        frame = pd.concat([pd.DataFrame(head), parsed.drop(columns=list(tail), errors="ignore"), pd.DataFrame(tail)],
                          axis=1)
    else:
        frame = pd.DataFrame({**head, **tail})
    return gpd.GeoDataFrame(frame, geometry="geometry", copy=False)


def _dates(values: pa.ChunkedArray):
    """Stored ISO 8601 texts as datetime64[us]: Arrow parses (in C) the forms the store
    writes; a text it refuses (a file edited by hand: "20250821", a time zone) goes through
    pandas' ISO 8601 parser. Where both parse a text, they agree."""
    try:
        return pc.cast(values, pa.timestamp("us")).to_numpy()
    except pa.ArrowInvalid:
        return pd.to_datetime(pd.array(values, dtype="str"), format="ISO8601").as_unit("us")


def content_ddl(sql_types: dict[str, str]) -> str:
    """``name TYPE`` for every content column, given a backend's type for each kind."""
    return ", ".join(f"{name} {sql_types[kind]}" for name, kind in KINDS.items())
