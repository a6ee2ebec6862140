"""ACLED (both layouts) and UCDP GED imports from small synthetic fixtures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import incidents
from incidents.sources import MissileAttacksImporter, UcdpImporter
from incidents.sources.missile_attacks import read_area, weapon_of

FIXTURES = Path(__file__).parent / "fixtures"


def test_acled_2023_layout():
    gdf = incidents.load(FIXTURES / "synthetic_acled_2023.csv")
    assert gdf.attrs["dataset"] == "ACLED"
    assert list(gdf["id"]) == ["SYNUKR1", "SYNUKR2", "SYNUKR3"]
    # YYYY-MM-DD, DD/MM/YYYY and "21 August 2025" all mean the same day
    assert (gdf["date"] == pd.Timestamp("2025-08-21")).all()
    assert list(gdf["date_precision"]) == ["day", "week", "month"]
    assert list(gdf["location_precision"]) == ["settlement", "raion", "oblast"]
    assert list(gdf["killed"]) == [0, 2, 1]
    assert gdf.loc[1, "source_text"] == "Synthetic Source B; Synthetic Source C"
    assert gdf.loc[0, "sources"] == []  # ACLED gives names, not links
    assert gdf.loc[0, "notes"].startswith("SYNTHETIC test row")
    assert gdf.loc[1, "acled_tags"] == "crowd size=no report"  # ACLED's tags kept apart from ours
    assert gdf.loc[0, "admin2"] == "Mukachivskyi"  # hints for the geocoder survive
    assert gdf["oblast"].isna().all()  # ACLED's admin1 conventions differ; geo assigns oblasts
    assert gdf.geometry[0].x == pytest.approx(22.7178)


def test_acled_old_layout_and_its_bad_row():
    gdf, rejected = incidents.load(FIXTURES / "synthetic_acled_2022.csv", errors="report")
    assert list(gdf["id"]) == ["SYNUKR10"] and gdf.loc[0, "date"] == pd.Timestamp("2022-03-15")
    assert rejected.to_dict("records") == [
        {"row": 3, "field": "killed", "value": "many", "reason": "is not a number (expected a whole number >= 0)"}]


def test_acled_attribution_names_access_date_and_filters():
    gdf = incidents.load(FIXTURES / "synthetic_acled_2022.csv", errors="report")[0]
    line = gdf.attrs["attribution"]
    assert line.startswith("Armed Conflict Location & Event Data (ACLED), www.acleddata.com; accessed ")
    assert "filters: country Ukraine; dates 2022-03-15 to 2022-03-16" in line


def test_ucdp_cp1252_with_month_day_year_dates():
    with pytest.warns(UnicodeWarning, match="cp1252"):
        gdf = incidents.load(FIXTURES / "synthetic_ucdp_ged_cp1252.csv")
    assert gdf.attrs["dataset"] == "UCDP GED" and "Sundberg" in gdf.attrs["attribution"]
    assert list(gdf["id"]) == ["ucdp-900001", "ucdp-900002"]
    assert gdf.loc[1, "date"] == pd.Timestamp("2024-03-01") and gdf.loc[1, "date_end"] == pd.Timestamp("2024-03-31")
    assert list(gdf["date_precision"]) == ["day", "month"]
    assert list(gdf["location_precision"]) == ["settlement", "oblast"]
    assert (gdf.loc[1, "killed"], gdf.loc[1, "killed_low"], gdf.loc[1, "killed_high"]) == (3, 2, 5)
    assert "–" in gdf.loc[0, "source_text"]  # the cp1252 en dash decoded, not mangled
    assert pd.isna(gdf.loc[0, "oblast"]) and gdf.loc[0, "admin1"] == "Zakarpats'ka oblast"  # a hint for geo


def test_our_own_layout_is_not_mistaken_for_an_export(tmp_path):
    path = tmp_path / "own.csv"
    path.write_text("id,date,notes,source_text\na,2025-01-01,x,y\n")
    assert "dataset" not in incidents.load(path).attrs


# Found by mutation testing (make mutate, docs/mutation.md): details of the importers that
# no test above pinned down. Expected values are written by hand from the fixtures.

def test_ucdp_source_text_is_office_colon_headline():
    """Bug: office and headline joined without ": " (or the headline dropped)."""
    gdf = incidents.load(FIXTURES / "synthetic_ucdp_ged_official.csv")
    assert gdf.loc[0, "source_text"] == "Synthetic Office: SYNTHETIC headline"


@pytest.mark.parametrize("office, headline, expected", [
    ("Kyiv Independent", "", "Kyiv Independent"), ("", "Strike on a plant", "Strike on a plant")])
def test_ucdp_source_text_without_office_or_headline_has_no_stray_colon(office, headline, expected):
    """Bug: a missing part leaves "Office: " or ": headline" behind."""
    raw = pd.DataFrame({"id": ["1"], "date_start": ["2025-08-21"], "date_end": ["2025-08-21"], "where_prec": ["1"],
                        "best": ["0"], "source_office": [office], "source_headline": [headline]})
    assert UcdpImporter().to_records(raw).loc[0, "source_text"] == expected


def _wave(**values) -> pd.DataFrame:
    row = {"time_start": "2026-04-04 18:00", "time_end": "2026-04-05 09:00", "model": "Shahed-136/131",
           "target": "Ukraine", "launched": "120", "destroyed": "98", "source": "kpszsu"}
    return pd.DataFrame([{**row, **values}])


def test_missile_wave_notes_name_model_launched_and_destroyed():
    """Bug: the notes lose their wording or a missing count shows as nothing instead of '?'."""
    notes = MissileAttacksImporter().to_records(_wave())["notes"][0]
    assert notes == "air-attack wave: Shahed-136/131; launched 120, destroyed 98"
    notes = MissileAttacksImporter().to_records(_wave(launched="", destroyed=""))["notes"][0]
    assert notes == "air-attack wave: Shahed-136/131; launched ?, destroyed ?"


def test_missile_wave_id_keeps_40_characters_of_the_model():
    """Bug: the model part of a wave's id is cut at another length, so the ids of waves
    already published change between versions."""
    model = "Geran-2 " + "x" * 60
    record = MissileAttacksImporter().to_records(_wave(model=model))
    assert record.loc[0, "id"] == "mma-202604041800-" + ("geran-2-" + "x" * 60)[:40]
    assert len(record.loc[0, "id"]) == len("mma-202604041800-") + 40


@pytest.mark.parametrize("target, expected", [
    ("Kyiv oblast and Lviv oblast", (None, "oblasts")),
    ("Mordor and Gondor", (None, None)),   # names no oblast: no scope is invented
    ("", (None, None)),
    ("Lviv oblast", ("UA-46", "oblast")),
])
def test_missile_wave_area_scope(target, expected):
    """Bug: a target naming no oblast is read as several oblasts (or a blank one as any scope)."""
    assert read_area(target) == expected


@pytest.mark.parametrize("model, expected", [
    ("Х-101", "cruise_missile"),      # Cyrillic Kh, as the dataset's Ukrainian rows write it
    ("Balloon", "unknown"),           # a model no pattern knows is not guessed
    ("  ", None),                      # no model at all
])
def test_weapon_of_reads_cyrillic_and_says_unknown(model, expected):
    """Bug: Cyrillic Х not read as Kh, an unknown model given a class, or a blank one called unknown."""
    assert weapon_of(model) == expected
