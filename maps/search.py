"""What the map's search box knows: every spelling of a place, and how to fold a query.

The browser folds both the query and the incidents' text the way
:func:`incidents.textnorm.fold` does, with a letter table derived here from that function
(so the two cannot drift apart), and matches the folded query against each incident's
place, its other spellings (from the shipped gazetteer: official, transliteration variants,
well-known old names such as Kiev or Odessa, and the Ukrainian Cyrillic), owner and target.

Example:
    >>> variants(["Kyiv"])["Kyiv"].split(" | ")[:2]
    ['kyiv', 'київ']
    >>> fold_table()["mid"]["я"], fold_table()["initial"]["я"]
    ('ia', 'ya')
"""

from __future__ import annotations

from functools import cache

import numpy as np

import geo
from geo.gazetteer import name_key
from incidents.textnorm import fold

#: Name origins in the gazetteer kept as search spellings: the official name, other
#: transliterations of it, and well-known old or Russian-derived names. GeoNames' other
#: alternates (many scripts, nicknames) would multiply the payload for little gain.
SEARCH_ORIGINS = ("katottg", "variant", "historic")
#: Ukrainian and Russian letters the fold table covers.
CYRILLIC_LETTERS = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяыэёъ"


@cache
def fold_table() -> dict[str, dict[str, str]]:
    """Reading of each Cyrillic letter inside a word (``mid``) and at its start
    (``initial``), as :func:`incidents.textnorm.fold` reads them."""
    return {"mid": {c: fold("б" + c)[1:] for c in CYRILLIC_LETTERS},
            "initial": {c: fold(c) for c in CYRILLIC_LETTERS}}


@cache
def _spellings_by_place() -> dict[int, list[str]]:
    gazetteer = geo.load_gazetteer()
    names = gazetteer.names[gazetteer.names["origin"].isin(SEARCH_ORIGINS)]
    out: dict[int, list[str]] = {}
    for place, key in zip(names["place"].to_numpy(), names["key"].to_numpy()):
        out.setdefault(int(place), []).append(key)
    return out


def variants(places) -> dict[str, str]:
    """Place text -> its other spellings joined by " | " (folded keys, then the Ukrainian
    name), for the distinct places given; places the gazetteer does not know are left out.

    A name shared by several places takes the spellings of the most populous one (the
    one a reader most likely means by "Odessa"). Vectorised: one lookup for all places.
    """
    gazetteer = geo.load_gazetteer()
    texts = list(dict.fromkeys(p for p in places if p))
    keys = [name_key(p) for p in texts]
    owner, rows, _ = gazetteer.lookup_many(keys)
    if not len(rows):
        return {}
    # Most populous row per place: sort by (place, population) and keep each place's last.
    order = np.lexsort((gazetteer.population[rows], owner))
    last = np.r_[owner[order][1:] != owner[order][:-1], True]
    chosen = dict(zip(owner[order][last].tolist(), rows[order][last].tolist()))
    spellings, ukrainian = _spellings_by_place(), gazetteer.places["name_uk"].to_numpy()
    out = {}
    for k, row in chosen.items():
        found = sorted(set(spellings.get(row, [])) - {keys[k]})
        out[texts[k]] = " | ".join([keys[k], *found, str(ukrainian[row]).lower()])
    return out
