"""Spatial queries on incident frames, in kilometres on the WGS84 ellipsoid.

Every function takes a GeoDataFrame (EPSG:4326, or anything with a CRS) and returns a
GeoDataFrame with the input's columns (plus ``distance_km`` or a depth column where it makes
sense). Distances are geodesic (pyproj ``Geod``), never degrees.

Example:
    >>> import geopandas as gpd, shapely, geo
    >>> gdf = gpd.GeoDataFrame({"id": ["a", "b"]}, crs=4326,
    ...                        geometry=[shapely.Point(22.718, 48.442), shapely.Point(36.255, 49.982)])
    >>> geo.within(gdf, 48.45, 22.7, km=10)["id"].tolist()
    ['a']
    >>> geo.nearest(gdf, 50.45, 30.52, k=1)["id"].tolist()   # from Kyiv: Kharkiv, not Mukachevo
    ['b']
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import geopandas as gpd
import numpy as np
import shapely

from geo.boundaries import GEOD, border_line, nearest_distance_km, point_lonlat
from geo.errors import GroupError, QueryError, UnknownPlaceError

__all__ = ["centre", "within", "nearest", "in_region", "in_bbox", "distance_to_border", "distance_km"]


def distance_km(gdf: gpd.GeoDataFrame, lat: float, lon: float) -> np.ndarray:
    """Geodesic km from (lat, lon) to each row (NaN for rows without geometry)."""
    x, y = point_lonlat(gdf)
    out = np.full(len(x), np.nan)
    ok = ~np.isnan(x)
    _, _, metres = GEOD.inv(np.full(ok.sum(), float(lon)), np.full(ok.sum(), float(lat)), x[ok], y[ok])
    out[ok] = metres / 1000
    return out


def centre(lat: float | str, lon: float | None = None) -> tuple[float, float]:
    """(lat, lon) from numbers (checked to be in range), or from a place name resolved by the
    offline gazetteer: the centre :func:`within` and :func:`nearest` measure from."""
    if isinstance(lat, str):
        if lon is not None:
            raise TypeError("give a place name or lat, lon; not both")
        return resolve_place(lat)
    if lat is None or lon is None:
        raise TypeError("give lat and lon, or a place name")
    lat, lon = float(lat), float(lon)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise QueryError(f"not a latitude/longitude: {lat:g}, {lon:g} (latitude -90..90, longitude -180..180; "
                         f"Mukachevo is 48.44, 22.72)")
    return lat, lon


def resolve_place(name: str) -> tuple[float, float]:
    """(lat, lon) of a place name through :func:`geo.geocode` (offline gazetteer); a name it
    cannot resolve is an :class:`~geo.errors.UnknownPlaceError` naming it and similar names.

    Example:
        >>> lat, lon = resolve_place("Mukachevo")
        >>> round(lat, 1), round(lon, 1)
        (48.4, 22.7)
    """
    from geo.gazetteer import load_gazetteer
    from geo.geocoding import geocode

    probe = gpd.GeoDataFrame({"id": ["query"], "place": [name]}, geometry=[None], crs="EPSG:4326")
    point = geocode(probe).geometry.iloc[0]
    if point is None or point.is_empty:
        raise UnknownPlaceError(name, load_gazetteer().similar_names(name))
    return point.y, point.x


def within(gdf: gpd.GeoDataFrame, lat: float | str, lon: float | None = None, km: float = 10.0) -> gpd.GeoDataFrame:
    """Rows within ``km`` of (lat, lon) or of a named place, nearest first, with ``distance_km``.

    Example:
        >>> # geo.within(gdf, "Mukachevo", km=25) or geo.within(gdf, 48.44, 22.72, 25)
    """
    if not km >= 0:  # also refuses NaN, which every comparison would silently fail
        raise QueryError(f"km must be a distance of 0 or more, not {km:g}")
    lat, lon = centre(lat, lon)
    out = gdf.copy()
    out["distance_km"] = distance_km(gdf, lat, lon)
    return _geometry_last(out[out["distance_km"] <= km].sort_values("distance_km", kind="stable"))


def nearest(gdf: gpd.GeoDataFrame, lat: float | str, lon: float | None = None, k: int = 5) -> gpd.GeoDataFrame:
    """The ``k`` rows nearest to (lat, lon) or to a named place, nearest first, with ``distance_km``."""
    if k < 0:
        raise QueryError(f"k must be 0 or more, not {k}")
    lat, lon = centre(lat, lon)
    out = gdf.copy()
    out["distance_km"] = distance_km(gdf, lat, lon)
    return _geometry_last(out[out["distance_km"].notna()].sort_values("distance_km", kind="stable").head(k))


def in_region(gdf: gpd.GeoDataFrame, region: str | Iterable[str], scheme="macro") -> gpd.GeoDataFrame:
    """Rows in an oblast (any name or code :func:`geo.oblast` knows) or in a group of
    ``scheme`` ("west", "east", ...); a list selects several. Rows are assigned with
    :func:`geo.assign_regions` (its columns are added) unless that was already done with the
    same scheme.

    Example:
        >>> # geo.in_region(gdf, "west"); geo.in_region(gdf, ["Lviv", "Volyn"])
    """
    from geo.regions import UnknownOblastError, assign_regions, oblast
    from geo.regions import scheme as get_scheme

    chosen = get_scheme(scheme)
    wanted = [region] if isinstance(region, str) else list(region)
    groups, isos = set(), set()
    for name in wanted:
        if name in chosen.groups:
            groups.add(name)
            continue
        try:
            isos.add(oblast(name).iso)
        except UnknownOblastError:
            raise GroupError(
                f"{name!r} is neither an oblast nor a group of scheme {chosen.name!r} ({', '.join(chosen.groups)})"
            ) from None
    assigned = gdf if _assigned_with(gdf, chosen.name) else assign_regions(gdf, chosen)
    mask = assigned["oblast"].isin(isos) | assigned["macro_region"].isin(groups)
    return assigned[mask.to_numpy(dtype=bool)]


def _assigned_with(gdf, scheme_name: str) -> bool:
    return gdf.attrs.get("region_scheme") == scheme_name and {"oblast", "macro_region"} <= set(gdf.columns)


def in_bbox(gdf: gpd.GeoDataFrame, min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> gpd.GeoDataFrame:
    """Rows whose point lies in the box (edges included)."""
    if min_lon > max_lon or min_lat > max_lat:
        raise ValueError(f"empty box: lon {min_lon}..{max_lon}, lat {min_lat}..{max_lat}")
    x, y = point_lonlat(gdf)
    with np.errstate(invalid="ignore"):
        mask = (x >= min_lon) & (x <= max_lon) & (y >= min_lat) & (y <= max_lat)
    return gdf[mask]


def distance_to_border(gdf: gpd.GeoDataFrame, country: str = "RU", *, front_line=None) -> gpd.GeoDataFrame:
    """Add the geodesic distance in km from each row to Ukraine's land border with ``country``
    ("RU" or "BY"; also "MD", "RO", "HU", "SK", "PL") as ``border_distance_km``, or, with
    ``front_line=`` (a shapely geometry, a GeoDataFrame/GeoSeries or a path to any file
    geopandas reads), to that line or area as ``front_distance_km``.

    Distance from the border is not distance from the front line: since 2022 the front runs
    far inside Ukraine's border in the south and east, so "depth from the Russian border"
    overstates how far a strike in Zaporizhzhia or Kherson was from Russian-held ground. Pass
    a front line for that. A front given as an area (occupied territory) counts points inside
    it as 0 km. Distances are unsigned: a point across the border gets its distance too.
    The nearest point of the line is found in a Ukraine-centred equal-area projection, then
    the distance to it is measured on the WGS84 ellipsoid. Rows without geometry get NaN.

    Example:
        >>> # geo.distance_to_border(gdf, "RU")["border_distance_km"].median()
    """
    if front_line is not None:
        target, column = _front_geometry(front_line), "front_distance_km"
    else:
        target, column = border_line(country), "border_distance_km"
    x, y = point_lonlat(gdf)
    out = gdf.copy()
    out[column] = nearest_distance_km(x, y, target)
    return _geometry_last(out)


def _front_geometry(front_line) -> shapely.Geometry:
    if isinstance(front_line, shapely.Geometry):
        return front_line
    if isinstance(front_line, (str, Path)):
        path = Path(front_line)
        if not path.exists():
            raise FileNotFoundError(f"front line file not found: {path}")
        front_line = gpd.read_file(path)
    if isinstance(front_line, (gpd.GeoDataFrame, gpd.GeoSeries)):
        if front_line.crs is not None:
            front_line = front_line.to_crs("EPSG:4326")
        geometry = shapely.union_all(front_line.geometry.values if isinstance(front_line, gpd.GeoDataFrame) else front_line.values)
        if geometry.is_empty:
            raise ValueError("front line has no geometry")
        return geometry
    raise TypeError(f"front_line must be a shapely geometry, GeoDataFrame/GeoSeries or path, not {type(front_line).__name__}")


def _geometry_last(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geometry = gdf.geometry.name
    return gdf[[c for c in gdf.columns if c != geometry] + [geometry]]
