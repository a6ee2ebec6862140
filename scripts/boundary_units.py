"""Raion and hromada polygons for scripts/build_boundaries.py, keyed to KATOTTG ids.

Input: the 2020 raion and hromada layers of the repository slawomirmatuszak/ukrainian_geodata
(OPORA's 2020 local-election map, CC BY 4.0): ``rayony.geojson`` (136 raions) and
``hromady.geojson`` (1,469 hromadas of the 24 oblasts, plus Crimea, Sevastopol and Kyiv as
single features). They carry Ukrainian names only, no codes, so units are matched to the
gazetteer's KATOTTG hierarchy (geo/data/gazetteer_places.parquet):

* raions by name: the 136 raion names are unique in KATOTTG;
* hromadas by name within the oblast (the type suffix "сільська громада" etc. dropped).
  Where a name is shared by several hromadas of the oblast, or has no KATOTTG namesake
  (renamed since 2020), the vote of the gazetteer's settlements with their own point decides:
  the hromada most of the settlements inside the polygon belong to (among the namesakes when
  there are any). Every vote is counted and printed by the build.

Crimea, Sevastopol and Kyiv are not split into hromadas in the input: no hromada polygons
there (Crimea's raions are in the raion layer). Kyiv and Sevastopol, drawn whole, complete
the raions to a coverage of the 27 first-level units (:func:`raion_coverage`), from which
scripts/build_boundaries.py makes the oblasts.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.units import UNIT_COLUMNS
from incidents.oblasts import oblast

#: Regions the input draws as one feature instead of hromadas (KATOTTG has no hromadas in
#: Kyiv and Sevastopol; Crimea's are not drawn).
NOT_SPLIT = {"UA-30", "UA-40", "UA-43"}
#: Minimum rapidfuzz ratio for a spelling variant of a name (Юр'ївська / Юріївська: 89).
SPELLING_RATIO = 85
#: Gaps between neighbouring units narrower than this (degrees, about 1 km north-south,
#: 0.7 km east-west) are closed by raion_coverage: slivers left by the input's 4-decimal
#: rounding. Lakes and the Kakhovka reservoir are wider and stay outside every unit.
GAP_DEGREES = 0.01
#: Pieces of Crimea outside every raion at least this large (degrees², about 10 km²) are
#: given to a raion by raion_coverage.
MIN_PIECE = 1e-3
_SUFFIX = re.compile(r"\s+(міська|сільська|селищна|територіальна)\s+громада$|\s+район$")


def _key(name: str) -> str:
    """Name without its type word, lower case, one apostrophe: the form KATOTTG and the input share."""
    return _SUFFIX.sub("", name.strip()).lower().replace("'", "’").replace("ʼ", "’").replace("`", "’")


def _katottg(places: pd.DataFrame, category: str) -> pd.DataFrame:
    units = places[places["category"] == category].copy()
    units["key"] = units["name_uk"].map(_key)
    return units


def raions(path: Path, places: pd.DataFrame) -> tuple[gpd.GeoDataFrame, dict]:
    """The raion layer keyed by KATOTTG id (name; names are unique nationally)."""
    raw = gpd.read_file(path)
    katottg = _katottg(places, "P")
    if katottg["key"].duplicated().any():
        raise SystemExit("KATOTTG raion names are no longer unique: match raions within their oblast")
    raw["key"], raw["iso"] = raw["rayon"].map(_key), ""
    return _matched(raw, "rayon", katottg, places, "raion", 6)


def hromadas(path: Path, places: pd.DataFrame) -> tuple[gpd.GeoDataFrame, dict]:
    """The hromada layer keyed by KATOTTG id (name within the oblast)."""
    raw = gpd.read_file(path)
    raw["iso"] = [oblast(r).iso for r in raw["region"]]
    raw = raw[~raw["iso"].isin(NOT_SPLIT)].reset_index(drop=True)
    raw["key"] = raw["hromada"].map(_key)
    units, info = _matched(raw, "hromada", _katottg(places, "H"), places, "hromada", 9)
    katottg = _katottg(places, "H")
    info["KATOTTG hromadas outside Kyiv, Sevastopol and Crimea without a polygon"] = int(
        (~katottg.loc[~katottg["oblast"].isin(NOT_SPLIT), "katottg_id"].isin(units["code"])).sum())
    return units, info


def _matched(raw: gpd.GeoDataFrame, name_field: str, katottg: pd.DataFrame, places: pd.DataFrame,
             level: str, pcode_length: int) -> tuple[gpd.GeoDataFrame, dict]:
    """Each input unit's KATOTTG id. First pass: its only namesake (in its oblast when
    ``iso`` is set) unless a clear vote of the settlements inside (a majority of at least
    two) says otherwise. Second pass, ids taken in the first left out: the namesake most
    settlements vote for; a spelling variant (:func:`_closest`) no vote contradicts; the
    majority vote (renamed since 2020). A unit none of these decides stops the build."""
    votes = _votes(raw.geometry.values, places, f"{level}_id")
    chosen, how = [None] * len(raw), [None] * len(raw)
    for first_pass in (True, False):
        taken = {c for c in chosen if c is not None}
        for row, unit in raw.iterrows():
            if chosen[row] is not None:
                continue
            in_oblast = katottg[((katottg["oblast"] == unit["iso"]) | (unit["iso"] == ""))
                                & (first_pass | ~katottg["katottg_id"].isin(taken))]
            namesakes = in_oblast.loc[in_oblast["key"] == unit["key"], "katottg_id"]
            ballot = votes.get(row, pd.Series(dtype=float, name="share"))
            points = ballot.attrs.get("points", 0)
            ballot = ballot[ballot.index.isin(in_oblast["katottg_id"])]
            clear = len(ballot) > 0 and ballot.iloc[0] >= 0.5 and points >= 2
            if first_pass:
                if len(namesakes) == 1 and (ballot.get(namesakes.iloc[0], 0) > 0 or not clear):
                    chosen[row], how[row] = namesakes.iloc[0], "name"
            elif len(namesakes) and ballot.index.isin(namesakes).any():
                chosen[row], how[row] = ballot[ballot.index.isin(namesakes)].index[0], "vote among namesakes"
            elif (close := _closest(unit["key"], in_oblast)) is not None and (ballot.empty or ballot.index[0] == close):
                chosen[row], how[row] = close, f"spelling (ratio >= {SPELLING_RATIO})"
            elif len(ballot) and ballot.iloc[0] >= 0.5:
                chosen[row], how[row] = ballot.index[0], "vote (renamed since 2020)"
            else:
                raise SystemExit(f"row {row} {unit[name_field]!r} ({unit['iso']}): "
                                 f"{len(namesakes)} KATOTTG namesakes left and no settlement vote to decide")
    by_id = katottg.set_index("katottg_id")
    renamed = [f"{name} -> {by_id.loc[code, 'name_uk']}" for name, code, h in zip(raw[name_field], chosen, how)
               if h != "name" and not h.startswith("vote among")]
    info = {f"{level} polygons": len(raw), **{f"{level}s matched by {k}": v for k, v in pd.Series(how).value_counts().items()},
            f"{level}s spelled or named otherwise (input -> KATOTTG)": ", ".join(renamed)}
    rows = by_id.loc[chosen]
    units = _units(chosen, rows["name"], rows["oblast"], raw.geometry.values, pcode_length)
    info[f"{level} units (pieces of one unit merged)"] = len(units)
    return units, info


def _votes(geoms: np.ndarray, places: pd.DataFrame, column: str) -> dict[int, pd.Series]:
    """Per polygon: share of the gazetteer's own-point settlements inside it, by ``column``."""
    own = places[places["lat"].notna() & places["category"].isin(["C", "X", "M"]) & (places[column] != "")]
    tree = shapely.STRtree(shapely.points(own["lon"].to_numpy(), own["lat"].to_numpy()))
    polygon, point = tree.query(geoms, predicate="contains")
    table = pd.DataFrame({"polygon": polygon, "unit": own[column].to_numpy()[point]})
    votes = {}
    for p, group in table.groupby("polygon"):
        votes[p] = group["unit"].value_counts(normalize=True)
        votes[p].attrs["points"] = len(group)
    return votes


