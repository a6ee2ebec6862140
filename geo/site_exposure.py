"""(The module is ``geo.site_exposure`` so that ``geo.exposure`` can be the function.)

The denominator: how many registered foreign sites are there per region, and how many were hit?

A share of *incidents* on foreign-owned sites says nothing about whether foreign sites are
hit more than chance: that needs the sites that were *not* hit too. The ownership registry
(:class:`incidents.OwnershipRegistry`) lists known sites of foreign companies; this module
places them, matches them with incidents and counts per oblast or macro-region.

* **Registered foreign sites**: the sites of registry entries whose ``owner_country`` is
  set and not ``UA``, leaving out ``kind == "vessel_flag"`` (a flag state owns no site).
  One site per (entry, site), so two companies in Kyiv are two sites.
* **Placed**: from the registry's coordinates (``placed_by == "coordinates"``), else the
  settlement + oblast found by the offline gazetteer at settlement precision, in the stated
  oblast (``"gazetteer"``: the settlement's centre, not the plant). Anything else is
  ``unplaced``: counted, never dropped, and left out of the shares.
* **Hit**: an incident within ``km`` km (geodesic, WGS84) of the site whose own location is
  a point (``location_precision`` "exact" or not stated; an incident put at a settlement
  centre says nothing about which plant was hit), or an incident tagged to the site's owner
  (``owner_company`` names the entry) in the site's settlement (place or geocoded name) and
  oblast.

The registry is a sample of sites that public reporting named, not a census of foreign
investment: shares are of registered sites only.

Example:
    >>> import geo, incidents
    >>> table = geo.exposure(incidents.sample(), by="macro_region")     # doctest: +SKIP
    >>> table.columns.tolist()                                           # doctest: +SKIP
    ['macro_region', 'sites', 'placed', 'unplaced', 'by_coordinates', 'by_gazetteer', 'hit', 'share_hit']
"""

from __future__ import annotations

import functools
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geo.names import SchemeLike
from incidents.oblasts import UnknownOblastError, oblast
from incidents.ownership.matching import alias_key, stripped_texts
from incidents.ownership.registry import OwnershipRegistry
from incidents.sphere import point_lonlat, search_chord, unit_vectors

__all__ = ["foreign_sites", "exposure_sites", "exposure", "exposure_timeline", "DEFAULT_KM", "PERIODS"]

DEFAULT_KM = 1.0
#: Period names accepted by ``period=`` (and their pandas-style aliases).
PERIODS = {"year": "year", "y": "year", "a": "year", "half": "half", "h": "half", "6m": "half",
           "quarter": "quarter", "q": "quarter", "month": "month", "m": "month"}
#: Incident precisions whose point stands for the place hit (plus unknown), as in the tagger.
POINT_PRECISIONS = ("exact",)
SITE_COLUMNS = ("company", "owner_country", "sector", "kind", "settlement", "site_oblast", "lat", "lon")
_GEOD = pyproj.Geod(ellps="WGS84")


def foreign_sites(registry: OwnershipRegistry | None = None) -> pd.DataFrame:
    """Registered foreign sites, one row per (entry, site), columns :data:`SITE_COLUMNS` plus
    ``entry`` (position in ``registry.entries``). ``attrs["entries_without_sites"]`` counts
    foreign entries that list no site (they cannot enter the denominator)."""
    registry = registry if registry is not None else OwnershipRegistry.shipped()
    rows, bare = [], 0
    for index, entry in enumerate(registry.entries):
        if entry.owner_country in ("", "UA") or entry.kind == "vessel_flag":
            continue
        bare += not entry.sites
        for site in entry.sites:
            rows.append((index, entry.company, entry.owner_country, entry.sector, entry.kind,
                         site.settlement, site.oblast,
                         np.nan if site.lat is None else site.lat, np.nan if site.lon is None else site.lon))
    frame = pd.DataFrame(rows, columns=["entry", *SITE_COLUMNS])
    frame[["lat", "lon"]] = frame[["lat", "lon"]].astype(float)
    frame.attrs["entries_without_sites"] = bare
    return frame


