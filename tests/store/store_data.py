"""SYNTHETIC records for the store tests (invented ids, places and figures; never shipped)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd


def synthetic(n: int, seed: int = 0, prefix: str = "syn", centre=(48.44, 22.72), spread_km: float = 200.0,
              day: str = "2025-08-21") -> gpd.GeoDataFrame:
    """SYNTHETIC incidents for tests only (invented ids, places and figures): ``n`` points
    scattered around ``centre``, one per day-offset 0-9, with target types and owners."""
    rng = np.random.default_rng(seed)
    lat = centre[0] + rng.uniform(-1, 1, n) * spread_km / 111.0
    lon = centre[1] + rng.uniform(-1, 1, n) * spread_km / 74.0
    return gpd.GeoDataFrame({
        "id": [f"{prefix}-{i}" for i in range(n)],
        "date": pd.Timestamp(day) + pd.to_timedelta(rng.integers(0, 10, n), unit="D"),
        "place": "synthetic place",
        "target": rng.choice(["synthetic plant", "synthetic depot", "synthetic port"], n),
        "target_type": rng.choice(["industrial", "transport", "energy"], n),
        "killed": rng.integers(0, 5, n),
        "location_precision": "exact",
        "sources": [[f"https://example.org/synthetic/{prefix}/{i}"] for i in range(n)],
    }, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def one(record_id: str, lat: float, lon: float, day: str, **fields) -> dict:
    """One SYNTHETIC record as a dict (for small hand-made frames)."""
    return {"id": record_id, "date": day, "latitude": lat, "longitude": lon, **fields}


def frame(*records: dict) -> gpd.GeoDataFrame:
    table = pd.DataFrame(records)
    return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["longitude"], table["latitude"]), crs="EPSG:4326")
