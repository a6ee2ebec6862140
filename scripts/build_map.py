"""Build the interactive incident map: the shipped sample, or your own file.

    python scripts/build_map.py                          # sample -> map.html
    python scripts/build_map.py my_incidents.csv -o out/my_map.html
"""

import argparse

import incidents
import maps

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("input", nargs="?", help="incident file (default: the shipped sample)")
parser.add_argument("-o", "--output", default="map.html")
parser.add_argument("--cdn", action="store_true", help="link Leaflet from a CDN (default: inline it, opens with no network)")
args = parser.parse_args()

gdf = incidents.load(args.input) if args.input else incidents.sample()
gdf, summary = maps.prepare(gdf)                 # geocode, tag owners, assign regions
m = maps.incident_map(gdf, color_by="foreign_owned")
maps.save(m, args.output, self_contained=not args.cdn)
print("\n".join(summary.lines()), f"\nwrote {args.output}", sep="")
