"""Satellite fire detections (NASA FIRMS) set against incidents.

* :func:`corroborate`: for each incident, the detections within ``km`` and a time window
  after it: how many, the nearest, the first, the strongest (fire radiative power).
* :func:`unreported_fires`: clusters of detections at registered sites with no recorded
  incident nearby: leads for a person to review, never incidents by themselves (a fire
  at a plant may be an accident, a field burn next door, or a flare).

Both are vectorised: a k-d tree of points on the unit sphere finds candidate pairs within a
chord slightly longer than the radius, the WGS84 geodesic then decides, and time windows
are numpy comparisons. Both split into a *partial* summary per block of detections and a
*merge* of those summaries (sums, minima, maxima), so the Dask path (:mod:`geo.on_dask`)
runs the very same code on each partition.

Example:
    >>> import geopandas as gpd, pandas as pd, shapely
    >>> strikes = gpd.GeoDataFrame({"id": ["a"], "date": [pd.Timestamp("2025-08-21")]},
    ...                            geometry=[shapely.Point(22.72, 48.44)], crs=4326)
    >>> fires = gpd.GeoDataFrame({"detected_at": [pd.Timestamp("2025-08-21 11:42")], "frp": [12.5]},
    ...                          geometry=[shapely.Point(22.73, 48.44)], crs=4326)   # synthetic
    >>> found = corroborate(strikes, fires)
    >>> int(found.loc[0, "fire_detections"]), float(found.loc[0, "fire_max_frp"])
    (1, 12.5)
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod

from incidents import OwnershipRegistry
from incidents.sphere import point_lonlat, search_chord, unit_vectors

#: What names the sites: a registry, a frame with geometry or lat/lon, or a file of either.
Sites = OwnershipRegistry | pd.DataFrame | str | Path

__all__ = ["corroborate", "unreported_fires", "CORROBORATION_COLUMNS"]

_GEOD = Geod(ellps="WGS84")
CORROBORATION_COLUMNS = ("fire_detections", "fire_nearest_km", "fire_first_seen", "fire_max_frp")
#: FIRMS type 2, "other static land source": steady industrial heat (steel works, flares).
STATIC_SOURCE = 2


# ---- shared geometry ---------------------------------------------------------------------

def _pairs_within(lon_a, lat_a, lon_b, lat_b, km: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (i in a, j in b, geodesic km) with km <= ``km``; rows with NaN never pair."""
    from scipy.spatial import cKDTree  # scipy.spatial costs ~0.5 s to import: only when used

    ok_a, ok_b = np.flatnonzero(np.isfinite(lon_a) & np.isfinite(lat_a)), np.flatnonzero(np.isfinite(lon_b) & np.isfinite(lat_b))
    empty = np.empty(0, dtype=np.int64)
    if not len(ok_a) or not len(ok_b):
        return empty, empty, np.empty(0)
    tree_a = cKDTree(unit_vectors(lat_a[ok_a], lon_a[ok_a]))
    tree_b = cKDTree(unit_vectors(lat_b[ok_b], lon_b[ok_b]))
    found = tree_a.sparse_distance_matrix(tree_b, search_chord(km), output_type="ndarray")
    i, j = ok_a[found["i"]], ok_b[found["j"]]
    _, _, metres = _GEOD.inv(lon_a[i], lat_a[i], lon_b[j], lat_b[j])
    distance = np.asarray(metres, dtype=float) / 1000
    keep = distance <= km
    return i[keep], j[keep], distance[keep]


def _times(values) -> np.ndarray:
    """datetime64[us] values (NaT where missing), whatever the column's unit."""
    return pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[us]")


def _check_distance(km: float, name: str = "km") -> None:
    if not km > 0:  # also refuses NaN
        raise ValueError(f"{name} must be a distance in km greater than 0, not {km}")


def _is_detections(frame) -> None:
    if "detected_at" not in frame.columns or "frp" not in frame.columns:
        raise ValueError("detections must be a FIRMS detections frame (incidents.load of a FIRMS file): "
                         "it has no detected_at/frp columns")


