"""Registered foreign sites on the incident map (off by default, escaped popups) and in the
report (the per-region table, the half-year timeline, the sample-not-census sentence).

Each test names the one-line bug it is there to catch.
"""

import importlib
import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import maps
from incidents import OwnershipRegistry

REGISTRY = Path(__file__).parent / "fixtures" / "synthetic_exposure_registry.csv"
HOSTILE = '<img src=x onerror="window.__pwned=1">Evil & Co</script>'
report_module = importlib.import_module("maps.report")


@pytest.fixture(scope="module")
def registry():
    return OwnershipRegistry.from_csv(REGISTRY, base=None)


@pytest.fixture(scope="module")
def hostile_registry():
    text = ("company,owner_country,sector,sites,source_url\n"
            f'"{HOSTILE.replace(chr(34), chr(34) * 2)}",US,"<b>sector</b>",Lviv;UA-46;49.8;24.0,'
            "https://example.org/synthetic/hostile\n")
    return OwnershipRegistry.from_text(text, source="synthetic hostile registry")


@pytest.fixture(scope="module")
def gdf():
    rows = [{"id": "synthetic_near", "date": pd.Timestamp("2024-06-30"), "location_precision": "exact",
             "place": "Lviv", "owner_company": None},
            {"id": "synthetic_kharkiv", "date": pd.Timestamp("2024-10-01"), "location_precision": "exact",
             "place": "Kharkiv", "owner_company": None},
            {"id": "synthetic_owner", "date": pd.Timestamp("2025-08-21"), "location_precision": None,
             "place": "Mukachevo", "oblast": "UA-21", "owner_company": "Synthetic Gazetteer Plant"}]
    points = [shapely.Point(24.0, 49.8081), shapely.Point(36.2300, 49.9955), None]  # ~0.9 km N, ~0.5 km S
    return gpd.GeoDataFrame(rows, geometry=points, crs=4326)


def site_layer(html: str) -> str:
    return re.search(r"var (site_layer_\w+) = L\.featureGroup", html).group(1)


def site_payload(html: str) -> list[dict]:
    name = site_layer(html)
    block = re.search(rf'<script type="application/json" id="{name}_data">(.*?)</script>', html, re.S).group(1)
    return json.loads(block)


def test_site_layer_is_listed_in_the_layer_control_but_not_shown(gdf, registry):
    # Bugs caught: SiteLayer(..., show=True) (or the Layer default): the page would call
    # site_layer_x.addTo(map) and the sites would be on at first; the layer added after the
    # layer control (its variable still undefined when the control is built: a page error).
    html = maps.incident_map(gdf, registry=registry).get_root().render()
    name = site_layer(html)
    assert html.index(f"var {name} = L.featureGroup") < html.index("L.control.layers(")
    overlays = html[html.index("overlays :"):html.index("L.control.layers(")]
    assert f'"Registered foreign sites" : {name}' in overlays
    assert f"{name}.addTo(" not in html
    incidents_layer = re.search(r"var (incident_layer_\w+) = L\.featureGroup", html).group(1)
    assert f"{incidents_layer}.addTo(" in html  # the check above would see an added layer


def test_one_marker_per_placed_site_with_hit_details(gdf, registry):
    # Bugs caught: unplaced sites sent with NaN coordinates (JSON would fail or draw at 0,0);
    # the hit flag or its date missing from the popup.
    payload = {s["company"]: s for s in site_payload(maps.incident_map(gdf, registry=registry).get_root().render())}
    assert set(payload) == {"Synthetic Near Plant", "Synthetic Far Plant", "Synthetic Gazetteer Plant",
                            "Synthetic Elsewhere Plant", "Synthetic Kharkiv Plant", "Synthetic Kharkiv Depot"}
    near = payload["Synthetic Near Plant"]
    assert near["hit"] and "2024-06-30" in near["hit_text"] and "within 1 km" in near["hit_text"]
    assert near["country"] == "Germany (DE)" and near["placed"] == "registry coordinates"
    gaz = payload["Synthetic Gazetteer Plant"]
    assert gaz["hit"] and "tagged to the owner" in gaz["hit_text"] and "settlement centre" in gaz["placed"]
    assert not payload["Synthetic Far Plant"]["hit"]


