"""The shipped sample: real, sourced incidents (see incidents/data/SAMPLE.md)."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable

import geopandas as gpd

from incidents.io import load

SAMPLE_FILE = "sample_incidents.csv"


def sample_path() -> Traversable:
    """Path of the shipped sample CSV (inside the installed package)."""
    return files("incidents") / "data" / SAMPLE_FILE


@lru_cache(maxsize=1)
def _sample() -> gpd.GeoDataFrame:
    return load(sample_path())


def sample() -> gpd.GeoDataFrame:
    """The shipped sample of real incidents, validated (a fresh copy each call).

    Rows whose sources give no coordinates have no geometry yet: ``geo.geocode`` fills them.

    Example:
        >>> import incidents
        >>> gdf = incidents.sample()
        >>> bool((gdf["id"] == "mukachevo-flex-2025-08-21").any())
        True
    """
    return _sample().copy()
