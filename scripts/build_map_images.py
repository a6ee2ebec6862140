"""Rebuild docs/map.png and docs/compare.png from the shipped sample (headless Chromium).

The sample goes through the full pipeline first (maps.prepare: offline geocoding, owner
tagging, regions), as `make demo` does, so every row the gazetteer can place is drawn.

Usage::

    python scripts/build_map_images.py          # needs chromium and the asset cache
                                                # (python scripts/fetch_assets.py)

Both maps use the offline basemap, so the pictures need no tiles and no network.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Runnable from a checkout without installing the package.
sys.path.insert(0, str(ROOT))

import incidents  # noqa: E402
import maps  # noqa: E402


def main() -> int:
    gdf, summary = maps.prepare(incidents.sample())
    print("\n".join(summary.lines()))
    docs = ROOT / "docs"
    print(maps.to_png(maps.incident_map(gdf, basemap="offline"), docs / "map.png",
                      width=1200, height=800))
    print(maps.to_png(maps.compare_map(gdf, "west", "east", basemap="offline"),
                      docs / "compare.png", width=1400, height=900))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
