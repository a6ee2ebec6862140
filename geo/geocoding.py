"""Fill incident coordinates from place names; the reverse lookup; coarsening for publication.

(The module is ``geo.geocoding`` so that ``geo.geocode`` can be the function.)

Example:
    >>> import geopandas as gpd, geo
    >>> gdf = gpd.GeoDataFrame({"id": ["a", "b"], "place": ["Mukacheve", "Kharkvi"],
    ...                         "oblast": ["UA-21", ""]}, geometry=[None, None], crs="EPSG:4326")
    >>> out = geo.geocode(gdf)
    >>> out[["geocoded_name", "geocode_source", "geocoded_oblast"]].values.tolist()
    [['Mukachevo', 'gazetteer', 'UA-21'], ['Kharkiv', 'gazetteer_fuzzy', 'UA-63']]
    >>> geo.reverse(48.44, 22.72)["name"]
    'Mukachevo'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from geo.cache import GeocodeCache
from geo.gazetteer import load_gazetteer
from geo.geocoders import Geocoder, GeocodingError, GeopyGeocoder, OfflineGeocoder
from geo.geocoders.base import empty_results
from geo.regions import UnknownOblastError, oblast, oblast_from_admin1

__all__ = ["COARSEN_PRECISIONS", "coarsen", "geocode", "reverse"]

CRS = "EPSG:4326"
#: Coarsest precision last; coarsen never makes a location look finer than it is.
_PRECISION_ORDER = ("exact", "settlement", "hromada", "raion", "oblast")
COARSEN_PRECISIONS = ("settlement", "hromada", "oblast")
#: Existing coordinates are "outside the stated oblast" when none of the
#: :data:`_FLAG_NEIGHBOURS` nearest settlements within (nearest distance +
#: :data:`_FLAG_SLACK_KM`) belongs to it; the slack keeps points near a border unflagged.
_FLAG_NEIGHBOURS = 16
_FLAG_SLACK_KM = 15.0
#: Farther than this from any gazetteer settlement, a point is not in Ukraine's settled area.
_FAR_KM = 60.0


def geocode(gdf: pd.DataFrame, geocoder: str | Geocoder | object = "offline", overwrite: bool = False,
            user_agent: str | None = None, cache: bool | str | Path | GeocodeCache = True,
            progress: bool = False,
            **options) -> gpd.GeoDataFrame:
    """Return a copy of ``gdf`` with geometry filled from ``place`` where it was missing.

    Args:
        gdf: incident frame (GeoDataFrame or DataFrame) with a ``place`` column; hints are
            read from ``oblast`` (ISO code or name) and ACLED-style ``admin1`` / ``admin2`` /
            ``admin3`` columns when present.
        geocoder: ``"offline"`` (the shipped gazetteer), a geopy service name such as
            ``"nominatim"``, a geopy geocoder instance, or a :class:`geo.geocoders.Geocoder`.
        overwrite: geocode every row, replacing existing coordinates.
        user_agent: required by online services.
        cache: online only: ``True`` (user cache dir), ``False``, a path or a
            :class:`geo.cache.GeocodeCache`.
        progress: show a progress bar (online geocoding).
        options: passed to :class:`geo.geocoders.GeopyGeocoder` (``min_delay_seconds``,
            ``max_retries``, ``error_wait_seconds``, ...).

    Adds ``latitude``, ``longitude``, ``geocoded_name``, ``geocode_source``,
    ``location_precision``, ``geocode_score`` (0-100), ``geocode_candidates``,
    ``geocoded_oblast``, ``geocode_flag`` (and ``geocode_error`` for online services).
    Rows that had coordinates get ``geocode_source == "input"``; rows that cannot be
    resolved stay, with ``"unresolved"`` (or ``"error:<reason>"``). A summary is in
    ``result.attrs["geocode_summary"]``.
    """
    if not isinstance(gdf, pd.DataFrame):
        raise GeocodingError(f"geocode() needs a DataFrame, got {type(gdf).__name__}")
    coder = _geocoder(geocoder, user_agent, cache, options)
    out = _as_geodataframe(gdf)
    n = len(out)
    geometry = out.geometry
    located = geometry.notna().to_numpy() & ~geometry.is_empty.to_numpy()
    todo = np.ones(n, bool) if overwrite else ~located
    if todo.any() and "place" not in out.columns:
        raise GeocodingError(f"{int(todo.sum())} rows need geocoding but the frame has no 'place' column")

    hint_oblast, hint_flags = _oblast_hints(out)
    columns = _resolve(coder, out, todo, hint_oblast, progress)
    source = np.where(todo, columns["geocode_source"], "input").astype(object)
    lat, lon = columns["latitude"], columns["longitude"]
    old_lat = np.where(located, geometry.y.where(located), np.nan) if n else np.empty(0)
    old_lon = np.where(located, geometry.x.where(located), np.nan) if n else np.empty(0)
    keep = ~todo
    lat, lon = np.where(keep, old_lat, lat), np.where(keep, old_lon, lon)

    input_rows = np.flatnonzero(keep)
    input_oblast, input_flags = _check_input_coords(old_lat[input_rows], old_lon[input_rows],
                                                    hint_oblast[input_rows])
    geocoded_oblast = columns["geocoded_oblast"].astype(object)
    geocoded_oblast[input_rows] = input_oblast
    geocode_flag = columns["geocode_flag"].astype(object)
    geocode_flag[input_rows] = input_flags
    flags = _join_flags(hint_flags, geocode_flag)

    resolved = ~np.isnan(lat)
    out["latitude"], out["longitude"] = lat, lon
    points = gpd.points_from_xy(np.where(resolved, lon, 0.0), np.where(resolved, lat, 0.0), crs=CRS)
    out = out.set_geometry(gpd.GeoSeries(np.where(resolved, points, None), index=out.index, crs=CRS))
    precision = out["location_precision"].to_numpy(dtype=object) if "location_precision" in out else \
        np.full(n, None, dtype=object)
    out["location_precision"] = np.where(todo, columns["location_precision"], precision)
    out.loc[todo & ~resolved, "location_precision"] = None
    out["geocoded_name"] = np.where(todo, columns["geocoded_name"], "")
    out["geocode_source"] = source
    out["geocode_score"] = pd.array(np.where(todo, columns["geocode_score"], 0), dtype="Int64")
    out["geocode_candidates"] = pd.array(np.where(todo, columns["geocode_candidates"], 0), dtype="Int64")
    out.loc[~todo, ["geocode_score", "geocode_candidates"]] = pd.NA
    out["geocoded_oblast"] = geocoded_oblast
    out["geocode_flag"] = flags
    if not isinstance(coder, OfflineGeocoder):
        out["geocode_error"] = np.where(todo, columns["geocode_error"], "")
    out = _geometry_last(out)
    out.attrs["geocode_summary"] = _summary(out, located, todo, resolved)
    out.attrs["geocode_summary"]["unreachable"] = getattr(coder, "unreachable", None)
    return out


def _geocoder(geocoder, user_agent, cache, options) -> Geocoder:
    if isinstance(geocoder, Geocoder):
        return geocoder
    if isinstance(geocoder, str) and geocoder.lower() in ("offline", "gazetteer"):
        if options:
            raise GeocodingError(f"options {sorted(options)} apply to online geocoders only")
        return _offline_geocoder()
    return GeopyGeocoder(geocoder, user_agent=user_agent, cache=cache, **options)


@lru_cache(maxsize=1)
def _offline_geocoder() -> OfflineGeocoder:
    """One offline geocoder per process: its lookup tables and fuzzy index are built once."""
    return OfflineGeocoder()


def _as_geodataframe(gdf: pd.DataFrame) -> gpd.GeoDataFrame:
    """A GeoDataFrame copy in EPSG:4326; a plain frame gets geometry from lat/lon columns."""
    if isinstance(gdf, gpd.GeoDataFrame) and gdf._geometry_column_name in gdf.columns:
        out = gdf.copy()
        if out.crs is None:
            out = out.set_crs(CRS)
        elif not out.crs.equals(CRS):
            out = out.to_crs(CRS)
        return out
    frame = pd.DataFrame(gdf).copy()
    if {"latitude", "longitude"} <= set(frame.columns):
        lat = pd.to_numeric(frame["latitude"], errors="coerce").to_numpy(dtype=float)
        lon = pd.to_numeric(frame["longitude"], errors="coerce").to_numpy(dtype=float)
        ok = ~(np.isnan(lat) | np.isnan(lon))
        points = gpd.points_from_xy(np.where(ok, lon, 0), np.where(ok, lat, 0))
        geometry = np.where(ok, points, None)
    else:
        geometry = [None] * len(frame)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, index=frame.index, crs=CRS))


def _oblast_hints(gdf: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """ISO code per row from ``oblast`` (any name or code), else ACLED ``admin1``."""
    n = len(gdf)
    hints = np.full(n, "", dtype=object)
    flags = np.full(n, "", dtype=object)
    for column, lookup in (("oblast", oblast), ("admin1", oblast_from_admin1)):
        if column not in gdf.columns:
            continue
        # Look up each distinct value once; rows map back through the codes.
        codes, values = pd.factorize(_text_column(gdf[column]))
        isos = np.array([_try_oblast(lookup, v) for v in values] + [""], dtype=object)
        bad = np.array([f"unknown_{column}:{v}" if v.strip() and not _try_oblast(lookup, v) else ""
                        for v in values] + [""], dtype=object)
        empty = hints == ""
        hints[empty] = isos[codes][empty]
        flags[empty] = np.where(flags[empty] == "", bad[codes][empty], flags[empty])
    return hints, flags


def _join_flags(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Row-wise "a | b" of two flag columns, either may be empty."""
    joined = np.where(first == "", second, first)
    both = (first != "") & (second != "")
    joined[both] = [f"{a} | {b}" for a, b in zip(first[both], second[both])]
    return joined


