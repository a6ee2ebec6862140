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
# Mutation runs (make mutate) replay fewer, fixed examples per mutant: a kill must not
# depend on luck, and hundreds of mutants each rerun the property tests.
settings.register_profile("mutation", derandomize=True, deadline=None, max_examples=25)
if os.environ.get("INCIDENT_MAPPER_MUTATION"):
    settings.load_profile("mutation")
elif needs.in_ci():
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


def pytest_collection_modifyitems(config, items):
    """``make mutate TESTS="tests/a.py tests/b.py"`` runs mutmut with a fast test selection:
    mutmut has no command-line option for it, so the selection travels in
    INCIDENT_MAPPER_MUTATION_TESTS and the other tests are deselected here."""
    wanted = os.environ.get("INCIDENT_MAPPER_MUTATION_TESTS", "").split()
    if not wanted:
        return
    names = {Path(w).name for w in wanted}
    keep = [item for item in items if item.path.name in names]
    if len(keep) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item.path.name not in names])
        items[:] = keep


@pytest.fixture(autouse=True)
def _fresh_caches_when_mutating():
    """mutmut forks each mutant's test run from a process that already ran the tests, and
    records which tests call which function. Cached objects (the point index, its grids,
    loaded boundaries) would be built once, by whichever test came first, and then reused:
    a mutant in a constructor would run under one test only, or not at all. So under
    `make mutate` every functools cache of the project is cleared before each test."""
    if needs.mutating():
        import sys

        for name, module in list(sys.modules.items()):
            if name.split(".")[0] in ("incidents", "geo", "maps") and module is not None:
                for value in list(vars(module).values()):
                    if callable(getattr(value, "cache_clear", None)) and hasattr(value, "__wrapped__"):
                        value.cache_clear()
    yield


def pytest_terminal_summary(terminalreporter):
    """Print the figures tests recorded (tests/summary.py), e.g. the geocoder's accuracy."""
    from summary import FIGURES

    sections: dict[str, list[str]] = {}
    for section, line in FIGURES:
        sections.setdefault(section, []).append(line)
    for section, lines in sections.items():
        terminalreporter.write_sep("-", section)
        for line in lines:
            terminalreporter.write_line(line)
