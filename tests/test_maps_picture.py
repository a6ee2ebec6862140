"""Pictures for print keep the legend and credits but no interactive controls; labels are
the same human words in tables, charts and popups."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import geo
import incidents
import maps
from maps.tables import display_table


@pytest.fixture(scope="module")
def sample():
    return incidents.sample()


@pytest.mark.browser
def test_picture_hides_controls_and_keeps_the_legend(chromium, sample, tmp_path):
    # Bug caught: to_png printing the search box, drop-downs and slider.
    png = maps.to_png(maps.incident_map(sample, basemap="offline"), tmp_path / "map.png",
                      width=1000, height=700, browser=chromium)
    pixels = np.asarray(Image.open(png).convert("RGB")).astype(int)
    white = (pixels >= 250).all(axis=2)
    # The search and filter panels are white boxes at the top left; the drawn basemap
    # there (water, neighbours, Ukraine's fill) has no pure white.
    assert white[:180, :300].mean() < 0.02
    # The legend (a white panel at the bottom right) stays.
    assert white[-260:-30, -260:].mean() > 0.3


def test_tables_say_the_words_the_charts_and_popups_say(sample):
    # Bug caught: the comparison table saying cruise_missile where charts say "cruise missile".
    gdf = geo.assign_regions(geo.geocode(sample))
    shown = display_table(geo.compare(gdf, "west", "east"), ("west", "east"))
    cells = [c for row in shown["rows"] for c in row] + shown["columns"]
    assert not [c for c in cells if "cruise_missile" in c or "target_type" in c]
    assert any("cruise missile" in c for c in cells)