def _try_oblast(lookup, value: str) -> str:
    if not value.strip():
        return ""
    try:
        return lookup(value).iso
    except UnknownOblastError:
        return ""


def _text_column(values: pd.Series) -> pd.Series:
    """Strings as they are, anything else (NaN, None, numbers) as ""."""
    values = values.astype(object)
    return values.where(values.map(type) == str, "").astype(object)


def _resolve(coder: Geocoder, gdf, todo, hint_oblast, progress) -> dict[str, np.ndarray]:
    """Resolve the unique (place, hints) of the rows to do; result columns for every row."""
    n = len(gdf)
    rows = np.flatnonzero(todo)
    unresolved = empty_results(1)  # the value of each column for a row left unresolved
    columns = {c: np.full(n, unresolved[c].iat[0], dtype=unresolved[c].dtype) for c in unresolved}
    if not len(rows):
        return columns

    def text(column: str) -> pd.Series:
        if column not in gdf.columns:
            return pd.Series([""] * len(rows), dtype=object)
        return _text_column(gdf[column].iloc[rows]).reset_index(drop=True)

    queries = pd.DataFrame({"place": text("place"), "oblast": hint_oblast[rows],
                            "admin2": text("admin2"), "admin3": text("admin3")})
    joined = queries["place"].str.cat(queries[["oblast", "admin2", "admin3"]].astype(str), sep="\x1f")
    codes, _ = pd.factorize(joined)
    _, first = np.unique(codes, return_index=True)
    answers = coder.resolve(queries.iloc[first].reset_index(drop=True), progress=progress)
    for column, values in columns.items():
        values[rows] = answers[column].to_numpy()[codes]
    return columns


