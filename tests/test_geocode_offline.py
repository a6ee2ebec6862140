"""geo.geocode with the offline gazetteer; geo.reverse; geo.coarsen.

Expected coordinates are well-known city centres (rounded), expected oblasts come from
the official hierarchy; none is taken from the geocoder's own output.
"""


import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import geo
from geo.geocoders import Geocoder, OfflineGeocoder
from geo.geocoders.base import empty_results
from geo.geocoders.offline import parse_place

MUKACHEVO = (48.44, 22.72)
UZHHOROD = (48.62, 22.30)
KHARKIV = (49.99, 36.23)
LVIV = (49.84, 24.03)


def frame(places, oblasts=None, points=None, **extra):
    n = len(places)
    geometry = [None if p is None else shapely.Point(p[1], p[0]) for p in (points or [None] * n)]
    return gpd.GeoDataFrame(
        {"id": [f"r{i}" for i in range(n)], "place": places, "oblast": oblasts or [""] * n, **extra},
        geometry=geometry, crs="EPSG:4326")


def test_names_in_any_script_and_spelling_resolve():
    out = geo.geocode(frame(["Mukachevo", "Мукачево", "Mukacheve", "Munkács", "Kharkov", "Харьков"]))
    assert out["geocoded_oblast"].tolist() == ["UA-21"] * 4 + ["UA-63"] * 2
    assert out["location_precision"].eq("settlement").all()
    assert out.geometry.iloc[0].y == pytest.approx(MUKACHEVO[0], abs=0.02)
    assert out.geometry.iloc[0].x == pytest.approx(MUKACHEVO[1], abs=0.02)
    assert out["latitude"].iloc[4] == pytest.approx(KHARKIV[0], abs=0.03)


def test_returns_a_copy_and_keeps_every_row_and_column():
    gdf = frame(["Mukachevo", "Qwxzv"], extra_col=["a", "b"])
    before = gdf.copy()
    out = geo.geocode(gdf)
    pd.testing.assert_frame_equal(gdf, before)
    assert len(out) == 2 and "extra_col" in out.columns
    assert out.columns[-1] == "geometry"
    for column in ("geocoded_name", "geocode_source", "location_precision", "geocode_score",
                   "geocode_candidates", "geocoded_oblast", "geocode_flag"):
        assert column in out.columns


def test_existing_coordinates_kept_unless_overwrite():
    gdf = frame(["Kharkiv", "Kharkiv"], points=[MUKACHEVO, None])
    out = geo.geocode(gdf)
    assert out["geocode_source"].tolist() == ["input", "gazetteer"]
    assert out.geometry.iloc[0].y == pytest.approx(MUKACHEVO[0])
    assert out["geocoded_oblast"].iloc[0] == "UA-21"  # nearest settlement's oblast
    again = geo.geocode(gdf, overwrite=True)
    assert again["geocode_source"].tolist() == ["gazetteer", "gazetteer"]
    assert again.geometry.iloc[0].y == pytest.approx(KHARKIV[0], abs=0.03)
    summary = out.attrs["geocode_summary"]
    assert (summary["rows"], summary["already_located"], summary["geocoded"]) == (2, 1, 1)


def test_hints_choose_among_namesakes():
    # Dozens of villages are called Novoselivka; the hint decides, the count is kept.
    out = geo.geocode(frame(["Novoselivka", "Novoselivka", "Andriivka", "Andriivka"],
                            ["UA-63", "UA-48", "", ""],
                            admin1=["", "", "Kharkiv", "Kyiv"]))
    assert out["geocoded_oblast"].tolist() == ["UA-63", "UA-48", "UA-63", "UA-32"]
    assert (out["geocode_candidates"] > 1).all()


def test_oblast_hint_may_be_a_name():
    out = geo.geocode(frame(["Novoselivka", "Mukachevo"], ["Kharkiv Oblast", "Закарпатська"]))
    assert out["geocoded_oblast"].tolist() == ["UA-63", "UA-21"]


def test_unknown_oblast_hint_is_flagged_not_guessed():
    out = geo.geocode(frame(["Mukachevo"], ["Atlantis"]))
    assert out["geocode_flag"].iloc[0] == "unknown_oblast:Atlantis"
    assert out["geocoded_oblast"].iloc[0] == "UA-21"


