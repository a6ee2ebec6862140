"""Raion and hromada assignment (geo.locate at finer levels, geo.units, geo.assign_regions).

Beside the shipped 2020 units (tests/test_regions_accuracy.py), these tests load SYNTHETIC units (Voronoi
cells cut along the shipped oblasts, scripts/benchmarks/regions.synthetic_units; codes
``SYNTHETIC-...``) and check every answer against an independent oracle, geopandas.sjoin on
the same polygons, on random mixes of missing, located, outside and border points, on both
sides of GRID_MIN_POINTS. The one-line bugs they catch are named in each test.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geo
import needs
from geo import locate
from geo.locate import INSIDE, NEAR_BORDER, NO_COORDINATES, OUTSIDE, locate_points

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from benchmarks.regions import synthetic_units  # noqa: E402  (shipped script: its ImportError must fail)
from test_regions_property import sjoin_iso  # noqa: E402  (one oracle for every level)

#: Fewer units than the real 136 raions / 1,469 hromadas keep the tests quick; the code
#: paths are the same (the grid step changes with the count: both steps are covered).
COUNTS = {"raion": 40, "hromada": 400}
MUKACHEVO = (22.718, 48.44248)
KHARKIV = (36.25475, 49.98177)


@pytest.fixture(scope="module")
def units(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic_units")
    made = {}
    for level, count in COUNTS.items():
        path = folder / f"synthetic_{level}s.parquet"
        synthetic_units(level, count, seed=count).to_parquet(path)
        made[level] = path
    return made


@pytest.fixture
def active(units):
    """Both synthetic levels active; shipped boundaries again afterwards."""
    loaded = {level: geo.load_boundaries(path, level=level) for level, path in units.items()}
    yield loaded
    geo.reset_boundaries()


@pytest.fixture(params=["exact", "grid"])
def path(request, monkeypatch):
    monkeypatch.setattr(locate, "GRID_MIN_POINTS", 10**9 if request.param == "exact" else 1)
    return request.param


def sjoin_codes(layer: gpd.GeoDataFrame, lon, lat) -> np.ndarray:
    """The oracle: code of the unit whose polygon contains each point, by geopandas."""
    return sjoin_iso(layer, lon, lat, column="code")


def outline_vertices() -> np.ndarray:
    return shapely.get_coordinates(shapely.union_all(geo.load_oblasts().geometry.values).boundary)


VERTICES = outline_vertices()
missing_point = st.sampled_from([(np.nan, np.nan), (np.nan, 48.0), (30.0, np.nan)])
over_ukraine = st.tuples(st.floats(22.0, 40.3), st.floats(44.2, 52.5))
far_outside = st.tuples(st.floats(17.0, 20.0), st.floats(51.0, 53.0))  # central Poland
near_outline = st.tuples(st.integers(0, len(VERTICES) - 1), st.floats(-0.2, 0.2), st.floats(-0.15, 0.15)).map(
    lambda t: (VERTICES[t[0], 0] + t[1], VERTICES[t[0], 1] + t[2]))
mixes = st.lists(st.one_of(missing_point, over_ukraine, far_outside, near_outline), min_size=1, max_size=40)


def xy(points) -> tuple[np.ndarray, np.ndarray]:
    arr = np.array(points, dtype=float).reshape(-1, 2)
    return arr[:, 0], arr[:, 1]


@settings(max_examples=needs.examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(points=mixes, level=st.sampled_from(["raion", "hromada"]))
def test_finer_levels_agree_with_sjoin(active, path, points, level):
    """Bugs: candidates of a crossed cell taken from another cell (grid answers differ from
    sjoin); the unit index used as a code index of another level; near-border points given
    a unit further than near_km away."""
    lon, lat = xy(points)
    code, flag, km = locate_points(lon, lat, level=level)
    expected = sjoin_codes(active[level], lon, lat)
    missing = np.isnan(lon) | np.isnan(lat)
    assert (flag[missing] == NO_COORDINATES).all() and all(c is None for c in code[missing])
    inside = np.array([e is not None for e in expected])
    bad = np.flatnonzero(inside & ((code != expected) | (flag != INSIDE)))
    assert len(bad) == 0, [(lon[i], lat[i], code[i], expected[i]) for i in bad[:5]]
    rest = ~inside & ~missing
    assert set(flag[rest]) <= {INSIDE, NEAR_BORDER, OUTSIDE}
    near = rest & (flag == NEAR_BORDER)
    assert all(c is not None for c in code[near]) and ((km[near] > 0) & (km[near] <= locate.NEAR_BORDER_KM)).all()
    if near.any():  # the unit given is really within near_km (EPSG:3035 metres, 6% slack)
        metric = active[level].set_index("code").to_crs(3035).geometry
        pts = gpd.GeoSeries(gpd.points_from_xy(lon[near], lat[near]), crs=4326).to_crs(3035)
        assert all(p.distance(metric[c]) / 1000 <= locate.NEAR_BORDER_KM * 1.06 for p, c in zip(pts, code[near]))
    assert all(c is None for c in code[rest & (flag == OUTSIDE)])


@settings(max_examples=needs.examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(points=mixes, threshold=st.integers(1, 30))
def test_grid_and_exact_paths_agree_at_every_level(active, monkeypatch, points, threshold):
    """Sizes on both sides of a lowered GRID_MIN_POINTS give the same answers (bug: the
    near-cells mask too small, so the grid path misses near-border points)."""
    lon, lat = xy(points)
    for level in ("oblast", "raion", "hromada"):
        monkeypatch.setattr(locate, "GRID_MIN_POINTS", threshold)
        got = locate_points(lon, lat, level=level)
        monkeypatch.setattr(locate, "GRID_MIN_POINTS", 10**9)
        exact = locate_points(lon, lat, level=level)
        assert list(got[0]) == list(exact[0]) and list(got[1]) == list(exact[1]), level
        np.testing.assert_array_equal(got[2], exact[2])


@pytest.mark.large
def test_sixty_thousand_points_on_the_real_grid_path(active):
    """No monkeypatch: the grid path as it runs on big inputs, every level against sjoin."""
    rng = np.random.default_rng(5)
    n = 60_000
    lon, lat = rng.uniform(21.5, 41.0, n), rng.uniform(43.8, 53.0, n)
    lon[rng.choice(n, n // 10, replace=False)] = np.nan
    assert n >= locate.GRID_MIN_POINTS
    for level in ("raion", "hromada"):
        code, flag, _ = locate_points(lon, lat, level=level)
        expected = sjoin_codes(active[level], lon, lat)
        inside = np.array([e is not None for e in expected])
        assert inside.sum() > n // 3
        assert (code[inside] == expected[inside]).all() and (flag[inside] == INSIDE).all()


def test_assign_regions_adds_raion_and_hromada(active):
    """Names and codes per row, in row order, from the active units (bugs: raion and hromada
    swapped; names taken from codes; a row shifted)."""
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(23.0, 39.0, 300), rng.uniform(45.5, 51.5, 300)
    geometry = [shapely.Point(a, b) for a, b in zip(lon, lat)]
    gdf = gpd.GeoDataFrame({"id": [f"synthetic_{i}" for i in range(300)]}, geometry=[None, *geometry[1:]], crs=4326)
    out = geo.assign_regions(gdf)
    for level in ("raion", "hromada"):
        expected = sjoin_codes(active[level], lon, lat)
        expected[0] = None  # the row without geometry
        inside = (out["region_flag"] == "inside").to_numpy() & np.array([e is not None for e in expected])
        assert inside.sum() > 100
        got = out[f"{level}_code"].to_numpy(dtype=object)
        assert list(got[inside]) == list(expected[inside])
        names = active[level].set_index("code")["name"]
        assert list(out[level].to_numpy(dtype=object)[inside]) == list(names[expected[inside]])
    assert pd.isna(out.loc[0, "raion"]) and pd.isna(out.loc[0, "hromada_code"])


def test_gazetteer_oblast_drops_a_unit_of_another_oblast(active):
    """The gazetteer's hierarchy decides: a geocoded row whose point falls in a unit of
    another oblast gets no raion/hromada from that unit (bug: the check left out, giving a
    Kharkiv hromada to a row the gazetteer puts in Zakarpattia)."""
    gdf = gpd.GeoDataFrame({"geocoded_oblast": ["UA-21", "UA-63"]},
                           geometry=[shapely.Point(*KHARKIV), shapely.Point(*KHARKIV)], crs=4326)
    out = geo.assign_regions(gdf)
    assert list(out["oblast"]) == ["UA-21", "UA-63"]
    assert pd.isna(out.loc[0, "hromada_code"]) and pd.isna(out.loc[0, "raion_code"])
    hromada = active["hromada"].set_index("code").loc[out.loc[1, "hromada_code"]]
    assert hromada["oblast"] == "UA-63" and hromada.geometry.contains(shapely.Point(*KHARKIV))


def test_after_reset_the_shipped_units_answer():
    # Bug: reset_boundaries leaves no raion/hromada units (the columns would go empty), or
    # the shipped units are keyed by something else than KATOTTG ids.
    geo.reset_boundaries()
    shipped = geo.boundaries.load_units("hromada")
    out = geo.assign_regions(gpd.GeoDataFrame(geometry=[shapely.Point(*MUKACHEVO)], crs=4326))
    assert {"raion", "raion_code", "hromada", "hromada_code"} <= set(out.columns)
    unit = shipped.set_index("code").loc[out.loc[0, "hromada_code"]]
    assert unit["oblast"] == "UA-21" and unit.geometry.contains(shapely.Point(*MUKACHEVO))
    assert out.loc[0, "hromada_code"].startswith(out.loc[0, "raion_code"][:6])


def test_reset_drops_loaded_units(units):
    # Bug: reset_boundaries forgets to drop user raion/hromada units (stale units after a reset).
    geo.load_boundaries(units["hromada"], level="hromada")
    assert geo.boundaries.load_units("hromada")["code"].str.startswith("SYNTHETIC").all()
    geo.reset_boundaries()
    assert not geo.boundaries.load_units("hromada")["code"].str.startswith("SYNTHETIC").any()


# ---- file conventions -------------------------------------------------------------------

#: A SYNTHETIC box around Vinnytsia carrying the real OCHA p-code of Vinnytska hromada.
VINNYTSIA_BOX = shapely.box(28.3, 49.1, 28.6, 49.35)


def test_ocha_pcodes_become_katottg_ids(tmp_path):
    """OCHA's ADM3_PCODE is joined to the gazetteer's KATOTTG id, the oblast read from the
    p-code (bugs: the p-code cut at the wrong length; the oblast taken from the name)."""
    path = tmp_path / "synthetic_ocha_adm3.geojson"
    gpd.GeoDataFrame({"ADM3_PCODE": ["UA0502003", "UA0599999"], "ADM3_EN": ["Vinnytska", "Synthetic"],
                      "ADM1_PCODE": ["UA05", "UA05"]},
                     geometry=[VINNYTSIA_BOX, shapely.box(28.6, 49.1, 28.9, 49.35)], crs=4326).to_file(path)
    try:
        units = geo.load_boundaries(path, level="hromada")
        assert list(units["code"]) == ["UA05020030000031457", "UA0599999"]  # unknown p-code kept as is
        assert list(units["pcode"]) == ["UA0502003", "UA0599999"] and list(units["oblast"]) == ["UA-05", "UA-05"]
        out = geo.assign_regions(gpd.GeoDataFrame(geometry=[shapely.Point(28.47, 49.23)], crs=4326))
        assert (out.loc[0, "hromada"], out.loc[0, "hromada_code"]) == ("Vinnytska", "UA05020030000031457")
    finally:
        geo.reset_boundaries()


def test_geoboundaries_units_get_their_oblast_by_position(tmp_path):
    # geoBoundaries carries no parent code (bug: every unit given the first oblast).
    path = tmp_path / "synthetic_geoboundaries_adm2.geojson"
    gpd.GeoDataFrame({"shapeID": ["a", "b"], "shapeName": ["west", "east"]},
                     geometry=[shapely.box(22.6, 48.3, 22.9, 48.6), shapely.box(36.1, 49.9, 36.4, 50.1)],
                     crs=4326).to_file(path)
    try:
        assert list(geo.load_boundaries(path, level="raion")["oblast"]) == ["UA-21", "UA-63"]
    finally:
        geo.reset_boundaries()


def test_bad_unit_files_are_one_clear_error(tmp_path):
    bad = tmp_path / "synthetic_bad.geojson"
    gpd.GeoDataFrame({"ADM3_PCODE": ["UA0502003", "XX99"]}, geometry=[VINNYTSIA_BOX] * 2, crs=4326).to_file(bad)
    with pytest.raises(ValueError, match=r"row 1, ADM3_PCODE='XX99'"):
        geo.load_boundaries(bad, level="hromada")
    unknown = tmp_path / "synthetic_unknown.geojson"
    gpd.GeoDataFrame({"what": [1]}, geometry=[VINNYTSIA_BOX], crs=4326).to_file(unknown)
    with pytest.raises(ValueError, match="cannot tell which raion each row is"):
        geo.load_boundaries(unknown, level="raion")
    with pytest.raises(ValueError, match="level must be one of"):
        geo.load_boundaries(unknown, level="village")
    geo.reset_boundaries()


def test_grid_agrees_with_sjoin_on_the_shipped_units_whose_edges_differ(monkeypatch):
    """The shipped units' neighbours do not share their edges exactly, so a cell the grid
    marks as crossed (diagonal steps are marked generously) may lie inside a unit that is not
    among its candidates: (37.64889, 49.53505) is deep inside Kharkiv oblast's
    UA63080000000032022 raion, in such a cell. Bug caught: dropping the fallback for points no
    candidate holds (they become near_border or outside_ukraine)."""
    geo.reset_boundaries()
    monkeypatch.setattr(locate, "GRID_MIN_POINTS", 1)
    rng = np.random.default_rng(12)
    x = np.r_[37.6488947157939, rng.uniform(22.0, 40.3, 60_000)]
    y = np.r_[49.53505058230396, rng.uniform(44.3, 52.4, 60_000)]
    points = gpd.GeoDataFrame(geometry=shapely.points(x, y), crs=4326)
    code, flag, _ = locate_points(x, y, level="raion")
    assert (code[0], flag[0]) == ("UA63080000000032022", INSIDE)
    for level in ("raion", "hromada"):
        code, flag, _ = locate_points(x, y, level=level)
        units = geo.boundaries.load_units(level)[["code", "geometry"]]
        joined = gpd.sjoin(points, units, predicate="within", how="left")
        theirs = joined[~joined.index.duplicated()]["code"].to_numpy(dtype=object)
        inside = flag == INSIDE
        assert (inside == pd.notna(theirs)).all() and (code[inside] == theirs[inside]).all()
