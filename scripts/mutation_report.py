"""Summarise a mutmut 3 run: killed / survived / other per module, and the survivors.

mutmut 3 keeps its results beside the mutated copies, one ``mutants/<path>.meta`` JSON file
per source file (``exit_code_by_key``: mutant name -> exit code of the test run). This
reads them directly, so it needs neither mutmut's UI nor a terminal.

Usage: python scripts/mutation_report.py [--mutants mutants] [--out out/mutation-report.txt]
       [--merge]   (keep the other modules' lines already in --out: one module per run)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

#: mutmut.stats.status_by_exit_code (mutmut 3.x), folded into the report's columns.
KILLED = {1, 3}
SURVIVED = {0}
TIMEOUT = {36, 24, -24, 152, 255}
NO_TESTS = {5, 33}


def status(code) -> str:
    if code in KILLED:
        return "killed"
    if code in SURVIVED:
        return "survived"
    if code in TIMEOUT:
        return "timeout"
    if code in NO_TESTS:
        return "no tests"
    if code is None:
        return "not checked"
    return "other"


def module_name(meta: Path, root: Path) -> str:
    rel = meta.relative_to(root).as_posix().removesuffix(".meta").removesuffix(".py")
    return rel.replace("/", ".").removesuffix(".__init__")


def collect(root: Path) -> dict[str, tuple[Counter, list[str]]]:
    out = {}
    for meta in sorted(root.rglob("*.py.meta")):
        codes = json.loads(meta.read_text()).get("exit_code_by_key", {})
        counts = Counter(status(code) for code in codes.values())
        if not codes or counts["not checked"] == len(codes):
            continue  # mutants generated but never run (another module's run)
        survivors = sorted(name for name, code in codes.items() if status(code) in ("survived", "no tests"))
        out[module_name(meta, root)] = (counts, survivors)
    return out


def line(module: str, counts: Counter) -> str:
    tried = sum(counts[k] for k in ("killed", "survived", "timeout", "no tests"))
    killed = counts["killed"] + counts["timeout"]  # a mutant that hangs the tests is caught
    share = f"{killed / tried:6.1%}" if tried else "   n/a"
    return (f"{module:34s} killed {share}  ({counts['killed']} killed, {counts['timeout']} timeout, "
            f"{counts['survived']} survived, {counts['no tests']} no tests, {counts['not checked']} not run)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=Path, default=Path("mutants"))
    parser.add_argument("--out", type=Path, default=Path("out/mutation-report.txt"))
    parser.add_argument("--merge", action="store_true")
    args = parser.parse_args(argv)
    if not args.mutants.is_dir():
        print(f"no {args.mutants}/ directory: run `make mutate` first", file=sys.stderr)
        return 1
    results = collect(args.mutants)
    sections: dict[str, list[str]] = {}
    if args.merge and args.out.exists():
        current = None
        for text in args.out.read_text().splitlines():
            if text.startswith("## "):
                current = text[3:].strip()
                sections[current] = []
            elif current is not None:
                sections[current].append(text)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    for module, (counts, survivors) in results.items():
        body = [line(module, counts), f"run {stamp}"]
        body += [f"  survived: {name}" for name in survivors]
        sections[module] = body
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = ["# mutmut: killed share per module (killed + timeout) / tried; survivors listed", ""]
    for module in sorted(sections):
        report += [f"## {module}", *[t for t in sections[module] if t.strip()], ""]
    args.out.write_text("\n".join(report))
    print("\n".join(t for t in report if not t.startswith("  survived")))
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
