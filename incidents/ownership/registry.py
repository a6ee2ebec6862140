"""The foreign-ownership registry: who owns which company, and where its sites are.

The shipped registry is ``incidents/data/foreign_owners.csv``; users may merge their own CSV
over it or replace it. Columns (one row per company or organisation)::

    company           name used in tags, e.g. "Flex Ltd."
    aliases           other names, " | "-separated (Latin, Cyrillic, brands, subsidiaries);
                      the company name itself is always an alias too
    owner_country     ISO 3166-1 alpha-2 of the ultimate owner (empty when none, e.g. the EU)
    registered_country        ISO 3166-1 alpha-2 of the listing / headquarters country, if different
    parent_company    ultimate parent, if any
    sector            free text, e.g. "electronics manufacturing"
    kind              company | diplomatic_mission | international_organisation | vessel_flag
                      (empty means company)
    sites             " | "-separated "settlement;oblast ISO 3166-2;lat;lon" (lat/lon may be empty)
    source_url        one or more http(s) URLs (" | "-separated) backing the ownership claim
    notes             free text
    control_note      why owner_country is what it is where that is not obvious, e.g. why a
                      group with a foreign holding stays domestic (foreign_owned follows
                      ultimate control)

Example:
    >>> reg = OwnershipRegistry.from_csv("tests/fixtures/synthetic_registry.csv", base=None)
    >>> reg.entry_for("FLEXTRONICS").owner_country
    'US'
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import io
import math
import re
import dataclasses
from dataclasses import dataclass
from os import PathLike
from typing import Iterable

import pandas as pd

from incidents.countries import ISO_ALPHA2
from incidents.errors import IncidentDataError, Problem
from incidents.ownership.matching import AliasMatcher, alias_key
from incidents.schema import LIST_SEPARATOR

KINDS = ("company", "diplomatic_mission", "international_organisation", "vessel_flag")
REGISTRY_COLUMNS = (
    "company", "aliases", "owner_country", "registered_country", "parent_company", "sector",
    "kind", "sites", "source_url", "notes", "control_note",
)
REQUIRED_COLUMNS = ("company", "owner_country", "source_url")
#: Column names of older registry files, read the same.
_OLD_NAMES = {"registered_country": "hq_country"}
SHIPPED_FILE = "foreign_owners.csv"
#: A generous box around Ukraine; a site outside it is a typo, not a Ukrainian site.
_SITE_LAT = (43.0, 53.5)
_SITE_LON = (21.0, 41.5)
_OBLAST = re.compile(r"UA-\d\d")
_HTTP = re.compile(r"https?://[^\s/?#|]+[^\s|]*", re.IGNORECASE)
_SPLIT = re.compile(r"\s*\|\s*")


@dataclass(frozen=True)
class Site:
    """A known site of a registry entry in Ukraine (coordinates may be unknown)."""

    settlement: str
    oblast: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class RegistryEntry:
    """One company or organisation of the registry (``row`` is its 1-based file line)."""

    company: str
    aliases: tuple[str, ...]
    owner_country: str
    registered_country: str = ""
    parent_company: str = ""
    sector: str = ""
    kind: str = "company"
    sites: tuple[Site, ...] = ()
    source_urls: tuple[str, ...] = ()
    notes: str = ""
    control_note: str = ""
    row: int = 0

    @property
    def names(self) -> tuple[str, ...]:
        """The company name followed by its aliases (what the tagger looks for)."""
        return (self.company, *self.aliases)


@dataclass(frozen=True)
class OwnershipRegistry:
    """An immutable list of :class:`RegistryEntry`, with a matcher built on first use.

    Example:
        >>> reg = OwnershipRegistry.shipped()          # doctest: +SKIP
        >>> reg.entry_for("Флекс").owner_country       # doctest: +SKIP
        'US'
    """

    entries: tuple[RegistryEntry, ...]
    source: str = "registry"

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def shipped(cls) -> "OwnershipRegistry":
        """The registry shipped in ``incidents/data/foreign_owners.csv`` (read once, cached)."""
        return _shipped()

    @classmethod
    def from_csv(
        cls,
        path: str | PathLike,
        base: "OwnershipRegistry | str | None" = "shipped",
        mode: str = "merge",
    ) -> "OwnershipRegistry":
        """Read a user registry CSV (columns as in the module docstring).

        ``mode="merge"`` lays the user's entries over ``base`` (``"shipped"``, another
        registry, or ``None`` for no base): a user row replaces the base entry of the same
        company, and a user alias takes that alias away from any other base entry.
        ``mode="replace"`` ignores ``base``. Every problem in the file is reported at once
        in an :class:`~incidents.errors.IncidentDataError` naming its line and field.
        """
        if mode not in ("merge", "replace"):
            raise ValueError(f"mode must be 'merge' or 'replace', not {mode!r}")
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                text = handle.read()
        except UnicodeDecodeError as err:  # bad bytes are bad data, named like every other problem
            raise IncidentDataError([Problem(0, "file", None, f"is not UTF-8 text (byte {err.start})")], str(path)) from None
        user = cls.from_text(text, source=str(path))
        if mode == "replace" or base is None:
            return user
        base_registry = cls.shipped() if isinstance(base, str) and base == "shipped" else base
        if not isinstance(base_registry, OwnershipRegistry):
            raise ValueError(f"base must be 'shipped', an OwnershipRegistry or None, not {base!r}")
        return base_registry.merged_with(user)

    @classmethod
    def from_text(cls, text: str, source: str = "registry") -> "OwnershipRegistry":
        """Parse registry CSV text; see :meth:`from_csv`."""
        entries, problems = _parse_rows(text, source)
        problems += _duplicate_alias_problems(entries)
        if problems:
            raise IncidentDataError(problems, source)
        return cls(tuple(entries), source)

    def merged_with(self, user: "OwnershipRegistry") -> "OwnershipRegistry":
        """This registry with ``user``'s entries laid over it (see :meth:`from_csv`)."""
        user_names = {alias_key(name) for e in user.entries for name in e.names}
        kept = []
        for entry in self.entries:
            # Replaced by a user row, or the user gave this entry's own name to another
            # company: the user wins either way.
            if alias_key(entry.company) in user_names:
                continue
            aliases = tuple(a for a in entry.aliases if alias_key(a) not in user_names)
            kept.append(dataclasses.replace(entry, aliases=aliases))
        return OwnershipRegistry((*kept, *user.entries), f"{self.source} + {user.source}")

    def entry_for(self, name: str) -> RegistryEntry | None:
        """The entry one of whose names equals ``name`` after folding, or ``None``."""
        index = self.matcher.index_of_key(alias_key(name))
        return None if index is None else self.entries[index]

    @functools.cached_property
    def matcher(self) -> AliasMatcher:
        """The compiled alias matcher (built once per registry)."""
        return AliasMatcher([e.names for e in self.entries])

    def to_frame(self) -> pd.DataFrame:
        """The registry as a table (one row per entry; lists joined with " | ")."""
        return pd.DataFrame({
            "company": [e.company for e in self.entries],
            "aliases": [LIST_SEPARATOR.join(e.aliases) for e in self.entries],
            "owner_country": [e.owner_country for e in self.entries],
            "registered_country": [e.registered_country for e in self.entries],
            "parent_company": [e.parent_company for e in self.entries],
            "sector": [e.sector for e in self.entries],
            "kind": [e.kind for e in self.entries],
            "sites": [LIST_SEPARATOR.join(_site_text(s) for s in e.sites) for e in self.entries],
            "source_url": [LIST_SEPARATOR.join(e.source_urls) for e in self.entries],
            "notes": [e.notes for e in self.entries],
            "control_note": [e.control_note for e in self.entries],
        })


