"""Benchmark rows for geo.assign_regions and the boundary data: synthetic points (and, for
the raion/hromada row, SYNTHETIC units) vs geopandas.sjoin on the same data.

    .venv/bin/python -m scripts.benchmarks.regions          # prints the rows
    SIZE = 1_000_000 points by default; set scripts.benchmarks.regions.SIZE to run small.

The points are synthetic (``synthetic_`` ids), uniform over Ukraine's bounding box plus a
margin, so about 60% fall inside Ukraine. Both sides get the same GeoDataFrame. The baseline
is ``geopandas.sjoin(points, layer, predicate="within")`` for each of the three layers on the
same polygons; answers are compared point by point (ours restricted to ``inside`` points,
which is what sjoin answers).
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

import geo
from geo.locate import INSIDE, locate_points

from .timing import Row, median_time

SIZE = 1_000_000
REPEAT = 7
COMMAND = "python scripts/bench.py --only regions"
#: Unit counts of the synthetic levels: Ukraine has 136 raions and 1,469 hromadas (KATOTTG).
SYNTHETIC_UNITS = {"raion": 136, "hromada": 1469}
#: Synthetic edges are densified to this spacing (degrees, ~100 m) so that units carry about
#: as many vertices as official boundaries (OCHA's ADM3 file: ~1 million), which is what
#: point-in-polygon tests cost.
SYNTHETIC_SPACING = 0.001


def synthetic_points(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(21.5, 41.0, n)
    lat = rng.uniform(44.0, 52.7, n)
    return gpd.GeoDataFrame({"id": [f"synthetic_{i}" for i in range(n)]},
                            geometry=shapely.points(lon, lat), crs="EPSG:4326")


def synthetic_units(level: str, count: int, seed: int = 0) -> gpd.GeoDataFrame:
    """SYNTHETIC units for benchmarks and tests, not real raions or hromadas: Voronoi cells of
    ``count`` random seeds inside Ukraine, cut along the active oblasts so each piece lies in
    one oblast; this library's unit layout (code ``SYNTHETIC-<level>-<n>``, name, oblast).
    The pieces tile the oblasts like real units: shared edges, no gaps."""
    oblasts = geo.load_oblasts()
    outline = shapely.union_all(oblasts.geometry.values)
    minx, miny, maxx, maxy = oblasts.total_bounds
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(minx, maxx, count * 4), rng.uniform(miny, maxy, count * 4)
    inside = shapely.contains_xy(outline, x, y)
    seeds = shapely.multipoints(np.column_stack([x[inside], y[inside]])[:count])
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=shapely.box(minx - 1, miny - 1, maxx + 1, maxy + 1)))
    cells = shapely.segmentize(cells, SYNTHETIC_SPACING)
    tree = shapely.STRtree(cells)
    rows = []
    for iso, oblast_geom in zip(oblasts["iso"], oblasts.geometry):
        for piece in shapely.intersection(cells[tree.query(oblast_geom, predicate="intersects")], oblast_geom):
            parts = shapely.get_parts(piece)
            polygons = parts[shapely.get_type_id(parts) == 3]
            if len(polygons):
                rows.append((f"SYNTHETIC-{level}-{len(rows) + 1}", f"synthetic {level} {len(rows) + 1}", iso,
                             shapely.multipolygons(polygons) if len(polygons) > 1 else polygons[0]))
    return gpd.GeoDataFrame(rows, columns=["code", "name", "oblast", "geometry"], crs="EPSG:4326")


def activate_synthetic_units(folder) -> dict[str, gpd.GeoDataFrame]:
    """Write SYNTHETIC raions and hromadas to ``folder`` and make them the active units."""
    active = {}
    for level, count in SYNTHETIC_UNITS.items():
        path = folder / f"synthetic_{level}s.parquet"
        synthetic_units(level, count, seed=len(level)).to_parquet(path)
        active[level] = geo.load_boundaries(path, level=level)
    return active


def _levels_row(name: str, points: gpd.GeoDataFrame, units: dict[str, gpd.GeoDataFrame]) -> Row:
    """assign_regions (oblast + raion + hromada) vs three sjoins on the same polygons, with
    each level's answers compared point by point."""
    layers = {"oblast": geo.load_oblasts()[["iso", "geometry"]].rename(columns={"iso": "code"}),
              **{level: u[["code", "geometry"]] for level, u in units.items()}}

    def baseline():
        return {level: gpd.sjoin(points, layer, predicate="within", how="left") for level, layer in layers.items()}

    geo.assign_regions(points)  # builds the grids
    joined = baseline()
    # Same polygons, same answers: each level's point-in-polygon answer (inside points; sjoin
    # answers nothing else) against sjoin. assign_regions then drops a raion/hromada lying in
    # another oblast than the row's, which sjoin knows nothing of.
    x, y = geo.boundaries.point_lonlat(points)
    identical = True
    for level, layer in joined.items():
        theirs = layer[~layer.index.duplicated()]["code"].to_numpy(dtype=object)
        mine, flag, _ = locate_points(x, y, level=level)
        inside, has = flag == INSIDE, np.array([isinstance(v, str) for v in theirs])
        identical &= bool((inside == has).all() and (mine[inside] == theirs[inside]).all())
    # Alternate the two (one run each, REPEAT times) so that load from other processes on
    # the machine falls on both sides alike; median of each.
    ours_runs, base_runs = [], []
    for _ in range(REPEAT):
        ours_runs.append(median_time(lambda: geo.assign_regions(points), repeat=1, warmup=0))
        base_runs.append(median_time(baseline, repeat=1, warmup=0))
    return Row(
        name=name,
        median_s=statistics.median(ours_runs),
        baseline="3x geopandas.sjoin(within): oblasts, raions, hromadas (same polygons)",
        baseline_median_s=statistics.median(base_runs),
        goal="< 3 s median and >= 1.5x faster than sjoin, identical answers",
        command=COMMAND,
        extra={"identical_answers": str(identical), "inside": f"{inside.mean():.1%} (hromadas)",
               "raions": str(len(units["raion"])), "hromadas": str(len(units["hromada"])),
               "hromada vertices": f"{shapely.get_num_coordinates(units['hromada'].geometry.values).sum():,}"},
    )


