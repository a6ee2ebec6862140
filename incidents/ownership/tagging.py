"""Tag incidents with the owner of the site that was hit, and say on what evidence.

Evidence, strongest first, and the ``ownership_score`` it earns (0-100):

==================  =======  ==========================================================
evidence            score    meaning
==================  =======  ==========================================================
``explicit``        100      the record already named ``owner_company`` (kept as given)
``alias``           95       a registry name occurs as whole words in owner_company,
                             target or notes (after case/diacritic/script folding)
``fuzzy``           70-90    a run of capitalised words is a near miss of a registry
                             name: rapidfuzz ratio >= ``fuzzy_threshold`` (default 91)
                             scaled linearly, threshold -> 70, 100 -> 90
``mission``         90       a foreign state's mission named by its country ("Embassy of
                             Poland", "посольство Польщі"): owner_country only
``vessel_flag``     85       a ship's flag ("Panama-flagged", "під прапором Панами")
``nationality``     75       a country word next to a site or owner word ("Swedish company",
                             "a Polish factory", "шведський завод"): owner_country only
``site_proximity``  40-60    the incident point lies within ``site_km`` (default 2 km,
                             geodesic) of a registered site: 60 at 0 km -> 40 at site_km
``ambiguous``       empty    two different owners fit equally well; owner fields stay
                             empty and ``ownership_candidates`` lists them all
==================  =======  ==========================================================

The country rules are :mod:`incidents.ownership.nationality`; they run only on records no
registry name matched, so a named company always wins over a country word, and they give
owner_country (and ``ownership_kind``) but never invent a company. ``ownership_reason``
says in words what decided, e.g. ``target: 'Swedish company'``.

Fields are searched in the order owner_company, target, any title/headline column, notes,
source_text, and the first field with a hit decides, so a company mentioned in passing in the notes ("a Nova Poshta depot nearby
was also damaged") does not make a record about another company's plant ambiguous.
A match of a company and its own parent (both registered) counts as the company.
Fuzzy matching runs only on records with no exact hit, site proximity only on records
with no name hit at all and whose point is the site itself (``location_precision``
"exact" or unknown: a settlement centroid says nothing about which plant was hit).

Why a fuzzy threshold of 91 (``fuzz.ratio`` on folded keys): a dropped or added letter in
a long name passes ("Flextronic" vs "Flextronics" 95.2, "Nestles" vs "Nestle" 92.3), while
one letter added to a five-letter name does not, because those collide with ordinary
capitalised words: "Bayern" vs "Bayer", "Rosen" vs "Roshen", "Astor" vs "Amstor" all score
90.9. Word parts score lower still ("Reflex" vs "Flex" 80, "Flexi" vs "Flex" 88.9), and
keys under five characters ("Nest", "Flex") are never fuzzy-matched at all. Possessives
("Bunge's") need no fuzziness: they are removed before exact matching.

Example:
    >>> import geopandas as gpd
    >>> from incidents.ownership import OwnershipRegistry, tag_ownership
    >>> reg = OwnershipRegistry.from_csv("tests/fixtures/synthetic_registry.csv", base=None)
    >>> gdf = gpd.GeoDataFrame({"target": ["Flex plant"]}, geometry=[None], crs="EPSG:4326")
    >>> tag_ownership(gdf, reg)[["owner_company", "owner_country", "ownership_evidence"]].iloc[0].tolist()
    ['Flex Ltd.', 'US', 'alias']
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyproj

from incidents.ownership.matching import alias_key, stripped_texts
from incidents.ownership.nationality import country_findings, write_countries
from incidents.ownership.registry import OwnershipRegistry
from incidents.schema import LIST_SEPARATOR
from incidents.sphere import point_lonlat, search_chord, unit_vectors

SEARCHED_COLUMNS = ("owner_company", "target", "notes", "source_text")
#: Other columns searched (after target, before notes) when a file has them.
TITLE_COLUMNS = ("title", "headline", "source_title", "summary", "description")
OWNER_COLUMNS = ("owner_company", "owner_country", "sector", "foreign_owned")
TAG_COLUMNS = ("ownership_evidence", "ownership_score", "ownership_kind", "ownership_candidates", "ownership_reason")
EVIDENCE = ("explicit", "alias", "fuzzy", "mission", "vessel_flag", "nationality", "site_proximity", "ambiguous")
SCORE_EXPLICIT = 100
SCORE_ALIAS = 95
FUZZY_SCORES = (70, 90)
SITE_SCORES = (40, 60)
DEFAULT_FUZZY_THRESHOLD = 91.0
DEFAULT_SITE_KM = 2.0
#: Location precisions whose point stands for the site itself (plus unknown precision).
POINT_PRECISIONS = ("exact",)
_GEOD = pyproj.Geod(ellps="WGS84")
#: owner_country values that make a record domestic: "UA", or only "UA"s in a list.
_DOMESTIC = re.compile(r"\s*UA(\s*\|\s*UA)*\s*")


#: Columns of the findings table: one row per (record, candidate entry).
_FINDING_COLUMNS = ("record", "entry", "evidence", "score")


def tag_ownership(
    gdf: pd.DataFrame,
    registry: OwnershipRegistry | None = None,
    overwrite: bool = False,
    site_km: float = DEFAULT_SITE_KM,
    fuzzy_threshold: float | None = DEFAULT_FUZZY_THRESHOLD,
) -> pd.DataFrame:
    """A copy of ``gdf`` with ownership filled in from ``registry`` (default: shipped).

    Fills owner_company, owner_country, sector and foreign_owned (``True`` when
    owner_country is set and not "UA"; vessel flags count, see ``ownership_kind``) and
    adds ``ownership_evidence``, ``ownership_score`` (Int64), ``ownership_kind``
    (registry kind: company, diplomatic_mission, international_organisation,
    vessel_flag) and ``ownership_candidates`` (every company the evidence pointed to,
    best first, joined with " | " so the column survives CSV and GeoPackage).
    See the module docstring for evidence and scores. Values already in the record
    win: a record with owner_company set is ``explicit`` (the registry only fills its
    empty owner_country/sector), and a record already tagged (``ownership_evidence``
    set) is left alone. ``overwrite=True`` recomputes every ownership field from the
    registry, treating a given owner_company as text to search. ``fuzzy_threshold=None``
    turns fuzzy matching off and ``site_km=0`` site proximity. No row is dropped.
    A Dask frame is tagged per partition and returned as a Dask frame.

    Example:
        >>> import pandas as pd
        >>> reg = OwnershipRegistry.from_csv("tests/fixtures/synthetic_registry.csv", base=None)
        >>> out = tag_ownership(pd.DataFrame({"target": ["SOCAR depot", "flexible hose"]}), reg)
        >>> out["owner_country"].tolist(), out["foreign_owned"].tolist()
        (['AZ', nan], [True, <NA>])
    """
    from incidents.daskio import accepting_dask, is_dask

    if is_dask(gdf):  # a Dask frame: the same function on each partition, lazily (incidents/daskio.py)
        return accepting_dask(tag_ownership)(gdf, registry, overwrite, site_km, fuzzy_threshold)
    if fuzzy_threshold is not None and not 0 <= fuzzy_threshold <= 100:
        raise ValueError(f"fuzzy_threshold must be between 0 and 100 (or None), not {fuzzy_threshold}")
    if not site_km >= 0:
        raise ValueError(f"site_km must be a distance in km (>= 0), not {site_km}")
    registry = registry if registry is not None else OwnershipRegistry.shipped()
    out = gdf.copy()
    columns = _searched_columns(out)
    texts = {c: stripped_texts(out, c) for c in columns}
    n = len(out)
    already_tagged = np.zeros(n, bool) if overwrite else _filled(stripped_texts(out, "ownership_evidence"))
    explicit = np.zeros(n, bool) if overwrite else _filled(texts["owner_company"]) & ~already_tagged

    name_texts = _name_texts(texts, columns)
    found = [_exact_findings(registry, name_texts, columns, explicit, already_tagged)]
    open_rows = np.flatnonzero(~explicit & ~already_tagged & ~_has(found[0], n))
    found.append(_fuzzy_findings(registry, name_texts, columns, open_rows, overwrite, fuzzy_threshold))
    named = explicit | _has(found[0], n) | _has(found[1], n)
    countries = country_findings(texts, columns, np.flatnonzero(~already_tagged & ~(named & ~explicit)))
    open_rows = open_rows[~_has(found[1], n)[open_rows] & ~_has(countries, n)[open_rows]]
    found.append(_site_findings(registry, out, open_rows, site_km))
    findings = _collapse_parents(registry, pd.concat(found, ignore_index=True))
    _write(out, registry, findings, explicit, already_tagged, overwrite)
    write_countries(out, countries, already_tagged)
    return _geometry_last(out)


def _searched_columns(frame: pd.DataFrame) -> tuple[str, ...]:
    titles = tuple(c for c in frame.columns if str(c).lower() in TITLE_COLUMNS)
    return (*SEARCHED_COLUMNS[:2], *titles, *SEARCHED_COLUMNS[2:])


def _filled(texts: np.ndarray) -> np.ndarray:
    return texts != ""


def _has(findings: pd.DataFrame, n: int) -> np.ndarray:
    mask = np.zeros(n, bool)
    mask[findings["record"].to_numpy(np.int64)] = True
    return mask


def _findings(record, entry, evidence, score) -> pd.DataFrame:
    return pd.DataFrame({"record": np.asarray(record, np.int64), "entry": np.asarray(entry, np.int64),
                         "evidence": evidence, "score": np.asarray(score, np.float64)},
                        columns=list(_FINDING_COLUMNS))


def _exact_findings(registry, texts, columns, explicit, already_tagged) -> pd.DataFrame:
    n = len(explicit)
    positions, entries = registry.matcher.find(np.concatenate([texts[c] for c in columns]).tolist())
    hits = pd.DataFrame({"record": positions % n, "tier": positions // n, "entry": entries})
    is_explicit = explicit[hits["record"].to_numpy()]
    # Only the owner's own name (tier 0) may complete an explicit record.
    hits = hits[~already_tagged[hits["record"].to_numpy()] & (~is_explicit | (hits["tier"] == 0))]
    hits = hits[hits["tier"] == hits.groupby("record")["tier"].transform("min")]
    hits = hits.drop_duplicates(["record", "entry"])
    is_explicit = explicit[hits["record"].to_numpy()]
    return _findings(hits["record"], hits["entry"], np.where(is_explicit, "explicit", "alias"),
                     np.where(is_explicit, SCORE_EXPLICIT, SCORE_ALIAS))


def _name_texts(texts: dict[str, np.ndarray], columns) -> dict[str, np.ndarray]:
    """The texts registry names are sought in. A name in the notes or source text of a
    record whose target (or title) says what was hit is usually a source ("Reuters said") or
    another strike ("the same night as the Flex strike"), not the site: those columns name
    owners only for records without a target (ACLED's notes are its only description)."""
    notes = columns.index("notes")
    described = np.zeros(len(texts[columns[0]]), bool)
    for column in columns[1:notes]:
        described |= _filled(texts[column])
    return {c: np.where(described, "", texts[c]) if i >= notes else texts[c] for i, c in enumerate(columns)}


def _fuzzy_findings(registry, texts, columns, rows, overwrite, threshold) -> pd.DataFrame:
    if threshold is None:
        return _findings([], [], "fuzzy", [])
    columns = columns if overwrite else columns[1:]
    positions, entries, ratios = registry.matcher.find_fuzzy(
        np.concatenate([texts[c][rows] for c in columns]).tolist(), threshold)
    low, high = FUZZY_SCORES
    scaled = low + (high - low) * ((ratios - threshold) / (100 - threshold) if threshold < 100 else 1.0)
    found = _findings(rows[positions % max(len(rows), 1)], entries, "fuzzy", scaled)
    return found.sort_values("score", ascending=False).drop_duplicates(["record", "entry"])


def _points(frame: pd.DataFrame, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude of ``rows`` (NaN where unknown), from geometry if present."""
    if "geometry" in frame:
        lon, lat = point_lonlat(frame["geometry"])
        return lat[rows], lon[rows]
    if {"latitude", "longitude"} <= set(frame.columns):
        lat = pd.to_numeric(frame["latitude"], errors="coerce").to_numpy(float)[rows]
        lon = pd.to_numeric(frame["longitude"], errors="coerce").to_numpy(float)[rows]
        return lat, lon
    return np.full(len(rows), np.nan), np.full(len(rows), np.nan)


def _site_findings(registry, frame, rows, site_km) -> pd.DataFrame:
    sites = [(s.lat, s.lon, i) for i, e in enumerate(registry.entries) for s in e.sites
             if s.lat is not None]
    if not sites or not len(rows) or site_km <= 0:
        return _findings([], [], "site_proximity", [])
    precision = pd.Series(stripped_texts(frame, "location_precision")[rows])
    rows = np.asarray(rows, dtype=np.int64)[precision.isin(("", *POINT_PRECISIONS)).to_numpy()]
    lat, lon = _points(frame, rows)
    usable = np.isfinite(lat) & np.isfinite(lon)
    rows, lat, lon = rows[usable], lat[usable], lon[usable]
    if not len(rows):
        return _findings([], [], "site_proximity", [])
    from scipy.spatial import cKDTree  # imported here: scipy.spatial costs ~0.5 s at import

    site_lat, site_lon, site_entry = (np.array(v) for v in zip(*sites))
    # A sphere pre-selects (chord radius with 1% slack for the ellipsoid), then the
    # WGS84 geodesic decides.
    near = cKDTree(unit_vectors(site_lat, site_lon)).query_ball_point(unit_vectors(lat, lon), search_chord(site_km))
    incident_at = np.repeat(np.arange(len(rows)), [len(p) for p in near])
    site_at = np.fromiter((s for p in near for s in p), dtype=np.int64, count=len(incident_at))
    _, _, metres = _GEOD.inv(lon[incident_at], lat[incident_at], site_lon[site_at], site_lat[site_at])
    km = np.asarray(metres, dtype=float) / 1000
    within = km <= site_km
    low, high = SITE_SCORES
    found = _findings(rows[incident_at[within]], site_entry[site_at[within]], "site_proximity",
                      high - (high - low) * km[within] / site_km)
    return found.sort_values("score", ascending=False).drop_duplicates(["record", "entry"])


def _collapse_parents(registry: OwnershipRegistry, findings: pd.DataFrame) -> pd.DataFrame:
    """Drop a candidate whose own subsidiary is also a candidate of the same record."""
    multi = findings["record"].duplicated(keep=False).to_numpy()
    if not multi.any():
        return findings
    parent_of = {}
    for index, entry in enumerate(registry.entries):
        parent = registry.matcher.index_of_key(alias_key(entry.parent_company)) if entry.parent_company else None
        if parent is not None and parent != index:
            parent_of[index] = parent
    drop = set()
    for record, group in findings[multi].groupby("record"):
        entries = set(group["entry"].tolist())
        drop |= {(record, parent_of[e]) for e in entries if parent_of.get(e) in entries}
    if not drop:
        return findings
    pairs = list(zip(findings["record"].tolist(), findings["entry"].tolist()))
    return findings[[pair not in drop for pair in pairs]]


def _write(out, registry, findings, explicit, already_tagged, overwrite) -> None:
    n = len(out)
    entries = registry.entries
    findings = findings.assign(company=[entries[e].company for e in findings["entry"]])
    findings = findings.sort_values(["record", "score", "company"], ascending=[True, False, True])
    records = findings["record"].to_numpy()
    counts = np.bincount(records, minlength=n)
    # Per record with findings only (best first): most records of a large frame have none.
    picked: dict[int, list[int]] = {}
    named: dict[int, list[str]] = {}
    for record, entry, company in zip(records.tolist(), findings["entry"].tolist(), findings["company"].tolist()):
        picked.setdefault(record, []).append(entry)
        named.setdefault(record, []).append(company)
    candidates = np.full(n, None, dtype=object)
    for record, companies in named.items():
        candidates[record] = LIST_SEPARATOR.join(companies) or None

    # One candidate names the owner; several leave it open (explicit records keep theirs).
    first = ~findings["record"].duplicated().to_numpy()
    chosen = np.full(n, -1)
    best_score = np.full(n, np.nan)
    evidence = np.full(n, None, dtype=object)
    single = first & (counts[records] == 1)
    chosen[records[single]] = findings["entry"].to_numpy()[single]
    best_score[records[single]] = findings["score"].to_numpy()[single]
    evidence[records[first]] = findings["evidence"].to_numpy()[first]
    evidence[(counts > 1) & ~explicit] = "ambiguous"
    evidence[explicit] = "explicit"
    best_score[explicit] = SCORE_EXPLICIT
    best_score[(counts > 1) & ~explicit] = np.nan

    attributes = {
        "owner_company": [e.company for e in entries], "owner_country": [e.owner_country for e in entries],
        "sector": [e.sector for e in entries], "ownership_kind": [e.kind for e in entries],
    }
    tagged = chosen >= 0
    new = {}
    for column, per_entry in attributes.items():
        given = stripped_texts(out, column) if not overwrite and column != "ownership_kind" else np.full(n, "", dtype=object)
        fill = tagged & (given == "")
        given[fill] = np.array(per_entry, dtype=object)[chosen[fill]]
        new[column] = pd.Series(np.where(given == "", None, given), index=out.index, dtype="str")
    country = new["owner_country"].fillna("")
    codes, uniques = pd.factorize(country, sort=False)  # no missing values: filled with ""
    domestic = np.array([_DOMESTIC.fullmatch(c) is not None for c in uniques], dtype=bool)[codes]
    foreign = pd.array(~domestic, dtype="boolean")
    # A mission or an international organisation is foreign-operated even with no country (EU, UN).
    international = new["ownership_kind"].isin(["diplomatic_mission", "international_organisation"]).to_numpy()
    foreign[((country == "") & ~international).to_numpy()] = pd.NA
    # Several candidates: foreign when every one of them is (Auchan, Decathlon, Leroy Merlin),
    # with their country when they share one; never when a domestic one is among them.
    several = (counts > 1) & ~explicit
    for record in np.flatnonzero(several).tolist():
        countries_of = {entries[e].owner_country for e in picked[record]}
        if countries_of and "UA" not in countries_of and "" not in countries_of:
            foreign[record] = True
            if len(countries_of) == 1 and not new["owner_country"].iloc[record]:
                new["owner_country"].iloc[record] = countries_of.pop()
    if "foreign_owned" in out and not overwrite:
        given = out["foreign_owned"].astype("boolean").array
        foreign = pd.array(np.where(pd.isna(given), foreign, given), dtype="boolean")
    new["foreign_owned"] = pd.Series(foreign, index=out.index)
    new["ownership_evidence"] = pd.Series(evidence, index=out.index, dtype="str")
    new["ownership_score"] = pd.Series(pd.array(np.round(best_score), dtype="Float64"), index=out.index
                                       ).astype("Int64")
    new["ownership_candidates"] = pd.Series(candidates, index=out.index, dtype="str")
    reasons = np.full(n, None, dtype=object)
    for record in np.flatnonzero(pd.notna(evidence)).tolist():
        company = entries[chosen[record]].company if chosen[record] >= 0 else ""
        reasons[record] = _REASONS[evidence[record]].format(company=company, candidates=candidates[record] or "")
    new["ownership_reason"] = pd.Series(reasons, index=out.index, dtype="str")
    keep = pd.Series(already_tagged, index=out.index)
    for column in (*OWNER_COLUMNS, *TAG_COLUMNS):
        values = new[column]
        out[column] = values.where(~keep, out[column]) if keep.any() and column in out else values


_REASONS = {"explicit": "owner named in the record", "alias": "the text names {company}",
            "fuzzy": "a near spelling of {company} in the text",
            "site_proximity": "the point lies at a registered site of {company}",
            "ambiguous": "several owners fit: {candidates}"}
def _geometry_last(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep the frame convention: user columns, then the geometry column last."""
    name = getattr(frame, "_geometry_column_name", None)
    if name is None or name not in frame.columns or frame.columns[-1] == name:
        return frame
    return frame[[c for c in frame.columns if c != name] + [name]]
