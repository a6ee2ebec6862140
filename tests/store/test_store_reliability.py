"""Reliability: killed and concurrent writers, old and foreign files, credentials.

The process tests run real Python processes (subprocess), as a team's would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import incidents
from incidents.store import NotAStoreError, StoreError, StoreUnavailable, StoreVersionError
from conftest import fresh_database
from store_data import synthetic

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _python(code: str, *args: str) -> subprocess.Popen:
    """A child Python running ``code`` with this worktree and the test helpers importable."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _snapshot(st) -> tuple:
    records = st.read()
    return (st.stats()["records"], st.stats()["ingests"], sorted(zip(records["id"], records["store_event"])),
            len(st.history("syn-1")))


def test_sigkill_in_the_middle_of_an_ingest_leaves_the_store_as_it_was(store_url):
    # Bug caught: records written outside the ingest's transaction (or committed in
    # batches): a killed process would leave half an ingest behind.
    with incidents.Store(store_url) as st:
        st.ingest(synthetic(50), source="first")
        before = _snapshot(st)
    child = _python("""
        import sys, time, incidents
        from store_data import synthetic
        st = incidents.Store(sys.argv[1])
        backend = type(st)
        insert = backend._insert
        def insert_then_stall(self, rows):
            insert(self, rows)          # the rows are in the database, uncommitted
            print("inserted", flush=True)
            time.sleep(120)
        backend._insert = insert_then_stall
        st.ingest(synthetic(2000, seed=3, prefix="late"), source="second")
    """, store_url)
    try:
        assert child.stdout.readline().strip() == "inserted", child.stderr.read()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        child.kill()
    with incidents.Store(store_url) as st:
        assert _snapshot(st) == before
        assert st.ingest(synthetic(10, prefix="after"), source="third").new == 10  # and it still takes writes


def test_concurrent_ingests_lose_and_duplicate_nothing(store_url):
    # Bug caught: ingests without one lock around read-match-write: two processes both
    # see a record as new (duplicate key error or a double), or hand out the same event id.
    incidents.Store(store_url).close()  # created once, so the children race on ingest, not on creation
    code = """
        import os, sys, time, incidents
        from store_data import synthetic
        source, go = sys.argv[2], sys.argv[3]
        st = incidents.Store(sys.argv[1], create=False)
        records = synthetic(400, seed=11, spread_km=300)   # the same strikes from every source
        while not os.path.exists(go):
            time.sleep(0.01)
        r = st.ingest(records, source=source)
        print(r.new, r.unchanged, r.matched)
    """
    go = Path(os.environ.get("TMPDIR", "/tmp")) / f"store-go-{os.getpid()}-{time.monotonic_ns()}"
    children = [_python(code, store_url, source, str(go)) for source in ("a", "a", "b")]
    time.sleep(1.0)
    go.touch()
    try:
        outputs = [c.communicate(timeout=240) for c in children]
    finally:
        go.unlink()
    assert all(c.returncode == 0 for c in children), [err for _, err in outputs]
    (new1, same1, _), (new2, same2, _), (new_b, _, _) = [tuple(map(int, out.split())) for out, _ in outputs]
    assert sorted([new1, new2]) == [0, 400] and sorted([same1, same2]) == [0, 400] and new_b == 400
    with incidents.Store(store_url) as st:
        records = st.read()
        events = st.events()
        ambiguous = len(st.review())  # random points: a few have two twins within 5 km and a day
    assert len(records) == 800 and not records.duplicated(["store_source", "id"]).any()
    # Every strike once, with both sources, whichever process came first.
    assert ambiguous < 20 and len(events) == 400 + ambiguous
    assert (events["n_sources"] == 2).sum() == 400 - ambiguous


def test_a_store_made_with_the_first_schema_opens_after_an_upgrade(store_url, monkeypatch):
    # Bug caught: migrations applied from the start again (table exists) or not at all
    # (the review table missing after an upgrade).
    module = incidents.Store.__new__(incidents.Store, store_url).__module__
    migrations = sys.modules[module].MIGRATIONS
    monkeypatch.setattr(sys.modules[module], "MIGRATIONS", migrations[:1])
    old = incidents.Store(store_url)
    assert old.schema_version == 1
    old._execute("INSERT INTO ingests (source, at) VALUES ('old', 'then')")
    old.close()
    monkeypatch.setattr(sys.modules[module], "MIGRATIONS", migrations)
    with incidents.Store(store_url) as st:
        assert st.schema_version == len(migrations) >= 2
        assert st.stats()["ingests"] == 1 and len(st.review()) == 0
        st._execute("INSERT INTO store_schema VALUES (99, 'future')")
    with pytest.raises(StoreVersionError, match="upgrade incident-mapper"):
        incidents.Store(store_url)


