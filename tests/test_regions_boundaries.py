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
