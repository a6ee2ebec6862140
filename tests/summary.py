"""Figures a test measures and CI should show: printed in pytest's terminal summary
(conftest.pytest_terminal_summary), so they appear in every log without -s."""

from __future__ import annotations

#: (section, line) in the order the tests recorded them.
FIGURES: list[tuple[str, str]] = []


def record(section: str, line: str) -> None:
    FIGURES.append((section, line))
