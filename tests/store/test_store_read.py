"""Reading: filters pushed to SQL give what a full scan gives; export and stats; both backends."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import geo
import incidents
from store_data import frame, one, synthetic

CENTRE = (48.44, 22.72)


@pytest.fixture
def filled(store_url):
    records = synthetic(1500, seed=7, spread_km=150)
    with incidents.Store(store_url) as st:
        st.ingest(records, source="syn")
        yield st, records


def test_within_finds_exactly_what_a_geodesic_scan_finds(filled):
    # Bug caught: a prefilter box narrower than the circle (longitude degrees taken as
    # latitude degrees), which silently drops points near the circle's east and west edges.
    st, records = filled
    for km in (5, 40, 120):
        found = st.read(within=(*CENTRE, km))
        expected = geo.within(records, *CENTRE, km=km)
        assert sorted(found["id"]) == sorted(expected["id"]) and len(found) > 0
        assert np.allclose(found.set_index("id")["distance_km"].sort_index(),
                           expected.set_index("id")["distance_km"].sort_index())


def test_bbox_since_until_where_match_pandas(filled):
    # Bug caught: an exclusive until (a record on the last day lost) or a bbox with its
    # corners swapped.
    st, records = filled
    west, south, east, north = 22.0, 48.0, 23.5, 49.0
    found = st.read(bbox=(west, south, east, north), since="2025-08-23", until="2025-08-25",
                    where={"target_type": ["energy", "transport"]})
    x, y = records.geometry.x, records.geometry.y
    keep = ((x >= west) & (x <= east) & (y >= south) & (y <= north) & records["date"].between("2025-08-23", "2025-08-25")
            & records["target_type"].isin(["energy", "transport"]))
    assert sorted(found["id"]) == sorted(records.loc[keep, "id"]) and keep.sum() > 0


def test_read_gives_back_what_was_ingested(filled):
    # Bug caught: a column lost or retyped on the way through the database.
    st, records = filled
    back = st.read().set_index("id").loc[records["id"]]
    assert (back["killed"].to_numpy() == records["killed"].to_numpy()).all()
    assert (back["date"].to_numpy() == records["date"].to_numpy()).all()
    assert back.geometry.geom_equals(records.geometry.set_axis(back.index)).all()
    assert list(back["sources"]) == list(records["sources"])


def test_events_with_a_filter_keep_every_report_of_the_event(store_url):
    # Bug caught: filtering reports first, so an event half inside the circle loses its
    # other source (and its casualty range).
    inside = synthetic(1, prefix="in", centre=CENTRE, spread_km=0.1)
    outside = inside.copy()
    outside["id"] = "out-0"
    outside.geometry = outside.geometry.translate(xoff=0.05)  # ~3.7 km east
    with incidents.Store(store_url) as st:
        st.ingest(inside, source="a")
        st.ingest(outside, source="b")
        events = st.events(within=(*CENTRE, 1))
    assert len(events) == 1 and events["n_reports"].iloc[0] == 2


def test_export_and_stats(store_url, tmp_path):
    # Bug caught: counts of raw records where events were meant (a strike counted twice).
    records = synthetic(50)
    with incidents.Store(store_url) as st:
        st.ingest(records, source="a")
        st.ingest(records.iloc[:20], source="b")
        st.export(tmp_path / "events.gpkg")
        st.export(tmp_path / "records.csv", events=False)
        stats = st.stats()
    assert len(incidents.load(tmp_path / "events.gpkg")) == 50
    assert len(pd.read_csv(tmp_path / "records.csv")) == 70
    assert stats["records"] == 70 and stats["events"] == 50 and stats["events_with_several_sources"] == 20
    assert stats["sources"] == {"a": 50, "b": 20} and stats["ingests"] == 2


def test_within_gives_every_cell_the_scan_gives(store_url):
    # Bugs caught: a cell changed on its way through the columnar read: a CSV quote, comma
    # or newline splitting a text (PostGIS's COPY), an empty text read as missing, a boolean
    # or a missing count retyped, a list or an extra column lost.
    records = synthetic(300, seed=3, spread_km=60)
    n = len(records)
    records["notes"] = ['say "no", then\nleave', "", "NULL", "апостроф ' and \\ backslash", None, "a | b"] * (n // 6)
    records["foreign_owned"] = pd.array([True, False, None] * (n // 3), dtype="boolean")
    records["injured"] = pd.array([None, 3, 0] * (n // 3), dtype="Int64")
    records["date_end"] = records["date"] + pd.to_timedelta([0, 1, 2] * (n // 3), unit="D")
    records["tags"] = [["one", "two"], [], ["three"]] * (n // 3)
    records["crew"] = ["x,y", None, "z"] * (n // 3)  # an extra column, kept as JSON
    with incidents.Store(store_url) as st:
        st.ingest(records, source="syn")
        found = st.read(within=(*CENTRE, 40))
    expected = geo.within(incidents.validate(records), *CENTRE, km=40)
    assert 0 < len(found) < n
    found = found.drop(columns=[c for c in found.columns if c.startswith("store_")])

    def cells(frame):  # missing as None whatever the dtype (a store column is typed, validate's may be object)
        frame = frame.sort_values("id").reset_index(drop=True).astype(object)
        return frame.where(frame.notna(), None)
    pd.testing.assert_frame_equal(cells(found), cells(expected[list(found.columns)]))


def test_an_ingest_stores_its_records_in_latitude_bands(store_url):
    # Bug caught: records stored in file order, so a read of one circle touches a page per
    # record (the row lookups of a 50 km read over 1,000,000 records took 2-3x as long);
    # answers would not show it.
    from incidents.store.space import BAND_DEGREES

    with incidents.Store(store_url) as st:
        st.ingest(synthetic(2000, seed=5), source="syn")
        latitudes = st._query("SELECT latitude FROM records ORDER BY fid")["latitude"].to_numpy(float)
    bands = np.floor(latitudes / BAND_DEGREES)
    assert (np.diff(bands) >= 0).all() and len(set(bands)) > 50


def test_reads_come_in_stored_order_after_updates(store_url):
    # Bug caught: rows left in the order the database hands them (PostgreSQL: where an
    # update put the row; SQLite: the order of the index a filter used) instead of sorted
    # by the stored order.
    records = synthetic(300, seed=9, spread_km=40)
    changed = records.iloc[::7].copy()
    changed["killed"] = changed["killed"] + 10
    with incidents.Store(store_url) as st:
        st.ingest(records, source="a")
        st.ingest(changed, source="a")  # updated rows move to the table's end in PostgreSQL
        stored = list(st._query("SELECT record_id FROM records ORDER BY fid")["record_id"])
        for found in (st.read(), st.read(within=(*CENTRE, 30)), st.read(where={"store_source": "a"})):
            assert list(found["id"]) == [i for i in stored if i in set(found["id"])] and len(found) > 0


def test_a_store_frame_ingested_again_keeps_one_set_of_store_columns(store_url, tmp_path):
    # Bug caught: a read frame's store columns (and distance_km) coming back as extras
    # beside the new store's own: duplicate columns, or a read that fails to add distance_km.
    with incidents.Store(str(tmp_path / "first.gpkg")) as first:
        first.ingest(synthetic(100, seed=4, spread_km=30), source="a")
        frame = first.read(within=(*CENTRE, 25))
    with incidents.Store(store_url) as st:
        st.ingest(frame, source="b")
        back = st.read(within=(*CENTRE, 25))
    assert not back.columns.duplicated().any() and len(back) == len(frame) > 0
    assert set(back["store_source"]) == {"b"} and list(back.columns[-2:]) == ["distance_km", "geometry"]
    assert np.allclose(back.set_index("id")["distance_km"], frame.set_index("id")["distance_km"].loc[back["id"]])


def test_postgis_reads_run_without_parallel_workers(postgis_server, monkeypatch):
    # Bug caught: a read left to PostgreSQL's parallel plan, whose workers' start-up doubled
    # the wall time of a 50 km read over 1,000,000 records on a busy machine (same answers).
    from conftest import fresh_database

    with incidents.Store(fresh_database(postgis_server)) as st:
        st.ingest(synthetic(20), source="a")
        seen, run = [], st._run

        def run_and_look(work):
            def look(conn):  # the setting in force in the read's own transaction
                out = work(conn)
                seen.append(conn.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar())
                return out
            return run(look)
        monkeypatch.setattr(st, "_run", run_and_look)
        assert len(st.read(within=(*CENTRE, 300))) == 20
    assert seen == ["0"]


def test_where_values_and_coordinates_are_matched_exactly(store_url):
    # Bugs caught: a value put into SQL text (GDAL binds no parameters) without doubling its
    # quotes (an error, or other rows matched), or a coordinate rounded on the way there.
    lat, lon = 48.98765432109876, 22.123456789012345
    records = frame(one("q-1", lat, lon, "2025-08-21", place="Kryvyi Rih's \"port\""),
                    one("q-2", 48.5, 22.5, "2025-08-21", place="Kryvyi Rih"),
                    one("q-3", 48.6, 22.6, "2025-08-21", place="back\\slash ' OR 1 = 1 --"))
    with incidents.Store(store_url) as st:
        st.ingest(records, source="a")
        for place, wanted in (("Kryvyi Rih's \"port\"", ["q-1"]), ("back\\slash ' OR 1 = 1 --", ["q-3"])):
            assert list(st.read(where={"place": place})["id"]) == wanted
        assert list(st.read(where={"latitude": lat, "longitude": [lon, 22.5]})["id"]) == ["q-1"]
        assert list(st.read(where={"latitude": np.nextafter(lat, 90)})["id"]) == []


def test_a_text_with_a_nul_character_reads_back_whole(tmp_path):
    # Bug caught: GDAL's reader (C strings) cutting a text at its NUL character, silently
    # (PostgreSQL refuses such text at ingest; a GeoPackage keeps it).
    records = frame(one("n-1", 48.5, 22.5, "2025-08-21", place="a\x00b"), one("n-2", 48.5, 22.6, "2025-08-21", place="a"))
    with incidents.Store(str(tmp_path / "team.gpkg")) as st:
        st.ingest(records, source="a")
        assert list(st.read()["place"]) == ["a\x00b", "a"]
        assert list(st.read(where={"place": "a\x00b"})["id"]) == ["n-1"]


def test_dates_in_other_iso_forms_still_read(tmp_path):
    # Bug caught: only the two date forms the store writes parsed (Arrow's cast), so a file
    # edited by hand ("20250822", a time zone) failed to read at all.
    with incidents.Store(str(tmp_path / "team.gpkg")) as st:
        st.ingest(frame(one("d-1", 48.5, 22.5, "2025-08-21"), one("d-2", 48.5, 22.6, "2025-08-21")), source="a")
        st._execute("UPDATE records SET date = '20250822' WHERE record_id = 'd-2'")
        dates = st.read()["date"]
    assert list(dates) == [pd.Timestamp("2025-08-21"), pd.Timestamp("2025-08-22")] and dates.dtype == "datetime64[us]"


def test_the_circle_box_holds_the_circle_and_its_docstring_examples_hold():
    # Bugs caught: the box drawn with the longest km per degree of latitude (a circle's north
    # tip falls outside), or the longitude half-width taken at the centre's latitude, not the
    # far edge's (the circle bulges past the box towards the pole).
    import doctest

    from pyproj import Geod

    import incidents.store.space as space

    assert doctest.testmod(space).failed == 0
    lat, lon, km = 60.0, 30.0, 500.0
    west, south, east, north = space.circle_box(lat, lon, km)
    bearings = np.arange(0, 360, 0.5)
    x, y, _ = Geod(ellps="WGS84").fwd(np.full(len(bearings), lon), np.full(len(bearings), lat), bearings,
                                      np.full(len(bearings), km * 1000))
    assert (west <= x).all() and (x <= east).all() and (south <= y).all() and (y <= north).all()
