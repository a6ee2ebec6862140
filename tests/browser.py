"""Helpers for the map browser tests: an offline page that records what it tries to do."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from maps.browser import TRANSPARENT_PNG

TILE_HOSTS = ("tile.openstreetmap.org", "basemaps.cartocdn.com")


@dataclass
class PageLog:
    """Console errors, page errors, dialogs and network requests seen by a page."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    tiles: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def offline_page(browser, width: int = 1200, height: int = 800, tiles: bool = True):
    """New page whose tile requests get a 1x1 PNG and every other request is aborted and logged.

    ``tiles=False``: tile requests are aborted too (and logged in ``tiles``), as on a
    machine with no network at all."""
    page = browser.new_page(viewport={"width": width, "height": height})
    log = PageLog()
    page.on("console", lambda m: log.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.errors.append(f"pageerror: {e}"))

    def dialog(d):
        log.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "about:", "data:")):
            r.continue_()
        elif any(host in url for host in TILE_HOSTS):
            log.tiles.append(url)
            if tiles:
                r.fulfill(status=200, content_type="image/png", body=TRANSPARENT_PNG)
            else:
                r.abort()
        else:
            log.requests.append(url)
            r.abort()

    page.route("**/*", route)
    return page, log


def open_map(browser, path, **kwargs):
    """Open a saved map page offline and wait until its incident layer has drawn."""
    page, log = offline_page(browser, **kwargs)
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("[data-incidents-rendered]", state="attached", timeout=30_000)
    return page, log


def rendered_counts(page) -> list[int]:
    """data-incidents-rendered of every map on the page, in document order."""
    return page.eval_on_selector_all(
        "[data-incidents-rendered]", "els => els.map(e => Number(e.dataset.incidentsRendered))")


def click_incident(page, incident_id: str, layer: int = 0) -> None:
    """Click the circle of one incident (found by id in the layer's payload)."""
    point = page.evaluate(
        """([id, k]) => {
            const ctl = IncidentMapper.layers[k];
            const i = ctl.data.id.indexOf(id);
            if (i < 0) { return null; }
            ctl.map.setView(ctl.latLng(i), 9, {animate: false});
            const p = ctl.map.latLngToContainerPoint(ctl.latLng(i));
            const box = ctl.map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""", [incident_id, layer])
    assert point is not None, f"incident {incident_id!r} is not in the map payload"
    # The canvas redraws on the next animation frame after setView: wait two frames
    # (a condition, not a guess at how long a redraw takes).
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.mouse.click(*point)
    page.wait_for_selector(".leaflet-popup-content", timeout=5_000)


def hover_incident(page, incident_id: str, expect_text: str, layer: int = 0, timeout_s: float = 10.0) -> str:
    """Centre the map on one incident, hover its circle until a tooltip holding
    ``expect_text`` shows, and return that tooltip's text (read in the same JS turn that saw
    it shown, so a tooltip closing a moment later cannot race the read).

    Waits for conditions, not for time: the circle's screen position must be the same on two
    consecutive animation frames; the mouse leaves the circle, then enters its lower half
    (clear of the tip of any popup opened on it) and moves again, a pixel at a time inside
    it, until the tooltip shows. Entering is what opens a tooltip, and the incident layer
    looks up the pointer once per animation frame, so a single move can land unseen."""
    x, y, r = page.evaluate(
        """([id, k]) => new Promise(done => {
            const ctl = IncidentMapper.layers[k];
            const i = ctl.data.id.indexOf(id);
            ctl.map.setView(ctl.latLng(i), 9, {animate: false});
            const box = ctl.map.getContainer().getBoundingClientRect();
            let last = null;
            const tick = () => {
                const p = ctl.map.latLngToContainerPoint(ctl.latLng(i));
                if (last && p.x === last.x && p.y === last.y) {
                    done([box.left + p.x, box.top + p.y, ctl.radius(i)]);
                } else { last = p; requestAnimationFrame(tick); }
            };
            tick();
        })""", [incident_id, layer])
    shown = """want => {
        for (const t of document.querySelectorAll('.leaflet-tooltip')) {
            if (t.textContent.includes(want) && t.getBoundingClientRect().width > 0) { return t.textContent; }
        }
        return null;
    }"""
    below, outside = y + r * 0.5, (x + r + 25, y + r * 0.5)
    deadline = time.monotonic() + timeout_s
    page.mouse.move(*outside)  # leave the circle first: only entering it opens a tooltip
    step = 0
    while True:
        page.mouse.move(x + (step % 3) - 1, below)
        try:
            return page.wait_for_function(shown, arg=expect_text, timeout=200).json_value()
        except PlaywrightTimeout:
            step += 1
            assert time.monotonic() < deadline, f"no tooltip {expect_text!r} after hovering {timeout_s} s"
            if step % 4 == 0:
                page.mouse.move(*outside)
