"""The Dask path gives the in-memory answer of the same public function, on a real
distributed.LocalCluster with two worker processes (one cluster for the module).

Each test states the Dask answer == the in-memory answer on the same rows, so the tests stay
valid whatever those functions compute. Incidents: the shipped sample split into three
files; detections: SYNTHETIC points scattered around the sample's incidents (seeded).
"""

from __future__ import annotations

import distributed
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import geo
import incidents
from incidents.errors import IncidentDataError

PARTS = 3


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit="1GiB",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The sample in three CSV files, and the same rows in memory (one frame, fresh index)."""
    folder = tmp_path_factory.mktemp("events")
    sample = incidents.sample()
    for i, rows in enumerate(np.array_split(np.arange(len(sample)), PARTS)):
        incidents.save(sample.iloc[rows], folder / f"part{i}.csv")
    in_memory = pd.concat([incidents.load(folder / f"part{i}.csv") for i in range(PARTS)], ignore_index=True)
    return folder, in_memory


@pytest.fixture(scope="module")
def lazy(files, client):
    return incidents.load(str(files[0] / "part*.csv"), engine="dask")


def same(dask_answer, memory_answer):
    pd.testing.assert_frame_equal(dask_answer.reset_index(drop=True), memory_answer.reset_index(drop=True))


def test_load_reads_every_file_as_a_partition_with_the_same_types(files, lazy):
    """Catches: a file left out, or Dask's Arrow-string conversion turning list columns into text."""
    assert lazy.npartitions == PARTS
    same(lazy.compute(), files[1])
    assert isinstance(lazy.compute()["sources"].iloc[0], (list, np.ndarray))


def test_firms_files_of_every_layout_share_one_glob(client):
    """Catches: VIIRS and MODIS (archive, NRT) detections landing in different columns or types."""
    from pathlib import Path

    fixtures = Path(__file__).parent / "fixtures"
    names = sorted(fixtures.glob("synthetic_firms_[mv]*.csv"))
    lazy = incidents.load(str(fixtures / "synthetic_firms_[mv]*.csv"), engine="dask")
    assert lazy.npartitions == len(names) == 5
    same(lazy.compute(), pd.concat([incidents.load(p) for p in names], ignore_index=True))


def test_problems_name_their_file_and_line(tmp_path, client):
    """Catches: a bad row of the second file reported without its file, or dropped silently."""
    sample = incidents.sample()
    incidents.save(sample.iloc[:5], tmp_path / "a.csv")
    bad = pd.read_csv(tmp_path / "a.csv", dtype=str)
    bad.loc[2, "date"] = "yesterday"
    bad.to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(IncidentDataError) as err:
        incidents.load(str(tmp_path / "*.csv"), engine="dask").compute()
    assert str(tmp_path / "b.csv") in str(err.value) and err.value.problems[0].row == 4
    frame, rejected = incidents.load(str(tmp_path / "*.csv"), engine="dask", errors="report")
    frame, rejected = frame.compute(), rejected.compute()
    assert len(frame) == 9 and rejected[["file", "row", "field"]].values.tolist() == [[str(tmp_path / "b.csv"), 4, "date"]]


def test_files_with_other_columns_are_refused_by_name(tmp_path, client):
    """Catches: partitions with different columns combined into a frame that breaks later."""
    sample = incidents.sample()
    incidents.save(sample.iloc[:3], tmp_path / "a.csv")
    incidents.save(sample.iloc[3:6].assign(extra="x"), tmp_path / "b.csv")
    with pytest.raises(IncidentDataError, match="b.csv"):
        incidents.load(str(tmp_path / "*.csv"), engine="dask").compute()


def test_save_writes_partitioned_geoparquet_that_loads_back(files, lazy, tmp_path):
    """Catches: partitions lost on writing, or save overwriting a folder that holds files."""
    incidents.save(lazy, tmp_path / "events")
    assert len(list((tmp_path / "events").glob("*.parquet"))) == PARTS
    same(incidents.load(tmp_path / "events", engine="dask").compute(), files[1])
    with pytest.raises(FileExistsError):
        incidents.save(lazy, tmp_path / "events")


@pytest.mark.parametrize("function", [geo.assign_regions, geo.geocode, incidents.tag_ownership],
                         ids=["assign_regions", "geocode", "tag_ownership"])
def test_row_functions_stay_lazy_and_agree(function, files, lazy):
    """Catches: a function that collects the frame, or answers differently per partition."""
    result = function(lazy)
    assert type(result).__module__.startswith("dask")
    same(result.compute(), function(files[1]))


def test_queries_agree(files, lazy):
    """Catches: within's order broken across partitions, in_region losing rows."""
    same(geo.within(lazy, "Odesa", km=30, dropna=True), geo.within(files[1], "Odesa", km=30, dropna=True))
    same(geo.in_region(lazy, ["west", "Kyiv"]).compute(), geo.in_region(files[1], ["west", "Kyiv"]))


