"""Map builders: compose the layers of maps.layers into an incident map or a comparison.

Example:
    >>> import incidents, maps
    >>> m = maps.incident_map(incidents.sample())            # doctest: +SKIP
    >>> maps.save(m, "out/map.html", self_contained=True)      # doctest: +SKIP
"""

from __future__ import annotations


from collections.abc import Sequence

import folium
import geopandas
import pandas as pd
from branca.colormap import linear
from branca.element import Figure

import geo
from incidents import OwnershipRegistry
from maps import payload as payloads
from maps.basemap import base_map, geojson
from maps.datasources import DATA_SOURCES
from maps.controls import DataAttribution, FitBounds, MapLayout, Panel, PinnedFullscreen, SyncedPair
from maps.layers import (
    FireLayer, IncidentFilters, IncidentHeatMap, IncidentLayer, IncidentMap, IncidentSearch, IncidentTimeline,
    PolygonLayer, RawHTML, SavesIncidentData, SiteLayer,
)
from maps.safety import escape
from maps.payload import country_label
from maps.tables import day, group_figures, table_html

UKRAINE_BOUNDS = [[44.3, 22.1], [52.4, 40.2]]


def _source_url(name_prefix: str) -> str:
    """URL of a data source from the project's one list (maps.datasources)."""
    return next(s.url for s in DATA_SOURCES if s.name.startswith(name_prefix))


#: Short credits for the map's attribution bar; URLs from maps.datasources.DATA_SOURCES.
CREDITS = {
    "opora": ("Oblasts, raions: OPORA 2020 (CC BY 4.0)", _source_url("OPORA")),
    "naturalearth": ("Neighbours: Natural Earth", _source_url("Natural Earth")),
    "geonames": ("Places: GeoNames (CC BY 4.0)", _source_url("GeoNames")),
    "acled": ("Data: ACLED", _source_url("ACLED")),
    "ucdp": ("Data: UCDP GED", _source_url("UCDP")),
}


def _prepare(gdf, scheme: str, popup_columns=None) -> tuple[geopandas.GeoDataFrame, list[str]]:
    """Check the frame, reproject to EPSG:4326 and assign regions if they are absent (or
    always, for a scheme other than "macro", whose groups the frame cannot already carry).

    Also returns the extra columns the popups show: ``popup_columns`` if given (checked),
    else the user's own columns, taken before region assignment adds its bookkeeping columns.
    """
    if not isinstance(gdf, geopandas.GeoDataFrame):
        raise TypeError(f"expected a GeoDataFrame of incidents, got {type(gdf).__name__}")
    extra = payloads.user_columns(gdf) if popup_columns is None else list(popup_columns)
    absent = [c for c in extra if c not in gdf.columns]
    if absent:
        raise ValueError(f"popup_columns: no column {absent[0]!r} in the incidents "
                         f"(columns: {', '.join(map(str, gdf.columns))})")
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    has_regions = {"oblast_name", "macro_region"} <= set(gdf.columns)
    if not has_regions or scheme != "macro":
        gdf = geo.assign_regions(gdf, scheme=scheme)
    return gdf, extra


def _choropleths(gdf) -> list[PolygonLayer]:
    """Incidents per oblast, as counts and per 10,000 km² (both hidden at first)."""
    oblasts = geo.load_oblasts("simplified")
    counts = gdf["oblast"].value_counts() if "oblast" in gdf else pd.Series(dtype=int)
    count = oblasts["iso"].map(counts).fillna(0).astype(int).to_numpy()
    density = count / oblasts["area_km2"].to_numpy() * 10_000
    layers = []
    for name, values in (("Incidents per oblast", count),
                         ("Incidents per 10,000 km\u00b2", density)):
        top = float(values.max()) if len(values) and values.max() > 0 else 1.0
        scale = linear.YlOrRd_09.scale(0, top)
        labels = [f"{n}: {count[k]} incidents, {density[k]:.2f} per 10,000 km\u00b2"
                  for k, n in enumerate(oblasts["name_en"])]
        styles = [{"fillColor": scale(float(v)) if v > 0 else "#ffffff"} for v in values]
        layers.append(PolygonLayer(geojson(oblasts, labels, styles), name,
                                   style={"color": "#666", "weight": 0.8, "fillOpacity": 0.6}))
    return layers


