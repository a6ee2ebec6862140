"""Shared fixtures: headless Chromium for tests marked ``browser``.

Browser tests skip only when no chromium executable exists (CI installs Debian's
chromium, so they run there); Playwright never downloads a browser.
"""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import settings

# CI replays the same property-test examples every run, so a red CI is reproducible
# with the same seed; locally hypothesis keeps exploring new examples.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

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
