"""Every export layout seen in the wild, from fixtures whose header lines and value formats
copy the real files (rows written by hand, labelled SYNTHETIC; no ACLED/UCDP data ships)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

import incidents
from incidents.sources import IMPORTERS, Importer

FIXTURES = Path(__file__).parent / "fixtures"


def _csv_rows(path: Path, encoding: str = "utf-8") -> list[dict]:
    with open(path, newline="", encoding=encoding) as f:
        return list(csv.DictReader(f))


def test_acled_api_csv_keeps_its_row_id_apart_from_the_event_id():
    gdf = incidents.load(FIXTURES / "synthetic_acled_api.csv")
    assert gdf.attrs["dataset"] == "ACLED"
    assert list(gdf["id"]) == ["SYNUKR101", "SYNUKR102", "SYNUKR103"]
    assert list(gdf["acled_id"]) == ["9000001", "9000002", "9000003"]  # ACLED's numeric row id, kept
    assert gdf.columns.is_unique
    # DD/MM/YYYY HH:MM:SS, day first as ACLED documents: 03/09 is 3 September
    assert list(gdf["date"]) == [pd.Timestamp("2025-08-21"), pd.Timestamp("2025-09-03"), pd.Timestamp("2020-08-14")]
    assert list(gdf["acled_tags"]) == ["", "crowd size=no report", ""]
    assert gdf.loc[2, "notes"] == 'SYNTHETIC test row, "quoted" text, with a comma.'
    assert list(gdf["location_precision"]) == ["settlement", "raion", "oblast"]


def test_acled_api_json_response_reads_like_the_csv():
    from_json = incidents.load(FIXTURES / "synthetic_acled_api_response.json")
    from_csv = incidents.load(FIXTURES / "synthetic_acled_api.csv")
    assert from_json.attrs["dataset"] == "ACLED"
    for column in ("id", "date", "killed", "acled_id", "place", "source_text"):
        assert list(from_json[column]) == list(from_csv[column]), column
    assert from_json.geometry[0].equals(from_csv.geometry[0])


def test_acled_xlsx_export_with_spreadsheet_dates(tmp_path):
    import openpyxl
    rows = _csv_rows(FIXTURES / "synthetic_acled_api.csv")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for row in rows:
        day, month, year = map(int, row["event_date"][:10].split("/"))
        import datetime as dt
        values = {**row, "event_date": dt.datetime(year, month, day), "fatalities": int(row["fatalities"]),
                  "latitude": float(row["latitude"]), "longitude": float(row["longitude"])}
        sheet.append([values[k] for k in row])
    path = tmp_path / "acled_export.xlsx"
    book.save(path)
    gdf = incidents.load(path)
    assert gdf.attrs["dataset"] == "ACLED" and gdf.attrs["sheet"] == "Sheet"
    assert list(gdf["date"]) == [pd.Timestamp("2025-08-21"), pd.Timestamp("2025-09-03"), pd.Timestamp("2020-08-14")]
    assert list(gdf["killed"]) == [0, 2, 1]
    assert gdf.geometry[0].x == pytest.approx(22.7178)


def test_ucdp_official_csv_dates_with_milliseconds():
    gdf = incidents.load(FIXTURES / "synthetic_ucdp_ged_official.csv")
    assert gdf.attrs["dataset"] == "UCDP GED"
    assert list(gdf["id"]) == ["ucdp-900101", "ucdp-900102", "ucdp-900103"]
    assert list(gdf["date"]) == [pd.Timestamp("2025-08-21"), pd.Timestamp("2014-01-22"), pd.Timestamp("2024-03-01")]
    assert gdf.loc[2, "date_end"] == pd.Timestamp("2024-03-31")
    assert (gdf.loc[1, "killed"], gdf.loc[1, "killed_low"], gdf.loc[1, "killed_high"]) == (3, 2, 5)


def test_ucdp_excel_saved_csv_month_first_with_12_hour_times():
    with pytest.warns(UnicodeWarning, match="cp1252"):
        gdf, rejected = incidents.load(FIXTURES / "synthetic_ucdp_ged_excel_saved.csv", errors="report")
    assert rejected.empty, rejected
    assert gdf.attrs["rows_in"] == 3 and len(gdf) == 3  # every row, none lost to the date format
    assert list(gdf["date"]) == [pd.Timestamp("2025-08-21"), pd.Timestamp("2014-01-22"), pd.Timestamp("2024-03-01")]
    assert gdf.loc[1, "date_end"] == pd.Timestamp("2014-01-23")
    assert "–" in gdf.loc[0, "notes"]  # the cp1252 en dash decoded, not mangled
    assert gdf.attrs["encoding"] == "cp1252"


def test_ucdp_all_ambiguous_dates_follow_the_excel_us_convention(tmp_path):
    """Every date below reads both ways; UCDP files saved by Excel are month first."""
    text = (FIXTURES / "synthetic_ucdp_ged_official.csv").read_text(encoding="utf-8")
    text = text.replace("2025-08-21 00:00:00.000", "3/4/2025 12:00:00 AM").replace("2014-01-22 00:00:00.000", "5/6/2014 12:00:00 AM")
    text = text.replace("2014-01-23 00:00:00.000", "5/7/2014 12:00:00 AM").replace("2024-03-01 00:00:00.000", "2/1/2024 12:00:00 AM")
    text = text.replace("2024-03-31 00:00:00.000", "2/2/2024 12:00:00 AM").replace("2024-04-02 00:00:00.000", "2/3/2024 12:00:00 AM")
    path = tmp_path / "ged.csv"
    path.write_text(text, encoding="utf-8")
    gdf = incidents.load(path)
    assert gdf.loc[0, "date"] == pd.Timestamp("2025-03-04")
    assert incidents.load(path, dayfirst=True).loc[0, "date"] == pd.Timestamp("2025-04-03")


def test_ucdp_candidate_events_layout():
    gdf = incidents.load(FIXTURES / "synthetic_ucdp_candidate.csv")
    assert gdf.attrs["dataset"] == "UCDP GED"
    assert list(gdf["code_status"]) == ["Check dyad", "Clear", "Check deaths"]
    assert len(gdf) == 3


def test_ucdp_xlsx(tmp_path):
    import openpyxl
    import datetime as dt
    rows = _csv_rows(FIXTURES / "synthetic_ucdp_ged_official.csv")
    book = openpyxl.Workbook()
    book.active.title = "GEDEvent"
    book.active.append(list(rows[0]))
    for row in rows:
        values = dict(row)
        for column in ("date_start", "date_end"):
            values[column] = dt.datetime.fromisoformat(row[column][:19])
        book.active.append(list(values.values()))
    path = tmp_path / "ged.xlsx"
    book.save(path)
    gdf = incidents.load(path, sheet="GEDEvent")
    assert list(gdf["date"]) == [pd.Timestamp("2025-08-21"), pd.Timestamp("2014-01-22"), pd.Timestamp("2024-03-01")]


def test_missile_attacks_waves_get_an_oblast_only_when_one_is_named():
    gdf = incidents.load(FIXTURES / "synthetic_missile_attacks_daily.csv")
    assert gdf.attrs["dataset"] == "Massive Missile Attacks on Ukraine"
    assert len(gdf) == 5 and gdf["id"].is_unique
    assert list(gdf["id"][:2]) == ["mma-202604041800-shahed-136-131", "mma-202604041800-shahed-136-131-2"]
    def values(column):
        return [None if pd.isna(v) else v for v in gdf[column]]

    assert values("oblast") == [None, "UA-51", "UA-32", None, None]
    assert values("location_precision") == [None, "oblast", "oblast", None, None]
    assert list(gdf["attack_scope"]) == ["country", "oblast", "oblast", "macro_region", "oblasts"]
    assert list(gdf["attack_area"]) == ["Ukraine", "Odesa oblast", "Kyiv oblast", "south and east",
                                        "Khmelnytskyi oblast and Lviv oblast"]
    assert list(gdf["weapon"]) == ["drone", "drone", "mixed", "ballistic_missile", "cruise_missile"]
    assert gdf.geometry.isna().all()  # a wave has no point, and none is invented
    assert gdf.loc[0, "date"] == pd.Timestamp("2026-04-04 18:00") and gdf.loc[0, "date_end"] == pd.Timestamp("2026-04-05 09:00")
    assert gdf.loc[2, "sources"] == ["https://t.me/kpszsu/99999"] and gdf.loc[0, "source_text"] == "kpszsu"
    assert gdf.loc[0, "launched"] == "120" and gdf.loc[0, "affected region"] == "{'south': 30, 'east': 85}"
    assert "source" not in gdf.columns and gdf.columns.is_unique


def test_no_importer_can_produce_duplicate_columns():
    class Clumsy(Importer):
        name, prefix = "clumsy", "clumsy"
        columns = {"id": "a"}

        def finish(self, raw, records):
            return pd.concat([records, records[["id"]]], axis=1)

    with pytest.raises(AssertionError, match="duplicate columns: id"):
        Clumsy().to_records(pd.DataFrame({"a": ["1"]}))


@pytest.mark.parametrize("importer", IMPORTERS, ids=lambda i: i.name)
def test_every_importer_keeps_every_column_it_does_not_map(importer):
    """An export carrying a column of each of our names loses none: what the importer does
    not read into ours is kept, under ``<prefix>_`` when the name is taken."""
    raw = pd.DataFrame({c: [f"value of {c}"] for c in sorted(importer.signature | set(incidents.COLUMNS))})
    out = importer.to_records(raw)
    assert out.columns.is_unique
    used = {*importer.columns.values(), *importer.dates.values(), *(c for c, _ in importer.codes.values()),
            *importer.consumed}
    for column in raw.columns:
        if column in used:
            continue
        kept = importer.renamed.get(column, column)
        name = f"{importer.prefix}_{kept}" if f"{importer.prefix}_{kept}" in out.columns else kept
        assert out.loc[0, name] == f"value of {column}", (column, name)
