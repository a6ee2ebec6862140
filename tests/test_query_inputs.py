"""Spatial queries take what people pass: every form of "where", km as text, swapped pairs
warned about, rows without coordinates refused by name, and one resolver (with "did you
mean") for places, oblasts, groups and schemes."""

import warnings

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import geo
import geo.names

# GeoNames coordinates (lon, lat).
CITIES = {"mukachevo": (22.718, 48.44248), "kyiv": (30.5238, 50.45466), "kharkiv": (36.25475, 49.98177)}


@pytest.fixture(scope="module")
def cities():
    return gpd.GeoDataFrame({"id": list(CITIES)}, geometry=[shapely.Point(p) for p in CITIES.values()], crs=4326)


KYIV_LAT, KYIV_LON = CITIES["kyiv"][1], CITIES["kyiv"][0]


@pytest.mark.parametrize("where", [
    "Kyiv",                               # bug: place names only through one code path
    f"{KYIV_LAT},{KYIV_LON}",             # bug: "lat,lon" read as a place name -> "not found in the gazetteer"
    f" {KYIV_LAT} , {KYIV_LON} ",
    (KYIV_LAT, KYIV_LON),                 # bug: a tuple rejected
    [KYIV_LAT, KYIV_LON],
    shapely.Point(KYIV_LON, KYIV_LAT),    # bug: Point read as (lat, lon) = (x, y)
])
def test_within_takes_every_form_of_where(cities, where):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Kyiv" also names a village: that warning is tested below
        found = geo.within(cities, where, km=5)
    assert found["id"].tolist() == ["kyiv"]


def test_within_takes_a_row_and_a_one_row_frame(cities):
    row = cities.iloc[2]
    assert geo.within(cities, row, km=5)["id"].tolist() == ["kharkiv"]
    assert geo.within(cities, cities.iloc[[0]], km=5)["id"].tolist() == ["mukachevo"]
    with pytest.raises(geo.QueryError, match="one row"):
        geo.within(cities, cities, km=5)


@pytest.mark.parametrize("km", [500, 500.0, "500", " 500 ", "500 km"])
def test_km_as_number_or_numeric_text(cities, km):
    # bug: km="50" -> TypeError: '<' not supported between 'str' and 'float'
    assert geo.within(cities, KYIV_LAT, KYIV_LON, km)["id"].tolist() == ["kyiv", "kharkiv"]


@pytest.mark.parametrize("km", ["far", True, -1, float("nan"), None])
def test_bad_km_is_a_query_error_naming_it(cities, km):
    with pytest.raises(geo.QueryError, match="km must be"):
        geo.within(cities, KYIV_LAT, KYIV_LON, km)


def test_swapped_pair_warns_with_the_fix(cities):
    # bug: geo.within(g, 30.52, 50.45) returns 0 rows with no warning
    with pytest.warns(UserWarning, match=r"did you mean \(50\.4547, 30\.5238\)"):
        found = geo.within(cities, KYIV_LON, KYIV_LAT, km=5)
    assert found.empty  # the pair is used as given; the warning says how to fix it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        geo.within(cities, KYIV_LAT, KYIV_LON, km=5)  # the right order warns about nothing


def test_swapped_bbox_warns_with_the_fix(cities):
    with pytest.warns(UserWarning, match=r"in_bbox\(gdf, 22, 48, 25, 50\)"):
        assert geo.in_bbox(cities, 48, 22, 50, 25).empty
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert geo.in_bbox(cities, 22, 48, 25, 50)["id"].tolist() == ["mukachevo"]


def test_rows_without_coordinates_are_an_error_or_dropped_on_request(cities):
    missing = gpd.GeoDataFrame({"id": [f"none{i}" for i in range(12)]}, geometry=[None] * 12, crs=4326)
    both = gpd.GeoDataFrame(pd.concat([cities, missing], ignore_index=True), crs=4326)
    message = "12 rows have no coordinates: run geo.geocode first, or pass dropna=True"
    for query in (lambda **kw: geo.within(both, "50.45,30.52", km=5, **kw),
                  lambda **kw: geo.nearest(both, 50.45, 30.52, k=2, **kw),
                  lambda **kw: geo.in_bbox(both, 22, 44, 41, 53, **kw)):
        with pytest.raises(geo.QueryError, match=message):
            query()
        assert not query(dropna=True)["id"].str.startswith("none").any()


def test_prepare_tuple_gets_a_message_saying_how_to_unpack(cities):
    # bug: AttributeError: 'tuple' object has no attribute 'attrs'
    with pytest.raises(TypeError, match=r"gdf, summary = maps.prepare"):
        geo.compare((cities, object()), "west", "east")
    with pytest.raises(TypeError, match=r"gdf, summary = maps.prepare"):
        geo.within((cities, object()), "Kyiv", km=5)


def test_in_region_reads_any_case_group_and_misspelt_oblast(cities):
    # bug: in_region(g, "West") and "Zakarpatia" rejected without a suggestion
    assert geo.in_region(cities, "West")["id"].tolist() == ["mukachevo"]
    with pytest.warns(UserWarning, match=r"read 'Zakarpatia' as Zakarpattia \(UA-21\)"):
        assert geo.in_region(cities, "Zakarpatia")["id"].tolist() == ["mukachevo"]


@pytest.mark.parametrize(("call", "error", "suggestion"), [
    (lambda g: geo.in_region(g, "wset"), geo.GroupError, "did you mean 'west'"),
    (lambda g: geo.in_region(g, "Zakarp"), geo.GroupError, "did you mean .*'Zakarpattia'"),
    (lambda g: geo.in_region(g, "west", scheme="macr"), geo.SchemeError, "did you mean 'macro'"),
    (lambda g: geo.compare(g, "west", "east", scheme="dnipr"), geo.SchemeError, "did you mean 'dnipro'"),
    (lambda g: geo.within(g, "Mukachevoo", km=5, oblast="Kharkiv"), geo.UnknownPlaceError, "in Kharkiv"),
])
def test_every_name_lookup_suggests(cities, call, error, suggestion):
    with pytest.raises(error, match=suggestion):
        call(cities)


def test_misspelt_and_ambiguous_places_say_what_was_taken(cities):
    # bug: "Mukachve" matched silently; "Novoselivka" silently one of dozens
    with pytest.warns(UserWarning, match=r"read 'Mukachve' as Mukachevo \(Zakarpattia\)"):
        assert geo.within(cities, "Mukachve", km=5)["id"].tolist() == ["mukachevo"]
    place = geo.names.place("Novoselivka")
    assert place.candidates > 10
    note = " ".join(place.notes(hint="--oblast "))
    assert f"{place.candidates} places are called Novoselivka" in note and "--oblast" in note
    in_kharkiv = geo.names.place("Novoselivka", oblast="Kharkiv")
    assert in_kharkiv.oblast == "UA-63" and in_kharkiv.candidates < place.candidates
