"""How a geo.compare result reads: printed at 80 and 120 columns, in Jupyter (HTML) and as
Markdown, every number rounded to what it means, and the raw values still in the cells.

The expected strings are computed here from the raw cells with plain arithmetic, not by
the formatter under test."""

import math
import re

import pandas as pd
import pytest

import geo
import incidents
from geo.comparison import format_p, format_value


@pytest.fixture(scope="module")
def table():
    return geo.compare(incidents.sample(), "west", "east")


def expected_numbers(table) -> list[str]:
    """Every number of the table as a person should read it, derived from the raw cells."""
    units, out = table.attrs["units"], []
    for record in table.to_dict("records"):
        unit = units[record["metric"]]
        for group in ("west", "east"):
            value = record[group]
            if unit == "count":
                out.append(f"{int(value):,}")
            elif unit == "share":
                out.append(f"{round(100 * value)}%")
            elif unit in ("km", "rate", "mean") and value is not None:
                out.append(f"{round(value, 1):,.1f}")
        p = record["p_value"]
        if p is not None and not math.isnan(p):
            out.append("< 0.001" if p < 0.001 else f"{float(f'{p:.3g}'):g}")
    for metric, (unit, rows) in table.attrs["breakdowns"].items():
        for category, a, b in rows:
            out += [f"{round(100 * a)}%", f"{round(100 * b)}%"] if unit == "share" else [str(a), str(b)]
    return out


@pytest.mark.parametrize("width", [80, 120])
def test_printed_table_shows_every_number_rounded(table, width, monkeypatch, capsys):
    # Bug caught: print(table) shows pandas' elided "metric ... note" header and no numbers.
    monkeypatch.setenv("COLUMNS", str(width))
    print(table)
    text = capsys.readouterr().out
    assert max(len(line) for line in text.splitlines()) <= width
    for number in expected_numbers(table):
        assert number in text, number
    # Bug caught: raw floats (594.390339, 6.992319e-03) or nan leaking into the printed form.
    assert not re.search(r"\d\.\d{6,}|e-\d\d|\bnan\b|\.\.\.", text)


def test_mix_categories_get_their_own_rows(table):
    # Bug caught: a mix squeezed into one cell and cut with "..." instead of one row per category.
    weapons = table.attrs["breakdowns"]["weapon mix"][1]
    lines = table.to_text(80).splitlines()
    for category, a, b in weapons:
        # Categories in words, as the maps and report print them ("cruise missile").
        line = next(line for line in lines if line.strip().startswith(f"· {category.replace('_', ' ')} "))
        assert f"{round(100 * a)}%" in line and f"{round(100 * b)}%" in line
        assert f"{round(100 * (a - b)):+d} pp".replace("+0 pp", "0") in line
    assert "_" not in "".join(line for line in lines if line.strip().startswith("·"))  # bug: raw codes


def test_html_repr_shows_every_number_without_elision(table):
    html = table._repr_html_()
    for number in expected_numbers(table):
        assert number.replace("<", "&lt;") in html, number
    assert not re.search(r"\d\.\d{6,}|e-\d\d|\bnan\b|\.\.\.", html)
    assert "known: west" in html  # notes are shown, not dropped


def test_markdown_has_a_row_per_metric_and_category(table):
    markdown = table.to_markdown()
    lines = markdown.splitlines()
    breakdown_rows = sum(len(rows) for _, rows in table.attrs["breakdowns"].values())
    assert len(lines) == 2 + len(table) + breakdown_rows
    assert all(line.startswith("| ") and line.endswith(" |") for line in lines)
    for number in expected_numbers(table):
        assert number in markdown, number


def test_raw_values_stay_in_the_cells(table):
    # Bug caught: rounding the stored values instead of only the display.
    rate = table.set_index("metric").loc["incidents per 10,000 km²", "west"]
    assert rate != round(rate, 1)
    raw = pd.DataFrame(table)
    assert type(raw) is pd.DataFrame and raw.equals(pd.DataFrame(table.copy()))


def test_filtered_table_still_prints_rounded(table):
    small = table[table["p_value"] < 0.05]
    text = small.to_text(80)
    assert "share on foreign-owned sites" in text and "incidents per 10,000" not in text
    assert not re.search(r"\d\.\d{6,}|e-\d\d", text)


@pytest.mark.parametrize(("value", "unit", "signed", "shown"), [
    (-0.0001, "km", True, "0.0"),        # bug: "-0.0" for a difference that rounds to nothing
    (0.004, "share", True, "0 pp"),
    (-0.35, "share", True, "-35 pp"),
    (1234, "count", False, "1,234"),
    (float("nan"), "count", False, ""),  # bug: "nan" printed for a missing value
    (None, "mean", False, ""),
])
def test_format_value(value, unit, signed, shown):
    assert format_value(value, unit, signed) == shown


@pytest.mark.parametrize(("p", "shown"), [(0.00099, "< 0.001"), (0.001, "0.00100"), (0.5, "0.500"),
                                          (float("nan"), ""), (1.0, "1.00")])
def test_format_p_three_significant_digits(p, shown):
    assert format_p(p) == shown
