"""Turn an incident frame into the compact columnar payload the incident layer draws.

One payload per layer, no per-incident Python objects: coordinates, day numbers,
dictionary-coded categories (weapon, owner, oblast, casualty figures, ...) and source-URL
indices as numpy arrays (base64 typed arrays in the page, see maps.columns), free text
(id, target, notes, the user's columns) as the text of one JSON list each, made by Arrow
(:func:`maps.safety.script_json_texts`). Colours and radii are decided here, so the legend
and the circles come from the same numbers.

Example:
    >>> import geopandas, shapely, pandas as pd
    >>> gdf = geopandas.GeoDataFrame(
    ...     {"id": ["synthetic-1"], "date": pd.to_datetime(["2025-08-21"]),
    ...      "sources": [["https://example.org/a", "javascript:x"]]},
    ...     geometry=[shapely.Point(22.718, 48.44)], crs="EPSG:4326")
    >>> p = build(gdf)
    >>> p.data["lat"].tolist(), p.data["dicts"]["sources"].text, p.dropped_links
    ([48.44], '["https://example.org/a"]', 1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa

from geo.regions import REGION_COLUMNS  # added by geo.assign_regions; not user columns
from incidents.countries import country_name
from incidents.ownership.tagging import TAG_COLUMNS
from incidents.schema import COLUMNS
from maps.columns import NO_DAY, compact, day_numbers, source_index
from maps.safety import JSONText, script_json_texts
from maps.search import fold_table, variants
from incidents.schema import words

#: Columns the popup shows through dictionaries (few distinct values, repeated often;
#: places repeat too: settlements are hit again and again).
CODED = (
    "place", "weapon", "target_type", "owner_country", "oblast_name", "location_precision",
    "owner_company", "sector", "macro_region", "date_precision", "foreign_owned",
    "ownership_reason",
)
#: Bookkeeping columns added by geo.geocode (geo exports no list of them) and by
#: incidents.tag_ownership: never shown in a popup unless asked for by name
#: (``popup_columns``); the popup says the same in words (location precision, why this owner).
PIPELINE_COLUMNS = ("geocoded_name", "geocode_source", "geocode_score", "geocode_candidates",
                    "geocoded_oblast", "geocode_flag", "geocode_error", *TAG_COLUMNS)
#: Location precision in words: what the marker's position stands for.
LOCATION_WORDS = {
    "exact": "exact site",
    "settlement": "settlement centre, not the exact site",
    "hromada": "centre of the hromada (community), not the exact site",
    "raion": "centre of the raion (district), not the exact site",
    "oblast": "somewhere in the oblast (marker at its centre)",
}
COLOR_BY = ("foreign_owned", "owner_country", "weapon", "target_type")
SIZE_BY = ("casualties", "killed", "injured", None)

#: Unknown is the same dark grey in every colouring; "other" (categories beyond the
#: palette) a light grey. Every pair of map colours stays apart for colour-blind readers:
#: CAM02-UCS distance >= 10 under simulated deuteranomaly, protanomaly and tritanomaly
#: (colorspacious, severity 100), checked by tests/test_maps_palette.py.
UNKNOWN_COLOR = "#686868"
OTHER_COLOR = "#d8d8d8"
FOREIGN_COLORS = {"foreign-owned": "#d62728", "domestic": "#1f77b4", "unknown": UNKNOWN_COLOR}
#: Categorical palette: Okabe-Ito's eight colours (the ten-colour palette before it added
#: two that colour-blind readers cannot tell from its sky blue).
PALETTE = ("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7",
           "#000000")
MIN_RADIUS, MAX_RADIUS = 4, 18
#: Above this many circles, draw them without outlines: stroking every circle doubles the
#: canvas work (100,000 circles: first draw ~2 s -> ~1 s in headless Chromium).
OUTLINE_LIMIT = 20_000


@cache
def country_label(code: str) -> str:
    """'US' -> 'United States (US)'; unknown codes are shown as given.

    >>> country_label("US"), country_label("ZZ")
    ('United States (US)', 'ZZ')
    """
    name = country_name(code)
    return f"{name} ({code.upper()})" if name else code


@dataclass
class Payload:
    """The layer data plus what the legend needs to say about it."""

    data: dict
    #: (label, colour, count) for each legend swatch.
    legend: list[tuple[str, str, int]]
    #: ids (or row numbers) of incidents without coordinates, which are not drawn.
    missing_geometry: list[str]
    dropped_links: int = 0
    size_note: str = ""
    bounds: list[list[float]] | None = field(default=None)


def _text(series: pd.Series) -> list[str]:
    """Strings with unknown as '' (vectorised: no per-value Python checks)."""
    return series.astype("string").fillna("").to_numpy(dtype=object).tolist()


def _text_json(series: pd.Series) -> JSONText:
    """:func:`_text` as the page's JSON list, made by Arrow: no Python string per row."""
    return script_json_texts(pa.array(series.astype("string").fillna("")))


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _column(gdf: pd.DataFrame, name: str) -> pd.Series:
    if name in gdf.columns:
        return gdf[name]
    return pd.Series([None] * len(gdf), index=gdf.index, dtype=object)


