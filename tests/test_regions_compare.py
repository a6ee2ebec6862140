"""West-vs-east comparison statistics (geo.compare, geo.compare_timeline) on synthetic frames."""

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from scipy import stats

import geo

LVIV = (24.02324, 49.83826)      # GeoNames 702550
KHARKIV = (36.25475, 49.98177)   # GeoNames 706483


def synthetic_frame(west_killed, east_killed, west_foreign, east_foreign, west_weapons, east_weapons):
    rows = []
    for group, point, killed, foreign, weapons in (("w", LVIV, west_killed, west_foreign, west_weapons),
                                                   ("e", KHARKIV, east_killed, east_foreign, east_weapons)):
        for i, (k, f, w) in enumerate(zip(killed, foreign, weapons)):
            rows.append({"id": f"synthetic_{group}{i}", "date": pd.Timestamp(2024, 1 + i % 12, 1),
                         "killed": k, "injured": None, "foreign_owned": f, "weapon": w,
                         "target_type": "industrial", "owner_country": "US" if f else None,
                         "geometry": shapely.Point(*point)})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    gdf["killed"] = gdf["killed"].astype("Int64")
    gdf["injured"] = gdf["injured"].astype("Int64")
    gdf["foreign_owned"] = gdf["foreign_owned"].astype("boolean")
    return gdf


def test_counts_totals_and_tests_match_scipy():
    wk, ek = [0, 1, 2, 0, 3, 1], [5, 7, 9, 4, 12, 8, 6]
    wf, ef = [True, True, False, True, None, True], [False, False, True, False, False, False, False]
    ww, ew = ["drone"] * 6, ["missile"] * 5 + ["drone"] * 2
    table = geo.compare(synthetic_frame(wk, ek, wf, ef, ww, ew), "west", "east").set_index("metric")

    assert table.loc["incidents", "west"] == 6 and table.loc["incidents", "east"] == 7
    assert table.loc["killed, total", "west"] == 7 and table.loc["killed, total", "east"] == 51
    assert table.loc["killed per incident", "difference"] == pytest.approx(7 / 6 - 51 / 7)
    assert table.loc["killed per incident", "p_value"] == pytest.approx(
        stats.mannwhitneyu(wk, ek, alternative="two-sided").pvalue)
    assert table.loc["share on foreign-owned sites", "west"] == pytest.approx(0.8)   # 4 of 5 known
    assert table.loc["share on foreign-owned sites", "p_value"] == pytest.approx(stats.fisher_exact([[4, 1], [1, 6]]).pvalue)
    assert table.loc["weapon mix", "test"] == "chi-square"
    assert table.loc["weapon mix", "p_value"] == pytest.approx(stats.chi2_contingency([[6, 0], [2, 5]]).pvalue)
    assert table.loc["owner countries (top 5)", "west"] == "US 4"
    assert table.loc["first date", "west"] == "2024-01-01"
    # Lviv is far deeper from the Russian border than Kharkiv
    assert table.loc["depth from Russian border, median km", "west"] > 500 > table.loc["depth from Russian border, median km", "east"]
    # injured all unknown: totals 0 from no values, and no test
    assert table.loc["injured per incident", "note"].startswith("n < 5: no test")
    assert pd.isna(table.loc["injured per incident", "p_value"])


def test_small_samples_get_no_test():
    table = geo.compare(synthetic_frame([1, 2], [3, 4, 5], [True, False], [True, True, True],
                                        ["drone", "missile"], ["drone"] * 3), "west", "east").set_index("metric")
    for metric in ("killed per incident", "share on foreign-owned sites", "weapon mix",
                   "depth from Russian border, median km"):
        assert pd.isna(table.loc[metric, "p_value"]), metric
        assert "n < 5: no test" in table.loc[metric, "note"], metric


def test_density_uses_group_area():
    gdf = synthetic_frame([1] * 5, [1] * 5, [True] * 5, [True] * 5, ["drone"] * 5, ["drone"] * 5)
    table = geo.compare(gdf, "west", "east").set_index("metric")
    oblasts = geo.load_oblasts().set_index("iso")["area_km2"]
    west_area = oblasts[list(geo.MACRO["west"])].sum()
    assert table.loc["incidents per 10,000 km²", "west"] == pytest.approx(5 / west_area * 1e4, rel=0.01)


def test_unknown_group_is_an_error():
    gdf = synthetic_frame([1], [1], [True], [True], ["drone"], ["drone"])
    with pytest.raises(ValueError, match="north"):
        geo.compare(gdf, "west", "north")


def test_timeline_counts_by_month_with_empty_months():
    gdf = synthetic_frame([1, 1, 1], [1], [True] * 3, [True], ["drone"] * 3, ["drone"])
    gdf.loc[gdf["id"] == "synthetic_w2", "date"] = pd.Timestamp(2024, 5, 20)
    monthly = geo.compare_timeline(gdf, "west", "east")
    assert list(monthly.columns) == ["west", "east"]
    assert monthly.index[0] == pd.Timestamp(2024, 1, 1) and monthly.index[-1] == pd.Timestamp(2024, 5, 1)
    assert monthly["west"].tolist() == [1, 1, 0, 0, 1]
    assert monthly["east"].tolist() == [1, 0, 0, 0, 0]


def test_sample_comparison_has_every_metric():
    import incidents

    table = geo.compare(incidents.sample(), "west", "east")
    assert table["metric"].tolist()[:2] == ["incidents", "incidents per 10,000 km²"]
    assert len(table) == 17  # 14 incident metrics + 3 rows of registered foreign sites
    assert (table["west"].iloc[0] + table["east"].iloc[0]) <= len(incidents.sample())


def test_tallies_of_parts_merge_into_the_table_of_the_whole():
    """Catches: a part's counts not summed, first/last date taken from one part, a site hit
    in one part lost in the merge (AND for OR), tallies of parts aligned by position."""
    import numpy as np

    import incidents
    from geo.compare import Tallies, comparison

    sample = incidents.sample()
    chosen = geo.scheme("macro")
    whole = geo.compare(sample, "west", "east")
    shuffled = np.random.default_rng(5).permutation(len(sample))
    parts = [sample.iloc[rows] for rows in np.array_split(shuffled, 4)]
    merged = Tallies.merged([Tallies.of(part, "west", "east", chosen) for part in parts])
    pd.testing.assert_frame_equal(comparison(merged, chosen), whole)
    hit = [int(Tallies.of(part, "west", "east", chosen).sites["hit"].sum()) for part in parts]
    assert max(hit) < int(merged.sites["hit"].sum())  # hits come from more than one part
    assert (merged.counts["depth_m", "west"].index % 1 == 0).all()  # whole metres: distinct values stay few
