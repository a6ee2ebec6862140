"""maps.charts: counts per category, and SVG that can be inlined several times in one page."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from maps import charts

REFERENCE = re.compile(r'(?:href="#|url\(#)([^")]+)')


def synthetic_frame() -> pd.DataFrame:
    weapons = ["drone"] * 5 + ["missile"] * 3 + ["glide_bomb"] * 2 + [None] + ["artillery"]
    groups = ["west", "east"] * 6
    return pd.DataFrame({"weapon": weapons, "g": groups})


def test_category_counts_by_group_with_unknown():
    counts = charts.category_counts(synthetic_frame(), "weapon", "g", ["west", "east"])
    # By hand: drone w,e,w,e,w; missile e,w,e; glide_bomb w,e; None w; artillery e.
    assert counts.loc["drone"].tolist() == [3, 2]
    assert counts.loc["missile"].tolist() == [1, 2]
    assert counts.loc["unknown"].tolist() == [1, 0]
    assert counts.index[0] == "drone"  # most common first
    assert counts.to_numpy().sum() == 12  # every row counted once


def test_category_counts_folds_the_tail_into_other():
    counts = charts.category_counts(synthetic_frame(), "weapon", "g", ["west", "east"], top=2)
    assert counts.index.tolist() == ["drone", "missile", "other"]
    assert counts.loc["other"].tolist() == [2, 2]  # glide_bomb 1+1, unknown 1+0, artillery 0+1


def test_svg_ids_are_prefixed_and_every_reference_resolves():
    counts = pd.DataFrame({"west": [3, 1], "east": [2, 5]}, index=["drone", "missile"])
    first = charts.grouped_bars(counts, "Weapon mix", "incidents", name="one")
    second = charts.grouped_bars(counts, "Weapon mix", "incidents", name="two")
    for name, svg in (("one", first), ("two", second)):
        assert svg.startswith("<svg") and "<?xml" not in svg and "<!DOCTYPE" not in svg
        ids = set(re.findall(r'\bid="([^"]+)"', svg))
        assert ids and all(i.startswith(f"{name}-") for i in ids)
        refs = set(REFERENCE.findall(svg))
        assert refs and refs <= ids, refs - ids
    assert not set(re.findall(r'\bid="([^"]+)"', first)) & set(re.findall(r'\bid="([^"]+)"', second))


def test_labels_with_dollars_are_not_mathtext_and_text_is_drawn_as_paths():
    counts = pd.DataFrame({"west": [1], "east": [2]}, index=["$\\frac{a}{b}$ <b>x</b>"])
    svg = charts.grouped_bars(counts, "$x$", "incidents", name="hostile")  # mathtext would parse or fail
    assert "<text" not in svg and "<b>" not in svg  # glyph outlines, no markup from the data


def test_distributions_and_monthly_draw_with_empty_groups():
    depth = charts.distributions({"west": np.array([600.0, np.nan, 580.0]), "east": np.array([])},
                                 None, "km", name="depth")
    months = pd.DataFrame({"west": [1, 2], "east": [0, 4]},
                          index=pd.to_datetime(["2024-01-01", "2024-03-01"]))
    monthly = charts.monthly_counts(months, None, name="monthly")
    with_february = months.reindex(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]), fill_value=0)
    assert depth.startswith("<svg") and monthly.startswith("<svg")
    # A month without incidents is drawn as an empty month, not skipped.
    assert monthly == charts.monthly_counts(with_february, None, name="monthly")
    assert monthly != charts.monthly_counts(months.iloc[[1, 0]].set_axis(months.index), None, name="monthly")