def _region_outlines(scheme: str) -> PolygonLayer:
    regions = geo.macro_region_outlines(scheme)
    labels = [str(g).title() for g in regions["group"]]
    return PolygonLayer(geojson(regions, labels), "Macro-regions",
                        style={"fill": False, "color": "#333", "weight": 2.5, "dashArray": "6 5"},
                        show=True, permanent_labels=True)


def _credits(gdf) -> list[tuple[str, str]]:
    """Data sources to credit: boundaries and gazetteer always, ACLED/UCDP when present."""
    provenance = " ".join(str(v) for v in gdf.attrs.values()).lower()
    if "source_text" in gdf:
        provenance += " " + " ".join(gdf["source_text"].dropna().astype(str)).lower()
    keys = ["opora", "naturalearth", "geonames"] + [k for k in ("acled", "ucdp") if k in provenance]
    return [CREDITS[k] for k in keys]


def _legend_html(p: payloads.Payload, color_by: str, title: str | None) -> str:
    parts = []
    if title:
        parts.append(f"<h4>{escape(title)}</h4>")
    parts.append(f'<div class="im-shown">{len(p.data["lat"])} of {len(p.data["lat"])} shown</div>')
    parts.append(f"<div>Colour: {escape(color_by.replace('_', ' '))}</div>")
    # data-color: the browser updates each count when filters or the timeline change.
    for k, (label, color, count) in enumerate(p.legend):
        if count:
            parts.append(f'<div><span class="im-swatch" style="background:{escape(color)}"></span>'
                         f'{escape(label)} (<span data-color="{k}">{count}</span>)</div>')
    if p.size_note:
        parts.append(f'<div class="im-note">{escape(p.size_note)}</div>')
    if p.missing_geometry:
        shown = p.missing_geometry[:8]
        more = len(p.missing_geometry) - len(shown)
        listed = ", ".join(shown) + (f" and {more} more" if more else "")
        parts.append(f'<div class="im-note">{len(p.missing_geometry)} incident(s) without '
                     f"coordinates, not drawn: {escape(listed)}</div>")
    if p.dropped_links:
        parts.append(f'<div class="im-note">{p.dropped_links} source link(s) dropped '
                     "(not http/https).</div>")
    return "".join(parts)


def _add_incidents(m, gdf, p: payloads.Payload, scheme: str, legend_title: str | None,
                   color_by: str, *, extras: bool = True, overlays=(),
                   legend_corner: str = "bottomright") -> IncidentLayer:
    """Overlays, the incident layer and its controls, legend (in ``legend_corner``) and
    credits (``overlays``: more layers, added before the layer control so it finds them
    defined)."""
    if extras:
        for layer in _choropleths(gdf):
            layer.add_to(m)
    _region_outlines(scheme).add_to(m)
    layer = IncidentLayer(p.data).add_to(m)
    if extras:
        IncidentHeatMap(layer).add_to(m)
        IncidentSearch(layer, "topleft").add_to(m)
        IncidentFilters(layer, "topleft").add_to(m)
        IncidentTimeline(layer, "bottomleft").add_to(m)
    for overlay in overlays:
        overlay.add_to(m)
    PinnedFullscreen(position="topleft").add_to(m)
    Panel(_legend_html(p, color_by, legend_title), legend_corner, "im-legend", "Legend",
          layer=layer).add_to(m)
    DataAttribution(_credits(gdf)).add_to(m)
    MapLayout().add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return layer


