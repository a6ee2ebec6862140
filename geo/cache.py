"""Persistent SQLite cache of online geocoding answers.

One row per (provider, normalised query, parameters). "Not found" answers are cached
too, so a second run over the same data makes no request at all; errors are not cached,
and a cached answer without valid coordinates counts as never asked.
The database runs in WAL mode with a busy timeout, so two processes geocoding at once
both write without "database is locked" failures. It also holds each service's next
allowed request time (:meth:`GeocodeCache.reserve`), so processes sharing a cache share
one rate limit.

A cache path that cannot be used is said in one warning line, never deleted: a corrupt,
truncated or foreign database (another program's SQLite file) or a directory is renamed
``<name>.unusable-<time>`` and a fresh cache starts; a read-only one is copied into
memory for this run.

Example:
    >>> import tempfile, pathlib
    >>> cache = GeocodeCache(pathlib.Path(tempfile.mkdtemp()) / "geocode.sqlite")
    >>> cache.put("nominatim", "mukachevo", {"country_codes": "ua"}, (48.44, 22.72, "Mukachevo", "settlement"))
    >>> cache.get("nominatim", "mukachevo", {"country_codes": "ua"})
    (48.44, 22.72, 'Mukachevo', 'settlement')
    >>> cache.get("nominatim", "uzhhorod", {"country_codes": "ua"}) is MISSING
    True
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import threading
import warnings
from datetime import datetime, timezone
from pathlib import Path

import platformdirs

__all__ = ["MISSING", "GeocodeCache", "GeocodeCacheWarning", "default_cache_path"]

#: Returned by :meth:`GeocodeCache.get` for a query never asked (``None`` means the
#: provider answered "not found").
MISSING = object()
#: How long a writer waits for another process's transaction (ms).
BUSY_TIMEOUT_MS = 30_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS geocode (
    provider TEXT NOT NULL,
    query TEXT NOT NULL,
    params TEXT NOT NULL,
    found INTEGER NOT NULL,
    latitude REAL,
    longitude REAL,
    address TEXT,
    precision TEXT,
    created TEXT NOT NULL,
    PRIMARY KEY (provider, query, params)
);
CREATE TABLE IF NOT EXISTS rate_limit (
    service TEXT PRIMARY KEY,
    next_at REAL NOT NULL
);
"""
_COLUMNS = ["provider", "query", "params", "found", "latitude", "longitude", "address", "precision", "created"]
_TABLES = {"geocode", "rate_limit"}


class GeocodeCacheWarning(UserWarning):
    """The cache file could not be used as it was; what was done instead."""


class _Unusable(Exception):
    """The file at the cache path is not a cache we can use (the message says why)."""


def default_cache_path() -> Path:
    """``<user cache dir>/incident-mapper/geocode.sqlite`` (platformdirs)."""
    return Path(platformdirs.user_cache_dir("incident-mapper")) / "geocode.sqlite"


