"""Every line of a file is accounted for, every problem quotes its own row's value, and
datetimes (seconds, time zones) survive every format.

Written against the public API only (incidents.load / save, ``frame.attrs["rows_in"]``,
the rejection table's row/field/value/reason columns, IncidentDataError's message) so the
tests hold across a rewrite of the reader and the validator. Counts come from the file
itself (the csv module), never from the loader; message wording is not asserted, only that
a problem names its row and quotes its value.

The one-line bugs these catch:

* the reader dropping repeated lines before validation (``raw.drop_duplicates()``): rows_in
  is then counted after the loss, so "rows in = loaded + rejected" still holds and only an
  independent count of the file's lines sees it (3 lines in, 2 loaded, 0 rejected).
* a problem quoting another row's value ("row 5, date: '2025-01-01' is not a date"), e.g.
  a per-distinct-value table indexed by row position, or positions off by one.
* rejected rows numbered from the wrong line (header not counted, blank lines counted).
* times written without seconds (``%H:%M``) or with the offset dropped instead of
  converted to UTC, in any of the four formats.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import incidents
from incidents import IncidentDataError

HEADER = ["id", "date", "place", "oblast", "killed", "weapon"]
#: Field -> bad values the validator must reject (all of them, whatever its wording).
BAD = {
    "date": ["nope", "2025-13-01", "21/08/2025x", "yesterday"],
    "killed": ["-3", "some", "2.5"],
    "weapon": ["rocket", "laser"],
    "oblast": ["UA-99", "UA-02"],
}
GOOD_DATES = ["2025-08-21", "2024-05-25", "2023-07-01", "2022-02-24"]
SUFFIXES = [".csv", ".geojson", ".gpkg", ".parquet"]


def write_rows(path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)


def records_in(path) -> list[tuple[int, dict]]:
    """The file's own records, counted by the csv module: (line it starts on, fields)."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        out, line = [], reader.line_num + 1
        for record in reader:
            if record:  # a blank line is no record
                out.append((line, dict(zip(header, record))))
            line = reader.line_num + 1
    return out


def problem_lines(err: IncidentDataError) -> list[str]:
    return str(err).splitlines()


def names_row_and_value(lines: list[str], row: int, value: str) -> bool:
    """Some line of the message names ``row`` (as a whole number) and quotes ``value``."""
    pattern = re.compile(rf"\brow {row}\b")
    return any(pattern.search(line) and f"'{value}'" in line for line in lines)


# ---- a file of good, bad and repeated lines ---------------------------------------------

