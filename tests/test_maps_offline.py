"""Every page works with no network by default: Leaflet inlined, boundaries drawn under the tiles.

Pages are opened with every request that is not a local file refused, tiles included.
"""

from __future__ import annotations

import pytest
from browser import offline_page, rendered_counts

import incidents
import maps
from maps.assets import ASSETS
from maps.cli import main

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sample():
    return incidents.sample()


def located(gdf) -> int:
    return int((~(gdf.geometry.isna() | gdf.geometry.is_empty)).sum())


def script_errors(log) -> list[str]:
    """Errors other than the refused requests themselves (which Chromium logs as
    'Failed to load resource')."""
    return [e for e in log.errors if "Failed to load resource" not in e]


#: Ukraine's fill in the drawn basemap (maps.basemap.fallback_json), as RGB.
UKRAINE_FILL = (0xF6, 0xF3, 0xEC)


def drawn_basemap(frame) -> list[dict]:
    """What the drawn basemap of each map in ``frame`` shows: canvas pixels in Ukraine's
    fill colour, and the centre names."""
    return frame.evaluate("""fill => [...document.querySelectorAll('.folium-map')].map(m => {
        let pixels = 0;
        for (const c of m.querySelectorAll('canvas')) {
            if (!c.width || !c.height) { continue; }  // not laid out yet: nothing drawn
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 0; i < d.length; i += 4) {
                if (d[i] === fill[0] && d[i + 1] === fill[1] && d[i + 2] === fill[2]) { pixels++; }
            }
        }
        return {pixels, names: [...m.querySelectorAll('.im-centre-label')].map(l => l.textContent)};
    })""", list(UKRAINE_FILL))


def assert_works_offline(frame, log, expected_counts):
    frame.wait_for_selector("[data-incidents-rendered]", state="attached", timeout=30_000)
    assert frame.evaluate("typeof L") == "object"
    assert rendered_counts(frame) == expected_counts
    basemaps = drawn_basemap(frame)
    assert len(basemaps) == len(expected_counts)
    for drawn in basemaps:
        assert drawn["pixels"] > 5000, drawn  # Ukraine is drawn, not just listed
        assert {"Lviv", "Kharkiv", "Odesa", "Kyiv"} <= set(drawn["names"])
    assert not [e for e in log.errors if "L is not defined" in e]
    assert script_errors(log) == []


def test_cli_build_without_options_opens_with_no_network(chromium, sample, tmp_path, capsys):
    # Bug caught: the default page links Leaflet from the CDN (blank offline: "L is not defined").
    out = tmp_path / "map.html"
    assert main(["build", "-o", str(out)]) == 0
    page, log = offline_page(chromium, tiles=False)
    page.goto(out.as_uri())
    prepared, _ = maps.prepare(sample)  # what the command maps: geocoded, tagged
    assert_works_offline(page, log, [located(prepared)])
    assert log.requests == []  # nothing but tiles was even asked for
    # The centre names are on screen, not just in the DOM (the pane is under the tile pane).
    assert page.get_by_text("Lviv", exact=True).first.is_visible()
    page.close()


def test_compare_page_opens_with_no_network(chromium, sample, tmp_path):
    # Bug caught: compare_map's page left out of the default inlining (or its second map
    # without the drawn basemap).
    path = maps.save(maps.compare_map(sample, "west", "east"), tmp_path / "compare.html")
    page, log = offline_page(chromium, tiles=False)
    page.goto(path.as_uri())
    page.wait_for_function("document.querySelectorAll('[data-incidents-rendered]').length == 2")
    frame_counts = rendered_counts(page)
    assert sum(frame_counts) > 0
    assert_works_offline(page, log, frame_counts)
    page.close()


def test_notebook_display_opens_with_no_network(chromium, sample, tmp_path):
    # Bug caught: _repr_html_ (Jupyter) embedding a CDN page, blank in a notebook offline.
    host = tmp_path / "notebook.html"
    host.write_text("<!DOCTYPE html><html><body>" + maps.incident_map(sample)._repr_html_()
                    + "</body></html>", encoding="utf-8")
    page, log = offline_page(chromium, tiles=False)
    page.goto(host.as_uri())
    frame = next(f for f in page.frames if f != page.main_frame)
    assert_works_offline(frame, log, [located(sample)])
    page.close()


def test_report_maps_open_with_no_network(chromium, sample, tmp_path):
    # Bug caught: maps.report's embedded maps rendered with CDN links by default.
    path = maps.report(sample, tmp_path / "report.html")
    page, log = offline_page(chromium, tiles=False)
    page.goto(path.as_uri())
    frames = [f for f in page.frames if f != page.main_frame]
    assert len(frames) == 2
    for frame in frames:
        # The report's frames load lazily and a frame off screen may lay out no canvas yet
        # (seen under load: getImageData "source width is 0"): bring each into view, as a
        # reader scrolling does, then wait for the drawn basemap.
        frame.frame_element().scroll_into_view_if_needed()
        frame.wait_for_selector("[data-incidents-rendered]", state="attached", timeout=30_000)
        frame.wait_for_function("() => [...document.querySelectorAll('.folium-map canvas')]"
                                ".some(c => c.width > 0 && c.height > 0)", timeout=30_000)
        assert_works_offline(frame, log, rendered_counts(frame))
    page.close()


def test_cdn_option_links_the_pinned_files_instead(tmp_path):
    # Bug caught: --cdn ignored (still inlined), or linking an unpinned Leaflet.
    inlined, linked = tmp_path / "inlined.html", tmp_path / "linked.html"
    assert main(["build", "-o", str(inlined)]) == 0
    assert main(["build", "-o", str(linked), "--cdn"]) == 0
    cdn_page, own_page = linked.read_text(encoding="utf-8"), inlined.read_text(encoding="utf-8")
    assert f'src="{ASSETS["leaflet.js"].cdn_url}"' in cdn_page
    assert ASSETS["leaflet.js"].cdn_url not in own_page
    assert len(own_page) > len(cdn_page)


def test_drawn_basemap_steps_aside_when_tiles_load(chromium, sample, tmp_path):
    # Bug caught: the drawn basemap kept over loaded tiles (two sets of boundaries and names).
    path = maps.save(maps.incident_map(sample), tmp_path / "map.html")
    page, log = offline_page(chromium, tiles=True)  # every tile answered with a 1x1 PNG
    page.goto(path.as_uri())
    page.wait_for_selector("[data-incidents-rendered]", state="attached")
    assert log.tiles
    page.wait_for_function("document.querySelectorAll('.im-centre-label').length === 0")
    assert drawn_basemap(page)[0]["pixels"] == 0
    page.close()
