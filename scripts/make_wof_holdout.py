"""Write tests/data/settlements_wof_holdout.csv: settlement points the gazetteer is NOT
built from, to score its coordinates against.

Who's On First (whosonfirst-data-admin-ua, the pinned commit of
scripts/gazetteer_inputs.py) holds GeoNames' points for most Ukrainian places, and for
about 6,600 others a point of another origin: Who's On First's own work or Quattroshapes
(``src:geom`` whosonfirst, qs_pg, quattroshapes). scripts/build_gazetteer.py reads only
GeoNames' points, so these are an independent reference: on the places both carry, their
points differ from GeoNames' by 0.9 km at the median, and only 2.5% coincide within 10 m.

Each row: the place as a report would name it (the Ukrainian name when Who's On First has
one, else its Latin name), the oblast of its Who's On First region (Kyiv's region holds
Kyiv city too; the geocoder looks into the city when the oblast lacks the name), the
reference point and its origin. Places without a region are left out (no oblast hint).

Run once per input pin; the file is frozen test data (licences: Who's On First CC0,
Quattroshapes CC BY 2.0 - see geo/data/SOURCES.md).

Usage:
    python scripts/make_wof_holdout.py [--wof PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gazetteer_inputs import load_wof_localities  # noqa: E402
from geo.regions import oblast  # noqa: E402

OUT = ROOT / "tests" / "data" / "settlements_wof_holdout.csv"
#: Point origins other than GeoNames (Natural Earth's two capitals are too few to matter).
OTHER_ORIGINS = ("whosonfirst", "qs_pg", "quattroshapes")
#: Who's On First's region "Kyiv" is Kyiv oblast with the city inside it.
REGION_ISO = {"Kyiv": "UA-32"}


def holdout(folder: Path | None):
    wof = load_wof_localities(folder)
    rows = wof[wof["geom_source"].isin(OTHER_ORIGINS) & (wof["region"] != "")].copy()
    rows["place"] = rows["name_uk"].where(rows["name_uk"] != "", rows["names"].str[0])
    rows["oblast"] = [REGION_ISO.get(r) or oblast(r).iso for r in rows["region"]]
    rows["lat"], rows["lon"] = rows["lat"].round(5), rows["lon"].round(5)
    return rows[["place", "oblast", "lat", "lon", "wof_id", "geom_source"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wof", type=Path, help="checkout of the pinned whosonfirst-data-admin-ua commit")
    rows = holdout(parser.parse_args().wof)
    rows.to_csv(OUT, index=False, lineterminator="\n")
    print(f"{len(rows):,} reference points -> {OUT}")


if __name__ == "__main__":
    main()
