"""The shipped sample meets what the project promises about it."""

from __future__ import annotations

import pandas as pd

import incidents

# KIIS macro-regions, written out here independently of geo.regions.
WEST = {"UA-07", "UA-21", "UA-26", "UA-46", "UA-56", "UA-61", "UA-68", "UA-77"}
EAST = {"UA-14", "UA-09", "UA-63"}


def test_size_and_coverage():
    gdf = incidents.sample()
    assert len(gdf) >= 60
    assert gdf["oblast"].isin(WEST).sum() >= 15
    assert gdf["oblast"].isin(EAST).sum() >= 15
    assert gdf["foreign_owned"].fillna(False).sum() >= 20
    assert gdf["date"].min() >= pd.Timestamp("2022-02-24")
    assert gdf["date"].max() <= pd.Timestamp.today()


def test_every_incident_has_an_http_source():
    gdf = incidents.sample()
    assert gdf["sources"].map(len).min() >= 1
    assert gdf["sources"].explode().str.match(r"https?://").all()
    assert gdf["id"].is_unique


def test_reference_case_mukachevo_flex():
    gdf = incidents.sample().set_index("id")
    row = gdf.loc["mukachevo-flex-2025-08-21"]
    assert row["date"] == pd.Timestamp("2025-08-21")
    assert (row["place"], row["oblast"], row["owner_country"]) == ("Mukachevo", "UA-21", "US")
    assert "Flex" in row["owner_company"] and bool(row["foreign_owned"])
    assert (row["injured_low"], row["injured"], row["injured_high"]) == (15, 23, 23)
    # Coordinates come from the city centre, so the precision must not claim the site.
    assert row["location_precision"] == "settlement"


def test_coordinates_are_never_claimed_exact():
    gdf = incidents.sample()
    located = gdf.geometry.notna()
    assert (gdf.loc[located, "location_precision"] != "exact").all()