def test_compare_and_timeline_agree(files, lazy):
    """Catches: partition counts not summed, a period between partitions missing, groups swapped."""
    pd.testing.assert_frame_equal(geo.compare_timeline(lazy, "west", "east"), geo.compare_timeline(files[1], "west", "east"))
    pd.testing.assert_frame_equal(geo.compare_timeline(lazy, "east", "south", freq="W"),
                                  geo.compare_timeline(files[1], "east", "south", freq="W"))
    pd.testing.assert_frame_equal(geo.compare(lazy, "west", "east"), geo.compare(files[1], "west", "east"))


def test_compare_merges_partition_tallies_without_collecting_rows(client, monkeypatch):
    """Catches: compare collecting the rows into this process (its memory growing with them)
    instead of merging each partition's tallies; a test (Mann-Whitney with and without ties,
    Fisher, chi-square) answering differently from merged tallies than in memory."""
    import dask_geopandas

    rng = np.random.default_rng(41)
    n = 2_000  # SYNTHETIC incidents across Ukraine's box, every statistic with enough values
    frame = gpd.GeoDataFrame({
        "id": [f"synthetic-{i}" for i in range(n)],
        "date": pd.Timestamp("2022-02-24") + pd.to_timedelta(rng.integers(0, 1300, n), unit="D"),
        "killed": pd.array(np.where(rng.random(n) < 0.2, None, rng.integers(0, 6, n)), dtype="Int64"),
        "injured": pd.array(rng.integers(0, 40, n), dtype="Int64"),
        "weapon": rng.choice(["drone", "cruise_missile", "glide_bomb"], n),
        "target_type": rng.choice(["energy", "residential", "industrial"], n),
        "foreign_owned": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
        "owner_country": rng.choice(["DE", "US", "UA", None], n)},
        geometry=shapely.points(rng.uniform(23, 39, n), rng.uniform(45, 52, n)), crs=4326)
    expected = geo.compare(frame, "east", "south")
    assert expected["p_value"].notna().sum() >= 7  # every test ran
    lazy = dask_geopandas.from_geopandas(frame, npartitions=5)

    def collect(*args, **kwargs):
        raise AssertionError("geo.compare collected the rows of a Dask frame")

    monkeypatch.setattr(type(lazy), "compute", collect)
    pd.testing.assert_frame_equal(geo.compare(lazy, "east", "south"), expected)


@pytest.fixture(scope="module")
def detections(files):
    """SYNTHETIC detections around the sample's incidents, within hours of their dates."""
    located = files[1][files[1].geometry.notna()]
    rng = np.random.default_rng(14)
    pick = rng.integers(0, len(located), 600)
    x = located.geometry.x.to_numpy()[pick] + rng.normal(0, 0.02, len(pick))
    y = located.geometry.y.to_numpy()[pick] + rng.normal(0, 0.02, len(pick))
    seen = located["date"].to_numpy()[pick] + pd.to_timedelta(rng.uniform(-24, 96, len(pick)), unit="h").to_numpy()
    return gpd.GeoDataFrame({"detected_at": seen, "frp": rng.gamma(2, 5, len(pick)),
                             "type": rng.choice([0, 2], len(pick), p=[0.9, 0.1])},
                            geometry=shapely.points(x, y), crs=4326)


def test_corroborate_agrees_with_either_frame_on_dask(files, lazy, detections):
    """Catches: per-partition summaries merged wrongly (counts not summed, min/max swapped)."""
    import dask_geopandas

    expected = geo.corroborate(files[1], detections)
    assert expected["fire_detections"].sum() > 0  # the check has something to find
    spread = dask_geopandas.from_geopandas(detections, npartitions=4)
    same(geo.corroborate(files[1], spread), expected)
    same(geo.corroborate(lazy, detections).compute(), expected)


def test_unreported_fires_agree(files, detections):
    """Catches: detections at a site lost between partitions, splitting a cluster in two."""
    import dask_geopandas

    located = files[1][files[1].geometry.notna()].iloc[::7]
    sites = pd.DataFrame({"company": [f"synthetic site {i}" for i in range(len(located))],
                          "lat": located.geometry.y.to_numpy(), "lon": located.geometry.x.to_numpy()})
    expected = geo.unreported_fires(detections, files[1].iloc[::2], sites=sites, km=2, days=1)
    assert len(expected) > 0
    spread = dask_geopandas.from_geopandas(detections, npartitions=4)
    same(geo.unreported_fires(spread, files[1].iloc[::2], sites=sites, km=2, days=1), expected)


def test_cli_reads_a_glob_on_a_scheduler_address(files, client, tmp_path, capsys):
    """Catches: --dask ignored (a glob is not a file), or a bad row's file left out of its message."""
    from maps.cli import main

    assert main(["--dask", client.scheduler.address, "validate", str(files[0] / "part*.csv")]) == 0
    assert f"{len(files[1])} rows, all valid" in capsys.readouterr().out
    bad = pd.read_csv(files[0] / "part1.csv", dtype=str)
    bad.loc[0, "killed"] = "many"
    incidents.save(incidents.load(files[0] / "part0.csv"), tmp_path / "a.csv")
    bad.to_csv(tmp_path / "b.csv", index=False)
    assert main(["--dask", client.scheduler.address, "validate", str(tmp_path / "?.csv")]) == 1
    assert "row 2, b.csv: killed: 'many'" in capsys.readouterr().err