# ---- corroborate ------------------------------------------------------------------------

def windows(gdf, hours: float) -> pd.DataFrame:
    """Per incident: lon, lat and the window ``[date, (date_end or date) + hours]`` in which a
    detection counts (NaN/NaT where the incident has no point or no date)."""
    if not hours >= 0:
        raise ValueError(f"hours must be 0 or more, not {hours}")
    lon, lat = point_lonlat(gdf)
    start = _times(gdf["date"]) if "date" in gdf else np.full(len(gdf), np.datetime64("NaT"), "datetime64[us]")
    end = _times(gdf["date_end"]) if "date_end" in gdf else start.copy()
    end = np.where(np.isnat(end), start, end) + np.timedelta64(int(round(hours * 3600)), "s")
    return pd.DataFrame({"lon": lon, "lat": lat, "start": start, "end": end.astype("datetime64[us]")})


def partial_corroboration(incident_windows: pd.DataFrame, detections, km: float) -> pd.DataFrame:
    """What one block of detections says about each incident: count, nearest km, first
    time and largest FRP of the detections within ``km`` and inside the window. Blocks
    combine with :func:`merge_corroboration`."""
    lon, lat = point_lonlat(detections)
    i, j, distance = _pairs_within(incident_windows["lon"].to_numpy(), incident_windows["lat"].to_numpy(),
                                   lon, lat, km)
    seen = _times(detections["detected_at"])[j]
    start, end = incident_windows["start"].to_numpy()[i], incident_windows["end"].to_numpy()[i]
    inside = (seen >= start) & (seen <= end)
    pairs = pd.DataFrame({"incident": i[inside], "km": distance[inside], "seen": seen[inside],
                          "frp": pd.to_numeric(detections["frp"], errors="coerce").to_numpy(float)[j[inside]]})
    summary = pairs.groupby("incident").agg(count=("km", "size"), nearest_km=("km", "min"),
                                            first_seen=("seen", "min"), max_frp=("frp", "max"))
    return summary.reindex(pd.RangeIndex(len(incident_windows), name="incident"))


