"""List incidents within N km of a place (geodesic distance).

    python scripts/query_near.py Mukachevo --km 50
    python scripts/query_near.py 49.84,24.03 --km 20 --input my_incidents.csv
"""

import argparse

import geo
import incidents
import maps

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("near", help="a place name (offline gazetteer) or LAT,LON")
parser.add_argument("--km", type=float, default=25.0)
parser.add_argument("--input", help="incident file (default: the shipped sample)")
args = parser.parse_args()

gdf, _ = maps.prepare(incidents.load(args.input) if args.input else incidents.sample())
if "," in args.near:
    lat, lon = map(float, args.near.split(","))
    found = geo.within(gdf, lat, lon, args.km)
else:
    found = geo.within(gdf, args.near, km=args.km)
for row in found.itertuples():
    print(f"{row.distance_km:7.1f} km  {row.date:%Y-%m-%d}  {row.place}: {row.target}")
print(f"{len(found)} incidents within {args.km:g} km of {args.near}")
