"""Benchmark rows for geo.assign_regions: synthetic points vs geopandas.sjoin on the same data.

    .venv/bin/python -m scripts.benchmarks.regions          # prints the rows
    SIZE = 1_000_000 points by default; set scripts.benchmarks.regions.SIZE to run small.

The points are synthetic (``synthetic_`` ids), uniform over Ukraine's bounding box plus a
margin, so about 60% fall inside Ukraine. Both sides get the same GeoDataFrame. The baseline
is ``geopandas.sjoin(points, oblasts, predicate="within")`` on the same full-resolution
polygons; answers are compared point by point (ours restricted to ``inside`` points, which
is what sjoin answers).
"""

from __future__ import annotations

import statistics

import geopandas as gpd
import numpy as np
import shapely

import geo
from .timing import Row, median_time

SIZE = 1_000_000
REPEAT = 7
COMMAND = "python scripts/bench.py --only regions"


def synthetic_points(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(21.5, 41.0, n)
    lat = rng.uniform(44.0, 52.7, n)
    return gpd.GeoDataFrame({"id": [f"synthetic_{i}" for i in range(n)]},
                            geometry=shapely.points(lon, lat), crs="EPSG:4326")


def assign_row() -> Row:
    points = synthetic_points(SIZE)
    oblasts = geo.load_oblasts()[["iso", "geometry"]]
    ours = geo.assign_regions(points)  # also warms the prepared polygons
    joined = gpd.sjoin(points, oblasts, predicate="within", how="left")
    joined = joined[~joined.index.duplicated()]
    inside = (ours["region_flag"] == "inside").to_numpy()
    same = (ours["oblast"].to_numpy(dtype=object)[inside] == joined["iso"].to_numpy(dtype=object)[inside]).all()
    sjoin_only = joined["iso"].notna().to_numpy() & ~inside
    identical = bool(same) and not sjoin_only.any()

    # Alternate the two (one run each, REPEAT times) so that load from other processes on
    # the machine falls on both sides alike; median of each.
    ours_runs, base_runs = [], []
    for _ in range(REPEAT):
        ours_runs.append(median_time(lambda: geo.assign_regions(points), repeat=1, warmup=0))
        base_runs.append(median_time(lambda: gpd.sjoin(points, oblasts, predicate="within", how="left"), repeat=1, warmup=0))
    ours_s, base_s = statistics.median(ours_runs), statistics.median(base_runs)
    return Row(
        name=f"assign_regions, {SIZE:,} synthetic points",
        median_s=ours_s,
        baseline="geopandas.sjoin(within), same points and polygons",
        baseline_median_s=base_s,
        goal="< 1.5 s median and >= 1.5x faster than sjoin, identical answers",
        command=COMMAND,
        extra={
            "identical_answers": str(identical),
            "inside": f"{inside.mean():.1%}",
            "near_border": f"{(ours['region_flag'] == 'near_border').mean():.2%}",
        },
    )


ROWS = [assign_row]


if __name__ == "__main__":
    for make in ROWS:
        row = make()
        print(f"{row.name}: {row.median_s:.3f} s median; baseline {row.baseline}: "
              f"{row.baseline_median_s:.3f} s; ratio {row.ratio:.2f}x; goal {row.goal}; {row.extra}")