def test_hostile_company_name_never_reaches_the_page_raw(gdf, hostile_registry):
    # Bugs caught: the payload written with json.dumps instead of script_json (raw "<img" and
    # "</script>" in the page); the popup built as an HTML string (innerHTML / bindPopup("..."
    # + s.company)) instead of text nodes.
    html = maps.incident_map(gdf, registry=hostile_registry).get_root().render()
    assert "<img src=x" not in html and "<b>sector" not in html
    assert site_payload(html)[0]["company"] == HOSTILE  # the JSON decodes back to the literal text
    name = site_layer(html)
    script = html[html.index(f"var {name} = L.featureGroup"):]
    script = script[:script.index(f".addTo({name});")]
    assert "IncidentMapper.el" in script and "innerHTML" not in script and "bindPopup(box" in script


@pytest.mark.browser
def test_site_popup_shows_the_hostile_name_as_text(chromium, gdf, hostile_registry, tmp_path):
    # Bugs caught: the layer shown at first (its checkbox checked); the popup's text parsed as
    # HTML (an <img> element appears and its onerror runs).
    from browser import open_map

    path = maps.save(maps.incident_map(gdf, registry=hostile_registry), tmp_path / "sites.html",
                     self_contained=True)
    page, log = open_map(chromium, path)
    checkbox = page.locator(".leaflet-control-layers-overlays label", has_text="Registered foreign sites") \
        .locator("input")
    assert not checkbox.is_checked()
    checkbox.evaluate("input => input.click()")
    assert checkbox.is_checked()
    page.evaluate("""() => {
        const name = Object.keys(window).find(k => k.startsWith("site_layer_") && !k.endsWith("_data"));
        window[name].eachLayer(l => l.openPopup());
    }""")
    page.wait_for_selector(".im-site", timeout=5_000)
    text = page.inner_text(".im-site")
    assert HOSTILE in text and "<b>sector</b>" in text
    assert page.locator(".im-site img, .im-site b").count() == 0
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned === undefined")
    assert log.dialogs == [] and log.errors == []
    page.close()


def test_report_has_the_registered_sites_section(gdf, registry):
    # Bugs caught: the section left out of the template or the context; the sample-not-census
    # sentence dropped; the table counting all sites as the denominator (50% would read 40%).
    html = report_module.render(gdf, registry=registry)
    section = html[html.index('<section id="registered-sites">'):]
    section = section[:section.index("</section>")]
    assert "not a census" in section and "shares are of registered sites only" in section
    rows = re.findall(r"<tr><td>(\w+)</td><td class=\"num\">(\d+)</td><td class=\"num\">(\d+) \((\d+) / (\d+)\)</td>"
                      r"\s*<td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td><td class=\"num\">([^<]+)</td>",
                      section)
    assert rows == [("west", "5", "4", "2", "2", "1", "2", "50%"), ("east", "2", "2", "1", "1", "0", "1", "50%")]
    assert re.search(r"2 of the 3 incidents have point coordinates", section)
    assert re.search(r"1 could not be\s+placed", section) and re.search(r"1 foreign registry\s+entry lists no site", section)
    # The half-year timeline: 2024-H1 .. 2025-H2, west hit in 2024-H1 and 2025-H2, east in 2024-H2.
    timeline = re.findall(r'<tr><td class="date">([\d-]+H\d)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td>',
                          section)
    assert timeline == [("2024-H1", "1 of 4", "0 of 2"), ("2024-H2", "0 of 4", "1 of 2"),
                        ("2025-H1", "0 of 4", "0 of 2"), ("2025-H2", "1 of 4", "0 of 2")]


def test_report_escapes_the_registry_note_path(gdf, hostile_registry):
    # Bug caught: the compare table's registered-site rows bypassing the escaping finalize.
    html = report_module.render(gdf, registry=hostile_registry)
    assert "<img src=x" not in html
    assert "registered foreign sites hit" in html
