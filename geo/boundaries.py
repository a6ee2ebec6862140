"""Boundaries of the 27 first-level units, Ukraine's outline, its land borders and neighbours.

Shipped data (geo/data/, rebuilt by ``scripts/build_boundaries.py``): raions and hromadas
of the 2020 reform from OPORA's 2020 election map (CC BY 4.0), keyed to KATOTTG ids; the 27
first-level units are the union of their raions (Kyiv and Sevastopol, which no raion holds,
from the same map), so a point's oblast and raion come from the same lines. Natural Earth
10m admin-0 (public domain, "Germany's point of view": Crimea in Ukraine) gives only the
neighbour countries and the land border lines. The OPORA outlines are generalised (about 10 m
rounding, about 110 vertices per hromada) and leave wide water out (the Kakhovka reservoir,
the Sivash, coastal lagoons): points there fall outside every unit and go to the nearest
one within ``near_km``. For authoritative boundaries load your own with
:func:`load_boundaries` (OCHA COD-AB, geoBoundaries or GADM admin-1; OCHA or geoBoundaries
raions and hromadas with ``level=``). Which unit holds a point is :mod:`geo.locate`'s job;
reading raion/hromada files is :mod:`geo.units`'.

Example:
    >>> import geo
    >>> oblasts = geo.load_oblasts()
    >>> len(oblasts), oblasts.crs.to_epsg()
    (27, 4326)
    >>> oblasts.set_index("iso").loc["UA-21", "name_en"]
    'Zakarpattia'
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod, Transformer

from incidents.oblasts import OBLASTS, UnknownOblastError, oblast, oblast_from_admin1
from incidents.sphere import point_lonlat  # re-exported: geo.boundaries.point_lonlat

__all__ = [
    "load_oblasts",
    "ukraine_outline",
    "macro_region_outlines",
    "load_boundaries",
    "reset_boundaries",
    "active_boundaries_source",
    "boundaries_version",
    "border_lines",
    "neighbours",
    "dnipro_line",
    "dnipro_right_bank",
    "representative_lonlat",
    "nearest_distance_km",
    "point_lonlat",
    "load_units",
    "LEVELS",
    "GEOD",
    "METRIC_CRS",
]

DATA = Path(__file__).parent / "data"
GEOD = Geod(ellps="WGS84")
#: Lambert azimuthal equal-area centred on Ukraine. Used only to find the nearest point
#: of a line or polygon (its scale error is under 1.5% inside Ukraine); distances are then
#: measured geodesically on the WGS84 ellipsoid between the original point and that point.
METRIC_CRS = "+proj=laea +lat_0=48.5 +lon_0=31.5 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
_COLUMNS = ["iso", "name_en", "name_uk", "area_km2", "geometry"]

#: User boundaries made active by load_boundaries(); None means the shipped oblasts.
_user: gpd.GeoDataFrame | None = None
_user_source: str | None = None
#: Levels, and the raion/hromada units made active by load_boundaries() (else the shipped ones).
LEVELS = ("oblast", "raion", "hromada")
_units: dict[str, gpd.GeoDataFrame] = {}


@cache
def _shipped(resolution: str) -> gpd.GeoDataFrame:
    if resolution == "full":
        gdf = gpd.read_parquet(DATA / "boundaries_oblasts.parquet")
    else:
        gdf = gpd.read_file(DATA / "boundaries_oblasts_simplified.geojson")
    return gdf[_COLUMNS]


def load_oblasts(resolution: str = "full") -> gpd.GeoDataFrame:
    """The 27 units as a GeoDataFrame (iso, name_en, name_uk, area_km2, geometry), EPSG:4326.

    ``resolution="full"`` is the union of the shipped raions at their full resolution (for
    exact point assignment);
    ``"simplified"`` shares every edge between neighbours and is for drawing. ``area_km2`` is
    geodesic (WGS84). When user boundaries are active (:func:`load_boundaries`) they are
    returned for both resolutions. Returns a copy: changing it changes nothing here.

    The shipped units are valid in lon/lat. Reprojected (``to_crs``), Kherson oblast is not:
    two slivers of it near Perekop (0.2 and 0.7 km², drawn so by the input) touch its
    mainland at a single point, and rounding turns the touch into an overlap. Take unions
    in lon/lat, or ``make_valid`` after ``to_crs``.
    """
    if resolution not in ("full", "simplified"):
        raise ValueError(f"resolution must be 'full' or 'simplified', not {resolution!r}")
    return (_user if _user is not None else _shipped(resolution)).copy()


def active_boundaries_source() -> str:
    """Where the active oblast boundaries come from (a path, or the shipped OPORA units)."""
    return _user_source or "OPORA 2020 raions dissolved by oblast, CC BY 4.0 (shipped)"


def ukraine_outline(resolution: str = "simplified") -> shapely.Geometry:
    """Ukraine (with Crimea) as one (Multi)Polygon: the union of the active oblasts."""
    return _outline(resolution, boundaries_version())


@cache
def _outline(resolution: str, version: int) -> shapely.Geometry:
    geoms = load_oblasts(resolution).geometry.values
    return shapely.coverage_union_all(geoms) if _user is None else shapely.union_all(geoms)


_version = 0


def boundaries_version() -> int:
    """A number that changes whenever the active boundaries change (for caches built on them)."""
    return _version


def macro_region_outlines(scheme: str = "macro") -> gpd.GeoDataFrame:
    """One (Multi)Polygon per group of ``scheme`` (see :func:`geo.scheme`): GeoDataFrame(group,
    geometry), in the scheme's group order, from the simplified boundaries.

    Example:
        >>> import geo
        >>> list(geo.macro_region_outlines().group)
        ['west', 'centre', 'south', 'east']
    """
    from geo.regions import scheme as get_scheme

    return get_scheme(scheme).outlines(load_oblasts("simplified"))


@cache
def border_lines() -> gpd.GeoDataFrame:
    """Ukraine's land borders: GeoDataFrame(country (ISO alpha-2), name, length_km, geometry).

    Shared parts of the Natural Earth admin-0 outlines; Russia's line is the land border of
    mainland Ukraine (Crimea borders Russia only across the Kerch Strait).
    """
    return gpd.read_file(DATA / "boundaries_borders.geojson")


def border_line(country: str) -> shapely.Geometry:
    """The land border line with one neighbour, by ISO alpha-2 code ("RU", "BY", ...)."""
    lines = border_lines()
    match = lines.loc[lines["country"] == str(country).upper(), "geometry"]
    if match.empty:
        raise ValueError(f"no land border with {country!r}; known: {', '.join(lines['country'])}")
    return match.iloc[0]


@cache
def neighbours() -> gpd.GeoDataFrame:
    """Neighbour countries (country, name, geometry), simplified and clipped near Ukraine, for maps."""
    return gpd.read_file(DATA / "neighbours.geojson")


@cache
def dnipro_line() -> shapely.LineString:
    """The shipped approximation of the Dnipro's course (see scripts/build_boundaries.py)."""
    return gpd.read_file(DATA / "boundaries_dnipro.geojson").geometry.iloc[0]