class GeocodeCache:
    """Key-value store of geocoding answers; values are ``(lat, lon, address, precision)`` or ``None``."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self._lock = threading.Lock()
        #: False when the file could not be written and answers live in memory only.
        self.persistent = True
        if self.path.exists() and not self.path.is_dir() and not _writable(self.path):
            self._conn = self._in_memory(f"geocode cache {self.path} is read-only")
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.is_dir():
                raise _Unusable("is a directory")
            self._conn = self._open(self.path)
        except _Unusable as problem:
            try:
                aside = _move_aside(self.path)
            except OSError as error:
                self._conn = self._in_memory(f"geocode cache {self.path} {problem} and cannot be moved aside ({error})")
                return
            warnings.warn(f"geocode cache {self.path} {problem}: moved it to {aside.name} and started a new cache",
                          GeocodeCacheWarning, stacklevel=2)
            self._conn = self._open(self.path)
        except (sqlite3.OperationalError, OSError) as error:  # e.g. a folder we may not write in
            self._conn = self._in_memory(f"geocode cache {self.path} cannot be opened ({error})")

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        """Connect and check the file is our cache, else :class:`_Unusable`."""
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            check = conn.execute("PRAGMA quick_check").fetchone()[0]  # a truncated file fails here
            if check != "ok":
                raise _Unusable(f"is damaged ({check})")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            columns = [r[1] for r in conn.execute("PRAGMA table_info(geocode)")]
            if tables - _TABLES or (columns and columns != _COLUMNS):
                raise _Unusable("is another program's database (tables: " + ", ".join(sorted(tables)) + ")")
            conn.execute("PRAGMA journal_mode = WAL")
            with conn:
                conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as error:
            conn.close()
            if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
                raise
            raise _Unusable(f"is not a usable SQLite database ({error})") from None
        except _Unusable:
            conn.close()
            raise
        return conn

    def _in_memory(self, why: str) -> sqlite3.Connection:
        """A cache in memory, holding what the file has when it can be read."""
        warnings.warn(f"{why}: using a memory cache for this run (answers will not be kept)",
                      GeocodeCacheWarning, stacklevel=3)
        self.persistent = False
        memory = sqlite3.connect(":memory:", check_same_thread=False)
        try:
            source = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro", uri=True)
            try:
                source.backup(memory)
            finally:
                source.close()
            memory.executescript(_SCHEMA)
        except sqlite3.Error:  # not readable either: start empty
            memory = sqlite3.connect(":memory:", check_same_thread=False)
            memory.executescript(_SCHEMA)
        return memory

    @staticmethod
    def _params(params: dict) -> str:
        return json.dumps(params, sort_keys=True, default=str)

    def get(self, provider: str, query: str, params: dict):
        """The cached answer, ``None`` for a cached "not found", :data:`MISSING` if unknown."""
        with self._lock:
            row = self._conn.execute(
                "SELECT found, latitude, longitude, address, precision FROM geocode"
                " WHERE provider = ? AND query = ? AND params = ?",
                (provider, query, self._params(params))).fetchone()
        if row is None:
            return MISSING
        if not row[0]:
            return None
        lat, lon = row[1], row[2]
        # NULL or nonsense coordinates (a hand-edited or half-written row) are a miss, to
        # be asked again, never a point at 0,0 or a crash.
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (lat, lon)) \
                or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return MISSING
        return tuple(row[1:])

    def reserve(self, service: str, delay: float, earliest: float) -> float:
        """The time (``time.time()``) at which a request to ``service`` may be sent, not
        before ``earliest``; the next one is then booked ``delay`` seconds later. One
        write transaction, so processes sharing this cache never get the same slot."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")  # the write lock first: read-then-update is atomic
            try:
                row = self._conn.execute("SELECT next_at FROM rate_limit WHERE service = ?", (service,)).fetchone()
                slot = max(earliest, row[0] if row else earliest)
                self._conn.execute("INSERT OR REPLACE INTO rate_limit VALUES (?, ?)", (service, slot + delay))
                self._conn.commit()
            except BaseException:
                self._conn.rollback()
                raise
        return slot

    def put(self, provider: str, query: str, params: dict, value) -> None:
        """Store ``(lat, lon, address, precision)`` or ``None`` (not found)."""
        lat, lon, address, precision = value if value is not None else (None,) * 4
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO geocode VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (provider, query, self._params(params), int(value is not None), lat, lon,
                 address, precision, datetime.now(timezone.utc).isoformat()))

    def __len__(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM geocode").fetchone()[0]

    def close(self) -> None:
        self._conn.close()


def _writable(path: Path) -> bool:
    """Whether the file and its folder (WAL writes a -wal file beside it) can be written."""
    return bool(os.stat(path).st_mode & 0o222) and os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _move_aside(path: Path) -> Path:
    """Rename ``path`` (and SQLite's -wal/-shm beside it) to ``<name>.unusable-<time>``."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    aside = path.with_name(f"{path.name}.unusable-{stamp}")
    os.rename(path, aside)
    for suffix in ("-wal", "-shm"):
        sidecar = path.with_name(path.name + suffix)
        if sidecar.exists():
            os.rename(sidecar, aside.with_name(aside.name + suffix))
    return aside
