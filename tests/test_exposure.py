"""Registered foreign sites and how many were hit (geo.exposure, geo.exposure_sites, the
compare rows) on a synthetic registry and synthetic incidents at known geodesic distances.

Each test names the one-line bug it is there to catch.
"""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from scipy import stats

import geo
from incidents import OwnershipRegistry

REGISTRY = Path(__file__).parent / "fixtures" / "synthetic_exposure_registry.csv"
GEOD = pyproj.Geod(ellps="WGS84")
NEAR = (49.8, 24.0)      # Synthetic Near Plant (and the domestic plant), Lviv
FAR = (49.26, 23.85)     # Synthetic Far Plant, Stryi
KHARKIV = (50.0, 36.23)  # Synthetic Kharkiv Plant
MALTA_FLAG = (46.48, 30.72)


@pytest.fixture(scope="module")
def registry():
    return OwnershipRegistry.from_csv(REGISTRY, base=None)


def away(lat_lon, km, azimuth=0.0):
    """The point ``km`` km (geodesic, WGS84) from ``lat_lon`` along ``azimuth``."""
    lon, lat, _ = GEOD.fwd(lat_lon[1], lat_lon[0], azimuth, km * 1000)
    return shapely.Point(lon, lat)


def incident(id, date, point=None, precision=None, owner=None, place=None, oblast=None):
    return {"id": id, "date": pd.Timestamp(date), "geometry": point, "location_precision": precision,
            "owner_company": owner, "place": place, "oblast": oblast}


def frame(*rows):
    return gpd.GeoDataFrame(list(rows), geometry="geometry", crs=4326)


@pytest.fixture(scope="module")
def incidents_frame():
    return frame(
        incident("synthetic_near", "2024-06-30", away(NEAR, 0.9), "exact"),            # hits Near (and the domestic plant)
        incident("synthetic_far", "2024-03-01", away(FAR, 1.1, 90), "exact"),           # misses Far
        incident("synthetic_owner", "2025-08-21", None, None, "Synthgaz", "Mukachevo", "UA-21"),  # alias of Gazetteer Plant
        incident("synthetic_wrong_town", "2025-01-05", None, None, "Synthetic Elsewhere Plant", "Lviv", "UA-46"),
        incident("synthetic_wrong_oblast", "2025-01-06", None, None, "Synthetic Elsewhere Plant", "Uzhhorod", "UA-63"),
        incident("synthetic_next_town", "2025-01-07", None, None, "Synthetic Elsewhere Plant", "Berehove", "UA-21"),
        incident("synthetic_unplaced", "2025-02-01", None, None, "Synthetic Nowhere Plant", "Zzyzxville", "UA-46"),
        incident("synthetic_kharkiv", "2024-10-01", away(KHARKIV, 0.5, 200), None),    # precision not stated: a point
        incident("synthetic_centre", "2024-11-01", shapely.Point(36.25475, 49.98177), "settlement"),  # Kharkiv centre
        incident("synthetic_flag", "2024-05-01", away(MALTA_FLAG, 0.0), "exact"),
    )


def sites_by_company(incidents_frame, registry, **kw):
    return geo.exposure_sites(incidents_frame, registry, **kw).set_index("company")


def test_hand_counted_table_per_macro_region(incidents_frame, registry):
    # Bugs caught: counting UA owners (west would have 6 sites, 3 hit); counting vessel flags
    # or entries without an owner country (a south / centre row appears); dropping the
    # unplaced site (west sites 4); dividing by all sites instead of placed (share 0.4);
    # counting the unplaced site that its owner's tag hit (west hit 3).
    table = geo.exposure(incidents_frame, registry).set_index("macro_region")
    assert table.index.tolist() == ["east", "west"]
    assert table.loc["west", ["sites", "placed", "unplaced", "by_coordinates", "by_gazetteer", "hit"]].tolist() == \
        [5, 4, 1, 2, 2, 2]
    assert table.loc["east", ["sites", "placed", "unplaced", "by_coordinates", "by_gazetteer", "hit"]].tolist() == \
        [2, 2, 0, 1, 1, 1]
    assert table.loc["west", "share_hit"] == pytest.approx(0.5)
    assert table.loc["east", "share_hit"] == pytest.approx(0.5)
    assert table.attrs["entries_without_sites"] == 1
    assert table.attrs["incidents_located"] == 5 and table.attrs["incidents_point_precision"] == 4
    assert "not a census" in table.attrs["note"]


@pytest.mark.parametrize("km, hit", [(0.9, True), (0.999, True), (1.005, False), (1.1, False)])
def test_distance_is_geodesic_and_km_is_the_limit(registry, km, hit):
    # Bugs caught: `<` / `>` swapped or metres read as km (0.9 misses); trusting the spherical
    # pre-selection with its 1% slack instead of the WGS84 geodesic (1.005 km counts).
    gdf = frame(incident("synthetic_d", "2024-01-01", away(NEAR, km, 45), "exact"))
    sites = sites_by_company(gdf, registry, km=1.0)
    assert bool(sites.loc["Synthetic Near Plant", "hit"]) is hit
    hit_by = sites.loc["Synthetic Near Plant", "hit_by"]
    assert hit_by == "distance" if hit else pd.isna(hit_by)