def incident_map(gdf: geopandas.GeoDataFrame, color_by: str = "foreign_owned",
                 size_by: str | None = "casualties", *, scheme: str = "macro",
                 basemap: str = "openstreetmap", title: str | None = "Incidents",
                 registry: OwnershipRegistry | None = None, site_km: float = 1.0,
                 popup_columns: Sequence[str] | None = None,
                 fires: geopandas.GeoDataFrame | None = None, fire_km: float = 2.0) -> IncidentMap:
    """Interactive map of incidents (a ``folium.Map``).

    One canvas layer from a compact payload, coloured by ``color_by`` (foreign_owned,
    owner_country, weapon, target_type) and sized by ``size_by`` (casualties, killed,
    injured or None); switchable oblast choropleths, heat map and macro-region outlines;
    filters, month timeline, search, fullscreen, scale bar and layer control; base maps
    OpenStreetMap, CartoDB light and an offline basemap (``basemap`` picks the first shown).
    A "Registered foreign sites" overlay (off at first) marks the placed foreign sites of
    ``registry`` (default: shipped), red where hit (see :func:`geo.exposure_sites`).
    Popups show the incident in words; ``popup_columns`` names more columns to list (by
    default the user's own columns, never the pipeline's bookkeeping such as
    ``geocode_source`` or ``ownership_score``).
    ``fires``: FIRMS detections (:func:`incidents.load` of a FIRMS file) drawn as a "Fire
    detections (satellite)" overlay, off at first, credited with the file's attribution line.
    Popups of incidents run through :func:`geo.corroborate` (radius ``fire_km``) say what
    the satellites saw around them.

    >>> import incidents, maps
    >>> m = maps.incident_map(incidents.sample(), color_by="weapon")   # doctest: +SKIP
    """
    gdf, extra = _prepare(gdf, scheme, popup_columns)
    # The sites first: matching a million incidents to them takes ~250 MB for a moment,
    # which would otherwise come on top of the payload (the build's peak memory).
    overlays = [SiteLayer(_site_payload(gdf, registry, site_km, scheme), show=False)]
    p = payloads.build(gdf, color_by, size_by, extra_columns=extra, fire_km=fire_km)
    m = base_map(p.bounds or UKRAINE_BOUNDS, basemap)
    if fires is not None:
        overlays.append(FireLayer(payloads.fire_detections(fires), show=False))
        DataAttribution([(str(fires.attrs.get("attribution") or "Fire detections: NASA FIRMS"), "")]).add_to(m)
    _add_incidents(m, gdf, p, scheme, title, color_by, overlays=overlays)
    FitBounds(_padded(p.bounds or UKRAINE_BOUNDS)).add_to(m)
    m.incident_inputs = _inputs(gdf)
    return m


def _inputs(gdf) -> tuple:
    """The file the incidents were loaded from, which :func:`maps.save` must not replace."""
    return tuple(filter(None, [gdf.attrs.get("source_file")]))


def _site_payload(gdf, registry, km: float, scheme: str) -> list[dict]:
    """One dict per placed registered foreign site, for :class:`maps.layers.SiteLayer`."""
    sites = geo.exposure_sites(gdf, registry, km, scheme)
    sites = sites[sites["placed_by"].notna().to_numpy()]
    out = []
    for s in sites.itertuples(index=False):
        where = ", ".join(str(v) for v in (s.settlement, s.oblast_name) if isinstance(v, str) and v)
        if s.hit:
            how = {"distance": f"incident within {km:g} km", "owner": "incident tagged to the owner here",
                   "distance+owner": f"incident within {km:g} km and tagged to the owner"}[s.hit_by]
            dates = day(s.first_hit) if day(s.first_hit) == day(s.last_hit) else f"{day(s.first_hit)} to {day(s.last_hit)}"
            hit_text = f"yes: {s.hits} incident{'s' * (s.hits != 1)}, {dates or 'date unknown'} ({how})"
        else:
            hit_text = f"no incident within {km:g} km or tagged to the owner here"
        out.append({"lat": round(float(s.lat), 5), "lon": round(float(s.lon), 5), "hit": bool(s.hit),
                    "company": s.company, "country": country_label(s.owner_country), "sector": s.sector or None,
                    "place": where, "hit_text": hit_text,
                    "placed": "registry coordinates" if s.placed_by == "coordinates"
                    else "settlement centre (gazetteer), not the exact site"})
    return out


def _padded(bounds, min_span: float = 0.5):
    """Bounds widened to at least ``min_span`` degrees so one incident is not max zoom."""
    (s, w), (n, e) = bounds
    dy, dx = max(0.0, min_span - (n - s)) / 2, max(0.0, min_span - (e - w)) / 2
    return [[s - dy, w - dx], [n + dy, e + dx]]


def _legend_corner(bounds) -> str:
    """Where a comparison pane's legend goes: the bottom corner toward the middle of
    Ukraine, so the pane's outer edge stays in sight (in an eastern pane: the border with
    Russia and Luhansk oblast, where the eastern incidents are).

    >>> _legend_corner([[46.9, 34.9], [50.5, 40.2]]), _legend_corner([[47.7, 22.1], [52.0, 27.9]])
    ('bottomleft', 'bottomright')
    """
    (_, west), (_, east) = bounds
    (_, country_west), (_, country_east) = UKRAINE_BOUNDS
    return "bottomleft" if west + east > country_west + country_east else "bottomright"


def _union_bounds(bounds, region: geopandas.GeoDataFrame):
    """Bounds covering the incidents and the region's outline (Ukraine if neither exists)."""
    boxes = [bounds] if bounds else []
    if len(region):
        west, south, east, north = region.total_bounds
        boxes.append([[south, west], [north, east]])
    if not boxes:
        return UKRAINE_BOUNDS
    return [[min(b[0][0] for b in boxes), min(b[0][1] for b in boxes)],
            [max(b[1][0] for b in boxes), max(b[1][1] for b in boxes)]]


