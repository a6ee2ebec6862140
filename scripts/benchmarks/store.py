"""Benchmark rows for the incident store (incidents.Store), GeoPackage and PostGIS.

    python scripts/bench.py --only store              # SIZE = 1,000,000 stored records
    python scripts/bench.py --only store --scale 0.1  # a tenth

Records are SYNTHETIC (``synthetic-`` ids, uniform over Ukraine's bounding box, dates over
three years). PostGIS rows use INCIDENT_MAPPER_POSTGIS_URL, else a cluster started with
scripts/postgis.sh (default durable settings) and removed afterwards; without PostgreSQL
they are skipped. Rows:

- ingest SIZE records into an empty store (rows/s) vs writing the same frame with
  geopandas (``to_file`` GPKG / ``to_postgis``): what a plain dump costs;
- ``read(within=(48.44, 22.72, 50 km))`` over the SIZE stored records vs the same query as
  a full scan of the frame in memory (``geo.within``: geodesic distance to every point);
- ingest MATCH_SIZE new records of a second source (every one a near twin of a stored
  record: matching runs for each) vs ``geopandas.sjoin(dwithin 5 km)`` of the same frames
  in a metric CRS (space only: no dates, no owners, no ambiguity).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

import geo
import incidents
from .timing import Row, median_time

SIZE = 1_000_000
MATCH_SIZE = 100_000
REPEAT = 7
CENTRE = (48.44, 22.72, 50.0)
COMMAND = "python scripts/bench.py --only store"
SCRIPT = Path(__file__).resolve().parents[1] / "postgis.sh"


def synthetic(n: int, seed: int = 0, prefix: str = "synthetic") -> gpd.GeoDataFrame:
    """SYNTHETIC incidents: uniform over Ukraine's bounding box, dates over 2023-2025."""
    rng = np.random.default_rng(seed)
    return gpd.GeoDataFrame({
        "id": [f"{prefix}-{i}" for i in range(n)],
        "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365, n), unit="D"),
        "target_type": rng.choice(["industrial", "energy", "residential", "transport"], n),
        "killed": rng.integers(0, 5, n),
        "location_precision": "exact",
    }, geometry=gpd.points_from_xy(rng.uniform(22.2, 40.1, n), rng.uniform(44.4, 52.3, n)), crs="EPSG:4326")


def twins(stored: gpd.GeoDataFrame, n: int) -> gpd.GeoDataFrame:
    """``n`` records of another source, each 0-2 km from a stored one, same day."""
    rng = np.random.default_rng(1)
    picked = stored.iloc[rng.choice(len(stored), n, replace=False)].reset_index(drop=True)
    out = picked.copy()
    out["id"] = [f"twin-{i}" for i in range(n)]
    out.geometry = gpd.points_from_xy(picked.geometry.x + rng.uniform(-0.015, 0.015, n),
                                      picked.geometry.y + rng.uniform(-0.01, 0.01, n), crs="EPSG:4326")
    return out


@contextmanager
def _server():
    """A PostGIS server URL (template database with PostGIS), or None."""
    url = os.environ.get("INCIDENT_MAPPER_POSTGIS_URL")
    if url:
        yield url
        return
    state = tempfile.mkdtemp(prefix="incident-mapper-bench-postgis-")
    env = {**os.environ, "INCIDENT_MAPPER_POSTGIS_STATE": state}
    started = subprocess.run(["bash", str(SCRIPT), "start"], env=env, capture_output=True, text=True)
    try:
        yield started.stdout.strip().splitlines()[-1] if started.returncode == 0 else None
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop"], env=env, capture_output=True)


def _database(server: str, name: str) -> str:
    import sqlalchemy as sa

    base = sa.engine.make_url(server)
    engine = sa.create_engine(base.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{base.database}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _rows_for(kind: str, url: str, dump) -> list[Row]:
    records = synthetic(SIZE)
    new = twins(records, MATCH_SIZE)
    st = incidents.Store(url)
    ingest_s, report = _timed(lambda: st.ingest(records, source="bench-a"))
    dump_s, _ = _timed(lambda: dump(records))
    rows = [Row(name=f"store ingest ({kind}), {SIZE:,} synthetic records", median_s=ingest_s,
                baseline=f"geopandas {'to_file GPKG' if kind == 'GeoPackage' else 'to_postgis'}, same frame",
                baseline_median_s=dump_s, goal="rows/s (issue 15 names no goal); one run each",
                command=COMMAND, extra={"rows/s": f"{SIZE / ingest_s:,.0f}", "new": str(report.new)})]
    lat, lon, km = CENTRE
    found = st.read(within=CENTRE)
    scanned = geo.within(records, lat, lon, km=km)
    ours_runs, scan_runs = [], []
    for _ in range(REPEAT):  # alternated, so machine load falls on both alike
        ours_runs.append(median_time(lambda: st.read(within=CENTRE), repeat=1, warmup=0))
        scan_runs.append(median_time(lambda: geo.within(records, lat, lon, km=km), repeat=1, warmup=0))
    rows.append(Row(name=f"store read(within 50 km) ({kind}), {SIZE:,} stored", median_s=statistics.median(ours_runs),
                    baseline="geo.within full scan of the frame in memory", baseline_median_s=statistics.median(scan_runs),
                    goal="< 50 ms and >= 20x the scan", command=COMMAND,
                    extra={"found": str(len(found)), "same_ids": str(sorted(found["id"]) == sorted(scanned["id"]))}))
    match_s, matched = _timed(lambda: st.ingest(new, source="bench-b"))
    # Web Mercator stretches distances by 1/cos(latitude): 5 km at Ukraine's mid-latitude.
    metric, stretch = "EPSG:3857", 1 / np.cos(np.radians(48.5))
    join_s, _ = _timed(lambda: gpd.sjoin(new.to_crs(metric), records.to_crs(metric), predicate="dwithin",
                                         distance=5000 * stretch))
    rows.append(Row(name=f"store ingest + match ({kind}), {MATCH_SIZE:,} new vs {SIZE:,} stored", median_s=match_s,
                    baseline="geopandas.sjoin dwithin ~5 km in EPSG:3857 (space only), same frames", baseline_median_s=join_s,
                    goal="(issue 15 names no goal); one run each", command=COMMAND,
                    extra={"matched": str(matched.matched), "review": str(len(matched.review)),
                           "rows/s": f"{MATCH_SIZE / match_s:,.0f}"}))
    st.close()
    return rows


def geopackage_rows() -> list[Row]:
    folder = Path(tempfile.mkdtemp(prefix="incident-mapper-bench-"))
    return _rows_for("GeoPackage", str(folder / "bench.gpkg"),
                     lambda frame: frame.to_file(folder / "dump.gpkg", driver="GPKG", engine="pyogrio"))


def postgis_rows() -> list[Row]:
    import sqlalchemy as sa

    with _server() as server:
        if server is None:
            print("skipping the PostGIS rows: no server (install postgresql + postgis, or set INCIDENT_MAPPER_POSTGIS_URL)")
            return []
        dump_url = _database(server, "bench_dump")
        engine = sa.create_engine(sa.engine.make_url(dump_url).set(drivername="postgresql+psycopg"))
        rows = _rows_for("PostGIS", _database(server, "bench_store"),
                         lambda frame: frame.to_postgis("dump", engine, if_exists="replace", chunksize=50_000))
        engine.dispose()
        return rows


ROWS = [geopackage_rows, postgis_rows]
