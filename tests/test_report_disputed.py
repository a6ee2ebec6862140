"""Disputed strikes (issue 11): kept and said by default, left out on request."""

from __future__ import annotations

import geo
import incidents
from maps.cli import main
from maps.report import render


def _sample():
    return geo.assign_regions(geo.geocode(incidents.sample()))


def test_disputed_rows_are_counted_and_can_be_left_out():
    gdf = _sample()
    disputed = int(sum("disputed" in list(t) for t in gdf["tags"]))
    assert disputed >= 2  # the sample tags rows whose attribution is contested
    kept = render(gdf)
    assert f"{disputed} records are tagged disputed (attribution contested) and included" in kept
    left_out = render(gdf, exclude_disputed=True)
    assert f"{disputed} records tagged disputed (attribution contested) were left out on request." in left_out
    assert "are tagged disputed" not in left_out


def test_report_command_takes_the_option(tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", "-o", str(out), "--exclude-disputed", "-q"]) == 0
    assert "left out on request" in out.read_text(encoding="utf-8")