@functools.cache
def _shipped() -> OwnershipRegistry:
    resource = importlib.resources.files("incidents") / "data" / SHIPPED_FILE
    return OwnershipRegistry.from_text(resource.read_text(encoding="utf-8-sig"),
                                       source=f"incidents/data/{SHIPPED_FILE}")


def _site_text(site: Site) -> str:
    coords = ("", "") if site.lat is None else (f"{site.lat:g}", f"{site.lon:g}")
    return ";".join((site.settlement, site.oblast, *coords))


def _rows_with_lines(text: str) -> Iterable[tuple[int, dict[str, str]]]:
    """CSV rows with the 1-based file line each row starts on (blank lines and quoted
    newlines allowed: the csv reader is fed line by line and watched)."""
    fetched: list[tuple[int, bool]] = []  # (line number, is blank) pulled by the reader

    def lines():
        for number, line in enumerate(io.StringIO(text), start=1):
            fetched.append((number, not line.strip()))
            yield line

    reader = csv.DictReader(lines())
    reader.fieldnames  # noqa: B018 - reads the header now, so it is not taken for a row's start
    while True:
        fetched.clear()
        try:
            row = next(reader)
        except StopIteration:
            return
        yield next((n for n, blank in fetched if not blank), fetched[0][0] if fetched else 0), row


