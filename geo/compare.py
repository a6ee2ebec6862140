"""How do strikes on two groups of regions differ? Comparison statistics as a tidy table.

:func:`compare` returns one row per metric with the value for each group, the difference
(a - b) where both values are numbers, the test used and its p-value. Tests (scipy.stats):
Fisher's exact test for the foreign-owned share, Mann-Whitney U (two-sided) for casualties
per incident and for depth, chi-square tests of independence for the weapon and target
mixes. A test is run only when each group has at least :data:`MIN_TEST_N` known values;
otherwise the note says "n < 5: no test" and the p-value stays empty. Unknown values
(empty casualty counts, unknown ownership) are left out of that metric, and the note says
how many values each group had.

Example:
    >>> import incidents, geo
    >>> table = geo.compare(incidents.sample(), "west", "east")
    >>> table.columns.tolist()
    ['metric', 'west', 'east', 'difference', 'test', 'p_value', 'note']
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod

import incidents
from geo.comparison import Comparison
from geo.names import SchemeLike

__all__ = ["compare", "compare_timeline", "MIN_TEST_N"]

#: Fewer known values than this in either group: the metric is reported without a test.
MIN_TEST_N = 5
_SMALL = f"n < {MIN_TEST_N}: no test"


def _regions(gdf, scheme):
    """The frame assigned to groups of ``scheme`` (reusing an assignment made with it)."""
    from geo.names import resolve_scheme as get_scheme
    from geo.query import check_frame
    from geo.regions import assign_regions

    check_frame(gdf, "geo.compare")
    chosen = get_scheme(scheme)
    if gdf.attrs.get("region_scheme") == chosen.name and "macro_region" in gdf.columns:
        return gdf, chosen
    return assign_regions(gdf, chosen), chosen


def compare(gdf: gpd.GeoDataFrame, a: str = "west", b: str = "east", scheme: SchemeLike = "macro", *,
            registry: incidents.OwnershipRegistry | None = None, site_km: float = 1.0) -> Comparison:
    """Compare incidents in group ``a`` with group ``b`` of ``scheme`` (see :func:`geo.scheme`).

    Metrics: incidents; incidents per 10,000 km² (group area from the boundaries, geodesic);
    share on foreign-owned sites (Fisher exact); top 5 owner countries; killed and injured
    (totals, per incident, Mann-Whitney U); weapon mix and target_type mix (chi-square);
    depth from the Russian land border in km (median, 90th percentile, Mann-Whitney U; this
    is not depth from the front line, see :func:`geo.distance_to_border`); first and last date;
    registered foreign sites of ``registry`` (default: shipped) placed in each group, how many
    were hit (an incident within ``site_km`` km, or tagged to the owner there) and the share
    hit (Fisher exact; see :func:`geo.exposure`). For incidents per month use
    :func:`compare_timeline`.
    """
    from geo.query import distance_to_border

    assigned, chosen = _regions(gdf, scheme)
    a, b = chosen.pair(a, b)  # "West" is west; a group the scheme lacks is a GroupError
    groups = assigned["macro_region"]
    parts = {g: assigned[(groups == g).to_numpy(dtype=bool)] for g in (a, b)}
    rows: list[dict] = []
    units: dict[str, str] = {}
    #: metric -> (unit, [(category, value a, value b), ...]): rows shown under the metric.
    breakdowns: dict[str, tuple[str, list[tuple]]] = {}

    def row(metric, va, vb, test=None, p=None, note="", unit="count"):
        """One metric; ``unit`` (count, share, rate, mean, km, text) says how it is shown."""
        diff = va - vb if unit != "text" and _is_number(va) and _is_number(vb) else None
        rows.append({"metric": metric, a: va, b: vb, "difference": diff, "test": test,
                     "p_value": p, "note": note})
        units[metric] = unit

    n = {g: len(parts[g]) for g in (a, b)}
    row("incidents", n[a], n[b])
    area = _group_area_km2(chosen, (a, b))
    row("incidents per 10,000 km²", *(n[g] / area[g] * 1e4 if area[g] else None for g in (a, b)),
        note=f"area km²: {a} {area[a]:,.0f}, {b} {area[b]:,.0f}", unit="rate")

    _foreign_owned(parts, a, b, row)
    _registered_sites(assigned, chosen, a, b, row, registry, site_km)
    breakdowns["owner countries (top 5)"] = ("count", _owner_countries(parts, a, b, row))
    for column in ("killed", "injured"):
        _casualties(parts, a, b, column, row)
    for column in ("weapon", "target_type"):
        breakdowns[f"{column} mix"] = ("share", _mix(parts, a, b, column, row))

    depth = {g: distance_to_border(parts[g], "RU")["border_distance_km"].dropna().to_numpy() for g in (a, b)}
    test, p, note = _mann_whitney(depth[a], depth[b])
    row("depth from Russian border, median km", *(_quantile(depth[g], 0.5) for g in (a, b)), test, p,
        _join(note, "distance to the land border, not to the front line"), unit="km")
    row("depth from Russian border, 90th percentile km", *(_quantile(depth[g], 0.9) for g in (a, b)), unit="km")

    dates = {g: parts[g]["date"].dropna() if "date" in parts[g] else pd.Series(dtype="datetime64[us]") for g in (a, b)}
    row("first date", *(_date(dates[g].min()) for g in (a, b)), unit="text")
    row("last date", *(_date(dates[g].max()) for g in (a, b)), unit="text")
    return Comparison.build(rows, (a, b), units, breakdowns, scheme=chosen.name)


def compare_timeline(gdf: gpd.GeoDataFrame, a: str = "west", b: str = "east", scheme: SchemeLike = "macro",
                     freq: str = "M") -> pd.DataFrame:
    """Incidents per period (default: calendar month) in groups ``a`` and ``b``: a DataFrame
    indexed by period start with one column per group, empty periods included as 0.

    Example:
        >>> import incidents, geo
        >>> monthly = geo.compare_timeline(incidents.sample(), "west", "east")
        >>> list(monthly.columns)
        ['west', 'east']
    """
    assigned, chosen = _regions(gdf, scheme)
    a, b = chosen.pair(a, b)  # "West" is west; a group the scheme lacks is a GroupError
    frame = pd.DataFrame({"group": assigned["macro_region"].to_numpy(object), "date": assigned["date"].to_numpy()})
    frame = frame[frame["group"].isin([a, b]) & frame["date"].notna()]
    if frame.empty:
        return pd.DataFrame(columns=[a, b], dtype="int64")
    periods = frame["date"].dt.to_period(freq)
    counts = pd.crosstab(periods, frame["group"]).reindex(columns=[a, b], fill_value=0)
    full = pd.period_range(periods.min(), periods.max(), freq=periods.dt.freq)
    counts = counts.reindex(full, fill_value=0)
    counts.index = counts.index.to_timestamp()
    counts.index.name = "period"
    counts.columns.name = None
    return counts.astype("int64")


# ---- metrics ---------------------------------------------------------------------------

def _foreign_owned(parts, a, b, row) -> None:
    known = {g: parts[g]["foreign_owned"].dropna().astype(bool) if "foreign_owned" in parts[g] else pd.Series(dtype=bool)
             for g in (a, b)}
    share = {g: float(known[g].mean()) if len(known[g]) else None for g in (a, b)}
    note = f"known: {a} {len(known[a])}, {b} {len(known[b])}"
    if min(len(known[a]), len(known[b])) < MIN_TEST_N:
        row("share on foreign-owned sites", share[a], share[b], note=_join(_SMALL, note), unit="share")
        return
    from scipy.stats import fisher_exact

    table = [[int(known[g].sum()), int((~known[g]).sum())] for g in (a, b)]
    row("share on foreign-owned sites", share[a], share[b], "Fisher exact", float(fisher_exact(table).pvalue), note,
        unit="share")


def _registered_sites(assigned, chosen, a, b, row, registry, km) -> None:
    """The denominator: registered foreign sites placed in each group and how many were hit."""
    from geo.site_exposure import NOTE, exposure_sites

    sites = exposure_sites(assigned, registry, km, chosen)
    group = sites["macro_region"].astype(object).to_numpy()
    placed = sites["placed_by"].notna().to_numpy()
    hit = sites["hit"].to_numpy(bool) & placed
    n = {g: int((placed & (group == g)).sum()) for g in (a, b)}
    k = {g: int((hit & (group == g)).sum()) for g in (a, b)}
    unplaced = {g: int((~placed & (group == g)).sum()) for g in (a, b)}
    row("registered foreign sites", n[a], n[b],
        note=f"placed from the registry's coordinates or the gazetteer; unplaced: {a} {unplaced[a]}, {b} {unplaced[b]}")
    row("registered foreign sites hit", k[a], k[b],
        note=f"an incident within {km:g} km, or tagged to the owner in the site's settlement")
    share = {g: k[g] / n[g] if n[g] else None for g in (a, b)}
    note = f"sites: {a} {n[a]}, {b} {n[b]}; {NOTE}"
    if min(n.values()) < MIN_TEST_N:
        row("share of registered foreign sites hit", share[a], share[b], note=_join(_SMALL, note), unit="share")
        return
    from scipy.stats import fisher_exact

    table = [[k[g], n[g] - k[g]] for g in (a, b)]
    row("share of registered foreign sites hit", share[a], share[b], "Fisher exact",
        float(fisher_exact(table).pvalue), note, unit="share")


def _owner_countries(parts, a, b, row) -> list[tuple[str, int, int]]:
    """The top-5 row, and each country in either group's top 5 counted in both, for display."""
    counts = {}
    for g in (a, b):
        known = parts[g]["owner_country"].dropna().astype(str) if "owner_country" in parts[g] else pd.Series(dtype=str)
        known = known[known.str.strip() != ""].value_counts()
        counts[g] = known.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    row("owner countries (top 5)", *(", ".join(f"{country} {count}" for country, count in counts[g].head(5).items())
                                     for g in (a, b)), unit="text")
    shown = list(dict.fromkeys([*counts[a].head(5).index, *counts[b].head(5).index]))
    both = [(str(c), int(counts[a].get(c, 0)), int(counts[b].get(c, 0))) for c in shown]
    return sorted(both, key=lambda item: -(item[1] + item[2]))


