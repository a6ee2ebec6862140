"""Spatial queries (geo.query): geodesic distances, place names, regions, boxes, depth."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

import geo

# GeoNames coordinates (ids): Mukachevo 700646, Kharkiv 706483, Kyiv 703448, Lviv 702550.
CITIES = {
    "mukachevo": (48.44248, 22.718),
    "kharkiv": (49.98177, 36.25475),
    "kyiv": (50.45466, 30.5238),
    "lviv": (49.83826, 24.02324),
}


@pytest.fixture
def cities():
    return gpd.GeoDataFrame({"id": list(CITIES), "extra": [1, 2, 3, 4]}, crs=4326,
                            geometry=[shapely.Point(lon, lat) for lat, lon in CITIES.values()])


def test_within_uses_geodesic_km_and_keeps_columns(cities):
    # Lviv-Mukachevo is about 170 km along the ellipsoid (Geod computed independently here).
    _, _, metres = Geod(ellps="WGS84").inv(CITIES["lviv"][1], CITIES["lviv"][0], CITIES["mukachevo"][1], CITIES["mukachevo"][0])
    km = metres / 1000
    lat, lon = CITIES["lviv"]
    hit = geo.within(cities, lat, lon, km + 0.5)
    assert hit["id"].tolist() == ["lviv", "mukachevo"]
    assert hit["distance_km"].iloc[1] == pytest.approx(km, abs=1e-6)
    assert list(hit.columns) == ["id", "extra", "distance_km", "geometry"]
    assert geo.within(cities, lat, lon, km - 0.5)["id"].tolist() == ["lviv"]


def test_within_a_named_place(cities):
    assert geo.within(cities, "Kharkov", km=15)["id"].tolist() == ["kharkiv"]
    with pytest.raises(ValueError, match="Qwertyville"):
        geo.within(cities, "Qwertyville", km=5)


def test_nearest_orders_and_limits(cities):
    lat, lon = CITIES["kyiv"]
    out = geo.nearest(cities, lat, lon, k=2)
    assert out["id"].tolist() == ["kyiv", "kharkiv"]
    assert out["distance_km"].is_monotonic_increasing


def test_rows_without_geometry_are_never_near(cities):
    with_missing = gpd.GeoDataFrame({"id": ["none"]}, geometry=[None], crs=4326)
    both = gpd.GeoDataFrame(pd.concat([cities, with_missing], ignore_index=True), crs=4326)
    lat, lon = CITIES["kyiv"]
    # Querying rows without coordinates is an error (not 7 of 10 rows silently), unless dropna=True.
    with pytest.raises(geo.QueryError, match="1 row has no coordinates: run geo.geocode first, or pass dropna=True"):
        geo.nearest(both, lat, lon, k=10)
    assert "none" not in geo.nearest(both, lat, lon, k=10, dropna=True)["id"].tolist()


def test_in_region_by_group_oblast_and_list(cities):
    assert sorted(geo.in_region(cities, "west")["id"]) == ["lviv", "mukachevo"]
    assert geo.in_region(cities, "Закарпатська")["id"].tolist() == ["mukachevo"]
    assert sorted(geo.in_region(cities, ["east", "Kyiv"])["id"]) == ["kharkiv", "kyiv"]
    with pytest.raises(ValueError, match="Mordor"):
        geo.in_region(cities, "Mordor")


def test_in_bbox(cities):
    assert sorted(geo.in_bbox(cities, 22, 48, 25, 50)["id"]) == ["lviv", "mukachevo"]
    with pytest.raises(ValueError):
        geo.in_bbox(cities, 25, 48, 22, 50)


def test_distance_to_russian_border_orders_cities_east_to_west(cities):
    out = geo.distance_to_border(cities, "RU").set_index("id")["border_distance_km"]
    assert out["kharkiv"] < 50            # Kharkiv is about 30 km from the border
    assert out["kharkiv"] < out["kyiv"] < out["lviv"]
    by = geo.distance_to_border(cities, "BY").set_index("id")["border_distance_km"]
    assert by["kyiv"] < by["kharkiv"]
    with pytest.raises(ValueError, match="XX"):
        geo.distance_to_border(cities, "XX")


def test_distance_is_zero_on_the_line_and_matches_geod_for_a_known_offset():
    line = geo.boundaries.border_line("RU")
    vertex = shapely.get_coordinates(line)[len(shapely.get_coordinates(line)) // 2]
    on_line = gpd.GeoDataFrame({"id": ["v"]}, geometry=[shapely.Point(*vertex)], crs=4326)
    assert geo.distance_to_border(on_line, "RU")["border_distance_km"].iloc[0] == pytest.approx(0, abs=1e-6)


def test_front_line_from_geometry_and_file(cities, tmp_path):
    # A synthetic north-south "front" along the meridian 36.0E (test data, not a real front).
    synthetic_front = shapely.LineString([(36.0, 46.0), (36.0, 52.0)])
    out = geo.distance_to_border(cities, front_line=synthetic_front).set_index("id")["front_distance_km"]
    _, _, metres = Geod(ellps="WGS84").inv(36.0, CITIES["kharkiv"][0], CITIES["kharkiv"][1], CITIES["kharkiv"][0])
    assert out["kharkiv"] == pytest.approx(metres / 1000, rel=2e-3)
    path = tmp_path / "synthetic_front.geojson"
    gpd.GeoDataFrame({"name": ["synthetic"]}, geometry=[synthetic_front], crs=4326).to_file(path)
    from_file = geo.distance_to_border(cities, front_line=path)["front_distance_km"].to_numpy()
    assert np.allclose(from_file, out.to_numpy())


def test_nearest_segment_search_gives_the_whole_line_answer():
    """Catches: the nearest-segment index (STRtree) disagreeing with shortest_line to the
    whole line: a tie broken towards a later segment, a segment joining two parts of a
    multi-line, an area target measured to its edge instead of 0 inside."""
    from geo.boundaries import _nearest_parts, _project_one

    rng = np.random.default_rng(8)
    lon, lat = rng.uniform(22, 41, 3_000), rng.uniform(44, 53, 3_000)
    lon[:500], lat[:500] = lon[:500].round(1), lat[:500].round(1)  # grid points: equidistant ties
    ru, by = geo.boundaries.border_line("RU"), geo.boundaries.border_line("BY")
    # SYNTHETIC targets: two borders as one multi-line, a box as an occupied area.
    for target in (ru, shapely.MultiLineString([ru, by]), shapely.box(35, 46, 38, 48)):
        x, y = geo.boundaries.to_metric().transform(lon, lat)
        projected = _project_one(shapely.segmentize(target, 0.01))
        points = shapely.points(x, y)
        parts = shapely.shortest_line(*_nearest_parts(points, projected))
        assert shapely.equals_exact(parts, shapely.shortest_line(points, projected), 0).all()
    # A point halfway between two parallel lines: GEOS keeps the first, and so must the index.
    rails = shapely.MultiLineString([[(0, 0), (10, 0)], [(0, 2), (10, 2)]])
    halfway = shapely.points([[5, 1], [2, 1]])
    assert shapely.equals_exact(shapely.shortest_line(*_nearest_parts(halfway, rails)),
                                shapely.shortest_line(halfway, rails), 0).all()


def test_distance_to_a_parallel_is_the_meridian_arc():
    """The nearest point of a line along the parallel 52 N (a SYNTHETIC front from 22 to 40 E)
    to a point at 51.9 N lies due north of it, so the distance is the WGS84 meridian arc from
    51.9 to 52.0 N, computed by hand: the integral of M(phi) = a (1 - e^2) / (1 - e^2 sin^2
    phi)^1.5 over 0.1 degrees (a = 6378137 m, f = 1/298.257223563; midpoint rule, 1,000
    steps; M at 51.95 N is 6,375,095 m, times 0.00174533 rad = 11,126.6 m), 11.12664 km.
    Catches the line densified too coarsely before projection (`segmentize(target, 1.01)`):
    projected, a parallel is a curve and its 1-degree chords pass 113 m north of it."""
    front = shapely.LineString([(22.0, 52.0), (40.0, 52.0)])
    points = gpd.GeoDataFrame({"id": ["w", "c", "e"]}, crs=4326,
                              geometry=[shapely.Point(lon, 51.9) for lon in (24.5, 30.5, 38.5)])
    km = geo.distance_to_border(points, front_line=front)["front_distance_km"].to_numpy()
    assert km == pytest.approx([11.12664] * 3, abs=0.001)
