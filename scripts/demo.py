"""What `make demo` runs: the whole pipeline on the shipped sample, offline.

    python scripts/demo.py out      # writes out/map.html, out/compare.html, out/report.html,
                                    # out/sample.geojson (geocoded, tagged, with regions)
                                    # and out/screens/*.png: each page at phone, tablet
                                    # and desktop size, opened with no network

The screenshots need Playwright and Debian's chromium (the dev extra); without them the
script says so and skips them.
"""

import argparse
from pathlib import Path

from rich.console import Console

import geo
import incidents
import maps

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("folder", nargs="?", default="out")
out = Path(parser.parse_args().folder)

gdf, summary = maps.prepare(incidents.sample())
print("\n".join(summary.lines()))
incidents.save(gdf, out / "sample.geojson")
maps.save(maps.incident_map(gdf), out / "map.html")
maps.save(maps.compare_map(gdf, "west", "east"), out / "compare.html")
maps.report(gdf, out / "report.html")
Console().print(geo.compare(gdf, "west", "east"))  # rounded, mixes on their own rows, notes below
print(f"wrote {', '.join(str(out / n) for n in ('sample.geojson', 'map.html', 'compare.html', 'report.html'))}")

#: Phone, tablet and desktop viewports (the sizes the layout tests check).
SCREEN_SIZES = [(390, 844), (768, 1024), (1400, 900)]


def screenshots(folder: Path) -> list[Path]:
    """Each page at each size, every request but local files refused (the drawn basemap)."""
    from maps.browser import browser_page

    (folder / "screens").mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("map", "compare", "report"):
        for width, height in SCREEN_SIZES:
            with browser_page(width, height) as page:
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
                page.goto((folder / f"{name}.html").resolve().as_uri())
                if name == "report":  # its maps are in lazily loaded frames below the fold
                    page.wait_for_load_state("load")
                else:
                    page.wait_for_selector("[data-incidents-rendered]", state="attached", timeout=60_000)
                page.wait_for_timeout(500)  # canvas and labels settle
                shot = folder / "screens" / f"{name}-{width}x{height}.png"
                page.screenshot(path=str(shot))
                written.append(shot)
    return written


try:
    print(f"wrote {len(screenshots(out))} screenshots in {out / 'screens'}")
except (ImportError, RuntimeError) as err:  # no Playwright, or no chromium (ChromiumMissing)
    print(f"screenshots skipped: {err}")
