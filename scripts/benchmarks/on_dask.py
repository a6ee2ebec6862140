"""Benchmark rows of the Dask engine (``--only dask``): the pipeline and corroboration on a
LocalCluster of two worker processes with a memory limit, against the in-memory path on
SYNTHETIC data, measured in the same run.

* pipeline (checked): ``SIZE`` synthetic events in ``FILES`` CSV files through load ->
  tag_ownership -> assign_regions -> compare_timeline and compare, medians of ``REPEAT``.
  In memory: each file loaded, concatenated, then the same functions.
* pipeline at scale: ``SCALE_SIZE`` synthetic events in files of ``ROWS_PER_FILE`` (written
  by the workers, one file at a time) through load -> tag_ownership -> assign_regions ->
  compare on the cluster, once; the in-memory path and the cluster on the first
  ``IN_MEMORY_SIZE`` of them (the largest in-memory run that fits beside the machine's
  other work), once each, with their answers compared.
* corroboration: ``INCIDENTS`` synthetic incidents against ``DETECTIONS`` synthetic
  detections, generated on the workers in blocks of ``DETECTIONS_PER_BLOCK`` (never all in
  one process), vs ``geo.corroborate`` in memory on the same detections; once each.

The in-memory runs go in a child process, so their peak memory is their own
(``ru_maxrss``); workers report theirs the same way. Where the time goes: the cluster's
task stream, summed by task name.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import shutil
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
#: The issue's size: about 10 minutes here at load average ~5 (writing the files included),
#: but 3,428 events/s (over 90 minutes) under load 9-12 with older code, so run this row
#: alone: --only pipeline_at_scale.
SCALE_SIZE = 20_000_000
ROWS_PER_FILE = 50_000
#: In memory: limited by time here, not memory (see the row's peak RSS per event).
IN_MEMORY_SIZE = 1_000_000
INCIDENTS = 100_000
DETECTIONS = 10_000_000
DETECTIONS_PER_BLOCK = 250_000
REPEAT = 3
WORKER_MEMORY = "1GiB"
#: The at-scale row's workers. At 1 GiB the 20,000,000-event run stalled after 80% of its
#: tasks (2026-12-02): a worker's memory not held by Dask (libraries, allocator pools) crept
#: from ~750 to ~830 MiB over the 400 partitions, past the 80% pause threshold on both
#: workers, and a paused worker runs nothing that could free it. Still a small fraction of
#: the ~20 GB the in-memory path would need for those events.
SCALE_WORKER_MEMORY = "1.5GiB"
COMMAND = "python scripts/bench.py --only dask"


def split_csv(rows: int, folder: Path, files: int) -> str:
    """The foundation benchmark's synthetic CSV cut into ``files`` files; returns a glob."""
    whole = pd.read_csv(synthetic_csv(rows, folder), dtype=str, keep_default_na=False)
    for i, part in enumerate(np.array_split(np.arange(len(whole)), files)):
        whole.iloc[part].to_csv(folder / f"part{i:03d}.csv", index=False)
    return str(folder / "part*.csv")


def pipeline_in_memory(pattern: str, files: int | None = None, timeline: bool = True):
    """(compare_timeline or None, compare) of the files, all in memory."""
    import glob

    import geo
    import incidents

    gdf = pd.concat([incidents.load(p) for p in sorted(glob.glob(pattern))[:files]], ignore_index=True)
    gdf = geo.assign_regions(incidents.tag_ownership(gdf))
    return geo.compare_timeline(gdf) if timeline else None, geo.compare(gdf)


def pipeline_on_dask(pattern: str, timeline: bool = True):
    """The same on the active client; compare_timeline (when asked) is a second pass."""
    import geo
    import incidents

    ddf = geo.assign_regions(incidents.tag_ownership(incidents.load(pattern, engine="dask")))
    return geo.compare_timeline(ddf) if timeline else None, geo.compare(ddf)


def timed_pipeline(pattern: str, timeline: bool = True):
    """(seconds, answers) of the in-memory pipeline, after an untimed run on one file
    (imports and first loads of registry and boundaries, as the warm workers have)."""
    pipeline_in_memory(pattern, files=1, timeline=timeline)
    start = time.perf_counter()
    answers = pipeline_in_memory(pattern, timeline=timeline)
    return time.perf_counter() - start, answers


def _child(function, args, queue) -> None:
    seconds, result = function(*args)
    queue.put((seconds, _peak_rss(), result))


