"""Benchmark rows for maps: build + save, bytes per incident, time to interactive.

    .venv/bin/python scripts/bench.py --only maps     # or: python -m scripts.benchmarks.maps

* ``build_save_row``: ``maps.incident_map`` + ``maps.save(self_contained=True)`` of SIZE
  (100,000) synthetic incidents with full popups (place, target, owner, sector, weapon,
  casualty ranges, notes, a source URL each), against plain folium — one ``folium.Marker``
  + ``folium.Popup`` per incident — at BASELINE_SIZE (10,000) in the same run. Both are
  compared per incident (seconds and bytes); the baseline's median is scaled to SIZE.
* ``interactive_row``: headless Chromium opens the BROWSER_SIZE self-contained page (no
  network); time from navigation start until every circle is drawn and the layer answers
  (``data-incidents-rendered`` set) and the next frame is free. Compared with the 3 s goal.
* ``scale_build_row`` / ``scale_interactive_row``: the same at SCALE_SIZE (1,000,000): the
  build (read the incidents from GeoParquet, ``incident_map``, ``save``) runs in a fresh
  process, so its peak RSS is the build's own (goals: < 20 s, < 2 GB); then time to
  interactive of that page (goal < 10 s).

Incidents are synthetic (``synthetic-`` ids, example.org sources), never real records.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import geo
import maps
from maps import assets
from maps.browser import browser_page
from .timing import Row, median_time

SIZE = 100_000
BASELINE_SIZE = 10_000
BROWSER_SIZE = 100_000
SCALE_SIZE = 1_000_000
COMMAND = ".venv/bin/python scripts/bench.py --only maps"
TEXT_COLUMNS = ("id", "place", "target", "owner_company", "sector", "notes")


def synthetic_incidents(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` synthetic incidents over Ukraine with every popup field filled, regions assigned."""
    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(22.5, 40.0, n), rng.uniform(44.6, 52.2, n)
    day = pd.Timestamp("2022-02-24") + pd.to_timedelta(rng.integers(0, 1300, n), unit="D")
    countries = np.array(["US", "DE", "AZ", "TR", "UA", "UA", "UA", "FR", "GB", "DK"])
    owner = countries[rng.integers(0, len(countries), n)]
    killed = rng.integers(0, 12, n)
    frame = pd.DataFrame({
        "id": [f"synthetic-{i:06d}" for i in range(n)],
        "date": day, "date_precision": "day",
        "place": [f"Synthetic settlement {i % 5000}" for i in range(n)],
        "location_precision": "settlement",
        "weapon": rng.choice(["drone", "cruise_missile", "ballistic_missile", "glide_bomb"], n),
        "target": [f"synthetic facility {i}" for i in range(n)],
        "target_type": rng.choice(["industrial", "energy", "residential", "port"], n),
        "killed": pd.array(killed, dtype="Int64"),
        "killed_low": pd.array(killed, dtype="Int64"),
        "killed_high": pd.array(killed + rng.integers(0, 3, n), dtype="Int64"),
        "injured": pd.array(rng.integers(0, 40, n), dtype="Int64"),
        "owner_company": [f"Synthetic Company {i % 700}" for i in range(n)],
        "owner_country": owner,
        "foreign_owned": pd.array(owner != "UA", dtype="boolean"),
        "sector": rng.choice(["energy", "logistics", "food processing", "electronics"], n),
        "sources": [[f"https://example.org/synthetic/{i}"] for i in range(n)],
        "notes": [f"synthetic note {i}" for i in range(n)],
    })
    gdf = gpd.GeoDataFrame(frame, geometry=shapely.points(lon, lat), crs="EPSG:4326")
    return geo.assign_regions(gdf)


def folium_markers(gdf) -> folium.Map:
    """The baseline: plain folium, one Marker + Popup per incident with the same fields."""
    m = folium.Map(location=(48.5, 31), zoom_start=6)
    for row in gdf.itertuples():
        text = (f"{row.date:%Y-%m-%d} {row.place}<br>{row.target} ({row.target_type})<br>"
                f"{row.owner_company} ({row.owner_country})<br>{row.weapon}; killed {row.killed},"
                f" injured {row.injured}<br>{row.notes}<br>"
                f'<a href="{row.sources[0]}">{row.sources[0]}</a>')
        folium.Marker((row.geometry.y, row.geometry.x), popup=folium.Popup(text),
                      tooltip=row.place).add_to(m)
    return m


def _text_bytes(gdf) -> int:
    """Bytes of the incident text itself (free-text fields and source URLs)."""
    text = sum(gdf[c].astype(str).str.len().sum() for c in TEXT_COLUMNS)
    return int(text + sum(len(u) for urls in gdf["sources"] for u in urls))


