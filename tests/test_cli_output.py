"""What incident-map prints for people: no nan, right plurals, the place a name was read as,
same-named places, summaries of only what ran, help for every option, contradictions refused."""

from __future__ import annotations

import re

import pytest

from maps.cli import build_parser, main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def places(tmp_path):
    """Two real places, one nonsense name, and a row with an empty target."""
    path = tmp_path / "places.csv"
    path.write_text("id,date,place,oblast,target\n"
                    "p1,2025-08-21,Mukachevo,Zakarpattia,\n"
                    "p2,2024-05-25,Kharkiv,,hypermarket\n"
                    "p3,2024-05-26,Qwertyville,,\n")
    return path


def test_query_prints_no_nan_and_singular(capsys, places):
    # bugs: an empty target printed as "nan"; "1 incidents"
    code, out, err = run(capsys, "query", str(places), "--near", "Mukachevo", "--km", "5")
    assert code == 0, err
    assert "1 incident within 5 km of Mukachevo" in out and "1 incidents" not in out
    assert not re.search(r"\bnan\b", out, re.IGNORECASE)
    assert "1 incident without coordinates not searched" in err  # Qwertyville: said, not dropped silently


def test_query_header_names_the_place_a_misspelling_was_read_as(capsys, places):
    # bug: --near Mukachve matched silently and the header repeated the typo
    code, out, err = run(capsys, "query", str(places), "--near", "Mukachve", "--km", "5")
    assert code == 0, err
    assert "within 5 km of Mukachevo (Zakarpattia)" in out
    assert "read 'Mukachve' as Mukachevo (Zakarpattia)" in err


def test_query_reports_same_named_places_and_the_oblast_hint(capsys, places):
    # bug: --near Novoselivka silently picked one of 79 places
    code, out, err = run(capsys, "query", str(places), "--near", "Novoselivka", "--km", "5")
    assert code == 0, err
    count = int(re.search(r"(\d+) places are called Novoselivka; took the one in (\w+)", err)[1])
    assert count > 10 and "--oblast" in err
    code, out, err = run(capsys, "query", str(places), "--near", "Novoselivka", "--oblast", "Kharkiv", "--km", "5")
    assert code == 0, err
    assert "Novoselivka (Kharkiv)" in out


def test_query_oblast_with_coordinates_is_usage_error(capsys, places):
    code, _, err = run(capsys, "query", str(places), "--near", "48.44,22.72", "--oblast", "Kharkiv", "--km", "5")
    assert code == 2 and "--oblast" in err


def test_geocode_summary_says_only_what_geocode_did(capsys, places, tmp_path):
    # bug: geocode printed "tagged foreign-owned: 0" though it tags nothing
    code, _, err = run(capsys, "geocode", str(places), "-o", str(tmp_path / "out.csv"))
    assert code == 0, err
    assert "geocoded: 2" in err and "unresolved: 1 (p3)" in err
    assert "tagged" not in err


def test_tag_summary_says_only_what_tag_did(capsys, places, tmp_path):
    code, _, err = run(capsys, "tag", str(places), "-o", str(tmp_path / "out.csv"))
    assert code == 0, err
    assert "tagged foreign-owned:" in err
    assert "geocoded" not in err and "unresolved" not in err and "coordinates" not in err


def test_compare_prints_the_rounded_table(capsys, tmp_path):
    code, out, err = run(capsys, "compare", "-o", str(tmp_path / "c.html"))
    assert code == 0, err
    assert "share on foreign-owned sites" in out and "p-value" in out
    assert not re.search(r"\d\.\d{6,}|\bnan\b", out)


def test_every_option_has_help_text():
    # bug: --color-by had no help text
    parser = build_parser()
    for name, sub in parser._subparsers._group_actions[0].choices.items():
        for action in sub._actions:
            if action.option_strings or action.dest == "input":
                assert action.help, f"{name} {action.option_strings or action.dest}"


@pytest.mark.parametrize(("argv", "fragment"), [
    (["compare", "--regions", "west,west"], "not 'west' with itself"),   # bug: accepted
    (["compare", "--regions", "West,west"], "not 'west' with itself"),
    (["build", "-o", "{t}/map.png"], "expected a .html file, not .png"),  # bug: HTML written into map.png
    (["geocode", "{places}", "-o", "{t}/out.html"], "expected a .csv"),
])
def test_contradictions_and_wrong_extensions_are_usage_errors(capsys, tmp_path, places, argv, fragment):
    argv = [a.format(t=tmp_path, places=places) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2 and fragment in err, err
    assert list(tmp_path.glob("*.png")) == [] and list(tmp_path.glob("*.html")) == []
