"""Boundaries of the 27 first-level units, Ukraine's outline, its land borders and neighbours.

Shipped data (geo/data/, rebuilt by ``scripts/build_boundaries.py``) comes from Natural
Earth 10m (public domain): admin-1 for the units, admin-0 "Germany's point of view"
(Crimea in Ukraine) for the neighbours and the land border lines. Natural Earth is
generalised: its Kyiv City outline is about twice the real city, the Crimea/Sevastopol line
is approximate and some coastal towns fall just offshore. For authoritative boundaries load
your own with :func:`load_boundaries` (OCHA COD-AB, geoBoundaries or GADM admin-1).

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
from scipy.spatial import cKDTree

from incidents.oblasts import OBLASTS, UnknownOblastError, oblast, oblast_from_admin1

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
    "locate_points",
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

#: User boundaries made active by load_boundaries(); None means the shipped Natural Earth data.
_user: gpd.GeoDataFrame | None = None
_user_source: str | None = None


@cache
def _shipped(resolution: str) -> gpd.GeoDataFrame:
    if resolution == "full":
        gdf = gpd.read_parquet(DATA / "boundaries_oblasts.parquet")
    else:
        gdf = gpd.read_file(DATA / "boundaries_oblasts_simplified.geojson")
    return gdf[_COLUMNS]


def load_oblasts(resolution: str = "full") -> gpd.GeoDataFrame:
    """The 27 units as a GeoDataFrame (iso, name_en, name_uk, area_km2, geometry), EPSG:4326.

    ``resolution="full"`` is Natural Earth 10m as published (for exact point assignment);
    ``"simplified"`` shares every edge between neighbours and is for drawing. ``area_km2`` is
    geodesic (WGS84). When user boundaries are active (:func:`load_boundaries`) they are
    returned for both resolutions. Returns a copy: changing it changes nothing here.
    """
    if resolution not in ("full", "simplified"):
        raise ValueError(f"resolution must be 'full' or 'simplified', not {resolution!r}")
    return (_user if _user is not None else _shipped(resolution)).copy()


def active_boundaries_source() -> str:
    """Where the active oblast boundaries come from (a path, or Natural Earth)."""
    return _user_source or "Natural Earth 10m admin-1 (shipped)"


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
    nearest = shapely.get_coordinates(shapely.shortest_line(shapely.points(x, y), target_m))[1::2]
    nlon, nlat = from_metric().transform(nearest[:, 0], nearest[:, 1])
    _, _, dist = GEOD.inv(lon[ok], lat[ok], nlon, nlat)
    out[ok] = dist / 1000
    return out


def point_lonlat(gdf) -> tuple[np.ndarray, np.ndarray]:
    """lon/lat arrays of a GeoDataFrame's rows (NaN without geometry), in EPSG:4326;
    non-point geometries stand for a point on their surface."""
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    if len(coords) == len(geoms) and (len(owner) == 0 or owner[-1] == len(geoms) - 1):
        # One coordinate per row, in row order: every row is a point (the common case).
        return coords[:, 0].copy(), coords[:, 1].copy()
    geoms = np.where(shapely.is_empty(geoms), None, geoms)  # empty counts as missing
    not_point = shapely.get_type_id(geoms) > 0
    geoms[not_point] = shapely.point_on_surface(geoms[not_point])
    return shapely.get_x(geoms), shapely.get_y(geoms)


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


def load_boundaries(path: str | Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Make user-supplied admin-1 boundaries the active ones and return them.

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
    raw = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
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
    """Go back to the shipped Natural Earth boundaries."""
    global _user, _user_source, _version
    _user, _user_source = None, None
    _version += 1


# ---- point assignment -------------------------------------------------------------------

#: Points outside the outline but at most this far from it are "near_border" and go to the
#: nearest unit: generalised coasts and borders cut off real places (Ochakiv, Skadovsk).
NEAR_BORDER_KM = 10.0
INSIDE, NEAR_BORDER, OUTSIDE, NO_COORDINATES = 0, 1, 2, 3
FLAG_NAMES = np.array(["inside", "near_border", "outside_ukraine", "no_geometry"], dtype=object)


#: Inputs of at least this many points first go through a grid of cells known to lie inside
#: one unit or outside all: only points in cells a boundary crosses need polygon tests. The
#: grid takes about 0.1 s to build, which small inputs would not win back.
GRID_MIN_POINTS = 50_000
GRID_DEGREES = 0.05
#: Spacing of the densified outline used to find the nearest unit of a point outside all
#: units: distances are to the nearest outline vertex, at most half of this (50 m) long.
OUTLINE_SPACING_M = 100.0
_OFF_GRID, _MIXED, _NONE = -3, -2, -1


class _Grid:
    """Square cells over a box, each known to lie inside one of ``geoms`` (its position),
    outside all of them (-1), or crossed by a boundary (-2: its points need exact tests)."""

    def __init__(self, geoms: np.ndarray, box: tuple[float, float, float, float], step: float = GRID_DEGREES):
        x0, y0, x1, y1 = box
        self.x0, self.y0, self.step = x0, y0, step
        self.nx, self.ny = int(np.ceil((x1 - x0) / step)), int(np.ceil((y1 - y0) / step))
        cx, cy = np.meshgrid(x0 + (np.arange(self.nx) + 0.5) * step, y0 + (np.arange(self.ny) + 0.5) * step)
        cx, cy = cx.ravel(), cy.ravel()
        cells = np.full(self.nx * self.ny, _NONE, dtype=np.int64)
        for i, geom in enumerate(geoms):
            minx, miny, maxx, maxy = geom.bounds
            near = np.flatnonzero((cx >= minx) & (cx <= maxx) & (cy >= miny) & (cy <= maxy))
            cells[near[shapely.contains_xy(geom, cx[near], cy[near])]] = i
        # Cells a boundary crosses: densified to a quarter cell, consecutive vertices lie in
        # the same cell or in neighbours. Two edge neighbours hold the segment between them
        # (their union is a rectangle); diagonal neighbours may pass it through the other
        # two cells of their 2x2 block, which are marked too.
        lines = shapely.get_parts(shapely.segmentize(shapely.boundary(geoms), step / 4))
        vertices, part = shapely.get_coordinates(lines, return_index=True)
        vx = np.floor((vertices[:, 0] - x0) / step).astype(np.int64)
        vy = np.floor((vertices[:, 1] - y0) / step).astype(np.int64)
        diagonal = np.flatnonzero((part[:-1] == part[1:]) & (vx[:-1] != vx[1:]) & (vy[:-1] != vy[1:]))
        mx = np.concatenate([vx, vx[diagonal], vx[diagonal + 1]])
        my = np.concatenate([vy, vy[diagonal + 1], vy[diagonal]])
        ok = (mx >= 0) & (mx < self.nx) & (my >= 0) & (my < self.ny)
        cells[my[ok] * self.nx + mx[ok]] = _MIXED
        self.cells = cells

    def lookup(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Cell state per point; -3 off the grid (and for NaN)."""
        with np.errstate(invalid="ignore"):
            ix = np.floor((x - self.x0) / self.step)
            iy = np.floor((y - self.y0) / self.step)
            on = (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        state = np.full(len(x), _OFF_GRID, dtype=np.int64)
        state[on] = self.cells[iy[on].astype(np.int64) * self.nx + ix[on].astype(np.int64)]
        return state


class _PointIndex:
    """The active units prepared for vectorised point-in-polygon tests."""

    def __init__(self, oblasts: gpd.GeoDataFrame):
        self.isos = oblasts["iso"].to_numpy(dtype=object)
        self.polygons = oblasts.geometry.to_numpy().copy()
        shapely.prepare(self.polygons)
        self.bounds = shapely.bounds(self.polygons)
        self.total = (self.bounds[:, 0].min(), self.bounds[:, 1].min(), self.bounds[:, 2].max(), self.bounds[:, 3].max())
        # Nearest-unit search for points outside every unit runs on the outline only, in
        # METRIC_CRS: the units' rings cut into segments, keeping the segments that lie on
        # the outline (edges shared by two units cannot be nearest to an outside point).
        parts = shapely.get_parts(self.polygons)
        owner = np.repeat(np.arange(len(self.polygons)), shapely.get_num_geometries(self.polygons))
        owner = np.repeat(owner, shapely.get_num_interior_rings(parts) + 1)
        coords, ring_of = shapely.get_coordinates(shapely.get_rings(parts), return_index=True)
        starts = np.flatnonzero(ring_of[:-1] == ring_of[1:])
        coords = np.column_stack(to_metric().transform(coords[:, 0], coords[:, 1]))
        segments = shapely.linestrings(np.stack([coords[starts], coords[starts + 1]], axis=1))
        # Only points outside every unit are searched, so only the outline's segments can be
        # nearest: edges shared by two units are left out (a third of the tree or less).
        outline = project([shapely.union_all(self.polygons).boundary])[0]
        shapely.prepare(outline)
        on_outline = shapely.dwithin(outline, shapely.line_interpolate_point(segments, 0.5, normalized=True), 1.0)
        # The outline densified to OUTLINE_SPACING_M, in a KD-tree (scipy): the nearest
        # vertex stands for the nearest point of the outline, at most half the spacing off.
        dense, segment = shapely.get_coordinates(
            shapely.segmentize(segments[on_outline], OUTLINE_SPACING_M), return_index=True
        )
        self.outline_xy = dense
        self.outline_owner = owner[ring_of[starts]][on_outline][segment]
        self.outline_tree = cKDTree(dense)
        self._grid: _Grid | None = None
        self._buffered: dict[float, tuple[shapely.Geometry, _Grid]] = {}

    def grid(self) -> _Grid:
        if self._grid is None:
            minx, miny, maxx, maxy = self.total
            self._grid = _Grid(self.polygons, (minx - 1, miny - 1, maxx + 1, maxy + 1))
        return self._grid

    def buffered(self, km: float) -> tuple[shapely.Geometry, _Grid]:
        """The outline grown by ``km`` (computed in METRIC_CRS, 3% wider to cover the
        projection's scale error), prepared, with a grid over it."""
        if km not in self._buffered:
            outline_m = shapely.union_all(project([shapely.union_all(self.polygons)]))
            grown = shapely.transform(
                shapely.buffer(outline_m, km * 1000 * 1.03, quad_segs=4),
                lambda xy: np.column_stack(from_metric().transform(xy[:, 0], xy[:, 1])),
            )
            shapely.prepare(grown)
            minx, miny, maxx, maxy = grown.bounds
            self._buffered[km] = grown, _Grid(np.array([grown]), (minx - 0.1, miny - 0.1, maxx + 0.1, maxy + 0.1))
        return self._buffered[km]


@cache
def _point_index(version: int) -> _PointIndex:
    return _PointIndex(load_oblasts("full"))


def locate_points(lon, lat, near_km: float = NEAR_BORDER_KM) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which active unit each point falls in, vectorised.

    Returns ``(iso, flag, distance_km)``: ISO codes (None outside), flag codes
    (:data:`INSIDE`, :data:`NEAR_BORDER`, :data:`OUTSIDE`, :data:`NO_COORDINATES`; names in
    :data:`FLAG_NAMES`) and the geodesic distance to the assigned unit (0 inside; NaN when
    not assigned). Inputs of :data:`GRID_MIN_POINTS` or more first go through a grid of
    cells known to lie inside one unit or outside all; the remaining points are tested with
    prepared ``shapely.contains_xy`` per unit, on the points inside its bounding box only.
    Points outside every unit but inside the outline grown by ``near_km`` are matched to the
    unit owning the nearest vertex of the outline densified to :data:`OUTLINE_SPACING_M`
    (a scipy KD-tree in :data:`METRIC_CRS`); the distance to that vertex is measured on the
    WGS84 ellipsoid, so it may exceed the true distance to the outline by up to 50 m.

    Example:
        >>> iso, flag, km = locate_points([22.72], [48.44])   # Mukachevo
        >>> iso[0], FLAG_NAMES[flag[0]]
        ('UA-21', 'inside')
    """
    which, flag, distance, isos = locate_rows(lon, lat, near_km)
    return np.append(isos, None)[which], flag, distance


def locate_rows(lon, lat, near_km: float = NEAR_BORDER_KM) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Like :func:`locate_points`, returning row numbers into the active units (-1 for
    none) and those units' ISO codes: ``(which, flag, distance_km, isos)``."""
    x = np.asarray(lon, dtype=float).ravel()
    y = np.asarray(lat, dtype=float).ravel()
    index = _point_index(boundaries_version())
    located = ~(np.isnan(x) | np.isnan(y))
    use_grid = len(x) >= GRID_MIN_POINTS
    state = index.grid().lookup(x, y) if use_grid else np.full(len(x), _OFF_GRID)
    which = np.where(state >= 0, state, -1)
    test = np.flatnonzero(located & (state <= _MIXED))
    tx, ty = x[test], y[test]
    for i, (minx, miny, maxx, maxy) in enumerate(index.bounds):
        cand = np.flatnonzero((tx >= minx) & (tx <= maxx) & (ty >= miny) & (ty <= maxy) & (which[test] < 0))
        if len(cand):
            hit = shapely.contains_xy(index.polygons[i], tx[cand], ty[cand])
            which[test[cand[hit]]] = i
    flag = np.where(located, np.where(which >= 0, INSIDE, OUTSIDE), NO_COORDINATES).astype(np.int8)
    distance = np.where(which >= 0, 0.0, np.nan)

    # Outside every unit: the nearest unit within near_km, if any. Only points inside the
    # outline grown by near_km go to the nearest search.
    cand = np.flatnonzero(flag == OUTSIDE)
    grown, grown_grid = index.buffered(near_km)
    near_state = grown_grid.lookup(x[cand], y[cand]) if use_grid else np.full(len(cand), _OFF_GRID)
    unsure = near_state <= _MIXED
    unsure[unsure] = shapely.contains_xy(grown, x[cand[unsure]], y[cand[unsure]])
    cand = cand[(near_state == 0) | unsure]
    if len(cand):
        mx, my = to_metric().transform(x[cand], y[cand])
        # 3% slack covers the projection's scale error; the geodesic check below decides.
        metres_m, vertex = index.outline_tree.query(np.column_stack([mx, my]), distance_upper_bound=near_km * 1000 * 1.03)
        got = np.flatnonzero(np.isfinite(metres_m))
        if len(got):
            nearest = index.outline_xy[vertex[got]]
            nlon, nlat = from_metric().transform(nearest[:, 0], nearest[:, 1])
            _, _, metres = GEOD.inv(x[cand[got]], y[cand[got]], nlon, nlat)
            km = metres / 1000
            keep = km <= near_km
            rows = cand[got[keep]]
            which[rows] = index.outline_owner[vertex[got[keep]]]
            distance[rows] = km[keep]
            # On a shared edge contains_xy is False for both units; distance 0 means inside.
            flag[rows] = np.where(km[keep] == 0, INSIDE, NEAR_BORDER)
    return which, flag, distance, index.isos
