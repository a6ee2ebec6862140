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

import functools
import re
import warnings
from pathlib import Path
from typing import Iterable, Union

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import GEOD, border_line, nearest_distance_km, point_lonlat
from geo.errors import QueryError
from geo.names import SchemeLike

__all__ = ["Where", "centre", "within", "nearest", "in_region", "in_bbox", "distance_to_border", "distance_km",
           "kilometres"]


def distance_km(gdf: gpd.GeoDataFrame, lat: float, lon: float) -> np.ndarray:
    """Geodesic km from (lat, lon) to each row (NaN for rows without geometry)."""
    x, y = point_lonlat(gdf)
    out = np.full(len(x), np.nan)
    ok = ~np.isnan(x)
    _, _, metres = GEOD.inv(np.full(ok.sum(), float(lon)), np.full(ok.sum(), float(lat)), x[ok], y[ok])
    out[ok] = metres / 1000
    return out


#: What :func:`within` and :func:`nearest` measure from: a place name, "lat,lon", (lat, lon),
#: a shapely Point, a GeoDataFrame row (or one-row frame), or lat and lon as two numbers.
Where = Union[str, float, int, tuple, list, shapely.Point, pd.Series, gpd.GeoDataFrame]

_LATLON = re.compile(r"\s*([-+]?\d+(?:\.\d+)?)\s*,\s*([-+]?\d+(?:\.\d+)?)\s*")


