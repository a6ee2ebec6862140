"""Helpers for the map browser tests: an offline page that records what it tries to do."""

from __future__ import annotations

from dataclasses import dataclass, field

from maps.browser import TRANSPARENT_PNG

TILE_HOSTS = ("tile.openstreetmap.org", "basemaps.cartocdn.com")


@dataclass
class PageLog:
    """Console errors, page errors, dialogs and network requests seen by a page."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    tiles: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def offline_page(browser, width: int = 1200, height: int = 800):
    """New page whose tile requests get a 1x1 PNG and every other request is aborted and logged."""
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
            r.fulfill(status=200, content_type="image/png", body=TRANSPARENT_PNG)
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
            ctl.map.setView(ctl.markers[i].getLatLng(), 9, {animate: false});
            const p = ctl.map.latLngToContainerPoint(ctl.markers[i].getLatLng());
            const box = ctl.map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""", [incident_id, layer])
    assert point is not None, f"incident {incident_id!r} is not in the map payload"
    page.wait_for_timeout(300)  # canvas redraw after setView
    page.mouse.click(*point)
    page.wait_for_selector(".leaflet-popup-content", timeout=5_000)
