"""Reading a reported place string: its core name, a qualifier and extra hints.

ACLED writes "Kharkiv - Kyivskyi", news copy "village of Novoselivka (Kharkiv oblast)" or
"near Kupiansk", spreadsheets "Mukachevo, Zakarpattia Oblast". The offline geocoder looks
up the core and uses the rest to choose among namesakes; this module only splits the text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from geo.gazetteer import name_key, unit_stem
from incidents.oblasts import OBLASTS, UnknownOblastError, oblast

__all__ = ["hint_stem", "oblast_named", "parse_place", "same_unit"]

_QUALIFIER_WORDS: dict[str, tuple[str, ...]] = {
    "oblast": ("oblast", "oblasti", "obl", "region", "province", "oblast s"),
    "raion": ("raion", "rayon", "raioni", "district", "r n"),
    "hromada": ("hromada", "territorial community", "terytorialna hromada", "community",
                "municipality", "otg", "tg"),
    "settlement": ("city", "town", "village", "settlement", "urban type settlement",
                   "misto", "selo", "selyshche", "smt", "hamlet", "outskirts", "suburbs",
                   "area", "vicinity"),
}
_SUFFIX_RE = re.compile(
    r"\s+(" + "|".join(sorted((w for ws in _QUALIFIER_WORDS.values() for w in ws),
                              key=len, reverse=True)) + r")$")
_QUALIFIER_OF = {w: kind for kind, ws in _QUALIFIER_WORDS.items() for w in ws}
_PREFIX_RE = re.compile(
    r"^(?:the\s+)?(?:(?:on the outskirts of|outskirts of|in the vicinity of|vicinity of|"
    r"suburbs of|close to|near|outside|around)\s+)?(?:the\s+)?"
    r"(?:(?:village of|town of|city of|settlement of|urban type settlement|village|town|city|"
    r"settlement|selo|misto|selyshche|smt|s|m|sm|pgt|g)\s+)?(?=\S)")
_ACLED_DISTRICT_RE = re.compile(r"\s+[-–—]\s+")
_PARENS_RE = re.compile(r"\(([^)]*)\)")
_POSSESSIVE_RE = re.compile(r"(?<=\w)[ʼ'’`]s\b")


def parse_place(place: str) -> tuple[str, str, list[str]]:
    """Split a reported place into (core key, qualifier, extra hints).

    >>> parse_place("Kharkiv - Kyivskyi")
    ('kharkiv', '', [])
    >>> parse_place("village of Novoselivka (Kharkiv oblast)")
    ('novoselivka', 'settlement', ['Kharkiv oblast'])
    >>> parse_place("Odesa district")
    ('odesa', 'raion', [])
    >>> parse_place("near Kupiansk"), parse_place("outskirts of Dnipro")
    (('kupiansk', 'settlement', []), ('dnipro', 'settlement', []))
    """
    # The checks before each regex keep the common case (a bare name) cheap.
    place = _POSSESSIVE_RE.sub("", place) if "s" in place else place
    hints = []
    if "(" in place:
        hints = [h.strip() for h in _PARENS_RE.findall(place) if h.strip()]
        place = _PARENS_RE.sub(" ", place)
    if " " in place:
        place = _ACLED_DISTRICT_RE.split(place.strip(), maxsplit=1)[0]
    first = place
    if "," in place:
        first, *rest = place.split(",")
        hints += [h.strip() for h in rest if h.strip() and name_key(h) not in ("ukraine", "ukraina")]
    key = name_key(first)
    qualifier = ""
    if " " not in key:
        return key, qualifier, hints
    while True:
        suffix = _SUFFIX_RE.search(key)
        if suffix is None:
            break
        qualifier = qualifier or _QUALIFIER_OF[suffix.group(1)]
        key = key[: suffix.start()]
    prefix = _PREFIX_RE.match(key)
    if prefix is not None and prefix.end():  # "near Kupiansk": the place named is the anchor
        qualifier = qualifier or "settlement"
        key = key[prefix.end():]
    return key, qualifier, hints


@lru_cache(maxsize=4096)
def hint_stem(unit_name: str) -> str:
    """Stem of a raion or hromada hint, its qualifier dropped ("Iziumskyi raion",
    "Izium district" -> the stem of "Izium")."""
    return unit_stem(parse_place(unit_name)[0]) if unit_name else ""


def same_unit(unit: str, hint: str) -> bool:
    """A unit's stem matches a hint's when equal or one extends the other ("Izium
    district" names Iziumskyi raion); candidates already share name and oblast."""
    return bool(unit) and (unit == hint or (min(len(unit), len(hint)) >= 4
                                            and (unit.startswith(hint) or hint.startswith(unit))))


@lru_cache(maxsize=1)
def _oblast_first_words() -> frozenset[str]:
    """First words of every oblast name and code the regions registry knows: a cheap
    necessary condition before asking it (a failed lookup there costs ~1 ms, as it
    searches for a "did you mean" hint)."""
    words = set()
    for unit in OBLASTS:
        for name in (unit.iso, unit.pcode, unit.hasc, unit.name_en, unit.name_uk, unit.name_ru,
                     *unit.variants):
            words.update(name_key(name).split()[:1])
    return frozenset(words)


@lru_cache(maxsize=4096)
def oblast_named(text: str) -> str:
    """ISO code when the whole text names an oblast, else ""."""
    if name_key(text).split()[:1] and name_key(text).split()[0] not in _oblast_first_words():
        return ""
    try:
        return oblast(text).iso
    except UnknownOblastError:
        return ""
