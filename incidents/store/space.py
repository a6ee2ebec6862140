"""Where stored records sit: the index box around a circle, and the order rows are stored in.

Both backends index points by their box (SQLite R-tree, PostGIS GiST): a read of a circle
asks for the box that surely holds it, then measures the geodesic distance of what the box
returns (:meth:`incidents.store.Store.read`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Shortest km per degree of latitude (at the equator) and longest per degree of longitude:
#: a box drawn with them around a circle always holds the whole circle.
KM_PER_DEG_LAT_MIN, KM_PER_DEG_LON_MAX = 110.57, 111.33
#: Height of the latitude bands new records are stored in (see :func:`spatial_order`).
BAND_DEGREES = 0.05


def circle_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees holding every point within ``km`` of (lat, lon)."""
    dlat = km / KM_PER_DEG_LAT_MIN
    far = min(abs(lat) + dlat, 89.999)
    dlon = 180.0 if far > 89 else km / (KM_PER_DEG_LON_MAX * np.cos(np.radians(far)))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def spatial_order(lon, lat) -> np.ndarray:
    """Row positions in bands of 0.05 degrees of latitude (~5.5 km), west to east within a
    band, rows without coordinates last. Stored in this order, the records of one ingest
    that lie near each other share disk pages: a read of a circle touches a run of pages
    per band it crosses instead of one page per record.

    >>> spatial_order([30.5, 22.7, 30.6, None], [50.41, 48.4, 50.42, None]).tolist()
    [1, 0, 2, 3]
    """
    lon, lat = (pd.Series(v, dtype=object).astype(float).to_numpy() for v in (lon, lat))
    band = np.floor(lat / BAND_DEGREES)  # NaN sorts last
    return np.lexsort((lon, band))