@functools.lru_cache(maxsize=8)
def _placed(registry: OwnershipRegistry) -> gpd.GeoDataFrame:
    """Foreign sites placed (see module docstring), cached per registry."""
    from geo.geocoding import geocode

    sites = foreign_sites(registry)
    has_xy = sites["lat"].notna().to_numpy() & sites["lon"].notna().to_numpy()
    lat, lon = sites["lat"].to_numpy(float).copy(), sites["lon"].to_numpy(float).copy()
    placed_by = np.where(has_xy, "coordinates", None).astype(object)
    gazetteer_name = np.full(len(sites), None, dtype=object)
    todo = np.flatnonzero(~has_xy & (sites["settlement"].str.strip() != "").to_numpy())
    if len(todo):
        found = geocode(pd.DataFrame({"place": sites["settlement"].to_numpy()[todo],
                                      "oblast": sites["site_oblast"].to_numpy()[todo]}))
        stated = sites["site_oblast"].to_numpy(object)[todo]
        ok = ((found["location_precision"].to_numpy(object) == "settlement")
              & found["latitude"].notna().to_numpy()
              & ((stated == "") | (found["geocoded_oblast"].to_numpy(object) == stated)))
        rows = todo[ok]
        lat[rows], lon[rows] = found["latitude"].to_numpy(float)[ok], found["longitude"].to_numpy(float)[ok]
        placed_by[rows] = "gazetteer"
        gazetteer_name[rows] = found["geocoded_name"].to_numpy(object)[ok]
    located = placed_by != None  # noqa: E711 - elementwise on an object array
    geometry = np.where(located, shapely.points(np.where(located, lon, 0.0), np.where(located, lat, 0.0)), None)
    out = gpd.GeoDataFrame(sites.assign(lat=np.where(located, lat, np.nan), lon=np.where(located, lon, np.nan),
                                        placed_by=placed_by, gazetteer_name=gazetteer_name,
                                        oblast=sites["site_oblast"].replace("", None),
                                        geocoded_oblast=np.where(placed_by == "gazetteer", sites["site_oblast"], None)),
                           geometry=gpd.GeoSeries(geometry, crs="EPSG:4326"), crs="EPSG:4326")
    out.attrs = dict(sites.attrs)
    return out


def exposure_sites(gdf: gpd.GeoDataFrame, registry: OwnershipRegistry | None = None, km: float = DEFAULT_KM,
                   scheme: SchemeLike = "macro") -> gpd.GeoDataFrame:
    """One row per registered foreign site: the site (company, owner_country, sector,
    settlement, site_oblast, placed_by, geometry), its region (oblast, oblast_name,
    macro_region of ``scheme``) and how it was hit by the incidents of ``gdf``: ``hit``
    (bool; an unplaced site can be hit only through its owner), ``hits`` (incidents),
    ``hit_by`` ("distance", "owner" or "distance+owner"), ``first_hit`` / ``last_hit`` (dates).
    """
    return _site_hits(gdf, registry, km, scheme)[0]


def _site_hits(gdf, registry, km, scheme) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """:func:`exposure_sites` and the (site, incident row, via, date) pairs behind it."""
    from geo.regions import assign_regions

    if not km >= 0 or not math.isfinite(km):
        raise ValueError(f"km must be a distance in km (>= 0), not {km}")
    registry = registry if registry is not None else OwnershipRegistry.shipped()
    sites = assign_regions(_placed(registry).copy(), scheme)
    placed = sites["placed_by"].notna().to_numpy()
    dates = _dates(gdf)
    lon, lat = _lonlat(gdf)
    distance, usable = _distance_pairs(gdf, lon, lat, sites, placed, km)
    owner = _owner_pairs(gdf, registry, sites, placed)
    pairs = pd.concat([distance.assign(via=1), owner.assign(via=2)], ignore_index=True)
    pairs = pairs.groupby(["site", "incident"], as_index=False)["via"].sum()  # 3 = both
    pairs["date"] = dates[pairs["incident"].to_numpy(np.int64)] if len(pairs) else pd.Series(dtype="datetime64[ns]")
    by_site = pairs.groupby("site")
    n = len(sites)
    hits = by_site.size().reindex(range(n), fill_value=0).to_numpy()
    flags = pairs.assign(d=(pairs["via"] & 1) > 0, o=(pairs["via"] & 2) > 0).groupby("site")[["d", "o"]].any()
    flags = flags.reindex(range(n), fill_value=False)
    via = pd.Series(flags["d"].to_numpy(int) + 2 * flags["o"].to_numpy(int))
    sites["hit"] = hits > 0
    sites["hits"] = hits
    sites["hit_by"] = via.map({0: None, 1: "distance", 2: "owner", 3: "distance+owner"}).to_numpy(object)
    sites["first_hit"] = by_site["date"].min().reindex(range(n)).to_numpy()
    sites["last_hit"] = by_site["date"].max().reindex(range(n)).to_numpy()
    sites = sites[[c for c in sites.columns if c != "geometry"] + ["geometry"]]
    known = dates[~np.isnat(dates)]
    span = (known.min(), known.max()) if len(known) else None
    sites.attrs.update(km=km, date_span=span, incidents=len(gdf), incidents_located=int(np.isfinite(lon).sum()),
                       incidents_point_precision=usable)
    return sites, pairs