def _display(name: str, value) -> str:
    """Human text of one known value of a coded column ('cruise_missile' -> 'cruise missile')."""
    if name == "owner_country":
        return country_label(str(value))
    if name == "foreign_owned":
        return "yes" if value else "no"
    if name == "macro_region":
        return str(value).title()
    if name == "location_precision":
        return LOCATION_WORDS.get(str(value), words(value))
    if name in ("weapon", "target_type"):
        return words(value)
    return str(value)


def _coded(name: str, series: pd.Series) -> tuple[list[str], np.ndarray]:
    """Dictionary-encode the display text of a column: code 0 is always '' (unknown).

    Works on the distinct values only, so 100,000 rows cost one factorize.
    """
    raw_codes, uniques = pd.factorize(series, use_na_sentinel=True)
    shown = [""] + ["" if _missing(u) else _display(name, u) for u in uniques]
    dictionary = [""] + sorted({t for t in shown if t})
    position = {text: k for k, text in enumerate(dictionary)}
    remap = np.array([position[t] for t in shown], dtype=np.int64)
    return dictionary, compact(remap[raw_codes + 1], len(dictionary))


def casualty_figures(rows: pd.DataFrame, name: str) -> tuple[list, np.ndarray]:
    """Popup figures of one casualty column, once per distinct (value, low, high), and
    which of them each row shows: 23, '2–5', '3 (2–5)', or None when unknown (the range is
    shown whenever a low or high figure is given). No Python object per row: a million
    rows hold a few hundred distinct figures.

    >>> figures, which = casualty_figures(pd.DataFrame({"injured": [23, None, 7, 23],
    ...     "injured_low": [15, 2, None, 15], "injured_high": [23, 5, None, 23]}), "injured")
    >>> figures, which.tolist()
    (['23 (15–23)', '2–5', 7], [0, 1, 2, 0])
    """
    def ints(column):
        return pd.to_numeric(_column(rows, column), errors="coerce").astype("Int64")

    figures = pd.DataFrame({"value": ints(name), "low": ints(f"{name}_low"), "high": ints(f"{name}_high")})
    which = figures.groupby(list(figures.columns), dropna=False, sort=False).ngroup().to_numpy()
    one = np.zeros(int(which.max(initial=-1)) + 1, dtype=np.int64)
    one[which] = np.arange(len(which))  # a row of each group: all of a group's rows are alike
    value, low, high = (column for _, column in figures.iloc[one].items())
    span = (low.astype("string").fillna("?") + "\u2013" + high.astype("string").fillna("?"))
    ranged = (value.astype("string") + " (" + span + ")").fillna(span)
    out = value.astype(object).where(value.notna(), None)
    has_range = (low.notna() | high.notna()).to_numpy()
    out[has_range] = ranged[has_range].astype(object)
    return out.to_numpy(dtype=object).tolist(), which


