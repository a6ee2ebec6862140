"""Embedded maps in a report: source links open a new tab; the report reflows on a phone."""

from __future__ import annotations

import pytest
from browser import offline_page

import incidents
import maps

pytestmark = pytest.mark.browser

MUKACHEVO_ID = "mukachevo-flex-2025-08-21"


@pytest.fixture(scope="module")
def report_path(tmp_path_factory):
    gdf, _ = maps.prepare(incidents.sample())
    return maps.report(gdf, tmp_path_factory.mktemp("report") / "report.html")


def test_source_link_in_the_embedded_report_map_opens_a_new_page(chromium, report_path):
    # Bug caught: iframes sandboxed with allow-scripts only ("sandboxed frame whose
    # 'allow-popups' permission is not set"): clicking a source does nothing.
    page, log = offline_page(chromium)
    # Answer source sites locally, so the new tab has something to show with no network.
    page.context.route("https://**", lambda r: r.fulfill(
        status=200, content_type="text/html", body="<title>source</title><p>source page</p>"))
    page.goto(report_path.as_uri())
    frame = next(f for f in page.frames if f != page.main_frame)
    frame.wait_for_selector("[data-incidents-rendered]", state="attached", timeout=30_000)
    frame.evaluate("""id => { const c = IncidentMapper.layers[0];
                              c.openPopup(c.data.id.indexOf(id)); }""", MUKACHEVO_ID)
    link = frame.locator(".leaflet-popup-content a").first
    href = link.get_attribute("href")
    with page.context.expect_page(timeout=10_000) as opened:
        link.click()
    new_page = opened.value
    new_page.wait_for_load_state()
    assert new_page.url == href
    assert "source page" in new_page.inner_text("body")
    # The host page stays where it was (no top navigation from the frame).
    assert page.url == report_path.as_uri()
    assert [e for e in log.errors if "Failed to load resource" not in e] == []
    new_page.close()
    page.close()


def test_report_reflows_on_a_phone(chromium, report_path):
    # Bug caught: tables widening the page on a phone (684 px wide at 390).
    page, _ = offline_page(chromium, width=390, height=844)
    page.goto(report_path.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    tables = page.evaluate("""() => [...document.querySelectorAll('table')].map(t => {
        const box = t.parentElement, r = box.getBoundingClientRect();
        return {scrolls: getComputedStyle(box).overflowX === 'auto', right: r.right};
    })""")
    assert tables and all(t["scrolls"] and t["right"] <= 390 for t in tables), tables
    frames = page.evaluate("[...document.querySelectorAll('iframe')].map(f => f.getBoundingClientRect().right)")
    assert frames and max(frames) <= 390
    page.close()
