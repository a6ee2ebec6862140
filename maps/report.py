"""The comparison report: one standalone HTML file comparing two groups of incidents.

:func:`report` runs what the report needs on the frame (regions, depth from the Russian
border, the :func:`geo.compare` table and monthly series), draws static SVG charts
(:mod:`maps.charts`), embeds the incident map and the comparison map (:func:`maps.embed`)
and renders ``templates/report.html.j2``.

Safety: the template is rendered with autoescape on, and every value an expression
prints passes through :func:`maps.safety.escape` (HTML plus backtick, ``$`` and
backslash); links are rendered only for absolute http(s) URLs (:func:`maps.safety.safe_url`),
anything else is shown as inert text. Only the charts and the sandboxed map iframes,
which this package generates, are inserted as markup.

Example:
    >>> import geo, incidents, maps
    >>> gdf = geo.geocode(incidents.sample())                          # doctest: +SKIP
    >>> maps.report(gdf, "out/report.html", self_contained=True)       # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import geopandas
import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup

import geo
from maps.builders import compare_map, incident_map
from maps.datasources import DATA_SOURCES
from incidents import OwnershipRegistry
from incidents.schema import words
from incidents.output import write_output
from maps.output import embed
from maps.payload import country_label
from maps.safety import escape, safe_url
from maps.tables import day, display_table, group_figures

TEMPLATE = "report.html.j2"
#: Groups smaller than this get a small-sample warning next to their tests.
SMALL_SAMPLE = 5
#: What the depth figures mean; shown in the methodology and under the depth chart.
DEPTH_NOTE = ("Depth is the geodesic distance (WGS 84 ellipsoid) from the incident to the nearest "
              "point of Ukraine's land border with Russia, drawn from Natural Earth boundaries. "
              "It is not the distance from the front line, which moves and runs far inside "
              "Ukraine in the east and south.")
BOUNDARY_NOTE = ("Oblasts, raions and hromadas are the units of the 2020 reform as drawn on OPORA's "
                 "2020 election map (generalised, CC BY 4.0; each oblast the union of its raions); "
                 "neighbouring countries and the land border are Natural Earth 1:10m. Points a "
                 "few kilometres outside the outline (coast, borders, reservoirs) are assigned "
                 "to the nearest oblast and flagged. Where a place was geocoded to a "
                 "settlement, its oblast comes from the gazetteer's official hierarchy.")


def report(gdf: geopandas.GeoDataFrame, path: str | Path, regions: tuple[str, str] = ("west", "east"),
           scheme: str = "macro", self_contained: bool = True, title: str | None = None,
           registry: OwnershipRegistry | None = None, *, exclude_disputed: bool = False,
           force: bool = False, inputs: Iterable[str | Path] = ()) -> Path:
    """Write an HTML report comparing two groups of ``gdf``; returns the path.

    ``regions``: the two groups to compare (names of ``scheme``'s groups, e.g. "west",
    "east"). ``scheme``: macro-region scheme (see :func:`geo.scheme`); regions are
    assigned when the frame has none or when another scheme is asked for.
    ``self_contained`` (default): inline Leaflet and plugins in the embedded maps and start
    them on the drawn basemap, so the report opens and prints with no network; False links
    them from the CDN and starts on OpenStreetMap tiles. ``registry``: the
    ownership registry whose foreign sites make the denominator (default: shipped; see
    :func:`geo.exposure`). ``exclude_disputed``: leave out rows tagged ``disputed`` (strikes
    whose attribution is contested); the report says how many. The file is written through :func:`incidents.output.write_output`:
    atomically, never over the incidents' source file or ``inputs``, a read-only file only
    with ``force``.

    >>> import geo, incidents, maps
    >>> maps.report(geo.geocode(incidents.sample()), "report.html")   # doctest: +SKIP
    PosixPath('report.html')
    """
    html = render(gdf, regions=regions, scheme=scheme, self_contained=self_contained, title=title,
                  registry=registry, exclude_disputed=exclude_disputed)
    page = html.encode("utf-8")
    return write_output(path, lambda out: out.write(page), force=force,
                        inputs=[*inputs, gdf.attrs.get("source_file")])


def render(gdf, regions=("west", "east"), scheme="macro", self_contained=True, title=None,
           registry=None, exclude_disputed: bool = False) -> str:
    """The report as an HTML string (what :func:`report` writes)."""
    if not isinstance(gdf, geopandas.GeoDataFrame):
        raise TypeError(f"expected a GeoDataFrame of incidents, got {type(gdf).__name__}")
    disputed = _disputed(gdf)
    if exclude_disputed and disputed.any():
        gdf = gdf.loc[~disputed].copy()
    a, b = _check_regions(regions, scheme)
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    if "macro_region" not in gdf.columns or scheme != "macro":
        gdf = geo.assign_regions(gdf, scheme=scheme)
    group = gdf["macro_region"].astype("object").where(gdf["macro_region"].notna(), None)
    in_a, in_b = (group == a).to_numpy(), (group == b).to_numpy()
    depth = pd.to_numeric(geo.distance_to_border(gdf, "RU")["border_distance_km"], errors="coerce").to_numpy()
    table = geo.compare(gdf, a, b, scheme=scheme, registry=registry)
    timeline = geo.compare_timeline(gdf, a, b, scheme=scheme, freq="M")

    labelled = gdf.assign(_group=group)[in_a | in_b]
    # An offline report opens without tiles: start its maps on the basemap drawn from the
    # shipped boundaries (the tile layers stay in the layer switcher).
    basemap = "offline" if self_contained else "openstreetmap"
    context = {
        "title": title or f"Strikes compared: {a} and {b} ({_scheme_name(scheme)} scheme)",
        "groups": (a, b),
        "date_range": _date_range(gdf),
        "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "key_figures": group_figures(gdf, (a, b), (in_a, in_b), depth),
        "table": display_table(table, (a, b)),
        "caveats": _caveats(int(in_a.sum()), int(in_b.sum()), (a, b)) + _disputed_caveat(int(disputed.sum()),
                                                                                         exclude_disputed),
        "charts": _charts(labelled, timeline, depth[in_a | in_b], (a, b)),
        "incident_map": Markup(embed(incident_map(gdf, basemap=basemap, registry=registry), height="560px",
                                     self_contained=self_contained)),
        "compare_map": Markup(embed(compare_map(gdf, a, b, scheme=scheme, basemap=basemap, registry=registry),
                                    height="760px",
                                    self_contained=self_contained)),
        "foreign_sites": _foreign_sites(gdf),
        "exposure": _exposure(gdf, scheme, registry),
        "methodology": _methodology(gdf, scheme),
        "fire_detections": _fire_detections(gdf),
        "depth_note": DEPTH_NOTE,
        "boundary_note": BOUNDARY_NOTE,
        "credits": _credits(gdf),
    }
    return _environment().get_template(TEMPLATE).render(**context)


def _finalize(value):
    """Every printed expression: None/NaN -> "", generated markup kept, data escaped."""
    if isinstance(value, Markup):
        return value
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return Markup(escape(value))


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("maps", "templates"), autoescape=True,
                              finalize=_finalize, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


def _check_regions(regions, scheme) -> tuple[str, str]:
    if isinstance(regions, str) or len(regions) != 2:
        raise ValueError(f"regions must be two group names, e.g. ('west', 'east'); got {regions!r}")
    return geo.scheme(scheme).pair(*regions)


def _scheme_name(scheme) -> str:
    return geo.scheme(scheme).name


def _date_range(gdf) -> str:
    ends = pd.concat([gdf["date"], gdf["date_end"]]) if "date_end" in gdf else gdf["date"]
    first, last = gdf["date"].min(), ends.max()
    return "no dates" if pd.isna(first) else f"{day(first)} to {day(last)}"


def _disputed(gdf) -> np.ndarray:
    """Rows tagged ``disputed``: strikes whose attribution is contested (see the notes)."""
    if "tags" not in gdf:
        return np.zeros(len(gdf), dtype=bool)
    return np.array([isinstance(t, (list, tuple, np.ndarray)) and "disputed" in list(t) for t in gdf["tags"]],
                    dtype=bool)


def _disputed_caveat(n: int, excluded: bool) -> list[str]:
    if not n:
        return []
    if excluded:
        return [f"{n} record{'s' * (n != 1)} tagged disputed (attribution contested) "
                f"{'were' if n != 1 else 'was'} left out on request."]
    return [f"{n} record{'s' * (n != 1)} {'are' if n != 1 else 'is'} tagged disputed (attribution contested) "
            "and included; exclude_disputed=True (--exclude-disputed) leaves them out."]


def _caveats(n_a: int, n_b: int, groups) -> list[str]:
    notes = []
    for name, n in zip(groups, (n_a, n_b)):
        if n < SMALL_SAMPLE:
            notes.append(f"{name} has only {n} incident{'s' * (n != 1)}: tests comparing it are not "
                         "reported, and its figures describe these records only.")
    notes.append("The incidents are the records in this file, not a census of all strikes: "
                 "differences can reflect what was recorded and reported as much as what happened.")
    notes.append("Several tests are run on the same data and p-values are not adjusted for "
                 "multiple comparisons; read them as a guide, not as proof.")
    return notes


def _charts(labelled, timeline, depth, groups) -> list[dict]:
    """The five charts: (title, svg markup or None when there is nothing to draw, caption)."""
    from maps import charts  # matplotlib takes a quarter second to import: only reports need it

    a, b = groups

    def mix(column, title, caption, name, frame=labelled):
        if column not in frame or frame.empty:
            return {"title": title, "svg": None, "caption": caption}
        counts = charts.category_counts(frame, column, "_group", groups)
        return {"title": title, "svg": Markup(charts.grouped_bars(counts, None, "incidents", name)),
                "caption": caption}

    monthly = timeline.reindex(columns=list(groups), fill_value=0)  # months x groups
    owned = labelled[labelled["foreign_owned"].fillna(False).astype(bool)] if "foreign_owned" in labelled \
        else labelled.iloc[:0]
    owners = owned.assign(owner=owned["owner_country"].map(
        lambda c: country_label(c) if isinstance(c, str) and c else None)) if "owner_country" in owned else owned
    depth_values = {g: depth[(labelled["_group"] == g).to_numpy()] for g in groups}
    return [
        {"title": "Incidents per month",
         "svg": Markup(charts.monthly_counts(monthly, None, "monthly"))
         if len(monthly) else None,
         "caption": f"Incidents in {a} and {b} by the month of their (first) date."},
        mix("weapon", "Weapon mix", "Weapon as reported; 'mixed' is a combined missile and drone attack.",
            "weapons"),
        mix("target_type", "Target types", "Type of the site hit.", "targets"),
        mix("owner", "Owner countries of foreign-owned sites hit",
            "Country of the owner, for incidents on foreign-owned sites only; 'unknown' where "
            "the site is foreign-owned but the owner's country is not stated.", "owners", owners),
        {"title": "Strike depth from the Russian border",
         "svg": Markup(charts.distributions(depth_values, None, "km from the Russian land border (geodesic)",
                                            "depth"))
         if any(np.isfinite(v).any() for v in depth_values.values()) else None,
         "caption": "Each dot is an incident; boxes span the middle half, the line is the median. "
                    + DEPTH_NOTE},
    ]


def _links(urls) -> list[dict]:
    """Sources as {text, href}: href only for http(s) URLs; anything else stays inert text."""
    if urls is None or (not isinstance(urls, (list, tuple, np.ndarray)) and pd.isna(urls)):
        return []
    urls = [urls] if isinstance(urls, str) else list(urls)
    out = []
    for url in urls:
        href = safe_url(url)
        out.append({"text": urlsplit(href).netloc if href else str(url), "href": href})
    return out


def _casualties(row, column) -> str:
    low, high = row.get(f"{column}_low"), row.get(f"{column}_high")
    value = row.get(column)
    if not pd.isna(value):
        return str(value)
    if not pd.isna(low) and not pd.isna(high):
        return f"{low}–{high}"
    return ""


def _foreign_sites(gdf) -> list[dict]:
    if "foreign_owned" not in gdf:
        return []
    sites = gdf[gdf["foreign_owned"].fillna(False).astype(bool)].sort_values("date", kind="stable")
    rows = []
    for _, row in sites.iterrows():
        country = row.get("owner_country")
        rows.append({
            "date": day(row["date"]), "place": row.get("place"), "oblast": row.get("oblast_name"),
            "group": row.get("macro_region"), "target": row.get("target"),
            "owner": row.get("owner_company"),
            "country": country_label(country) if isinstance(country, str) and country else None,
            "weapon": words(row.get("weapon") or ""),
            "killed": _casualties(row, "killed"), "injured": _casualties(row, "injured"),
            "sources": _links(row.get("sources")),
        })
    return rows


def _exposure(gdf, scheme, registry, km: float = 1.0, period: str = "half") -> dict:
    """Registered foreign sites per group (geo.exposure) and the sites hit per half-year."""
    groups = list(geo.scheme(scheme).groups)
    table = geo.exposure(gdf, registry, km=km, scheme=scheme, by="macro_region")
    order = {g: k for k, g in enumerate(groups)}
    table = table.sort_values("macro_region", key=lambda c: c.map(lambda g: order.get(g, len(order))))

    def share(hit, placed):
        return f"{100 * hit / placed:.0f}%" if placed else "—"

    rows = [{"group": r.macro_region, "sites": r.sites, "placed": r.placed, "coordinates": r.by_coordinates,
             "gazetteer": r.by_gazetteer, "unplaced": r.unplaced, "hit": r.hit, "share": share(r.hit, r.placed)}
            for r in table.itertuples(index=False)]
    total = {k: int(table[c].sum()) for k, c in (("sites", "sites"), ("placed", "placed"), ("coordinates", "by_coordinates"),
                                                  ("gazetteer", "by_gazetteer"), ("unplaced", "unplaced"), ("hit", "hit"))}
    total["share"] = share(total["hit"], total["placed"])
    timeline = geo.exposure(gdf, registry, km=km, scheme=scheme, by="macro_region", period=period)
    shown = [r["group"] for r in rows]
    periods = list(dict.fromkeys(timeline["period"]))
    cells = {(r.period, r.macro_region): f"{r.hit} of {r.placed}" for r in timeline.itertuples(index=False)}
    return {"rows": rows, "total": total, "km": f"{km:g}", "note": table.attrs["note"],
            "incidents": len(gdf), "point_incidents": table.attrs["incidents_point_precision"],
            "without_sites": table.attrs["entries_without_sites"], "groups": shown,
            "timeline": [{"period": p, "cells": [cells.get((p, g), "") for g in shown]} for p in periods]}


def _fire_detections(gdf) -> dict | None:
    """How many incidents satellite fire detections corroborate (columns of
    geo.corroborate), of how many could be checked; None when the frame was not checked."""
    if "fire_detections" not in gdf:
        return None
    count = pd.to_numeric(gdf["fire_detections"], errors="coerce")
    return {"corroborated": int((count > 0).sum()), "checked": int(count.notna().sum()),
            "unchecked": int(count.isna().sum())}


def _methodology(gdf, scheme) -> dict:
    chosen = geo.scheme(scheme)
    members = {}
    if hasattr(chosen, "mapping"):
        for unit in geo.OBLASTS:
            members.setdefault(chosen.mapping.get(unit.iso), []).append(unit.name_en)
    groups = [{"name": g, "oblasts": ", ".join(sorted(members.get(g, [])))} for g in chosen.groups]
    precision = gdf["location_precision"].fillna("not stated") if "location_precision" in gdf \
        else pd.Series("not stated", index=gdf.index)
    precision = precision.where(gdf.geometry.notna(), "no coordinates")
    flags = gdf["region_flag"].value_counts().to_dict() if "region_flag" in gdf else {}
    return {
        "scheme": chosen.name, "description": chosen.description, "groups": groups,
        "precision": [{"level": k, "count": int(v)} for k, v in precision.value_counts().items()],
        "rows": len(gdf), "located": int(gdf.geometry.notna().sum()),
        "near_border": int(flags.get("near_border", 0)),
        "outside": int(flags.get("outside_ukraine", 0)),
        "geocoded": gdf.attrs.get("geocode_summary", {}).get("by_source", {}),
    }


def _credits(gdf) -> dict:
    """Data attribution: :data:`maps.datasources.DATA_SOURCES` (ACLED/UCDP only when the
    data came from them), the dataset's own attribution line, and the incident sources."""
    provenance = " ".join(str(v) for v in gdf.attrs.values()).lower()
    conditional = ("acled", "ucdp")
    sources = [s for s in DATA_SOURCES
               if not any(s.name.lower().startswith(k) for k in conditional)
               or any(s.name.lower().startswith(k) and k in provenance for k in conditional)]
    domains: dict[str, int] = {}
    if "sources" in gdf:
        for urls in gdf["sources"]:
            for link in _links(urls):
                if link["href"]:
                    domains[link["text"]] = domains.get(link["text"], 0) + 1
    return {
        "data_sources": [{"name": s.name, "used_for": s.used_for, "licence": s.licence,
                          "href": safe_url(s.url)} for s in sources],
        "dataset_line": gdf.attrs.get("attribution") or None,
        "source_domains": sorted(domains.items(), key=lambda kv: (-kv[1], kv[0])),
    }


__all__ = ["report", "render"]
