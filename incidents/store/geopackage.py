"""The embedded backend: one GeoPackage file (SQLite), no server.

The file is a valid GeoPackage 1.3: the layer ``records`` (points, EPSG:4326) opens in
QGIS or ``geopandas.read_file``, with the standard R-tree spatial index
(``rtree_records_geom``), which :meth:`read` uses for ``within``/``bbox`` and ingest for
the matching pool. The spec's index triggers call ``ST_MinX`` & co.; GDAL defines them
for itself, and this module defines them (for points) on its own connection.

Writes take SQLite's write lock first (``BEGIN IMMEDIATE``), so concurrent ingests run
one after the other, each seeing the previous one's records; the rollback journal makes
a killed process's half-done ingest vanish on the next open.

:meth:`read` goes through GDAL (pyogrio), whose Arrow reader is ~2x faster than rows
of Python tuples, but which carries its own copy of SQLite. Two copies of SQLite in one
process see none of each other's locks, and one closing the file drops the other's (POSIX
locks belong to the process; sqlite.org/howtocorrupt.html 2.2.1). So within a process,
GDAL reads a file only while no sqlite3 statement or transaction is under way on it
(opening, closing and migrating included), and these wait for a GDAL read to end; a
read that would have to wait goes through sqlite3 instead. Between processes, SQLite's
own locks work as usual in both copies.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import sqlite3
import struct
import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import shapely

from incidents.store.base import Store, mapped
from incidents.store.errors import NotAStoreError, StoreError, StoreUnavailable, StoreVersionError
from incidents.store.records import BOOK, CONTENT, content_ddl

GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
GPKG_USER_VERSION = 10300  # GeoPackage 1.3.0
_TYPES = {"str": "TEXT", "datetime": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "BOOLEAN",
          "list": "TEXT", "json": "TEXT"}
_WGS84 = ('GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
          'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,'
          'AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]')
_BOX = "ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)"
_HAS = "(NEW.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))"
_NO = "(NEW.geom IS NULL OR ST_IsEmpty(NEW.geom))"

#: Ordered schema steps; a store's version is how many it has applied. Append, never edit.
MIGRATIONS: list[list[str]] = [
    [  # 1: GeoPackage core, the records layer with its R-tree index, the ingest log and history
        f"PRAGMA application_id = {GPKG_APPLICATION_ID}", f"PRAGMA user_version = {GPKG_USER_VERSION}",
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, "
        "organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)",
        "INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL), "
        "('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL), "
        f"('WGS 84 geodetic', 4326, 'EPSG', 4326, '{_WGS84}', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')",
        "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, "
        "description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), "
        "min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER REFERENCES gpkg_spatial_ref_sys(srs_id))",
        "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
        "geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, "
        "PRIMARY KEY (table_name, column_name))",
        "CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, "
        "definition TEXT NOT NULL, scope TEXT NOT NULL, UNIQUE (table_name, column_name, extension_name))",
        "CREATE TABLE records (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom POINT, source TEXT NOT NULL, "
        "record_id TEXT NOT NULL, event_id INTEGER NOT NULL, first_ingest INTEGER NOT NULL, last_ingest INTEGER NOT NULL, "
        f"{content_ddl(_TYPES)}, UNIQUE (source, record_id))",
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES "
        "('records', 'features', 'records', 'incident records, one row per (source, record_id)', 4326)",
        "INSERT INTO gpkg_geometry_columns VALUES ('records', 'geom', 'POINT', 4326, 0, 0)",
        "CREATE VIRTUAL TABLE rtree_records_geom USING rtree(id, minx, maxx, miny, maxy)",
        "INSERT INTO gpkg_extensions VALUES ('records', 'geom', 'gpkg_rtree_index', "
        "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        f"CREATE TRIGGER rtree_records_geom_insert AFTER INSERT ON records WHEN {_HAS} "
        f"BEGIN INSERT OR REPLACE INTO rtree_records_geom VALUES (NEW.fid, {_BOX}); END",
        f"CREATE TRIGGER rtree_records_geom_update1 AFTER UPDATE OF geom ON records WHEN OLD.fid = NEW.fid AND {_HAS} "
        f"BEGIN INSERT OR REPLACE INTO rtree_records_geom VALUES (NEW.fid, {_BOX}); END",
        f"CREATE TRIGGER rtree_records_geom_update2 AFTER UPDATE OF geom ON records WHEN OLD.fid = NEW.fid AND {_NO} "
        "BEGIN DELETE FROM rtree_records_geom WHERE id = OLD.fid; END",
        f"CREATE TRIGGER rtree_records_geom_update3 AFTER UPDATE ON records WHEN OLD.fid != NEW.fid AND {_HAS} "
        f"BEGIN DELETE FROM rtree_records_geom WHERE id = OLD.fid; "
        f"INSERT OR REPLACE INTO rtree_records_geom VALUES (NEW.fid, {_BOX}); END",
        f"CREATE TRIGGER rtree_records_geom_update4 AFTER UPDATE ON records WHEN OLD.fid != NEW.fid AND {_NO} "
        "BEGIN DELETE FROM rtree_records_geom WHERE id IN (OLD.fid, NEW.fid); END",
        "CREATE TRIGGER rtree_records_geom_delete AFTER DELETE ON records WHEN OLD.geom NOT NULL "
        "BEGIN DELETE FROM rtree_records_geom WHERE id = OLD.fid; END",
        "CREATE INDEX records_event ON records (event_id)",
        "CREATE TABLE ingests (ingest_id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, at TEXT NOT NULL, "
        "rows_in INTEGER, new INTEGER, updated INTEGER, unchanged INTEGER, matched INTEGER, rejected INTEGER)",
        "CREATE TABLE history (history_id INTEGER PRIMARY KEY AUTOINCREMENT, ingest_id INTEGER NOT NULL, "
        "source TEXT NOT NULL, record_id TEXT NOT NULL, action TEXT NOT NULL, event_id INTEGER, detail TEXT)",
        "CREATE INDEX history_record ON history (record_id)",
        "CREATE INDEX history_event ON history (event_id)",
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES "
        "('ingests', 'attributes', 'ingests', 'one row per ingest: source, time, counts'), "
        "('history', 'attributes', 'history', 'changes and matches of records, per ingest')",
    ],
    [  # 2: ambiguous matches kept for review; dates indexed for since/until
        "CREATE TABLE review (review_id INTEGER PRIMARY KEY AUTOINCREMENT, ingest_id INTEGER NOT NULL, "
        "source TEXT NOT NULL, record_id TEXT NOT NULL, event_id INTEGER, candidates TEXT, reason TEXT)",
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES "
        "('review', 'attributes', 'review', 'ambiguous matches left for a person to settle')",
        "CREATE INDEX records_date ON records (date)",
    ],
]
_HEADER = b"GP\x00\x01" + struct.pack("<i", 4326)  # version 0, little-endian, no envelope, SRS 4326
_ENVELOPE_BYTES = (0, 32, 48, 48, 64)
_GDAL_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError)


class _FileUse:
    """This process's use of one store file: sqlite3 connections, any number at once, or
    one GDAL read alone (see the module docstring)."""

    def __init__(self):
        self._changed = threading.Condition()
        self._sqlite = 0  # statements and transactions under way
        self._gdal = False

    @contextmanager
    def sqlite(self):
        with self._changed:
            self._changed.wait_for(lambda: not self._gdal)
            self._sqlite += 1
        try:
            yield
        finally:
            with self._changed:
                self._sqlite -= 1
                self._changed.notify_all()

    @contextmanager
    def gdal(self):
        """Yields whether GDAL may read now: never while sqlite3 is at work (no waiting)."""
        with self._changed:
            free = not (self._sqlite or self._gdal)
            self._gdal = self._gdal or free
        try:
            yield free
        finally:
            if free:
                with self._changed:
                    self._gdal = False
                    self._changed.notify_all()


_FILES: dict[str, _FileUse] = {}
_FILES_GUARD = threading.Lock()


def _using(path) -> _FileUse:
    with _FILES_GUARD:
        return _FILES.setdefault(os.path.realpath(path), _FileUse())


def point_blobs(lon: np.ndarray, lat: np.ndarray) -> list:
    """GeoPackage geometry blobs of points (None where a coordinate is missing)."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    ok = ~(np.isnan(lon) | np.isnan(lat))
    out = [None] * len(lon)
    for i, wkb in zip(np.flatnonzero(ok), shapely.to_wkb(shapely.points(lon[ok], lat[ok]), byte_order=1)):
        out[i] = _HEADER + wkb
    return out