def test_name_only_elsewhere_is_not_moved_to_another_oblast():
    out = geo.geocode(frame(["Mukachevo", "Zzyzx"], ["UA-63", ""]))
    assert out["geocode_source"].tolist() == ["unresolved", "unresolved"]
    assert out["geocode_flag"].iloc[0] == "name_found_outside_stated_oblast"
    assert out.geometry.isna().all()
    assert out.attrs["geocode_summary"]["unresolved_ids"] == ["r0", "r1"]


def test_acled_admin1_of_the_surrounding_oblast_finds_the_city_it_encloses():
    # ACLED/GADM write "Kyiv" (the oblast) as admin1 of events in Kyiv city, and Crimea for Sevastopol.
    out = geo.geocode(frame(["Kyiv", "Sevastopol", "Vyshneve", "Brovary"], admin1=["Kyiv", "Crimea", "Kyiv", "Kyiv City"]))
    assert out["geocoded_oblast"].tolist()[:3] == ["UA-30", "UA-40", "UA-32"]
    # The other way round stays strict: the city does not hold its oblast's towns.
    assert out["geocode_source"].iloc[3] == "unresolved"
    assert out["geocode_flag"].iloc[3] == "name_found_outside_stated_oblast"


def test_reports_locative_phrases_resolve_to_the_named_place():
    out = geo.geocode(frame(["near Kupiansk", "on the outskirts of Dnipro", "close to the town of Izium"]))
    assert out["geocoded_name"].tolist() == ["Kupiansk", "Dnipro", "Izium"]
    assert out["geocoded_oblast"].tolist() == ["UA-63", "UA-12", "UA-63"]


def test_qualifiers_and_acled_forms():
    out = geo.geocode(frame(["Kharkiv oblast", "Zakarpattia", "Kharkiv - Kyivskyi",
                             "village of Hroza (Kharkiv oblast)", "м. Мукачево",
                             "Mukachevo, Zakarpattia Oblast, Ukraine"]))
    assert out["geocoded_oblast"].tolist() == ["UA-63", "UA-21", "UA-63", "UA-63", "UA-21", "UA-21"]
    assert out["location_precision"].tolist()[:3] == ["oblast", "oblast", "settlement"]
    assert out["geocode_source"].iloc[1] == "oblast_centre"
    # An oblast is shown at its administrative centre: Uzhhorod for Zakarpattia.
    assert out.geometry.iloc[1].y == pytest.approx(UZHHOROD[0], abs=0.03)


def test_parse_place():
    assert parse_place("Odesa district") == ("odesa", "raion", [])
    assert parse_place("Kyiv's outskirts") == ("kyiv", "settlement", [])
    assert parse_place("Novoselivka (Kharkiv oblast)") == ("novoselivka", "", ["Kharkiv oblast"])
    assert parse_place("Mukachivska hromada") == ("mukachivska", "hromada", [])


def test_typos_resolve_fuzzily_with_lower_score():
    out = geo.geocode(frame(["Mukachvo", "Kharkvi", "Zaporizhzha"]))
    assert out["geocoded_oblast"].tolist() == ["UA-21", "UA-63", "UA-23"]
    assert out["geocode_source"].eq("gazetteer_fuzzy").all()
    assert (out["geocode_score"] < 100).all() and (out["geocode_score"] >= 80).all()


def test_unlocated_village_is_shown_at_its_hromada_centre():
    gaz = geo.load_gazetteer()
    places = gaz.places
    # A village GeoNames has no coordinates for, whose hromada centre it does have,
    # and whose name is unique in its oblast.
    candidates = places[(places["category"] == "C") & places["lat"].isna()
                        & (places["hromada_centre"] >= 0)]
    counts = places.groupby(["oblast", "name"]).size()
    village = next(r for _, r in candidates.iterrows() if counts[(r["oblast"], r["name"])] == 1)
    centre = places.iloc[village["hromada_centre"]]
    out = geo.geocode(frame([village["name"]], [village["oblast"]]))
    assert out["geocode_source"].iloc[0] == "hromada_centre"
    assert out["location_precision"].iloc[0] == "hromada"
    assert out["geocoded_name"].iloc[0] == village["name"]
    assert out.geometry.iloc[0].y == pytest.approx(centre["lat"])
    assert centre["hromada_id"] == village["hromada_id"]


