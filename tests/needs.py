"""What a test needs from the machine, decided when the test runs (never at import time).

Locally a missing tool or asset cache skips the test, naming what to install (pytest runs
with ``-rs``, so every skip is listed). When the ``CI`` environment variable is set the same
absence FAILS the test: CI installs chromium and poppler-utils and fills the asset cache
(.ci/run, ``make test``), so a skip there would only hide a broken CI machine.
"""

from __future__ import annotations

import os
import shutil

import pytest


def in_ci() -> bool:
    """True when the ``CI`` environment variable is set to anything but "", "0" or "false"."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(what: str) -> None:
    """Skip the running test for lack of ``what`` -- or fail it, in CI."""
    if in_ci():
        pytest.fail(f"{what}; CI must provide it (see .ci/run and `make test`)", pytrace=False)
    pytest.skip(what)


def tool(*names: str, install: str) -> str:
    """Path of the first executable of ``names`` on PATH; skip (fail in CI) if none is there."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    missing(f"{' or '.join(names)} is not installed ({install})")
    raise AssertionError("unreachable")  # pytest.skip / pytest.fail raise


def chromium() -> str:
    return tool("chromium", "chromium-browser", install="apt-get install -y chromium")


def asset_cache() -> None:
    """The offline Leaflet assets that self-contained pages inline."""
    from maps import assets

    absent = assets.missing()
    if absent:
        missing(f"the asset cache {assets.cache_dir()} lacks {absent[0].spec} "
                f"(run `python scripts/fetch_assets.py` or `make assets`)")


def mutating() -> bool:
    """True inside `make mutate` (mutmut reruns the selected tests once per mutant)."""
    return bool(os.environ.get("INCIDENT_MAPPER_MUTATION"))


def examples(n: int) -> int:
    """``n`` property-test examples, a quarter of them (at least 8) inside `make mutate`:
    hundreds of mutants each rerun the property tests, with fixed (derandomized) examples."""
    return max(8, n // 4) if mutating() else n
