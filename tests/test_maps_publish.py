"""--publish-precision: no part of a popup, tooltip or table more precise than the level."""

from __future__ import annotations

import pytest
from browser import offline_page

import geo
import incidents
import maps
from maps.cli import main

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def flex():
    gdf, _ = maps.prepare(incidents.sample())
    return gdf[gdf["id"] == "mukachevo-flex-2025-08-21"].iloc[0]


def test_oblast_precision_popup_names_the_oblast_not_the_town_or_plant(chromium, flex, tmp_path, capsys):
    # Bug caught: the marker snapped to Uzhhorod while the popup still says Mukachevo and
    # "Flex Ltd electronics plant".
    out = tmp_path / "map.html"
    assert main(["build", "-o", str(out), "--publish-precision", "oblast"]) == 0
    page, log = offline_page(chromium)
    page.goto(out.as_uri())
    page.wait_for_selector("[data-incidents-rendered]", state="attached")
    texts = page.evaluate("""owner => {
        const c = IncidentMapper.layers[0], d = c.data;
        const i = d.codes.owner_company.findIndex(k => d.dicts.owner_company[k] === owner);
        c.map.setView(c.latLng(i), 8, {animate: false});
        c.openPopup(i);
        return {popup: document.querySelector('.leaflet-popup-content').innerText,
                tooltips: Array.from(d.id, (_, j) => c.tooltipText(d, j))};
    }""", flex["owner_company"])
    popup = texts["popup"]
    assert geo.oblast(flex["oblast"]).name_en in popup and "industrial site" in popup
    for exact in (flex["place"], flex["target"], flex["id"]):
        assert exact not in popup, exact
    assert flex["owner_company"] in popup  # the owner is what the map is about; it stays
    assert not [t for t in texts["tooltips"] if flex["place"] in t or flex["target"] in t]
    assert [e for e in log.errors if "Failed to load resource" not in e] == []
    page.close()


def test_keep_target_text_keeps_the_target(flex):
    gdf, _ = maps.prepare(incidents.sample())
    kept = maps.publishable(gdf, "oblast", keep_target_text=True)
    assert flex["target"] in set(kept["target"]) and flex["place"] not in set(kept["place"])