def _xy(blob):
    """(x, y) of a GeoPackage point blob; the envelope's corners for other shapes; None if empty."""
    if blob is None or len(blob) < 8 or blob[:2] != b"GP" or blob[3] & 0x10:
        return None
    flags = blob[3]
    envelope = _ENVELOPE_BYTES[(flags >> 1) & 7] if (flags >> 1) & 7 < 5 else 0
    if envelope:
        order = "<" if flags & 1 else ">"
        x0, x1, y0, y1 = struct.unpack_from(order + "4d", blob, 8)
        return (x0, x1, y0, y1)
    start = 8
    order = "<" if blob[start] == 1 else ">"
    if struct.unpack_from(order + "I", blob, start + 1)[0] % 1000 != 1:
        return None  # not a point and no envelope: nothing to index
    x, y = struct.unpack_from(order + "2d", blob, start + 5)
    return None if x != x or y != y else (x, x, y, y)


def _corner(i: int):
    def corner(blob):
        box = _xy(blob)
        return None if box is None else box[i]
    return corner


class GeoPackageStore(Store):
    """A store in one GeoPackage file (see the module docstring)."""

    POINT_SQL = "gpkg_point(:longitude, :latitude)"

    def __init__(self, url, create: bool = True, timeout: float = 60.0):
        path = Path(str(url).removeprefix("gpkg://")).expanduser()
        self.url, self.path = str(path), path
        if not path.exists() and not create:
            raise StoreUnavailable(f"no store at {path} (create one with: incident-map store init {path})")
        if path.suffix.lower() != ".gpkg":
            raise StoreError(f"{path}: a GeoPackage store's file name ends in .gpkg")
        self._use = _using(path)
        with self._use.sqlite():
            with mapped((sqlite3.Error,), f"cannot open {path}", StoreUnavailable):
                self._db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
            for name, fn in (("ST_MinX", _corner(0)), ("ST_MaxX", _corner(1)), ("ST_MinY", _corner(2)),
                             ("ST_MaxY", _corner(3)), ("ST_IsEmpty", lambda b: None if b is None else int(_xy(b) is None))):
                self._db.create_function(name, 1, fn, deterministic=True)
            self._db.create_function("gpkg_point", 2, lambda x, y: point_blobs([x], [y])[0] if None not in (x, y) else None)
            self._migrate()
            # 64 MB of page cache (SQLite's default is 2 MB): a bulk ingest touches the key,
            # event and date indexes all over; with the small cache it runs ~1.6x slower.
            self._db.execute("PRAGMA cache_size = -65536")

    # ---- schema -------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        rows = self._execute("SELECT MAX(version) FROM store_schema")
        return int(rows[0][0] or 0)

    def _migrate(self) -> None:
        path = self.path
        with mapped((sqlite3.DatabaseError,), f"{path} is not a GeoPackage store (not an SQLite database, or damaged)",
                    NotAStoreError):
            tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "store_schema" not in tables:
            if tables:
                kind = "a GeoPackage" if "gpkg_contents" in tables else "an SQLite database"
                raise NotAStoreError(f"{path} is {kind} but not an incident store (no store_schema table); "
                                     f"to keep its incidents, ingest it: incident-map store ingest STORE {path} --source NAME")
            with self._writing():
                self._db.execute("CREATE TABLE IF NOT EXISTS store_schema (version INTEGER NOT NULL, applied_at TEXT NOT NULL)")
        version = self.schema_version
        if version > len(MIGRATIONS):
            raise StoreVersionError(f"{path} has store schema {version}; this incident-mapper knows up to "
                                    f"{len(MIGRATIONS)}: upgrade incident-mapper to open it")
        while version < len(MIGRATIONS):
            with self._writing():
                version = self.schema_version  # another process may have migrated meanwhile
                if version < len(MIGRATIONS):
                    for statement in MIGRATIONS[version]:
                        self._db.execute(statement)
                    self._db.execute("INSERT INTO store_schema VALUES (?, ?)",
                                     (version + 1, dt.datetime.now(dt.timezone.utc).isoformat()))
            version = self.schema_version

    # ---- primitives ---------------------------------------------------------------
    @contextmanager
    def _writing(self):
        with self._use.sqlite():
            with mapped((sqlite3.OperationalError,), f"{self.path} stayed locked by another writer", StoreUnavailable):
                self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            with mapped((sqlite3.Error,), f"cannot save to {self.path}"):
                self._db.execute("COMMIT")

    def _execute(self, sql: str, params=None) -> list:
        with self._use.sqlite(), mapped((sqlite3.DatabaseError,), f"{self.path} is damaged or not a store", NotAStoreError):
            if isinstance(params, list):
                self._db.executemany(sql, params)
                return []
            return self._db.execute(sql, params or {}).fetchall()

    def _fetch(self, sql: str, params: dict | None = None) -> tuple[list[str], list[tuple]]:
        with self._use.sqlite(), mapped((sqlite3.DatabaseError,), f"{self.path} is damaged or not a store", NotAStoreError):
            cursor = self._db.execute(sql, params or {})
            return [d[0] for d in cursor.description], cursor.fetchall()

    def _table(self, sql, params, types):
        columns, rows = self._fetch(sql, params)
        # zip(*rows) turns rows into columns in C; Arrow then converts each column in one
        # call. SQLite hands booleans back as 0/1, hence the cast.
        values = zip(*rows) if rows else [()] * len(columns)
        return pa.table({name: pa.array(cells, pa.int64()).cast(pa.bool_()) if types[name] == pa.bool_()
                         else pa.array(cells, types[name]) for name, cells in zip(columns, values)})

    def _read(self, sql, params, types):
        # GDAL binds no parameters: they go in as literals.
        text = re.sub(r":(\w+)", lambda name: _literal(params[name[1]]), sql)
        table = None
        with self._use.gdal() as free:
            if free:
                try:
                    table = pyogrio.raw.read_arrow(self.path, sql=text, read_geometry=False, return_fids=True)[1]
                except _GDAL_ERRORS:  # sqlite3, reading instead, says what is wrong in its own words
                    pass
        texts = [name for name, kind in types.items() if kind == pa.string()]
        if table is not None and self._whole(table, sql, params, texts):
            return table.select(list(types)).cast(pa.schema(types))
        return self._table(sql, params, types)

    def _whole(self, table: pa.Table, sql: str, params: dict, texts: list[str]) -> bool:
        """Whether GDAL read every row and every byte of text that SQLite holds: it ends a
        read quietly at a damaged page, and cuts a text at a NUL character (sqlite3, which
        reads instead, raises on the one and keeps the other). An ingest committed between
        the two reads fails this too."""
        size = " + ".join(f"coalesce(length(CAST({name} AS BLOB)), 0)" for name in texts) or "0"
        rows, stored = self._execute(f"SELECT count(*), coalesce(sum({size}), 0) FROM ({sql})", params)[0]
        read = sum(pc.sum(pc.binary_length(table[name])).as_py() or 0 for name in texts)
        return table.num_rows == rows and read == stored

    def _insert(self, rows: pd.DataFrame) -> None:
        columns = [*BOOK, *CONTENT]
        blobs = point_blobs(rows["longitude"].to_numpy(float, na_value=np.nan),
                            rows["latitude"].to_numpy(float, na_value=np.nan))
        values = [rows[c].to_numpy(dtype=object) for c in columns]
        for name in ("event_id", "first_ingest", "last_ingest"):
            values[columns.index(name)] = rows[name].astype(int).tolist()
        sql = f"INSERT INTO records (geom, {', '.join(columns)}) VALUES ({', '.join('?' * (len(columns) + 1))})"
        with mapped((sqlite3.DatabaseError,), f"cannot write to {self.path}"):
            # As GDAL does for bulk loads: the index trigger (a call into Python per row) is
            # set aside and the new rows indexed in one statement from their coordinates,
            # all inside the ingest's transaction, so no one ever sees a row unindexed.
            trigger = self._db.execute("SELECT sql FROM sqlite_master WHERE name = 'rtree_records_geom_insert'").fetchone()
            self._db.execute("DROP TRIGGER IF EXISTS rtree_records_geom_insert")
            last = self._db.execute("SELECT COALESCE(MAX(fid), 0) FROM records").fetchone()[0]
            self._db.executemany(sql, zip(blobs, *values))
            self._db.execute("INSERT INTO rtree_records_geom SELECT fid, longitude, longitude, latitude, latitude "
                             "FROM records WHERE fid > ? AND geom IS NOT NULL", (last,))
            if trigger:
                self._db.execute(trigger[0])

    def _in_box(self, west, south, east, north, tag):
        return (f"fid IN (SELECT id FROM rtree_records_geom WHERE minx <= :{tag}_e AND maxx >= :{tag}_w "
                f"AND miny <= :{tag}_n AND maxy >= :{tag}_s)",
                {f"{tag}_w": west, f"{tag}_s": south, f"{tag}_e": east, f"{tag}_n": north})

    def close(self) -> None:
        with self._use.sqlite():
            self._db.close()


def _literal(value) -> str:
    """``value`` as an SQLite literal, read back as sqlite3 binds it (NaN as NULL)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NULL"
    if isinstance(value, int) and -2 ** 63 <= value < 2 ** 63:  # bool too: 1/0
        return str(int(value))
    if isinstance(value, float):  # repr is exact; SQLite reads 1e999 as infinity
        return repr(float(value)) if math.isfinite(value) else ("1e999" if value > 0 else "-1e999")
    if isinstance(value, str):  # no escapes in SQL text but '' (and NUL, which ends C strings)
        return "'" + value.replace("'", "''").replace("\0", "' || char(0) || '") + "'"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"X'{bytes(value).hex()}'"
    raise ValueError(f"cannot compare stored values with {value!r}: give text, a whole number "
                     "within 64 bits, a number or None")


def is_store_file(path) -> bool:
    """Whether ``path`` is a GeoPackage holding an incident store (read-only check)."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower() != ".gpkg" or os.path.getsize(path) == 0:
        return False
    try:
        with _using(path).sqlite():
            db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
            try:
                return bool(db.execute("SELECT 1 FROM sqlite_master WHERE name = 'store_schema'").fetchone())
            finally:
                db.close()
    except sqlite3.Error:
        return False
