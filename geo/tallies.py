"""Statistics from tallies (value -> count): exact aggregates that merge across partitions.

A tally is a column's value counts. The tallies of the parts of a frame add up to the tally
of the whole, exactly, and every statistic :func:`geo.compare` reports on a column (total,
mean, quantiles, Mann-Whitney U, shares, contingency tables) is a function of the tally
alone. So the in-memory path and the Dask path compute the same numbers from the same
merged tally, and the Dask path never collects rows: its memory grows with the number of
distinct values (casualty figures: a few hundred; depths in whole metres: at most about
1.4 million, Ukraine being ~1,300 km across), not with the rows.

Example:
    >>> t = merge([tally([3, 1]), tally([3, 2, None])])
    >>> t.to_dict(), quantile(t, 0.5), total(t), mean(t)
    ({1.0: 1, 2.0: 1, 3.0: 2}, 2.5, 9.0, 2.25)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["tally", "merge", "count", "total", "mean", "quantile", "mann_whitney_p"]


def tally(values) -> pd.Series:
    """Numeric ``values`` as a tally: distinct value (float, ascending) -> count (int64);
    missing values (None, NaN) are left out."""
    values = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(float, na_value=np.nan)
    distinct, counts = np.unique(values[~np.isnan(values)], return_counts=True)
    return pd.Series(counts.astype(np.int64), index=pd.Index(distinct, dtype=float))


def merge(tallies) -> pd.Series:
    """The tally of all the values counted in ``tallies`` (numeric or labels), index sorted."""
    tallies = list(tallies)
    counted = [t for t in tallies if len(t)]
    if not counted:
        return tallies[0] if tallies else tally([])
    joined = pd.concat(counted)
    return joined.groupby(level=0, sort=True).sum().astype(np.int64)


def count(t: pd.Series) -> int:
    """How many values were counted."""
    return int(t.sum())


def total(t: pd.Series) -> float:
    """The sum of the values (exact for whole numbers, as casualty counts are)."""
    return float(np.dot(t.index.to_numpy(float), t.to_numpy(float)))


def mean(t: pd.Series) -> float | None:
    """The mean of the values, None when there are none."""
    n = count(t)
    return total(t) / n if n else None


def quantile(t: pd.Series, q: float) -> float | None:
    """``numpy.quantile(values, q)`` (linear interpolation) from the tally; None when empty.

    The two order statistics around position ``(n - 1) q`` are read from the cumulative
    counts and interpolated as numpy's ``_lerp`` does, so the result is numpy's to the bit.
    """
    n = count(t)
    if not n:
        return None
    values, cumulative = t.index.to_numpy(float), np.cumsum(t.to_numpy())
    position = (n - 1) * q
    below = int(np.floor(position))
    gamma = position - below
    lower = values[np.searchsorted(cumulative, below, side="right")]
    upper = values[np.searchsorted(cumulative, min(below + 1, n - 1), side="right")]
    step = upper - lower
    return float(upper - step * (1 - gamma) if gamma >= 0.5 else lower + step * gamma)


def mann_whitney_p(x: pd.Series, y: pd.Series) -> float:
    """Two-sided Mann-Whitney U p-value of two numeric tallies, as ``scipy.stats.mannwhitneyu``
    (method "auto", continuity correction) gives on the values.

    Without ties the tallies' values are the values: scipy runs on them (exact test for
    small samples). With ties scipy uses the normal approximation with tie correction,
    computed here from the midrank of each distinct value.
    """
    from scipy import special, stats

    both = merge([x, y])
    if not (both > 1).any():
        return float(stats.mannwhitneyu(x.index.to_numpy(float), y.index.to_numpy(float),
                                        alternative="two-sided").pvalue)
    n1, n2 = count(x), count(y)
    ties = both.to_numpy(float)
    midranks = np.cumsum(ties) - (ties - 1) / 2
    u1 = float(np.dot(x.reindex(both.index, fill_value=0).to_numpy(float), midranks)) - n1 * (n1 + 1) / 2
    u = max(u1, n1 * n2 - u1)
    n = n1 + n2
    spread = np.sqrt(n1 * n2 / 12 * ((n + 1) - np.sum(ties**3 - ties) / (n * (n - 1))))
    with np.errstate(divide="ignore", invalid="ignore"):  # all values equal: spread 0, p 1
        z = (u - n1 * n2 / 2 - 0.5) / spread
    return float(np.clip(special.ndtr(-z) * 2, 0.0, 1.0))
