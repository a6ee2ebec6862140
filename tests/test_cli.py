"""End-to-end: every incident-map command on the sample, an ACLED export, a CSV of
place names only, and hostile input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import incidents
import needs
from maps.cli import build_parser, main

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse usage errors
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def places_only(tmp_path_factory) -> Path:
    """Real places from the sample, names only: the geocoder must place them."""
    path = tmp_path_factory.mktemp("places") / "places.csv"
    path.write_text("id,date,place,oblast,target\n"
                    "p1,2025-08-21,Mukacheve,Zakarpattia,Flex plant\n"
                    "p2,2024-05-25,Kharkov,,hypermarket\n"
                    "p3,2023-08-15,Луцьк,UA-07,bearing plant\n")
    return path


def test_build_on_sample(capsys, tmp_path):
    out = tmp_path / "map.html"
    code, _, err = run(capsys, "build", "-o", str(out), "--quiet")
    assert code == 0, err
    assert "Mukachevo" in out.read_text()


def test_summary_names_counts(capsys, tmp_path):
    code, _, err = run(capsys, "build", "-o", str(tmp_path / "m.html"))
    assert code == 0
    rows = len(incidents.sample())
    assert f"rows in: {rows}" in err and "rejected: 0" in err and "geocoded:" in err
    assert "unresolved:" in err and "tagged foreign-owned:" in err


def test_compare_and_report_on_sample(capsys, tmp_path):
    code, _, err = run(capsys, "compare", "-o", str(tmp_path / "c.html"), "-q")
    assert code == 0, err
    code, _, err = run(capsys, "report", "-o", str(tmp_path / "r.html"), "-q")
    assert code == 0, err
    assert "Flex" in (tmp_path / "r.html").read_text()


def test_geocode_places_only_csv(capsys, tmp_path, places_only):
    out = tmp_path / "located.gpkg"
    code, _, err = run(capsys, "geocode", str(places_only), "-o", str(out))
    assert code == 0, err
    located = incidents.load(out)
    assert located.geometry.notna().all()
    assert list(located["geocoded_oblast"]) == ["UA-21", "UA-63", "UA-07"]
    assert "geocoded: 3" in err


def test_tag_writes_owner(capsys, tmp_path, places_only):
    out = tmp_path / "tagged.csv"
    code, _, err = run(capsys, "tag", str(places_only), "-o", str(out))
    assert code == 0, err
    tagged = incidents.load(out).set_index("id")
    assert tagged.loc["p1", "owner_country"] == "US" and "Flex" in tagged.loc["p1", "owner_company"]


def test_query_near_mukachevo(capsys):
    code, out, err = run(capsys, "query", "--near", "Mukachevo", "--km", "50")
    assert code == 0, err
    assert "Mukachevo" in out and "Flex" in out
    assert "Kyiv" not in out


def test_query_near_point_to_file(capsys, tmp_path):
    out = tmp_path / "near.csv"
    code, _, err = run(capsys, "query", "--near", "48.44,22.718", "--km", "5", "-o", str(out), "-q")
    assert code == 0, err
    found = incidents.load(out)
    assert "mukachevo-flex-2025-08-21" in set(found["id"]) and found["distance_km"].astype(float).max() <= 5


def test_validate_and_sources(capsys):
    code, out, _ = run(capsys, "validate", str(incidents.sample_path()))
    assert code == 0 and "all valid" in out
    code, out, _ = run(capsys, "sources")
    assert code == 0 and "GeoNames" in out and "CC BY 4.0" in out and "Natural Earth" in out


def test_acled_fixture_builds(capsys, tmp_path):
    out = tmp_path / "acled.html"
    code, _, err = run(capsys, "build", str(FIXTURES / "synthetic_acled_2023.csv"), "-o", str(out), "-q")
    assert code == 0, err
    assert "ACLED" in out.read_text()


def hostile_csv(tmp_path: Path, rows: int = 25) -> Path:
    lines = ["id,date,place,latitude,longitude,sources"]
    lines += [f"h{i},not-a-date,Kyiv,50.45,30.52,javascript:alert({i})" for i in range(rows)]
    path = tmp_path / "hostile.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_bad_rows_exit_1_and_write_nothing(capsys, tmp_path):
    out = tmp_path / "never.html"
    code, _, err = run(capsys, "build", str(hostile_csv(tmp_path)), "-o", str(out))
    assert code == 1
    assert "row 2, date: 'not-a-date' is not a date (expected e.g. 2025-08-21" in err
    assert "and 30 more problems (use --errors FILE" in err  # 50 problems: 20 shown
    assert not out.exists()


def test_errors_file_lists_every_problem(capsys, tmp_path):
    errors = tmp_path / "problems.csv"
    code, _, _ = run(capsys, "validate", str(hostile_csv(tmp_path)), "--errors", str(errors))
    assert code == 1
    table = errors.read_text().splitlines()
    assert table[0] == "row,field,value,reason" and len(table) == 1 + 50


def test_usage_errors_exit_2(capsys):
    assert run(capsys, "frobnicate")[0] == 2
    assert run(capsys, "compare", "--regions", "west")[0] == 2
    assert run(capsys, "query", "--km", "5")[0] == 2  # --near is required


def test_missing_file_is_one_line_exit_1(capsys, tmp_path):
    code, _, err = run(capsys, "validate", str(tmp_path / "nope.csv"))
    assert code == 1 and err.strip().count("\n") == 0 and "no such file" in err


def test_every_command_help_has_an_example():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert set(commands) == {"build", "compare", "report", "geocode", "tag", "query", "validate", "sources", "store"}
    for name, sub in commands.items():
        assert "example:\n  incident-map " + name in sub.format_help()


def test_readme_documents_every_option():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    parser = build_parser()
    for name, sub in parser._subparsers._group_actions[0].choices.items():
        assert f"incident-map {name}" in readme, name
        for action in sub._actions:
            longest = max(action.option_strings, key=len, default=None)
            if longest and longest != "--help":
                assert longest in readme, f"{name} {longest}"


def test_console_script_runs():
    # Decided at run time: the console script exists once the package is pip-installed.
    beside = Path(sys.executable).with_name("incident-map")
    exe = str(beside) if beside.exists() else needs.tool("incident-map", install="pip install -e .")
    # The script imports this checkout's code (not whichever tree the editable install points at).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert "build" in result.stdout and "compare" in result.stdout