def exposure(gdf: gpd.GeoDataFrame, registry: OwnershipRegistry | None = None, km: float = DEFAULT_KM,
             scheme: SchemeLike = "macro",
             by: str = "macro_region", period: str | None = None) -> pd.DataFrame:
    """Registered foreign sites per ``by`` ("macro_region" or "oblast") and how many were hit.

    Without ``period``: one row per group with ``sites`` (registered foreign sites),
    ``placed`` (of which ``by_coordinates`` and ``by_gazetteer``), ``unplaced``, ``hit``
    (placed sites hit) and ``share_hit`` (hit / placed; NaN when nothing is placed).
    With ``period`` ("year", "half", "quarter" or "month"): one row per group and period
    (every period from the first to the last dated hit) with ``placed``, ``hit`` (sites hit
    by an incident dated in that period) and ``share_hit``. Sites in no group are "unknown".
    See the module docstring for what counts; ``attrs`` holds ``km``,
    ``entries_without_sites``, ``incidents_located`` (with a point), ``incidents_point_precision``
    (of which exact or unstated precision: the ones matched by distance) and ``note``.
    """
    if by not in ("macro_region", "oblast"):
        raise ValueError(f"by must be 'macro_region' or 'oblast', not {by!r}")
    sites, pairs = _site_hits(gdf, registry, km, scheme)
    keys = [by] if by == "macro_region" else ["oblast", "oblast_name"]
    labels = sites[keys].astype(object).where(sites[keys].notna(), "unknown")
    placed = sites["placed_by"].notna()
    frame = pd.DataFrame({**{k: labels[k].to_numpy() for k in keys}, "sites": 1, "placed": placed.to_numpy(int),
                          "by_coordinates": (sites["placed_by"] == "coordinates").to_numpy(int),
                          "by_gazetteer": (sites["placed_by"] == "gazetteer").to_numpy(int),
                          "hit": (sites["hit"] & placed).to_numpy(int)})
    table = frame.groupby(keys, sort=True, as_index=False).sum()
    table.insert(table.columns.get_loc("by_coordinates"), "unplaced", table["sites"] - table["placed"])
    if period is not None:
        table = _timeline(sites, pairs, labels, keys, table, period)
    table["share_hit"] = (table["hit"] / table["placed"].where(table["placed"] > 0)).astype(float)
    table.attrs.update(km=km, entries_without_sites=sites.attrs.get("entries_without_sites", 0),
                       incidents_located=sites.attrs["incidents_located"],
                       incidents_point_precision=sites.attrs["incidents_point_precision"], note=NOTE)
    return table


def exposure_timeline(gdf: gpd.GeoDataFrame, registry: OwnershipRegistry | None = None, km: float = DEFAULT_KM,
                      scheme: SchemeLike = "macro",
                      by: str = "macro_region", period: str = "half") -> pd.DataFrame:
    """:func:`exposure` per ``period`` (default half-years): sites hit in each period."""
    return exposure(gdf, registry, km, scheme, by, period=period)


NOTE = ("The registry is a sample of sites named in public reporting, not a census of foreign "
        "investment: shares are of registered sites only.")


