"""Lossless round trips through every format, and the date parser, property-tested."""

from __future__ import annotations

import datetime as dt
import string

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import incidents
from incidents.schema import COLUMNS
from incidents.validate import parse_dates


def frame_of(records: list[dict]) -> gpd.GeoDataFrame:
    """Build an IncidentFrame through validation, as a user's file would be."""
    raw = pd.DataFrame(records)
    frame = incidents.validate(gpd.GeoDataFrame(raw, geometry=[None] * len(raw), crs="EPSG:4326"))
    return frame


RICH = [
    {"id": "a", "date": "2025-08-21", "date_end": "2025-08-22", "date_precision": "day", "place": "Mukachevo",
     "oblast": "UA-21", "latitude": 48.44, "longitude": 22.718, "location_precision": "settlement",
     "weapon": "cruise_missile", "target": "Flex plant, \"quoted\" | piped, comma", "target_type": "industrial",
     "killed": 0, "injured": 23, "injured_low": 15, "injured_high": 23, "owner_company": "Flex Ltd",
     "owner_country": "US", "foreign_owned": True, "sector": "electronics",
     "sources": ["https://www.pravda.com.ua/eng/news/2025/08/21/7527256/", "https://example.org/a?b=c;d"],
     "tags": ["foreign", "west"], "notes": "Мукачево ʼapostropheʼ\nsecond line", "analyst": "extra column"},
    {"id": "b", "date": "2024-05-25T14:30:00", "place": "Kharkiv", "oblast": "UA-63", "killed": 12,
     "foreign_owned": False, "sources": [], "tags": [], "analyst": None},
    {"id": "c", "date": "2023-07", "place": "Odesa"},
]


def assert_same(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    for column in COLUMNS:
        left, right = a[column].tolist(), b[column].tolist()
        left = [list(v) if isinstance(v, (list, np.ndarray)) else (None if pd.isna(v) else v) for v in left]
        right = [list(v) if isinstance(v, (list, np.ndarray)) else (None if pd.isna(v) else v) for v in right]
        assert left == right, column
    assert a.geometry.equals(b.geometry)


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".gpkg", ".parquet"])
def test_round_trip_every_column(tmp_path, suffix):
    original = frame_of(RICH)
    assert original.loc[0, "date_end"] == pd.Timestamp("2025-08-22")
    assert original.loc[2, "date_precision"] == "month"
    path = tmp_path / f"incidents{suffix}"
    incidents.save(original, path)
    back = incidents.load(path)
    assert_same(original, back)
    assert back.loc[0, "sources"][1] == "https://example.org/a?b=c;d"
    assert back.loc[0, "analyst"] == "extra column"
    assert back.loc[1, "date"] == pd.Timestamp("2024-05-25 14:30")


def test_save_is_atomic_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "keep.geojson"
    path.write_text("precious")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("incidents.io.json.dumps", fail)
    with pytest.raises(OSError, match="disk full"):
        incidents.save(frame_of(RICH), path)
    assert path.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.geojson"]


def test_unsupported_extension(tmp_path):
    with pytest.raises(incidents.IncidentDataError, match="unsupported extension"):
        incidents.load(tmp_path / "x.docx")


@pytest.mark.parametrize("name", ["out.tsv", "out.xlsx"])
def test_save_refuses_what_it_cannot_write_and_says_what_it_writes(tmp_path, name):
    """Bugs (mutation testing): ``or`` -> ``and`` in the check lets .xlsx through to a
    KeyError and .tsv through to a comma-separated file named .tsv (io.x_save__mutmut_19);
    an empty message (io.x_save__mutmut_26)."""
    suffix = name[name.index("."):]
    with pytest.raises(ValueError) as error:
        incidents.save(frame_of(RICH), tmp_path / name)
    assert str(error.value) == f"cannot write {suffix}: save writes .csv, .geojson, .json, .gpkg, .parquet"
    assert not (tmp_path / name).exists()


def test_a_geopackage_holds_one_layer_named_incidents(tmp_path):
    """Bug (mutation testing, io.x_save__mutmut_143): without ``layer="incidents"`` GDAL names
    the layer after the file, so ``read_file(path, layer="incidents")`` and GIS projects that
    point at the layer break whenever the file is renamed."""
    import pyogrio

    path = tmp_path / "strikes.gpkg"
    incidents.save(frame_of(RICH), path)
    assert [name for name, _ in pyogrio.list_layers(path)] == ["incidents"]
    assert len(gpd.read_file(path, layer="incidents")) == len(RICH)


def test_a_bad_firms_file_is_named_in_the_error(tmp_path):
    """Bug (mutation testing, io.x_load__mutmut_38): load passes no source to the FIRMS
    reader, so its error says "in the incident data" instead of naming the file.
    The two rows are synthetic (FIRMS VIIRS archive header), the second has no latitude."""
    header = ("latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,"
              "version,bright_ti5,frp,daynight,type\n")
    row = "48.44,22.72,330.1,0.39,0.36,2025-08-21,0005,N,VIIRS,n,2,290.2,5.1,N,0\n"
    path = tmp_path / "fires.csv"
    path.write_text(header + row + row.replace("48.44", ""), encoding="utf-8")
    with pytest.raises(incidents.IncidentDataError) as error:
        incidents.load(path)
    assert error.value.source == str(path)
    assert str(error.value).splitlines()[0] == f"1 problem in {path}:"


dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date.today())


@settings(deadline=None)
@given(dates)
def test_date_parser_reads_every_iso_day(day):
    parsed, precision, bad = parse_dates(pd.Series([day.isoformat()]))
    assert parsed[0] == pd.Timestamp(day) and precision[0] == "day" and not bad[0]


@settings(deadline=None)
@given(dates, st.integers(0, 23), st.integers(0, 59))
def test_date_parser_keeps_times(day, hour, minute):
    text = f"{day.isoformat()}T{hour:02d}:{minute:02d}"
    parsed, _, bad = parse_dates(pd.Series([text]))
    assert parsed[0] == pd.Timestamp(day) + pd.Timedelta(hours=hour, minutes=minute) and not bad[0]


@settings(deadline=None)
@given(st.text(alphabet=string.ascii_letters + " /.", min_size=1, max_size=12))
def test_date_parser_flags_non_dates(text):
    parsed, _, bad = parse_dates(pd.Series([text]))
    assert bad[0] == bool(text.strip()) and pd.isna(parsed[0])


# "nan", "null", "NA" and "n/a" read back as empty by design (incidents.io.EMPTY_TOKENS).
safe_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40).map(str.strip).filter(
    lambda text: text.lower() not in ("nan", "null", "na", "n/a"))
row = st.fixed_dictionaries({
    "place": safe_text, "target": safe_text, "notes": safe_text,
    "killed": st.one_of(st.none(), st.integers(0, 10_000)),
    "latitude": st.one_of(st.none(), st.floats(44.5, 52.3, allow_nan=False)),
    "tags": st.lists(st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=8), max_size=3),
    "date": dates.map(dt.date.isoformat),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(row, min_size=1, max_size=5))
def test_csv_round_trip_property(tmp_path, rows):
    records = [{**r, "id": f"r{i}", "longitude": 30.0 if r["latitude"] is not None else None} for i, r in enumerate(rows)]
    original = frame_of(records)
    path = tmp_path / "prop.csv"
    # Lossless as written: formula neutralising (the default) adds a ' that the loader
    # keeps on purpose; tests/test_outputs_safety.py checks that side.
    incidents.save(original, path, formula_safe=False)
    assert_same(original, incidents.load(path))
