"""Shared timing helpers for the benchmark rows (medians, never single runs)."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Row:
    """One line of the benchmark table."""

    name: str
    median_s: float
    baseline: str
    baseline_median_s: float
    goal: str
    command: str
    #: Extra figures worth printing (bytes, per-item costs, ...), already formatted.
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        """How many times faster than the baseline (baseline / ours)."""
        return self.baseline_median_s / self.median_s if self.median_s else float("inf")


def median_time(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs after ``warmup`` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