def test_foreign_and_damaged_geopackages_get_a_clear_error(tmp_path):
    # Bug caught: a plain incident GeoPackage silently turned into a store (tables added
    # to a user's file), or a sqlite traceback instead of one line.
    plain = tmp_path / "plain.gpkg"
    incidents.save(incidents.sample(), plain)
    with pytest.raises(NotAStoreError, match="is a GeoPackage but not an incident store"):
        incidents.Store(plain)
    noise = tmp_path / "noise.gpkg"
    noise.write_bytes(os.urandom(4096))
    with pytest.raises(NotAStoreError, match="not an SQLite database"):
        incidents.Store(noise)
    store = tmp_path / "team.gpkg"
    incidents.Store(store).ingest(synthetic(3000), source="a")
    data = bytearray(store.read_bytes())
    middle = len(data) // 4
    data[middle:3 * middle] = os.urandom(2 * middle)  # half the pages (records, index) overwritten
    store.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged|not an SQLite database"):
        with incidents.Store(store) as st:
            st.read()
    with pytest.raises(StoreUnavailable, match="store init"):
        incidents.Store(tmp_path / "missing.gpkg", create=False)


def test_the_geopackage_is_one_gdal_reads_with_its_spatial_index(tmp_path):
    # Bug caught: R-tree triggers not firing (an empty index: GDAL's bbox read and our
    # within() find nothing) or the layer not registered in gpkg_contents.
    import pyogrio

    path = tmp_path / "team.gpkg"
    with incidents.Store(path) as st:
        st.ingest(synthetic(500), source="a")
        mine = st.read(bbox=(22.0, 48.0, 23.0, 49.0))
    info = pyogrio.read_info(path, layer="records")
    assert info["features"] == 500 and info["capabilities"]["fast_spatial_filter"]
    theirs = pyogrio.read_dataframe(path, layer="records", bbox=(22.0, 48.0, 23.0, 49.0))
    assert sorted(theirs["record_id"]) == sorted(mine["id"]) and len(mine) > 0


def test_within_is_answered_through_the_spatial_index(store_url):
    # Bug caught: a spatial filter the database cannot index (a function of the column, a
    # cast the index was not built on), which scans every row of a big store.
    with incidents.Store(store_url) as st:
        st.ingest(synthetic(200), source="a")
        clause, params = st._near(48.44, 22.72, 30.0, "near")
        with st._writing():
            if "postgresql" in store_url:  # a 200-row table is scanned unless scans are ruled out
                st._execute("SET LOCAL enable_seqscan = off")
                explain = "EXPLAIN SELECT fid FROM records WHERE "
            else:
                explain = "EXPLAIN QUERY PLAN SELECT fid FROM records WHERE "
            plan = " ".join(st._query(explain + clause, params).astype(str).to_numpy().ravel())
    assert ("records_geom" in plan) if "postgresql" in store_url else ("rtree_records_geom" in plan), plan


def test_a_password_never_appears_in_errors_or_names(postgis_server):
    # Bug caught: the connection URL (with its password) in a message or repr.
    secret = "s3cr3t-Pa55"
    with pytest.raises(StoreUnavailable) as caught:
        incidents.Store(f"postgresql://someone:{secret}@127.0.0.1:1/nowhere")
    assert secret not in str(caught.value) and "someone:***@127.0.0.1" in str(caught.value)
    import sqlalchemy as sa

    # A fresh database: a store made in the server's template would be copied into every
    # later test database of a reused server (INCIDENT_MAPPER_POSTGIS_URL).
    url = sa.engine.make_url(fresh_database(postgis_server)).set(password=secret).render_as_string(hide_password=False)
    with incidents.Store(url) as st:  # trust authentication: the password is not checked
        assert secret not in repr(st) and secret not in st.url


def test_a_read_beside_a_write_in_the_same_process_keeps_the_write_lock(tmp_path):
    # Bug caught: GDAL (its own copy of SQLite) reading the file while another thread of
    # this process writes to it: closing the file drops the process's locks, so another
    # process could write in the middle of the ingest (and GDAL would not see the lock).
    import threading

    import pandas as pd

    path = str(tmp_path / "team.gpkg")
    with incidents.Store(path) as st:
        st.ingest(synthetic(50), source="a")
        before = st.read()
    inside, done = threading.Event(), threading.Event()

    def writer():
        with incidents.Store(path) as st, st._writing():
            st._execute("UPDATE ingests SET rows_in = rows_in")
            inside.set()
            done.wait(120)
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert inside.wait(60)
        with incidents.Store(path) as st:
            during = st.read()
        probe = _python("""
            import sqlite3, sys
            sqlite3.connect(sys.argv[1], timeout=0.5, isolation_level=None).execute("BEGIN IMMEDIATE")
        """, path)
        _, err = probe.communicate(timeout=60)
    finally:
        done.set()
        thread.join()
    assert "database is locked" in err
    pd.testing.assert_frame_equal(during, before)
