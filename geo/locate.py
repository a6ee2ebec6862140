"""Which unit (oblast, raion or hromada) contains each point, vectorised.

Separate from :mod:`geo.boundaries` (which says *what* the active units are) because this
module changes for speed: a grid of cells known to lie inside one unit, candidate lists for
the cells a boundary crosses, and a KD-tree of the outline for points just outside it.

Example:
    >>> iso, flag, km = locate_points([22.72], [48.44])   # Mukachevo
    >>> iso[0], FLAG_NAMES[flag[0]]
    ('UA-21', 'inside')
"""

from __future__ import annotations

from functools import cache

import numpy as np
import shapely
from scipy.spatial import cKDTree

from geo.boundaries import GEOD, boundaries_version, from_metric, load_oblasts, load_units, project, to_metric

__all__ = ["locate_points", "locate_rows", "NEAR_BORDER_KM", "FLAG_NAMES", "INSIDE", "NEAR_BORDER",
           "OUTSIDE", "NO_COORDINATES", "GRID_MIN_POINTS"]

#: Points outside the outline but at most this far from it are "near_border" and go to the
#: nearest unit: generalised coasts and borders cut off real places (Ochakiv, Skadovsk).
NEAR_BORDER_KM = 10.0
INSIDE, NEAR_BORDER, OUTSIDE, NO_COORDINATES = 0, 1, 2, 3
FLAG_NAMES = np.array(["inside", "near_border", "outside_ukraine", "no_geometry"], dtype=object)

#: Inputs of at least this many points first go through a grid of cells known to lie inside
#: one unit or outside all: only points in cells a boundary crosses need polygon tests. The
#: grid takes 0.1 s (oblasts) to about 1 s (hromadas) to build, which small inputs would not
#: win back.
GRID_MIN_POINTS = 50_000
#: Cell size for the 27 oblasts; levels with more units get finer cells (see _grid_step).
GRID_DEGREES = 0.05
#: Spacing of the densified outline used to find the nearest unit of a point outside all
#: units: distances are to the nearest outline vertex, at most half of this (50 m) long.
OUTLINE_SPACING_M = 100.0
_OFF_GRID, _MIXED, _NONE = -3, -2, -1
#: Up to this many units share GRID_DEGREES cells (oblasts, raions); see _grid_step.
GRID_UNITS = 108


def _grid_step(units: int) -> float:
    """Finer cells for levels with more (so smaller) units, keeping the share of cells a
    boundary crosses down: 0.05 degrees for 27 oblasts, about 0.012 for 1,800 hromadas."""
    return GRID_DEGREES * min(1.0, float(np.sqrt(GRID_UNITS / units)))