def dnipro_right_bank() -> shapely.Geometry:
    """A prepared polygon of everything west of :func:`dnipro_line` (the line extended due
    north and due south to the edge of the map): the right bank."""
    return _right_bank()


@cache
def _right_bank() -> shapely.Geometry:
    line = dnipro_line()
    xy = shapely.get_coordinates(line)
    x0, x1 = xy[0][0], xy[-1][0]
    ring = [(x0, 60.0), *map(tuple, xy), (x1, 40.0), (10.0, 40.0), (10.0, 60.0)]
    polygon = shapely.make_valid(shapely.Polygon(ring))
    shapely.prepare(polygon)
    return polygon


def representative_lonlat() -> dict[str, tuple[float, float]]:
    """ISO code -> (lon, lat) of a point inside each active unit (shapely point_on_surface)."""
    return _representative(boundaries_version())


@cache
def _representative(version: int) -> dict[str, tuple[float, float]]:
    oblasts = load_oblasts("full")
    points = shapely.point_on_surface(oblasts.geometry.values)
    return {iso: (p.x, p.y) for iso, p in zip(oblasts["iso"], points)}


@cache
def to_metric() -> Transformer:
    """lon/lat -> :data:`METRIC_CRS` metres."""
    return Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)


@cache
def from_metric() -> Transformer:
    return Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)


