"""Points and distances on the sphere for k-d tree searches: a frame's points as lon/lat
arrays, points as 3-D unit vectors, where the straight-line (chord) distance grows with the
great-circle distance, so scipy's cKDTree finds every pair within a radius. One definition
for the ownership tagger, the store's matching, region assignment, site exposure, fire
corroboration and the gazetteer.

A quarter of the equator is a quarter of the circumference (pi/2 x the radius):

>>> a, b = unit_vectors([0, 0], [0, 90])
>>> round(float(chord_km(np.linalg.norm(a - b))), 1), round(math.pi / 2 * EARTH_RADIUS_KM, 1)
(10007.6, 10007.6)
"""

from __future__ import annotations

import math

import numpy as np
import shapely

#: Mean Earth radius (IUGG), for turning chord lengths into kilometres.
EARTH_RADIUS_KM = 6371.0088


def point_lonlat(frame) -> tuple[np.ndarray, np.ndarray]:
    """lon/lat arrays of the rows of a GeoDataFrame, GeoSeries or geometry column (NaN
    without geometry or with an empty one), in EPSG:4326; non-point geometries (a user's
    site outline) stand for a point on their surface.

    >>> lon, lat = point_lonlat([shapely.Point(22.718, 48.44), None])
    >>> lon.tolist(), lat.tolist()
    ([22.718, nan], [48.44, nan])
    """
    geometry = getattr(frame, "geometry", frame)
    crs = getattr(geometry, "crs", None)
    if crs is not None and not crs.equals("EPSG:4326"):
        geometry = geometry.to_crs("EPSG:4326")
    geoms = np.asarray(getattr(geometry, "values", geometry), dtype=object)
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    if len(coords) == len(geoms) and (len(owner) == 0 or owner[-1] == len(geoms) - 1):
        # One coordinate per row, in row order: every row is a point (the common case).
        return coords[:, 0].copy(), coords[:, 1].copy()
    geoms = np.where(shapely.is_empty(geoms), None, geoms)  # empty counts as missing
    not_point = shapely.get_type_id(geoms) > 0
    geoms[not_point] = shapely.point_on_surface(geoms[not_point])
    return shapely.get_x(geoms), shapely.get_y(geoms)


def unit_vectors(lat, lon) -> np.ndarray:
    """Points on the unit sphere (n x 3) for latitudes and longitudes in degrees."""
    lat, lon = np.radians(np.asarray(lat, float)), np.radians(np.asarray(lon, float))
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def search_chord(km: float) -> float:
    """The chord to search within for pairs up to ``km`` apart on the ground: 1% wider for
    the ellipsoid's flattening, so the WGS84 geodesic that decides afterwards never misses
    a pair the sphere put just outside."""
    return 2 * math.sin(min(km * 1.01 / (2 * EARTH_RADIUS_KM), math.pi / 2))


def chord_km(chord):
    """Great-circle kilometres for a chord length (or an array of them) between unit vectors."""
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord, float) / 2, 0, 1))
