"""--publish-precision on the commands that write tables: geocode, tag and query.

The map commands' popups are tested in a browser (tests/test_maps_publish.py); here the
files and terminal tables must follow the same rule: no point, place, target or id more
precise than the chosen level.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import incidents
from maps.cli import main

SAMPLE = Path(incidents.__file__).parent / "data" / "sample_incidents.csv"
FLEX_ID = "mukachevo-flex-2025-08-21"
MUKACHEVO = (22.718, 48.440)  # the sample's own point for the Flex plant (lon, lat)
EXACT_WORDS = ("Mukachevo", "Flex Ltd electronics plant", FLEX_ID)


def _flex_feature(path: Path) -> dict:
    """The published Flex row, found by its owner (ids are renumbered when published)."""
    features = json.loads(path.read_text())["features"]
    return next(f for f in features if f["properties"].get("owner_company") == "Flex Ltd"
                and f["properties"].get("date", "").startswith("2025-08-21"))


@pytest.mark.parametrize("command", ["tag", "geocode"])
def test_geojson_export_is_no_more_precise_than_the_oblast(command, tmp_path, capsys):
    # Bug caught: geocode/tag writing the frame before maps.publishable (the exported
    # GeoJSON keeps the plant's point and name while the map hides them).
    out = tmp_path / "published.geojson"
    assert main([command, str(SAMPLE), "-o", str(out), "--publish-precision", "oblast", "-q"]) == 0
    flex = _flex_feature(out)
    lon, lat = flex["geometry"]["coordinates"]
    assert abs(lon - MUKACHEVO[0]) + abs(lat - MUKACHEVO[1]) > 0.05  # snapped away from the plant
    text = json.dumps(flex["properties"], ensure_ascii=False)
    for exact in EXACT_WORDS:
        assert exact not in text, exact
    assert flex["properties"]["location_precision"] == "oblast"
    assert flex["properties"]["target"] == "industrial site"


def test_export_without_the_option_keeps_the_exact_point(tmp_path, capsys):
    # The other side: the option, not the command, coarsens (bug: publishing always).
    out = tmp_path / "exact.geojson"
    assert main(["tag", str(SAMPLE), "-o", str(out), "-q"]) == 0
    flex = next(f for f in json.loads(out.read_text())["features"] if f["properties"]["id"] == FLEX_ID)
    assert flex["geometry"]["coordinates"] == pytest.approx(list(MUKACHEVO))


def test_query_searches_exact_points_and_prints_published_rows(capsys):
    # Bugs caught: publishing before the distance filter (the oblast centre, Uzhhorod, is
    # ~35 km from Mukachevo, so the plant would fall outside 5 km), or printing the exact
    # place, target or distance (measured to the exact point) of the rows found.
    assert main(["query", str(SAMPLE), "--near", "48.440,22.718", "--km", "5",
                 "--publish-precision", "oblast"]) == 0
    printed = capsys.readouterr().out
    assert "1 incident within 5 km" in printed
    assert "Zakarpattia" in printed and "industrial site" in printed
    assert "0.0" not in printed and "distance" not in printed  # the distance to the plant's own point
    for exact in EXACT_WORDS:
        assert exact not in printed, exact


def test_query_file_withholds_the_distance_to_the_exact_point(tmp_path, capsys):
    # Bug caught: distance_km kept in the published file (0.0 km from a point the reader
    # is given says where the plant is).
    out = tmp_path / "near.csv"
    assert main(["query", str(SAMPLE), "--near", "48.440,22.718", "--km", "5", "-o", str(out),
                 "--publish-precision", "hromada", "-q"]) == 0
    rows = incidents.load(out)
    assert len(rows) == 1 and (rows["distance_km"].fillna("").astype(str) == "").all()
    assert "Mukachevo" not in rows.iloc[0]["target"]
