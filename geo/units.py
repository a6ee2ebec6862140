"""Raion (ADM2) and hromada (ADM3) units from official boundary files, keyed so that they
join the gazetteer's KATOTTG hierarchy.

OCHA COD-AB p-codes are KATOTTG ids cut short: hromada ``UA0502003`` is the first nine
characters of KATOTTG ``UA05020030000031457``, raion ``UA0502`` the first six of
``UA05020000000026686``. A unit's ``code`` is the KATOTTG id the gazetteer knows for its
p-code, else the p-code itself; ``pcode`` keeps the p-code.

Example:
    >>> katottg_ids("hromada", ["UA0502003", "UA9999999"])
    ['UA05020030000031457', 'UA9999999']
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import DATA
from incidents.oblasts import UnknownOblastError, oblast

__all__ = ["read_units", "katottg_ids", "UNIT_COLUMNS"]

UNIT_COLUMNS = ["code", "pcode", "name", "oblast", "geometry"]
#: ADM level and p-code length per level (UA + 2 oblast + 2 raion + 3 hromada digits).
_ADM = {"raion": (2, 6), "hromada": (3, 9)}


@cache
def _katottg(level: str) -> dict[str, str]:
    column = f"{level}_id"
    ids = pd.read_parquet(DATA / "gazetteer_places.parquet", columns=[column])[column].dropna()
    ids = ids[ids.str.len() > 0].unique()
    return {i[: _ADM[level][1]]: i for i in ids}


def katottg_ids(level: str, pcodes) -> list[str]:
    """The KATOTTG id of each OCHA p-code of ``level`` ("raion", "hromada"), from the
    gazetteer's hierarchy; a p-code the gazetteer does not know is returned unchanged."""
    table = _katottg(level)
    return [table.get(str(p), str(p)) for p in pcodes]


def read_units(raw: gpd.GeoDataFrame, path: str | Path, level: str) -> gpd.GeoDataFrame:
    """Units of ``level`` from a boundary file already read: GeoDataFrame(code, pcode, name,
    oblast, geometry) in EPSG:4326, one row per unit (rows of one unit merged).

    Recognises OCHA COD-AB (``ADM2_PCODE``/``ADM2_EN`` for raions, ``ADM3_*`` for
    hromadas; the oblast is the p-code's first four characters), geoBoundaries
    (``shapeID``/``shapeName``; the oblast is the active oblast holding a point inside the
    unit) and this library's own layout (``code``, ``name``, ``oblast``). Raises
    ``ValueError`` naming the file, row, field and reason.
    """
    n, _ = _ADM[level]
    lower = {c.lower(): c for c in raw.columns}
    raw = _lon_lat(raw, path)
    if f"adm{n}_pcode" in lower:
        convention = "OCHA COD-AB"
        pcodes = raw[lower[f"adm{n}_pcode"]].astype(str)
        names = raw[lower.get(f"adm{n}_en", lower[f"adm{n}_pcode"])].astype(str)
        isos = [_oblast_of(path, row, f"ADM{n}_PCODE", str(p)[:4]) for row, p in pcodes.items()]
        codes = katottg_ids(level, pcodes)
    elif "shapeid" in lower:
        convention = "geoBoundaries"
        pcodes = raw[lower["shapeid"]].astype(str)
        names = raw[lower.get("shapename", lower["shapeid"])].astype(str)
        isos = _oblast_by_position(raw.geometry.values, path)
        codes = list(pcodes)
    elif {"code", "name", "oblast"} <= set(lower):
        convention = "incident-mapper"
        codes = list(raw[lower["code"]].astype(str))
        pcodes = raw[lower["pcode"]].astype(str) if "pcode" in lower else pd.Series(codes, index=raw.index)
        names = raw[lower["name"]].astype(str)
        isos = [_oblast_of(path, row, "oblast", v) for row, v in raw[lower["oblast"]].items()]
    else:
        raise ValueError(f"{path}: cannot tell which {level} each row is: expected ADM{n}_PCODE (OCHA), "
                         f"shapeID (geoBoundaries) or code/name/oblast; found {list(raw.columns)}")
    geoms = shapely.make_valid(raw.geometry.values)
    units = gpd.GeoDataFrame({"code": codes, "pcode": list(pcodes), "name": list(names), "oblast": isos,
                              "geometry": geoms}, crs="EPSG:4326")
    units = units.dissolve("code", aggfunc="first", sort=False).reset_index()[UNIT_COLUMNS]
    units.attrs["source"] = f"{path} ({convention}, {level})"
    return units


def _lon_lat(raw: gpd.GeoDataFrame, path) -> gpd.GeoDataFrame:
    if raw.crs is None:
        minx, miny, maxx, maxy = raw.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise ValueError(f"{path}: no CRS and coordinates are not longitude/latitude")
        return raw.set_crs("EPSG:4326")
    return raw.to_crs("EPSG:4326")


def _oblast_of(path, row, field: str, value: str) -> str:
    try:
        return oblast(value).iso
    except (UnknownOblastError, TypeError) as err:
        raise ValueError(f"{path}: row {row}, {field}={value!r}: {err}") from None


def _oblast_by_position(geoms: np.ndarray, path) -> list:
    from geo.locate import locate_points

    points = shapely.point_on_surface(geoms)
    isos, _, _ = locate_points(shapely.get_x(points), shapely.get_y(points))
    return list(isos)
