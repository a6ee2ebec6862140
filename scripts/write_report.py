"""Write the western-vs-eastern HTML report (prints cleanly to PDF).

    python scripts/write_report.py                       # sample -> report.html
    python scripts/write_report.py my_incidents.csv -o out/report.html
"""

import argparse

import incidents
import maps

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("input", nargs="?", help="incident file (default: the shipped sample)")
parser.add_argument("--regions", default="west,east", help="two groups of the macro scheme")
parser.add_argument("-o", "--output", default="report.html")
parser.add_argument("--cdn", action="store_true", help="link Leaflet from a CDN (default: inline it, opens with no network)")
args = parser.parse_args()

gdf, _ = maps.prepare(incidents.load(args.input) if args.input else incidents.sample())
maps.report(gdf, args.output, regions=tuple(args.regions.split(",")), self_contained=not args.cdn)
print(f"wrote {args.output}")