def _casualties(gdf: pd.DataFrame, size_by: str | None) -> np.ndarray:
    """Number that sets the circle size (NaN when unknown)."""
    def best(name):
        # The reported figure, else the low end of a range (never an invented midpoint).
        col = pd.to_numeric(_column(gdf, name), errors="coerce").astype("float64")
        low = pd.to_numeric(_column(gdf, f"{name}_low"), errors="coerce").astype("float64")
        return col.fillna(low).to_numpy()

    if size_by is None:
        return np.full(len(gdf), np.nan)
    if size_by == "casualties":
        killed, injured = best("killed"), best("injured")
        both_missing = np.isnan(killed) & np.isnan(injured)
        total = np.nan_to_num(killed) + np.nan_to_num(injured)
        return np.where(both_missing, np.nan, total)
    return best(size_by)


def radii(values: np.ndarray) -> np.ndarray:
    """Circle radius in pixels (uint8): area grows with the value, capped at MAX_RADIUS."""
    r = MIN_RADIUS + 2.0 * np.sqrt(np.nan_to_num(values, nan=0.0).clip(min=0))
    return np.minimum(r, MAX_RADIUS).round().astype(np.uint8)


def _colors(color_by: str, dictionary: list[str], codes: np.ndarray
            ) -> tuple[list[str], np.ndarray, list[str]]:
    """(colours, colour code per row, label per colour) from a coded column."""
    codes = np.asarray(codes, dtype=np.int64)
    if color_by == "foreign_owned":
        # dictionary holds '', 'no', 'yes' (those present); map to foreign/domestic/unknown.
        slot = {"yes": 0, "no": 1, "": 2}
        remap = np.array([slot[t] for t in dictionary], dtype=np.int64)
        return list(FOREIGN_COLORS.values()), remap[codes].astype(np.uint8), list(FOREIGN_COLORS)
    counts = np.bincount(codes, minlength=len(dictionary))
    counts[0] = 0  # unknown never takes a palette colour
    top = [k for k in np.argsort(-counts, kind="stable")[: len(PALETTE)] if counts[k] > 0]
    labels = [dictionary[k] for k in top] + ["other", "unknown"]
    colors = list(PALETTE[: len(top)]) + [OTHER_COLOR, UNKNOWN_COLOR]
    remap = np.full(len(dictionary), len(top), dtype=np.int64)  # default: other
    remap[top] = np.arange(len(top))
    remap[0] = len(top) + 1
    return colors, remap[codes].astype(np.uint8), labels


#: Columns added by geo.corroborate; the popup says them in one line (:func:`fire_text`).
FIRE_COLUMNS = ("fire_detections", "fire_nearest_km", "fire_first_seen", "fire_max_frp")


def fire_text(rows: pd.DataFrame, km: float = 2.0) -> list[str]:
    """Popup line on satellite fire detections per incident (from geo.corroborate's columns):
    '2 within 2 km (first 00:05 UTC 21 Aug, max FRP 22.4 MW)', 'none within 2 km', or ''
    where the incident was not checked (count <NA>) or the frame was never corroborated.

    >>> fire_text(pd.DataFrame({"fire_detections": pd.array([2, 0, None], dtype="Int64"),
    ...     "fire_first_seen": pd.to_datetime(["2025-08-21 00:05", None, None]),
    ...     "fire_max_frp": [22.4, None, None]}))
    ['2 within 2 km (first 00:05 UTC 21 Aug, max FRP 22.4 MW)', 'none within 2 km', '']
    """
    if "fire_detections" not in rows.columns:
        return [""] * len(rows)
    within = f"within {km:g} km"
    count = pd.to_numeric(rows["fire_detections"], errors="coerce").astype("Int64")
    first = pd.to_datetime(_column(rows, "fire_first_seen"), errors="coerce").dt.strftime("%H:%M UTC %d %b")
    frp = pd.to_numeric(_column(rows, "fire_max_frp"), errors="coerce")
    details = ("first " + first.astype("string") + ", max FRP "
               + frp.map(lambda v: f"{v:g}", na_action="ignore").astype("string") + " MW")
    found = count.astype("string") + f" {within} (" + details + ")"
    text = found.fillna(count.astype("string") + f" {within}")  # detail missing: the count alone
    text = text.where((count != 0).fillna(True), f"none {within}")
    return text.fillna("").to_numpy(dtype=object).tolist()


