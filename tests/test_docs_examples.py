"""Every ```python block of README.md and docs/*.md runs, against the shipped sample, in a
temporary folder: the documentation cannot drift from the code.

A page's blocks run in order in one namespace, as a reader following it would; a block of
``>>>`` lines runs as a doctest (its printed output must match). The page's example
files are made here: ``my_incidents.csv`` is the shipped sample of real incidents saved as
CSV, ``front.geojson`` a SYNTHETIC line (not a front line; it only gives the example
a file to read), ``fire_archive_SV-C2_123456.csv`` the SYNTHETIC VIIRS fixture under the name
FIRMS gives its downloads, and ``plants.csv`` one SYNTHETIC site with coordinates."""

from __future__ import annotations

import doctest
import re
import shutil
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

import incidents
import needs

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def python_blocks(path: Path) -> list[tuple[int, str]]:
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in FENCE.finditer(text)]


def test_the_pages_have_examples():
    # Bug caught: a fence spelt differently (```py, ``` python) silently leaves every block untested.
    assert len(python_blocks(ROOT / "README.md")) >= 3
    assert len(python_blocks(ROOT / "docs" / "regions.md")) >= 4
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        assert text.count("```python\n") == len(python_blocks(page)), page.name


@pytest.mark.parametrize("page", [p for p in PAGES if python_blocks(p)], ids=lambda p: p.name)
def test_python_examples_run(page, tmp_path, monkeypatch):
    needs.asset_cache()  # the README saves a self-contained map
    monkeypatch.chdir(tmp_path)
    incidents.save(incidents.sample(), tmp_path / "my_incidents.csv")
    synthetic_front = shapely.LineString([(33.0, 45.5), (35.5, 47.5), (37.5, 48.0), (38.0, 49.5)])
    gpd.GeoDataFrame({"name": ["synthetic test line"]}, geometry=[synthetic_front], crs=4326).to_file(
        tmp_path / "front.geojson", driver="GeoJSON")
    shutil.copy(ROOT / "tests" / "fixtures" / "synthetic_firms_viirs_snpp_archive.csv",
                tmp_path / "fire_archive_SV-C2_123456.csv")
    (tmp_path / "plants.csv").write_text("site,company,lat,lon\nsynthetic test site,Synthetic Co,48.4431,22.7185\n")
    namespace: dict = {"__name__": f"docs:{page.name}"}
    for line, code in python_blocks(page):
        where = f"{page.name}:{line}"
        if code.lstrip().startswith(">>>"):
            test = doctest.DocTestParser().get_doctest(code, namespace, where, str(page), line)
            runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
            report: list[str] = []
            runner.run(test, out=report.append, clear_globs=False)
            assert runner.failures == 0, "".join(report)
        else:
            exec(compile(code, where, "exec"), namespace)  # noqa: S102 - our own documentation