def build_save_row() -> Row:
    ours_gdf, base_gdf = synthetic_incidents(SIZE), synthetic_incidents(BASELINE_SIZE, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        ours_path, base_path = Path(tmp) / "ours.html", Path(tmp) / "folium.html"
        empty_path = Path(tmp) / "empty.html"
        ours_s = median_time(
            lambda: maps.save(maps.incident_map(ours_gdf), ours_path, self_contained=True),
            repeat=3)
        base_s = median_time(lambda: folium_markers(base_gdf).save(str(base_path)), repeat=3)
        maps.save(maps.incident_map(ours_gdf.iloc[:0]), empty_path, self_contained=True)
        ours_bytes = ours_path.stat().st_size - empty_path.stat().st_size
        base_bytes = base_path.stat().st_size
    text_per = _text_bytes(ours_gdf) / SIZE
    per_ours, per_base = ours_s / SIZE, base_s / BASELINE_SIZE
    return Row(
        name=f"incident_map + save(self_contained), {SIZE:,} synthetic incidents, full popups",
        median_s=ours_s,
        baseline=f"folium Marker+Popup per incident at {BASELINE_SIZE:,}, scaled to {SIZE:,}",
        baseline_median_s=per_base * SIZE,
        goal="< 3 s; < 150 B/incident + text; >= 20x faster per incident",
        command=COMMAND,
        extra={
            "ours_us_per_incident": f"{per_ours * 1e6:.1f}",
            "folium_us_per_incident": f"{per_base * 1e6:.1f}",
            "ours_B_per_incident": f"{ours_bytes / SIZE:.0f} (text itself {text_per:.0f}, "
                                   f"overhead {ours_bytes / SIZE - text_per:.0f})",
            "folium_B_per_incident": f"{base_bytes / BASELINE_SIZE:.0f}",
            "folium_raw_median": f"{base_s:.2f} s at {BASELINE_SIZE:,}",
        },
    )


def _time_to_interactive(path: Path, runs: int = 3) -> float:
    """Median seconds from navigation start until the incident layer has drawn."""
    times = []
    with browser_page(1200, 800) as page:
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                   else r.abort())
        for _ in range(runs):
            page.goto(path.as_uri(), wait_until="commit")
            page.wait_for_selector("[data-incidents-rendered]", state="attached", timeout=120_000)
            # Interactive = a click on the map is answered (the main thread is free again).
            times.append(page.evaluate("""() => new Promise(done => requestAnimationFrame(
                () => setTimeout(() => done(performance.now() / 1000), 0)))"""))
    return statistics.median(times)


def interactive_row() -> Row:
    gdf = synthetic_incidents(BROWSER_SIZE)
    with tempfile.TemporaryDirectory() as tmp:
        path = maps.save(maps.incident_map(gdf), Path(tmp) / "ours.html", self_contained=True)
        ours_s = _time_to_interactive(path)
        size_mb = path.stat().st_size / 1e6
    return Row(
        name=f"time to interactive, {BROWSER_SIZE:,} incidents, self-contained, headless Chromium",
        median_s=ours_s,
        baseline="goal",
        baseline_median_s=3.0,
        goal="< 3 s",
        command=COMMAND,
        extra={"page_MB": f"{size_mb:.1f}", "assets": f"pinned, inlined from {assets.cache_dir()}"},
    )


#: Run in a fresh process: read, build, save, and report seconds and peak RSS as JSON.
_BUILD_CHILD = """
import json, resource, sys, time
import geopandas, maps
start = time.perf_counter()
m = maps.incident_map(geopandas.read_parquet(sys.argv[1]))
maps.save(m, sys.argv[2])
# ru_maxrss is in KiB on Linux; the row reports GB (10^9 bytes).
print(json.dumps({"s": time.perf_counter() - start,
                  "gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9}))
"""


def _scale_page(tmp: Path) -> tuple[Path, list[dict]]:
    """SCALE_SIZE synthetic incidents as GeoParquet, built three times in fresh processes."""
    source, page = tmp / "incidents.parquet", tmp / "map.html"
    synthetic_incidents(SCALE_SIZE).to_parquet(source)
    runs = [json.loads(subprocess.run([sys.executable, "-c", _BUILD_CHILD, str(source), str(page)],
                                      check=True, capture_output=True, text=True).stdout)
            for _ in range(3)]
    return page, runs


def scale_rows() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        page, runs = _scale_page(Path(tmp))
        build_s = statistics.median(r["s"] for r in runs)
        peak_gb = max(r["gb"] for r in runs)
        interactive_s = _time_to_interactive(page)
        size_mb = page.stat().st_size / 1e6
    name = f"{SCALE_SIZE:,} synthetic incidents, full popups"
    return [
        Row(name=f"read GeoParquet + incident_map + save, {name} (fresh process)", median_s=build_s,
            baseline="goal", baseline_median_s=20.0, goal="< 20 s, peak RSS < 2 GB", command=COMMAND,
            extra={"peak_RSS_GB": f"{peak_gb:.2f}", "page_MB": f"{size_mb:.0f}"}),
        Row(name=f"time to interactive, {name}, headless Chromium", median_s=interactive_s,
            baseline="goal", baseline_median_s=10.0, goal="< 10 s", command=COMMAND,
            extra={"page_MB": f"{size_mb:.0f}"}),
    ]


ROWS = [build_save_row, interactive_row, scale_rows]

if __name__ == "__main__":
    for fn in ROWS:
        print(fn())
