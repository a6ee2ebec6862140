"""Give KATOTTG settlements the points of GeoNames' Ukrainian populated places.

GeoNames carries about 27,000 populated places of Ukraine with their own coordinates
(``gn:`` records of Who's On First, see scripts/gazetteer_inputs.py), most of them with
their Ukrainian name, but no KATOTTG code and no hromada. A village name is seldom unique
in its oblast (Kharkiv oblast has a dozen Andriivkas), so a name alone does not say which
KATOTTG settlement a point belongs to; the hromada does. Matching runs in rounds:

1. candidates: the not yet located KATOTTG settlements of the same oblast whose
   :func:`~geo.gazetteer.name_key` equals one of the place's names (Ukrainian names and
   GeoNames' main name first, then variants and Russian names), else whose
   :func:`~geo.gazetteer.skeleton` does;
2. anchors: the median point of each hromada's (and raion's) already located settlements;
3. a pair is accepted when the point lies within :data:`HROMADA_KM` of the candidate's
   hromada anchor, or, for a hromada with no located settlement yet, within
   :data:`RAION_KM` of its raion's anchor; a name unique on both sides (one candidate,
   one claimant) is accepted within :data:`UNIQUE_HROMADA_KM` / :data:`UNIQUE_RAION_KM`.
   Round one takes the unique pairs, the following rounds the rest, cheapest first
   (distance to the anchor, raion anchors at a :data:`RAION_PENALTY_KM` penalty), one
   point per settlement and one settlement per point; anchors are recomputed in between.

A point beyond every tolerance stays unmatched and its settlement keeps falling back to
its hromada centre: a wrong point is worse than an honest fallback.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gazetteer_inputs import GONE_OR_PART
from geo.gazetteer import name_key, skeleton
from incidents.sphere import EARTH_RADIUS_KM
from geo.regions import OBLASTS, oblast

#: Farthest a point may lie from the median of its hromada's located settlements (km);
#: hromadas are rarely more than 40 km across, so a member is within ~25 km of the median.
HROMADA_KM = 25.0
#: ... from its raion's median when the hromada has no located settlement (km).
RAION_KM = 45.0
#: Looser tolerances for a name unique on both sides within the oblast (km).
UNIQUE_HROMADA_KM = 35.0
UNIQUE_RAION_KM = 60.0
#: Cost added to a raion-anchored pair, so hromada-anchored pairs win ties (km).
RAION_PENALTY_KM = 15.0
ROUNDS = 3

SETTLEMENT = ("K", "M", "T", "X", "C")


def geonames_spellings(row) -> list[str]:
    """The GeoNames name and those alternates that fold to Latin letters (drops Hebrew,
    Japanese, ... and short codes such as airport identifiers)."""
    names = [row["name"], *row["alternatenames"]]
    out = []
    for name in names:
        key = name_key(name)
        if len(key) < 3 or not key.replace(" ", "").isalpha() or not key.isascii():
            continue
        if name.isascii() and name.isupper() and len(name) <= 4:
            continue
        out.append(name)
    return out


def geonames_villages(wof: pd.DataFrame, gn: pd.DataFrame) -> pd.DataFrame:
    """The Who's On First localities whose point is GeoNames' own, minus cities500 places
    (already matched with their alternate names) and places gone or part of another."""
    codes = {unit.geonames_admin1 for unit in OBLASTS}  # "00" is GeoNames' "unknown"
    keep = ((wof["geom_source"] == "geonames") & wof["admin1"].isin(codes)
            & ~wof["geonameid"].isin(gn["geonameid"]) & ~wof["feature_code"].isin(GONE_OR_PART))
    villages = wof[keep].reset_index(drop=True)
    villages["oblast"] = [oblast(geonames_admin1=code).iso for code in villages["admin1"]]
    return villages


def village_spellings(villages: pd.DataFrame, pairs: dict[int, int]) -> list[tuple[str, int]]:
    """(spelling, KATOTTG row) for every name of every matched village."""
    return [(spelling, k) for v, k in pairs.items()
            for spelling in geonames_spellings({"name": villages.at[v, "names"][0],
                                                "alternatenames": villages.at[v, "names"][1:]})]


def match_villages(kat: pd.DataFrame, villages: pd.DataFrame,
                   located: dict[int, tuple[float, float]]) -> dict[int, int]:
    """Village row -> KATOTTG row, one to one.

    ``kat``: KATOTTG rows (``name_uk``, ``category``, ``oblast``, ``raion_id``,
    ``hromada_id``); ``villages``: GeoNames places (``oblast``, ``lat``, ``lon``, ``names``
    with the first ``preferred`` of them tried first); ``located``: KATOTTG row -> point of
    the settlements already located (they anchor the hromadas and take no village).
    """
    pairs = _candidates(kat, villages, set(located))
    if pairs.empty:
        return {}
    points = dict(located)
    chosen: dict[int, int] = {}
    for round_no in range(ROUNDS):
        anchors = {unit: _medians(kat, points, unit) for unit in ("hromada_id", "raion_id")}
        open_pairs = pairs[~pairs["village"].isin(chosen) & ~pairs["kat"].isin(points)]
        if round_no == 0:
            open_pairs = open_pairs[open_pairs["unique"]]
        cost = _cost(open_pairs, kat, anchors)
        order = np.argsort(cost, kind="stable")
        for i in order[np.isfinite(cost[order])]:
            v, k = int(open_pairs["village"].iat[i]), int(open_pairs["kat"].iat[i])
            if v in chosen or k in points:
                continue
            chosen[v] = k
            points[k] = (villages.at[v, "lat"], villages.at[v, "lon"])
    return chosen


def name_index(settlements: pd.DataFrame) -> tuple[dict, dict]:
    """(oblast, name key) -> KATOTTG rows, and (oblast, skeleton) -> KATOTTG rows."""
    by_key: dict[tuple[str, str], list[int]] = {}
    by_skel: dict[tuple[str, str], list[int]] = {}
    for k, name, obl in zip(settlements.index, settlements["name_uk"], settlements["oblast"]):
        key = name_key(name)
        by_key.setdefault((obl, key), []).append(k)
        by_skel.setdefault((obl, skeleton(key)), []).append(k)
    return by_key, by_skel


def _candidates(kat: pd.DataFrame, villages: pd.DataFrame, taken: set[int]) -> pd.DataFrame:
    """Every (village, KATOTTG row) pair a name links, with the lat/lon of the village and
    whether the name is unique on both sides."""
    by_key, by_skel = name_index(kat[kat["category"].isin(SETTLEMENT) & ~kat.index.isin(list(taken))])
    rows = []
    for v, obl, names, preferred in zip(villages.index, villages["oblast"], villages["names"],
                                        villages["preferred"]):
        keys = [name_key(n) for n in names]
        found: list[int] = []
        for tier in (keys[:preferred], keys[preferred:]):
            found = sorted({k for key in tier for k in by_key.get((obl, key), ())})
            if found:
                break
        if not found:
            found = sorted({k for key in keys for k in by_skel.get((obl, skeleton(key)), ())})
        rows.extend((v, k, len(found)) for k in found)
    pairs = pd.DataFrame(rows, columns=["village", "kat", "n_candidates"])
    claimants = pairs.groupby("kat")["village"].transform("size")
    pairs["unique"] = (pairs["n_candidates"] == 1) & (claimants == 1)
    pairs["lat"] = villages.loc[pairs["village"], "lat"].to_numpy()
    pairs["lon"] = villages.loc[pairs["village"], "lon"].to_numpy()
    return pairs


def _medians(kat: pd.DataFrame, points: dict[int, tuple[float, float]], unit: str) -> pd.DataFrame:
    """Median lat/lon of the located settlements of each hromada (or raion)."""
    rows = list(points)
    frame = pd.DataFrame(list(points.values()), columns=["lat", "lon"], index=rows)
    frame["unit"] = kat.loc[rows, unit].to_numpy()
    return frame[frame["unit"] != ""].groupby("unit")[["lat", "lon"]].median()


def _cost(pairs: pd.DataFrame, kat: pd.DataFrame, anchors: dict[str, pd.DataFrame]) -> np.ndarray:
    """Distance (km) from each pair's point to its candidate's hromada anchor, else raion
    anchor plus the penalty; infinite beyond the tolerances."""
    cost = np.full(len(pairs), np.inf)
    unique = pairs["unique"].to_numpy()
    unanchored = np.ones(len(pairs), bool)
    for unit, limits, penalty in (("hromada_id", (HROMADA_KM, UNIQUE_HROMADA_KM), 0.0),
                                  ("raion_id", (RAION_KM, UNIQUE_RAION_KM), RAION_PENALTY_KM)):
        anchor = anchors[unit].reindex(kat.loc[pairs["kat"], unit].to_numpy())
        has = anchor["lat"].notna().to_numpy() & unanchored
        km = _km(pairs["lat"].to_numpy(), pairs["lon"].to_numpy(),
                 anchor["lat"].to_numpy(), anchor["lon"].to_numpy())
        ok = has & (km <= np.where(unique, limits[1], limits[0]))
        cost[ok] = km[ok] + penalty
        unanchored &= ~has
    return cost


def _km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance (haversine) in km; NaN where a point is missing."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(a, float)) for a in (lat1, lon1, lat2, lon2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
