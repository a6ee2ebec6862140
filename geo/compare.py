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

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod

import incidents
from geo import tallies
from geo.comparison import Comparison
from geo.names import SchemeLike
from geo.names import resolve_scheme as get_scheme

__all__ = ["compare", "compare_timeline", "Tallies", "comparison", "MIN_TEST_N"]

#: Fewer known values than this in either group: the metric is reported without a test.
MIN_TEST_N = 5
_SMALL = f"n < {MIN_TEST_N}: no test"


def _regions(gdf, scheme):
    """The frame assigned to groups of ``scheme`` (reusing an assignment made with it)."""
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
    depth from the Russian land border in km, measured to the metre (median, 90th percentile,
    Mann-Whitney U; this is not depth from the front line, see :func:`geo.distance_to_border`);
    first and last date; registered foreign sites of ``registry`` (default: shipped) placed in
    each group, how many were hit (an incident within ``site_km`` km, or tagged to the owner
    there) and the share hit (Fisher exact; see :func:`geo.exposure`). For incidents per month
    use :func:`compare_timeline`.

    Every statistic is computed from the :class:`Tallies` of the frame (value counts, which
    add up exactly over parts of it): a Dask frame gives the same table from its partitions'.
    """
    assigned, chosen = _regions(gdf, scheme)
    a, b = chosen.pair(a, b)  # "West" is west; a group the scheme lacks is a GroupError
    return comparison(Tallies.merged([Tallies.of(assigned, a, b, chosen, registry, site_km)]), chosen, site_km)


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


@dataclass
class Tallies:
    """What :func:`compare` computes its statistics from, for a frame or a part of one:
    per group, the incidents, the tally (value -> count, see :mod:`geo.tallies`) of each
    compared column and the first and last date; per registered foreign site, its group,
    whether it is placed and whether an incident of these rows hit it. Parts merge exactly
    (:meth:`merged`): counts add, dates take the extremes, a site is hit if any part hit it."""

    groups: tuple[str, str]
    incidents: dict[str, int]
    counts: dict[tuple[str, str], pd.Series]  # (column, group) -> tally
    dates: dict[str, tuple]  # group -> (first, last), NaT when unknown
    sites: pd.DataFrame  # macro_region, placed, hit

    @classmethod
    def of(cls, gdf, a: str, b: str, scheme, registry=None, site_km: float = 1.0) -> Tallies:
        """The tallies of the rows of ``gdf`` (regions assigned unless already with ``scheme``)."""
        from geo.query import distance_to_border
        from geo.site_exposure import exposure_sites

        assigned, chosen = _regions(gdf, scheme)
        groups = assigned["macro_region"]
        parts = {g: assigned[(groups == g).to_numpy(dtype=bool)] for g in (a, b)}
        counts = {}
        for g, part in parts.items():
            for column in ("foreign_owned", "owner_country", "weapon", "target_type"):
                counts[column, g] = _labels(part, column)
            for column in ("killed", "injured"):
                counts[column, g] = tallies.tally(part[column] if column in part else [])
            km = distance_to_border(part, "RU")["border_distance_km"].to_numpy(float)
            counts["depth_m", g] = tallies.tally(np.round(km * 1000))  # to the metre: few distinct values
        dates = {g: parts[g]["date"].dropna() if "date" in parts[g] else pd.Series(dtype="datetime64[us]")
                 for g in (a, b)}
        sites = exposure_sites(assigned, registry, site_km, chosen)
        return cls((a, b), {g: len(parts[g]) for g in (a, b)}, counts,
                   {g: (dates[g].min(), dates[g].max()) for g in (a, b)},
                   pd.DataFrame({"macro_region": sites["macro_region"].astype(object).to_numpy(),
                                 "placed": sites["placed_by"].notna().to_numpy(),
                                 "hit": sites["hit"].to_numpy(bool)}))

    @classmethod
    def merged(cls, parts: list[Tallies]) -> Tallies:
        """The tallies of all the rows of ``parts`` (tallies of the same groups and sites)."""
        first = parts[0]
        groups = first.groups
        return cls(groups, {g: sum(p.incidents[g] for p in parts) for g in groups},
                   {key: tallies.merge(p.counts[key] for p in parts) for key in first.counts},
                   {g: (pd.Series([p.dates[g][0] for p in parts]).min(), pd.Series([p.dates[g][1] for p in parts]).max())
                    for g in groups},
                   first.sites.assign(hit=np.logical_or.reduce([p.sites["hit"].to_numpy(bool) for p in parts])))


def comparison(counted: Tallies, chosen, site_km: float = 1.0) -> Comparison:
    """The :func:`compare` table of ``counted`` (tallies of groups of ``chosen``)."""
    a, b = counted.groups
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

    def of(column):
        return {g: counted.counts[column, g] for g in (a, b)}

    n = counted.incidents
    row("incidents", n[a], n[b])
    area = _group_area_km2(chosen, (a, b))
    row("incidents per 10,000 km²", *(n[g] / area[g] * 1e4 if area[g] else None for g in (a, b)),
        note=f"area km²: {a} {area[a]:,.0f}, {b} {area[b]:,.0f}", unit="rate")

    _foreign_owned(of("foreign_owned"), a, b, row)
    _registered_sites(counted.sites, a, b, row, site_km)
    breakdowns["owner countries (top 5)"] = ("count", _owner_countries(of("owner_country"), a, b, row))
    for column in ("killed", "injured"):
        _casualties(of(column), a, b, column, row)
    for column in ("weapon", "target_type"):
        breakdowns[f"{column} mix"] = ("share", _mix(of(column), a, b, column, row))

    depth = of("depth_m")
    test, p, note = _mann_whitney(depth[a], depth[b])
    row("depth from Russian border, median km", *(_km(tallies.quantile(depth[g], 0.5)) for g in (a, b)), test, p,
        _join(note, "distance to the land border, not to the front line"), unit="km")
    row("depth from Russian border, 90th percentile km", *(_km(tallies.quantile(depth[g], 0.9)) for g in (a, b)),
        unit="km")
    row("first date", *(_date(counted.dates[g][0]) for g in (a, b)), unit="text")
    row("last date", *(_date(counted.dates[g][1]) for g in (a, b)), unit="text")
    return Comparison.build(rows, (a, b), units, breakdowns, scheme=chosen.name)


# ---- metrics (each from the groups' tallies) ----------------------------------------

def _labels(part, column) -> pd.Series:
    """The tally of a column of labels (or flags): known values, blanks left out."""
    if column not in part:
        return pd.Series(dtype=np.int64)
    known = part[column].dropna()
    if column == "foreign_owned":
        return known.astype(bool).value_counts()
    known = known.astype(str)
    return known[known.str.strip() != ""].value_counts()


def _foreign_owned(counts, a, b, row) -> None:
    known = {g: tallies.count(counts[g]) for g in (a, b)}
    foreign = {g: int(counts[g].get(True, 0)) for g in (a, b)}
    share = {g: foreign[g] / known[g] if known[g] else None for g in (a, b)}
    note = f"known: {a} {known[a]}, {b} {known[b]}"
    if min(known.values()) < MIN_TEST_N:
        row("share on foreign-owned sites", share[a], share[b], note=_join(_SMALL, note), unit="share")
        return
    from scipy.stats import fisher_exact

    table = [[foreign[g], known[g] - foreign[g]] for g in (a, b)]
    row("share on foreign-owned sites", share[a], share[b], "Fisher exact", float(fisher_exact(table).pvalue), note,
        unit="share")


def _registered_sites(sites, a, b, row, km) -> None:
    """The denominator: registered foreign sites placed in each group and how many were hit."""
    from geo.site_exposure import NOTE

    group = sites["macro_region"].to_numpy(object)
    placed = sites["placed"].to_numpy(bool)
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


def _owner_countries(tallied, a, b, row) -> list[tuple[str, int, int]]:
    """The top-5 row, and each country in either group's top 5 counted in both, for display."""
    counts = {g: tallied[g].sort_index(kind="stable").sort_values(ascending=False, kind="stable") for g in (a, b)}
    row("owner countries (top 5)", *(", ".join(f"{country} {count}" for country, count in counts[g].head(5).items())
                                     for g in (a, b)), unit="text")
    shown = list(dict.fromkeys([*counts[a].head(5).index, *counts[b].head(5).index]))
    both = [(str(c), int(counts[a].get(c, 0)), int(counts[b].get(c, 0))) for c in shown]
    return sorted(both, key=lambda item: -(item[1] + item[2]))