@st.composite
def files(draw):
    """Rows of a CSV: good rows, rows with one bad field, and verbatim repeats of earlier
    lines. Returns (rows, bad cells {(index, field): value}, indexes of repeated lines)."""
    n = draw(st.integers(1, 25))
    rows, bad, repeats = [], {}, set()
    for i in range(n):
        if rows and draw(st.integers(0, 5)) == 0:
            j = draw(st.integers(0, len(rows) - 1))
            rows.append(list(rows[j]))
            repeats.add(i)
            bad.update({(i, f): v for (k, f), v in bad.items() if k == j})
            continue
        row = {"id": f"r{i}", "date": draw(st.sampled_from(GOOD_DATES)), "place": draw(st.sampled_from(["Kyiv", "Lviv", "Odesa"])),
               "oblast": draw(st.sampled_from(["UA-30", "UA-46", "UA-51", ""])),
               "killed": str(draw(st.integers(0, 40))), "weapon": draw(st.sampled_from(["drone", "missile", ""]))}
        if draw(st.booleans()):
            field = draw(st.sampled_from(sorted(BAD)))
            row[field] = draw(st.sampled_from(BAD[field]))
            bad[(i, field)] = row[field]
        rows.append([row[c] for c in HEADER])
    return rows, bad, repeats


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files())
def test_every_line_is_loaded_or_rejected_with_its_own_value(tmp_path, case):
    rows, bad, repeats = case
    path = tmp_path / "mixed.csv"
    write_rows(path, rows)
    records = records_in(path)
    assert len(records) == len(rows)  # the oracle agrees with what was written
    frame, rejected = incidents.load(path, errors="report")
    assert list(rejected.columns[:4]) == ["row", "field", "value", "reason"]

    # Counted from the file, not from the reader: a line lost before validation shows here.
    assert frame.attrs["rows_in"] == len(records)
    rejected_rows = set(rejected["row"])
    assert len(frame) + len(rejected_rows) == len(records)
    # Exactly the bad and repeated lines are rejected, by line number (header = line 1).
    line_of = [line for line, _ in records]
    expected_rows = {line_of[i] for i, _ in bad} | {line_of[i] for i in repeats}
    assert rejected_rows == expected_rows
    good = [rec["id"] for i, (_, rec) in enumerate(records) if line_of[i] not in expected_rows]
    assert list(frame["id"]) == good

    # Every bad cell is reported on its own line with its own value ...
    reported = {(r.row, r.field): r.value for r in rejected.itertuples()}
    for (i, field), value in bad.items():
        assert reported.get((line_of[i], field)) == value, (line_of[i], field, value)
    # ... and every value the table quotes is the one on that line of the file.
    text = {line: rec for line, rec in records}
    for r in rejected.itertuples():
        if r.field in BAD:
            assert r.value == text[r.row][r.field], (r.row, r.field, r.value)
        elif r.field == "id":  # a repeated line: the repeated id (with where it was first seen)
            assert text[r.row]["id"] in r.value
    # The raised error names the same rows with the same values (wording aside).
    if len(rejected):
        with pytest.raises(IncidentDataError) as err:
            incidents.load(path)
        lines = problem_lines(err.value)
        first = rejected[rejected["field"].isin(list(BAD))].head(10)  # messages list up to 20
        for r in first.itertuples():
            assert names_row_and_value(lines, r.row, r.value), (r.row, r.value, lines)
    else:
        assert len(incidents.load(path)) == len(records)


def test_a_repeated_line_is_counted_and_rejected(tmp_path):
    # Bug: the reader drops a repeated line (3 lines in, 2 loaded, 0 rejected, rows_in 2).
    good = ["a", "2025-08-21", "Mukachevo", "UA-21", "0", "cruise_missile"]
    other = ["b", "2025-08-22", "Lviv", "UA-46", "1", "drone"]
    path = tmp_path / "repeat.csv"
    write_rows(path, [good, other, other])
    assert len(records_in(path)) == 3
    frame, rejected = incidents.load(path, errors="report")
    assert frame.attrs["rows_in"] == 3
    assert list(frame["id"]) == ["a", "b"]
    assert list(rejected["row"]) == [4] and list(rejected["field"]) == ["id"]


def test_the_message_quotes_the_value_of_the_row_it_names(tmp_path):
    # Bug: a per-distinct-value lookup indexed by row position quotes another row's value
    # ("row 5, date: '2025-01-01' is not a date").
    rows = [[f"r{i}", "2025-01-01", "Kyiv", "UA-30", "0", ""] for i in range(3)]
    rows.append(["r3", "2025-02-30", "Kyiv", "UA-30", "0", ""])   # line 5
    rows.append(["r4", "2025-01-01", "Kyiv", "UA-30", "0", ""])
    rows.append(["r5", "soon", "Kyiv", "UA-30", "-7", ""])        # line 7: two problems
    path = tmp_path / "dates.csv"
    write_rows(path, rows)
    _, rejected = incidents.load(path, errors="report")
    assert sorted(zip(rejected["row"], rejected["field"], rejected["value"])) == [
        (5, "date", "2025-02-30"), (7, "date", "soon"), (7, "killed", "-7")]
    with pytest.raises(IncidentDataError) as err:
        incidents.load(path)
    lines = problem_lines(err.value)
    assert names_row_and_value(lines, 5, "2025-02-30")
    assert names_row_and_value(lines, 7, "soon") and names_row_and_value(lines, 7, "-7")
    assert not names_row_and_value(lines, 5, "2025-01-01")