def merge_corroboration(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """One summary from several blocks' summaries (sum of counts, min, min, max)."""
    stacked = pd.concat(parts)
    grouped = stacked.groupby(level=0)
    return pd.DataFrame({"count": grouped["count"].sum(min_count=1), "nearest_km": grouped["nearest_km"].min(),
                         "first_seen": grouped["first_seen"].min(), "max_frp": grouped["max_frp"].max()})


def with_corroboration(gdf, incident_windows: pd.DataFrame, summary: pd.DataFrame) -> gpd.GeoDataFrame:
    """``gdf`` with the corroboration columns: ``fire_detections`` is 0 for an incident that
    was checked and had none, <NA> for one that could not be checked (no point or date)."""
    checkable = (np.isfinite(incident_windows["lon"]) & incident_windows["start"].notna()).to_numpy()
    count = summary["count"].to_numpy(dtype=float)
    out = gdf.copy()
    out["fire_detections"] = pd.array(np.where(checkable, np.nan_to_num(count), np.nan), dtype="Int64")
    out["fire_nearest_km"] = summary["nearest_km"].to_numpy(dtype=float)
    out["fire_first_seen"] = summary["first_seen"].to_numpy().astype("datetime64[us]")
    out["fire_max_frp"] = summary["max_frp"].to_numpy(dtype=float)
    geometry = out.geometry.name
    return out[[c for c in out.columns if c != geometry] + [geometry]]


def corroborate(gdf: gpd.GeoDataFrame, detections: gpd.GeoDataFrame, km: float = 2.0,
                hours: float = 48.0) -> gpd.GeoDataFrame:
    """Incidents with what satellites saw around them: detections within ``km`` (geodesic)
    of the incident, detected from its ``date`` to ``hours`` after its ``date_end`` (or
    ``date``). An incident dated to the day starts at midnight UTC, so ``hours=48`` covers
    that day and the next.

    Adds ``fire_detections`` (count; <NA> where the incident has no point or no date),
    ``fire_nearest_km``, ``fire_first_seen`` (UTC) and ``fire_max_frp`` (MW), empty where no
    detection counts. A detection corroborates; its absence proves nothing (clouds, the
    overpass schedule, small or short fires). Detections are any FIRMS frame from
    :func:`incidents.load`; a Dask frame for either argument goes through :mod:`geo.on_dask`.
    """
    _check_distance(km)
    _is_detections(detections)
    incident_windows = windows(gdf, hours)
    return with_corroboration(gdf, incident_windows, partial_corroboration(incident_windows, detections, km))


# ---- unreported fires -------------------------------------------------------------------

SITE_COLUMNS = ("site", "company", "owner_country", "sector", "settlement", "oblast")


def registered_sites(sites: Sites | None = None) -> gpd.GeoDataFrame:
    """Sites as points with :data:`SITE_COLUMNS` (missing ones empty): an
    :class:`~incidents.OwnershipRegistry` (default: the shipped one), a (Geo)DataFrame with
    geometry or ``lat``/``lon`` columns, or a path to a file either kind of frame can be
    read from (CSV with lat/lon, GeoJSON, GeoPackage...).

    Only a registry site with its own coordinates is a site here: a settlement's centre is
    not the plant, and 1 km around it says nothing. The shipped registry names settlements
    only, so give plant coordinates (a registry with lat/lon, or a file) for this check;
    ``attrs["sites_without_coordinates"]`` counts the registry sites left out."""
    left_out = 0
    if sites is None or isinstance(sites, OwnershipRegistry):
        registry = sites if sites is not None else OwnershipRegistry.shipped()
        every = [(e, s) for e in registry.entries for s in e.sites]
        rows = [(f"{e.company}, {s.settlement}", e.company, e.owner_country, e.sector, s.settlement, s.oblast, s.lon, s.lat)
                for e, s in every if s.lat is not None and s.lon is not None]
        left_out = len(every) - len(rows)
        frame = pd.DataFrame(rows, columns=[*SITE_COLUMNS, "lon", "lat"])
    elif isinstance(sites, (str, Path)):
        path = Path(sites)
        frame = pd.read_csv(path) if path.suffix.lower() == ".csv" else gpd.read_file(path)
    else:
        frame = sites
    if not isinstance(frame, gpd.GeoDataFrame):
        columns = {str(c).lower(): c for c in frame.columns}
        lat, lon = columns.get("lat", columns.get("latitude")), columns.get("lon", columns.get("longitude"))
        if lat is None or lon is None:
            raise ValueError("sites need a geometry or lat/lon (latitude/longitude) columns")
        frame = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame[lon], frame[lat]), crs="EPSG:4326")
    out = frame.to_crs("EPSG:4326") if frame.crs is not None else frame.set_crs("EPSG:4326")
    out = out.reset_index(drop=True)
    if "site" not in out:
        out["site"] = out["company"] if "company" in out else [f"site {i + 1}" for i in range(len(out))]
    for column in SITE_COLUMNS:
        if column not in out:
            out[column] = None
    out = out[[*SITE_COLUMNS, out.geometry.name]]
    out.attrs["sites_without_coordinates"] = left_out
    return out


def detections_at_sites(detections, sites: gpd.GeoDataFrame, km: float, include_static: bool = False) -> pd.DataFrame:
    """(site, detected_at, frp, km) of each detection within ``km`` of a site: the only
    detections :func:`unreported_fires` looks at, so blocks of detections reduce to this."""
    lon, lat = point_lonlat(detections)
    site_lon, site_lat = point_lonlat(sites)
    s, j, distance = _pairs_within(site_lon, site_lat, lon, lat, km)
    if not include_static and "type" in detections:
        static = pd.to_numeric(detections["type"], errors="coerce").to_numpy(float)[j] == STATIC_SOURCE
        s, j, distance = s[~static], j[~static], distance[~static]
    return pd.DataFrame({"site": s, "detected_at": _times(detections["detected_at"])[j],
                         "frp": pd.to_numeric(detections["frp"], errors="coerce").to_numpy(float)[j], "km": distance})