class _Grid:
    """Square cells over a box, each known to lie inside one of ``geoms`` (its position),
    outside all of them (-1), or crossed by a boundary (-2). For crossed cells it keeps the
    units whose boundary passes through the cell: the only ones that can contain its points
    (a unit covering part of a crossed cell without crossing it would overlap a neighbour)."""

    def __init__(self, geoms: np.ndarray, box: tuple[float, float, float, float], step: float):
        x0, y0, x1, y1 = box
        self.x0, self.y0, self.step = x0, y0, step
        self.nx, self.ny = int(np.ceil((x1 - x0) / step)), int(np.ceil((y1 - y0) / step))
        # Cells a boundary crosses: densified to a quarter cell, consecutive vertices lie in
        # the same cell or in neighbours. Two edge neighbours hold the segment between them
        # (their union is a rectangle); diagonal neighbours may pass it through the other
        # two cells of their 2x2 block, which are marked too.
        parts, unit = shapely.get_parts(shapely.segmentize(shapely.boundary(geoms), step / 4), return_index=True)
        vertices, part = shapely.get_coordinates(parts, return_index=True)
        vx = np.floor((vertices[:, 0] - x0) / step).astype(np.int64)
        vy = np.floor((vertices[:, 1] - y0) / step).astype(np.int64)
        vunit = unit[part]
        diagonal = np.flatnonzero((part[:-1] == part[1:]) & (vx[:-1] != vx[1:]) & (vy[:-1] != vy[1:]))
        mx = np.concatenate([vx, vx[diagonal], vx[diagonal + 1]])
        my = np.concatenate([vy, vy[diagonal + 1], vy[diagonal]])
        munit = np.concatenate([vunit, vunit[diagonal], vunit[diagonal]])
        ok = (mx >= 0) & (mx < self.nx) & (my >= 0) & (my < self.ny)
        pairs = np.unique((my[ok] * self.nx + mx[ok]) * len(geoms) + munit[ok])
        self.cand_cell, self.cand_unit = pairs // len(geoms), pairs % len(geoms)
        cells = np.full(self.nx * self.ny, _NONE, dtype=np.int64)
        cells[self.cand_cell] = _MIXED
        # Every other cell lies wholly inside one unit or outside all: its centre says which.
        # Each unit tests the free cells of its own bounding box only.
        for i, geom in enumerate(geoms):
            minx, miny, maxx, maxy = geom.bounds
            ix = np.arange(max(int((minx - x0) // step), 0), min(int((maxx - x0) // step) + 1, self.nx))
            iy = np.arange(max(int((miny - y0) // step), 0), min(int((maxy - y0) // step) + 1, self.ny))
            block = (iy[:, None] * self.nx + ix[None, :]).ravel()
            block = block[cells[block] == _NONE]
            cx, cy = x0 + (block % self.nx + 0.5) * step, y0 + (block // self.nx + 0.5) * step
            cells[block[shapely.contains_xy(geom, cx, cy)]] = i
        self.cells = cells

    def lookup(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(cell state, cell number) per point; state -3 off the grid (and for NaN)."""
        with np.errstate(invalid="ignore"):
            ix = np.floor((x - self.x0) / self.step)
            iy = np.floor((y - self.y0) / self.step)
            on = (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        cell = np.full(len(x), -1, dtype=np.int64)
        cell[on] = iy[on].astype(np.int64) * self.nx + ix[on].astype(np.int64)
        state = np.full(len(x), _OFF_GRID, dtype=np.int64)
        state[on] = self.cells[cell[on]]
        return state, cell

    def candidates(self, cell: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position in ``cell``, unit) pairs: the units to test for points in crossed cells."""
        lo = np.searchsorted(self.cand_cell, cell, "left")
        counts = np.searchsorted(self.cand_cell, cell, "right") - lo
        point = np.repeat(np.arange(len(cell)), counts)
        offset = np.arange(len(point)) - np.repeat(np.cumsum(counts) - counts, counts)
        return point, self.cand_unit[np.repeat(lo, counts) + offset]


class _PointIndex:
    """One level's units prepared for vectorised point-in-polygon tests."""

    def __init__(self, codes: np.ndarray, polygons: np.ndarray):
        self.codes = codes
        self.polygons = polygons.copy()
        shapely.prepare(self.polygons)
        self.tree = shapely.STRtree(self.polygons)
        bounds = shapely.bounds(self.polygons)
        self.total = (bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max())
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
        self.whole = shapely.union_all(self.polygons)
        outline = project([self.whole.boundary])[0]
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
            self._grid = _Grid(self.polygons, (minx - 1, miny - 1, maxx + 1, maxy + 1), _grid_step(len(self.polygons)))
        return self._grid

    def buffered(self, km: float) -> tuple[shapely.Geometry, _Grid]:
        """The outline grown by ``km`` (computed in METRIC_CRS, 3% wider to cover the
        projection's scale error), prepared, with a grid over it."""
        if km not in self._buffered:
            grown = shapely.transform(
                shapely.buffer(project([self.whole])[0], km * 1000 * 1.03, quad_segs=4),
                lambda xy: np.column_stack(from_metric().transform(xy[:, 0], xy[:, 1])),
            )
            shapely.prepare(grown)
            minx, miny, maxx, maxy = grown.bounds
            box = (minx - 0.1, miny - 0.1, maxx + 0.1, maxy + 0.1)
            self._buffered[km] = grown, _Grid(np.array([grown]), box, GRID_DEGREES)
        return self._buffered[km]


@cache
def _point_index(level: str, version: int) -> _PointIndex:
    units = load_oblasts("full") if level == "oblast" else load_units(level)
    if units is None:
        raise ValueError(f"no {level} boundaries are active: load them with geo.load_boundaries(path, level={level!r})")
    code = "iso" if level == "oblast" else "code"
    return _PointIndex(units[code].to_numpy(dtype=object), units.geometry.to_numpy())


def locate_points(lon, lat, near_km: float = NEAR_BORDER_KM, level: str = "oblast"):
    """Which active unit of ``level`` each point falls in: ``(code, flag, distance_km)``.

    Codes (ISO 3166-2 for oblasts, the unit's code for raions and hromadas; None outside),
    flag codes (:data:`INSIDE`, :data:`NEAR_BORDER`, :data:`OUTSIDE`, :data:`NO_COORDINATES`;
    names in :data:`FLAG_NAMES`) and the geodesic distance to the assigned unit (0 inside;
    NaN when not assigned). Inputs of :data:`GRID_MIN_POINTS` or more first go through a grid
    of cells known to lie inside one unit or outside all; points in cells a boundary crosses
    are tested (prepared ``shapely.contains_xy``) against the units crossing their cell only;
    smaller inputs against the units whose bounding box holds them (shapely STRtree).
    Points outside every unit but inside the outline grown by ``near_km`` are matched to the
    unit owning the nearest vertex of the outline densified to :data:`OUTLINE_SPACING_M`
    (a scipy KD-tree in METRIC_CRS); the distance to that vertex is measured on the WGS84
    ellipsoid, so it may exceed the true distance to the outline by up to 50 m.
    """
    which, flag, distance, codes = locate_rows(lon, lat, near_km, level)
    return np.append(codes, None)[which], flag, distance


def locate_rows(lon, lat, near_km: float = NEAR_BORDER_KM, level: str = "oblast"):
    """Like :func:`locate_points`, returning row numbers into the active units of ``level``
    (-1 for none) and those units' codes: ``(which, flag, distance_km, codes)``."""
    x = np.asarray(lon, dtype=float).ravel()
    y = np.asarray(lat, dtype=float).ravel()
    index = _point_index(level, boundaries_version())
    located = ~(np.isnan(x) | np.isnan(y))
    use_grid = len(x) >= GRID_MIN_POINTS
    if use_grid:
        state, cell = index.grid().lookup(x, y)
        mixed = np.flatnonzero(located & (state == _MIXED))
        point, unit = index.grid().candidates(cell[mixed])
        point = mixed[point]
        off = np.flatnonzero(located & (state == _OFF_GRID))
    else:
        state = np.full(len(x), _OFF_GRID)
        point, unit = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        off = np.flatnonzero(located)
    if len(off):  # outside the grid's box, or no grid: candidates by bounding box
        found, box_unit = index.tree.query(shapely.points(x[off], y[off]))
        point, unit = np.concatenate([point, off[found]]), np.concatenate([unit, box_unit])
    which = np.where(state >= 0, state, -1)
    hit = shapely.contains_xy(index.polygons[unit], x[point], y[point])
    # Overlapping user polygons: the first unit (in file order) wins, as with a loop over units.
    first = np.full(len(x), len(index.polygons))
    np.minimum.at(first, point[hit], unit[hit])
    which[first < len(index.polygons)] = first[first < len(index.polygons)]
    flag = np.where(located, np.where(which >= 0, INSIDE, OUTSIDE), NO_COORDINATES).astype(np.int8)
    distance = np.where(which >= 0, 0.0, np.nan)

    # Outside every unit: the nearest unit within near_km, if any. Only points inside the
    # outline grown by near_km go to the nearest search.
    cand = np.flatnonzero(flag == OUTSIDE)
    grown, grown_grid = index.buffered(near_km)
    near_state = grown_grid.lookup(x[cand], y[cand])[0] if use_grid else np.full(len(cand), _OFF_GRID)
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
    return which, flag, distance, index.codes
