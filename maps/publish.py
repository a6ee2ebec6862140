"""Incidents made no more precise than a published level, in their text as in their points.

:func:`geo.coarsen` snaps the points; a popup that still says "Mukachevo, Flex Ltd
electronics plant" would undo it. :func:`publishable` also rewrites what names the site:
the place becomes the name of the unit the point was snapped to, the target keeps only its
kind ("industrial site") unless ``keep_target_text``, and the fields that repeat the exact
place (notes, the id slug, the geocoder's matched name and candidates) are dropped. The
maps, the report and any file written from the result then follow the same rule.

Example:
    >>> import incidents
    >>> out = publishable(incidents.sample(), "oblast")                  # doctest: +SKIP
    >>> out.loc[out["owner_company"] == "Flex Ltd", ["place", "target"]].iloc[0].tolist()  # doctest: +SKIP
    ['Zakarpattia', 'industrial site']
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

import geo
from incidents.schema import words

#: Columns that repeat the exact place or site in other words: emptied when publishing.
REVEALING = ("notes", "source_text", "geocoded_name", "geocode_candidates", "ownership_candidates",
             "ownership_reason", "distance_km")  # distance_km (geo.within): measured to the exact point


def _unit_names(gdf, level: np.ndarray) -> np.ndarray:
    """Name of the unit each (snapped) point stands for, at the row's level."""
    points = gdf.geometry
    located = (points.notna() & ~points.is_empty).to_numpy()
    names = np.full(len(gdf), None, dtype=object)
    if located.any():
        near = geo.load_gazetteer().nearest_settlements(points[located].y.to_numpy(),
                                                        points[located].x.to_numpy())
        oblast = np.array([geo.oblast(iso).name_en for iso in near["oblast"]], dtype=object)
        here = level[located]
        names[located] = np.select(
            [here == "settlement", here == "hromada", here == "raion"],
            [near["name"].to_numpy(dtype=object),
             (near["hromada_en"].astype(str) + " hromada").to_numpy(dtype=object),
             (near["raion_en"].astype(str) + " raion").to_numpy(dtype=object)],
            default=oblast)
    if "oblast" in gdf:  # rows without a point: their oblast, if any
        stated = gdf["oblast"].to_numpy(dtype=object)
        for row in np.flatnonzero(~located):
            try:
                names[row] = geo.oblast(stated[row]).name_en if isinstance(stated[row], str) else None
            except geo.UnknownOblastError:
                names[row] = None
    return names


def publishable(gdf: gpd.GeoDataFrame, precision: str, *, keep_target_text: bool = False) -> gpd.GeoDataFrame:
    """Copy of ``gdf`` fit to publish at ``precision`` (settlement, hromada or oblast):
    points snapped by :func:`geo.coarsen`, place named by its unit, target reduced to its
    kind (unless ``keep_target_text``), ids renumbered and revealing text dropped."""
    out = geo.coarsen(gdf, precision)
    level = out["location_precision"].to_numpy(dtype=object)
    out["place"] = _unit_names(out, level)
    if not keep_target_text and "target" in out:
        kind = out["target_type"] if "target_type" in out else pd.Series(None, index=out.index)
        out["target"] = [f"{words(k)} site" if isinstance(k, str) and k else "site" for k in kind]
    if "id" in out:  # ids are slugs of place and site ("mukachevo-flex-2025-08-21")
        out["id"] = [f"incident-{k + 1}" for k in range(len(out))]
    for column in REVEALING:
        if column in out:
            out[column] = None
    return out
