"""The server backend: PostgreSQL + PostGIS through SQLAlchemy and psycopg.

Records sit in ``records`` with a ``geometry(Point, 4326)`` column and a GiST index on
it: ``within`` and ``bbox`` are ``geom && box`` in the index (``within``'s box holds its
circle; the reader then measures geodesic distances, as on a GeoPackage), and rows come
back through ``COPY ... TO STDOUT`` as CSV that Arrow parses. Each ingest
is one transaction holding an advisory lock (ingests of one database run one after the
other, each seeing the last one's records); new records arrive through ``COPY``.
The URL's password appears nowhere: not in ``repr``, errors or reports.
"""

from __future__ import annotations

import datetime as dt
import io
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import shapely
import sqlalchemy as sa
from sqlalchemy import exc

from incidents.store.base import Store
from incidents.store.errors import NotAStoreError, StoreError, StoreUnavailable, StoreVersionError, masked
from incidents.store.records import BOOK, CONTENT, content_ddl

#: pg_advisory_xact_lock key the store's writers share (any fixed number no other tool uses).
_LOCK_KEY = 0x1AC1DE47_5704E
_TYPES = {"str": "text", "datetime": "text", "int": "integer", "float": "double precision", "bool": "boolean",
          "list": "text", "json": "text"}

#: Ordered schema steps; a store's version is how many it has applied. Append, never edit.
MIGRATIONS: list[list[str]] = [
    [  # 1: records with spatial indexes, the ingest log and history
        "CREATE EXTENSION IF NOT EXISTS postgis",
        "CREATE TABLE records (fid bigserial PRIMARY KEY, geom geometry(Point, 4326), source text NOT NULL, "
        "record_id text NOT NULL, event_id bigint NOT NULL, first_ingest bigint NOT NULL, last_ingest bigint NOT NULL, "
        f"{content_ddl(_TYPES)}, UNIQUE (source, record_id))",
        "CREATE INDEX records_geom ON records USING gist (geom)",
        "CREATE INDEX records_geog ON records USING gist (CAST(geom AS geography))",
        "CREATE INDEX records_event ON records (event_id)",
        "CREATE TABLE ingests (ingest_id bigserial PRIMARY KEY, source text NOT NULL, at text NOT NULL, "
        "rows_in integer, new integer, updated integer, unchanged integer, matched integer, rejected integer)",
        "CREATE TABLE history (history_id bigserial PRIMARY KEY, ingest_id bigint NOT NULL, source text NOT NULL, "
        "record_id text NOT NULL, action text NOT NULL, event_id bigint, detail text)",
        "CREATE INDEX history_record ON history (record_id)",
        "CREATE INDEX history_event ON history (event_id)",
    ],
    [  # 2: ambiguous matches kept for review; dates indexed for since/until
        "CREATE TABLE review (review_id bigserial PRIMARY KEY, ingest_id bigint NOT NULL, source text NOT NULL, "
        "record_id text NOT NULL, event_id bigint, candidates text, reason text)",
        "CREATE INDEX records_date ON records (date)",
    ],
    [  # 3: within is the geometry index's box, measured exactly by the reader (as in a
        # GeoPackage): the geography index went unused, and cost every ingest its upkeep
        "DROP INDEX IF EXISTS records_geog",
    ],
]
_DRIVER_ERRORS = (exc.DBAPIError, exc.SQLAlchemyError)