def _casualties(parts, a, b, column, row) -> None:
    values = {g: pd.to_numeric(parts[g][column], errors="coerce").dropna().to_numpy(float) if column in parts[g]
              else np.array([]) for g in (a, b)}
    note = f"known: {a} {len(values[a])}, {b} {len(values[b])}"
    row(f"{column}, total", *(int(values[g].sum()) for g in (a, b)), note=note)
    test, p, small = _mann_whitney(values[a], values[b])
    row(f"{column} per incident", *(float(values[g].mean()) if len(values[g]) else None for g in (a, b)),
        test, p, _join(small, note), unit="mean")


def _mix(parts, a, b, column, row) -> list[tuple[str, float, float]]:
    """The mix row (test on the counts) and each category's share per group, for display."""
    counts = {g: parts[g][column].dropna().astype(str).value_counts() if column in parts[g] else pd.Series(dtype=int)
              for g in (a, b)}

    def describe(c):
        total = c.sum()
        ordered = c.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
        return ", ".join(f"{k} {v / total:.0%}" for k, v in ordered.items()) if total else ""

    n = {g: int(counts[g].sum()) for g in (a, b)}
    note = f"known: {a} {n[a]}, {b} {n[b]}"
    table = pd.concat([counts[a], counts[b]], axis=1).fillna(0)
    table = table.sort_index(kind="stable")
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    shares = [(str(category), *(float(table.iloc[i, k] / n[g]) if n[g] else None for k, g in enumerate((a, b))))
              for i, category in enumerate(table.index)]
    if min(n.values()) < MIN_TEST_N or len(table) < 2:
        row(f"{column} mix", describe(counts[a]), describe(counts[b]),
            note=_join(_SMALL if min(n.values()) < MIN_TEST_N else "one category only: no test", note), unit="text")
        return shares
    from scipy.stats import chi2_contingency

    result = chi2_contingency(table.to_numpy().T)
    if (result.expected_freq < 5).any():
        note = _join(note, "some expected counts < 5: chi-square approximate")
    row(f"{column} mix", describe(counts[a]), describe(counts[b]), "chi-square", float(result.pvalue), note,
        unit="text")
    return shares


def _mann_whitney(x: np.ndarray, y: np.ndarray) -> tuple[str | None, float | None, str]:
    if min(len(x), len(y)) < MIN_TEST_N:
        return None, None, _SMALL
    from scipy.stats import mannwhitneyu

    return "Mann-Whitney U", float(mannwhitneyu(x, y, alternative="two-sided").pvalue), ""


def _group_area_km2(chosen, groups) -> dict[str, float]:
    from geo.boundaries import macro_region_outlines

    table = macro_region_outlines(chosen)
    outlines = dict(zip(table["group"], table.geometry))
    geod = Geod(ellps="WGS84")
    return {g: abs(geod.geometry_area_perimeter(outlines[g])[0]) / 1e6 if g in outlines else 0.0 for g in groups}


def _quantile(values: np.ndarray, q: float) -> float | None:
    return float(np.quantile(values, q)) if len(values) else None


def _date(value) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) and value == value


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)