def test_km_argument_widens_the_radius(incidents_frame, registry):
    # Bug caught: km ignored (a hard-coded 1 km): the Far Plant stays unhit at km=2.
    assert not sites_by_company(incidents_frame, registry)["hit"]["Synthetic Far Plant"]
    assert sites_by_company(incidents_frame, registry, km=2.0)["hit"]["Synthetic Far Plant"]


def test_owner_tag_in_the_same_settlement_counts_even_without_coordinates(incidents_frame, registry):
    # Bugs caught: owner_company compared verbatim (the alias "Synthgaz" misses); settlement
    # not checked (the Berehove-tagged incident hits the Uzhhorod site); oblast not checked
    # (the UA-63 "Uzhhorod" hits it).
    sites = sites_by_company(incidents_frame, registry)
    gaz = sites.loc["Synthetic Gazetteer Plant"]
    assert gaz["hit"] and gaz["hit_by"] == "owner" and gaz["hits"] == 1
    assert pd.Timestamp(gaz["first_hit"]) == pd.Timestamp("2025-08-21")
    assert not sites.loc["Synthetic Elsewhere Plant", "hit"]


def test_settlement_centre_incidents_do_not_count_by_distance(incidents_frame, registry):
    # Bug caught: the location_precision filter dropped: an incident put at Kharkiv's centre
    # would "hit" the depot that the gazetteer put at the same centre (0 km).
    sites = sites_by_company(incidents_frame, registry)
    assert not sites.loc["Synthetic Kharkiv Depot", "hit"]
    assert sites.loc["Synthetic Kharkiv Plant", "hit_by"] == "distance"


def test_gazetteer_placement_and_unplaced_sites(incidents_frame, registry):
    # Bugs caught: sites without coordinates skipped instead of geocoded (Mukachevo unplaced);
    # unplaced sites dropped from the frame; gazetteer point not at Mukachevo.
    sites = sites_by_company(incidents_frame, registry)
    assert len(sites) == 7
    gaz = sites.loc["Synthetic Gazetteer Plant"]
    assert gaz["placed_by"] == "gazetteer" and gaz["gazetteer_name"] == "Mukachevo"
    assert gaz.geometry.distance(shapely.Point(22.72, 48.44)) < 0.05
    nowhere = sites.loc["Synthetic Nowhere Plant"]
    assert nowhere["hit_by"] == "owner"  # hit through its owner, but outside the shares
    assert pd.isna(nowhere["placed_by"]) and nowhere.geometry is None and nowhere["macro_region"] == "west"
    assert sites.loc["Synthetic Near Plant", "placed_by"] == "coordinates"


def test_domestic_flag_and_ownerless_entries_never_enter(registry):
    # Bug caught: the foreign filter written as `owner_country != "UA"` (lets the empty
    # owner country in) or without the vessel_flag exclusion.
    companies = set(geo.foreign_sites(registry)["company"])
    assert "Synthetic Domestic Plant" not in companies
    assert "Synthetic flag of Malta" not in companies
    assert "Synthetic Relief Agency" not in companies
    assert len(companies) == 7


def test_by_oblast(incidents_frame, registry):
    # Bug caught: `by` ignored (macro-region rows returned).
    table = geo.exposure(incidents_frame, registry, by="oblast").set_index("oblast")
    assert table.index.tolist() == ["UA-21", "UA-46", "UA-63"]
    assert table.loc["UA-21", ["placed", "hit"]].tolist() == [2, 1]
    assert table.loc["UA-46", ["sites", "placed", "unplaced", "hit"]].tolist() == [3, 2, 1, 1]
    assert table.loc["UA-46", "oblast_name"] == "Lviv"
    with pytest.raises(ValueError):
        geo.exposure(incidents_frame, registry, by="raion")


def test_timeline_per_half_year(incidents_frame, registry):
    # Bugs caught: half-years split at `month < 6` (30 June falls in H2); hits not spread
    # over their own periods; periods without hits left out.
    table = geo.exposure_timeline(incidents_frame, registry, period="half")
    west = table[table["macro_region"] == "west"].set_index("period")
    assert west.index.tolist() == ["2024-H1", "2024-H2", "2025-H1", "2025-H2"]
    assert west["hit"].tolist() == [1, 0, 0, 1]
    assert (west["placed"] == 4).all()
    assert west.loc["2025-H2", "share_hit"] == pytest.approx(0.25)
    east = table[table["macro_region"] == "east"].set_index("period")
    assert east["hit"].tolist() == [0, 1, 0, 0]
    yearly = geo.exposure(incidents_frame, registry, period="year")
    assert yearly[yearly["macro_region"] == "west"]["hit"].tolist() == [1, 1]
    with pytest.raises(ValueError):
        geo.exposure(incidents_frame, registry, period="fortnight")