#: FRP (MW) from which a detection takes each colour: light yellow to dark red.
FRP_COLORS = ((0, "#fecc5c"), (10, "#fd8d3c"), (50, "#f03b20"), (200, "#bd0026"))


def fire_detections(detections: pd.DataFrame) -> dict:
    """Columnar payload of FIRMS detections (incidents.load) for maps.layers.FireLayer:
    position, radius and colour by FRP, and one tooltip text per detection (time UTC,
    satellite and instrument, confidence, FRP). Detections without a point are not drawn.

    >>> import geopandas, shapely
    >>> d = geopandas.GeoDataFrame({"detected_at": pd.to_datetime(["2025-08-21 11:42"]),
    ...     "satellite": ["Suomi NPP"], "instrument": ["VIIRS"], "confidence": ["high"],
    ...     "frp": [22.4]}, geometry=[shapely.Point(22.72, 48.44)], crs=4326)   # synthetic
    >>> fire_detections(d)["tip"]
    ['2025-08-21 11:42 UTC · Suomi NPP VIIRS · confidence high · FRP 22.4 MW']
    """
    geom = detections.geometry
    if geom.crs is not None and not geom.crs.equals("EPSG:4326"):
        geom = geom.to_crs("EPSG:4326")
    drawn = (~(geom.isna() | geom.is_empty)).to_numpy()
    rows, geom = detections[drawn], geom[drawn]
    frp = pd.to_numeric(_column(rows, "frp"), errors="coerce").to_numpy(float)
    when = pd.to_datetime(_column(rows, "detected_at"), errors="coerce").dt.strftime("%Y-%m-%d %H:%M UTC")
    by = (_column(rows, "satellite").astype("string").fillna("") + " "
          + _column(rows, "instrument").astype("string").fillna("")).str.strip()
    parts = [when.astype("string"), by.replace("", pd.NA),
             "confidence " + _column(rows, "confidence").astype("string"),
             "FRP " + pd.Series(frp, index=rows.index).map(lambda v: f"{v:g}", na_action="ignore").astype("string") + " MW"]
    tips = [" \u00b7 ".join(p for p in row if isinstance(p, str) and p) for row in zip(*parts)]
    edges = np.array([edge for edge, _ in FRP_COLORS[1:]])
    shade = np.searchsorted(edges, np.nan_to_num(frp, nan=0.0), side="right")
    return {"lat": np.round(geom.y.to_numpy(), 5).tolist(), "lon": np.round(geom.x.to_numpy(), 5).tolist(),
            "r": np.minimum(3 + np.sqrt(np.nan_to_num(frp, nan=0.0).clip(min=0)), 12).round(1).tolist(),
            "color": [FRP_COLORS[k][1] for k in shade], "tip": tips}


def user_columns(gdf: pd.DataFrame) -> list[str]:
    """The user's own columns: neither incident, region nor pipeline columns, nor geometry."""
    known = (set(COLUMNS) | set(REGION_COLUMNS) | set(PIPELINE_COLUMNS) | set(FIRE_COLUMNS)
             | {gdf.geometry.name})
    return [c for c in gdf.columns if c not in known]


