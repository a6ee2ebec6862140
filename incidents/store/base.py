"""The incident store: one interface, two backends (GeoPackage file, PostGIS server).

This module holds everything the backends share: what an ingest does (validate, upsert by
``(source, id)``, match new records to events, log), how filters become parameterised SQL,
and what reads return. A backend supplies the connection, its transactions, its DDL and
migrations, the spatial clauses (its index) and bulk insertion (see the abstract methods).

Example:
    >>> import incidents, tempfile, os
    >>> st = incidents.Store(os.path.join(tempfile.mkdtemp(), "team.gpkg"))
    >>> st.ingest(incidents.sample(), source="sample").new == len(incidents.sample())
    True
    >>> st.ingest(incidents.sample(), source="sample").unchanged == len(incidents.sample())
    True
"""

from __future__ import annotations

import datetime as dt
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyproj import Geod

from incidents.store import matching
from incidents.store.errors import StoreError
from incidents.store.events import events_of
from incidents.store.records import BOOK, CONTENT, FILTERABLE, STORED, arrow_types, changed, decode, encode
from incidents.store.space import circle_box, spatial_order
from incidents.validate import validate

GEOD = Geod(ellps="WGS84")
MAX_SOURCE_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass
class IngestReport:
    """What one ingest did. ``rows_in == new + updated + unchanged + rejected``;
    ``matched`` counts the new records linked to an event of another source;
    ``rejections`` lists row/field/value/reason, ``review`` the ambiguous matches."""

    source: str
    rows_in: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    matched: int = 0
    rejected: int = 0
    rejections: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    review: list = field(default_factory=list, repr=False)

    def lines(self) -> list[str]:
        return [f"source: {self.source}", f"rows in: {self.rows_in}", f"new: {self.new}",
                f"updated: {self.updated}", f"unchanged: {self.unchanged}",
                f"matched to an existing event: {self.matched}", f"rejected: {self.rejected}",
                f"ambiguous, listed for review: {len(self.review)}"]


def check_source(source: object) -> str:
    """A source name: 1-200 characters of text without control characters."""
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"source must be a non-empty name such as 'acled-2026-11', not {source!r}")
    if len(source) > MAX_SOURCE_CHARS or _CONTROL.search(source):
        raise ValueError(f"source {source[:60]!r} is longer than {MAX_SOURCE_CHARS} characters or holds a control character")
    return source.strip()


