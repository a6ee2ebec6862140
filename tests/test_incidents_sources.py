"""ACLED (both layouts) and UCDP GED imports from small synthetic fixtures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import incidents

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
