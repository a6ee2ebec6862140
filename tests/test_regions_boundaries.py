"""Shipped boundaries and user-supplied boundaries (geo.boundaries)."""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

import geo
from geo.regions import OBLASTS

DATA = Path(geo.__file__).parent / "data"
#: Ukraine's area including Crimea, 603,628 km² (State Statistics Service of Ukraine).
UKRAINE_KM2 = 603_628


@pytest.fixture(autouse=True)
def shipped_boundaries():
    geo.reset_boundaries()
    yield
    geo.reset_boundaries()


def test_shipped_units_match_the_registry():
    for resolution in ("full", "simplified"):
        oblasts = geo.load_oblasts(resolution)
        assert list(oblasts.columns) == ["iso", "name_en", "name_uk", "area_km2", "geometry"]
        assert sorted(oblasts["iso"]) == sorted(u.iso for u in OBLASTS)
        assert oblasts.is_valid.all() and oblasts.crs.to_epsg() == 4326


def test_geodesic_areas_add_up_to_ukraine():
    oblasts = geo.load_oblasts()
    assert oblasts["area_km2"].sum() == pytest.approx(UKRAINE_KM2, rel=0.02)
    # Kharkiv oblast: 31,415 km² officially
    assert oblasts.set_index("iso").loc["UA-63", "area_km2"] == pytest.approx(31_415, rel=0.02)


def test_simplified_coverage_has_no_overlaps_or_gaps_and_is_small():
    simplified = geo.load_oblasts("simplified")
    geoms = simplified.geometry.values
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]])).sum()
    assert overlap < 1e-9
    full = geo.load_oblasts().union_all()
    # measured 0.26%: the drawn outline leaves out islets under 1 km² (build_boundaries.MIN_DRAWN_PART)
    assert full.symmetric_difference(shapely.union_all(geoms)).area / full.area < 0.004
    # about as large as the Natural Earth file drawn before (154 KB): the basemap is in every page
    assert (DATA / "boundaries_oblasts_simplified.geojson").stat().st_size < 200_000
    # no slivers between neighbours: the outline's only holes are wide water the units leave
    # out (the Kakhovka reservoir, two lakes), each wider than the 1 km gaps the build closes
    holes = [shapely.Polygon(ring) for p in shapely.get_parts(geo.ukraine_outline()) for ring in p.interiors]
    assert len(holes) <= 3 and all(hole.area > 0.005 for hole in holes)


def test_shipped_oblasts_are_the_union_of_their_raions():
    """Each oblast is its raions' union; Kyiv and Sevastopol, which no raion holds, stand
    alone; raions and the two cities form one clean coverage (shared edges identical), so a
    point's oblast and raion come from the same lines. Bug caught: a raion dissolved into
    the wrong oblast, Natural Earth's oblasts shipped again, the coverage cleaning left out."""
    oblasts = geo.load_oblasts().set_index("iso").geometry
    raions = geo.boundaries.load_units("raion")
    for iso, group in raions.groupby("oblast"):
        assert shapely.union_all(group.geometry.values).symmetric_difference(oblasts[iso]).area < 1e-9, iso
    assert set(oblasts.index) - set(raions["oblast"]) == {"UA-30", "UA-40"}
    assert shapely.coverage_is_valid(np.append(raions.geometry.values, oblasts[["UA-30", "UA-40"]].values))
    # Armiansk's land, which the raion layer of the input leaves out, is in Perekopskyi raion
    armiansk = shapely.Point(33.69206, 46.10919)  # GeoNames 713203
    assert raions.loc[raions.contains(armiansk), "code"].str[:6].tolist() == ["UA0114"]


def test_border_lines_and_neighbours():
    lines = geo.border_lines().set_index("country")
    assert {"RU", "BY", "MD", "RO", "HU", "SK", "PL"} == set(lines.index)
    # Land borders: Russia's is the longest, Slovakia's the shortest (Natural Earth lengths)
    assert lines["length_km"].idxmax() == "RU" and lines["length_km"].idxmin() == "SK"
    assert len(geo.neighbours()) == 7


def test_macro_region_outlines_tile_ukraine():
    outlines = geo.macro_region_outlines()
    assert list(outlines["group"]) == ["west", "centre", "south", "east"]
    union = shapely.union_all(outlines.geometry.values)
    assert union.symmetric_difference(geo.ukraine_outline()).area < 1e-6
    halves = geo.macro_region_outlines("lon:31")
    assert halves.geometry.iloc[0].bounds[2] <= 31 and halves.geometry.iloc[1].bounds[0] >= 31