def test_coordinates_contradicting_the_stated_oblast_are_flagged_not_moved():
    out = geo.geocode(frame(["Kharkiv", "Kharkiv", "Lviv"], ["UA-63", "UA-63", "UA-46"],
                            points=[LVIV, KHARKIV, LVIV]))
    assert out["geocode_flag"].tolist() == ["coords_outside_stated_oblast", "", ""]
    assert out.geometry.iloc[0].y == pytest.approx(LVIV[0])


def test_the_summary_counts_every_outcome_under_its_documented_name():
    """Bugs (mutation testing, geo.geocoding.x__summary__mutmut_43 and _60): a summary key
    renamed ("XXflaggedXX", "NOT_TRIED"): the CLI reads summary.get("not_tried", 0), so the
    "geocoder unreachable: N places not tried" line would silently say nothing."""
    out = geo.geocode(frame(["Kharkiv", "Lviv", "Qwxzv"], ["UA-63", "UA-46", ""], points=[LVIV, None, None]))
    summary = out.attrs["geocode_summary"]
    assert {k: summary[k] for k in ("rows", "already_located", "geocoded", "unresolved", "unresolved_ids",
                                    "flagged", "failed", "not_tried")} == {
        "rows": 3, "already_located": 1, "geocoded": 1, "unresolved": 1, "unresolved_ids": ["r2"],
        "flagged": 1, "failed": 0, "not_tried": 0}


def test_scores_belong_to_geocoded_rows_and_are_empty_for_input_rows():
    """Bug (mutation testing, geo.geocoding.x_geocode__mutmut_258): ``~todo`` -> ``todo``
    blanks the score and candidate count of every geocoded row and gives input rows 0."""
    out = geo.geocode(frame(["Mukachevo", "Kharkiv"], points=[None, KHARKIV]))
    assert out["geocode_score"].iloc[0] == 100 and out["geocode_candidates"].iloc[0] == 1  # one Mukachevo
    assert out["geocode_score"].isna().tolist() == [False, True]
    assert out["geocode_candidates"].isna().tolist() == [False, True]


def test_each_distinct_query_is_resolved_once():
    class Counting(Geocoder):
        name = "counting"

        def __init__(self):
            self.seen = []

        def resolve(self, queries, progress=False):
            self.seen.append(len(queries))
            return empty_results(len(queries))

    counting = Counting()
    geo.geocode(frame(["A", "B", "A", "A", "B"], ["", "", "", "UA-21", ""]), geocoder=counting)
    assert counting.seen == [3]  # (A, ""), (B, ""), (A, UA-21)


def test_non_frame_input_and_missing_place_column_raise_clear_errors():
    with pytest.raises(geo.GeocodingError, match="DataFrame"):
        geo.geocode([("Kyiv",)])
    no_place = gpd.GeoDataFrame({"id": ["x", "y", "z"]}, geometry=[None, None, shapely.Point(*LVIV[::-1])],
                                crs="EPSG:4326")
    with pytest.raises(geo.GeocodingError) as error:
        geo.geocode(no_place)
    # the count of rows to do, not of all rows (a mutant wrote int(None): a TypeError instead)
    assert str(error.value) == "2 rows need geocoding but the frame has no 'place' column"


def test_a_located_frame_needs_no_place_column():
    """Bug (mutation testing, geo.geocoding.x_geocode__mutmut_33): ``and`` -> ``or`` refuses
    every frame without a place column, even one whose rows all have coordinates."""
    located = gpd.GeoDataFrame({"id": ["x"]}, geometry=[shapely.Point(*LVIV[::-1])], crs="EPSG:4326")
    out = geo.geocode(located)
    assert out["geocode_source"].tolist() == ["input"] and out["geocoded_oblast"].tolist() == ["UA-46"]


class Recording(Geocoder):
    """Answers nothing; keeps the queries and the progress flag it was given."""
    name = "recording"

    def __init__(self):
        self.queries, self.progress = [], []

    def resolve(self, queries, progress=False):
        self.queries.append(queries.copy())
        self.progress.append(progress)
        return empty_results(len(queries))


