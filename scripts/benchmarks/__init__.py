"""Benchmark rows for scripts/bench.py, one module per area.

Each area module exposes ``ROWS``: zero-argument callables, each returning a
:class:`~benchmarks.timing.Row` (or a list of them) that times the public API against a baseline measured in
the same run. Modules size their work from a module-level ``SIZE`` (or ``SIZES``), which
``run(scale=...)`` multiplies for quick runs.
"""

from __future__ import annotations

import importlib
import platform
import sys

from rich.console import Console
from rich.table import Table

AREAS = ("foundation", "geocode", "regions", "ownership", "maps", "on_dask", "store")


def _scaled(module, scale: float) -> None:
    if scale == 1.0:
        return
    for name in ("SIZE", "FUZZY_SIZE", "BASELINE_SIZE", "BROWSER_SIZE", "SCALE_SIZE", "INCIDENTS", "DETECTIONS", "MATCH_SIZE"):
        if isinstance(getattr(module, name, None), int):
            setattr(module, name, max(1, int(getattr(module, name) * scale)))


def run(areas=AREAS, only: str = "", scale: float = 1.0) -> list:
    """Run the rows whose ``area.function`` name contains ``only``; print and return them."""
    console = Console()
    rows = []
    for area in areas:
        try:
            module = importlib.import_module(f"benchmarks.{area}")
        except ModuleNotFoundError as err:
            console.print(f"[yellow]skipping {area}: {err}[/]")
            continue
        _scaled(module, scale)
        for fn in module.ROWS:
            if only in f"{area}.{fn.__name__}":
                console.print(f"running {area}.{fn.__name__} ...")
                made = fn()  # a Row, or a list of rows sharing one set-up (the store's)
                rows.extend(made if isinstance(made, list) else [made])
    table = Table(title=f"incident-mapper benchmarks (Python {platform.python_version()}, scale {scale})")
    for column in ("benchmark", "median", "baseline", "baseline median", "speed-up", "goal", "other", "reproduce"):
        table.add_column(column)
    for row in rows:
        other = "; ".join(f"{k}: {v}" for k, v in row.extra.items())
        table.add_row(row.name, f"{row.median_s:.3f} s", row.baseline, f"{row.baseline_median_s:.3f} s",
                      f"{row.ratio:.2f}x", row.goal, other, row.command)
    Console(width=max(console.width, 200)).print(table)
    return rows


__all__ = ["AREAS", "run"]
