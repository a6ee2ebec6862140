"""geo.tallies: the statistics geo.compare reads from value counts equal numpy's and scipy's
on the values themselves, to the bit (so a Dask frame's merged tallies give the in-memory table)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from geo import tallies


def samples(seed: int):
    """SYNTHETIC pairs of samples: small integer counts (many ties), continuous values (no
    ties), tiny samples (scipy's exact test), whole metres, one value repeated."""
    rng = np.random.default_rng(seed)
    n1, n2 = rng.integers(1, 40, 2)
    yield rng.integers(0, 5, n1).astype(float), rng.integers(0, 9, n2).astype(float)
    yield rng.normal(size=n1), rng.normal(0.4, size=n2)
    yield rng.normal(size=5), rng.normal(1, size=6)
    yield np.round(rng.gamma(2, 300, n1)), np.round(rng.gamma(2, 350, n2))
    yield np.full(n1, 3.0), np.full(n2, 3.0)


@pytest.mark.parametrize("seed", range(60))
def test_quantiles_and_mann_whitney_equal_numpy_and_scipy_on_the_values(seed):
    """Catches: a midrank off by one, the continuity correction or tie term dropped, the wrong
    order statistic (searchsorted side), numpy's interpolation branch for gamma >= 0.5 missed."""
    for x, y in samples(seed):
        tx, ty = tallies.tally(x), tallies.tally(y)
        assert tallies.mann_whitney_p(tx, ty) == stats.mannwhitneyu(x, y, alternative="two-sided").pvalue
        for q in (0.1, 0.5, 0.9, 0.37):
            assert tallies.quantile(tx, q) == np.quantile(x, q), q
        assert tallies.total(tx) == pytest.approx(x.sum(), rel=1e-12) and tallies.count(tx) == len(x)


def test_tallies_of_parts_merge_to_the_tally_of_the_whole():
    """Catches: merged counts replaced instead of added, missing values counted, labels mixed up."""
    rng = np.random.default_rng(1)
    values = pd.Series(rng.integers(0, 6, 300), dtype="Int64")
    values[::7] = pd.NA
    parts = [tallies.tally(values.iloc[i:i + 70]) for i in range(0, 300, 70)]
    assert tallies.merge(parts).equals(tallies.tally(values))
    assert tallies.count(tallies.tally(values)) == int(values.notna().sum())
    labels = tallies.merge([pd.Series({"drone": 2, "missile": 1}), pd.Series({"missile": 4})])
    assert labels.to_dict() == {"drone": 2, "missile": 5}
    assert tallies.quantile(tallies.tally([]), 0.5) is None and tallies.mean(tallies.tally([None])) is None