class PostGISStore(Store):
    """A store in a PostgreSQL database with PostGIS (see the module docstring)."""

    POINT_SQL = "ST_SetSRID(ST_MakePoint(CAST(:longitude AS double precision), CAST(:latitude AS double precision)), 4326)"

    def __init__(self, url, create: bool = True, timeout: float = 60.0):
        given = sa.engine.make_url(url)
        parsed = given.set(drivername="postgresql+psycopg")
        self.url = given.render_as_string(hide_password=True)
        self._secrets = (parsed.password,) if parsed.password else ()
        self._tx = None
        self._engine = sa.create_engine(parsed, connect_args={"connect_timeout": max(1, int(timeout))},
                                        hide_parameters=True)
        with self._mapped("cannot connect to", StoreUnavailable):
            with self._engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        self._create = create
        self._migrate()

    @contextmanager
    def _mapped(self, what: str, kind=None):
        """Driver errors as one password-free line naming the store."""
        try:
            yield
        except _DRIVER_ERRORS as error:
            reason = getattr(error, "orig", None) or error
            raise (kind or StoreError)(masked(f"{what} {self.url}: {reason}", self._secrets)) from None

    # ---- schema -------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self._execute("SELECT COALESCE(MAX(version), 0) FROM store_schema")[0][0])

    def _migrate(self) -> None:
        tables = set(self._query("SELECT table_name FROM information_schema.tables "
                                 "WHERE table_schema = current_schema()")["table_name"])
        if "store_schema" not in tables:
            if "records" in tables:
                raise NotAStoreError(f"{self.url} has a records table but no store_schema: not an incident store")
            if not self._create:
                raise StoreUnavailable(f"no store in {self.url} (create one with: incident-map store init URL)")
            with self._writing():
                self._execute("CREATE TABLE IF NOT EXISTS store_schema (version integer NOT NULL, applied_at text NOT NULL)")
        with self._writing():  # the lock makes a second process wait, then find the work done
            version = self.schema_version
            if version > len(MIGRATIONS):
                raise StoreVersionError(f"{self.url} has store schema {version}; this incident-mapper knows up to "
                                        f"{len(MIGRATIONS)}: upgrade incident-mapper to open it")
            for step in range(version, len(MIGRATIONS)):
                for statement in MIGRATIONS[step]:
                    self._execute(statement)
                self._execute("INSERT INTO store_schema VALUES (:version, :at)",
                              {"version": step + 1, "at": dt.datetime.now(dt.timezone.utc).isoformat()})

    # ---- primitives ---------------------------------------------------------------
    @contextmanager
    def _writing(self):
        with self._mapped("cannot write to", StoreUnavailable):
            conn = self._engine.connect()
            transaction = conn.begin()
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        self._tx = conn
        try:
            yield
            with self._mapped("cannot commit to", StoreUnavailable):
                transaction.commit()
        finally:
            self._tx = None
            conn.close()  # rolls back what was not committed

    def _run(self, work):
        with self._mapped("failed on"):
            if self._tx is not None:
                return work(self._tx)
            with self._engine.connect() as conn:
                out = work(conn)
                conn.commit()
                return out

    def _execute(self, sql: str, params=None) -> list:
        def work(conn):
            result = conn.execute(sa.text(sql), params if params is not None else {})
            return result.fetchall() if result.returns_rows else []
        return self._run(work)

    def _fetch(self, sql: str, params: dict | None = None) -> tuple[list[str], list[tuple]]:
        def work(conn):
            result = conn.execute(sa.text(sql), params or {})
            return list(result.keys()), [tuple(row) for row in result]
        return self._run(work)

    def _table(self, sql, params, types):
        # COPY's CSV parsed by Arrow: no Python object per cell (a row fetch through the
        # driver builds ~30 per row). COPY takes no server-side parameters, so psycopg
        # binds them on the client, quoted by libpq's rules.
        query = sa.text(sql).compile(dialect=self._engine.dialect).string

        def work(conn):
            cursor = conn.connection.driver_connection.cursor()
            # COPY's rows are formatted by the leading process alone, so parallel workers only
            # add their start-up (~2x the wall time of a read of thousands of rows on a busy
            # machine). Local to this transaction: a read, or an ingest whose later statements
            # are writes, which PostgreSQL never runs in parallel.
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            with cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)", params) as copy:
                return b"".join(copy)
        data = self._run(work)
        if not data:
            return pa.table({name: pa.array([], kind) for name, kind in types.items()})
        return pacsv.read_csv(io.BytesIO(data), read_options=pacsv.ReadOptions(column_names=list(types)),
                              parse_options=pacsv.ParseOptions(newlines_in_values=True),
                              convert_options=pacsv.ConvertOptions(
                                  column_types=types, null_values=[""], strings_can_be_null=True,
                                  quoted_strings_can_be_null=False, true_values=["t"], false_values=["f"]))

    def _insert(self, rows: pd.DataFrame) -> None:
        columns = [*BOOK, *CONTENT]
        lon = rows["longitude"].to_numpy(float, na_value=np.nan)
        lat = rows["latitude"].to_numpy(float, na_value=np.nan)
        located = ~(np.isnan(lon) | np.isnan(lat))
        geom = np.full(len(rows), None, dtype=object)
        points = shapely.set_srid(shapely.points(lon[located], lat[located]), 4326)
        geom[located] = shapely.to_wkb(points, hex=True, include_srid=True)
        values = [rows[c].to_numpy(dtype=object) for c in columns]
        for name in ("event_id", "first_ingest", "last_ingest"):
            values[columns.index(name)] = rows[name].astype(int).tolist()

        def work(conn):
            cursor = conn.connection.driver_connection.cursor()
            with cursor.copy(f"COPY records (geom, {', '.join(columns)}) FROM STDIN") as copy:
                for row in zip(geom, *values):
                    copy.write_row(row)
        self._run(work)

    def _in_box(self, west, south, east, north, tag):
        return (f"geom && ST_MakeEnvelope(:{tag}_w, :{tag}_s, :{tag}_e, :{tag}_n, 4326)",
                {f"{tag}_w": west, f"{tag}_s": south, f"{tag}_e": east, f"{tag}_n": north})

    def close(self) -> None:
        self._engine.dispose()
