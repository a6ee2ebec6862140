"""No tracebacks, ever, for user mistakes: every wrong invocation of every command is one
line naming the problem, exit 1 (bad data) or 2 (bad usage), and nothing written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import geo
import incidents
from maps import cli
from maps.cli import main

ROOT = Path(__file__).parent.parent


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)  # main returns for every error, argparse's included
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def t(tmp_path) -> Path:
    """A folder of bad (and some good) files the wrong invocations refer to as {t}."""
    shutil.copy(incidents.sample_path(), tmp_path / "sample.csv")
    os.link(tmp_path / "sample.csv", tmp_path / "link.csv")  # same inode, another name
    (tmp_path / "sub").mkdir()
    for folder in ("dir.csv", "dir.json", "outdir"):
        (tmp_path / folder).mkdir()
    files = {
        "notes.txt": "id,date\n",
        "empty.csv": "",
        "afile": "not a folder",
        "bad_scheme.json": "{not json",
        "columns_scheme.csv": "name,region\nLviv,west\n",
        "narnia.csv": "oblast,group\nNarnia,x\n",
        "one_group.json": '{"Lviv": "border", "Volyn": "border"}',
        "registry_no_source.csv": "company,owner_country\nAcme,US\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "latin1_registry.csv").write_bytes(b"company\xe9,owner_country\n")
    return tmp_path


HTML_OUT = ["-o", "{t}/out.html"]
# (argv with {t} for the folder above, exit code, a fragment of the one error line)
WRONG = [
    # build
    (["build", "{t}/missing.csv", *HTML_OUT], 1, "INPUT {t}/missing.csv: no such file"),
    (["build", "{t}/dir.csv", *HTML_OUT], 1, "INPUT {t}/dir.csv is a directory"),
    (["build", "{t}/notes.txt", *HTML_OUT], 1, "unsupported extension"),
    (["build", "-o", "{t}/outdir"], 2, "--output {t}/outdir is a directory"),
    (["build", "-o", "{t}/map.png"], 2, "expected a .html file, not .png"),
    (["build", "-o", "{t}/afile/map.html"], 2, "{t}/afile is a file, not a folder"),
    (["build", "--registry", "{t}/nope.csv", *HTML_OUT], 1, "--registry {t}/nope.csv: no such file"),
    (["build", "--registry", "{t}/registry_no_source.csv", *HTML_OUT], 1, "source_url: required column is missing"),
    (["build", "--registry", "{t}/latin1_registry.csv", *HTML_OUT], 1, "is not UTF-8 text"),
    (["build", "--geocoder", "nominatm", *HTML_OUT], 2, "unknown geocoder 'nominatm' (did you mean nominatim"),
    (["build", "--geocoder", "nominatim", *HTML_OUT], 2, "needs a user agent"),
    (["build", "--errors", "{t}/outdir", *HTML_OUT], 2, "--errors {t}/outdir is a directory"),
    (["build", "{t}/sample.csv", "--errors", "{t}/sample.csv", *HTML_OUT], 2, "--errors {t}/sample.csv is the same file as"),
    (["build", "--errors", "{t}/out.html", *HTML_OUT], 2, "--errors {t}/out.html is the same file as {t}/out.html"),
    (["build", "--scheme", "{t}/missing.json", *HTML_OUT], 1, "scheme file {t}/missing.json: no such file"),
    (["build", "--scheme", "{t}/bad_scheme.json", *HTML_OUT], 1, "scheme file {t}/bad_scheme.json cannot be read"),
    (["build", "--color-by", "size", *HTML_OUT], 2, "argument --color-by: invalid choice: 'size'"),
    # compare
    (["compare", "--regions", "west,north", *HTML_OUT], 2, "'north' is not a group of scheme 'macro' (groups: west, centre, south, east)"),
    (["compare", "--regions", "west,West", *HTML_OUT], 2, "not 'west' with itself"),
    (["compare", "--regions", "west", *HTML_OUT], 2, "--regions takes two groups separated by a comma, not 'west'"),
    (["compare", "--scheme", "dnipro", "--regions", "west,east", *HTML_OUT], 2, "(groups: right_bank, left_bank)"),
    (["compare", "--scheme", "{t}/one_group.json", *HTML_OUT], 2, "has only the group border: a comparison needs two"),
    (["compare", "--scheme", "{t}/columns_scheme.csv", *HTML_OUT], 1, "expected columns 'oblast' and 'group'"),
    (["compare", "--scheme", "{t}/narnia.csv", *HTML_OUT], 1, "unknown oblast name or code: 'Narnia'"),
    (["compare", "-o", "{t}/c.csv"], 2, "--output {t}/c.csv: expected a .html file, not .csv"),
    # report
    (["report", "--scheme", "lon:abc", *HTML_OUT], 2, "scheme 'lon:abc': expected lon:<degrees east"),
    (["report", "--scheme", "north-south", *HTML_OUT], 2, "unknown scheme 'north-south'"),
    (["report", "--scheme", "{t}/dir.json", *HTML_OUT], 1, "scheme file {t}/dir.json: is a directory"),
    (["report", "{t}/empty.csv", *HTML_OUT], 1, "is empty"),
    # geocode
    (["geocode", "{t}/sample.csv", "-o", "{t}/located.html"], 2, "expected a .csv .geojson .json .gpkg .parquet"),
    (["geocode", "{t}/sample.csv", "-o", "{t}/link.csv"], 2, "--output {t}/link.csv is the same file as {t}/sample.csv"),
    (["geocode", "{t}/sample.csv", "-o", "{t}/x.gpkg", "--geocoder", "bogus", "--user-agent", "me"], 2, "unknown geocoder 'bogus'"),
    (["geocode", "-o", "{t}/x.gpkg"], 2, "required: INPUT"),
    # tag
    (["tag", "{t}/sample.csv", "-o", "{t}/sub/../sample.csv"], 2, "is the same file as {t}/sample.csv"),
    (["tag", "{t}/sample.csv", "-o", "{t}/tagged.txt"], 2, "expected a .csv"),
    (["tag", "{t}/sample.csv", "-o", "{t}/t.csv", "--registry", "{t}/dir.csv"], 1, "--registry {t}/dir.csv is a directory"),
    # query
    (["query", "--near", "Atlantis", "--km", "30"], 2, "place not found in the gazetteer: 'Atlantis' (no similar name"),
    (["query", "--near", "Kyivqq", "--km", "30"], 2, "'Kyivqq' (did you mean 'Kyiv'?)"),
    (["query", "--near", "999,999", "--km", "5"], 2, "not a latitude/longitude: 999, 999"),
    (["query", "--near", "Kyiv", "--km", "-5"], 2, "argument --km: '-5' is not a distance"),
    (["query", "--near", "Kyiv", "--km", "nan"], 2, "argument --km: 'nan' is not a distance"),
    (["query", "--near", "Kyiv", "--km", "5", "-o", "{t}/outdir"], 2, "--output {t}/outdir is a directory"),
    (["query", "--near", "Kyiv", "--km", "5", "-o", "{t}/q.html"], 2, "expected a .csv"),
    (["query", "--near", "Kyiv", "--km", "5", "--scheme", "nope"], 2, "unknown scheme 'nope'"),
    # validate
    (["validate", "{t}/missing.csv"], 1, "INPUT {t}/missing.csv: no such file"),
    (["validate", "{t}/dir.csv"], 1, "is a directory"),
    (["validate", "{t}/sample.csv", "--errors", "{t}/link.csv"], 2, "--errors {t}/link.csv is the same file as"),
    (["validate", "{t}/empty.csv"], 1, "{t}/empty.csv: file: is empty"),
    (["validate", "{t}/sample.csv", "--scheme", "macro"], 2, "unrecognized arguments: --scheme macro"),
    # sources and no command
    (["sources", "--frobnicate"], 2, "unrecognized arguments: --frobnicate"),
    (["frobnicate"], 2, "invalid choice: 'frobnicate'"),
    ([], 2, "required: COMMAND"),
    # --dask: a scheduler address without its port failed late as "unexpected error (ValueError ...)"
    (["--dask", "bogus", "build", *HTML_OUT], 2, "'bogus' is neither 'local' nor a scheduler address"),
    (["--dask", "tcp://host", "build", *HTML_OUT], 2, "'tcp://host' is neither 'local' nor a scheduler address"),
]


def _fill(items, t: Path) -> list[str]:
    return [item.replace("{t}", str(t)) for item in items]


def _files(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


@pytest.mark.parametrize("argv, code, fragment", WRONG, ids=[" ".join(w[0]) or "(none)" for w in WRONG])
def test_wrong_invocation_is_one_line(capsys, t, argv, code, fragment):
    before = _files(t)
    got, out, err = run(capsys, _fill(argv, t))
    lines = err.splitlines()
    assert got == code, err
    assert len(lines) == 1, err
    assert lines[0].startswith("incident-map"), err
    assert _fill([fragment], t)[0] in lines[0]
    assert "Traceback" not in out + err
    assert _files(t) == before  # nothing written


IN_A_TERMINAL = [w for w in WRONG if " ".join(w[0]) in (
    "build {t}/missing.csv -o {t}/out.html", "compare --regions west,north -o {t}/out.html",
    "query --near Atlantis --km 30", "query --near Kyiv --km -5")]


@pytest.mark.parametrize("argv, code, fragment", IN_A_TERMINAL, ids=[" ".join(w[0]) for w in IN_A_TERMINAL])
def test_real_terminal_gets_no_traceback(t, argv, code, fragment):
    result = subprocess.run([sys.executable, "-m", "maps.cli", *_fill(argv, t)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == code
    assert result.stderr.count("\n") == 1 and _fill([fragment], t)[0] in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_permission_denied_is_one_line(capsys, t, monkeypatch):
    # Tests may run as root, who reads anything: pretend the OS refuses.
    monkeypatch.setattr("maps.paths.os.access", lambda path, mode: False)
    code, _, err = run(capsys, ["validate", str(t / "sample.csv")])
    assert code == 1 and err == f"incident-map: INPUT {t}/sample.csv: permission denied (cannot read it)\n"
    monkeypatch.setattr("maps.paths.os.access", lambda path, mode: not mode & os.W_OK)
    code, _, err = run(capsys, ["build", "-o", str(t / "x.html")])
    assert code == 2 and err == f"incident-map: --output {t}/x.html: permission denied (cannot write in {t})\n"


def test_compare_dnipro_defaults_to_its_own_groups(capsys, tmp_path):
    out = tmp_path / "x.html"
    code, _, err = run(capsys, ["compare", "--scheme", "dnipro", "-o", str(out), "-q"])
    assert code == 0, err
    page = out.read_text()
    assert "Right_Bank: " in page and "Left_Bank: " in page  # the two panes' titles
    assert "West: " not in page


def test_default_regions_per_scheme(t):
    assert cli._regions(None, geo.scheme("macro")) == ("west", "east")  # not its first two (west, centre)
    assert cli._regions(None, geo.scheme("dnipro")) == ("right_bank", "left_bank")
    assert cli._regions(None, geo.scheme("lon:30.5")) == ("west", "east")
    (t / "fr.json").write_text('{"Kharkiv": "frontier", "Lviv": "rear", "Kyiv": "capital"}')
    assert cli._regions(None, geo.scheme(t / "fr.json")) == ("frontier", "rear")
    assert cli._regions(" East , WEST ", geo.scheme("macro")) == ("east", "west")


def test_regions_any_case(capsys, tmp_path):
    out = tmp_path / "c.html"
    code, _, err = run(capsys, ["compare", "--regions", "West,EAST", "-o", str(out), "-q"])
    assert code == 0, err
    assert "West: " in out.read_text() and "East: " in out.read_text()


def test_warning_is_one_plain_line(capsys, tmp_path):
    path = tmp_path / "cp.csv"
    path.write_bytes("id,date,place,latitude,longitude,sources\n"
                     "c1,2024-01-02,Caf\u00e9 M\u00fcller,50.45,30.52,https://example.org/a\n".encode("cp1252"))
    for _ in range(2):  # and again in the same process: Python's once-per-location registry must not hide it
        code, out, err = run(capsys, ["validate", str(path)])
        assert code == 0 and out == "1 row, all valid\n"
        assert err == "incident-map: warning: cp.csv is not UTF-8; decoded it as cp1252\n"


def test_each_warning_once_and_no_deprecations(capsys, monkeypatch):
    load = incidents.load

    def noisy_load(*args, **kwargs):
        # Two call sites: Python's own filter shows each site once, the CLI each message once.
        warnings.warn("three rows look odd\nsee the notes", UserWarning)
        warnings.warn("three rows look odd\nsee the notes", UserWarning)
        warnings.warn("old API", DeprecationWarning)
        return load(*args, **kwargs)

    monkeypatch.setattr(incidents, "load", noisy_load)
    code, _, err = run(capsys, ["validate", str(incidents.sample_path())])
    assert code == 0
    assert err == "incident-map: warning: three rows look odd; see the notes\n"


def test_markup_in_data_prints_literally(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # no cell wrapping in the query table
    ids = tmp_path / "ids.csv"  # a place nothing resolves: the id is named as unresolved
    ids.write_text("id,date,place,sources\n[/x],2024-01-02,Atlantis,https://example.org/a\n")
    code, out, err = run(capsys, ["validate", str(ids)])
    assert (code, out) == (0, "1 row, all valid\n"), err
    code, _, err = run(capsys, ["build", str(ids), "-o", str(tmp_path / "m.html")])
    assert code == 0 and "unresolved: 1 ([/x])\n" in err
    evil = "[link=https://evil.example]x[/link]"
    bad_date = tmp_path / "date.csv"
    bad_date.write_text(f"id,date,place,latitude,longitude,sources\nq1,{evil},Kyiv,50.45,30.52,https://example.org/a\n")
    code, _, err = run(capsys, ["validate", str(bad_date)])
    assert code == 1 and f"row 2, date: '{evil}' is not a date" in err
    place = tmp_path / "place.csv"
    place.write_text(f"id,date,place,latitude,longitude,sources\nq1,2024-01-02,{evil},50.45,30.52,https://example.org/a\n")
    code, out, err = run(capsys, ["query", str(place), "--near", "50.45,30.52", "--km", "5", "-q"])
    assert code == 0 and evil in out, out + err


def test_unexpected_error_points_at_debug(capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(cli, "prepare", broken)
    code, _, err = run(capsys, ["build", "-o", "unused.html"])
    assert code == 1
    assert err == "incident-map: unexpected error (RuntimeError: boom; second line); run with --debug for details\n"
    for argv in (["--debug", "build", "-o", "unused.html"], ["build", "--debug", "-o", "unused.html"]):
        with pytest.raises(RuntimeError, match="boom"):
            main(argv)


def test_system_errors_and_interrupts_are_one_line(capsys, monkeypatch, tmp_path):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "m.html"))

    monkeypatch.setattr(cli.maps, "save", full)
    code, _, err = run(capsys, ["build", "-o", str(tmp_path / "m.html"), "-q"])
    assert code == 1 and err == f"incident-map: [Errno 28] No space left on device: '{tmp_path}/m.html'\n"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "prepare", interrupted)
    assert run(capsys, ["build", "-o", str(tmp_path / "m.html")])[0:3:2] == (130, "incident-map: interrupted\n")


def test_self_contained_without_asset_cache_says_what_to_run(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("INCIDENT_MAPPER_ASSETS", str(tmp_path / "empty"))
    monkeypatch.setenv("INCIDENT_MAPPER_NO_FETCH", "1")
    code, _, err = run(capsys, ["build", "-o", str(tmp_path / "m.html"), "--self-contained", "-q"])
    assert code == 1 and err.count("\n") == 1
    assert "is not in the asset cache" in err and "python scripts/fetch_assets.py" in err and "--debug" not in err
    assert not (tmp_path / "m.html").exists()


# The library raises specific errors (ValueError subclasses) for the same mistakes.

def test_library_errors_name_the_value_and_the_choices():
    sample = incidents.sample()
    with pytest.raises(geo.SchemeError, match=r"'lon:abc'.*lon:30\.5"):
        geo.scheme("lon:abc")
    with pytest.raises(geo.SchemeError, match="lon:400"):
        geo.scheme("lon:400")
    assert geo.scheme("Dnipro").name == "dnipro"
    with pytest.raises(geo.UnknownPlaceError, match="did you mean 'Kyiv'") as info:
        geo.within(sample, "Kyivqq", km=5)
    assert info.value.suggestions == ("Kyiv",)
    with pytest.raises(geo.QueryError, match="999"):
        geo.within(sample, 999, 999, 5)
    with pytest.raises(geo.QueryError, match="km"):
        geo.within(sample, "Kyiv", km=float("nan"))
    with pytest.raises(geo.GroupError, match=r"'north' is not a group of scheme 'macro' \(groups: west, centre"):
        geo.compare(sample, "west", "north")
    with pytest.raises(geo.GroupError, match="with itself"):
        geo.compare(sample, "east", "East")
    table = geo.compare(sample, "West", "EAST")
    assert list(table.columns)[1:3] == ["west", "east"]
