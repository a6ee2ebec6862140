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
from scipy import ndimage
from scipy.spatial import cKDTree

from geo.boundaries import GEOD, boundaries_version, from_metric, load_oblasts, load_units, to_metric

__all__ = ["locate_points", "locate_rows", "NEAR_BORDER_KM", "FLAG_NAMES", "INSIDE", "NEAR_BORDER",
           "OUTSIDE", "NO_COORDINATES", "GRID_MIN_POINTS"]

#: Points outside the outline but at most this far from it are "near_border" and go to the
#: nearest unit: generalised coasts and borders leave real places just outside (Domnytsia on
#: the Dniester, 0.4 km), and the units leave wide water out (the Kakhovka reservoir).
NEAR_BORDER_KM = 10.0
INSIDE, NEAR_BORDER, OUTSIDE, NO_COORDINATES = 0, 1, 2, 3
FLAG_NAMES = np.array(["inside", "near_border", "outside_ukraine", "no_geometry"], dtype=object)

#: Inputs of at least this many points first go through a grid of cells known to lie inside
#: one unit or outside all: only points in cells a boundary crosses need polygon tests. The
#: grid takes 0.1 s (oblasts) to a few seconds (2,000 hromadas) to build, which small inputs would not
#: win back.
GRID_MIN_POINTS = 50_000
#: Cell size for the 27 oblasts; levels with more units get finer cells (see _grid_step).
GRID_DEGREES = 0.05
#: Cell size of the grid that tells which points may lie within near_km of the outline.
NEAR_DEGREES = 0.01
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


def _cell_of(x: np.ndarray, y: np.ndarray, layout: tuple) -> np.ndarray:
    """Cell number of each point in a grid ``(x0, y0, step, nx, ny)``; -1 off it (and NaN)."""
    x0, y0, step, nx, ny = layout
    with np.errstate(invalid="ignore"):
        ix, iy = np.floor((x - x0) / step), np.floor((y - y0) / step)
        on = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
    cell = np.full(len(x), -1, dtype=np.int64)
    cell[on] = iy[on].astype(np.int64) * nx + ix[on].astype(np.int64)
    return cell


class _Grid:
    """Square cells over a box, each known to lie inside one of ``geoms`` (its position),
    outside all of them (-1), or crossed by a boundary (-2). For crossed cells it keeps the
    units whose boundary passes through the cell: in a coverage (neighbours sharing their
    edges) the only ones that can contain its points. The marking of diagonal steps is a
    superset, so where neighbours' edges differ a unit may hold part of a crossed cell
    without being listed: locate_rows checks points no candidate holds against all units."""

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
        """(cell state, cell number) per point; state -3 and cell -1 off the grid (and for NaN)."""
        cell = _cell_of(x, y, (self.x0, self.y0, self.step, self.nx, self.ny))
        state = np.full(len(x), _OFF_GRID, dtype=np.int64)
        state[cell >= 0] = self.cells[cell[cell >= 0]]
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
        # Nearest-unit search for points outside every unit runs on the units' rings cut into
        # segments, less the segments two units share (same two ends): those lie inside the
        # union, so they are never nearer to an outside point than the outline. (Shared edges
        # drawn with different vertices stay in: harmless, only larger.)
        parts = shapely.get_parts(self.polygons)
        owner = np.repeat(np.arange(len(self.polygons)), shapely.get_num_geometries(self.polygons))
        owner = np.repeat(owner, shapely.get_num_interior_rings(parts) + 1)
        coords, ring_of = shapely.get_coordinates(shapely.get_rings(parts), return_index=True)
        starts = np.flatnonzero(ring_of[:-1] == ring_of[1:])
        a, b = coords[starts], coords[starts + 1]
        swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
        ends = np.ascontiguousarray(np.column_stack([np.where(swap[:, None], b, a), np.where(swap[:, None], a, b)]))
        _, seen, count = np.unique(ends.view(np.dtype((np.void, 32))).ravel(), return_inverse=True, return_counts=True)
        once = count[seen] == 1
        a, b, seg_owner = a[once], b[once], owner[ring_of[starts]][once]
        # The outline densified to OUTLINE_SPACING_M in METRIC_CRS, in a KD-tree (scipy): the
        # nearest vertex stands for the nearest point of the outline, at most half the spacing off.
        am = np.column_stack(to_metric().transform(a[:, 0], a[:, 1]))
        bm = np.column_stack(to_metric().transform(b[:, 0], b[:, 1]))
        pieces = np.maximum(np.ceil(np.hypot(*(bm - am).T) / OUTLINE_SPACING_M).astype(np.int64), 1)
        segment = np.repeat(np.arange(len(am)), pieces + 1)
        t = (np.arange(len(segment)) - np.repeat(np.cumsum(pieces + 1) - (pieces + 1), pieces + 1)) / pieces[segment]
        self.outline_xy = am[segment] + (bm - am)[segment] * t[:, None]
        self.outline_lonlat = np.column_stack(from_metric().transform(self.outline_xy[:, 0], self.outline_xy[:, 1]))
        self.outline_owner = seg_owner[segment]
        self.outline_tree = cKDTree(self.outline_xy)
        self._grid: _Grid | None = None
        self._near: dict[float, tuple[tuple, np.ndarray]] = {}

    def grid(self) -> _Grid:
        if self._grid is None:
            minx, miny, maxx, maxy = self.total
            self._grid = _Grid(self.polygons, (minx - 1, miny - 1, maxx + 1, maxy + 1), _grid_step(len(self.polygons)))
        return self._grid

    def near(self, km: float, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """May each point lie within ``km`` of the outline? Looked up in a grid of
        NEAR_DEGREES cells over the units' box (grown by 1 degree): True where the cell's
        distance to the nearest cell holding an outline vertex (scipy's Euclidean distance
        transform, in km at the box's highest latitude, where a degree of longitude is
        shortest) is within ``km`` plus 10% plus a cell diagonal, and off the grid: a
        superset, the geodesic check decides."""
        if km not in self._near:
            minx, miny, maxx, maxy = self.total
            layout = (minx - 1, miny - 1, NEAR_DEGREES,
                      int(np.ceil((maxx - minx + 2) / NEAR_DEGREES)), int(np.ceil((maxy - miny + 2) / NEAR_DEGREES)))
            vertices = _cell_of(self.outline_lonlat[:, 0], self.outline_lonlat[:, 1], layout)
            free = np.ones(layout[3] * layout[4], dtype=bool)
            free[vertices[vertices >= 0]] = False
            dy = 110.5 * NEAR_DEGREES
            dx = 111.32 * np.cos(np.radians(max(abs(maxy + 1), abs(miny - 1)))) * NEAR_DEGREES
            km_to_vertex = ndimage.distance_transform_edt(free.reshape(layout[4], layout[3]), sampling=(dy, dx))
            self._near[km] = layout, (km_to_vertex <= km * 1.1 + np.hypot(dx, dy)).ravel()
        layout, near = self._near[km]
        cell = _cell_of(x, y, layout)
        return np.where(cell >= 0, near[np.maximum(cell, 0)], True)


@cache
def _point_index(level: str, version: int) -> _PointIndex:
    units = load_oblasts("full") if level == "oblast" else load_units(level)
    code = "iso" if level == "oblast" else "code"
    return _PointIndex(units[code].to_numpy(dtype=object), units.geometry.to_numpy())


def _first_holder(index: _PointIndex, x, y, point: np.ndarray, unit: np.ndarray, which: np.ndarray) -> None:
    """Set ``which`` of each candidate ``point`` still unassigned to the first of its
    candidate ``unit``s (in file order) that contains it: one prepared contains_xy per unit
    (on an array of geometries shapely would not use the prepared ones: four times slower);
    overlapping user polygons: the first unit in file order wins, as with a loop over units."""
    order = np.lexsort((point, unit))
    point, unit = point[order], unit[order]
    bounds = np.flatnonzero(np.diff(unit)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(unit)]) if len(unit) else ():
        rows = point[lo:hi]
        rows = rows[which[rows] < 0]
        which[rows[shapely.contains_xy(index.polygons[unit[lo]], x[rows], y[rows])]] = unit[lo]


