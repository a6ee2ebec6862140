"""Compare strikes on western and eastern Ukraine: print the table, write compare.html.

    python scripts/compare_west_east.py
    python scripts/compare_west_east.py my_incidents.csv --regions west,centre -o out/compare.html
"""

import argparse

from rich.console import Console

import geo
import incidents
import maps

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("input", nargs="?", help="incident file (default: the shipped sample)")
parser.add_argument("--regions", default="west,east", help="two groups of the macro scheme")
parser.add_argument("-o", "--output", default="compare.html")
args = parser.parse_args()
a, b = args.regions.split(",")

gdf, _ = maps.prepare(incidents.load(args.input) if args.input else incidents.sample())
table = geo.compare(gdf, a, b)
Console().print(table)  # rounded for reading; table.loc[...] and pd.DataFrame(table) hold the raw values
maps.save(maps.compare_map(gdf, a, b), args.output)
print(f"wrote {args.output}")
