"""One resolver for every name a person types: places, oblasts, region groups and schemes.

Each lookup answers the same way: an exact name (any case) is taken; a misspelling close
to one name only is taken and said (a :class:`ResolvedName` with ``how="close"``, which the
spatial queries pass on as a warning and the command line prints in its header); anything
else is an error naming what was typed and the closest names ("did you mean ...?"). A place
name shared by several places reports how many there are, which one was taken and how to
choose (``oblast=``, ``--oblast``).

Example:
    >>> place("Mukachve").name, place("Mukachve").how
    ('Mukachevo', 'close')
    >>> region("West", "macro")
    ('group', 'west')
    >>> region("Zakarpatia", "macro")
    ('oblast', 'UA-21')
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import Iterable, Union

from geo.errors import GroupError, SchemeError, UnknownPlaceError
from geo.regions import Scheme

__all__ = ["ResolvedName", "SchemeLike", "place", "region", "resolve_scheme", "did_you_mean", "closest"]

#: What names a region scheme: "macro", "dnipro", "lon:<degrees>", a CSV/JSON file, a dict
#: {oblast: group}, or a :class:`geo.Scheme`.
SchemeLike = Union[str, os.PathLike, dict, Scheme]

#: Scheme names geo.scheme knows besides lon:<degrees> and mapping files.
SCHEME_NAMES = ("macro", "dnipro")


def closest(text: str, choices: Iterable[str], limit: int = 3, cutoff: float = 60.0) -> list[str]:
    """The ``choices`` spelled most like ``text`` (case and accents ignored), best first."""
    from rapidfuzz import fuzz, process

    from incidents.textnorm import fold

    folded = {fold(str(c)).casefold(): str(c) for c in choices}
    found = process.extract(fold(text).casefold(), list(folded), scorer=fuzz.WRatio, limit=limit, score_cutoff=cutoff)
    return [folded[key] for key, _, _ in found]


def did_you_mean(suggestions: Iterable[str]) -> str:
    """``did you mean 'a', 'b'?`` or ``no similar name either``."""
    suggestions = list(suggestions)
    return f"did you mean {', '.join(map(repr, suggestions))}?" if suggestions else "no similar name either"


@dataclass(frozen=True)
class ResolvedName:
    """A place name read as one place of the offline gazetteer."""

    text: str               #: what was typed
    name: str               #: the place's name in the gazetteer
    lat: float
    lon: float
    oblast: str | None      #: ISO 3166-2:UA code of the place's oblast
    how: str                #: "exact" or "close" (a misspelling read as this place)
    candidates: int = 1     #: places that share the name (1: unambiguous)
    oblast_given: bool = False  #: the candidates were counted within a stated oblast

    @property
    def oblast_name(self) -> str:
        from geo.regions import oblast

        return oblast(self.oblast).name_en if self.oblast else "unknown oblast"

    def label(self) -> str:
        """``Mukachevo (Zakarpattia)``: the place and its oblast, for headers."""
        return f"{self.name} ({self.oblast_name})"

    def notes(self, hint: str = "oblast=") -> list[str]:
        """What a person should know about how the name was read (empty when exact and unique)."""
        out = []
        if self.how == "close":
            out.append(f"read {self.text!r} as {self.label()}")
        if self.candidates > 1 and self.oblast_given:
            out.append(f"{self.candidates} places in {self.oblast_name} are called {self.name}; "
                       f"took the one at ({self.lat:.2f}, {self.lon:.2f}); give LAT,LON to choose another")
        elif self.candidates > 1:
            out.append(f"{self.candidates} places are called {self.name}; took the one in {self.oblast_name} "
                       f"({self.lat:.2f}, {self.lon:.2f}); give {hint}OBLAST to choose another")
        return out


def place(name: str, oblast: str | None = None) -> ResolvedName:
    """The place ``name`` denotes (offline gazetteer, through :func:`geo.geocode`), optionally
    the one in ``oblast`` (any name or code, misspellings as :func:`region` reads them)."""
    import geopandas as gpd

    from geo.gazetteer import load_gazetteer
    from geo.geocoding import geocode

    iso = _oblast_code(oblast) if oblast is not None else None
    probe = gpd.GeoDataFrame({"id": ["query"], "place": [name], "oblast": [iso]}, geometry=[None], crs="EPSG:4326")
    found = geocode(probe).iloc[0]
    point = found.geometry
    if point is None or point.is_empty:
        if iso:
            from geo.regions import oblast as get_oblast

            raise UnknownPlaceError(name, (), f"no place called {name!r} in {get_oblast(iso).name_en}: "
                                              "leave out the oblast, or give another")
        raise UnknownPlaceError(name, load_gazetteer().similar_names(name))
    source = str(found.get("geocode_source") or "")
    return ResolvedName(text=name, name=str(found.get("geocoded_name") or name), lat=point.y, lon=point.x,
                        oblast=str(found.get("geocoded_oblast") or "") or None,
                        how="close" if "fuzzy" in source else "exact",
                        candidates=max(int(found.get("geocode_candidates") or 1), 1), oblast_given=iso is not None)


def _oblast_code(text: str) -> str:
    """The ISO code of an oblast name or code; a close misspelling is read with a warning."""
    return region(text, None)[1]


def region(text: str, scheme: SchemeLike | None = None) -> tuple[str, str]:
    """``("group", name)`` for a group of ``scheme`` (any case), else ``("oblast", iso)`` for
    an oblast name or code; a misspelt oblast close to one unit is read with a warning.
    ``scheme=None`` reads oblasts only."""
    from incidents.oblasts import closest_oblasts, read_oblast

    chosen = resolve_scheme(scheme) if scheme is not None else None
    groups = list(chosen.groups) if chosen else []
    by_case = {g.casefold(): g for g in groups}
    if str(text).strip().casefold() in by_case:
        return "group", by_case[str(text).strip().casefold()]
    unit, how = read_oblast(str(text))
    if unit is not None:
        if how == "close":
            warnings.warn(f"read {text!r} as {unit.name_en} ({unit.iso})", UserWarning, stacklevel=3)
        return "oblast", unit.iso
    suggestions = closest(text, groups, limit=2) + [u.name_en for u, _, _ in closest_oblasts(str(text), limit=2)]
    if groups:
        raise GroupError(f"{text!r} is neither an oblast nor a group of scheme {chosen.name!r} "
                         f"({', '.join(groups)}); {did_you_mean(suggestions)}")
    raise GroupError(f"unknown oblast {text!r} ({did_you_mean(suggestions)})")


def resolve_scheme(name: SchemeLike) -> Scheme:
    """:func:`geo.scheme`, with "did you mean" for a misspelt scheme name."""
    from geo.regions import scheme as get_scheme

    try:
        return get_scheme(name)
    except SchemeError as error:
        if not isinstance(name, str) or name.startswith("lon:") or "." in name:
            raise
        raise SchemeError(f"{error} ({did_you_mean(closest(name, SCHEME_NAMES, limit=1))})") from None