def in_child(function, *args) -> tuple[float, int, object]:
    """(seconds, peak RSS bytes, result) of ``function(*args)`` -> (seconds, result), run in
    a fresh process."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(function, args, queue))
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


def cluster(memory: str = WORKER_MEMORY):
    from distributed import Client, LocalCluster

    local = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=memory,
                         dashboard_address=None)
    return local, Client(local)


def pipeline_row() -> Row:
    folder = Path(tempfile.mkdtemp(prefix="bench_dask_"))
    pattern = split_csv(SIZE, folder, FILES)
    local, client = cluster()
    try:
        memory_runs = [in_child(timed_pipeline, pattern) for _ in range(REPEAT)]
        pipeline_on_dask(pattern)  # untimed: the workers' imports and first loads
        dask_runs = [where_time_goes(client, lambda: pipeline_on_dask(pattern)) for _ in range(REPEAT)]
        worker_peaks = client.run(_peak_rss)
        same = all(a.equals(b) for a, b in zip(pipeline_on_dask(pattern), pipeline_in_memory(pattern)))
    finally:
        client.close()
        local.close()
        shutil.rmtree(folder, ignore_errors=True)
    dask_s = statistics.median(s for s, _ in dask_runs)
    memory_s = statistics.median(s for s, _, _ in memory_runs)
    return Row(
        name=f"load -> tag -> assign_regions -> compare_timeline + compare, {SIZE:,} synthetic events in {FILES} CSV files, "
             f"LocalCluster 2 workers x 1 thread, {WORKER_MEMORY} each",
        median_s=dask_s, baseline="the same functions in memory (one process)", baseline_median_s=memory_s,
        goal="same answers; runs within the worker memory limit",
        command=COMMAND,
        extra={"identical answers": str(same), "events/s on Dask": f"{SIZE / dask_s:,.0f}",
               "events/s in memory": f"{SIZE / memory_s:,.0f}",
               "peak RSS per worker": _mib(worker_peaks),
               "peak RSS in memory": f"{max(p for _, p, _ in memory_runs) / 2**20:,.0f} MiB",
               "task time": dask_runs[-1][1]})


def _write_part(number: int, rows: int, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    synthetic_csv(rows, folder, seed=1000 + number, first=number * ROWS_PER_FILE, name=f"part{number:05d}.csv")


def _mib(peaks: dict) -> str:
    return ", ".join(f"{v / 2**20:,.0f} MiB" for v in peaks.values())


def pipeline_at_scale_row() -> Row:
    """Dask at ``SCALE_SIZE`` once; in memory and Dask on the first ``IN_MEMORY_SIZE`` rows."""
    folder = Path(tempfile.mkdtemp(prefix="bench_dask_scale_"))
    sizes = [min(ROWS_PER_FILE, SCALE_SIZE - start) for start in range(0, SCALE_SIZE, ROWS_PER_FILE)]
    head = max(1, min(len(sizes), IN_MEMORY_SIZE // ROWS_PER_FILE))  # files "a/" of the in-memory run
    local, client = cluster(SCALE_WORKER_MEMORY)
    try:
        pids = client.run(os.getpid)
        start = time.perf_counter()
        client.gather(client.map(_write_part, range(len(sizes)), sizes,
                                 [folder / ("a" if i < head else "b") for i in range(len(sizes))]))
        written_s = time.perf_counter() - start
        first = str(folder / "a" / "*.csv")
        memory_s, memory_peak, (_, expected) = in_child(timed_pipeline, first, False)
        pipeline_on_dask(str(folder / "a" / "part00000.csv"), timeline=False)  # untimed: workers' first loads
        answers = []
        head_s, _ = where_time_goes(client, lambda: answers.append(pipeline_on_dask(first, timeline=False)[1]))
        scale_s, tasks = where_time_goes(client, lambda: pipeline_on_dask(str(folder / "*" / "*.csv"), timeline=False))
        worker_peaks = client.run(_peak_rss)
        restarted = set(client.run(os.getpid).values()) != set(pids.values())
    finally:
        client.close()
        local.close()
        shutil.rmtree(folder, ignore_errors=True)
    rows = sum(sizes[:head])
    return Row(
        name=f"load -> tag -> assign_regions -> compare, {SCALE_SIZE:,} synthetic events in {len(sizes)} CSV files, "
             f"LocalCluster 2 workers x 1 thread, {SCALE_WORKER_MEMORY} each (single runs)",
        median_s=scale_s, baseline=f"the same functions in memory on the first {rows:,} events (one process)",
        baseline_median_s=memory_s, goal="runs within the worker memory limit; same answers where both run",
        command=COMMAND,
        extra={"events/s on Dask": f"{SCALE_SIZE / scale_s:,.0f}",
               f"Dask on the first {rows:,}": f"{head_s:.1f} s ({rows / head_s:,.0f} events/s), "
                                              f"identical answers: {answers[0].equals(expected)}",
               "events/s in memory": f"{rows / memory_s:,.0f}",
               "peak RSS per worker": _mib(worker_peaks) + (" (a worker was restarted)" if restarted else ""),
               f"peak RSS in memory ({rows:,})": f"{memory_peak / 2**20:,.0f} MiB",
               "writing the files (on the workers)": f"{written_s:.1f} s",
               "task time": tasks, "load average after": ", ".join(f"{v:.1f}" for v in os.getloadavg())})


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


def _strikes() -> gpd.GeoDataFrame:
    rng = np.random.default_rng(4)
    days = pd.Timestamp("2022-02-24") + pd.to_timedelta(rng.integers(0, 1300, INCIDENTS), unit="D")
    return gpd.GeoDataFrame({"id": [f"synthetic-{i}" for i in range(INCIDENTS)], "date": days},
                            geometry=shapely.points(rng.uniform(23, 39, INCIDENTS), rng.uniform(45, 52, INCIDENTS)),
                            crs=4326)


def _blocks() -> list[int]:
    return [min(DETECTIONS_PER_BLOCK, DETECTIONS - start) for start in range(0, DETECTIONS, DETECTIONS_PER_BLOCK)]


def timed_corroboration(strikes: gpd.GeoDataFrame, blocks: list[int]):
    """(seconds, answer) of geo.corroborate in memory on every block of detections at once."""
    import geo

    fires = pd.concat([synthetic_detections(n, strikes, seed=100 + i) for i, n in enumerate(blocks)], ignore_index=True)
    geo.corroborate(strikes.iloc[:100], fires.iloc[:1000])  # untimed: imports
    start = time.perf_counter()
    answer = geo.corroborate(strikes, fires)
    return time.perf_counter() - start, answer


def corroboration_row() -> Row:
    import dask
    import dask.dataframe
    import dask_geopandas  # noqa: F401 - GeoDataFrame partitions make a dask_geopandas frame

    import geo

    strikes, blocks = _strikes(), _blocks()
    memory_s, memory_peak, expected = in_child(timed_corroboration, strikes, blocks)
    local, client = cluster()
    try:
        shared = dask.delayed(strikes, pure=True)
        lazy = dask.dataframe.from_delayed(
            [dask.delayed(synthetic_detections)(n, shared, seed=100 + i) for i, n in enumerate(blocks)],
            meta=synthetic_detections(1, strikes).iloc[:0], verify_meta=False)
        generated_s, _ = where_time_goes(client, lambda: lazy.map_partitions(len).compute())
        answers = []
        dask_s, tasks = where_time_goes(client, lambda: answers.append(geo.corroborate(strikes, lazy)))
        worker_peaks = client.run(_peak_rss)
    finally:
        client.close()
        local.close()
    return Row(
        name=f"geo.corroborate, {INCIDENTS:,} synthetic incidents x {DETECTIONS:,} synthetic detections "
             f"({len(blocks)} partitions generated on the workers, LocalCluster 2 workers, {WORKER_MEMORY} each; single runs)",
        median_s=dask_s, baseline="geo.corroborate in memory, same detections all in one process",
        baseline_median_s=memory_s, goal="same answers; runs within the worker memory limit", command=COMMAND,
        extra={"identical answers": str(answers[0].equals(expected)),
               "detections/s on Dask": f"{DETECTIONS / dask_s:,.0f} (generating the blocks included; "
                                       f"generating alone {generated_s:.1f} s)",
               "detections/s in memory": f"{DETECTIONS / memory_s:,.0f}",
               "incidents with a detection": f"{int((expected['fire_detections'] > 0).sum()):,}",
               "peak RSS per worker": _mib(worker_peaks), "peak RSS in memory": f"{memory_peak / 2**20:,.0f} MiB",
               "task time": tasks, "load average after": ", ".join(f"{v:.1f}" for v in os.getloadavg())})


ROWS = [pipeline_row, pipeline_at_scale_row, corroboration_row]
