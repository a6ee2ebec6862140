"""Every benchmark of the project in one table, each against a baseline run alongside.

    python scripts/bench.py                 # all rows at full size
    python scripts/bench.py --only geocode  # rows whose name contains "geocode"
    python scripts/bench.py --scale 0.1     # a quick run at a tenth of the sizes
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from benchmarks import AREAS, run  # noqa: E402

# Guarded: the Dask rows start worker processes, which import this module again.
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="run only rows whose name contains this text")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every benchmark size by this")
    args = parser.parse_args()
    run(AREAS, only=args.only, scale=args.scale)
