"""Fill the offline asset cache used by ``maps.save(m, path, self_contained=True)``.

Downloads the pinned Leaflet and plugin packages listed in ``maps.assets.ASSETS`` with
``npm pack PACKAGE@VERSION`` (falling back to the jsDelivr CDN) into
``$INCIDENT_MAPPER_ASSETS`` or the user cache directory. Safe to run repeatedly: packages
already cached are skipped.

Usage::

    python scripts/fetch_assets.py            # npm registry, then CDN
    INCIDENT_MAPPER_ASSETS=.cache/assets python scripts/fetch_assets.py
"""

from __future__ import annotations

import sys
from pathlib import Path

# Runnable from a checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from maps import assets  # noqa: E402


def main() -> int:
    try:
        for line in assets.fetch():
            print(line)
    except assets.AssetsMissing as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"asset cache complete: {assets.cache_dir()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