def test_a_site_hit_twice_in_a_period_counts_once(registry):
    # Bug caught: counting incidents instead of distinct sites per period.
    gdf = frame(incident("a", "2024-01-01", away(NEAR, 0.2), "exact"),
                incident("b", "2024-02-01", away(NEAR, 0.3), "exact"))
    table = geo.exposure(gdf, registry, period="half").set_index(["macro_region", "period"])
    assert table.loc[("west", "2024-H1"), "hit"] == 1
    assert geo.exposure_sites(gdf, registry).set_index("company").loc["Synthetic Near Plant", "hits"] == 2


def test_no_incidents_and_no_registry_argument():
    # Bug caught: an empty frame crashing the matcher; the shipped registry not the default.
    empty = frame(incident("x", "2024-01-01")).iloc[:0]
    table = geo.exposure(empty)
    assert table["hit"].sum() == 0 and table["sites"].sum() == len(geo.foreign_sites())


def many_sites_registry(n_west, n_east):
    """Synthetic registry: n sites in Lviv and n in Kharkiv, each 5 km apart along a meridian."""
    lines = ["company,owner_country,sector,sites,source_url"]
    for group, (lat, lon, code, town), n in (("W", (49.6, 24.0, "UA-46", "Lviv"), n_west),
                                           ("E", (49.8, 36.2, "UA-63", "Kharkiv"), n_east)):
        for i in range(n):
            lines.append(f"Synthetic {group}{i},DE,synthetic,{town};{code};{lat + 0.045 * i:.3f};{lon},"
                         f"https://example.org/synthetic/{group}{i}")
    return OwnershipRegistry.from_text("\n".join(lines), source="synthetic")


def test_compare_rows_with_fisher_test():
    # Bugs caught: the Fisher table built from incidents instead of sites; shares of all
    # sites instead of placed ones; the test run with fewer than 5 sites.
    reg = many_sites_registry(6, 6)
    west_hits = [away((49.6 + 0.045 * i, 24.0), 0.3) for i in range(5)]
    east_hits = [away((49.8, 36.2), 0.3)]
    gdf = frame(*(incident(f"w{i}", "2024-01-01", p, "exact") for i, p in enumerate(west_hits)),
                *(incident(f"e{i}", "2024-01-01", p, "exact") for i, p in enumerate(east_hits)))
    table = geo.compare(gdf, "west", "east", registry=reg).set_index("metric")
    assert table.loc["registered foreign sites", ["west", "east"]].tolist() == [6, 6]
    assert table.loc["registered foreign sites hit", ["west", "east"]].tolist() == [5, 1]
    share = table.loc["share of registered foreign sites hit"]
    assert share["west"] == pytest.approx(5 / 6) and share["east"] == pytest.approx(1 / 6)
    assert share["test"] == "Fisher exact"
    assert share["p_value"] == pytest.approx(stats.fisher_exact([[5, 1], [1, 5]]).pvalue)
    assert "not a census" in share["note"]


def test_compare_rows_without_test_when_fewer_than_five_sites(incidents_frame, registry):
    # Bug caught: `<= 5` or `< 4` for the threshold (west has 4 placed sites: no test), or a
    # p-value filled in anyway.
    table = geo.compare(incidents_frame, "west", "east", registry=registry).set_index("metric")
    share = table.loc["share of registered foreign sites hit"]
    assert share["note"].startswith("n < 5: no test") and pd.isna(share["p_value"])
    assert table.loc["registered foreign sites", "west"] == 4
    assert "unplaced: west 1, east 0" in table.loc["registered foreign sites", "note"]
    reg5 = many_sites_registry(5, 5)
    gdf = frame(incident("w", "2024-01-01", away((49.6, 24.0), 0.3), "exact"))
    row = geo.compare(gdf, "west", "east", registry=reg5).set_index("metric").loc[
        "share of registered foreign sites hit"]
    assert row["test"] == "Fisher exact"


def test_vectorised_on_many_incidents(registry):
    # Bug caught: a Python loop per incident (100,000 incidents would take minutes).
    import time

    rng = np.random.default_rng(0)
    n = 100_000
    points = shapely.points(rng.uniform(22.5, 40, n), rng.uniform(44.5, 52, n))
    gdf = gpd.GeoDataFrame({"id": np.arange(n).astype(str), "date": pd.Timestamp("2024-01-01"),
                            "location_precision": "exact", "owner_company": None},
                           geometry=points, crs=4326)
    geo.exposure(gdf.iloc[:10], registry)  # warm the geocoder
    start = time.perf_counter()
    geo.exposure(gdf, registry)
    assert time.perf_counter() - start < 10