def _closest(key: str, candidates: pd.DataFrame) -> str | None:
    """The KATOTTG id whose name is spelled most like ``key`` (rapidfuzz ratio at least
    SPELLING_RATIO), e.g. Юр'ївська / Юріївська; None when none is that close."""
    from rapidfuzz import fuzz, process

    best = process.extractOne(key, candidates["key"].tolist(), scorer=fuzz.ratio, score_cutoff=SPELLING_RATIO)
    return None if best is None else candidates["katottg_id"].iloc[best[2]]


def _units(codes, names, isos, geoms, pcode_length: int) -> gpd.GeoDataFrame:
    """This library's unit layout; pieces of one unit merged; p-code = KATOTTG id cut to
    OCHA's length (UA + oblast + raion [+ hromada] digits)."""
    codes = list(codes)
    units = gpd.GeoDataFrame({"code": codes, "name": list(names), "oblast": list(isos),
                              "geometry": shapely.make_valid(geoms)}, crs="EPSG:4326")
    units = units.dissolve("code", aggfunc="first", sort=True).reset_index()
    units["geometry"] = _without_overlaps(units.geometry.values)
    units["pcode"] = units["code"].str[:pcode_length]
    return units[UNIT_COLUMNS]


def _without_overlaps(geoms: np.ndarray) -> np.ndarray:
    """Each unit less the units before it (in code order) that overlap it: the input's
    neighbours overlap in slivers (coordinates rounded to 4 decimals), and a point in a sliver
    must have one answer, the same for every point-in-polygon method."""
    geoms = geoms.copy()
    first, second = shapely.STRtree(geoms).query(geoms, predicate="overlaps")
    keep = first < second
    for later in np.unique(second[keep]):
        earlier = first[keep & (second == later)]
        cut = shapely.make_valid(shapely.difference(geoms[later], shapely.union_all(geoms[earlier])))
        parts = shapely.get_parts(cut)
        geoms[later] = shapely.multipolygons(parts[shapely.get_type_id(parts) == 3]) if len(parts) > 1 else cut
    before = shapely.area(shapely.get_parts(geoms)).sum()
    print(f"overlaps removed: {len(np.unique(second[keep]))} units trimmed; area now {before:.4f} deg²")
    return geoms



