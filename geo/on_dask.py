"""The geo functions on Dask frames: the same public functions, run per partition.

Nothing here re-implements a query or a statistic. Row-wise functions (``assign_regions``,
``geocode``, ``in_region``) run on each partition, lazily; answers that need the whole
frame are merged from per-partition answers of the same function:

* ``within``: each partition's rows within the radius (few), collected and put in
  distance order as in memory.
* ``compare_timeline``: the counts per period of each partition, summed; periods no
  partition saw are filled with 0 as in memory.
* ``corroborate`` / ``unreported_fires``: per block of detections, the partial summaries
  of :mod:`geo.fires`, merged (sums, minima, maxima).
* ``compare``: every statistic it reports (counts, shares, Fisher and chi-square tables,
  totals, means, quantiles, Mann-Whitney U) is a function of value counts per group
  (:class:`geo.compare.Tallies`, see :mod:`geo.tallies`), which add up exactly: each
  partition is tallied, the tallies merged, and the table built from them as in memory.
  No rows are collected; the merged tallies grow with the distinct values (depth is
  counted to the metre), not the rows.

Results compare equal to the in-memory path on the same rows (tests/test_dask.py); the
index of a Dask frame is per partition, so compare them after ``reset_index(drop=True)``.
"""

from __future__ import annotations

import functools

import pandas as pd

from incidents.daskio import accepting_dask, is_dask

__all__ = ["accepting_dask", "is_dask", "dispatching", "within", "in_region", "compare", "compare_timeline",
           "corroborate", "unreported_fires"]

#: Tallies merged per task when combining the partitions' (a tree, not one task for all).
MERGE_FAN_IN = 8


def dispatching(function, on_dask):
    """``function`` for in-memory frames, ``on_dask`` when any frame argument is a Dask frame."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if any(is_dask(a) for a in (*args, *kwargs.values())):
            return on_dask(*args, **kwargs)
        return function(*args, **kwargs)

    return wrapper


def within(ddf, *args, **kwargs):
    """Rows within the radius, collected (a selection is small), nearest first."""
    from geo.query import within as within_memory

    meta = within_memory(ddf._meta, *args, **kwargs)
    found = ddf.map_partitions(within_memory, *args, meta=meta, **kwargs).compute()
    # Each partition is in distance order and partitions keep file order, so a stable sort
    # of their concatenation breaks ties by original row order, exactly as in memory.
    return found.sort_values("distance_km", kind="stable")


def in_region(ddf, *args, **kwargs):
    """Rows in the region, lazily (a Dask frame)."""
    from geo.query import in_region as in_region_memory

    return accepting_dask(in_region_memory)(ddf, *args, **kwargs)


def compare_timeline(ddf, a: str = "west", b: str = "east", scheme="macro", freq: str = "M") -> pd.DataFrame:
    """Counts per period: the sum of each partition's :func:`geo.compare_timeline`."""
    import dask

    from geo.compare import compare_timeline as timeline

    parts = dask.compute(*[dask.delayed(timeline)(p, a, b, scheme, freq) for p in ddf.to_delayed()])
    counted = [p for p in parts if len(p)]
    if not counted:
        return parts[0]
    total = functools.reduce(lambda x, y: x.add(y, fill_value=0), counted)
    periods = pd.period_range(total.index.min(), total.index.max(), freq=freq)
    total = total.reindex(periods.to_timestamp(), fill_value=0)
    total.index.name = "period"
    return total.astype("int64")


def compare(ddf, a: str = "west", b: str = "east", scheme="macro", *, registry=None, site_km: float = 1.0):
    """:func:`geo.compare` from each partition's :class:`geo.compare.Tallies`, merged in a
    tree (a few partitions at a time, so no task holds more than a few tallies)."""
    import dask

    from geo.compare import Tallies, comparison
    from geo.regions import scheme as get_scheme

    chosen = get_scheme(scheme)
    a, b = chosen.pair(a, b)
    parts = [dask.delayed(Tallies.of)(p, a, b, chosen, registry, site_km) for p in ddf.to_delayed()]
    while len(parts) > 1:
        parts = [dask.delayed(Tallies.merged)(parts[i:i + MERGE_FAN_IN]) for i in range(0, len(parts), MERGE_FAN_IN)]
    return comparison(dask.compute(parts[0])[0], chosen, site_km)


def corroborate(gdf, detections, km: float = 2.0, hours: float = 48.0):
    """:func:`geo.corroborate` with Dask frames: incidents on Dask run per partition (lazily)
    against in-memory detections; detections on Dask are summarised per partition for
    in-memory incidents and the summaries merged."""
    import dask

    from geo import fires

    if not is_dask(detections):
        return accepting_dask(fires.corroborate)(gdf, detections, km, hours)
    if is_dask(gdf):
        raise TypeError("with detections on Dask, give the incidents in memory (incidents.compute()): "
                        "each block of detections is checked against all of them")
    fires._check_distance(km)
    fires._is_detections(detections._meta)
    windows = fires.windows(gdf, hours)
    shared = dask.delayed(windows, pure=True)  # one copy in the graph, not one per partition
    parts = [dask.delayed(fires.partial_corroboration)(shared, p, km) for p in detections.to_delayed()]
    summary = dask.delayed(fires.merge_corroboration)(parts).compute()
    return fires.with_corroboration(gdf, windows, summary)


def unreported_fires(detections, gdf, sites=None, km: float = 1.0, days: float = 2.0, include_static: bool = False):
    """:func:`geo.unreported_fires` with detections on Dask: each partition is reduced to
    the detections at a site, which are all the clustering looks at."""
    import dask

    from geo import fires

    if is_dask(gdf):
        gdf = gdf.compute()
    if not is_dask(detections):
        return fires.unreported_fires(detections, gdf, sites, km, days, include_static)
    fires._check_distance(km)
    fires._is_detections(detections._meta)
    chosen = fires.registered_sites(sites)
    shared = dask.delayed(chosen, pure=True)
    parts = [dask.delayed(fires.detections_at_sites)(p, shared, km, include_static) for p in detections.to_delayed()]
    at_sites = pd.concat(dask.compute(*parts), ignore_index=True)
    return fires.clusters_without_incidents(at_sites, chosen, gdf, km, days)
