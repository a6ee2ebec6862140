"""Persistent SQLite cache of online geocoding answers.

One row per (provider, normalised query, parameters). "Not found" answers are cached
too, so a second run over the same data makes no request at all; errors are not cached.
The database runs in WAL mode with a busy timeout, so two processes geocoding at once
both write without "database is locked" failures.

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
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

import platformdirs

__all__ = ["MISSING", "GeocodeCache", "default_cache_path"]

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
)
"""


def default_cache_path() -> Path:
    """``<user cache dir>/incident-mapper/geocode.sqlite`` (platformdirs)."""
    return Path(platformdirs.user_cache_dir("incident-mapper")) / "geocode.sqlite"


class GeocodeCache:
    """Key-value store of geocoding answers; values are ``(lat, lon, address, precision)`` or ``None``."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                     check_same_thread=False)
        self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._conn.execute("PRAGMA journal_mode = WAL")
        with self._conn:
            self._conn.execute(_SCHEMA)

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
        return tuple(row[1:]) if row[0] else None

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
