"""Cross-source matching and events: one row per strike, every source kept; both backends."""

from __future__ import annotations

import incidents
from store_data import frame, one

MUK = (48.4400, 22.7180)
KM_LAT = 1 / 111.2  # degrees of latitude per km, near enough for placing test points


def _stored(store_url, *records, source="ours"):
    st = incidents.Store(store_url)
    st.ingest(frame(*records), source=source)
    return st


def test_a_report_nearby_the_next_day_joins_the_event(store_url):
    # Bug caught: matching that ignores the distance or day limits, or reads km as degrees.
    base = one("m1", *MUK, "2025-08-21", target="Flex plant", target_type="industrial", owner_country="US")
    with _stored(store_url, base) as st:
        near = one("a1", MUK[0] + 3 * KM_LAT, MUK[1], "2025-08-22", target="Flex Ltd factory", owner_country="US")
        far = one("a2", MUK[0] + 7 * KM_LAT, MUK[1], "2025-08-21")
        late = one("a3", MUK[0] + 1 * KM_LAT, MUK[1], "2025-08-23")
        report = st.ingest(frame(near, far, late), source="acled")
        events = st.events().set_index("reports")
    assert report.matched == 1
    assert events.loc["ours:m1 | acled:a1", "n_sources"] == 2
    assert {"acled:a2", "acled:a3"} <= set(events.index)


def test_contradicting_owner_or_target_type_keeps_reports_apart(store_url):
    # Bug caught: the "non-contradicting" rule skipped, merging two strikes on the same day
    # in one town (a US-owned plant and a Danish-owned one).
    base = one("m1", *MUK, "2025-08-21", target="electronics plant", target_type="industrial", owner_country="US")
    with _stored(store_url, base) as st:
        other_owner = one("b1", MUK[0] + KM_LAT, MUK[1], "2025-08-21", owner_country="DK")
        other_type = one("b2", MUK[0] - KM_LAT, MUK[1], "2025-08-21", target_type="residential")
        report = st.ingest(frame(other_owner, other_type), source="acled")
        assert report.matched == 0 and len(st.events()) == 3
        # commercial is compatible with industrial; the US owner rules out b1's event
        compatible = one("c1", MUK[0], MUK[1] + 0.01, "2025-08-21", target_type="commercial", owner_country="US")
        assert st.ingest(frame(compatible), source="ucdp").matched == 1


def test_two_candidate_events_are_ambiguous_and_listed_for_review(store_url):
    # Bug caught: picking the first (or nearest) of two plausible events instead of
    # leaving the record alone and telling a person.
    west = one("w", MUK[0], MUK[1] - 0.03, "2025-08-21")
    east = one("e", MUK[0], MUK[1] + 0.03, "2025-08-21")
    with _stored(store_url, west, east) as st:
        report = st.ingest(frame(one("x", *MUK, "2025-08-21")), source="acled")
        review = st.review()
        events = st.events()
    assert report.matched == 0 and [case["events"] for case in report.review] == [[1, 2]]
    assert len(events) == 3 and set(events["n_reports"]) == {1}
    assert list(review["record_id"]) == ["x"] and review["candidates"].iloc[0] == "1 2"


def test_a_source_never_merges_its_own_records(store_url):
    # Bug caught: a source's two records of nearby strikes (or a later record of the same
    # source) folded into one event, under-counting what the source itself says.
    with _stored(store_url, one("s1", *MUK, "2025-08-21"), one("s2", MUK[0] + KM_LAT, MUK[1], "2025-08-21")) as st:
        assert len(st.events()) == 2
        assert st.ingest(frame(one("s3", *MUK, "2025-08-21")), source="ours").matched == 0
        assert len(st.events()) == 3


def test_event_takes_casualty_range_and_most_precise_location(store_url):
    # Bug caught: the event's figures or location taken from whichever report came first.
    rough = one("r", MUK[0] + 2 * KM_LAT, MUK[1], "2025-08-21", place="Mukachevo district", killed=2,
                location_precision="raion", sources="https://example.org/synthetic/r")
    exact = one("x", *MUK, "2025-08-21", place="Flex plant gate", killed=5, killed_low=4, killed_high=7,
                location_precision="exact", sources="https://example.org/synthetic/x")
    with _stored(store_url, rough) as st:
        st.ingest(frame(exact), source="acled")
        events = st.events()
    incidents.validate(events)  # an event row is a valid incident row (ranges in order)
    event = events.iloc[0]
    assert (event["killed_low"], event["killed_high"], event["killed"]) == (2, 7, 5)
    assert (event["place"], event["location_precision"], event["latitude"]) == ("Flex plant gate", "exact", MUK[0])
    assert sorted(event["sources"]) == ["https://example.org/synthetic/r", "https://example.org/synthetic/x"]


def test_history_of_an_event_lists_each_report_and_the_match(store_url):
    # Bug caught: history looked up by record id only, so an event's history misses the
    # report that joined it from another source.
    with _stored(store_url, one("m1", *MUK, "2025-08-21")) as st:
        st.ingest(frame(one("a1", *MUK, "2025-08-21")), source="acled")
        history = st.history("event-1")
    assert list(zip(history["record_id"], history["action"])) == [("m1", "new"), ("a1", "new"), ("a1", "matched")]