def assign_row() -> Row:
    """1M points to oblast + raion + hromada with the shipped units vs three sjoins."""
    geo.reset_boundaries()
    units = {level: geo.boundaries.load_units(level) for level in ("raion", "hromada")}
    return _levels_row(f"assign_regions oblast + raion + hromada, {SIZE:,} synthetic points, shipped units",
                       synthetic_points(SIZE), units)


def assign_levels_row() -> Row:
    """The same with SYNTHETIC units as dense as OCHA's (about a million hromada vertices)."""
    with tempfile.TemporaryDirectory() as folder:
        units = activate_synthetic_units(Path(folder))
    try:
        return _levels_row(f"assign_regions oblast + raion + hromada, {SIZE:,} synthetic points, synthetic units",
                           synthetic_points(SIZE), units)
    finally:
        geo.reset_boundaries()


def load_row() -> Row:
    """Cold load of the shipped gazetteer and boundaries; total shipped data size."""
    from geo import boundaries
    from geo.gazetteer import load_gazetteer

    def ours():
        load_gazetteer.cache_clear()
        boundaries._shipped.cache_clear()
        boundaries._shipped_units.cache_clear()
        load_gazetteer()
        geo.load_oblasts()
        boundaries.load_units("raion"), boundaries.load_units("hromada")

    def baseline():  # the same oblast polygons read from GeoJSON (the usual exchange format)
        gpd.read_file(boundaries.DATA / "boundaries_oblasts_simplified.geojson")

    shipped = sum(p.stat().st_size for p in boundaries.DATA.iterdir() if p.is_file())
    return Row(
        name="cold load: shipped gazetteer + oblast, raion and hromada boundaries",
        median_s=median_time(ours, repeat=REPEAT),
        baseline="geopandas.read_file of the simplified oblast GeoJSON alone",
        baseline_median_s=median_time(baseline, repeat=REPEAT),
        goal="< 0.3 s median; shipped data (geo/data) < 25 MB",
        command=COMMAND,
        extra={"shipped geo/data": f"{shipped / 1e6:.2f} MB"},
    )


ROWS = [assign_row, assign_levels_row, load_row]


if __name__ == "__main__":
    for make in ROWS:
        row = make()
        print(f"{row.name}: {row.median_s:.3f} s median; baseline {row.baseline}: "
              f"{row.baseline_median_s:.3f} s; ratio {row.ratio:.2f}x; goal {row.goal}; {row.extra}")