def test_row_numbers_count_blank_lines(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text(",".join(HEADER) + "\na,2025-01-01,Kyiv,UA-30,1,\n\nb,nope,Kyiv,UA-30,2,\n")
    assert [line for line, _ in records_in(path)] == [2, 4]
    frame, rejected = incidents.load(path, errors="report")
    # Rows in = loaded + rejected + blank rows skipped (issue 10): the blank line is counted.
    assert (frame.attrs["rows_in"], frame.attrs["rows_blank"], len(frame)) == (3, 1, 1)
    assert list(rejected["row"]) == [4]  # the file's line 4 (header 1, a 2, blank 3)


# ---- datetimes through every format -----------------------------------------------------

UTC = dt.timezone.utc
ZONES = [None, UTC, dt.timezone(dt.timedelta(hours=3)), dt.timezone(dt.timedelta(hours=-5, minutes=-30)),
         ZoneInfo("Europe/Kyiv")]


def naive_utc(moment: dt.datetime) -> pd.Timestamp:
    """What the frame holds for an ISO 8601 datetime: UTC, without a zone (standard library)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return pd.Timestamp(moment)


def dates_csv(path, texts: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", "date", "place"])
        writer.writerows([f"t{i}", text, "Kyiv"] for i, text in enumerate(texts))


def round_trips(tmp_path, frame):
    for suffix in SUFFIXES:
        path = tmp_path / f"out{suffix}"
        incidents.save(frame, path)
        yield suffix, path, incidents.load(path)


def test_seconds_and_offsets_survive_every_format(tmp_path):
    # Bugs: times written as %H:%M (seconds lost); the offset dropped instead of converted.
    texts = ["2025-08-21T07:15:30+03:00", "2024-05-25T14:30:59", "2023-01-01T00:00:01Z",
             "2022-02-24T04:59:59-05:30", "2025-08-21"]
    expected = [naive_utc(dt.datetime.fromisoformat(t.replace("Z", "+00:00"))) for t in texts]
    assert expected[0] == pd.Timestamp("2025-08-21 04:15:30")  # the oracle itself, by hand
    source = tmp_path / "in.csv"
    dates_csv(source, texts)
    frame = incidents.load(source)
    assert list(frame["date"]) == expected
    for suffix, path, back in round_trips(tmp_path, frame):
        assert list(back["date"]) == expected, suffix
        assert back.attrs["rows_in"] == len(texts), suffix
        if suffix == ".csv":  # the written text itself keeps the seconds
            assert [rec["date"] for _, rec in records_in(path)][1] in ("2024-05-25T14:30:59", "2024-05-25 14:30:59")


moments = st.builds(
    lambda naive, zone: naive.replace(tzinfo=zone),
    st.datetimes(min_value=dt.datetime(1995, 1, 1), max_value=dt.datetime(2025, 6, 30)).map(
        lambda m: m.replace(microsecond=0)),
    st.sampled_from(ZONES))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(moments, min_size=1, max_size=6))
def test_datetimes_round_trip_property(tmp_path, stamps):
    texts = [m.isoformat(timespec="seconds") for m in stamps]
    expected = [naive_utc(m) for m in stamps]
    source = tmp_path / "in.csv"
    dates_csv(source, texts)
    frame = incidents.load(source)
    assert list(frame["date"]) == expected
    assert frame.attrs["rows_in"] == len(records_in(source)) == len(texts)
    for suffix, _, back in round_trips(tmp_path, frame):
        assert list(back["date"]) == expected, suffix
        assert list(back["id"]) == list(frame["id"]), suffix


def test_round_trip_counts_rows_from_the_written_file(tmp_path):
    """The shipped sample through CSV: the written file's own record count is what comes back."""
    sample = incidents.sample()
    path = tmp_path / "sample.csv"
    incidents.save(sample, path)
    with path.open(newline="", encoding="utf-8") as handle:
        written = [r for r in csv.reader(io.StringIO(handle.read())) if r][1:]
    assert len(written) == len(sample)
    back, rejected = incidents.load(path, errors="report")
    assert back.attrs["rows_in"] == len(written) and len(rejected) == 0
    assert list(back["id"]) == [r[0] for r in written] == list(sample["id"])