# ---- matching ------------------------------------------------------------------------------

def _lonlat(gdf) -> tuple[np.ndarray, np.ndarray]:
    """Incident lon/lat in degrees, NaN where unlocated (a frame without geometry has none)."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        return np.full(len(gdf), np.nan), np.full(len(gdf), np.nan)
    return point_lonlat(gdf)


def _dates(gdf) -> np.ndarray:
    """Incident dates as naive datetime64 (NaT where unknown)."""
    if "date" not in gdf:
        return np.full(len(gdf), np.datetime64("NaT"), dtype="datetime64[ns]")
    dates = pd.to_datetime(gdf["date"], errors="coerce")
    if dates.dt.tz is not None:
        dates = dates.dt.tz_localize(None)
    return dates.to_numpy("datetime64[ns]")


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame({"site": np.empty(0, np.int64), "incident": np.empty(0, np.int64)})


def _distance_pairs(gdf, lon, lat, sites, placed, km) -> tuple[pd.DataFrame, int]:
    """(site, incident) pairs within ``km`` km, geodesic, and how many incidents could take
    part (coordinates with point precision); ``lon``, ``lat``: the incidents' (:func:`_lonlat`)."""
    precision = stripped_texts(gdf, "location_precision")
    usable = np.flatnonzero(np.isfinite(lon) & np.isin(precision, ("", *POINT_PRECISIONS)))
    site_rows = np.flatnonzero(placed)
    if not len(usable) or not len(site_rows) or km <= 0:
        return _empty_pairs(), len(usable)
    from scipy.spatial import cKDTree  # scipy.spatial costs ~0.5 s at import

    lon, lat = lon[usable], lat[usable]
    s_lat, s_lon = sites["lat"].to_numpy(float)[site_rows], sites["lon"].to_numpy(float)[site_rows]
    # The sphere pre-selects (chord with 1% slack for the ellipsoid); the WGS84 geodesic decides.
    near = cKDTree(unit_vectors(lat, lon)).query_ball_point(unit_vectors(s_lat, s_lon), search_chord(km))
    counts = np.fromiter((len(p) for p in near), np.int64, len(near))
    site_at = np.repeat(np.arange(len(site_rows)), counts)
    inc_at = np.fromiter((i for p in near for i in p), np.int64, int(counts.sum()))
    _, _, metres = _GEOD.inv(lon[inc_at], lat[inc_at], s_lon[site_at], s_lat[site_at])
    within = np.asarray(metres, float) <= km * 1000
    return pd.DataFrame({"site": site_rows[site_at[within]], "incident": usable[inc_at[within]]}), len(usable)


def _owner_pairs(gdf, registry, sites, placed) -> pd.DataFrame:
    """(site, incident) pairs where the incident is tagged to the site's owner in its settlement/oblast."""
    owners = stripped_texts(gdf, "owner_company")
    rows = np.flatnonzero(owners != "")
    if not len(rows):
        return _empty_pairs()
    names = pd.unique(owners[rows])
    lookup = {}
    for name in names:
        entry = registry.entry_for(name)
        lookup[name] = registry.entries.index(entry) if entry is not None else -1
    entry_of = np.array([lookup[o] for o in owners[rows]], np.int64)
    keep = entry_of >= 0
    rows, entry_of = rows[keep], entry_of[keep]
    places = [stripped_texts(gdf, c)[rows] for c in ("place", "geocoded_name")]
    incidents = pd.DataFrame({"incident": np.concatenate([rows, rows]), "entry": np.concatenate([entry_of, entry_of]),
                              "key": _keys(np.concatenate(places)),
                              "inc_oblast": np.tile(_oblast_codes(stripped_texts(gdf, "oblast")[rows]), 2)})
    site_keys = pd.DataFrame({"site": np.tile(np.arange(len(sites)), 2),
                              "entry": np.tile(sites["entry"].to_numpy(np.int64), 2),
                              "key": _keys(np.concatenate([sites["settlement"].to_numpy(object),
                                                           sites["gazetteer_name"].fillna("").to_numpy(object)])),
                              "site_oblast": np.tile(sites["site_oblast"].to_numpy(object), 2)})
    # Same owner and settlement; the oblasts agree where both are known.
    settled = site_keys[site_keys["key"] != ""].merge(incidents[incidents["key"] != ""], on=["entry", "key"])
    settled = settled[(settled["inc_oblast"] == "") | (settled["site_oblast"] == "")
                      | (settled["inc_oblast"] == settled["site_oblast"])]
    # A site given by its oblast alone: an incident of that owner stated in that oblast.
    bare = site_keys.iloc[: len(sites)][(sites["settlement"].str.strip() == "").to_numpy()
                                        & (sites["site_oblast"] != "").to_numpy()]
    by_oblast = bare.drop(columns="key").merge(incidents.drop(columns="key").drop_duplicates(), on="entry")
    by_oblast = by_oblast[by_oblast["inc_oblast"] == by_oblast["site_oblast"]]
    both = pd.concat([settled[["site", "incident"]], by_oblast[["site", "incident"]]], ignore_index=True)
    return both.drop_duplicates().astype(np.int64)