def locate_points(lon, lat, near_km: float = NEAR_BORDER_KM, level: str = "oblast"):
    """Which active unit of ``level`` each point falls in: ``(code, flag, distance_km)``.

    Codes (ISO 3166-2 for oblasts, the unit's code for raions and hromadas; None outside),
    flag codes (:data:`INSIDE`, :data:`NEAR_BORDER`, :data:`OUTSIDE`, :data:`NO_COORDINATES`;
    names in :data:`FLAG_NAMES`) and the geodesic distance to the assigned unit (0 inside;
    NaN when not assigned). Inputs of :data:`GRID_MIN_POINTS` or more first go through a grid
    of cells known to lie inside one unit or outside all; points in cells a boundary crosses
    are tested (prepared ``shapely.contains_xy``) against the units crossing their cell only;
    smaller inputs against the units whose bounding box holds them (shapely STRtree).
    Points outside every unit are matched to the unit owning the nearest vertex of the
    outline densified to :data:`OUTLINE_SPACING_M` (a scipy KD-tree in METRIC_CRS; on the
    grid path only points in cells within ``near_km`` of the outline are searched) when that
    vertex is at most ``near_km`` away; the distance to that vertex is measured on the WGS84
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
    _first_holder(index, x, y, point, unit, which)
    if use_grid:
        # The grid's candidates of a crossed cell are the units whose boundary crosses it;
        # a unit holding part of the cell without a boundary there (neighbours that do not
        # share their edges exactly, as in real-world files) is missed: such points are
        # checked against every unit whose bounding box holds them.
        missed = np.flatnonzero(located & (state == _MIXED) & (which < 0))
        if len(missed):
            found, box_unit = index.tree.query(shapely.points(x[missed], y[missed]))
            _first_holder(index, x, y, missed[found], box_unit, which)
    flag = np.where(located, np.where(which >= 0, INSIDE, OUTSIDE), NO_COORDINATES).astype(np.int8)
    distance = np.where(which >= 0, 0.0, np.nan)

    # Outside every unit: the nearest unit within near_km, if any. On the grid path only
    # points in cells near the outline go to the nearest search.
    cand = np.flatnonzero(flag == OUTSIDE)
    if use_grid:
        cand = cand[index.near(near_km, x[cand], y[cand])]
    if len(cand):
        mx, my = to_metric().transform(x[cand], y[cand])
        # 3% slack covers the projection's scale error; the geodesic check below decides.
        metres_m, vertex = index.outline_tree.query(np.column_stack([mx, my]), distance_upper_bound=near_km * 1000 * 1.03)
        got = np.flatnonzero(np.isfinite(metres_m))
        if len(got):
            nearest = index.outline_lonlat[vertex[got]]
            _, _, metres = GEOD.inv(x[cand[got]], y[cand[got]], nearest[:, 0], nearest[:, 1])
            km = metres / 1000
            keep = km <= near_km
            rows = cand[got[keep]]
            which[rows] = index.outline_owner[vertex[got[keep]]]
            distance[rows] = km[keep]
            # On a shared edge contains_xy is False for both units; distance 0 means inside.
            flag[rows] = np.where(km[keep] == 0, INSIDE, NEAR_BORDER)
    return which, flag, distance, index.codes