def build(gdf, color_by: str = "foreign_owned", size_by: str | None = "casualties",
          color_scheme: tuple | None = None, extra_columns: list[str] | None = None,
          fire_km: float = 2.0) -> Payload:
    """Columnar payload of the incidents that have coordinates.

    ``color_scheme`` (colours, labels) from another payload keeps two maps consistent;
    rows are then coded by label. ``extra_columns``: user columns shown in the popup
    (default: every column that is neither an incident column nor a region column).
    ``fire_km``: the radius geo.corroborate used, said in the popup's fire line.
    """
    if color_by not in COLOR_BY:
        raise ValueError(f"color_by must be one of {COLOR_BY}, got {color_by!r}")
    if size_by not in SIZE_BY:
        raise ValueError(f"size_by must be one of {SIZE_BY}, got {size_by!r}")
    geom = gdf.geometry
    has_xy = (~(geom.isna() | geom.is_empty)).to_numpy()
    lacking = np.flatnonzero(~has_xy)
    missing = [i or f"row {k}" for i, k in zip(_text(_column(gdf, "id").iloc[lacking]), lacking)]
    # No copy of a frame whose incidents all have coordinates (a million rows: ~0.5 GB).
    rows = gdf[has_xy] if len(lacking) else gdf
    xs = np.round(rows.geometry.x.to_numpy(), 5)
    ys = np.round(rows.geometry.y.to_numpy(), 5)

    dicts, codes = {}, {}
    for name in CODED:
        dicts[name], codes[name] = _coded(name, _column(rows, name))
    colors, color_codes, labels = _colors(color_by, dicts[color_by], codes[color_by])
    if color_scheme is not None:
        colors, all_labels = color_scheme
        position = {label: k for k, label in enumerate(all_labels)}
        other = position.get("other", len(all_labels) - 1)
        remap = np.array([position.get(label, other) for label in labels], dtype=np.uint8)
        color_codes = remap[color_codes]
        labels = list(all_labels)
    counts = np.bincount(color_codes, minlength=len(colors))
    legend = [(lab, col, int(cnt)) for lab, col, cnt in zip(labels, colors, counts)]

    dicts["sources"], src_start, src, dropped = source_index(_column(rows, "sources"))
    for name in ("killed", "injured"):
        figures, which = casualty_figures(rows, name)
        dicts[name], figure_codes = _coded(name, pd.Series(figures, dtype=object))
        codes[name] = figure_codes[which]
    day = day_numbers(_column(rows, "date"))
    end = day_numbers(_column(rows, "date_end"))
    dated = (day != NO_DAY) & (end != NO_DAY) & (end > day)
    dur = np.where(dated, end.astype(np.int64) - day, 0)
    dur = compact(dur, int(dur.max(initial=0)) + 1)

    extra = user_columns(rows) if extra_columns is None else list(extra_columns)
    data = {
        "lat": ys, "lon": xs, "id": _text_json(_column(rows, "id")), "day": day, "dur": dur,
        "target": _text_json(_column(rows, "target")),
        "notes": _text_json(_column(rows, "notes")), "fire": fire_text(rows, fire_km),
        "src_start": src_start, "src": src, "codes": codes, "dicts": dicts,
        "c": color_codes, "colors": colors, "r": radii(_casualties(rows, size_by)),
        "outline": len(ys) <= OUTLINE_LIMIT,
        # Search: other spellings of each place, and how the browser folds text.
        "spellings": variants(dicts["place"]), "fold": fold_table(),
        "extra": {"names": [str(c) for c in extra],
                  "values": [_text_json(rows[c].astype(object)) for c in extra]},
    }
    bounds = [[float(ys.min()), float(xs.min())], [float(ys.max()), float(xs.max())]] if len(ys) else None
    size_note = "" if size_by is None else (
        f"Circle area grows with {'killed + injured' if size_by == 'casualties' else size_by}; "
        "smallest circles: none or not reported.")
    return Payload(data, legend, missing, dropped, size_note, bounds)
