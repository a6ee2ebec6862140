"""Popups say what a reader needs, in words, and open clear of the panels (real Chromium)."""

from __future__ import annotations

import pytest
from browser import click_incident, open_map

import geo
import incidents
import maps
from incidents.countries import country_name
from maps.payload import PIPELINE_COLUMNS

pytestmark = pytest.mark.browser

MUKACHEVO_ID = "mukachevo-flex-2025-08-21"


@pytest.fixture(scope="module")
def prepared():
    """The sample after the whole pipeline, as the command line maps it (pipeline columns
    such as geocode_source and ownership_score present)."""
    gdf, _ = maps.prepare(incidents.sample())
    return gdf


@pytest.fixture(scope="module")
def mukachevo(prepared):
    return prepared[prepared["id"] == MUKACHEVO_ID].iloc[0]


def popup_when_still(page) -> dict:
    """Text, links and box of the open popup once autopan has finished moving it."""
    return page.evaluate("""() => new Promise(done => {
        let last = null;
        const tick = () => {
            const w = document.querySelector('.leaflet-popup-content-wrapper');
            const r = w.getBoundingClientRect();
            const now = [r.left, r.top, r.right, r.bottom].join();
            if (now === last) {
                done({text: w.innerText, box: [r.left, r.top, r.right, r.bottom],
                      links: [...w.querySelectorAll('a')].map(a => ({href: a.href, rel: a.rel, target: a.target}))});
            } else { last = now; setTimeout(tick, 120); }
        };
        tick();
    })""")


def control_boxes(page) -> list[list[float]]:
    return page.evaluate("""() => [...document.querySelectorAll('.leaflet-control')]
        .map(c => c.getBoundingClientRect()).filter(r => r.width && r.height)
        .map(r => [r.left, r.top, r.right, r.bottom])""")


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("size", [(1400, 900), (390, 844)])
def test_mukachevo_popup_in_words_and_clear_of_panels(chromium, prepared, mukachevo, tmp_path, size):
    path = maps.save(maps.incident_map(prepared), tmp_path / "map.html")
    page, log = open_map(chromium, path, width=size[0], height=size[1])
    click_incident(page, MUKACHEVO_ID)
    popup = popup_when_still(page)
    text = popup["text"]
    # Place with its oblast, date, target with its kind, owner with country and the evidence.
    assert mukachevo["place"] in text and geo.oblast(mukachevo["oblast"]).name_en in text
    assert mukachevo["date"].strftime("%Y-%m-%d") in text
    assert mukachevo["target"] in text and mukachevo["target_type"] in text
    assert mukachevo["owner_company"] in text and country_name(mukachevo["owner_country"]) in text
    assert mukachevo["ownership_reason"] in text  # why this owner, in words
    assert mukachevo["weapon"].replace("_", " ") in text and mukachevo["weapon"] not in text
    # Casualties with the reported range, and where the marker stands, in words.
    assert f"{mukachevo['injured']} ({mukachevo['injured_low']}\u2013{mukachevo['injured_high']})" in text
    assert "not the exact site" in text
    # Bug caught: pipeline bookkeeping (geocode_source, ownership_score, ...) listed as fields.
    shown = [c for c in PIPELINE_COLUMNS if c in text]
    assert shown == [], shown
    # Every source a link that opens in a new tab and tells the site nothing.
    assert sorted(link["href"] for link in popup["links"]) == sorted(mukachevo["sources"])
    assert all(link["target"] == "_blank" and set(link["rel"].split()) >= {"noopener", "noreferrer"}
               for link in popup["links"])
    # Bug caught: the popup title opening under the filter panel (no autopan padding).
    covered = [c for c in control_boxes(page) if overlaps(c, popup["box"])]
    assert covered == [], (popup["box"], covered)
    assert log.errors == []
    page.close()


def test_popup_columns_shows_a_pipeline_column_when_asked(chromium, prepared, tmp_path):
    # Bug caught: popup_columns ignored (or the pipeline columns banned outright).
    path = maps.save(maps.incident_map(prepared, popup_columns=["geocode_source"]), tmp_path / "map.html")
    page, _ = open_map(chromium, path)
    click_incident(page, MUKACHEVO_ID)
    text = page.inner_text(".leaflet-popup-content")
    assert "geocode_source" in text and "ownership_score" not in text
    page.close()


def test_popup_columns_naming_a_missing_column_is_one_clear_error(prepared):
    with pytest.raises(ValueError, match="popup_columns: no column 'casualty_note'"):
        maps.incident_map(prepared, popup_columns=["casualty_note"])


def test_popup_says_satellite_fire_detections_in_words(chromium, prepared, tmp_path):
    # Bug caught: the fire line missing from the browser's popup rows (payload built, never shown),
    # or a JS error from the fire layer. Detections: the SYNTHETIC FIRMS fixture, two at
    # Mukachevo on 2025-08-21 (00:05, FRP 6.81 MW; 11:42, FRP 22.4 MW).
    from pathlib import Path

    fires = incidents.load(Path(__file__).parent / "fixtures" / "synthetic_firms_viirs_snpp_archive.csv")
    path = maps.save(maps.incident_map(geo.corroborate(prepared, fires), fires=fires), tmp_path / "map.html")
    page, log = open_map(chromium, path)
    click_incident(page, MUKACHEVO_ID)
    text = page.inner_text(".leaflet-popup-content")
    assert "Satellite fire detections" in text
    assert "2 within 2 km (first 00:05 UTC 21 Aug, max FRP 22.4 MW)" in text
    # The fire layer (off at first) draws one circle per detection, its tooltip as text.
    shown = page.evaluate("""() => {
        const name = Object.keys(window).find(k => k.startsWith('fire_layer_') && !k.endsWith('_data'));
        const layer = window[name], map = window[Object.keys(window).find(k => k.startsWith('map_'))];
        const before = map.hasLayer(layer);
        layer.addTo(map);
        return {before, tips: layer.getLayers().map(c => c.getTooltip().getContent().textContent)};
    }""")
    assert shown["before"] is False and len(shown["tips"]) == 3
    assert "2025-08-21 11:42 UTC \u00b7 Suomi NPP VIIRS \u00b7 confidence high \u00b7 FRP 22.4 MW" in shown["tips"]
    assert log.errors == []
    page.close()