def test_the_same_words_under_different_hints_are_different_queries():
    """Bug (mutation testing, geo.geocoding.x__resolve__mutmut_47): hints joined without a
    separator make a raion hint "Izium" and a hromada hint "Izium" one query, and the second
    row gets the first row's answer."""
    recording = Recording()
    geo.geocode(frame(["Ivanivka", "Ivanivka"], ["UA-63", "UA-63"], admin2=["Izium", ""], admin3=["", "Izium"]),
                geocoder=recording)
    (queries,) = recording.queries
    assert queries[["admin2", "admin3"]].values.tolist() == [["Izium", ""], ["", "Izium"]]


@pytest.mark.parametrize("progress", [True, False])
def test_progress_reaches_the_geocoder(progress):
    """Bug (mutation testing, geo.geocoding.x__resolve__mutmut_70): progress=None passed on,
    so geocode(progress=True) never shows a progress bar."""
    recording = Recording()
    geo.geocode(frame(["Lviv"]), geocoder=recording, progress=progress)
    assert recording.progress == [progress]


def test_coordinates_written_as_text_that_is_no_number_count_as_missing():
    """Bug (mutation testing, geo.geocoding.x__as_geodataframe__mutmut_34): without
    errors="coerce" a plain DataFrame with "unknown" in longitude raises instead of being
    geocoded from its place."""
    plain = pd.DataFrame({"id": ["a", "b"], "place": ["Kharkiv", "Lviv"],
                          "latitude": ["49.84", "49.84"], "longitude": ["unknown", "24.03"]})
    out = geo.geocode(plain)
    assert out["geocode_source"].tolist() == ["gazetteer", "input"]
    assert out.geometry.iloc[0].y == pytest.approx(KHARKIV[0], abs=0.03)


def test_reverse_scalar_and_vectorised():
    one = geo.reverse(*MUKACHEVO)
    assert one["name"] == "Mukachevo" and one["oblast"] == "UA-21"
    assert one["distance_km"] < 2
    many = geo.reverse(np.array([MUKACHEVO[0], KHARKIV[0], LVIV[0]]),
                       np.array([MUKACHEVO[1], KHARKIV[1], LVIV[1]]))
    assert many["oblast"].tolist() == ["UA-21", "UA-63", "UA-46"]


def test_coarsen_snaps_to_what_may_be_published():
    gdf = frame(["", "", ""], ["UA-21", "UA-21", "UA-63"],
                points=[(48.4460, 22.7211), (48.45, 22.70), (50.0, 36.2)],
                location_precision=["exact", "exact", "oblast"])
    settlement = geo.coarsen(gdf, "settlement")
    assert settlement["location_precision"].tolist() == ["settlement", "settlement", "oblast"]
    assert settlement.geometry.iloc[0].y == pytest.approx(MUKACHEVO[0], abs=0.02)
    oblast = geo.coarsen(gdf, "oblast")
    assert oblast.geometry.iloc[0].y == pytest.approx(UZHHOROD[0], abs=0.03)
    assert oblast.geometry.iloc[2].equals(gdf.geometry.iloc[2])  # already that coarse
    hromada = geo.coarsen(gdf, "hromada")
    assert hromada["location_precision"].iloc[0] in ("hromada", "raion")
    with pytest.raises(geo.GeocodingError, match="precision"):
        geo.coarsen(gdf, "street")


def test_coarsen_treats_a_precision_it_does_not_know_as_exact():
    """Bug (mutation testing, geo.geocoding.x_coarsen__mutmut_31): a precision word outside
    the scale ("street", from a user's file) ranked as "settlement" is left where it is by
    coarsen(..., "settlement"): the exact point would be published."""
    gdf = frame([""], ["UA-21"], points=[(48.4460, 22.7211)], location_precision=["street"])
    out = geo.coarsen(gdf, "settlement")
    assert out["location_precision"].tolist() == ["settlement"]
    assert out.geometry.iloc[0].y == pytest.approx(MUKACHEVO[0], abs=0.02)
    assert not out.geometry.iloc[0].equals(gdf.geometry.iloc[0])


