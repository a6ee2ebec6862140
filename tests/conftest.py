"""Shared fixtures: headless Chromium for tests marked ``browser``.

Browser tests skip only when no chromium executable exists (CI installs Debian's
chromium, so they run there); Playwright never downloads a browser.
"""

from __future__ import annotations

import os
import shutil

import pytest

# Tests never touch the network: self-contained pages use the filled asset cache
# (python scripts/fetch_assets.py) and fail with that command if it is missing.
os.environ["INCIDENT_MAPPER_NO_FETCH"] = "1"


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session (maps.browser flags, system executable)."""
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    from maps.browser import launch

    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()