def _keys(texts: np.ndarray) -> np.ndarray:
    codes, unique = pd.factorize(texts.astype(str))  # hashing, not sorting, a million names
    return np.array([alias_key(t) if t else "" for t in unique], dtype=object)[codes]


def _oblast_codes(texts: np.ndarray) -> np.ndarray:
    codes, unique = pd.factorize(texts.astype(str))  # hashing, not sorting, a million names
    out = []
    for text in unique:
        try:
            out.append(oblast(text).iso if text else "")
        except UnknownOblastError:
            out.append("")
    return np.array(out, dtype=object)[codes]


# ---- periods -------------------------------------------------------------------------------

def _period_starts(dates: pd.Series, kind: str) -> pd.Series:
    if kind == "half":
        return pd.to_datetime({"year": dates.dt.year, "month": np.where(dates.dt.month <= 6, 1, 7), "day": 1})
    return dates.dt.to_period({"year": "Y", "quarter": "Q", "month": "M"}[kind]).dt.to_timestamp()


def _period_label(start: pd.Timestamp, kind: str) -> str:
    return {"year": f"{start.year}", "half": f"{start.year}-H{1 if start.month <= 6 else 2}",
            "quarter": f"{start.year}-Q{(start.month - 1) // 3 + 1}", "month": start.strftime("%Y-%m")}[kind]


def _timeline(sites, pairs, labels, keys, totals, period) -> pd.DataFrame:
    kind = PERIODS.get(str(period).strip().lower())
    if kind is None:
        raise ValueError(f"period must be one of year, half, quarter, month, not {period!r}")
    placed = sites["placed_by"].notna().to_numpy()
    pairs = pairs[placed[pairs["site"].to_numpy(np.int64)] & pairs["date"].notna().to_numpy()]
    columns = [*keys, "period", "period_start", "placed", "hit"]
    span = sites.attrs.get("date_span")
    if span is None:
        return pd.DataFrame(columns=columns).astype({"placed": "int64", "hit": "int64"})
    starts = _period_starts(pd.Series(pd.to_datetime(pairs["date"].to_numpy()), dtype="datetime64[ns]"), kind)
    first, last = (_period_starts(pd.Series(pd.to_datetime(list(span))), kind))
    full = _period_starts(pd.Series(pd.date_range(first, last, freq="MS")), kind).drop_duplicates()
    hit = pd.DataFrame({**{k: labels[k].to_numpy()[pairs["site"].to_numpy(np.int64)] for k in keys},
                        "period_start": starts.to_numpy(), "site": pairs["site"].to_numpy()})
    hit = hit.drop_duplicates().groupby([*keys, "period_start"]).size().rename("hit")
    grid = totals[[*keys, "placed"]].merge(pd.DataFrame({"period_start": full.to_numpy()}), how="cross")
    grid = grid.merge(hit.reset_index(), on=[*keys, "period_start"], how="left")
    grid["hit"] = grid["hit"].fillna(0).astype("int64")
    grid["period"] = [_period_label(pd.Timestamp(s), kind) for s in grid["period_start"]]
    return grid[columns].sort_values([*keys, "period_start"], ignore_index=True)