def _casualties(values, a, b, column, row) -> None:
    known = {g: tallies.count(values[g]) for g in (a, b)}
    note = f"known: {a} {known[a]}, {b} {known[b]}"
    row(f"{column}, total", *(int(tallies.total(values[g])) for g in (a, b)), note=note)
    test, p, small = _mann_whitney(values[a], values[b])
    row(f"{column} per incident", *(tallies.mean(values[g]) for g in (a, b)), test, p, _join(small, note),
        unit="mean")


def _mix(counts, a, b, column, row) -> list[tuple[str, float, float]]:
    """The mix row (test on the counts) and each category's share per group, for display."""
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


def _mann_whitney(x: pd.Series, y: pd.Series) -> tuple[str | None, float | None, str]:
    """(test, p, note) for two numeric tallies."""
    if min(tallies.count(x), tallies.count(y)) < MIN_TEST_N:
        return None, None, _SMALL
    return "Mann-Whitney U", tallies.mann_whitney_p(x, y), ""


def _group_area_km2(chosen, groups) -> dict[str, float]:
    from geo.boundaries import macro_region_outlines

    table = macro_region_outlines(chosen)
    outlines = dict(zip(table["group"], table.geometry))
    geod = Geod(ellps="WGS84")
    return {g: abs(geod.geometry_area_perimeter(outlines[g])[0]) / 1e6 if g in outlines else 0.0 for g in groups}


def _km(metres: float | None) -> float | None:
    return None if metres is None else metres / 1000


def _date(value) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) and value == value


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)
