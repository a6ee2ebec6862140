"""Headless Chromium through Playwright, using the system browser (never a download).

Example:
    >>> from maps.browser import browser_page
    >>> with browser_page(800, 600) as page:               # doctest: +SKIP
    ...     page.set_content("<p>hi</p>")
"""

from __future__ import annotations

import base64
import shutil
from contextlib import contextmanager

#: Flags that keep Chromium quiet and offline in containers and CI.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
    "--disable-dev-shm-usage",
]
#: A 1x1 fully transparent PNG, served in place of map tiles in offline renders and tests.
TRANSPARENT_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR4nGNgAAIAAAUAAXpeqz8AAAAASUVORK5CYII=")


class ChromiumMissing(RuntimeError):
    """No chromium executable on PATH."""


def chromium_path() -> str:
    """Path of the system Chromium (``chromium`` or ``chromium-browser`` on PATH)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise ChromiumMissing("chromium not found on PATH (Debian: apt-get install -y chromium)")
    return found


def launch(playwright):
    """Launch headless Chromium from the system executable with the standard flags."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS,
                                      headless=True)


@contextmanager
def browser_page(width: int = 1200, height: int = 800, browser=None):
    """A fresh page, closed afterwards: in ``browser`` (a Playwright Browser) if given,
    else in a headless Chromium launched (and closed) for it."""
    if browser is not None:
        page = browser.new_page(viewport={"width": width, "height": height})
        try:
            yield page
        finally:
            page.close()
        return
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # an optional extra: only PNG export and the browser tests need it
        raise RuntimeError("rendering in Chromium needs Playwright: pip install 'incident-mapper[png]' "
                           "and a chromium executable (Debian: apt-get install chromium)") from None

    with sync_playwright() as p:
        own = launch(p)
        try:
            with browser_page(width, height, own) as page:
                yield page
        finally:
            own.close()