def test_gazetteer_loads_once_and_covers_ukraine():
    # Load time is a benchmark row (scripts/bench.py --only gazetteer), not a timed test.
    geo.load_gazetteer.cache_clear()
    gaz = geo.load_gazetteer()
    assert geo.load_gazetteer() is gaz
    places = gaz.places
    settlements = places[places["category"].isin(["K", "M", "T", "X", "C"])]
    assert len(settlements) > 29_000
    assert set(places["oblast"]) == set(o.iso for o in geo.OBLASTS)
    assert (places["oblast_centre"] >= 0).all()
    located = places.dropna(subset=["lat"])
    assert located["lat"].between(44.0, 52.5).all() and located["lon"].between(22.0, 40.5).all()


def test_offline_geocoder_is_usable_directly():
    q = pd.DataFrame({"place": ["Uzhhorod"], "oblast": [""], "admin2": [""], "admin3": [""]})
    assert OfflineGeocoder().resolve(q)["geocoded_oblast"].tolist() == ["UA-21"]


@pytest.mark.parametrize("spelling", ["{raion}", "{raion} raion", "{centre} district"])
def test_raion_hint_picks_the_namesake_in_that_raion(spelling):
    # Andriivka: several villages in Kharkiv oblast, in different raions (KATOTTG).
    places = geo.load_gazetteer().places
    namesakes = places[(places["name"] == "Andriivka") & (places["oblast"] == "UA-63")
                       & places["category"].isin(["M", "T", "X", "C"])]
    assert namesakes["raion_id"].nunique() >= 2
    for _, village in namesakes.drop_duplicates("raion_id").iterrows():
        raion = places[places["katottg_id"] == village["raion_id"]].iloc[0]
        centre = places.iloc[raion["raion_centre"]]
        hint = spelling.format(raion=raion["name"], centre=centre["name"])
        same_raion = namesakes[namesakes["raion_id"] == village["raion_id"]]
        out = geo.geocode(frame(["Andriivka"], ["UA-63"], admin2=[hint]))
        expected = [(r["lat"], r["lon"]) if not np.isnan(r["lat"])
                    else tuple(places.iloc[r["hromada_centre"]][["lat", "lon"]])
                    for _, r in same_raion.iterrows()]
        got = (out["latitude"].iloc[0], out["longitude"].iloc[0])
        assert any(np.allclose(got, e) for e in expected), (hint, got, expected)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Kyiv", "Novoselivka", "Мукачево", "Kharkvi", "",
                                           "Andriivka", "zzz", "Odesa district"]),
                          st.sampled_from(["", "UA-21", "UA-63", "UA-51", "Lviv oblast"])),
                min_size=1, max_size=12))
def test_never_drops_rows_nor_crosses_the_stated_oblast(rows):
    out = geo.geocode(frame([p for p, _ in rows], [o for _, o in rows]))
    assert len(out) == len(rows)
    assert out["id"].tolist() == [f"r{i}" for i in range(len(rows))]
    stated = [geo.oblast(o).iso if o else "" for _, o in rows]
    for iso, got, source in zip(stated, out["geocoded_oblast"], out["geocode_source"]):
        if iso and source != "unresolved":
            assert got == iso
    unresolved = out["geocode_source"] == "unresolved"
    assert out.geometry[unresolved].isna().all() and out.geometry[~unresolved].notna().all()


def test_old_names_of_cities_do_not_capture_todays_villages():
    # Donetsk bore the name Oleksandrivka in the 18th century; today ~100 villages do.
    # Krasnyi Luch, by contrast, is the city Khrustalnyi's name until 2016 (Luhansk
    # oblast), and what a report naming it means, though a village in Donetsk oblast
    # is called so today.
    out = geo.geocode(frame(["Oleksandrivka", "Olksandrivka", "Krasnyi Luch", "Fedorivka"]))
    assert out["geocoded_name"].iloc[0] == "Oleksandrivka"
    assert out["geocode_flag"].iloc[0] == "ambiguous_name_without_oblast"
    assert out["geocoded_name"].iloc[1] != "Donetsk"
    assert out["geocoded_oblast"].iloc[2] == "UA-09"
    assert out["geocoded_name"].iloc[3] == "Fedorivka"
