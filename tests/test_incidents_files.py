"""Everyday files: CSV dialects, spreadsheets, header synonyms, coordinates in one column,
blank rows, projected GeoJSON/GeoPackage/GeoParquet and misspelt oblasts."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import incidents

MUKACHEVO = (48.4392, 22.7178)


def write(tmp_path, name: str, text: str, encoding: str = "utf-8", newline: str = "\n"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def test_european_excel_csv_semicolons_decimal_commas_bom_crlf(tmp_path):
    path = write(tmp_path, "eu.csv", "\ufeffid;date;place;latitude;longitude;killed\n"
                                     "a;21.08.2025;Mukachevo;48,4392;22,7178;0\n"
                                     "b;22.08.2025;Lviv;49,8383;24,0232;1\n", newline="\r\n")
    gdf = incidents.load(path)
    assert list(gdf["id"]) == ["a", "b"]
    assert (gdf.geometry[0].y, gdf.geometry[0].x) == pytest.approx(MUKACHEVO)
    assert list(gdf["date"]) == [pd.Timestamp("2025-08-21"), pd.Timestamp("2025-08-22")]
    assert "columns separated by semicolons" in gdf.attrs["notes"]


def test_tab_separated(tmp_path):
    path = write(tmp_path, "t.tsv", "id\tdate\tplace\na\t2025-08-21\tMukachevo, Zakarpattia\n")
    gdf = incidents.load(path)
    assert gdf.loc[0, "place"] == "Mukachevo, Zakarpattia" and gdf.attrs["delimiter"] == "tab"


@pytest.mark.parametrize("lat, lon", [("Latitude", "Longitude"), ("lat", "lng"), ("LAT", "lon"), ("y", "x"),
                                      ("широта", "довгота")])
def test_coordinate_headers_people_write(tmp_path, lat, lon):
    path = write(tmp_path, "c.csv", f"id,date,{lat},{lon}\na,2025-08-21,48.4392,22.7178\n")
    gdf = incidents.load(path)
    assert (gdf.geometry[0].y, gdf.geometry[0].x) == pytest.approx(MUKACHEVO)
    assert gdf.attrs["columns_read"][lat] == "latitude" and gdf.attrs["columns_read"][lon] == "longitude"
    assert any(f"'{lat}' -> latitude" in note for note in gdf.attrs["notes"])


def test_ukrainian_headers(tmp_path):
    path = write(tmp_path, "ua.csv", "ID,Дата,Населений пункт,Область,Джерело\n"
                                     "a,21.08.2025,Мукачево,Закарпатська,https://example.org/a\n")
    gdf = incidents.load(path)
    assert gdf.loc[0, "place"] == "Мукачево" and gdf.loc[0, "oblast"] == "UA-21"
    assert gdf.loc[0, "date"] == pd.Timestamp("2025-08-21") and gdf.loc[0, "sources"] == ["https://example.org/a"]


def test_a_source_column_of_outlet_names_is_source_text(tmp_path):
    gdf = incidents.load(write(tmp_path, "s.csv", "id,Date,Source\na,2025-08-21,Reuters\n"))
    assert gdf.loc[0, "source_text"] == "Reuters" and gdf.loc[0, "sources"] == []
    assert gdf.attrs["columns_read"]["Source"] == "source_text"


def test_one_coordinates_column(tmp_path):
    path = write(tmp_path, "p.csv", 'id,date,coordinates\na,2025-08-21,"48.4392, 22.7178"\nb,2025-08-21,\n'
                                    'c,2025-08-21,"near the river"\n')
    gdf, rejected = incidents.load(path, errors="report")
    assert list(gdf["id"]) == ["a", "b"]
    assert (gdf.geometry[0].y, gdf.geometry[0].x) == pytest.approx(MUKACHEVO) and gdf.geometry[1] is None
    assert rejected.to_dict("records") == [{"row": 4, "field": "coordinates", "value": "near the river",
                                            "reason": "is not a coordinate pair (expected 'LAT, LON', e.g. '48.44, 22.72')"}]


@pytest.mark.parametrize("header, fragment", [
    ("id,date,geo_lat,geo_lon", "column: 'geo_lat' looks like coordinates"),
    ("id,date,easting,northing", "column: 'easting' looks like coordinates"),
    ("id,date,lat", "column: 'latitude' is there but no longitude column is"),
    ("id,date,lat,latitude,lon", "column: \"'lat', 'latitude'\" all mean latitude"),
    ("id,date,coordinates,lat,lon", "and latitude/longitude columns both give coordinates"),
    ("id,date,place,place", "file: 'place' column names appear more than once"),
])
def test_columns_we_cannot_use_are_errors_not_silent_drops(tmp_path, header, fragment):
    values = ",".join(["a", "2025-08-21"] + ["1"] * (header.count(",") - 1))
    with pytest.raises(incidents.IncidentDataError) as error:
        incidents.load(write(tmp_path, "x.csv", f"{header}\n{values}\n"))
    assert fragment in str(error.value)


def test_blank_rows_are_skipped_and_counted(tmp_path):
    path = write(tmp_path, "b.csv", "id,date,place\na,2025-08-21,Lviv\n\n,,\nb,yesterday,Kyiv\n,,\n , ,\n")
    gdf, rejected = incidents.load(path, errors="report")
    assert list(gdf["id"]) == ["a"]
    assert rejected["row"].tolist() == [5]  # the file's own line, blank lines counted
    assert gdf.attrs["rows_blank"] == 4
    assert gdf.attrs["rows_in"] == len(gdf) + gdf.attrs["rows_rejected"] + gdf.attrs["rows_blank"] == 6
    assert "skipped 4 blank rows" in gdf.attrs["notes"]


@pytest.mark.parametrize("text, expected", [("21.08.2025", "2025-08-21"), ("8/21/2025", "2025-08-21"),
                                            ("21 August 2025", "2025-08-21"), ("21 серпня 2025", "2025-08-21")])
def test_everyday_date_forms(tmp_path, text, expected):
    gdf = incidents.load(write(tmp_path, "d.csv", f"id,date\na,{text}\n"))
    assert gdf.loc[0, "date"] == pd.Timestamp(expected)


def test_an_ambiguous_date_column_names_the_option(tmp_path):
    path = write(tmp_path, "d.csv", "id,date\na,03/04/2025\nb,05/06/2025\n")
    with pytest.raises(incidents.IncidentDataError) as error:
        incidents.load(path)
    assert "date: '03/04/2025' reads both as day/month and as month/day" in str(error.value)
    assert "dayfirst=True or False" in str(error.value) and "--dayfirst" in str(error.value)
    assert incidents.load(path, dayfirst=True).loc[0, "date"] == pd.Timestamp("2025-04-03")
    assert incidents.load(path, dayfirst=False).loc[0, "date"] == pd.Timestamp("2025-03-04")


def test_misspelt_oblast_is_read_with_a_note_and_nonsense_is_a_row_error(tmp_path):
    path = write(tmp_path, "o.csv", "id,date,oblast\na,2025-08-21,Zakarpatia\nb,2025-08-21,Zakarpatia\n"
                                    "c,2025-08-21,Atlantis\nd,2025-08-21,Kharkov region\ne,2025-08-21,Lvivv\n")
    gdf, rejected = incidents.load(path, errors="report")
    assert list(gdf["oblast"]) == ["UA-21", "UA-21", "UA-63", "UA-46"]
    assert "oblast 'Zakarpatia' read as Zakarpattia (UA-21) on 2 rows" in gdf.attrs["notes"]
    assert rejected.loc[0, "row"] == 4 and rejected.loc[0, "value"] == "Atlantis"
    assert rejected.loc[0, "reason"].startswith("is not an oblast of Ukraine")


def test_an_admin1_column_reads_bare_kyiv_as_the_oblast(tmp_path):
    gdf = incidents.load(write(tmp_path, "a.csv", "id,date,admin1\na,2025-08-21,Kyiv\nb,2025-08-21,Kyiv City\n"))
    assert list(gdf["oblast"]) == ["UA-32", "UA-30"]


def _sheet_rows():
    return [["id", "date", "place", "Latitude", "Longitude"],
            ["a", pd.Timestamp("2025-08-21").to_pydatetime(), "Mukachevo", 48.4392, 22.7178],
            [None, None, None, None, None],
            ["b", "21.08.2025", "Lviv", None, None]]


def test_xlsx_first_sheet_by_default_other_sheets_by_name(tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["this sheet holds no incidents"])
    data = book.create_sheet("Strikes")
    for row in _sheet_rows():
        data.append(row)
    path = tmp_path / "strikes.xlsx"
    book.save(path)
    with pytest.raises(incidents.IncidentDataError, match="has a header but no incident rows"):
        incidents.load(path)  # the first sheet
    gdf = incidents.load(path, sheet="Strikes")
    assert list(gdf["id"]) == ["a", "b"] and gdf.attrs["rows_blank"] == 1
    assert list(gdf["date"]) == [pd.Timestamp("2025-08-21")] * 2
    assert (gdf.geometry[0].y, gdf.geometry[0].x) == pytest.approx(MUKACHEVO)
    # Bugs (mutation testing): the note naming the sheet read is lost; one blank row is
    # "1 blank rows"; dropping it leaks pandas' old row index into the frame as a column.
    assert "read sheet 'Strikes'" in gdf.attrs["notes"] and "skipped 1 blank row" in gdf.attrs["notes"]
    assert "index" not in gdf.columns
    assert incidents.load(path, sheet=1).attrs["sheet"] == "Strikes"
    with pytest.raises(incidents.IncidentDataError, match=r"has no sheet 'Attacks' \(sheets: 'Notes', 'Strikes'\)"):
        incidents.load(path, sheet="Attacks")


def test_ods(tmp_path):
    rows = _sheet_rows()
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    path = tmp_path / "strikes.ods"
    frame.to_excel(path, engine="odf", index=False)
    gdf = incidents.load(path)
    assert list(gdf["id"]) == ["a", "b"] and gdf.loc[0, "date"] == pd.Timestamp("2025-08-21")


def test_a_file_that_is_not_the_spreadsheet_it_claims(tmp_path):
    for name in ("fake.xls", "fake.xlsx", "fake.ods"):
        path = write(tmp_path, name, "id,date\na,2025-08-21\n")
        with pytest.raises(incidents.IncidentDataError, match="is not a readable spreadsheet"):
            incidents.load(path)


def _projected_points():
    return gpd.GeoSeries([shapely.Point(MUKACHEVO[1], MUKACHEVO[0])], crs="EPSG:4326").to_crs("EPSG:3857")


def test_geojson_with_a_legacy_crs_member_is_reprojected(tmp_path):
    point = _projected_points()[0]
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
           "features": [{"type": "Feature", "properties": {"id": "a", "date": "2025-08-21"},
                         "geometry": {"type": "Point", "coordinates": [point.x, point.y]}}]}
    path = tmp_path / "qgis.geojson"
    path.write_text(json.dumps(doc))
    gdf = incidents.load(path)
    assert (gdf.geometry[0].y, gdf.geometry[0].x) == pytest.approx(MUKACHEVO)
    assert gdf.attrs["reprojected_from"] == "EPSG:3857"
    assert "coordinates reprojected from EPSG:3857 to EPSG:4326" in gdf.attrs["notes"]


@pytest.mark.parametrize("suffix, crs", [(".gpkg", "EPSG:3857"), (".parquet", "EPSG:32634")])
def test_geopackage_and_geoparquet_in_any_crs(tmp_path, suffix, crs):
    frame = gpd.GeoDataFrame({"id": ["a"], "date": ["2025-08-21"]},
                             geometry=_projected_points().to_crs(crs).values, crs=crs)
    path = tmp_path / f"projected{suffix}"
    frame.to_file(path) if suffix == ".gpkg" else frame.to_parquet(path)
    gdf = incidents.load(path)
    assert (gdf.geometry[0].y, gdf.geometry[0].x) == pytest.approx(MUKACHEVO)
    assert gdf.attrs["reprojected_from"] == crs


def test_the_documented_synonym_table_is_the_one_in_the_code():
    from pathlib import Path

    from incidents.columns import COORDINATE_PAIR, SYNONYMS

    doc = (Path(__file__).parent.parent / "docs" / "reading-files.md").read_text(encoding="utf-8")
    for ours, aliases in SYNONYMS.items():
        assert f"| `{ours}` | " + ", ".join(f"`{a}`" for a in aliases) + " |" in doc, ours
    assert ", ".join(f"`{a}`" for a in COORDINATE_PAIR) in doc


def test_a_csv_of_points_gets_no_wkt_column(tmp_path):
    """Bug (mutation testing): save writes a wkt column whenever any row has a geometry, so
    every CSV of plain points carries each coordinate pair twice."""
    import csv

    gdf = incidents.load(write(tmp_path, "p.csv", "id,date,latitude,longitude\na,2025-08-21,48.44,22.718\nb,2025-08-22,,\n"))
    incidents.save(gdf, tmp_path / "out.csv")
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert "wkt" not in header and {"latitude", "longitude"} <= set(header)


def test_the_note_lists_every_header_read_as_one_of_ours(tmp_path):
    """Bug (mutation testing): the "columns read as" note garbles or drops the list of
    mappings when a file uses more than one synonym (expected from docs/reading-files.md)."""
    gdf = incidents.load(write(tmp_path, "s.csv", "event_id,event_date,location\na,2025-08-21,Lviv\n"))
    assert "columns read as: 'event_id' -> id, 'event_date' -> date, 'location' -> place" in gdf.attrs["notes"]


def test_a_point_set_after_loading_is_written_to_the_csv(tmp_path):
    """Bug (mutation testing): save writes the latitude/longitude columns as they were, so a
    point placed after loading (as geo.geocode does) is lost from the CSV."""
    import shapely

    gdf = incidents.load(write(tmp_path, "p.csv", "id,date,place\na,2025-08-21,Lviv\n"))
    gdf.loc[0, "geometry"] = shapely.Point(24.03, 49.84)
    incidents.save(gdf, tmp_path / "out.csv")
    back = incidents.load(tmp_path / "out.csv")
    assert (back.geometry[0].x, back.geometry[0].y) == (24.03, 49.84)


def test_a_blank_record_in_json_records_is_skipped_and_later_records_keep_their_numbers(tmp_path):
    """Bug (mutation testing, io.x_read_raw__mutmut_63): JSON records come without line
    numbers; using the reader's missing numbers as they are crashes on the first blank record
    instead of numbering records as CSV rows (first record = row 2)."""
    path = write(tmp_path, "records.json", json.dumps([{"id": "a", "date": "2025-08-21"}, {"id": "", "date": ""},
                                                      {"id": "c", "date": "someday"}]))
    frame, rejected = incidents.load(path, errors="report")
    assert frame["id"].tolist() == ["a"]
    assert rejected[["row", "field", "value"]].values.tolist() == [[4, "date", "someday"]]
    assert (frame.attrs["rows_blank"], frame.attrs["rows_in"]) == (1, 3)
