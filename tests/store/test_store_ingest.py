"""Ingest: upsert by (source, id), idempotence, rejections, history; both backends."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import incidents
from store_data import frame, one, synthetic


def _count(st) -> int:
    return st.stats()["records"]


def test_ingesting_the_same_file_twice_changes_nothing(store_url):
    # Bug caught: stored NULL read back as NaN (or None vs NaN) compared unequal, so a
    # re-ingest reported every row with an empty field as "updated".
    sample = incidents.sample()
    with incidents.Store(store_url) as st:
        first = st.ingest(sample, source="sample")
        again = st.ingest(sample, source="sample")
        assert (first.new, first.updated, first.unchanged) == (len(sample), 0, 0)
        assert (again.new, again.updated, again.unchanged, again.matched) == (0, 0, len(sample), 0)
        assert _count(st) == len(sample) and len(st.events()) == len(sample)
        # Nothing was rewritten: no record's last ingest is the second one.
        assert set(st.read()["store_last_ingest"]) == {1}


def test_rows_in_are_stored_plus_rejected_and_rejections_name_the_field(store_url):
    # Bug caught: invalid rows silently dropped (rows_in != stored + rejected).
    good = synthetic(20)
    bad = pd.concat([good, good.iloc[[3]]], ignore_index=True)  # a duplicate id
    bad.loc[5, "killed"] = -4                                    # a negative count
    bad.loc[7, "date"] = pd.NaT                                  # no date
    with incidents.Store(store_url) as st:
        report = st.ingest(bad, source="feed")
        stored = _count(st)
    assert report.rows_in == len(bad) == stored + report.rejected
    assert report.rejected == 3 and report.new == stored == 18
    assert {"id", "killed", "date"} <= set(report.rejections["field"])


def test_update_touches_only_that_source_and_is_in_history(store_url):
    # Bug caught: an upsert keyed on the id alone would overwrite the other source's
    # record with the same id (or insert a duplicate instead of updating).
    records = synthetic(10)
    with incidents.Store(store_url) as st:
        st.ingest(records, source="a")
        st.ingest(records, source="b")
        changed = records.copy()
        changed.loc[4, "killed"] = 40
        report = st.ingest(changed, source="a")
        assert (report.new, report.updated, report.unchanged) == (0, 1, 9)
        now = st.read(where={"id": "syn-4"}).set_index("store_source")["killed"]
        assert now["a"] == 40 and now["b"] == records.loc[4, "killed"]
        assert _count(st) == 20
        history = st.history("syn-4", source="a")
    assert list(history["action"]) == ["new", "updated"]
    assert json.loads(history["detail"].iloc[-1]) == {"killed": [int(records.loc[4, "killed"]), 40]}


def test_same_id_from_two_sources_is_two_records_of_one_event(store_url):
    # Bug caught: records keyed by id only (the second source replaces the first), or
    # identical reports from two sources left as two events.
    records = synthetic(15, spread_km=500)
    with incidents.Store(store_url) as st:
        st.ingest(records, source="a")
        report = st.ingest(records, source="b")
        assert report.new == 15 and report.matched == 15
        events = st.events()
    assert _ids(events["reports"]) == {f"{s}:syn-{i}" for s in "ab" for i in range(15)}
    assert len(events) == 15 and set(events["n_sources"]) == {2}


def _ids(reports: pd.Series) -> set[str]:
    return {r for text in reports for r in text.split(" | ")}


def test_hostile_ids_and_source_names_are_data_not_sql(store_url):
    # Bug caught: SQL built by string formatting; these values would break the statement
    # or run their own (drop the table, match every row).
    hostile = ["x'); DROP TABLE records; --", "\" OR 1=1 --", "Robert'); DELETE FROM ingests;--", "%s %(id)s :id ?"]
    source = "o'brien\"; DROP TABLE history; --"
    records = frame(*[one(h, 48.4 + i / 10, 22.7, "2025-08-21", place=h) for i, h in enumerate(hostile)])
    with incidents.Store(store_url) as st:
        assert st.ingest(records, source=source).new == 4
        assert st.ingest(records, source=source).unchanged == 4
        back = st.read(where={"store_source": source})
        assert sorted(back["id"]) == sorted(hostile) and sorted(back["place"]) == sorted(hostile)
        assert len(st.read(where={"place": "' OR '1'='1"})) == 0
        assert len(st.history(hostile[0], source=source)) == 1
        assert st.stats()["sources"] == {source: 4}
        with pytest.raises(ValueError, match="cannot filter on"):
            st.read(where={"place = place OR 1": "x"})


@pytest.mark.parametrize("source", ["", "   ", "tab\there", "x" * 201, None])
def test_bad_source_names_are_refused(tmp_path, source):
    # Bug caught: an empty or control-character source name stored as a key.
    with incidents.Store(str(tmp_path / "s.gpkg")) as st, pytest.raises(ValueError, match="source"):
        st.ingest(synthetic(2), source=source)