def _parse_rows(text: str, source: str) -> tuple[list[RegistryEntry], list[Problem]]:
    header = next(csv.reader(io.StringIO(text)), [])
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise IncidentDataError([Problem(0, c, None, "required column is missing") for c in missing],
                                source)
    entries, problems = [], []
    for line, row in _rows_with_lines(text):
        if None in row:  # csv puts surplus cells under the key None
            problems.append(Problem(line, "row", LIST_SEPARATOR.join(row[None]),
                                    f"has more cells than the {len(header)} columns"))
            continue
        values = {c: (row.get(c) or row.get(_OLD_NAMES.get(c, c)) or "").strip() for c in REGISTRY_COLUMNS}
        if not any(values.values()):
            continue  # blank line
        entry, found = _parse_entry(line, values)
        problems += found
        if entry is not None:
            entries.append(entry)
    return entries, problems


def _parse_entry(line: int, v: dict[str, str]) -> tuple[RegistryEntry | None, list[Problem]]:
    problems: list[Problem] = []

    def bad(field_name: str, value: str, reason: str) -> None:
        problems.append(Problem(line, field_name, value, reason))

    if not v["company"]:
        bad("company", "", "is empty (every entry needs a company name)")
    elif not alias_key(v["company"]):
        bad("company", v["company"], "has no letters or digits to match on")
    aliases = tuple(_SPLIT.split(v["aliases"])) if v["aliases"] else ()
    for alias in aliases:
        if not alias:
            bad("aliases", v["aliases"], "contains an empty alias (check the ' | ' separators)")
        elif not alias_key(alias):
            bad("aliases", alias, "has no letters or digits to match on")
    for column in ("owner_country", "registered_country"):
        code = v[column]
        if code and code not in ISO_ALPHA2:
            bad(column, code, "is not an ISO 3166-1 alpha-2 country code (e.g. US, DE, AZ)")
    kind = v["kind"] or "company"
    if kind not in KINDS:
        bad("kind", kind, f"is not one of {', '.join(KINDS)}")
    urls = tuple(_SPLIT.split(v["source_url"])) if v["source_url"] else ()
    if not urls:
        bad("source_url", "", "is empty (every ownership claim needs an http(s) source)")
    for url in urls:
        if not _HTTP.fullmatch(url):
            bad("source_url", url, "is not an http(s) URL")
    sites = []
    for site_text in (_SPLIT.split(v["sites"]) if v["sites"] else ()):
        site, reason = _parse_site(site_text)
        if reason:
            bad("sites", site_text, reason)
        else:
            sites.append(site)
    if problems:
        return None, problems
    entry = RegistryEntry(
        company=v["company"], aliases=aliases, owner_country=v["owner_country"],
        registered_country=v["registered_country"], parent_company=v["parent_company"], sector=v["sector"],
        kind=kind, sites=tuple(sites), source_urls=urls, notes=v["notes"], control_note=v["control_note"], row=line,
    )
    return entry, problems


def _parse_site(text: str) -> tuple[Site | None, str]:
    """Parse ``"settlement;UA-21;48.44;22.72"``; return ``(site, "")`` or ``(None, reason)``."""
    parts = [p.strip() for p in text.split(";")]
    if len(parts) != 4:
        return None, "is not 'settlement;oblast;lat;lon' (4 parts separated by ';')"
    settlement, oblast, lat_text, lon_text = parts
    if oblast and not _OBLAST.fullmatch(oblast):
        return None, "has an oblast that is not an ISO 3166-2:UA code (e.g. UA-21)"
    if not lat_text and not lon_text:
        return Site(settlement, oblast, None, None), ""
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        return None, "has a latitude/longitude that is not a pair of numbers"
    if not (math.isfinite(lat) and math.isfinite(lon)
            and _SITE_LAT[0] <= lat <= _SITE_LAT[1] and _SITE_LON[0] <= lon <= _SITE_LON[1]):
        return None, "has coordinates outside Ukraine (expected lat, lon in decimal degrees)"
    return Site(settlement, oblast, lat, lon), ""


def _duplicate_alias_problems(entries: list[RegistryEntry]) -> list[Problem]:
    """One problem per name that two different companies claim (after folding)."""
    owner_of: dict[str, RegistryEntry] = {}
    problems = []
    for entry in entries:
        for name in dict.fromkeys(entry.names):
            key = alias_key(name)
            first = owner_of.setdefault(key, entry)
            if first is not entry and alias_key(first.company) != alias_key(entry.company):
                problems.append(Problem(entry.row, "aliases", name,
                                        f"also names {first.company!r} (row {first.row})"))
            elif first is not entry:
                problems.append(Problem(entry.row, "company", entry.company,
                                        f"is listed twice (first at row {first.row})"))
                break
    return problems