def _check_input_coords(lat, lon, stated) -> tuple[np.ndarray, np.ndarray]:
    """Oblast of the nearest settlement per point, and a flag where the coordinates
    contradict the stated oblast (see :data:`_FLAG_SLACK_KM`)."""
    oblasts = np.full(len(lat), "", dtype=object)
    flags = np.full(len(lat), "", dtype=object)
    if not len(lat):
        return oblasts, flags
    near = load_gazetteer().nearest_settlements(lat, lon, k=_FLAG_NEIGHBOURS)
    dist = near["distance_km"].to_numpy().reshape(len(lat), _FLAG_NEIGHBOURS)
    obl = near["oblast"].to_numpy(dtype=object).reshape(len(lat), _FLAG_NEIGHBOURS)
    oblasts[:] = obl[:, 0]
    close = dist <= dist[:, :1] + _FLAG_SLACK_KM
    for i in range(len(lat)):
        if dist[i, 0] > _FAR_KM:
            flags[i] = "coords_far_from_any_settlement"
        elif stated[i] and not (close[i] & (obl[i] == stated[i])).any():
            flags[i] = "coords_outside_stated_oblast"
    return oblasts, flags


def _geometry_last(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    name = gdf.geometry.name
    return gdf[[c for c in gdf.columns if c != name] + [name]]


def _summary(out: gpd.GeoDataFrame, located, todo, resolved) -> dict:
    ids = out["id"] if "id" in out.columns else pd.Series(out.index, index=out.index)
    unresolved = todo & ~resolved
    return {
        "rows": int(len(out)),
        "already_located": int((located & ~todo).sum()),
        "geocoded": int((todo & resolved).sum()),
        "unresolved": int(unresolved.sum()),
        "unresolved_ids": ids[unresolved].tolist(),
        "by_source": {k: int(v) for k, v in out["geocode_source"].value_counts().items()},
        "by_precision": {k: int(v) for k, v in out["location_precision"].value_counts().items() if k},
        "flagged": int((out["geocode_flag"] != "").sum()),
        # The service failed (errors, unreachable), as opposed to answering "not found".
        "failed": int(out["geocode_source"].astype(str).str.startswith("error:").sum()),
        "not_tried": int((out["geocode_source"] == "error:not_tried").sum()),
    }


def reverse(lat: float | ArrayLike, lon: float | ArrayLike) -> pd.Series | pd.DataFrame:
    """Nearest gazetteer settlement of a point (a Series) or of each point (a DataFrame).

    Columns: ``place`` (gazetteer row), ``name``, ``name_uk``, ``oblast`` (ISO),
    ``raion_en``, ``hromada_en``, ``lat``, ``lon``, ``distance_km``.

    >>> reverse(50.45, 30.52)["oblast"]
    'UA-30'
    >>> reverse([48.44, 49.99], [22.72, 36.23])["name"].tolist()
    ['Mukachevo', 'Kharkiv']
    """
    near = load_gazetteer().nearest_settlements(lat, lon).drop(columns=["point", "rank"])
    if np.ndim(lat) == 0 and np.ndim(lon) == 0:
        return near.iloc[0]
    return near


def coarsen(gdf: gpd.GeoDataFrame, precision: str) -> gpd.GeoDataFrame:
    """Copy of ``gdf`` with points snapped to what may be published.

    ``precision`` is ``settlement`` (nearest settlement's centre point), ``hromada``
    (that settlement's hromada centre, else raion centre) or ``oblast`` (the oblast's
    administrative centre city; Kyiv oblast uses Bila Tserkva so the point stays inside
    it; the oblast is ``geocoded_oblast``, else ``oblast``, else the nearest settlement's).
    ``location_precision`` says what is shown; rows already as coarse are left alone.

    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"oblast": ["UA-21"]}, geometry=[shapely.Point(22.70, 48.45)], crs="EPSG:4326")
    >>> round(coarsen(g, "oblast").geometry.iloc[0].y, 2)  # Uzhhorod
    48.62
    """
    if precision not in COARSEN_PRECISIONS:
        raise GeocodingError(f"precision must be one of {COARSEN_PRECISIONS}, got {precision!r}")
    out = _as_geodataframe(gdf)
    geometry = out.geometry
    has_point = (geometry.notna() & ~geometry.is_empty).to_numpy()
    current = out["location_precision"] if "location_precision" in out else pd.Series(None, index=out.index)
    rank = {p: i for i, p in enumerate(_PRECISION_ORDER)}
    wanted = rank[precision]
    finer = np.array([rank.get(p, 0) < wanted if isinstance(p, str) else True for p in current])
    rows = np.flatnonzero(has_point & finer)
    if not len(rows):
        return out
    gaz = load_gazetteer()
    points = geometry.iloc[rows]
    place = gaz.nearest_settlements(points.y.to_numpy(), points.x.to_numpy())["place"].to_numpy()
    places = gaz.places
    if precision == "settlement":
        target, level = place, np.full(len(rows), "settlement", dtype=object)
    elif precision == "hromada":
        hromada = places["hromada_centre"].to_numpy()[place]
        raion = places["raion_centre"].to_numpy()[place]
        target = np.where(hromada >= 0, hromada, raion)
        level = np.where(hromada >= 0, "hromada", "raion").astype(object)
        missing = target < 0
        target[missing] = places["oblast_centre"].to_numpy()[place[missing]]
        level[missing] = "oblast"
    else:
        stated = _row_oblasts(out.iloc[rows], gaz.oblast[place])
        centre_of = dict(zip(places["oblast"], places["oblast_centre"]))
        target = np.array([centre_of[s] for s in stated])
        level = np.full(len(rows), "oblast", dtype=object)
    lat, lon = gaz.lat[target], gaz.lon[target]
    new_geometry = geometry.copy()
    new_geometry.iloc[rows] = gpd.points_from_xy(lon, lat, crs=CRS)
    out = out.set_geometry(new_geometry)
    precision_col = current.astype(object).to_numpy().copy()
    precision_col[rows] = level
    out["location_precision"] = precision_col
    if "latitude" in out.columns and "longitude" in out.columns:
        out["latitude"] = out["latitude"].astype(float)
        out["longitude"] = out["longitude"].astype(float)
        out.iloc[rows, out.columns.get_loc("latitude")] = lat
        out.iloc[rows, out.columns.get_loc("longitude")] = lon
    return _geometry_last(out)


def _row_oblasts(rows: pd.DataFrame, fallback: np.ndarray) -> list[str]:
    """Oblast ISO per row: geocoded_oblast, else a valid ``oblast``, else ``fallback``."""
    out = []
    for i in range(len(rows)):
        iso = ""
        for column in ("geocoded_oblast", "oblast"):
            value = rows[column].iat[i] if column in rows.columns else None
            if isinstance(value, str) and value:
                try:
                    iso = oblast(value).iso
                    break
                except UnknownOblastError:
                    continue
        out.append(iso or fallback[i])
    return out
