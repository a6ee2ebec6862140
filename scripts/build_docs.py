"""Build the API reference from the docstrings with pdoc: what `make docs` runs.

    python scripts/build_docs.py            # writes docs/api/index.html (+ one page per module)
    python scripts/build_docs.py /tmp/api   # anywhere else

Exits 1, listing them, if pdoc warns about anything of ours (an annotation it cannot read,
a module that fails to import, ...). Not ours, and left out: pdoc's warnings about the
annotations of pandas' private DataFrame members, which geo.Comparison inherits and
pandas defines only for type checkers.
"""

import argparse
import re
import sys
import warnings
from pathlib import Path

import pdoc
import pdoc.render

PACKAGES = ("incidents", "geo", "maps")
PANDAS_OWN = re.compile(r"annotation .* for pandas\.")

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("folder", nargs="?", default=str(Path(__file__).resolve().parents[1] / "docs" / "api"))
out = Path(parser.parse_args().folder)

pdoc.render.configure(docformat="restructuredtext", footer_text="incident-mapper API reference")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    pdoc.pdoc(*PACKAGES, output_directory=out)
ours = [w for w in caught if not PANDAS_OWN.search(str(w.message))]
for warning in ours:
    print(f"warning: {warning.message} ({Path(warning.filename).name}:{warning.lineno})", file=sys.stderr)
if ours:
    sys.exit(f"{len(ours)} warning{'s' if len(ours) != 1 else ''}: fix the docstrings or annotations named above")
print(f"wrote {out / 'index.html'}")