def centre(lat: Where, lon: float | str | None = None, *, oblast: str | None = None) -> tuple[float, float]:
    """(lat, lon) from anything :data:`Where` allows, checked to be on the globe; a place name
    goes through the offline gazetteer (:func:`geo.names.place`; ``oblast=`` picks among
    same-named places; a misspelling or an ambiguous name is read with a warning saying
    which place was taken). A pair that lies outside Ukraine but inside it when swapped is
    kept, with a warning naming the fix.

    Example:
        >>> centre("48.44, 22.72") == centre((48.44, 22.72)) == centre(shapely.Point(22.72, 48.44))
        True
    """
    if lon is None:
        lat, lon = _one_value_centre(lat, oblast)
    elif isinstance(lat, str) and not _is_number_text(lat):
        raise TypeError("give a place name or lat, lon; not both")
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise QueryError(f"not a latitude/longitude: {lat!r}, {lon!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise QueryError(f"not a latitude/longitude: {lat:g}, {lon:g} (latitude -90..90, longitude -180..180; "
                         f"Mukachevo is 48.44, 22.72)")
    if not _in_ukraine_box(lat, lon) and _in_ukraine_box(lon, lat):
        warnings.warn(f"({lat:g}, {lon:g}) is outside Ukraine, but ({lon:g}, {lat:g}) is inside: latitude comes "
                      f"first; did you mean ({lon:g}, {lat:g})?", UserWarning, stacklevel=3)
    return lat, lon


def _one_value_centre(where, oblast) -> tuple:
    if isinstance(where, str):
        match = _LATLON.fullmatch(where)
        if match:
            return match[1], match[2]
        from geo.names import place

        found = place(where, oblast=oblast)
        for note in found.notes():
            warnings.warn(note, UserWarning, stacklevel=4)
        return found.lat, found.lon
    if isinstance(where, gpd.GeoDataFrame):
        if len(where) != 1:
            raise QueryError(f"give one row to measure from, not a frame of {len(where)} rows")
        where = where.geometry.iloc[0]
    elif isinstance(where, pd.Series):
        where = where.get("geometry") if "geometry" in where else None
    if isinstance(where, shapely.Point):
        if where.is_empty:
            raise QueryError("the point to measure from is empty")
        return where.y, where.x
    if isinstance(where, (tuple, list)) and len(where) == 2:
        return where[0], where[1]
    raise TypeError(f"measure from a place name, 'lat,lon', (lat, lon), a shapely Point or a row with a point; "
                    f"not {type(where).__name__}{'' if where is None else ' ' + repr(where)[:40]}")


def _is_number_text(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _in_ukraine_box(lat: float, lon: float) -> bool:
    """In the bounding box of Ukraine's outline (with a 1 degree margin): cheap, and enough
    to tell a swapped pair, which lands in Africa, Asia or the ocean."""
    from geo.boundaries import ukraine_outline

    min_lon, min_lat, max_lon, max_lat = _ukraine_bounds(ukraine_outline)
    return min_lat - 1 <= lat <= max_lat + 1 and min_lon - 1 <= lon <= max_lon + 1


@functools.cache
def _ukraine_bounds(outline) -> tuple[float, float, float, float]:
    geometry = outline()
    geometry = geometry.union_all() if hasattr(geometry, "union_all") else geometry
    return tuple(geometry.bounds)


def resolve_place(name: str, oblast: str | None = None) -> tuple[float, float]:
    """(lat, lon) of a place name through the offline gazetteer (:func:`geo.names.place`); a
    name it cannot resolve is an :class:`~geo.errors.UnknownPlaceError` naming it and similar names.

    Example:
        >>> lat, lon = resolve_place("Mukachevo")
        >>> round(lat, 1), round(lon, 1)
        (48.4, 22.7)
    """
    from geo.names import place

    found = place(name, oblast=oblast)
    return found.lat, found.lon


def kilometres(km, what: str = "km") -> float:
    """``km`` as a float: a number or numeric text ("50"), finite and 0 or more."""
    if isinstance(km, bool):
        raise QueryError(f"{what} must be a distance in kilometres, not {km!r}")
    try:
        value = float(km.strip().removesuffix("km").strip() if isinstance(km, str) else km)
    except (TypeError, ValueError):
        raise QueryError(f"{what} must be a distance in kilometres, e.g. {what}=25, not {km!r}") from None
    if not 0 <= value < float("inf"):  # also refuses NaN, which every comparison would silently fail
        raise QueryError(f"{what} must be a distance of 0 or more, not {value:g}")
    return value


def check_frame(gdf, call: str) -> None:
    """A frame of incidents, or a TypeError that says what was passed instead."""
    if isinstance(gdf, tuple) and gdf and isinstance(gdf[0], gpd.GeoDataFrame):
        raise TypeError(f"{call} got a tuple, not a GeoDataFrame: maps.prepare returns (gdf, summary); "
                        "write gdf, summary = maps.prepare(...)")
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise TypeError(f"{call} needs a GeoDataFrame of incidents, not {type(gdf).__name__}")


def _located(gdf, dropna: bool, call: str) -> gpd.GeoDataFrame:
    """``gdf`` checked to be an incident frame whose rows all have a point; with ``dropna``,
    the rows without one are left out instead."""
    check_frame(gdf, call)
    missing = gdf.geometry.isna().to_numpy() | gdf.geometry.is_empty.to_numpy()
    if missing.any() and not dropna:
        count = int(missing.sum())
        raise QueryError(f"{count} row{'s' if count != 1 else ''} ha{'ve' if count != 1 else 's'} no coordinates: "
                         "run geo.geocode first, or pass dropna=True")
    return gdf[~missing] if missing.any() else gdf


def within(gdf: gpd.GeoDataFrame, lat: Where, lon: float | str | None = None, km: float | str = 10.0, *,
           oblast: str | None = None, dropna: bool = False) -> gpd.GeoDataFrame:
    """Rows within ``km`` of a place, nearest first, with ``distance_km``.

    The place is anything :func:`centre` reads: ``within(gdf, "Mukachevo", km=25)``,
    ``within(gdf, 48.44, 22.72, 25)``, ``within(gdf, "48.44,22.72", km=25)``,
    ``within(gdf, (48.44, 22.72), km=25)``, a shapely Point or a row of a frame;
    ``oblast=`` chooses among same-named places. Rows without coordinates are an error
    unless ``dropna=True`` leaves them out.

    Example:
        >>> # geo.within(gdf, "Mukachevo", km=25) or geo.within(gdf, 48.44, 22.72, 25)
    """
    km = kilometres(km)
    lat, lon = centre(lat, lon, oblast=oblast)
    gdf = _located(gdf, dropna, "geo.within")
    out = gdf.copy()
    out["distance_km"] = distance_km(gdf, lat, lon)
    return _geometry_last(out[out["distance_km"] <= km].sort_values("distance_km", kind="stable"))


def nearest(gdf: gpd.GeoDataFrame, lat: Where, lon: float | str | None = None, k: int = 5, *,
            oblast: str | None = None, dropna: bool = False) -> gpd.GeoDataFrame:
    """The ``k`` rows nearest to a place (anything :func:`within` takes), nearest first,
    with ``distance_km``. Rows without coordinates are an error unless ``dropna=True``."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise QueryError(f"k must be a whole number, 0 or more, not {k!r}")
    lat, lon = centre(lat, lon, oblast=oblast)
    gdf = _located(gdf, dropna, "geo.nearest")
    out = gdf.copy()
    out["distance_km"] = distance_km(gdf, lat, lon)
    return _geometry_last(out.sort_values("distance_km", kind="stable").head(k))


def in_region(gdf: gpd.GeoDataFrame, region: str | Iterable[str], scheme: SchemeLike = "macro") -> gpd.GeoDataFrame:
    """Rows in an oblast (any name or code :func:`geo.oblast` knows; a close misspelling is
    read with a warning) or in a group of ``scheme`` ("west", "East", ...); a list selects
    several; an unknown name is an error with "did you mean" suggestions. Rows are assigned
    with :func:`geo.assign_regions` (its columns are added) unless that was already done
    with the same scheme. Rows without coordinates count by their stated oblast.

    Example:
        >>> # geo.in_region(gdf, "west"); geo.in_region(gdf, ["Lviv", "Volyn"])
    """
    from geo.names import region as resolve_region
    from geo.names import resolve_scheme as get_scheme
    from geo.regions import assign_regions

    chosen = get_scheme(scheme)
    wanted = [region] if isinstance(region, str) else list(region)
    found = {"group": set(), "oblast": set()}
    for name in wanted:
        kind, value = resolve_region(name, chosen)
        found[kind].add(value)
    check_frame(gdf, "geo.in_region")
    assigned = gdf if _assigned_with(gdf, chosen.name) else assign_regions(gdf, chosen)
    mask = assigned["oblast"].isin(found["oblast"]) | assigned["macro_region"].isin(found["group"])
    return assigned[mask.to_numpy(dtype=bool)]


def _assigned_with(gdf, scheme_name: str) -> bool:
    return gdf.attrs.get("region_scheme") == scheme_name and {"oblast", "macro_region"} <= set(gdf.columns)


def in_bbox(gdf: gpd.GeoDataFrame, min_lon: float, min_lat: float, max_lon: float, max_lat: float, *,
            dropna: bool = False) -> gpd.GeoDataFrame:
    """Rows whose point lies in the box (edges included). A box that misses Ukraine but
    covers it with longitude and latitude swapped is kept, with a warning naming the fix.
    Rows without coordinates are an error unless ``dropna=True`` leaves them out."""
    try:
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in (min_lon, min_lat, max_lon, max_lat))
    except (TypeError, ValueError):
        raise QueryError(f"a box is four numbers: min_lon, min_lat, max_lon, max_lat; not "
                         f"{min_lon!r}, {min_lat!r}, {max_lon!r}, {max_lat!r}") from None
    if min_lon > max_lon or min_lat > max_lat:
        raise QueryError(f"empty box: lon {min_lon:g}..{max_lon:g}, lat {min_lat:g}..{max_lat:g} "
                         "(the order is min_lon, min_lat, max_lon, max_lat)")
    if not _box_meets_ukraine(min_lon, min_lat, max_lon, max_lat) and _box_meets_ukraine(min_lat, min_lon, max_lat, max_lon):
        warnings.warn(f"the box lon {min_lon:g}..{max_lon:g}, lat {min_lat:g}..{max_lat:g} misses Ukraine, but covers it "
                      f"with longitude and latitude swapped: the order is min_lon, min_lat, max_lon, max_lat; did you "
                      f"mean in_bbox(gdf, {min_lat:g}, {min_lon:g}, {max_lat:g}, {max_lon:g})?", UserWarning, stacklevel=2)
    gdf = _located(gdf, dropna, "geo.in_bbox")
    x, y = point_lonlat(gdf)
    with np.errstate(invalid="ignore"):
        mask = (x >= min_lon) & (x <= max_lon) & (y >= min_lat) & (y <= max_lat)
    return gdf[mask]


def _box_meets_ukraine(min_lon, min_lat, max_lon, max_lat) -> bool:
    from geo.boundaries import ukraine_outline

    b = _ukraine_bounds(ukraine_outline)
    return min_lon <= b[2] and max_lon >= b[0] and min_lat <= b[3] and max_lat >= b[1]


def distance_to_border(gdf: gpd.GeoDataFrame, country: str = "RU", *,
                       front_line: shapely.Geometry | gpd.GeoDataFrame | gpd.GeoSeries | str | Path | None = None
                       ) -> gpd.GeoDataFrame:
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


def _front_geometry(front_line: shapely.Geometry | gpd.GeoDataFrame | gpd.GeoSeries | str | Path) -> shapely.Geometry:
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
