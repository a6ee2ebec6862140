"""What `make demo` runs: the whole pipeline on the shipped sample, offline.

    python scripts/demo.py out      # writes out/map.html, out/compare.html, out/report.html,
                                    # out/sample.geojson (geocoded, tagged, with regions)
"""

import argparse
from pathlib import Path

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
print(geo.compare(gdf, "west", "east").to_string(index=False))
print(f"wrote {', '.join(str(out / n) for n in ('sample.geojson', 'map.html', 'compare.html', 'report.html'))}")