def clusters_without_incidents(at_sites: pd.DataFrame, sites: gpd.GeoDataFrame, gdf, km: float, days: float
                               ) -> gpd.GeoDataFrame:
    """Clusters of ``at_sites`` (per site, detections less than ``days`` apart) with no
    incident within ``km`` of the site dated from ``days`` before the cluster to its end."""
    gap = np.timedelta64(int(round(days * 86400)), "s")
    hits = at_sites.sort_values(["site", "detected_at"], kind="stable").reset_index(drop=True)
    times = hits["detected_at"].to_numpy()
    new_cluster = np.ones(len(hits), dtype=bool)
    new_cluster[1:] = (hits["site"].to_numpy()[1:] != hits["site"].to_numpy()[:-1]) | (np.diff(times) > gap)
    hits["cluster"] = np.cumsum(new_cluster) - 1
    clusters = hits.groupby("cluster").agg(site=("site", "first"), first_seen=("detected_at", "min"),
                                           last_seen=("detected_at", "max"), detections=("km", "size"),
                                           max_frp=("frp", "max"), nearest_km=("km", "min"))
    site_lon, site_lat = point_lonlat(sites)
    lon, lat = point_lonlat(gdf)
    s, k, _ = _pairs_within(site_lon, site_lat, lon, lat, km)
    dated = _times(gdf["date"]) if "date" in gdf else np.full(len(gdf), np.datetime64("NaT"), "datetime64[us]")
    # An incident explains a cluster when it is at the same site and dated from `days` before
    # the first detection to the last one (reports often lag the fire by a day).
    explained = np.zeros(len(clusters), dtype=bool)
    if len(s):
        near = pd.DataFrame({"site": s, "date": dated[k]}).dropna()
        pairs = clusters.reset_index().merge(near, on="site")
        ok = (pairs["date"] >= pairs["first_seen"] - gap) & (pairs["date"] <= pairs["last_seen"])
        explained[pairs.loc[ok, "cluster"].unique()] = True
    found = clusters[~explained].reset_index(drop=True)
    described = sites.iloc[found["site"].to_numpy()].reset_index(drop=True)
    out = gpd.GeoDataFrame(pd.concat([described.drop(columns=sites.geometry.name), found.drop(columns="site")], axis=1),
                           geometry=described.geometry.values, crs="EPSG:4326")
    out["status"] = "candidate for review"
    out = out.sort_values(["first_seen", "site"], kind="stable", ignore_index=True)
    out.attrs.update(sites.attrs, sites_checked=len(sites))
    return out


def unreported_fires(detections: gpd.GeoDataFrame, gdf: gpd.GeoDataFrame, sites: Sites | None = None,
                     km: float = 1.0, days: float = 2.0,
                     include_static: bool = False) -> gpd.GeoDataFrame:
    """Clusters of fire detections within ``km`` of a registered site with no incident in
    ``gdf`` near that site at the time: candidates for a person to review, not incidents.

    ``sites``: see :func:`registered_sites` (default: the shipped ownership registry's sites
    with coordinates). Detections at one site form a cluster while each follows the previous
    one by at most ``days``; an incident within ``km`` of the site dated from ``days`` before
    the cluster to its last detection explains it. FIRMS type 2 detections (static
    industrial heat: steel works, gas flares) are left out unless ``include_static``.

    One row per cluster: the site's columns, ``first_seen``, ``last_seen``, ``detections``,
    ``max_frp``, ``nearest_km`` (detection to site), ``status`` ("candidate for review").
    """
    _check_distance(km)
    if not days >= 0:
        raise ValueError(f"days must be 0 or more, not {days}")
    _is_detections(detections)
    chosen = registered_sites(sites)
    at_sites = detections_at_sites(detections, chosen, km, include_static)
    return clusters_without_incidents(at_sites, chosen, gdf, km, days)
