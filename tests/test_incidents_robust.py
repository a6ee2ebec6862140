"""What real CSVs and spatial files contain (issue 16, items 3-5 and 7): encodings with
stray bytes, ragged rows, unterminated quotes, empty tokens, control characters, huge
cells, non-point shapes and malformed files. Each gives a frame and named row errors, or
one IncidentDataError, never another exception; rows in = loaded + rejected + blank."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import incidents
from incidents import IncidentDataError


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def accounted(frame) -> bool:
    a = frame.attrs
    return a["rows_in"] == len(frame) + a["rows_rejected"] + a["rows_blank"]


def test_one_stray_byte_rejects_its_row_not_the_whole_file(tmp_path):
    data = ("id,date,place\na,2025-08-21,Мукачево\n".encode("utf-8") + b"b,2025-08-21,Caf\xe9\n"
            + "c,2025-08-22,Ужгород\n".encode("utf-8"))
    frame, rejected = incidents.load(write(tmp_path, "mixed.csv", data), errors="report")
    assert frame.attrs["encoding"] == "utf-8"
    assert list(frame["place"]) == ["Мукачево", "Ужгород"]  # no mojibake
    row = rejected.iloc[0]
    assert (row["row"], row["field"]) == (3, "place") and "byte 0xE9 (character 4)" in row["reason"]
    assert accounted(frame)


def test_a_whole_cp1251_file_is_read_as_cp1251(tmp_path):
    data = "id,date,place\na,2025-08-21,Мукачево\nb,2025-08-21,Ужгород\n".encode("cp1251")
    with pytest.warns(UnicodeWarning, match="cp1251"):
        frame = incidents.load(write(tmp_path, "win.csv", data))
    assert list(frame["place"]) == ["Мукачево", "Ужгород"]


def test_a_row_with_an_unquoted_separator_is_a_row_error(tmp_path):
    path = write(tmp_path, "ragged.csv", "id,date,notes\na,2025-08-21,fine\nb,2025-08-21,hello, world\n"
                                          "c,2025-08-22,fine\n")
    frame, rejected = incidents.load(path, errors="report")
    assert list(frame["id"]) == ["a", "c"]
    assert rejected.to_dict("records") == [{"row": 3, "field": "row", "value": "b,2025-08-21,hello, world",
                                            "reason": "has 4 fields but the header has 3 (an unquoted separator "
                                                      "inside a value?)"}]
    assert frame.attrs["rows_in"] == 3 and accounted(frame)


def test_an_unterminated_quote_names_the_line_it_opens_on(tmp_path):
    path = write(tmp_path, "quote.csv", 'id,date,notes\na,2025-08-21,fine\nb,2025-08-21,"never closed\n'
                                        "c,2025-08-22,swallowed\n")
    with pytest.raises(IncidentDataError) as error:
        incidents.load(path)
    assert "row 3, row: opens a quote that is never closed" in str(error.value)
    # Also when the open quote is on the last line (Arrow alone would take the rest as the value).
    with pytest.raises(IncidentDataError, match="row 2, row: opens a quote that is never closed"):
        incidents.load(write(tmp_path, "last.csv", 'id,date,notes\na,2025-08-21,"never closed\n'))


@pytest.mark.parametrize("token", ["nan", "NaN", "null", "NULL", "NA", "n/a"])
def test_empty_tokens_mean_empty_in_every_column(tmp_path, token):
    path = write(tmp_path, "t.csv", f"id,date,place,latitude,longitude,killed\na,2025-08-21,{token},{token},{token},{token}\n"
                                    "b,2025-08-21,Lviv,49.84,24.03,1\n")
    frame = incidents.load(path)
    assert pd.isna(frame.loc[0, "place"]) and frame.geometry[0] is None and pd.isna(frame.loc[0, "killed"])
    assert frame.loc[1, "killed"] == 1


@pytest.mark.parametrize("text", ["a\x00b", "esc\x1b[2J"])
def test_control_characters_are_row_errors(tmp_path, text):
    path = write(tmp_path, "c.csv", f"id,date,place\na,2025-08-21,{text}\nb,2025-08-21,Lviv\n")
    frame, rejected = incidents.load(path, errors="report")
    assert list(frame["id"]) == ["b"]
    assert (rejected.loc[0, "row"], rejected.loc[0, "field"]) == (2, "place")
    # the whole reason, word for word (a mutant wrote "such as nul": the byte is named as Unicode does)
    assert rejected.loc[0, "reason"] == "holds a control character (such as NUL), which no text field may contain"
    assert rejected.loc[0, "value"] == text
    with pytest.raises(IncidentDataError) as error:
        incidents.load(path)
    assert repr(text) in str(error.value) and "\x00" not in str(error.value) and "\x1b" not in str(error.value)


def test_extra_columns_have_the_same_length_cap(tmp_path):
    path = write(tmp_path, "long.csv", f"id,date,my_notes\na,2025-08-21,{'x' * 6000}\nb,2025-08-21,short\n")
    frame, rejected = incidents.load(path, errors="report")
    assert list(frame["id"]) == ["b"]
    assert (rejected.loc[0, "field"], rejected.loc[0, "reason"]) == ("my_notes", "is too long (more than 5000 characters)")
    assert len(incidents.load(path, max_chars=10_000)) == 2


def test_a_wkt_point_and_coordinates_that_disagree(tmp_path):
    path = write(tmp_path, "w.csv", 'id,date,latitude,longitude,wkt\na,2025-08-21,48.44,22.72,POINT (22.72 48.44)\n'
                                    'b,2025-08-21,48.44,22.72,POINT (30.52 50.45)\n')
    frame, rejected = incidents.load(path, errors="report")
    assert list(frame["id"]) == ["a"]
    assert (rejected.loc[0, "row"], rejected.loc[0, "field"]) == (3, "geometry")
    assert "give different points" in rejected.loc[0, "reason"]


def test_non_point_shapes_are_row_errors_so_every_command_can_draw_what_loads(tmp_path):
    frame = gpd.GeoDataFrame({"id": ["a", "b"], "date": ["2025-08-21", "2025-08-21"]},
                             geometry=[shapely.Point(22.72, 48.44), shapely.box(22, 48, 23, 49)], crs="EPSG:4326")
    path = tmp_path / "shapes.geojson"
    frame.to_file(path)
    loaded, rejected = incidents.load(path, errors="report")
    assert list(loaded["id"]) == ["a"]
    assert (rejected.loc[0, "field"], rejected.loc[0, "value"]) == ("geometry", "Polygon")


def test_huge_casualties_and_empty_points(tmp_path):
    path = write(tmp_path, "h.csv", "id,date,killed,wkt\na,2025-08-21,1e308,\nb,2025-08-21,2,POINT EMPTY\n")
    frame, rejected = incidents.load(path, errors="report")
    assert list(frame["id"]) == ["b"] and frame.geometry[0] is None
    assert rejected.loc[0, "reason"].startswith("is implausibly large")


def test_cr_only_line_endings(tmp_path):
    frame = incidents.load(write(tmp_path, "mac.csv", "id,date\ra,2025-08-21\rb,2025-08-22\r"))
    assert list(frame["id"]) == ["a", "b"]


@pytest.mark.parametrize("doc, fragment", [
    ({"type": "FeatureCollection", "features": {"a": 1}}, "no list of features"),
    ({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "a", "date": "2025-08-21"},
                                                 "geometry": {"type": "Point"}}]}, "unreadable geometry"),
    ({"type": "FeatureCollection", "features": ["nope"]}, "feature 1 is not an object"),
    ([1, 2, 3], "not of records"),
])
def test_malformed_geojson_is_one_clear_error(tmp_path, doc, fragment):
    path = write(tmp_path, "bad.geojson", json.dumps(doc))
    with pytest.raises(IncidentDataError, match=fragment):
        incidents.load(path)


def test_deep_nesting_and_nested_properties(tmp_path):
    with pytest.raises(IncidentDataError, match="is not JSON"):
        incidents.load(write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000))
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "a", "date": "2025-08-21", "meta": {"k": [1, 2]}},
         "geometry": {"type": "Point", "coordinates": [22.72, 48.44]}}]}
    frame = incidents.load(write(tmp_path, "nested.geojson", json.dumps(doc)))
    assert json.loads(frame.loc[0, "meta"]) == {"k": [1, 2]}  # kept as JSON text, not lost


@pytest.mark.parametrize("name, data", [("empty.gpkg", b""), ("cut.gpkg", b"SQLite format 3\x00" + b"\x00" * 50),
                                        ("cut.parquet", b"PAR1\x00\x00"), ("empty.parquet", b"")])
def test_empty_or_truncated_spatial_files(tmp_path, name, data):
    with pytest.raises(IncidentDataError, match="is not a readable"):
        incidents.load(write(tmp_path, name, data))


def test_parquet_without_geo_metadata(tmp_path):
    path = tmp_path / "plain.parquet"
    pd.DataFrame({"id": ["a"], "date": ["2025-08-21"]}).to_parquet(path)
    with pytest.raises(IncidentDataError, match="is not a readable parquet file"):
        incidents.load(path)


# ---- fuzz: never another exception, always accounted for ---------------------------------

def _load_or_error(path):
    try:
        frame, rejected = incidents.load(path, errors="report")
    except IncidentDataError:
        return None
    assert accounted(frame), frame.attrs
    return frame


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes(tmp_path_factory, data):
    _load_or_error(write(tmp_path_factory.mktemp("fuzz"), "x.csv", b"id,date,place\n" + data))


cells = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(cells, min_size=0, max_size=5), max_size=8), st.sampled_from([",", ";", "\t"]))
def test_random_csv_shapes(tmp_path_factory, rows, delimiter):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["id", "date", "place"])
    writer.writerows(rows)
    _load_or_error(write(tmp_path_factory.mktemp("fuzz"), "x.csv", buffer.getvalue()))


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                       max_size=3), max_leaves=10)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries({"type": st.just("Feature"),
                                       "properties": st.dictionaries(st.sampled_from(["id", "date", "x"]), json_values),
                                       "geometry": json_values}), max_size=4))
def test_random_geojson(tmp_path_factory, features):
    doc = {"type": "FeatureCollection", "features": features}
    _load_or_error(write(tmp_path_factory.mktemp("fuzz"), "x.geojson", json.dumps(doc, allow_nan=True)))


def test_a_rows_problems_keep_the_order_of_the_checks_beside_a_ragged_line(tmp_path):
    """Bug (mutation testing): merging the reader's rejections (a ragged line) into the
    validation findings with an unstable sort shuffles the problems within a row, so the
    same file lists them in another order (500 rows: numpy's quicksort is stable on few)."""
    rows = "".join(f"r{i},someday,many\n" for i in range(500))
    path = write(tmp_path, "order.csv", "id,date,killed\nx,2025-08-21,1,extra\n" + rows)
    _, rejected = incidents.load(path, errors="report")
    assert rejected["row"].tolist()[0] == 2  # the ragged line, first
    per_row = rejected[rejected["row"] > 2].groupby("row")["field"].agg(list)
    assert len(per_row) == 500 and all(fields == ["date", "killed"] for fields in per_row)


def test_the_rejection_table_is_numbered_from_0_after_the_readers_rejections_join_it(tmp_path):
    """Bug (mutation testing, io.x_load__mutmut_111): sorting the merged rejections without
    ``ignore_index`` keeps the old row labels, so ``rejected.loc[0]`` is no longer the first
    problem of the file (here it would be the bad date on line 4, listed second)."""
    path = write(tmp_path, "mixed.csv", "id,date,notes\na,2025-08-21,fine\nb,2025-08-21,hello, world\n"
                                         "c,someday,fine\n")
    _, rejected = incidents.load(path, errors="report")
    assert rejected["row"].tolist() == [3, 4]
    assert list(rejected.index) == [0, 1]
    assert rejected.loc[0, "row"] == 3