def _write(gdf, path, driver="GeoJSON"):
    gdf.to_file(path, driver=driver)
    return path


def test_load_ocha_geoboundaries_and_gadm_layouts(tmp_path):
    shipped = geo.load_oblasts("simplified")
    units = {u.iso: u for u in OBLASTS}
    layouts = {
        "ocha": {"ADM1_PCODE": [units[i].pcode for i in shipped["iso"]], "ADM1_EN": shipped["name_en"]},
        "geoboundaries": {"shapeISO": shipped["iso"], "shapeName": shipped["name_en"]},
        "gadm_hasc": {"GID_1": [f"UKR.{n}_1" for n in range(27)], "HASC_1": [units[i].hasc for i in shipped["iso"]]},
        "gadm_names": {"NAME_1": ["Kiev" if i == "UA-32" else ("Kiev City" if i == "UA-30" else units[i].variants[0])
                                  for i in shipped["iso"]]},
    }
    for name, columns in layouts.items():
        path = _write(gpd.GeoDataFrame(columns, geometry=shipped.geometry.values, crs=4326), tmp_path / f"{name}.geojson")
        loaded = geo.load_boundaries(path)
        assert sorted(loaded["iso"]) == sorted(units), name
        # same polygon per unit as the file carried
        by_iso = loaded.set_index("iso").geometry
        assert by_iso["UA-30"].equals_exact(shipped.set_index("iso").geometry["UA-30"], 1e-9), name
        assert name in geo.boundaries.active_boundaries_source()


def test_user_boundaries_become_active_then_reset(tmp_path):
    # Synthetic test boundaries: one big box labelled Zakarpattia covering all of Ukraine.
    box = shapely.box(20, 43, 42, 53)
    path = _write(gpd.GeoDataFrame({"shapeISO": ["UA-21"]}, geometry=[box], crs=4326), tmp_path / "synthetic.geojson")
    kharkiv = gpd.GeoDataFrame({"id": ["k"]}, geometry=[shapely.Point(36.25475, 49.98177)], crs=4326)
    geo.load_boundaries(path)
    assert geo.assign_regions(kharkiv)["oblast"].iloc[0] == "UA-21"
    assert str(path) in geo.boundaries.active_boundaries_source()
    geo.reset_boundaries()
    assert geo.assign_regions(kharkiv)["oblast"].iloc[0] == "UA-63"


def test_unrecognised_boundaries_are_a_clear_error(tmp_path):
    box = shapely.box(20, 43, 42, 53)
    path = _write(gpd.GeoDataFrame({"region": ["x"]}, geometry=[box], crs=4326), tmp_path / "bad.geojson")
    with pytest.raises(ValueError, match="ADM1_PCODE"):
        geo.load_boundaries(path)
    path = _write(gpd.GeoDataFrame({"ADM1_PCODE": ["UA99"]}, geometry=[box], crs=4326), tmp_path / "bad2.geojson")
    with pytest.raises(ValueError, match=r"row 0.*UA99"):
        geo.load_boundaries(path)
    # a failed load leaves the shipped boundaries active
    assert len(geo.load_oblasts()) == 27


@pytest.mark.parametrize("level, category, not_split", [("raion", "P", set()),
                                                        ("hromada", "H", {"UA-43", "UA-30", "UA-40"})])
def test_shipped_raions_and_hromadas_are_the_katottg_units(level, category, not_split):
    """One polygon per KATOTTG raion (all 136) and per hromada outside Crimea, Kyiv and
    Sevastopol (which the input does not split), each in its KATOTTG oblast, p-code the id cut
    to OCHA's length, neighbours not overlapping. Bug caught: a unit keyed twice or dropped,
    a wrong oblast, a p-code of the wrong length, overlap trimming left out."""
    import pandas as pd

    units = geo.boundaries.load_units(level)
    places = pd.read_parquet(DATA / "gazetteer_places.parquet", columns=["category", "oblast", "katottg_id"])
    katottg = places[(places["category"] == category) & ~places["oblast"].isin(not_split)].set_index("katottg_id")
    assert units["code"].is_unique and set(units["code"]) == set(katottg.index)
    assert (units["oblast"].to_numpy() == katottg.loc[units["code"], "oblast"].to_numpy()).all()
    assert (units["pcode"] == units["code"].str[: {"raion": 6, "hromada": 9}[level]]).all()
    assert units.is_valid.all() and units.crs.to_epsg() == 4326
    geoms = units.geometry.values
    first, second = shapely.STRtree(geoms).query(geoms, predicate="overlaps")
    pairs = first < second
    assert shapely.area(shapely.intersection(geoms[first[pairs]], geoms[second[pairs]])).sum() < 1e-9


