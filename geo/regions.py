"""Macro-region schemes over the 27 first-level units, and region assignment.

The oblast registry itself (codes, names, lookup) lives in :mod:`incidents.oblasts`, since
validation needs it at load time; it is re-exported here.

Example:
    >>> from geo.regions import oblast
    >>> oblast("Transcarpathia").iso
    'UA-21'
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from geo.errors import GroupError, SchemeError, SchemeFileError
from incidents.oblasts import OBLASTS, Oblast, UnknownOblastError, oblast, oblast_codes, oblast_from_admin1

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


# Assigning rows to oblasts, raions, hromadas and groups lives in geo.assign; re-exported
# here, where callers have always found it. Imported last: geo.assign uses this module.
from geo.assign import REGION_COLUMNS, assign_regions  # noqa: E402