def raion_coverage(raions: gpd.GeoDataFrame, hromady: Path, places: pd.DataFrame
                   ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, dict]:
    """The raions, and Kyiv and Sevastopol (the two first-level units no raion holds, drawn
    whole in the hromada layer ``hromady``), as one clean coverage: the oblasts are built
    from it, so a point's oblast and raion come from the same lines.

    * Land of Crimea that no raion covers (the raion layer leaves out Armiansk's city
      council, about 140 km² on the Perekop isthmus, in Perekopskyi raion since 2020) goes,
      piece by piece (at least MIN_PIECE), to the raion most of the gazetteer's settlements
      inside it belong to (the vote used for renamed units); a piece no vote decides stops
      the build.
    * Kyiv and Sevastopol lose their slivers of overlap with the raions (earlier units win,
      as among the raions).
    * shapely.coverage_clean then makes shared edges identical and closes gaps between
      neighbours narrower than GAP_DEGREES (slivers of the input's 4-decimal rounding); wider
      gaps (lakes, the Kakhovka reservoir) stay outside every unit.
    """
    raw = gpd.read_file(hromady)
    whole = {name: shapely.union_all(shapely.make_valid(raw.loc[raw["hromada"] == name, "geometry"].to_numpy()))
             for name in ("Автономна республіка Крим", "Севастополь", "Київ")}
    raions = raions.copy()
    rest = shapely.difference(whole["Автономна республіка Крим"],
                              shapely.union_all(np.append(raions.geometry.values, whole["Севастополь"])))
    pieces = shapely.get_parts(rest)
    added = []
    for piece in pieces[shapely.area(pieces) >= MIN_PIECE]:
        ballot = _votes(np.array([piece]), places, "raion_id").get(0)
        if ballot is None or ballot.iloc[0] < 0.5:
            raise SystemExit(f"land of Crimea outside every raion at {shapely.point_on_surface(piece)}: no settlement vote")
        row = raions.index[raions["code"] == ballot.index[0]][0]
        raions.loc[row, "geometry"] = shapely.union(raions.loc[row, "geometry"], piece)
        added.append(f"{shapely.area(piece):.4f} deg² to {raions.loc[row, 'name']} ({ballot.attrs['points']} settlements)")
    cities = gpd.GeoDataFrame({"iso": ["UA-30", "UA-40"], "geometry": [whole["Київ"], whole["Севастополь"]]},
                              crs="EPSG:4326")
    cities["geometry"] = shapely.make_valid(shapely.difference(cities.geometry.values,
                                                               shapely.union_all(raions.geometry.values)))
    geoms = np.concatenate([raions.geometry.values, cities.geometry.values])
    cleaned = shapely.coverage_clean(geoms, gap_width=GAP_DEGREES)
    if not shapely.coverage_is_valid(cleaned):
        raise SystemExit("coverage_clean left overlaps or unmatched edges")
    raions["geometry"], cities["geometry"] = cleaned[:len(raions)], cleaned[len(raions):]
    return raions, cities, {
        "land of Crimea outside every raion, added": "; ".join(added) or "none",
        "coverage cleaned (raions, Kyiv, Sevastopol)": f"area {shapely.area(geoms).sum():.4f} -> "
                                                        f"{shapely.area(cleaned).sum():.4f} deg²",
    }
