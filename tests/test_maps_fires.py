"""Satellite fire detections on the map, in popups and in the report (no browser).

Detections come from the synthetic FIRMS fixture (tests/fixtures): two at Mukachevo on
2025-08-21 at 00:05 (FRP 6.81 MW) and 11:42 (FRP 22.4 MW), one near Enerhodar on 2025-08-22.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas
import pandas as pd
import pytest
import shapely

import geo
import incidents
import maps
from maps import payload as payloads
from maps.output import render_html
from maps.report import render as render_report

FIRMS = Path(__file__).parent / "fixtures" / "synthetic_firms_viirs_snpp_archive.csv"
HOSTILE = '</script><img src=x onerror="alert(1)">${alert(2)}'


@pytest.fixture(scope="module")
def detections():
    return incidents.load(FIRMS)


@pytest.fixture(scope="module")
def checked(detections):
    """Three synthetic incidents: at Mukachevo that day, far from any fire, and undated."""
    gdf = geopandas.GeoDataFrame(
        {"id": ["synthetic-near", "synthetic-far", "synthetic-undated"],
         "date": pd.to_datetime(["2025-08-21", "2025-08-21", None])},
        geometry=[shapely.Point(22.7190, 48.4435), shapely.Point(30.52, 50.45), shapely.Point(22.7190, 48.4435)],
        crs="EPSG:4326")
    return geo.corroborate(gdf, detections)


def test_popup_line_says_count_first_time_and_max_frp_or_none_or_nothing(checked):
    # Catches: max FRP taken as the min (6.81), "none" shown for an unchecked incident, or
    # the count 0 printed as "0 within" instead of "none within".
    assert payloads.build(checked).data["fire"] == [
        "2 within 2 km (first 00:05 UTC 21 Aug, max FRP 22.4 MW)", "none within 2 km", ""]


def test_popup_line_is_absent_for_frames_never_corroborated(checked):
    # Catches: a fire line (or "none") shown for incidents nobody checked against FIRMS.
    plain = checked.drop(columns=list(geo.fires.CORROBORATION_COLUMNS))
    assert payloads.build(plain).data["fire"] == ["", "", ""]


def test_corroboration_columns_are_not_listed_again_as_user_columns(checked):
    # Catches: fire_detections etc. shown a second time as raw popup rows.
    assert not set(geo.fires.CORROBORATION_COLUMNS) & set(payloads.user_columns(checked))


def test_fire_layer_is_in_the_layer_control_but_off_at_first(checked, detections, tmp_path):
    # Catches: the layer added to the map at load (show=True) or left out of the layer control.
    path = maps.save(maps.incident_map(checked, fires=detections), tmp_path / "map.html")
    html = path.read_text(encoding="utf-8")
    name = re.search(r'"Fire detections \(satellite\)" : (fire_layer_\w+)', html).group(1)
    assert not re.search(rf"{name}\s*\.addTo\(map_", html)
    assert "NASA Fire Information for Resource Management System (FIRMS)" in html


def test_map_without_fires_has_no_fire_layer(checked):
    # Catches: an empty fire layer (and FIRMS credit) on every map.
    html = render_html(maps.incident_map(checked))
    assert "Fire detections (satellite)" not in html and "FIRMS" not in html


def test_hostile_satellite_and_attribution_never_reach_the_page_raw(checked, detections):
    # Catches: the tooltip or the attribution line written as HTML instead of text.
    hostile = detections.copy()
    hostile["satellite"] = HOSTILE
    hostile.attrs["attribution"] = HOSTILE
    html = render_html(maps.incident_map(checked, fires=hostile))
    # (In the JSON payload "${alert(2)}" stays: the browser shows it with textContent.)
    assert "</script><img" not in html and "<img src=x onerror" not in html
    # The credit: HTML-escaped, then a JSON string (tojson writes & as \u0026).
    assert "\\u0026lt;img src=x onerror=\\u0026quot;alert(1)\\u0026quot;\\u0026gt;\\u0026#36;" in html


def test_fire_tooltips_and_sizes_follow_frp(detections):
    # Catches: radius or colour not growing with FRP, or the tooltip missing time/satellite/FRP.
    data = payloads.fire_detections(detections)
    strong, weak = data["tip"].index(next(t for t in data["tip"] if "22.4 MW" in t)), 0
    assert data["r"][strong] > data["r"][weak] and data["color"][strong] != data["color"][weak]
    assert data["tip"][strong] == "2025-08-21 11:42 UTC \u00b7 Suomi NPP VIIRS \u00b7 confidence high \u00b7 FRP 22.4 MW"


def test_report_counts_corroborated_of_checked(checked):
    # Catches: the unchecked (undated) incident counted as checked, or 0-detection ones as corroborated.
    html = render_report(checked)
    text = re.sub(r"\s+", " ", html)
    assert "<h2>Fire detections</h2>" in html
    assert "1 of the 2 incidents checked" in text and "1 could not be checked" in text
    assert "<h2>Fire detections</h2>" not in render_report(
        checked.drop(columns=list(geo.fires.CORROBORATION_COLUMNS)))


def test_cli_build_with_fires_corroborates_and_draws_the_layer(tmp_path):
    # Catches: --fires parsed but never passed on (no layer, no popup line in the page).
    from maps.cli import main

    out = tmp_path / "map.html"
    assert main(["build", "--fires", str(FIRMS), "-o", str(out), "-q"]) == 0
    html = out.read_text(encoding="utf-8")
    assert '"Fire detections (satellite)"' in html
    assert "2 within 2 km (first 00:05 UTC 21 Aug, max FRP 22.4 MW)" in html  # the sample's Mukachevo strike


def test_cli_refuses_a_fires_file_that_is_not_firms(tmp_path, capsys):
    # Catches: an incident file given to --fires failing late with a traceback instead of one line.
    from maps.cli import main

    sample = incidents.sample_path()
    assert main(["build", "--fires", str(sample), "-o", str(tmp_path / "map.html")]) == 2
    assert "--fires" in capsys.readouterr().err and not (tmp_path / "map.html").exists()


def test_cli_refuses_fires_with_publish_precision(tmp_path, capsys):
    # Catches: exact FIRMS points drawn beside coarsened incidents (the fire layer would show
    # the strike site that --publish-precision hides).
    from maps.cli import main

    out = tmp_path / "map.html"
    assert main(["build", "--fires", str(FIRMS), "--publish-precision", "oblast", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--publish-precision" in err and "--fires" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()
