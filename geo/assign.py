"""Assigning rows to oblasts, raions, hromadas and macro-region groups (geo.assign_regions).

Separate from :mod:`geo.regions` (the schemes) because it changes with the boundary data
and the precedence rules (gazetteer, coordinates, stated oblast), not with the schemes.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.regions import _ISOS, OBLASTS, Scheme, UnknownOblastError, oblast
from geo.regions import scheme as get_scheme

__all__ = ["assign_regions", "REGION_COLUMNS"]


# ---- assigning rows to oblasts and groups -------------------------------------------------

#: Columns written by assign_regions, in order.
REGION_COLUMNS = ("oblast_name", "raion", "raion_code", "hromada", "hromada_code", "macro_region", "region_flag",
                  "oblast_source", "oblast_stated", "oblast_conflict")


def assign_regions(gdf: gpd.GeoDataFrame, scheme: str | Path | dict | Scheme = "macro", *,
                   near_km: float | None = None) -> gpd.GeoDataFrame:
    """Set each row's oblast and macro-region; returns a new GeoDataFrame.

    Columns written (``oblast`` in place, the others added before ``geometry``):

    * ``oblast``: ISO 3166-2:UA code. From ``geocoded_oblast`` where that column holds a
      value (set by geo.geocode from the gazetteer's official hierarchy, which decides even
      where a generalised polygon disagrees); else from the coordinates
      (the unit containing the point, or the nearest one within ``near_km``); else, for rows
      without coordinates, the stated ``oblast``. Points outside Ukraine get none.
    * ``oblast_name``: English name. ``raion``, ``raion_code``, ``hromada``, ``hromada_code``:
      the raion and hromada (name; KATOTTG id, else OCHA p-code) whose polygon holds the
      point (or nearest within ``near_km``): the shipped 2020 units (OPORA, keyed to
      KATOTTG) or those loaded with ``geo.load_boundaries(path, level="raion"|"hromada")``;
      None outside them, and None where that unit lies in another oblast than the one
      decided above (the gazetteer's hierarchy wins). ``macro_region``: the group of ``scheme`` (see
      :func:`scheme`; lower-case names, None where the scheme has no group).
    * ``region_flag``: ``inside``; ``near_border`` (outside the outline but within
      ``near_km``, 10 km by default, e.g. places the generalised coast or border leaves
      just outside, or points on a reservoir the units leave out;
      assigned to the nearest unit); ``outside_ukraine`` (kept, not dropped);
      ``no_geometry``.
    * ``oblast_source``: ``gazetteer``, ``coordinates`` or ``stated``.
    * ``oblast_stated`` and ``oblast_conflict``: where the stated oblast disagrees with the
      one found, the stated code is kept in ``oblast_stated`` and ``oblast_conflict`` is True.

    Stated oblasts may be any name or code :func:`oblast` knows; a value it does not know is
    an error naming the row. Vectorised: no Python loop over rows.

    Example:
        >>> import geopandas, shapely, geo
        >>> gdf = geopandas.GeoDataFrame({"id": ["a"]}, geometry=[shapely.Point(22.72, 48.44)], crs=4326)
        >>> geo.assign_regions(gdf)[["oblast", "macro_region", "region_flag"]].iloc[0].tolist()
        ['UA-21', 'west', 'inside']
    """
    from geo import boundaries, locate

    chosen = get_scheme(scheme)
    out = gdf.copy(deep=False)  # copy-on-write (pandas 3): the caller's frame is never changed
    x, y = boundaries.point_lonlat(out)
    near_km = locate.NEAR_BORDER_KM if near_km is None else near_km
    which, flag, _, isos = locate.locate_rows(x, y, near_km)
    none = len(_ISOS)
    # Units are handled as positions in _ISOS (none = 27) so every step is an array lookup.
    unit_to_code = np.array([_ISOS.index(i) for i in isos] + [none])
    final = unit_to_code[which]
    source = np.where(final < none, 1, 0)  # index into _SOURCES

    stated = _normalised_codes(out, "oblast")
    geocoded = _normalised_codes(out, "geocoded_oblast")
    from_gazetteer = geocoded < none
    final[from_gazetteer] = geocoded[from_gazetteer]
    source[from_gazetteer] = 2
    keep_stated = (flag == locate.NO_COORDINATES) & ~from_gazetteer
    final[keep_stated] = stated[keep_stated]
    source[keep_stated & (stated < none)] = 3
    conflict = (stated < none) & ~keep_stated & (final != stated)

    names = {unit.iso: unit.name_en for unit in OBLASTS}
    new = {
        "oblast_name": _str_array(final, [names[i] for i in _ISOS]),
        **_sub_units(x, y, near_km, final, "raion"),
        **_sub_units(x, y, near_km, final, "hromada"),
        "macro_region": _str_array(*_factorize(chosen.assign_codes(final, x, y))),
        "region_flag": _str_array(flag, list(locate.FLAG_NAMES)),
        "oblast_source": _str_array(source - 1, list(_SOURCES[1:])),
        "oblast_stated": _str_array(np.where(conflict, stated, none), _ISOS),
        "oblast_conflict": conflict,
    }
    out["oblast"] = pd.Series(_str_array(final, _ISOS), index=out.index, copy=False)
    for column, values in new.items():
        out[column] = pd.Series(values, index=out.index, copy=False)
    geometry = out.geometry.name
    ordered = [c for c in out.columns if c != geometry and c not in new] + list(new) + [geometry]
    out = out[ordered]
    out.attrs["region_scheme"] = chosen.name
    return out


_SOURCES = np.array([None, "coordinates", "gazetteer", "stated"], dtype=object)


def _sub_units(x, y, near_km: float, final: np.ndarray, level: str) -> dict:
    """``{level: names, level_code: codes}`` per row from the active units of ``level``;
    a unit in another oblast than ``final`` is dropped."""
    from geo import boundaries, locate

    units = boundaries.load_units(level)
    # Only rows with an oblast can keep a unit (it must lie in that oblast): points outside
    # Ukraine are not searched again.
    rows = np.flatnonzero(final < len(_ISOS))
    which = np.full(len(x), -1)
    which[rows] = locate.locate_rows(x[rows], y[rows], near_km, level)[0]
    parent = np.array([_ISOS.index(i) if i in _ISOS else -1 for i in units["oblast"]] + [-2])
    which = np.where(parent[which] == final, which, -1)
    return {level: _str_array(which, units["name"]), f"{level}_code": _str_array(which, units["code"])}


def _str_array(codes: np.ndarray, labels) -> pd.api.extensions.ExtensionArray:
    """A pandas "str" array of ``labels[code]`` (missing where code is out of range), built
    through an Arrow dictionary: much faster than converting Python strings one by one."""
    import pyarrow as pa

    labels = list(labels)
    codes = np.asarray(codes)
    missing = (codes < 0) | (codes >= len(labels))
    if missing.all():
        return pd.array(pa.nulls(len(codes), pa.large_string()), dtype="str")
    indices = pa.array(np.where(missing, 0, codes).astype(np.int32), mask=missing)
    decoded = pa.DictionaryArray.from_arrays(indices, pa.array(labels or [""], pa.large_string())).dictionary_decode()
    return pd.array(decoded, dtype="str")


def _factorize(values: np.ndarray) -> tuple[np.ndarray, list]:
    codes, uniques = pd.factorize(values)
    return codes, list(uniques)


def _normalised_codes(gdf, column: str) -> np.ndarray:
    """Positions in _ISOS for a column of oblast names/codes (27 where empty); unknown
    values are an error naming the first offending row."""
    if column not in gdf.columns:
        return np.full(len(gdf), len(_ISOS), dtype=np.int64)
    values = gdf[column]
    lookup: dict[object, str] = {}
    for value in pd.unique(values.dropna()):
        if isinstance(value, str) and not value.strip():
            continue
        try:
            lookup[value] = _ISOS.index(oblast(value).iso)
        except UnknownOblastError as err:
            row = values.index[(values == value).to_numpy()][0]
            raise UnknownOblastError(f"row {row!r}, field {column!r}: {err}") from None
    return values.map(lookup).fillna(len(_ISOS)).to_numpy(dtype=np.int64)
