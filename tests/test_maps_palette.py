"""Map colours stay distinguishable for colour-blind readers (simulated with colorspacious)."""

from __future__ import annotations

import itertools

import colorspacious  # the dev extra
import numpy as np
import pytest

from maps.payload import FOREIGN_COLORS, OTHER_COLOR, PALETTE, UNKNOWN_COLOR

#: Smallest CAM02-UCS distance accepted between two legend colours. Okabe-Ito's own closest
#: pair (orange and reddish purple under tritanomaly) is 11.0.
MIN_DISTANCE = 10.0
DEFICIENCIES = ("deuteranomaly", "protanomaly", "tritanomaly")


def rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[k:k + 2], 16) for k in (1, 3, 5)]) / 255


def closest_pair(colours) -> tuple[float, str, str, str]:
    worst = (np.inf, "", "", "")
    for cvd in (None, *DEFICIENCIES):
        space = "sRGB1" if cvd is None else {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}
        seen = [np.clip(colorspacious.cspace_convert(rgb(c), space, "sRGB1"), 0, 1) for c in colours]
        for (i, a), (j, b) in itertools.combinations(enumerate(seen), 2):
            d = float(colorspacious.deltaE(a, b, input_space="sRGB1"))
            worst = min(worst, (d, cvd or "normal vision", colours[i], colours[j]))
    return worst


@pytest.mark.parametrize("colours", [
    pytest.param([*PALETTE, OTHER_COLOR, UNKNOWN_COLOR], id="categories"),
    pytest.param(list(FOREIGN_COLORS.values()), id="foreign_owned"),
])
def test_every_pair_of_map_colours_stays_apart_under_colour_blindness(colours):
    # Bugs caught: "other" and "unknown" two nearly identical greys (#bdbdbd, #9e9e9e);
    # a palette colour a deuteranomalous reader sees as another.
    distance, vision, a, b = closest_pair(colours)
    assert distance >= MIN_DISTANCE, f"{a} and {b} are {distance:.1f} apart for {vision}"