def _iso(value, what: str, end: bool = False) -> tuple[str, str]:
    """(operator, ISO text) comparing stored ISO dates with a since/until bound; a date
    without a time as ``until`` takes in that whole day."""
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ValueError(f"{what} must be a date such as 2025-08-21, not {value!r}") from None
    if pd.isna(stamp):
        raise ValueError(f"{what} must be a date such as 2025-08-21, not {value!r}")
    midnight = stamp == stamp.normalize()
    if end and midnight:
        return "<", (stamp + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    text = stamp.strftime("%Y-%m-%d") if midnight else stamp.strftime("%Y-%m-%dT%H:%M:%S")
    return ("<=" if end else ">="), text


class Store:
    """An incident store: ``Store("team.gpkg")`` (a GeoPackage file, created if missing)
    or ``Store("postgresql://user@host:5432/db")`` (PostGIS). ``create=False`` refuses to
    create one. Use as a context manager, or call :meth:`close`."""

    #: The SQL expression a backend uses for "the point at :longitude, :latitude".
    POINT_SQL = ""

    def __new__(cls, url, *args, **kwargs):
        if cls is Store:
            from incidents.store import backend_for  # the backends import this module
            cls = backend_for(url)
        return super().__new__(cls)

    # ---- what a backend provides -------------------------------------------------
    def _writing(self):
        """Context manager: one exclusive write transaction (committed, or rolled back on error)."""
        raise NotImplementedError

    def _fetch(self, sql: str, params: dict | None = None) -> tuple[list[str], list[tuple]]:
        """Run a query: its column names and its rows as tuples."""
        raise NotImplementedError

    def _table(self, sql: str, params: dict, types: dict[str, pa.DataType]) -> pa.Table:
        """Run a query selecting the columns named in ``types`` (in that order): its rows
        as an Arrow table of those types, built column by column."""
        raise NotImplementedError

    def _read(self, sql: str, params: dict, types: dict[str, pa.DataType]) -> pa.Table:
        """:meth:`_table` for :meth:`read` (never inside a write), where a backend may have a
        faster reader."""
        return self._table(sql, params, types)

    def _query(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        columns, rows = self._fetch(sql, params)
        return pd.DataFrame.from_records(rows, columns=columns)

    def _execute(self, sql: str, params: dict | list[dict] | None = None) -> list:
        """Run a statement (a list of dicts: once per dict); the rows it returns, if any."""
        raise NotImplementedError

    def _insert(self, rows: pd.DataFrame) -> None:
        """Bulk-insert encoded records (with event_id, first_ingest, last_ingest)."""
        raise NotImplementedError

    def _in_box(self, west: float, south: float, east: float, north: float, tag: str) -> tuple[str, dict]:
        """SQL clause (parameters named ``<tag>_...``) keeping records inside the box."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _near(self, lat: float, lon: float, km: float, tag: str) -> tuple[str, dict]:
        """SQL clause (parameters named ``<tag>_...``) keeping the records in the index's
        box around the circle: a superset, which read() measures exactly (geodesic, as
        ``geo.within`` does), so both backends give the scan's answer to the metre."""
        return self._in_box(*circle_box(lat, lon, km), tag)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"

    # ---- writing --------------------------------------------------------------------
    def ingest(self, frame: gpd.GeoDataFrame, source: str, match_km: float = 5.0,
               match_days: float = 1.0) -> IngestReport:
        """Upsert ``frame``'s valid rows by ``(source, id)`` in one transaction, link new
        records to events of other sources (see :mod:`incidents.store.matching`) and
        return what happened. Invalid rows are rejected (listed), never stored."""
        source = check_source(source)
        if not (match_km >= 0 and match_days >= 0):
            raise ValueError(f"match_km and match_days must be 0 or more, not {match_km!r}, {match_days!r}")
        good, rejected = validate(frame, errors="report")
        report = IngestReport(source, rows_in=len(frame), rejected=int(rejected["row"].nunique()),
                              rejections=rejected)
        rows = encode(good, source)
        with self._writing():
            ingest_id = self._execute("INSERT INTO ingests (source, at, rows_in) VALUES (:source, :at, :rows_in) "
                                      "RETURNING ingest_id", {"source": source, "rows_in": len(frame),
                                                              "at": dt.datetime.now(dt.timezone.utc).isoformat()})[0][0]
            stored = self._query(f"SELECT record_id, event_id, {', '.join(CONTENT)} FROM records "
                                 "WHERE source = :source", {"source": source})
            known = rows["record_id"].isin(stored["record_id"]).to_numpy()
            old = stored.set_index("record_id").reindex(rows.loc[known, "record_id"]).reset_index()
            differs, by_column = changed(rows[known].reset_index(drop=True), old)
            self._update(rows[known][differs], old[differs], {k: v[differs] for k, v in by_column.items()}, ingest_id)
            fresh = rows[~known].reset_index(drop=True)
            report.matched = self._add(fresh, source, match_km, match_days, ingest_id, report.review)
            report.new, report.updated = len(fresh), int(differs.sum())
            report.unchanged = int(known.sum()) - report.updated
            self._execute("UPDATE ingests SET new = :new, updated = :updated, unchanged = :unchanged, "
                          "matched = :matched, rejected = :rejected WHERE ingest_id = :ingest_id",
                          {"ingest_id": ingest_id, "new": report.new, "updated": report.updated,
                           "unchanged": report.unchanged, "matched": report.matched, "rejected": report.rejected})
        return report

    def _update(self, rows: pd.DataFrame, old: pd.DataFrame, by_column: dict, ingest_id: int) -> None:
        if not len(rows):
            return
        sets = ", ".join(f"{c} = :{c}" for c in CONTENT)
        params = rows.assign(last_ingest=ingest_id).to_dict("records")
        self._execute(f"UPDATE records SET {sets}, geom = {self.POINT_SQL}, last_ingest = :last_ingest "
                      "WHERE source = :source AND record_id = :record_id", params)
        history = []
        for i, (row, before) in enumerate(zip(params, old.to_dict("records"))):
            changes = {c: [_jsonable(before[c]), _jsonable(row[c])] for c, mask in by_column.items() if mask[i]}
            history.append({"ingest_id": ingest_id, "source": row["source"], "record_id": row["record_id"],
                            "action": "updated", "event_id": int(before["event_id"]),
                            "detail": json.dumps(changes, ensure_ascii=False, default=str)})
        self._log_history(history)

    def _add(self, fresh: pd.DataFrame, source: str, km: float, days: float, ingest_id: int, review: list) -> int:
        """Insert new records, each in the event it matches or a new one; the number matched."""
        if not len(fresh):
            return 0
        found = matching.match(fresh, self._pool(fresh, km, days), source, km, days)
        first = int(self._execute("SELECT COALESCE(MAX(event_id), 0) FROM records")[0][0]) + 1
        alone = found.event < 0
        events = found.event.copy()
        events[alone] = np.arange(first, first + alone.sum())
        stored = fresh.assign(event_id=events, first_ingest=ingest_id, last_ingest=ingest_id)
        self._insert(stored.iloc[spatial_order(stored["longitude"], stored["latitude"])])
        matched = np.flatnonzero(~alone)
        record_ids = fresh["record_id"].to_numpy()  # one array, not a column lookup per matched row
        self._log_history([{"ingest_id": ingest_id, "source": source, "record_id": record_ids[i],
                            "action": "matched", "event_id": int(events[i]),
                            "detail": json.dumps({"km": round(float(found.km[i]), 3)})} for i in matched])
        own = dict(zip(fresh["record_id"], events))
        for case in found.review:
            case.update(source=source, event_id=int(own[case["record_id"]]))
        if found.review:
            self._execute("INSERT INTO review (ingest_id, source, record_id, event_id, candidates, reason) "
                          "VALUES (:ingest_id, :source, :record_id, :event_id, :candidates, :reason)",
                          [{"ingest_id": ingest_id, "source": source, "record_id": c["record_id"],
                            "event_id": c["event_id"], "reason": c["reason"],
                            "candidates": " ".join(map(str, c["events"]))} for c in found.review])
        review.extend(found.review)
        return len(matched)

    def _pool(self, fresh: pd.DataFrame, km: float, days: float) -> pd.DataFrame:
        """Stored records that could match: inside the batch's box widened by ``km`` and
        its dates widened by ``days`` (the exact test is the matcher's)."""
        lat, lon = fresh["latitude"].astype(float), fresh["longitude"].astype(float)
        if lat.isna().all():
            return pd.DataFrame(columns=matching.POOL_COLUMNS)
        west, south, _, _ = circle_box(lat.min(), lon.min(), km)
        _, _, east, north = circle_box(lat.max(), lon.max(), km)
        box, params = self._in_box(west, south, east, north, "pool")
        dates = pd.to_datetime(fresh["date"], format="ISO8601")
        window = pd.Timedelta(days=days)
        params.update(since=(dates.min() - window).strftime("%Y-%m-%d"),
                      until=(dates.max() + window + pd.Timedelta(days=1)).strftime("%Y-%m-%d"))
        table = self._table(f"SELECT {', '.join(matching.POOL_COLUMNS)} FROM records WHERE {box} "
                            "AND date >= :since AND date < :until", params, arrow_types(matching.POOL_COLUMNS))
        pool = pd.DataFrame({name: table[name].to_numpy() for name in matching.POOL_COLUMNS})  # texts: None if missing
        pool["date"] = pd.to_datetime(pool["date"], format="ISO8601")
        return pool

    def _log_history(self, rows: list[dict]) -> None:
        if rows:
            self._execute("INSERT INTO history (ingest_id, source, record_id, action, event_id, detail) "
                          "VALUES (:ingest_id, :source, :record_id, :action, :event_id, :detail)", rows)

    # ---- reading --------------------------------------------------------------------
    def _filters(self, within=None, bbox=None, since=None, until=None, where=None) -> tuple[list[str], dict]:
        clauses, params = [], {}
        if within is not None:
            lat, lon, km = (float(v) for v in within)
            if not (-90 <= lat <= 90 and -180 <= lon <= 180 and km >= 0):
                raise ValueError(f"within must be (lat, lon, km) with a latitude, a longitude and km >= 0, not {within!r}")
            clause, more = self._near(lat, lon, km, "near")
            clauses.append(clause), params.update(more)
        if bbox is not None:
            west, south, east, north = (float(v) for v in bbox)
            if not (west <= east and south <= north):
                raise ValueError(f"bbox must be (west, south, east, north) in degrees, not {bbox!r}")
            clause, more = self._in_box(west, south, east, north, "box")
            clauses.append(clause), params.update(more)
        for bound, value, end in (("since", since, False), ("until", until, True)):
            if value is not None:
                op, params[bound] = _iso(value, bound, end)
                clauses.append(f"date {op} :{bound}")
        for n, (column, wanted) in enumerate((where or {}).items()):
            if column not in FILTERABLE:
                raise ValueError(f"where: cannot filter on {column!r}; columns: "
                                 f"{', '.join(sorted(c for c in FILTERABLE if c not in BOOK and c != 'record_id'))}")
            values = list(wanted) if isinstance(wanted, (list, tuple, set)) else [wanted]
            names = [f"w{n}_{i}" for i in range(len(values))]
            params.update(zip(names, values))
            clauses.append(f"{FILTERABLE[column]} IN ({', '.join(':' + name for name in names)})" if names else "1 = 0")
        return clauses, params

    def _records(self, clauses: list[str], params: dict, within=None) -> gpd.GeoDataFrame:
        """Decoded records in stored order; ``within=(lat, lon, km)`` keeps those within the
        geodesic distance (measured on the fetched columns, so the box's corners are never
        decoded) and adds ``distance_km``."""
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        # Stored (fid) order, sorted here after the distance filter: PostgreSQL sorting the
        # whole rows took ~10 ms of a 50 km read over 1,000,000 records.
        table = self._read(f"SELECT fid, {', '.join(STORED)} FROM records{where}", params, arrow_types(["fid", *STORED]))
        distance = None
        if within is not None:
            lat, lon, km = within
            x, y = table["longitude"].to_numpy(), table["latitude"].to_numpy()
            _, _, metres = GEOD.inv(np.full(len(x), lon), np.full(len(x), lat), x, y)
            keep = metres / 1000 <= km  # NaN (no coordinates) is never within
            table, distance = table.filter(keep), metres[keep] / 1000
        order = pc.sort_indices(table["fid"]).to_numpy()
        return decode(table.take(order), distance_km=None if distance is None else distance[order])

    def read(self, within=None, bbox=None, since=None, until=None, where=None) -> gpd.GeoDataFrame:
        """Stored records matching every filter given, as an incident frame with the store
        columns ``store_source``, ``store_event``, ``store_first_ingest``, ``store_last_ingest``.

        ``within=(lat, lon, km)``: geodesic distance (adds ``distance_km``);
        ``bbox=(west, south, east, north)``; ``since``/``until``: dates, inclusive;
        ``where={"column": value or [values]}`` (``id``, ``store_source``, ``place``, ...).
        Spatial filters use the store's index.
        """
        clauses, params = self._filters(within, bbox, since, until, where)
        return self._records(clauses, params, None if within is None else tuple(float(v) for v in within))

    def events(self, **filters) -> gpd.GeoDataFrame:
        """One row per event (see :mod:`incidents.store.events`); with filters (as
        :meth:`read`), the events having at least one record that matches them."""
        if not filters:
            return events_of(self._records([], {}))
        ids = sorted(set(self.read(**filters)["store_event"].astype(int)))
        chunks = [self._records([f"event_id IN ({', '.join(str(int(i)) for i in ids[s:s + 500])})"], {})
                  for s in range(0, len(ids), 500)]
        return events_of(pd.concat(chunks, ignore_index=True)) if chunks else events_of(self._records(["1 = 0"], {}))

    def history(self, key, source: str | None = None) -> pd.DataFrame:
        """What happened to a record (its id, optionally with its ``source``) or to an event
        (an int, or ``"event-<n>"``): one row per change, oldest first."""
        match = re.fullmatch(r"event-(\d+)", key) if isinstance(key, str) else None
        if isinstance(key, (int, np.integer)) or match:
            who, params = "{t}.event_id = :event_id", {"event_id": int(match[1] if match else key)}
        else:
            who, params = "{t}.record_id = :record_id", {"record_id": str(key)}
            if source is not None:
                who, params["source"] = who + " AND {t}.source = :source", source
        # A record's arrival is its first_ingest; later changes and matches are history rows.
        sql = ("SELECT i.at, r.first_ingest AS ingest_id, r.source, r.record_id, 'new' AS action, r.event_id, "
               "NULL AS detail, 0 AS step FROM records r JOIN ingests i ON i.ingest_id = r.first_ingest "
               f"WHERE {who.format(t='r')} UNION ALL "
               "SELECT i.at, h.ingest_id, h.source, h.record_id, h.action, h.event_id, h.detail, h.history_id AS step "
               f"FROM history h JOIN ingests i ON i.ingest_id = h.ingest_id WHERE {who.format(t='h')} "
               "ORDER BY ingest_id, step")
        return self._query(sql, params).drop(columns="step")

    def review(self) -> pd.DataFrame:
        """Ambiguous matches left for a person to settle: the record, the event it started and the candidates."""
        return self._query("SELECT v.ingest_id, v.source, v.record_id, v.event_id, v.candidates, v.reason "
                           "FROM review v ORDER BY v.review_id")

    def export(self, path, events: bool = True, **save_options) -> None:
        """Write the events (or every record, ``events=False``) with :func:`incidents.save`."""
        from incidents.io import save
        save(self.events() if events else self.read(), path, **save_options)

    def stats(self) -> dict:
        """Counts: records, events, events with several sources, per source, pending review."""
        counts = self._query("SELECT COUNT(*) AS records, COUNT(DISTINCT event_id) AS events, "
                             "MIN(date) AS first_date, MAX(date) AS last_date FROM records").iloc[0]
        multi = self._query("SELECT COUNT(*) AS n FROM (SELECT event_id FROM records GROUP BY event_id "
                            "HAVING COUNT(DISTINCT source) > 1) AS e")["n"].iat[0]
        sources = self._query("SELECT source, COUNT(*) AS records FROM records GROUP BY source ORDER BY source")
        return {"records": int(counts["records"]), "events": int(counts["events"]),
                "events_with_several_sources": int(multi), "first_date": counts["first_date"],
                "last_date": counts["last_date"], "sources": dict(zip(sources["source"], sources["records"].astype(int))),
                "ingests": int(self._query("SELECT COUNT(*) AS n FROM ingests")["n"].iat[0]),
                "review": int(self._query("SELECT COUNT(*) AS n FROM review")["n"].iat[0]),
                "schema_version": self.schema_version}


def _jsonable(value):
    return value.item() if isinstance(value, np.generic) else value


@contextmanager
def mapped(errors: tuple, what: str, kind=StoreError, secrets: tuple[str, ...] = ()):
    """Re-raise a driver error as ``kind`` with a one-line, password-free message."""
    from incidents.store.errors import masked
    try:
        yield
    except errors as error:
        raise kind(masked(f"{what}: {error}", secrets)) from None