#: Synthetic test boundaries: the lon/lat box 36.0-36.1 E, 49.9-50.0 N labelled Kharkiv oblast.
SMALL_BOX = shapely.box(36.0, 49.9, 36.1, 50.0)
#: Its area on the WGS84 ellipsoid, by hand: (0.1 degree / 360 degrees) x the area of the
#: zone between 49.9 and 50.0 N, S(phi) = pi b^2 [sin phi / (1 - e^2 sin^2 phi)
#: + ln((1 + e sin phi) / (1 - e sin phi)) / 2e] (a = 6378137 m, f = 1/298.257223563):
#: 79.828 km² (the box's top and bottom edges are geodesics, not parallels: 0.00002 km² less).
SMALL_BOX_KM2 = 79.8


def test_user_boundaries_carry_the_registry_names_a_geodesic_area_and_their_source(tmp_path):
    """Catches, in load_boundaries: the Ukrainian names not filled (None), the area rounded to
    whole km² (80) instead of 0.1, the source kept under another key than attrs["source"],
    the source text garbled; and the shipped attribution (CC BY 4.0 asks for it) garbled."""
    path = _write(gpd.GeoDataFrame({"shapeISO": ["UA-63"]}, geometry=[SMALL_BOX], crs=4326), tmp_path / "synthetic.geojson")
    loaded = geo.load_boundaries(path)
    row = loaded.iloc[0]
    assert (row["iso"], row["name_en"], row["name_uk"]) == ("UA-63", "Kharkiv", "Харківська")
    assert row["area_km2"] == SMALL_BOX_KM2
    assert loaded.attrs["source"] == f"{path} (geoBoundaries)" == geo.boundaries.active_boundaries_source()
    assert len(loaded.attrs["missing"]) == 26 and "UA-63" not in loaded.attrs["missing"]
    geo.reset_boundaries()
    assert geo.boundaries.active_boundaries_source() == "OPORA 2020 raions dissolved by oblast, CC BY 4.0 (shipped)"


def test_user_boundaries_in_metres_are_reprojected_and_without_a_crs_must_be_lon_lat(tmp_path):
    """A file in a projected CRS (UTM 36N, metres) is reprojected to lon/lat; a file with no
    CRS is taken as lon/lat when its coordinates can be (the edge values -180 and -90
    included) and refused when they cannot. Catches: the "no CRS" check run on files that
    have one (`crs is not None`: every projected file refused), `-180 <= minx` or
    `-90 <= miny` made strict. GeoParquet, since GeoJSON always says EPSG:4326."""
    utm = gpd.GeoDataFrame({"shapeISO": ["UA-63"]}, geometry=[SMALL_BOX], crs=4326).to_crs(32636)
    utm.to_parquet(tmp_path / "utm.parquet")
    loaded = geo.load_boundaries(tmp_path / "utm.parquet")
    assert loaded.crs.to_epsg() == 4326
    assert np.allclose(loaded.geometry.iloc[0].bounds, SMALL_BOX.bounds, atol=1e-7)

    # Synthetic test boundaries: a unit as large as the world, in lon/lat without a CRS.
    world = shapely.box(-180, -90, 180, 90)
    gpd.GeoDataFrame({"shapeISO": ["UA-21"]}, geometry=[world]).to_parquet(tmp_path / "no_crs.parquet")
    loaded = geo.load_boundaries(tmp_path / "no_crs.parquet")
    assert loaded.crs.to_epsg() == 4326 and loaded.geometry.iloc[0].bounds == world.bounds

    gpd.GeoDataFrame({"shapeISO": ["UA-63"]}, geometry=[utm.geometry.iloc[0]]).to_parquet(tmp_path / "metres.parquet")
    with pytest.raises(ValueError, match=r"metres\.parquet: no CRS and coordinates are not longitude/latitude"):
        geo.load_boundaries(tmp_path / "metres.parquet")
