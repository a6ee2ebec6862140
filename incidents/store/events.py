"""One row per event (one real-world strike) from the records that report it.

An event row is an incident row, so maps, reports and comparisons take it as they take
a file: ``id`` is ``event-<n>``; the location (place, oblast, coordinates, precision)
comes whole from the most precisely located report (ties: the first stored); other
fields from the most precise report that has them; ``sources`` and ``tags`` are the
union over the reports; casualties span the reports: ``killed_low``/``killed_high`` are
the lowest and highest figures any report gives, ``killed`` the highest single figure
(tolls are revised upwards as the dead are found), and likewise for the injured.
``reports`` names every record as ``source:id`` and ``n_reports`` counts them.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from incidents.schema import COLUMN_KINDS, CRS, LOCATION_PRECISIONS

_LOCATION = ["place", "oblast", "latitude", "longitude", "location_precision"]
_CASUALTIES = ("killed", "injured")


def _union(values) -> list:
    seen: dict = {}
    for items in values:
        for item in items:
            seen.setdefault(item, None)
    return list(seen)


def events_of(records: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Aggregate decoded store records (with ``store_event``, ``store_source``, ``store_first_ingest``)."""
    rank = records["location_precision"].map({p: i for i, p in enumerate(LOCATION_PRECISIONS)})
    rank = rank.where(records.geometry.notna(), len(LOCATION_PRECISIONS)).fillna(len(LOCATION_PRECISIONS) - 0.5)
    ordered = records.assign(_rank=rank.astype(float), _order=np.arange(len(records))).sort_values(
        ["store_event", "_rank", "store_first_ingest", "_order"], kind="stable")
    groups = ordered.groupby("store_event", sort=True)
    plain = [c for c, k in COLUMN_KINDS.items() if k in ("str", "bool", "datetime") and c not in _LOCATION]
    out = groups[plain].first()
    best = ordered.drop_duplicates("store_event", keep="first").set_index("store_event")
    out[_LOCATION] = best[_LOCATION]
    out["date"] = groups["date"].min()
    latest = ordered["date_end"].fillna(ordered["date"]).groupby(ordered["store_event"]).max()
    out["date_end"] = latest.where(latest > out["date"])
    for kind in _CASUALTIES:
        low = ordered[f"{kind}_low"].fillna(ordered[kind])
        high = ordered[f"{kind}_high"].fillna(ordered[kind])
        out[f"{kind}_low"] = low.groupby(ordered["store_event"]).min()
        out[f"{kind}_high"] = high.groupby(ordered["store_event"]).max()
        out[kind] = groups[kind].max()
    for name in ("sources", "tags"):
        out[name] = groups[name].agg(_union)
    out["reports"] = (ordered["store_source"] + ":" + ordered["id"].astype(str)).groupby(ordered["store_event"]).agg(" | ".join)
    out["n_reports"] = groups.size()
    out["n_sources"] = groups["store_source"].nunique()
    out = out.reset_index()
    out["id"] = "event-" + out["store_event"].astype(str)
    frame = out[[*COLUMN_KINDS, "store_event", "n_reports", "n_sources", "reports"]]
    located = frame["latitude"].notna() & frame["longitude"].notna()
    geometry = gpd.points_from_xy(frame["longitude"], frame["latitude"], crs=CRS)
    geometry[~located.to_numpy()] = None
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)
