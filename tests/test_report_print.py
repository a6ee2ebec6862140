"""maps.report prints to PDF: headless Chromium --print-to-pdf, pages rasterised by pdftoppm.

Without chromium or pdftoppm the tests skip locally and fail in CI (tests/needs.py); the
decision is taken when a test runs, not when this module is imported.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from PIL import Image

import geo
import needs
import incidents
import maps
from maps import assets
from maps.browser import CHROMIUM_ARGS

pytestmark = pytest.mark.browser

#: Grey-level standard deviation below which a page counts as blank (white page: 0).
BLANK_STD = 4.0
#: The first group's chart colour (maps.charts.GROUP_COLORS[0], Okabe-Ito blue) as RGB.
CHART_BLUE = (0, 114, 178)
#: Fill of the neighbouring countries in the offline basemap (maps.builders) that
#: self-contained report maps open on; drawn on the same canvas as the incidents.
NEIGHBOUR_GREY = (0xE4, 0xE4, 0xE0)


def tool(name: str) -> str:
    return needs.tool(name, install="apt-get install -y poppler-utils")


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The sample report printed to PDF by Chromium, and its pages as 50 dpi RGB arrays."""
    chromium = needs.chromium()
    pdftoppm = tool("pdftoppm")
    tmp = tmp_path_factory.mktemp("print")
    # Offline maps need the asset cache (scripts/fetch_assets.py); without it the page still
    # prints, with empty map frames.
    path = maps.report(geo.geocode(incidents.sample()), tmp / "report.html",
                       self_contained=not assets.missing())
    pdf = tmp / "report.pdf"
    subprocess.run([chromium, "--headless", *CHROMIUM_ARGS, "--no-pdf-header-footer",
                    "--virtual-time-budget=15000", f"--print-to-pdf={pdf}", path.as_uri()],
                   check=True, capture_output=True, timeout=180)
    subprocess.run([pdftoppm, "-png", "-r", "50", str(pdf), str(tmp / "page")], check=True, timeout=120)
    return pdf, [np.asarray(Image.open(p).convert("RGB")) for p in sorted(tmp.glob("page-*.png"))]


@pytest.fixture(scope="module")
def pages(printed):
    return printed[1]


def test_pdf_has_several_a4_pages(pages):
    assert len(pages) >= 5
    height, width, _ = pages[0].shape
    assert abs(height / width - 297 / 210) < 0.02  # A4 portrait, from @page


def test_no_page_is_blank(pages):
    for number, page in enumerate(pages, 1):
        assert page.mean(axis=2).std() > BLANK_STD, f"page {number} is blank"


def test_charts_print_in_colour(pages):
    near_blue = [int((np.abs(p.astype(int) - CHART_BLUE).sum(axis=2) < 40).sum()) for p in pages]
    assert sum(n > 200 for n in near_blue) >= 2  # charts span at least two pages


def test_both_maps_print_drawn(pages):
    needs.asset_cache()  # without it the maps print as empty frames
    # The map frames sit below the fold, where Chromium may never lay them out on screen:
    # the maps must draw themselves when printed, not only when shown. A map drawn at
    # 0x0 prints as an empty box with its controls (a few hundred such pixels at most).
    grey = [int((np.abs(p.astype(int) - NEIGHBOUR_GREY).sum(axis=2) < 6).sum()) for p in pages]
    assert sum(n > 5000 for n in grey) >= 2, grey  # the incident map and the comparison map


def test_every_section_is_in_the_pdf_text(printed):
    pdftotext = tool("pdftotext")
    text = subprocess.run([pdftotext, "-layout", str(printed[0]), "-"], check=True, capture_output=True,
                          text=True, timeout=60).stdout
    for heading in ("Headline", "Comparison table", "Charts", "Maps", "Foreign-owned sites hit",
                    "Methodology", "Data and attribution"):
        assert heading in text, heading
    assert "Flex Ltd" in text and "not the distance from the front line" in " ".join(text.split())
