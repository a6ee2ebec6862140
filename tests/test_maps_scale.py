"""A map with more incidents than a JS argument list can hold (real Chromium).

Above about 124,000 incidents, a call such as ``Math.min.apply(null, months)`` throws
"Maximum call stack size exceeded" and everything the page sets up after it (timeline,
legend, layer control, fullscreen, credits) is missing. 130,000 SYNTHETIC incidents
(``synthetic-`` ids, example.org sources): big enough to hit that limit, small enough
for CI. The 1,000,000-incident figures are benchmark rows (scripts/bench.py --only maps).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from browser import click_incident, open_map, rendered_counts

import maps
from incidents import OwnershipRegistry

pytestmark = pytest.mark.browser

N = 130_000
#: The test searches for and clicks the last incident (its target, "synthetic depot
#: 129999", is no other target's prefix).
NEEDLE = f"synthetic-{N - 1:06d}"


@pytest.fixture(scope="module")
def many() -> gpd.GeoDataFrame:
    """N synthetic incidents over Ukraine, regions stated so no spatial join runs."""
    rng = np.random.default_rng(7)
    weapons = rng.choice(["drone", "cruise_missile", "glide_bomb"], N)
    frame = pd.DataFrame({
        "id": [f"synthetic-{i:06d}" for i in range(N)],
        "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, N), unit="D"),
        "place": "Synthetic settlement", "weapon": weapons,
        "target": [f"synthetic depot {i}" for i in range(N)],
        "target_type": rng.choice(["energy", "industrial"], N),
        "oblast_name": "Synthetic oblast", "macro_region": "centre",
        "sources": [[f"https://example.org/synthetic/{i}"] for i in range(N)],
    })
    points = shapely.points(rng.uniform(23.0, 39.0, N), rng.uniform(45.5, 51.5, N))
    return gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")


@pytest.fixture(scope="module")
def page(chromium, many, tmp_path_factory):
    # An empty registry: the foreign-sites overlay is not what this test is about, and
    # placing the shipped registry's sites costs seconds.
    m = maps.incident_map(many, registry=OwnershipRegistry(entries=()))
    path = maps.save(m, tmp_path_factory.mktemp("scale") / "map.html")
    page, log = open_map(chromium, path, width=1200, height=800)
    yield page, log
    page.close()


def test_every_control_is_there_and_nothing_throws(page):
    # Bug caught: any call spreading a column into an argument list (Math.min.apply, push(...))
    # throws at this size and leaves the page without the controls set up after it.
    page, log = page
    assert log.errors == []
    assert rendered_counts(page) == [N]
    for control in (".im-search input", ".im-timeline input[type=range]", ".im-legend [data-color]",
                    ".leaflet-control-layers", ".leaflet-control-zoom-fullscreen", ".im-filters select"):
        assert page.locator(control).count() >= 1, control
    assert "Natural Earth" in page.inner_text(".leaflet-control-attribution")
    # The view was fitted to the incidents (not left on the whole world).
    assert page.evaluate("IncidentMapper.layers[0].map.getZoom()") >= 5
    # The heat map (hidden at first) gets every incident when shown.
    heat_points = page.evaluate("""() => {
        const heat = window[Object.keys(window).find(k => k.startsWith('heat_map_'))];
        heat.addTo(IncidentMapper.layers[0].map);
        return heat._latlngs.length;
    }""")
    assert heat_points == N and log.errors == []


def test_filters_timeline_and_legend_count_every_incident(page, many):
    # Bug caught: counts taken from the circles drawn (one per colour and screen cell when
    # zoomed out) instead of from every incident the filters keep.
    page, log = page
    page.select_option(".im-filters select >> nth=0", label="glide bomb")
    bombs = int((many["weapon"] == "glide_bomb").sum())
    counts = page.eval_on_selector_all(".im-legend [data-color]", "ss => ss.map(s => Number(s.textContent))")
    assert rendered_counts(page) == [bombs] and sum(counts) == bombs
    assert page.inner_text(".im-legend .im-shown") == f"{bombs} of {N} shown"
    month = pd.Period("2024-03", "M")
    in_month = int(((many["weapon"] == "glide_bomb") & (many["date"].dt.to_period("M") == month)).sum())
    page.evaluate("""m => { const s = document.querySelector('.im-timeline input[type=range]');
                         s.value = m; s.dispatchEvent(new Event('input')); }""", month.year * 12 + month.month - 1)
    assert page.inner_text(".im-legend .im-shown") == f"{in_month} of {N} shown"
    page.check(".im-timeline input[type=checkbox]")
    page.select_option(".im-filters select >> nth=0", label="all")
    assert rendered_counts(page) == [N]
    assert log.errors == []


def test_search_and_popup_find_one_incident_among_all(page, many):
    # Bug caught: the click or the search answering with a neighbour drawn over the incident
    # (or nothing), once circles are drawn from the columns instead of one object each.
    page, log = page
    page.fill(".im-search input", f"synthetic depot {N - 1}")
    assert page.eval_on_selector_all(".im-results li", "ls => ls.length") == 1
    click_incident(page, NEEDLE)
    popup = page.inner_text(".leaflet-popup-content")
    assert f"synthetic depot {N - 1}" in popup and f"https://example.org/synthetic/{N - 1}" in popup
    assert log.errors == []
