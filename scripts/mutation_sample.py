"""Draw a seeded random sample of mutmut mutant names, for modules too slow to run whole.

A module such as incidents/validate.py has ~1,000 mutants, and each reruns the tests that
call the mutated function: minutes per mutant on a shared 2-core machine. A fixed random
sample gives an unbiased killed share with a stated sample size, and the same seed gives
the same sample on every machine (for the same source). Needs mutants/ generated first
(any `make mutate` or `mutmut run` does that).

Usage: python scripts/mutation_sample.py incidents.validate 30 [--seed 17]
       mutmut run --max-children 1 $(python scripts/mutation_sample.py incidents.validate 30)
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path


def mutant_names(root: Path, module: str) -> list[str]:
    """Every mutant of ``module`` (a dotted prefix: a module or a package), sorted."""
    names = set()
    for meta in root.rglob("*.py.meta"):
        names |= {n for n in json.loads(meta.read_text()).get("exit_code_by_key", {}) if n.startswith(module + ".")}
    return sorted(names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module")
    parser.add_argument("size", type=int)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--mutants", type=Path, default=Path("mutants"))
    args = parser.parse_args(argv)
    names = mutant_names(args.mutants, args.module)
    if not names:
        print(f"no mutants of {args.module} under {args.mutants}/: generate them first (make mutate)", file=sys.stderr)
        return 1
    for name in sorted(random.Random(args.seed).sample(names, min(args.size, len(names)))):
        print(name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
