"""Offline geocoding against the shipped gazetteer: no network, thousands of names a second.

Resolution of one query, first hit wins:

1. the place string is split into a core name, a qualifier and extra hints:
   ACLED's "City - District" keeps "City"; "Mukachevo, Zakarpattia Oblast" and
   "Novoselivka (Kharkiv oblast)" give an oblast hint; words such as "village of",
   "м.", "district", "oblast", "hromada" are dropped and remembered as the qualifier;
2. exact: places whose :func:`~geo.gazetteer.name_key` equals the core's
   (``geocode_score`` 100);
3. variant: places with the same :func:`~geo.gazetteer.skeleton` (Kharkov/Kharkiv,
   Avdeevka/Avdiivka; score 90, source ``gazetteer_fuzzy``);
4. an oblast name on its own ("Zakarpattia", "Lvivska oblast") resolves to the oblast
   centre (source ``oblast_centre``);
5. fuzzy: skeletons one edit or one swap away (symmetric-deletion index), scored with
   rapidfuzz's optimal-string-alignment similarity over the unique unresolved names only,
   accepted at :data:`FUZZY_THRESHOLD` or above (score = the similarity, source
   ``gazetteer_fuzzy``); without an oblast hint only for cities and large places
   (:data:`FUZZY_UNHINTED_POPULATION`), since a misspelt village name is as close to
   other villages' names as to its own.

Among the places a name matches, hints narrow the choice (oblast, then raion and hromada
when they match any candidate) and the most populous place wins, cities before villages;
``geocode_candidates`` records how many places were left to choose from, and a village
name chosen among namesakes without an oblast hint is flagged
``ambiguous_name_without_oblast``. A name found
only outside the stated oblast stays unresolved with ``geocode_flag`` saying so: the
geocoder never moves a record to another oblast.

A settlement without its own coordinates is shown at its hromada's centre (precision
``hromada``), else its raion's centre (``raion``); an oblast at its centre (``oblast``).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from geo.gazetteer import Gazetteer, load_gazetteer, skeleton, unit_stem
from geo.geocoders.base import Geocoder, empty_results
from geo.geocoders.place_text import hint_stem, oblast_named, parse_place, same_unit
from incidents.oblasts import oblast

__all__ = ["FUZZY_THRESHOLD", "OfflineGeocoder", "parse_place"]

#: Lowest optimal-string-alignment similarity (rapidfuzz ``OSA.normalized_similarity``
#: x 100) between skeletons accepted as a fuzzy match: one wrong, missing, extra or
#: swapped letter per five ("Mukachvo", "Kharkvi", "Dnirpo"). tests/test_geocode_accuracy.py
#: measures that no resolved labelled name lands in the wrong oblast at this value.
FUZZY_THRESHOLD = 80
#: Weight of log10(population) when choosing among fuzzy matches (points per decade).
POPULATION_WEIGHT = 2.0
#: A city that is its own first-level unit, inside the oblast around it: ACLED and GADM
#: write "Kyiv" (the oblast) as admin1 for places in Kyiv city, so a name the stated
#: oblast does not hold is looked for in the city it encloses before giving up.
ENCLOSED = {"UA-32": "UA-30", "UA-43": "UA-40"}
#: Without an oblast hint, fuzzy matches are accepted only for cities and places this
#: populous; other rows stay unresolved, flagged ``fuzzy_match_needs_oblast_hint``.
FUZZY_UNHINTED_POPULATION = 10_000
#: ... and only when no other candidate's similarity beats theirs by more than this
#: (the population prior may lift "Kharkvi" to Kharkiv over the village Kharkove, 2.4
#: points closer, but not a city over a village that is an exact letter swap away).
UNHINTED_MARGIN = 3.0
#: Similarity points added when the fuzzy match is on the official name.
OFFICIAL_BONUS = 1.0
#: Skeletons shorter than this are not fuzzy-matched: one edit in a 3-letter name is
#: another name.
FUZZY_MIN_LENGTH = 5
VARIANT_SCORE = 90


_CATEGORY_RANK = {"K": 5, "M": 4, "T": 3, "X": 2, "C": 1, "G": 1}
_UNIT_CATEGORY = {"hromada": "H", "raion": "P"}
_SETTLEMENT_CATS = frozenset(("K", "M", "T", "X", "C", "G"))



class OfflineGeocoder(Geocoder):
    """Geocoder over the shipped gazetteer (see the module docstring for the rules).

    >>> import pandas as pd
    >>> q = pd.DataFrame({"place": ["Харків", "Kharkov", "Kharkiv oblast"],
    ...                   "oblast": ["", "", ""], "admin2": "", "admin3": ""})
    >>> OfflineGeocoder().resolve(q)[["geocoded_name", "location_precision"]].values.tolist()
    [['Kharkiv', 'settlement'], ['Kharkiv', 'settlement'], ['Kharkiv', 'oblast']]
    """

    name = "gazetteer"

    def __init__(self, gazetteer: Gazetteer | None = None, fuzzy_threshold: int = FUZZY_THRESHOLD):
        self.gaz = gazetteer or load_gazetteer()
        self.fuzzy_threshold = fuzzy_threshold

    @cached_property
    def _unit_stems(self) -> dict[str, str]:
        """KATOTTG id of each raion and hromada -> :func:`unit_stem` of its name."""
        units = self.gaz.places[self.gaz.places["category"].isin(("P", "H"))]
        return {uid: unit_stem(name) for uid, name in zip(units["katottg_id"], units["name"])}

    @cached_property
    def _unit_ids(self) -> tuple[np.ndarray, np.ndarray]:
        return (self.gaz.places["raion_id"].to_numpy(dtype=object),
                self.gaz.places["hromada_id"].to_numpy(dtype=object))

    def resolve(self, queries: pd.DataFrame, progress: bool = False) -> pd.DataFrame:
        n = len(queries)
        chosen = np.full(n, -1, dtype=np.int64)
        score = np.zeros(n, dtype=np.int64)
        n_cands = np.zeros(n, dtype=np.int64)
        tier = np.full(n, "", dtype=object)
        qualifiers = np.full(n, "", dtype=object)
        flags = np.full(n, "", dtype=object)
        oblast_hit = np.full(n, "", dtype=object)
        fuzzy_rows: list[int] = []
        hints_of: list[tuple[str, str, str]] = []
        cores: list[str] = []

        parsed_cache: dict[str, tuple[str, str, list[str]]] = {}
        for i, (place, obl, admin2, admin3) in enumerate(zip(
                *(queries[c].to_numpy(dtype=object) for c in ("place", "oblast", "admin2", "admin3")))):
            place = "" if not isinstance(place, str) else place
            parsed = parsed_cache.get(place)
            if parsed is None:
                parsed = parsed_cache[place] = parse_place(place)
            core, qualifier, extra = parsed
            cores.append(core)
            obl, admin2 = obl or "", admin2 or ""
            for hint in extra:
                iso = oblast_named(hint)
                if iso:
                    obl = obl or iso
                else:
                    admin2 = admin2 or hint
            hints = (obl, hint_stem(admin2), hint_stem(admin3))
            hints_of.append(hints)
            qualifiers[i] = qualifier

        self._exact_vectorised(cores, qualifiers, hints_of, chosen, n_cands, tier, score)
        for i in np.flatnonzero(chosen < 0):
            core, qualifier, hints = cores[i], qualifiers[i], hints_of[i]
            if not core:
                continue
            if qualifier == "oblast":
                oblast_hit[i] = oblast_named(core + " oblast")
                continue
            for tier_name in ("exact", "variant"):
                cands, official = (self.gaz.lookup(core) if tier_name == "exact"
                                   else self.gaz.lookup_skeleton(skeleton(core)))
                kept, flag = self._filter(cands, official, hints, qualifier)
                if len(kept):
                    chosen[i], n_cands[i] = self._best(kept, qualifier), len(kept)
                    tier[i] = tier_name
                    score[i] = 100 if tier_name == "exact" else VARIANT_SCORE
                    break
                flags[i] = flags[i] or flag
            else:
                oblast_hit[i] = oblast_named(core)
                if not oblast_hit[i]:
                    fuzzy_rows.append(i)

        self._fuzzy(cores, fuzzy_rows, hints_of, qualifiers, chosen, score, n_cands, tier, flags)
        return self._results(chosen, score, n_cands, tier, qualifiers, flags, oblast_hit,
                             [h[0] for h in hints_of])

    def _exact_vectorised(self, cores, qualifiers, hints_of, chosen, n_cands, tier, score) -> None:
        """The exact tier for the plain queries (a name, maybe an oblast hint, no raion or
        hromada hint, no unit qualifier) in array operations; :meth:`_filter` and
        :meth:`_best` state the same rules one query at a time for the rest. Queries
        with no candidate left are not touched (the loop then tries the other tiers and
        sets the flags)."""
        plain = np.array([bool(c) and q in ("", "settlement") and not h[1] and not h[2]
                          for c, q, h in zip(cores, qualifiers, hints_of)], dtype=bool)
        rows = np.flatnonzero(plain)
        if not len(rows):
            return
        owner, places, official = self.gaz.lookup_many([cores[i] for i in rows])
        obl = np.array([hints_of[i][0] for i in rows], dtype=object)[owner]
        keep = self.gaz.is_settlement[places] & ((obl == "") | (self.gaz.oblast[places] == obl))
        owner, places, official = owner[keep], places[keep], official[keep]
        # Current names first (see _filter).
        n = len(rows)
        any_official = np.bincount(owner, official, minlength=n) > 0
        keep = ~any_official[owner] | official
        owner, places = owner[keep], places[keep]
        if not len(owner):
            return
        order = np.lexsort((self._static_rank[places], owner))
        owner, places = owner[order], places[order]
        last = np.flatnonzero(np.r_[owner[1:] != owner[:-1], True])
        winners = rows[owner[last]]
        chosen[winners] = places[last]
        n_cands[winners] = np.bincount(owner, minlength=n)[owner[last]]
        tier[winners] = "exact"
        score[winners] = 100

    def _filter(self, cands: np.ndarray, official: np.ndarray, hints: tuple[str, str, str],
                qualifier: str) -> tuple[np.ndarray, str]:
        """The candidates the hints allow, and a flag when the stated oblast excluded all.

        Keeps settlements (and the unit kind the qualifier names), then the stated oblast,
        then places whose current name matched (official, or a transliteration of it)
        over those matched by an old or other alternate name (so "Pervomaiske" is the
        village called that today, not one renamed from it, and "Oleksandrivka" is not
        Donetsk, which bore that name in the 18th century),
        then the stated raion and hromada when any candidate lies in them.
        """
        if not len(cands):
            return cands, ""
        wanted = _UNIT_CATEGORY.get(qualifier)
        if len(cands) == 1 and not wanted and not hints[1] and not hints[2]:
            # The common case, a unique name, without array work.
            if not self.gaz.is_settlement[cands[0]]:
                return cands[:0], ""
            if hints[0] and self.gaz.oblast[cands[0]] not in (hints[0], ENCLOSED.get(hints[0])):
                return cands[:0], "name_found_outside_stated_oblast"
            return cands, ""
        keep = self.gaz.is_settlement[cands]
        if wanted:
            keep = keep | (self.gaz.category[cands] == wanted)
        if not keep.all():
            cands, official = cands[keep], official[keep]
        obl, raion_stem, hromada_stem = hints
        if obl and len(cands):
            inside = self.gaz.oblast[cands] == obl
            if not inside.any() and obl in ENCLOSED:
                inside = self.gaz.oblast[cands] == ENCLOSED[obl]
            if not inside.any():
                return cands[:0], "name_found_outside_stated_oblast"
            cands, official = cands[inside], official[inside]
        if official.any() and not official.all():
            cands = cands[official]
        if len(cands) > 1:
            cands = np.unique(cands)
        for stem, ids in ((raion_stem, self._unit_ids[0]), (hromada_stem, self._unit_ids[1])):
            if stem and len(cands) > 1:
                match = np.array([same_unit(self._unit_stems.get(u, ""), stem) for u in ids[cands]])
                if match.any():
                    cands = cands[match]
        return cands, ""

    def _best(self, cands: np.ndarray, qualifier: str, bonus: np.ndarray | None = None) -> int:
        """Row of the most likely candidate: units asked for by name first, then the
        largest place, cities before villages, located before unlocated. ``bonus`` (fuzzy
        similarity) goes in front of population, as similarity + POPULATION_WEIGHT x
        log10(population)."""
        if len(cands) == 1:
            return int(cands[0])
        keys = [self._static_rank[cands]]
        if bonus is not None:
            keys.append(bonus + POPULATION_WEIGHT * self._log_population[cands])
        wanted = _UNIT_CATEGORY.get(qualifier)
        if wanted:
            keys.append(self.gaz.category[cands] == wanted)
        return int(cands[np.lexsort(keys)[-1]])

    @cached_property
    def _centres(self) -> dict[str, np.ndarray]:
        places = self.gaz.places
        return {level: places[f"{level}_centre"].to_numpy() for level in ("hromada", "raion", "oblast")}

    @cached_property
    def _oblast_centre_of(self) -> dict[str, int]:
        return dict(zip(self.gaz.oblast, self._centres["oblast"].tolist()))

    @cached_property
    def _names(self) -> np.ndarray:
        return self.gaz.places["name"].to_numpy(dtype=object)

    @cached_property
    def _notable(self) -> np.ndarray:
        """Places a misspelt name may be matched to without an oblast hint: cities
        (K, M) and places of :data:`FUZZY_UNHINTED_POPULATION`+ people."""
        return self._is_city | (self.gaz.population >= FUZZY_UNHINTED_POPULATION)

    @cached_property
    def _is_city(self) -> np.ndarray:
        return np.isin(self.gaz.category, ("K", "M"))

    @cached_property
    def _log_population(self) -> np.ndarray:
        return np.log10(1 + self.gaz.population)

    @cached_property
    def _static_rank(self) -> np.ndarray:
        """population, then category, then located, as one sortable number per place."""
        category = np.array([_CATEGORY_RANK.get(c, 0) for c in self.gaz.category])
        return self.gaz.population * 16.0 + category * 2 + ~np.isnan(self.gaz.lat)

    def _fuzzy(self, cores, rows, hints_of, qualifiers, chosen, score, n_cands, tier, flags):
        """Fuzzy-match the unique skeletons of ``rows`` against every gazetteer skeleton.

        :meth:`~geo.gazetteer.Gazetteer.skeleton_matches` finds the names one edit or one
        swap away with their optimal-string-alignment similarity (a transposition is one
        edit: "Kharkvi") at :data:`FUZZY_THRESHOLD` or above; the winner maximises similarity plus
        :data:`POPULATION_WEIGHT` x log10(population), since reports name large places
        more often than hamlets one letter away from them.
        """
        if not rows:
            return
        for i in rows:
            q = skeleton(cores[i])
            if len(q) < FUZZY_MIN_LENGTH:
                continue
            # place -> best similarity (+ OFFICIAL_BONUS when it is the official name), and
            # whether an official name of the place matched at all
            best_sim: dict[int, float] = {}
            official_of: dict[int, bool] = {}
            for p, sim, official in self.gaz.skeleton_matches(q, self.fuzzy_threshold):
                bonus = sim + OFFICIAL_BONUS * official
                if bonus > best_sim.get(p, 0.0):
                    best_sim[p] = bonus
                official_of[p] = official_of.get(p, False) or official
            if not best_sim:
                continue
            if len(best_sim) == 1 and not any(hints_of[i]) and not qualifiers[i]:
                # One candidate, nothing to filter by: skip the array work.
                (best, sim), = best_sim.items()
                if self.gaz.is_settlement[best] and self._notable[best] and official_of[best]:
                    chosen[i], tier[i], score[i], n_cands[i] = best, "fuzzy", min(99, round(sim)), 1
                    continue
            # As in the exact tier, current names win over old names: Donetsk was once
            # Oleksandrivka, and "Olksandrivka" means one of today's Oleksandrivkas.
            cands = np.fromiter(best_sim, dtype=np.int64, count=len(best_sim))
            official = np.array([official_of[p] for p in best_sim], dtype=bool)
            kept, flag = self._filter(cands, official, hints_of[i], qualifiers[i])
            if not len(kept):
                flags[i] = flags[i] or flag
                continue
            bonus = np.array([best_sim[p] for p in kept.tolist()])
            best = self._best(kept, qualifiers[i], bonus)
            if not hints_of[i][0] and (not self._notable[best]
                                       or best_sim[best] < bonus.max() - UNHINTED_MARGIN):
                # Thousands of villages lie one letter from another village's name; without
                # the oblast a fuzzy match to one of them would be a guess.
                flags[i] = "fuzzy_match_needs_oblast_hint"
                continue
            chosen[i], tier[i] = best, "fuzzy"
            score[i] = min(99, int(round(best_sim[best])))
            n_cands[i] = int((bonus >= best_sim[best]).sum())
            flags[i] = ""

    def _results(self, chosen, score, n_cands, tier, qualifiers, flags, oblast_hit, hint_oblasts
                 ) -> pd.DataFrame:
        gaz, places = self.gaz, self.gaz.places
        out = empty_results(len(chosen))
        lat, lon = np.full(len(chosen), np.nan), np.full(len(chosen), np.nan)
        name = np.full(len(chosen), "", dtype=object)
        source = np.full(len(chosen), "unresolved", dtype=object)
        precision = np.full(len(chosen), "", dtype=object)
        geocoded_oblast = np.full(len(chosen), "", dtype=object)
        centres, oblast_centre_of, names = self._centres, self._oblast_centre_of, self._names
        # The common case, vectorised: a located settlement asked for as a settlement.
        rows = np.flatnonzero(chosen >= 0)
        p = chosen[rows]
        simple = (~np.isnan(gaz.lat[p]) & gaz.is_settlement[p]
                  & ~np.isin(qualifiers[rows], ("hromada", "raion")))
        rows, p = rows[simple], p[simple]
        lat[rows], lon[rows] = gaz.lat[p], gaz.lon[p]
        name[rows], geocoded_oblast[rows], precision[rows] = names[p], gaz.oblast[p], "settlement"
        source[rows] = np.where(tier[rows] == "exact", "gazetteer", "gazetteer_fuzzy")
        done = np.zeros(len(chosen), bool)
        done[rows] = True
        for i in np.flatnonzero(~done):
            p = chosen[i]
            if p < 0:
                iso = oblast_hit[i]
                if iso and (not hint_oblasts[i] or hint_oblasts[i] == iso):
                    c = oblast_centre_of[iso]
                    lat[i], lon[i] = gaz.lat[c], gaz.lon[c]
                    source[i], precision[i], geocoded_oblast[i] = "oblast_centre", "oblast", iso
                    score[i], n_cands[i] = 100, 1
                    name[i] = _oblast_label(iso)
                elif iso:
                    flags[i] = "name_found_outside_stated_oblast"
                continue
            want = {"H": "hromada", "P": "raion", "O": "oblast"}.get(gaz.category[p])
            want = want or (qualifiers[i] if qualifiers[i] in ("hromada", "raion") else "")
            if not want and not np.isnan(gaz.lat[p]):
                target, level = p, "settlement"
            else:
                target, level = -1, ""
                for level in ("hromada", "raion", "oblast")[("hromada", "raion", "oblast").index(want or "hromada"):]:
                    target = centres[level][p]
                    if target >= 0:
                        break
            lat[i], lon[i] = gaz.lat[target], gaz.lon[target]
            name[i], geocoded_oblast[i], precision[i] = names[p], gaz.oblast[p], level
            if qualifiers[i] == level in ("hromada", "raion") and gaz.category[p] in _SETTLEMENT_CATS:
                # "Odesa district" was asked for: name the unit shown, not the city.
                name[i] = places[f"{level}_en"].iat[p] or name[i]
            if level == "settlement":
                source[i] = "gazetteer" if tier[i] == "exact" else "gazetteer_fuzzy"
            else:
                source[i] = f"{level}_centre"
        # A village name shared by several places, chosen by size alone: say so.
        guessed = np.flatnonzero((chosen >= 0) & (n_cands > 1) & (flags == "")
                                 & (np.asarray(hint_oblasts, dtype=object) == ""))
        guessed = guessed[~self._is_city[chosen[guessed]]]
        flags[guessed] = "ambiguous_name_without_oblast"
        out["latitude"], out["longitude"] = lat, lon
        out["geocoded_name"], out["geocode_source"] = name, source
        out["location_precision"], out["geocoded_oblast"] = precision, geocoded_oblast
        out["geocode_score"], out["geocode_candidates"], out["geocode_flag"] = score, n_cands, flags
        return out


def _oblast_label(iso: str) -> str:
    return oblast(iso).name_en
