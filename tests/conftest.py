"""Shared fixtures: headless Chromium for tests marked ``browser``.

Browser tests need a chromium executable (Debian's; Playwright never downloads one). Without
it they skip locally and FAIL when the ``CI`` environment variable is set (tests/needs.py):
CI installs chromium, so a silent skip there would hide a broken machine.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

import needs

# CI replays the same property-test examples every run, so a red CI is reproducible
# with the same seed; locally hypothesis keeps exploring new examples.
settings.register_profile("ci", derandomize=True, deadline=None)
if needs.in_ci():
    settings.load_profile("ci")

# Tests never touch the network: self-contained pages use the filled asset cache
# (python scripts/fetch_assets.py) and fail with that command if it is missing.
os.environ["INCIDENT_MAPPER_NO_FETCH"] = "1"
# The Makefile keeps the cache in .cache/assets; a bare `python -m pytest` uses it too.
_ASSETS = Path(__file__).resolve().parents[1] / ".cache" / "assets"
if _ASSETS.is_dir():
    os.environ.setdefault("INCIDENT_MAPPER_ASSETS", str(_ASSETS))


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session (maps.browser flags, system executable)."""
    needs.chromium()  # skips locally, fails in CI
    from playwright.sync_api import sync_playwright

    from maps.browser import launch

    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()
