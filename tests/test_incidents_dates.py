"""The one date parser (incidents.dates): property tests over every accepted form."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from incidents.dates import AmbiguousDates, parse_dates

UK_MONTHS = ["січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня",
             "жовтня", "листопада", "грудня"]
RU_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
             "октября", "ноября", "декабря"]

# pandas work per example: no per-example deadline, and a bounded number of examples.
quick = settings(deadline=None, max_examples=60)

moments = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2030, 12, 31)).map(
    lambda d: d.replace(microsecond=0))


def one(text: str, dayfirst=None) -> pd.Timestamp:
    when, precision, bad = parse_dates(pd.Series([text]), dayfirst=dayfirst)
    assert not bad[0], text
    return when[0]


def twelve_hour(d: dt.datetime) -> str:
    hour = d.hour % 12 or 12
    return f"{d.month}/{d.day}/{d.year} {hour}:{d.minute:02d}:{d.second:02d} {'AM' if d.hour < 12 else 'PM'}"


@quick
@given(moments)
def test_forms_with_a_time_round_trip(d):
    expected = pd.Timestamp(d)
    assert one(d.isoformat()) == expected
    assert one(d.strftime("%Y-%m-%d %H:%M:%S.000")) == expected            # UCDP's own CSV
    assert one(twelve_hour(d), dayfirst=False) == expected                   # Excel-saved UCDP
    assert one(d.strftime("%d/%m/%Y %H:%M:%S"), dayfirst=True) == expected   # ACLED export tool
    assert one(d.strftime("%d.%m.%Y %H:%M:%S")) == expected                  # Ukrainian, always day first


@quick
@given(moments)
def test_forms_of_a_day_round_trip(d):
    day = pd.Timestamp(d.date())
    forms = [d.strftime("%Y-%m-%d"), d.strftime("%d.%m.%Y"), d.strftime("%Y/%m/%d"),
             f"{d.day} {d:%B} {d.year}", f"{d:%B} {d.day}, {d.year}", f"{d.day}-{d:%b}-{d.year}",
             f"{d.day} {UK_MONTHS[d.month - 1]} {d.year} р.", f"{d.day} {RU_MONTHS[d.month - 1]} {d.year}"]
    for text in forms:
        assert one(text) == day, text
    serial = (d.date() - dt.date(1899, 12, 30)).days
    if serial >= 20000:
        assert one(str(serial)) == day


@quick
@given(st.lists(moments, min_size=1, max_size=20), st.sampled_from(["/", "-"]), st.booleans())
def test_a_column_settles_its_own_order_when_one_value_can(days, sep, dayfirst):
    assume(any(d.day > 12 for d in days))
    fmt = f"%d{sep}%m{sep}%Y" if dayfirst else f"%m{sep}%d{sep}%Y"
    when, _, bad = parse_dates(pd.Series([d.strftime(fmt) for d in days]))
    assert not bad.any()
    assert list(when) == [pd.Timestamp(d.date()) for d in days]


@quick
@given(st.lists(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 12)), min_size=1, max_size=10))
def test_a_column_that_reads_both_ways_asks_for_dayfirst(days):
    days = [d.replace(day=min(d.day, 12)) for d in days]
    assume(any(d.day != d.month for d in days))
    text = pd.Series([d.strftime("%d/%m/%Y") for d in days])
    with pytest.raises(AmbiguousDates, match="dayfirst=True or False") as error:
        parse_dates(text, field="event_date")
    assert error.value.problems[0].field == "event_date"
    assert list(parse_dates(text, dayfirst=True)[0]) == [pd.Timestamp(d) for d in days]


@quick
@given(st.text(max_size=30))
def test_any_text_is_a_date_or_flagged_never_an_exception(text):
    try:
        when, precision, bad = parse_dates(pd.Series([text, "2025-08-21"]))
    except AmbiguousDates:
        return
    assert bool(bad[0]) == (bool(text.strip()) and pd.isna(when[0]))
    assert (precision[0] is None) == pd.isna(when[0])


@pytest.mark.parametrize("text, expected, precision", [
    ("2025-08", "2025-08-01", "month"), ("2025", "2025-01-01", "year"), ("August 2025", "2025-08-01", "month"),
    ("21.08.2025", "2025-08-21", "day"), ("1/22/2014 12:00:00 AM", "2014-01-22 00:00", "day"),
    ("1/22/2014 12:30:00 PM", "2014-01-22 12:30", "day"), ("2025-08-21T14:05:00+03:00", "2025-08-21 11:05", "day"),
    ("45890", "2025-08-21", "day"), ("21st August 2025", "2025-08-21", "day"),
])
def test_examples_and_their_precision(text, expected, precision):
    when, implied, bad = parse_dates(pd.Series([text]))
    assert not bad[0] and when[0] == pd.Timestamp(expected) and implied[0] == precision


@pytest.mark.parametrize("text", ["31.02.2025", "13/13/2025", "0/5/2025", "2025-13-01", "13:00 PM 1/1/2025",
                                  "1/1/2025 13:00:00 PM", "yesterday", "12345"])
def test_impossible_dates_are_flagged(text):
    when, _, bad = parse_dates(pd.Series([text]))
    assert bad[0] and pd.isna(when[0])
