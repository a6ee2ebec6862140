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
parser.add_argument("--km", default="25", help="radius in kilometres (default: 25)")
parser.add_argument("--oblast", help="with a place name: the oblast of the place meant, when several share the name")
parser.add_argument("--input", help="incident file (default: the shipped sample)")
args = parser.parse_args()

gdf, _ = maps.prepare(incidents.load(args.input) if args.input else incidents.sample())
# "LAT,LON" or a name; rows the geocoder could not place are left out (dropna), not searched.
found = geo.within(gdf, args.near, km=args.km, oblast=args.oblast, dropna=True)
for row in found.itertuples():
    target = row.target if isinstance(row.target, str) else ""  # an empty target is NaN, not "nan"
    print(f"{row.distance_km:7.1f} km  {row.date:%Y-%m-%d}  {row.place}: {target}")
print(f"{len(found)} incident{'' if len(found) == 1 else 's'} within {geo.query.kilometres(args.km):g} km of {args.near}")
