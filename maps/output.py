"""Writing maps: HTML files (optionally self-contained), embeddable iframes, PNG.

Example:
    >>> import incidents, maps
    >>> m = maps.incident_map(incidents.sample())                      # doctest: +SKIP
    >>> maps.save(m, "out/map.html")                  # opens with no network  # doctest: +SKIP
    >>> maps.save(m, "out/small.html", self_contained=False)  # Leaflet from a CDN  # doctest: +SKIP
    >>> html = maps.embed(m, height="420px")                           # doctest: +SKIP
    >>> maps.to_png(m, "docs/map.png", width=1200, height=800)         # doctest: +SKIP
"""

from __future__ import annotations

import html as html_lib
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from branca.element import Element

from incidents.output import check_output, write_output
from maps import assets
from maps.browser import TRANSPARENT_PNG, browser_page
from maps.layers import splice_payloads

_SCRIPT_LINK = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>')
_CSS_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>')
#: The embedded map's permissions: run its scripts, open source links in a new tab.
SANDBOX = "allow-scripts allow-popups allow-popups-to-escape-sandbox"
#: For a printed picture: interactive controls hidden, the legend open and the credits whole.
PICTURE_CSS = (".im-search, .im-filters, .im-timeline, .leaflet-control-zoom, .leaflet-control-layers,"
               " .leaflet-control-zoom-fullscreen, .leaflet-popup { display: none !important; }"
               " .im-legend .im-toggle { display: none !important; }"
               " .im-legend.im-collapsed > .im-body { display: block !important; }"
               " .leaflet-control-attribution { white-space: normal !important; }")
_ANY_EXTERNAL = re.compile(r'<(?:script|link)\b[^>]*(?:src|href)="(?:https?:)?//[^"]*"', re.I)


def render_html(m, self_contained: bool = True) -> str:
    """Full HTML page of a map (folium Map, CompareMap or any folium element); Leaflet and
    plugins inlined unless ``self_contained=False`` (then linked from the CDN)."""
    return "".join(_page_parts(m, self_contained))


def _page_parts(m, self_contained: bool) -> Iterator[str]:
    """The page in parts: the rendered page (assets inlined or not) with the incident
    payloads spliced in (:func:`maps.layers.splice_payloads`), each payload part made
    only when it is reached."""
    root = m.get_root()
    page = root.render()
    return splice_payloads(inline_assets(page) if self_contained else page, root)


def inline_assets(page: str) -> str:
    """Replace every pinned <script src>/<link stylesheet> by the cached file's contents.

    Raises ValueError if the page links to anything outside :data:`maps.assets.ASSETS`,
    so a "self-contained" page can never silently depend on the network.
    """

    def asset_for(url: str) -> assets.Asset:
        asset = assets.BY_URL.get(html_lib.unescape(url))
        if asset is None:
            raise ValueError(f"cannot inline {url}: not a pinned asset in maps.assets.ASSETS")
        return asset

    def script(match: re.Match) -> str:
        text = assets.read(asset_for(match.group(1)))
        return "<script>" + re.sub(r"</(script)", r"<\\/\1", text, flags=re.I) + "</script>"

    def style(match: re.Match) -> str:
        text = assets.read(asset_for(match.group(1)))
        return "<style>" + re.sub(r"</(style)", r"<\\/\1", text, flags=re.I) + "</style>"

    page = _CSS_LINK.sub(style, _SCRIPT_LINK.sub(script, page))
    left = _ANY_EXTERNAL.search(page)
    if left:
        raise ValueError(f"page still loads an external asset: {left.group(0)}")
    return page


def save(m: Element, path: str | Path, self_contained: bool = True, *, force: bool = False,
         inputs: Iterable[str | Path] = ()) -> Path:
    """Write the map as an HTML page through :func:`incidents.output.write_output`
    (atomically; ``"-"`` or a device streams; never over the incidents' source file or
    ``inputs``; a read-only file only with ``force``); returns the path.

    By default Leaflet and every plugin are inlined (pinned versions, from the local asset
    cache), so the page opens with no network; only map tiles are fetched, and where they
    cannot load the drawn basemap under them shows (:mod:`maps.basemap`).
    ``self_contained=False`` links the same pinned files from the jsDelivr CDN instead: a
    page about 0.2 MB smaller that needs the network to show anything.
    """
    parts = _page_parts(m, self_contained)  # rendered before the file is touched
    return write_output(path, lambda out: _write_parts(parts, out), force=force,
                        inputs=[*inputs, *getattr(m, "incident_inputs", ())])


def write_page(m: Element, out, self_contained: bool = True) -> None:
    """Write the page :func:`save` writes to the binary file object ``out``."""
    _write_parts(_page_parts(m, self_contained), out)


def _write_parts(parts: Iterable[str], out) -> None:
    for part in parts:  # one part at a time: the page is never whole in memory
        out.write(part.encode("utf-8"))


def embed(m: Element, height: str = "500px", width: str = "100%", self_contained: bool = True) -> str:
    """HTML fragment for reports and notebooks: a sandboxed iframe holding the page.

    The sandbox allows scripts, and popups (a source link opens in a new tab, which
    escapes the sandbox so the source site works) and nothing else: without
    ``allow-same-origin`` the map has an opaque origin, cannot touch the host page, and
    several maps on one page stay independent; without ``allow-top-navigation`` it cannot
    navigate the host away.
    """
    doc = html_lib.escape(render_html(m, self_contained), quote=True)
    return (f'<iframe class="incident-map" srcdoc="{doc}" sandbox="{SANDBOX}" '
            f'allow="fullscreen" style="width:{html_lib.escape(width)};'
            f'height:{html_lib.escape(height)};border:0" loading="lazy"></iframe>')


def to_png(m: Element, path: str | Path, width: int = 1200, height: int = 800, timeout_s: float = 60,
           browser: object | None = None, *, force: bool = False, inputs: Iterable[str | Path] = ()) -> Path:
    """Screenshot of the map through headless Chromium, for PDF and print reports: the
    legend and the credits, without the interactive controls (search, filters, timeline,
    zoom, layers, fullscreen).

    The page is rendered self-contained and loaded with every network request refused
    (tile requests get a transparent pixel), so the picture does not depend on the
    network; use ``basemap="offline"`` when building the map for a readable background.
    ``browser``: an already launched Playwright Browser to reuse (else one is launched).
    Written like :func:`save` (``force``, ``inputs``), but never streamed: PNG is binary.
    """
    inputs = [*inputs, *getattr(m, "incident_inputs", ())]
    check_output(path, inputs=inputs, force=force, stream=False)  # before a browser starts
    page_html = render_html(m, self_contained=True)
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "map.html"
        page_file.write_text(page_html, encoding="utf-8")
        with browser_page(width, height, browser) as page:
            page.route("**/*", _offline_route)
            page.goto(page_file.as_uri(), timeout=timeout_s * 1000)
            page.wait_for_selector("[data-incidents-rendered]", state="attached",
                                   timeout=timeout_s * 1000)
            page.add_style_tag(content=PICTURE_CSS)
            page.wait_for_timeout(400)  # let the canvas and label tooltips settle
            png = page.screenshot(full_page=False)
    return write_output(path, lambda out: out.write(png), force=force, inputs=inputs, stream=False)


def _offline_route(route) -> None:
    if route.request.url.startswith("file:"):
        route.continue_()
    elif route.request.resource_type == "image":
        route.fulfill(status=200, content_type="image/png", body=TRANSPARENT_PNG)
    else:
        route.abort()
