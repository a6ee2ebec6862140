"""`incident-map store ...` and a store as INPUT of the other commands; both backends."""

from __future__ import annotations

import pandas as pd

import incidents
from maps.cli import main
from store_data import synthetic


def test_store_commands_end_to_end(store_url, tmp_path, capsys):
    # Bug caught: the CLI ingesting without the upsert (a second run doubling the store),
    # or a command reading a store URL as a file path.
    sample = incidents.sample_path()
    assert main(["store", "init", store_url]) == 0
    assert main(["store", "ingest", store_url, str(sample), "--source", "sample", "--no-geocode"]) == 0
    assert main(["store", "ingest", store_url, str(sample), "--source", "sample", "--no-geocode"]) == 0
    err = capsys.readouterr().err
    assert "new: 0" in err.splitlines()[-8:] and f"unchanged: {len(incidents.sample())}" in err
    assert main(["store", "stats", store_url]) == 0
    assert f"records: {len(incidents.sample())}" in capsys.readouterr().out.splitlines()
    out = tmp_path / "near.csv"
    assert main(["store", "query", store_url, "--near", "48.44,22.72", "--km", "5", "-o", str(out)]) == 0
    assert list(pd.read_csv(out)["id"]) == ["mukachevo-flex-2025-08-21"]


def test_map_commands_read_a_store_as_events(store_url, tmp_path, capsys):
    # Bug caught: INPUT read as raw records, so a strike reported by two sources is
    # counted (and drawn) twice.
    records = synthetic(30, spread_km=500)
    with incidents.Store(store_url) as st:
        st.ingest(records, source="a")
        st.ingest(records, source="b")
    out = tmp_path / "all.csv"
    assert main(["query", store_url, "--near", "48.44,22.72", "--km", "2000", "-o", str(out), "-q"]) == 0
    assert len(pd.read_csv(out)) == 30
    assert main(["build", store_url, "-o", str(tmp_path / "map.html"), "-q"]) == 0
    assert (tmp_path / "map.html").stat().st_size > 0


def test_store_errors_are_one_line_with_a_code(tmp_path, capsys):
    # Bug caught: a missing store silently created by a read command, or a traceback.
    missing = tmp_path / "none.gpkg"
    assert main(["store", "stats", str(missing)]) == 1
    assert not missing.exists()
    assert "incident-map store init" in capsys.readouterr().err
    incidents.Store(tmp_path / "team.gpkg").close()
    assert main(["store", "query", str(tmp_path / "team.gpkg"), "--where", "nonsense=1"]) == 2
    assert "cannot filter on 'nonsense'" in capsys.readouterr().err
