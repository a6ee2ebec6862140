"""Benchmark row of the foundation issue: load + validate a large synthetic CSV."""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

import incidents
from .timing import Row, median_time

#: Rows in the synthetic file (bench.py --scale multiplies it).
SIZE = 1_000_000


def synthetic_csv(rows: int, folder: Path, seed: int = 7, first: int = 0, name: str | None = None) -> Path:
    """A SYNTHETIC incident CSV (random values in valid ranges, labelled synthetic): ids from
    ``synthetic-{first}``, written to ``folder/name`` (default ``synthetic_{rows}.csv``)."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2022-02-24") + pd.to_timedelta(rng.integers(0, 1300, rows), unit="D")
    frame = pd.DataFrame({
        "id": [f"synthetic-{i}" for i in range(first, first + rows)],
        "date": days.strftime("%Y-%m-%d"),
        "place": rng.choice(["Kyiv", "Lviv", "Kharkiv", "Odesa", "Mukachevo"], rows),
        "oblast": rng.choice(["UA-30", "UA-46", "UA-63", "UA-51", "UA-21"], rows),
        "latitude": rng.uniform(45, 52, rows).round(5),
        "longitude": rng.uniform(23, 39, rows).round(5),
        "weapon": rng.choice(["drone", "cruise_missile", "glide_bomb"], rows),
        "target": "synthetic target",
        "killed": rng.integers(0, 5, rows),
        "injured": rng.integers(0, 30, rows),
        "sources": "https://example.org/synthetic",
    })
    path = folder / (name or f"synthetic_{rows}.csv")
    frame.to_csv(path, index=False)
    return path


def read_points(path: Path) -> gpd.GeoDataFrame:
    """The least a geopandas user writes to map a CSV, with no validation at all."""
    frame = pd.read_csv(path)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs="EPSG:4326")


def load_and_validate() -> Row:
    with tempfile.TemporaryDirectory() as folder:
        path = synthetic_csv(SIZE, Path(folder))
        # Interleaved, so load on a busy machine falls on all three alike.
        ours = median_time(lambda: incidents.load(path), repeat=5)
        baseline = median_time(lambda: read_points(path), repeat=5)
        read_only = median_time(lambda: pd.read_csv(path), repeat=5)
    return Row(
        name=f"load+validate {SIZE:,}-row CSV",
        median_s=ours, baseline="pandas.read_csv + geopandas.points_from_xy (same file)", baseline_median_s=baseline,
        goal="within 1.5x of baseline", command="python scripts/bench.py --only load",
        extra={"ratio vs baseline": f"{ours / baseline:.2f}x the time",
               "pandas.read_csv alone": f"{read_only:.3f} s ({ours / read_only:.2f}x)"},
    )


ROWS = [load_and_validate]
