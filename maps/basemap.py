"""The map under the incidents: tile layers, and a drawn basemap that works with no network.

Tiles are the one remote thing a map page loads. Every map also carries a basemap drawn
from geo's shipped data: neighbouring countries, Ukraine's outline, oblast boundaries and
the names of the oblast centres. It shows until a tile loads; when none can (offline,
blocked, a print with no network) it stays, so the map can still be read.
``basemap="offline"`` starts with no tiles at all.

Example:
    >>> m = base_map([[44.3, 22.1], [52.4, 40.2]], "offline")
    >>> "Lviv" in m.get_root().render()
    True
"""

from __future__ import annotations

from functools import cache

import folium
import geopandas
import numpy as np
import shapely

import geo
from maps.layers import FallbackBasemap, IncidentMap
from maps.safety import script_json

BASEMAPS = ("openstreetmap", "cartodb", "offline")
#: Decimals kept in drawn boundary coordinates (1e-4 degrees is about 10 m).
BOUNDARY_DECIMALS = 4
CARTO_LIGHT_URL = "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png"
CARTO_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
                     'contributors &copy; <a href="https://carto.com/attributions">CARTO</a>')
OFFLINE_NAME = "Offline basemap (no tiles)"


def geojson(frame: geopandas.GeoDataFrame, labels, styles=None) -> dict:
    """FeatureCollection of polygons (coordinates rounded) with label/style properties only."""
    geoms = shapely.transform(frame.geometry.to_numpy(),
                              lambda xy: np.round(xy, BOUNDARY_DECIMALS))
    features = []
    for k, rounded in enumerate(geoms):
        features.append({
            "type": "Feature",
            "geometry": shapely.geometry.mapping(rounded),
            "properties": {"label": labels[k] if labels is not None else "",
                           "style": styles[k] if styles is not None else {}},
        })
    return {"type": "FeatureCollection", "features": features}


@cache
def fallback_json() -> str:
    """Polygons and centre labels of the drawn basemap as script JSON (built once per
    process: a comparison or a report draws it under several maps)."""
    neighbours = geo.neighbours()
    outline = geo.ukraine_outline("simplified")
    oblasts = geo.load_oblasts("simplified")
    frame = geopandas.GeoDataFrame(
        geometry=[*neighbours.geometry, outline, *oblasts.geometry], crs=4326)
    styles = (
        [{"fillColor": "#e4e4e0", "fillOpacity": 1, "color": "#b0b0b0", "weight": 0.8}]
        * len(neighbours)
        + [{"fillColor": "#f6f3ec", "fillOpacity": 1, "color": "#555", "weight": 1.5}]
        + [{"fill": False, "color": "#9a9a9a", "weight": 0.8}] * len(oblasts))
    return script_json({"polygons": geojson(frame, None, styles), "centres": oblast_centres()})


#: Units whose administrative centre lies outside them: Kyiv oblast is governed from Kyiv
#: city (UA-30, labelled as its own unit); its gazetteer stand-in, Bila Tserkva, is no centre.
CENTRE_ELSEWHERE = frozenset({"UA-32"})


def oblast_centres() -> list[dict]:
    """Name and position of each unit's administrative centre (the gazetteer's
    ``oblast_centre``, except for :data:`CENTRE_ELSEWHERE`), each settlement once."""
    places = geo.load_gazetteer().places
    own = ~places["oblast"].isin(CENTRE_ELSEWHERE)
    rows = sorted({int(r) for r in places.loc[own, "oblast_centre"] if r >= 0})
    centres = places.iloc[rows]
    return [{"name": str(n), "lat": round(float(lat), 4), "lon": round(float(lon), 4)}
            for n, lat, lon in zip(centres["name"], centres["lat"], centres["lon"])]


def base_map(bounds, basemap: str, **kwargs) -> IncidentMap:
    """An :class:`IncidentMap` with both tile layers, the drawn basemap under them and a
    "no tiles" choice; ``basemap`` picks which is shown first."""
    if basemap not in BASEMAPS:
        raise ValueError(f"basemap must be one of {BASEMAPS}, got {basemap!r}")
    (south, west), (north, east) = bounds
    m = IncidentMap(location=((south + north) / 2, (west + east) / 2), zoom_start=6, tiles=None,
                    control_scale=True, prefer_canvas=True, **kwargs)
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap",
                     show=basemap == "openstreetmap").add_to(m)
    folium.TileLayer(CARTO_LIGHT_URL, attr=CARTO_ATTRIBUTION, name="CartoDB light",
                     show=basemap == "cartodb").add_to(m)
    # An empty base layer: choosing it leaves only the drawn basemap.
    folium.FeatureGroup(name=OFFLINE_NAME, overlay=False,
                        show=basemap == "offline").add_to(m)
    FallbackBasemap(fallback_json()).add_to(m)
    return m
