"""Every bad-input case of the incident loader, each with its message."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import incidents
from incidents import IncidentDataError

HEADER = "id,date,place,oblast,latitude,longitude,killed,injured,sources,weapon,target"
GOOD = "ok1,2025-08-21,Mukachevo,UA-21,48.44,22.718,0,23,https://www.pravda.com.ua/eng/news/2025/08/21/7527256/,cruise_missile,Flex plant"


def write(tmp_path, *rows, header=HEADER, name="in.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


def rejection(path):
    frame, rejected = incidents.load(path, errors="report")
    return frame, rejected


@pytest.mark.parametrize("row, field, reason", [
    ("b,yesterday,Kyiv,UA-30,,,,,,,", "date", "row 3, date: 'yesterday' is not a date (expected e.g. 2025-08-21, 21.08.2025 or 21 August 2025)"),
    ("b,2099-01-01,Kyiv,UA-30,,,,,,,", "date", "row 3, date: '2099-01-01' is in the future"),
    ("b,2025-01-01,Kyiv,UA-30,91,30,,,,,", "latitude", "row 3, latitude: '91' is out of range (-90 to 90)"),
    ("b,2025-01-01,Kyiv,UA-30,50,181,,,,,", "longitude", "row 3, longitude: '181' is out of range (-180 to 180)"),
    ("b,2025-01-01,Kyiv,UA-30,30.52,50.45,,,,,", "latitude/longitude", "latitude and longitude look swapped"),
    ("b,2025-01-01,Kyiv,UA-30,,,-2,,,,", "killed", "row 3, killed: '-2' is negative"),
    ("b,2025-01-01,Kyiv,UA-30,,,,2.5,,,", "injured", "row 3, injured: '2.5' is not a whole number"),
    ("b,2025-01-01,Kyiv,UA-30,,,,some,,,", "injured", "row 3, injured: 'some' is not a number"),
    ("ok1,2025-01-01,Kyiv,UA-30,,,,,,,", "id", "row 3, id: 'ok1 (first seen on row 2)' is a duplicate id"),
    ("b,2025-01-01,Kyiv,UA-30,,,,,javascript:alert(1),,", "sources", "row 3, sources: 'javascript:alert(1)' is not a list of http(s) links"),
    ("b,2025-01-01,Kyiv,UA-30,,,,,ftp://x.org/a,,", "sources", "is not a list of http(s) links"),
    ("b,2025-01-01,Kyiv,UA-99,,,,,,,", "oblast", "row 3, oblast: 'UA-99' is not an ISO 3166-2:UA code"),
    ("b,2025-01-01,Kyiv,UA-30,,,,,,rocket,", "weapon", "row 3, weapon: 'rocket' is not one of: missile"),
    ("b,2025-01-01,Kyiv,UA-30,50.4,,,,,,", "latitude/longitude", "has only one of latitude and longitude"),
    ("b,2025-01-01,Kyiv,UA-30,,,,,,," + "x" * 5001, "target", "row 3, target: 'xxx"),
    (",2025-01-01,Kyiv,UA-30,,,,,,,", "id", "row 3, id: is empty"),
])
def test_bad_row_is_rejected_with_row_field_and_reason(tmp_path, row, field, reason):
    path = write(tmp_path, GOOD, row)
    frame, rejected = rejection(path)
    assert list(frame["id"]) == ["ok1"]
    assert set(rejected["field"]) == {field}
    assert set(rejected["row"]) == {3}
    with pytest.raises(IncidentDataError) as err:
        incidents.load(path)
    assert reason in str(err.value)


def test_over_long_field_names_the_limit(tmp_path):
    path = write(tmp_path, GOOD, "b,2025-01-01,Kyiv,UA-30,,,,,,," + "x" * 5001)
    _, rejected = rejection(path)
    assert rejected.loc[0, "reason"] == "is too long (more than 5000 characters)"
    assert len(rejected.loc[0, "value"]) == 5001  # the table keeps the value; messages truncate it
    with pytest.raises(IncidentDataError) as err:
        incidents.load(path)
    assert "…'" in str(err.value) and "x" * 100 not in str(err.value)


def test_missing_required_column(tmp_path):
    path = write(tmp_path, "a,Kyiv", header="id,place")
    with pytest.raises(IncidentDataError, match="date: required column is missing"):
        incidents.load(path, errors="report")


def test_empty_and_header_only_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(IncidentDataError, match="is empty"):
        incidents.load(empty)
    with pytest.raises(IncidentDataError, match="has a header but no incident rows"):
        incidents.load(write(tmp_path, name="header.csv"))


@pytest.mark.parametrize("encoding, place", [("cp1251", "Мукачево"), ("cp1252", "Munkács")])
def test_non_utf8_encodings_are_detected_and_named(tmp_path, encoding, place):
    path = write(tmp_path, f"a,2025-08-21,{place},UA-21,,,,,,,", encoding=encoding)
    with pytest.warns(UnicodeWarning, match=f"decoded it as {encoding}"):
        frame = incidents.load(path)
    assert frame.loc[0, "place"] == place
    assert frame.attrs["encoding"] == encoding


def test_rows_in_equal_rows_loaded_plus_rejected(tmp_path):
    rows = [GOOD] + [f"r{i},2025-01-0{i % 9 + 1},Kyiv,UA-30,,,{'-1' if i % 3 == 0 else '1'},,,," for i in range(30)]
    frame, rejected = rejection(write(tmp_path, *rows))
    assert len(frame) + rejected["row"].nunique() == len(rows)
    assert rejected["row"].nunique() == 10
    assert frame.attrs["rows_in"] == len(rows)


def test_row_numbers_follow_file_lines_with_multiline_fields(tmp_path):
    path = write(tmp_path, 'a,2025-01-01,Kyiv,UA-30,,,,,,,"two\nlines"', "b,nope,Kyiv,UA-30,,,,,,,")
    _, rejected = rejection(path)
    assert list(rejected["row"]) == [4]


def test_errors_raise_lists_at_most_20(tmp_path):
    rows = [f"r{i},bad{i},Kyiv,UA-30,,,,,,," for i in range(25)]
    with pytest.raises(IncidentDataError) as err:
        incidents.load(write(tmp_path, *rows))
    text = str(err.value)
    assert "row 21, date" in text and "row 22, date" not in text and "... and 5 more" in text
    assert len(err.value.problems) == 25


def test_casualty_ranges_must_be_ordered(tmp_path):
    path = write(tmp_path, "a,2025-08-21,Mukachevo,UA-21,,,,30,15,23", header="id,date,place,oblast,latitude,longitude,killed,injured,injured_low,injured_high")
    _, rejected = rejection(path)
    assert "injured_high" in set(rejected["field"])


def test_validate_in_memory_frame_uses_frame_order():
    gdf = incidents.sample().head(3)
    gdf.loc[1, "killed"] = -4
    with pytest.raises(IncidentDataError, match="row 2, killed: '-4' is negative"):
        incidents.validate(gdf)
    frame, rejected = incidents.validate(gdf, errors="report")
    assert len(frame) == 2 and list(rejected["row"]) == [2]


def test_future_is_relative_to_today(tmp_path):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    _, rejected = rejection(write(tmp_path, GOOD, f"b,{tomorrow},Kyiv,UA-30,,,,,,,"))
    assert list(rejected["field"]) == ["date"]


def test_wkt_geometry_column(tmp_path):
    path = write(tmp_path, "a,2025-08-21,Mukachevo,POINT (22.718 48.44)", header="id,date,place,wkt")
    frame = incidents.load(path)
    assert frame.geometry[0].x == pytest.approx(22.718) and frame.loc[0, "latitude"] == pytest.approx(48.44)


@pytest.mark.parametrize("value, ok", [("US", True), ("al | ar", True), ("UK", False), ("EU", False), ("USA", False), ("US | XX", False)])
def test_owner_country_must_be_iso_alpha2(tmp_path, value, ok):
    path = write(tmp_path, f"a,2025-08-21,{value}", header="id,date,owner_country")
    frame, rejected = rejection(path)
    assert (len(frame) == 1) == ok
    if not ok:
        assert rejected.to_dict("records") == [{"row": 2, "field": "owner_country", "value": value,
                                                "reason": "is not an ISO 3166-1 alpha-2 country code (e.g. US; EU and UK are not codes)"}]


# Found by mutation testing (make mutate, docs/mutation.md).

def test_a_missing_column_is_a_file_problem_not_a_row_problem(tmp_path):
    """Bug: a missing required column is reported as "row 1, date: ..." (as if line 1 were bad)."""
    with pytest.raises(IncidentDataError) as err:
        incidents.load(write(tmp_path, "a,Kyiv", header="id,place"))
    assert [str(p) for p in err.value.problems] == ["date: required column is missing"]


@pytest.mark.parametrize("written", ["cruise_missile", "Cruise Missile", "cruise-missile", "CRUISE  MISSILE"])
def test_vocabulary_values_may_use_spaces_hyphens_and_capitals(tmp_path, written):
    """Bug: "Cruise Missile" or "cruise-missile" rejected instead of read as cruise_missile."""
    frame = incidents.load(write(tmp_path, f"a,2025-08-21,Kyiv,UA-30,,,,,,{written},"))
    assert list(frame["weapon"]) == ["cruise_missile"]


def test_a_point_geometry_fills_empty_latitude_and_longitude_columns():
    """Bug: with latitude/longitude columns present but empty, the point's own coordinates are
    dropped (the empty columns win) -- or a point agreeing with them is called a conflict."""
    import geopandas as gpd
    import shapely

    from incidents.validate import to_frame

    raw = pd.DataFrame({"id": ["a", "b"], "date": ["2025-08-21"] * 2, "latitude": ["", "48.44"],
                        "longitude": ["", "22.718"]})
    frame, rejected = to_frame(raw, geometry=gpd.GeoSeries([shapely.Point(22.718, 48.44)] * 2))
    assert rejected.empty, rejected
    assert frame["latitude"].tolist() == [48.44, 48.44] and frame["longitude"].tolist() == [22.718, 22.718]


def test_foreign_owned_reads_yes_no_and_names_a_bad_value(tmp_path):
    """Bugs: a foreign_owned value that is not true/false crashes the loader (or passes)
    instead of rejecting its row with the value quoted."""
    path = write(tmp_path, "a,2025-08-21,Kyiv,yes", "b,2025-08-21,Kyiv,0", "c,2025-08-21,Kyiv,maybe",
                 header="id,date,place,foreign_owned")
    frame, rejected = rejection(path)
    assert list(frame["foreign_owned"]) == [True, False]
    assert rejected.to_dict("records") == [
        {"row": 4, "field": "foreign_owned", "value": "maybe", "reason": "is not true or false"}]
