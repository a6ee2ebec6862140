"""Benchmark rows of the Dask engine (``--only dask``): the pipeline and corroboration on a
LocalCluster of two worker processes with a memory limit, against the in-memory path on the
same SYNTHETIC data, measured in the same run.

* pipeline: ``SIZE`` synthetic events in ``FILES`` CSV files through load -> tag_ownership
  -> assign_regions -> compare_timeline and compare. In memory: each file loaded, concatenated,
  then the same functions. The in-memory path runs in a child process so its peak memory is
  its own (``ru_maxrss``); workers report theirs the same way.
* corroboration: ``INCIDENTS`` synthetic incidents against ``DETECTIONS`` synthetic
  detections (in ``FILES`` partitions on the cluster) vs ``geo.corroborate`` in memory.

Where the time goes: the cluster's task stream, summed by task name.
"""

from __future__ import annotations

import multiprocessing
import resource
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .foundation import synthetic_csv
from .timing import Row

SIZE = 200_000
FILES = 8
INCIDENTS = 10_000
DETECTIONS = 1_000_000
REPEAT = 3
WORKER_MEMORY = "1GiB"
COMMAND = "python scripts/bench.py --only dask"


def split_csv(rows: int, folder: Path, files: int) -> str:
    """The foundation benchmark's synthetic CSV cut into ``files`` files; returns a glob."""
    whole = pd.read_csv(synthetic_csv(rows, folder), dtype=str, keep_default_na=False)
    for i, part in enumerate(np.array_split(np.arange(len(whole)), files)):
        whole.iloc[part].to_csv(folder / f"part{i:03d}.csv", index=False)
    return str(folder / "part*.csv")


def pipeline_in_memory(pattern: str, files: int | None = None):
    import glob

    import geo
    import incidents

    gdf = pd.concat([incidents.load(p) for p in sorted(glob.glob(pattern))[:files]], ignore_index=True)
    gdf = geo.assign_regions(incidents.tag_ownership(gdf))
    return geo.compare_timeline(gdf), geo.compare(gdf)


def pipeline_on_dask(pattern: str):
    import geo
    import incidents

    ddf = geo.assign_regions(incidents.tag_ownership(incidents.load(pattern, engine="dask")))
    return geo.compare_timeline(ddf), geo.compare(ddf)


def _timed_child(function, args, queue) -> None:
    function(*args, files=1)  # untimed: imports and first loads (registry, boundaries), as the warm workers have
    start = time.perf_counter()
    function(*args)
    queue.put((time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024))