class CompareMap(SavesIncidentData, SyncedPair):
    """Two synchronised incident maps side by side with a comparison panel below.

    ``m1``/``m2`` are the two folium maps; save with :func:`maps.save` (or ``save``).
    """

    def _repr_html_(self, **kwargs):
        from maps.output import embed

        return embed(self)


def _group_mask(gdf, group: str) -> pd.Series:
    return gdf["macro_region"].astype("string").str.casefold() == group.casefold()


def headline(gdf, a: str, b: str) -> str:
    """One sentence per group: count, foreign-owned share, median depth from the Russian border.

    Depth is to the land border, not the front line (see geo.distance_to_border).
    """
    depth = pd.to_numeric(geo.distance_to_border(gdf, "RU")["border_distance_km"], errors="coerce").to_numpy()
    masks = [_group_mask(gdf, group).fillna(False).to_numpy() for group in (a, b)]
    parts = []
    for f in group_figures(gdf, (a, b), masks, depth):
        share = ("ownership unknown" if not f["ownership_known"] else
                 f"{f['foreign_share']} foreign-owned (of {f['ownership_known']} with known ownership)")
        distance = ("unknown distance from the Russian border (no coordinates)" if not f["with_depth"] else
                    f"median {f['median_depth']} from the Russian border ({f['with_depth']} with coordinates)")
        parts.append(f"{f['group'].title()}: {f['incidents']} incidents, {share}, {distance}")
    return "; ".join(parts) + "."


def compare_map(gdf: geopandas.GeoDataFrame, a: str = "west", b: str = "east", scheme: str = "macro", *,
                color_by: str = "foreign_owned", size_by: str | None = "casualties",
                basemap: str = "openstreetmap", registry: OwnershipRegistry | None = None,
                popup_columns: Sequence[str] | None = None) -> CompareMap:
    """Side-by-side maps of macro-regions ``a`` and ``b``, synchronised, with a panel.

    Each pane shows its group's incidents (same colours and sizes), fitted to the group;
    panning or zooming one moves the other. Below: a headline sentence and the
    :func:`geo.compare` table (its registered-site rows from ``registry``, default shipped).

    >>> import incidents, maps
    >>> cm = maps.compare_map(incidents.sample(), "west", "east")   # doctest: +SKIP
    """
    a, b = geo.scheme(scheme).pair(a, b)  # before any work: "West" is west, a typo is a GroupError
    gdf, extra = _prepare(gdf, scheme, popup_columns)
    everything = payloads.build(gdf, color_by, size_by, extra_columns=extra)
    scheme_colors = (everything.data["colors"], [label for label, _, _ in everything.legend])
    outlines = geo.macro_region_outlines(scheme)
    figure = Figure()
    maps_and_bounds = []
    for k, group in enumerate((a, b)):
        mask = _group_mask(gdf, group).fillna(False).to_numpy()
        sub = gdf[mask]
        p = payloads.build(sub, color_by, size_by, color_scheme=scheme_colors,
                           extra_columns=extra)
        region = outlines[outlines["group"].astype(str).str.casefold() == group.casefold()]
        bounds = _union_bounds(p.bounds, region)
        m = base_map(bounds, basemap, width="50%", height="64%", left=f"{50 * k}%", top="0%",
                      position="absolute")
        figure.add_child(m)
        _add_incidents(m, sub, p, scheme, f"{group.title()}: {len(sub)} incidents", color_by,
                       extras=False, legend_corner=_legend_corner(bounds))
        maps_and_bounds.append((m, bounds))
    table = geo.compare(gdf, a, b, scheme=scheme, registry=registry)
    panel = (f'<div class="im-compare-panel" id="im-compare-panel">'
             f'<p class="im-headline">{escape(headline(gdf, a, b))}</p>{table_html(table, (a, b))}</div>')
    figure.html.add_child(RawHTML(panel), name="im_compare_panel")
    (m1, b1), (m2, b2) = maps_and_bounds
    pair = CompareMap(m1, b1, m2, b2)
    figure.add_child(pair)  # last, so its script runs after both maps exist
    pair.incident_inputs = _inputs(gdf)
    return pair


__all__ = ["incident_map", "compare_map", "CompareMap", "headline"]