def project(geoms) -> np.ndarray:
    """Geometries (lon/lat) in :data:`METRIC_CRS`."""
    return shapely.transform(np.asarray(geoms), lambda xy: np.column_stack(to_metric().transform(xy[:, 0], xy[:, 1])))


def nearest_distance_km(lon: np.ndarray, lat: np.ndarray, target: shapely.Geometry) -> np.ndarray:
    """Geodesic km from each point to the nearest point of ``target`` (lon/lat geometry).

    The nearest point is found in :data:`METRIC_CRS`, then the distance between the point
    and it is measured on the WGS84 ellipsoid (pyproj Geod). NaN where lon/lat is NaN.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    out = np.full(lon.shape, np.nan)
    ok = ~(np.isnan(lon) | np.isnan(lat))
    if not ok.any():
        return out
    x, y = to_metric().transform(lon[ok], lat[ok])
    # Densify first: a long straight edge in lon/lat (a meridian, say) is a curve once
    # projected, and projecting only its ends would cut the corner.
    target_m = _project_one(shapely.segmentize(target, 0.01))
    nearest = shapely.get_coordinates(shapely.shortest_line(*_nearest_parts(shapely.points(x, y), target_m)))[1::2]
    nlon, nlat = from_metric().transform(nearest[:, 0], nearest[:, 1])
    _, _, dist = GEOD.inv(lon[ok], lat[ok], nlon, nlat)
    out[ok] = dist / 1000
    return out


def _nearest_parts(points: np.ndarray, target: shapely.Geometry) -> tuple[np.ndarray, np.ndarray]:
    """(points, the part of ``target`` nearest to each): for a line, its segment found in
    an STRtree. ``shortest_line`` to a whole line scans every segment (~18 µs a point on the
    densified Russian border); to the nearest segment it gives the same point, because GEOS
    keeps the first of equally near segments, as the lowest index among ties here does.
    Areas (a front given as occupied territory) go whole: a point inside is 0 km away."""
    if shapely.get_type_id(target) not in (1, 5):  # LineString, MultiLineString
        return points, np.full(len(points), target, dtype=object)
    coords, line = shapely.get_coordinates(shapely.get_parts(target), return_index=True)
    starts = np.flatnonzero(line[:-1] == line[1:])
    segments = shapely.linestrings(np.stack([coords[starts], coords[starts + 1]], axis=1))
    point, segment = shapely.STRtree(segments).query_nearest(points, all_matches=True)
    first = np.r_[True, point[1:] != point[:-1]]  # sorted by point; ties in tree order
    lowest = np.minimum.reduceat(segment, np.flatnonzero(first)) if len(point) else segment
    return points, segments[lowest]


def _project_one(geom: shapely.Geometry) -> shapely.Geometry:
    return project([geom])[0]


# ---- user boundaries -------------------------------------------------------------------

#: Column conventions recognised by load_boundaries: (name, code column, how codes map,
#: optional name column). Checked in order; the first whose code column exists wins.
_CONVENTIONS = (
    ("OCHA COD-AB", "ADM1_PCODE", oblast, "ADM1_EN"),
    ("geoBoundaries", "shapeISO", oblast, "shapeName"),
    ("GADM", "HASC_1", oblast, "NAME_1"),
    ("GADM", "NAME_1", oblast_from_admin1, None),
    ("incident-mapper", "iso", oblast, "name_en"),
)


def load_boundaries(path: str | Path, layer: str | None = None, level: str = "oblast") -> gpd.GeoDataFrame:
    """Make user-supplied boundaries of ``level`` the active ones and return them.

    ``level="raion"`` or ``"hromada"``: official ADM2/ADM3 files, read by
    :func:`geo.units.read_units` (then :func:`geo.assign_regions` fills ``raion``/``hromada``).
    Files are anything GDAL reads, or GeoParquet. ``level="oblast"`` (admin-1):

    Recognises OCHA COD-AB (``ADM1_PCODE``/``ADM1_EN``), geoBoundaries (``shapeISO``/
    ``shapeName``), GADM (``HASC_1``, else ``NAME_1`` where bare "Kiev" is the oblast) and
    this library's own layout (``iso``); codes are mapped to ISO 3166-2:UA. Rows of one unit
    are merged. Raises ``ValueError`` naming the file, and the row and value, when the
    convention or a code cannot be recognised. :func:`reset_boundaries` goes back to the
    shipped data.

    Example:
        >>> import geo
        >>> # geo.load_boundaries("ukr_admbnda_adm1_sspe_20240416.shp")
        >>> geo.reset_boundaries()
    """
    global _user, _user_source, _version
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    if Path(path).suffix.lower() == ".parquet":  # GeoParquet (GDAL's own reader may be absent)
        raw = gpd.read_parquet(path)
    else:
        raw = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    if level != "oblast":
        from geo.units import read_units

        _units[level] = read_units(raw, path, level)
        _version += 1
        return _units[level].copy()
    lower = {c.lower(): c for c in raw.columns}
    for convention, code_col, lookup, name_col in _CONVENTIONS:
        if code_col.lower() in lower:
            break
    else:
        raise ValueError(
            f"{path}: cannot tell which oblast each row is: expected a column ADM1_PCODE (OCHA),"
            f" shapeISO (geoBoundaries), HASC_1 or NAME_1 (GADM) or iso; found {list(raw.columns)}"
        )
    codes = raw[lower[code_col.lower()]]
    isos = []
    for row, value in codes.items():
        try:
            isos.append(lookup(str(value)).iso)
        except (UnknownOblastError, TypeError) as err:
            raise ValueError(f"{path}: row {row}, {code_col}={value!r} ({convention}): {err}") from None
    if raw.crs is None:
        minx, miny, maxx, maxy = raw.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise ValueError(f"{path}: no CRS and coordinates are not longitude/latitude")
        raw = raw.set_crs("EPSG:4326")
    geoms = gpd.GeoSeries(shapely.make_valid(raw.to_crs("EPSG:4326").geometry.values), crs="EPSG:4326")
    merged = gpd.GeoDataFrame({"iso": isos, "geometry": geoms}, crs="EPSG:4326").dissolve("iso").reset_index()
    registry = {u.iso: u for u in OBLASTS}
    merged["name_en"] = [registry[i].name_en for i in merged["iso"]]
    merged["name_uk"] = [registry[i].name_uk for i in merged["iso"]]
    merged["area_km2"] = [round(abs(GEOD.geometry_area_perimeter(g)[0]) / 1e6, 1) for g in merged.geometry]
    _user = merged[_COLUMNS]
    _user.attrs["source"] = f"{path} ({convention})"
    _user.attrs["missing"] = sorted(set(registry) - set(merged["iso"]))
    _user_source = _user.attrs["source"]
    _version += 1
    return _user.copy()


def reset_boundaries() -> None:
    """Go back to the shipped boundaries: OPORA's 2020 raions and hromadas and the oblasts made of them."""
    global _user, _user_source, _version
    _user, _user_source = None, None
    _units.clear()
    _version += 1


def load_units(level: str) -> gpd.GeoDataFrame:
    """The active units of ``level`` ("oblast": :func:`load_oblasts`; "raion", "hromada":
    GeoDataFrame(code, pcode, name, oblast, geometry): those loaded by
    :func:`load_boundaries`, else the shipped 2020 raions and hromadas keyed to KATOTTG ids,
    see geo/data/SOURCES.md). Returns a copy."""
    if level == "oblast":
        return load_oblasts()
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    return (_units[level] if level in _units else _shipped_units(level)).copy()


@cache
def _shipped_units(level: str) -> gpd.GeoDataFrame:
    units = gpd.read_parquet(DATA / f"boundaries_{level}s.parquet")
    units.attrs["source"] = f"OPORA 2020 {level}s, CC BY 4.0 (shipped)"
    return units