def in_child(function, *args) -> tuple[float, int]:
    """(seconds, peak RSS bytes) of ``function(*args)`` in a fresh process."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_timed_child, args=(function, args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def where_time_goes(client, work) -> tuple[float, str]:
    """(seconds, the five task names with the most compute time) of ``work()`` on ``client``."""
    from distributed import get_task_stream

    with get_task_stream(client) as stream:
        start = time.perf_counter()
        work()
        seconds = time.perf_counter() - start
    spent = Counter()
    for task in stream.data:
        for part in task["startstops"]:
            if part["action"] == "compute":
                spent[task["key"][0].split("-")[0] if isinstance(task["key"], tuple) else str(task["key"]).split("-")[0]] \
                    += part["stop"] - part["start"]
    total = sum(spent.values()) or 1
    return seconds, ", ".join(f"{name} {s / total:.0%}" for name, s in spent.most_common(5))


def cluster():
    from distributed import Client, LocalCluster

    local = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=WORKER_MEMORY,
                         dashboard_address=None)
    return local, Client(local)


def pipeline_row() -> Row:
    folder = Path(tempfile.mkdtemp(prefix="bench_dask_"))
    pattern = split_csv(SIZE, folder, FILES)
    local, client = cluster()
    try:
        memory_runs = [in_child(pipeline_in_memory, pattern) for _ in range(REPEAT)]
        pipeline_on_dask(pattern)  # untimed: the workers' imports and first loads
        dask_runs = [where_time_goes(client, lambda: pipeline_on_dask(pattern)) for _ in range(REPEAT)]
        worker_peaks = client.run(_peak_rss)
        same = all(a.equals(b) for a, b in zip(pipeline_on_dask(pattern), pipeline_in_memory(pattern)))
    finally:
        client.close()
        local.close()
    dask_s = statistics.median(s for s, _ in dask_runs)
    memory_s = statistics.median(s for s, _ in memory_runs)
    return Row(
        name=f"load -> tag -> assign_regions -> compare_timeline + compare, {SIZE:,} synthetic events in {FILES} CSV files, "
             f"LocalCluster 2 workers x 1 thread, {WORKER_MEMORY} each",
        median_s=dask_s, baseline="the same functions in memory (one process)", baseline_median_s=memory_s,
        goal="same answers; runs within the worker memory limit",
        command=COMMAND,
        extra={"identical answers": str(same), "events/s on Dask": f"{SIZE / dask_s:,.0f}",
               "events/s in memory": f"{SIZE / memory_s:,.0f}",
               "peak RSS per worker": ", ".join(f"{v / 2**20:,.0f} MiB" for v in worker_peaks.values()),
               "peak RSS in memory": f"{max(p for _, p in memory_runs) / 2**20:,.0f} MiB",
               "task time": dask_runs[-1][1]})


def synthetic_detections(n: int, strikes: gpd.GeoDataFrame, seed: int = 3) -> gpd.GeoDataFrame:
    """SYNTHETIC detections over Ukraine's box through 2022-2025; one in ten within about
    2 km and two days of a synthetic strike, so the check has pairs to find."""
    rng = np.random.default_rng(seed)
    seen = pd.Timestamp("2022-02-24") + pd.to_timedelta(rng.uniform(0, 1300 * 24, n), unit="h")
    lon, lat = rng.uniform(23, 39, n), rng.uniform(45, 52, n)
    near = rng.random(n) < 0.1
    pick = rng.integers(0, len(strikes), int(near.sum()))
    lon[near] = strikes.geometry.x.to_numpy()[pick] + rng.normal(0, 0.015, len(pick))
    lat[near] = strikes.geometry.y.to_numpy()[pick] + rng.normal(0, 0.01, len(pick))
    seen = seen.to_numpy().astype("datetime64[us]")
    seen[near] = (strikes["date"].to_numpy()[pick] + pd.to_timedelta(rng.uniform(0, 48, len(pick)), unit="h").to_numpy())
    return gpd.GeoDataFrame({"detected_at": seen, "frp": rng.gamma(2, 5, n)},
                            geometry=shapely.points(lon, lat), crs=4326)


def corroboration_row() -> Row:
    import dask_geopandas

    import geo

    rng = np.random.default_rng(4)
    days = pd.Timestamp("2022-02-24") + pd.to_timedelta(rng.integers(0, 1300, INCIDENTS), unit="D")
    strikes = gpd.GeoDataFrame({"id": [f"synthetic-{i}" for i in range(INCIDENTS)], "date": days},
                               geometry=shapely.points(rng.uniform(23, 39, INCIDENTS), rng.uniform(45, 52, INCIDENTS)),
                               crs=4326)
    fires = synthetic_detections(DETECTIONS, strikes)
    local, client = cluster()
    try:
        spread = dask_geopandas.from_geopandas(fires, npartitions=FILES).persist()
        memory_runs, dask_runs = [], []
        for _ in range(REPEAT):
            start = time.perf_counter()
            expected = geo.corroborate(strikes, fires)
            memory_runs.append(time.perf_counter() - start)
            dask_runs.append(where_time_goes(client, lambda: geo.corroborate(strikes, spread)))
        same = geo.corroborate(strikes, spread).equals(expected)
        worker_peaks = client.run(_peak_rss)
    finally:
        client.close()
        local.close()
    dask_s, memory_s = statistics.median(s for s, _ in dask_runs), statistics.median(memory_runs)
    return Row(
        name=f"geo.corroborate, {INCIDENTS:,} synthetic incidents x {DETECTIONS:,} synthetic detections "
             f"({FILES} partitions, LocalCluster 2 workers)",
        median_s=dask_s, baseline="geo.corroborate in memory, same frames", baseline_median_s=memory_s,
        goal="same answers", command=COMMAND,
        extra={"identical answers": str(same), "detections/s on Dask": f"{DETECTIONS / dask_s:,.0f}",
               "detections/s in memory": f"{DETECTIONS / memory_s:,.0f}",
               "incidents with a detection": f"{int((expected['fire_detections'] > 0).sum()):,}",
               "peak RSS per worker": ", ".join(f"{v / 2**20:,.0f} MiB" for v in worker_peaks.values()),
               "task time": dask_runs[-1][1]})


ROWS = [pipeline_row, corroboration_row]
