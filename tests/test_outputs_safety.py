"""Nothing lost, nothing overwritten, nothing injected: every file the tool writes goes
through incidents.output.write_output. Each test names, in its docstring, the one-line
bug that would make it fail."""

from __future__ import annotations

import csv
import doctest
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import incidents
import incidents.output
import maps
from incidents.output import TMP_PREFIX, OutputError, write_output
from maps.cli import main

ROOT = Path(__file__).resolve().parent.parent
HYPERLINK = '=HYPERLINK("http://x")'
DDE = "@SUM(1+1)*cmd|' /C calc'!A0"
CSV = textwrap.dedent(f"""\
    id,date,place,oblast,latitude,longitude,notes,elevation,target
    [red]evil[/red],2025-08-21,Mukachevo,UA-21,48.44,22.72,"{HYPERLINK.replace('"', '""')}",-1,"{DDE}"
    plain,2025-08-22,Uzhhorod,UA-21,48.62,22.29,-1,-33.2,+1+1
    """)


@pytest.fixture
def data(tmp_path) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def temps(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(TMP_PREFIX)]


def cells(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_docstring_examples():
    """Bug: check_output's same-file message changes, or formula_safe prefixes "-5"."""
    for module in (incidents.output,):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.attempted and not result.failed


# --- never over an input -----------------------------------------------------------------

def test_library_writers_refuse_the_file_the_frame_came_from(data):
    """Bug: save/report/maps.save drop gdf.attrs["source_file"] from their inputs."""
    before = data.read_bytes()
    gdf = incidents.load(data)
    for write in (lambda: incidents.save(gdf, data),
                  lambda: incidents.save(gdf.head(1), data),  # query -o d.csv: a shrunk input
                  lambda: maps.save(maps.incident_map(gdf), data),
                  lambda: maps.report(gdf, data)):
        with pytest.raises(OutputError, match="is the same file as"):
            write()
    assert data.read_bytes() == before


def test_same_inode_and_explicit_inputs_are_refused(data, tmp_path):
    """Bug: same_file compares only resolved paths (a hard link slips through)."""
    link = tmp_path / "hard.csv"
    os.link(data, link)
    gdf = incidents.load(data)
    _, rejected = incidents.load(data, errors="report")
    with pytest.raises(OutputError):
        incidents.save(gdf, link)
    with pytest.raises(OutputError):
        incidents.save_rejections(rejected, link, inputs=[data])
    assert link.read_text(encoding="utf-8") == CSV


@pytest.mark.parametrize("argv", [
    ["build", "{d}", "-o", "{d}"],
    ["query", "{d}", "--near", "Mukachevo", "--km", "10", "-o", "{d}"],
    ["validate", "{bad}", "--errors", "{bad}"],
    ["tag", "{d}", "-o", "{t}/out.csv", "--errors", "{t}/out.csv"],
])
def test_cli_never_replaces_an_input(capsys, data, tmp_path, argv):
    """Bug: _check stops passing `reading` to output_path (exit 0, input replaced)."""
    bad = tmp_path / "bad.csv"
    bad.write_text("id,date\nx,not-a-date\n", encoding="utf-8")
    (tmp_path / "out.csv").write_text("keep", encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    code, _, err = run(capsys, *[a.format(d=data, bad=bad, t=tmp_path) for a in argv])
    assert code == 2, err
    assert "same file" in err or "expected a .html" in err
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_validate_says_what_it_wrote(capsys, tmp_path):
    """Bug: the bad-input line says "nothing written" after --errors wrote a file."""
    bad = tmp_path / "bad.csv"
    bad.write_text("id,date\nx,not-a-date\n", encoding="utf-8")
    code, _, err = run(capsys, "validate", bad, "--errors", tmp_path / "problems.csv")
    assert code == 1 and "nothing written" not in err and "only the problems written" in err
    assert cells(tmp_path / "problems.csv")[0]["field"] == "date"


# --- what may be written at all ------------------------------------------------------------

def test_directory_dangling_link_and_link_to_directory_are_refused(tmp_path):
    """Bug: check_output lets os.stat's FileNotFoundError through for a dangling link."""
    (tmp_path / "dir").mkdir()
    (tmp_path / "to-dir").symlink_to(tmp_path / "dir")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    for name in ("dir", "to-dir", "dangling"):
        with pytest.raises(OutputError):
            write_output(tmp_path / name, lambda out: out.write(b"x"))
    assert not (tmp_path / "nowhere").exists() and (tmp_path / "dangling").is_symlink()


def test_symlink_to_a_regular_file_updates_the_target_and_keeps_the_link(tmp_path):
    """Bug: os.replace(tmp, path) instead of the resolved target replaces the link."""
    target, link = tmp_path / "real.html", tmp_path / "link.html"
    target.write_text("old")
    link.symlink_to(target)
    write_output(link, lambda out: out.write(b"new"))
    assert link.is_symlink() and target.read_text() == "new" and not temps(tmp_path)


def test_devices_are_written_directly_and_never_replaced(tmp_path):
    """Bug: a device is treated as a regular file and renamed over (as root: /dev/null
    becomes a file)."""
    write_output("/dev/null", lambda out: out.write(b"x" * 1000))
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    if os.path.exists("/dev/full"):
        with pytest.raises(OSError):
            write_output("/dev/full", lambda out: out.write(b"x" * 100_000))
        assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_fifo_streams_text_but_refuses_binary(tmp_path):
    """Bug: the stream flag is ignored for FIFOs (GPKG into a pipe fails half-way)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_output(fifo, lambda out: out.write(b"id,date\n"))
    reader.join(10)
    assert got == [b"id,date\n"] and stat.S_ISFIFO(os.stat(fifo).st_mode)
    with pytest.raises(OutputError, match="cannot be streamed"):
        write_output(fifo, lambda out: out.write(b"x"), stream=False)
    with pytest.raises(OutputError, match="standard output"):
        write_output("-", lambda out: out.write(b"x"), stream=False)


def test_dash_streams_html_and_csv_to_stdout(capsys, tmp_path):
    """Bug: "-" goes through the file branch and creates a file named "-"."""
    code, out, err = run(capsys, "query", "--near", "Mukachevo", "--km", "30", "-o", "-", "-q")
    assert code == 0, err
    assert out.startswith("id,date,") and "mukachevo-flex-2025-08-21" in out
    code, out, err = run(capsys, "build", "-o", "-", "-q")
    assert code == 0, err
    assert out.lstrip().lower().startswith("<!doctype html>")
    assert not Path("-").exists()


def test_cli_gpkg_to_a_pipe_is_a_usage_error(capsys, data, tmp_path):
    """Bug: output_path's stream flag is True for every table format."""
    fifo = tmp_path / "out.gpkg"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "tag", data, "-o", fifo)
    assert code == 2 and "cannot be streamed" in err


def test_read_only_target_needs_force(capsys, tmp_path):
    """Bug: check_output drops the read-only test (the file is silently replaced)."""
    out = tmp_path / "map.html"
    out.write_text("old")
    out.chmod(0o444)
    code, _, err = run(capsys, "build", "-o", out, "-q")
    assert code == 2 and "read-only" in err and "--force" in err
    assert out.read_text() == "old"
    code, _, err = run(capsys, "build", "-o", out, "-q", "--force")
    assert code == 0, err
    assert "<html" in out.read_text().lower()
    assert stat.S_IMODE(out.stat().st_mode) == 0o444  # --force replaces, the mode stays


def test_new_files_get_the_umask_not_mkstemps_0600(tmp_path):
    """Bug: the fchmod after mkstemp is removed (maps unreadable by the web server)."""
    path = tmp_path / "new.html"
    write_output(path, lambda out: out.write(b"x"))
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask


# --- the temporary file ------------------------------------------------------------------

@pytest.mark.parametrize("needs_path", [False, True], ids=["descriptor", "gdal-path"])
def test_symlink_planted_before_rename_is_not_followed(tmp_path, monkeypatch, needs_path):
    """Bug: the lstat/fstat check before os.replace is removed (the target becomes a link
    to the victim), or the temp name is unlinked and reused (the victim is written)."""
    victim, target = tmp_path / "victim.txt", tmp_path / "out.csv"
    victim.write_text("precious")
    target.write_text("old")

    def plant(tmp: Path) -> None:
        os.unlink(tmp)
        os.symlink(victim, tmp)

    monkeypatch.setattr(incidents.output, "_before_rename", plant)
    write = (lambda p: p.write_bytes(b"new")) if needs_path else (lambda out: out.write(b"new"))
    with pytest.raises(OutputError, match="replaced while writing"):
        write_output(target, write, needs_path=needs_path)
    assert victim.read_text() == "precious" and target.read_text() == "old"
    assert not target.is_symlink() and not temps(tmp_path)


def test_failed_writer_leaves_old_file_and_no_temp(tmp_path):
    """Bug: the except branch of _cleanup_on_signal stops removing owned entries."""
    target = tmp_path / "out.csv"
    target.write_text("old")

    def broken(out):
        out.write(b"half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_output(target, broken)
    assert target.read_text() == "old" and not temps(tmp_path)


WRITER = textwrap.dedent("""\
    import sys, time
    from incidents.output import write_output
    def slow(out):
        for _ in range(300):  # ~300 MB at most: a big file, written in chunks
            out.write(b"x" * 1_000_000)
            out.flush()
            print("writing", flush=True)
            time.sleep(0.05)
    try:
        write_output(sys.argv[1], slow)
    except KeyboardInterrupt:
        sys.exit(130)
    """)


def _start_writer(target: Path) -> subprocess.Popen:
    # SIGINT at its default, as in a terminal: a suite started in the background by a shell
    # without job control has it ignored, and an ignored SIGINT rightly stays ignored.
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout.readline().strip() == "writing"
    assert temps(target.parent), "the writer should have a temporary file by now"
    return proc


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, -signal.SIGTERM), (signal.SIGINT, 130)])
def test_sigterm_and_sigint_remove_the_temp_file(tmp_path, signum, code):
    """Bug: _cleanup_on_signal installs no handler (SIGTERM kills with the temp left), or
    does not re-deliver the signal (the process exits 0 as if it had written)."""
    target = tmp_path / "big.csv"
    target.write_text("old")
    proc = _start_writer(target)
    proc.send_signal(signum)
    assert proc.wait(30) == code
    assert not temps(tmp_path) and target.read_text() == "old"


def test_after_sigkill_the_next_write_removes_stale_temps_only(tmp_path):
    """Bug: write_output stops calling clean_stale, or clean_stale ignores the age
    (removing another process's write in progress)."""
    target = tmp_path / "big.csv"
    target.write_text("old")
    proc = _start_writer(target)
    proc.kill()
    proc.wait(30)
    (stale,) = temps(tmp_path)
    hours_ago = time.time() - 2 * 3600
    os.utime(tmp_path / stale, (hours_ago, hours_ago))
    young = tmp_path / f"{TMP_PREFIX}in-progress.csv"
    young.write_text("someone else's write")
    write_output(target, lambda out: out.write(b"new"))
    assert temps(tmp_path) == [young.name] and target.read_text() == "new"


# --- CSV formula injection -----------------------------------------------------------------

def _assert_neutralised(row: dict) -> None:
    assert row["notes"] == "'" + HYPERLINK
    assert row["target"] == "'" + DDE


def test_save_neutralises_formulas_but_not_numbers(data, tmp_path):
    """Bug: formula_safe prefixes every "-" cell (numbers -1, -33.2 break), or _csv skips it."""
    out = tmp_path / "out.csv"
    incidents.save(incidents.load(data), out)
    first, second = cells(out)
    _assert_neutralised(first)
    assert first["elevation"] == "-1" and second["notes"] == "-1" and second["elevation"] == "-33.2"
    assert second["target"] == "'+1+1"  # not a plain number: a formula
    assert second["latitude"] == "48.62" and first["id"] == "[red]evil[/red]"
    back = incidents.load(out)  # the loader keeps the quote: it is part of the text now
    assert back["notes"].tolist() == ["'" + HYPERLINK, "-1"]
    incidents.save(back, tmp_path / "again.csv")  # no second quote
    assert cells(tmp_path / "again.csv")[0]["notes"] == "'" + HYPERLINK


def test_formula_safe_false_writes_cells_exactly(data, tmp_path):
    """Bug: save ignores formula_safe=False (the --raw-csv opt-out does nothing)."""
    out = tmp_path / "raw.csv"
    incidents.save(incidents.load(data), out, formula_safe=False)
    assert cells(out)[0]["notes"] == HYPERLINK


def test_numbers_in_number_columns_are_never_prefixed(tmp_path):
    """Bug: formula_safe applied to float columns through astype(str)."""
    import geopandas as gpd

    gdf = gpd.GeoDataFrame({"id": ["a"], "date": ["2025-01-01"], "depth": [-5.0], "n": [-1]},
                           geometry=gpd.points_from_xy([22.72], [48.44]), crs="EPSG:4326")
    incidents.save(gdf, tmp_path / "n.csv")
    row = cells(tmp_path / "n.csv")[0]
    assert row["depth"] == "-5.0" and row["n"] == "-1"


def test_rejections_are_neutralised(tmp_path):
    """Bug: save_rejections writes the rejected values raw."""
    bad = tmp_path / "bad.csv"
    bad.write_text(f'id,date\nx,"{HYPERLINK.replace(chr(34), chr(34) * 2)}"\n', encoding="utf-8")
    _, rejected = incidents.load(bad, errors="report")
    incidents.save_rejections(rejected, tmp_path / "r.csv")
    assert cells(tmp_path / "r.csv")[0]["value"] == "'" + HYPERLINK
    incidents.save_rejections(rejected, tmp_path / "raw.csv", formula_safe=False)
    assert cells(tmp_path / "raw.csv")[0]["value"] == HYPERLINK


@pytest.mark.parametrize("argv", [
    ["tag", "{d}", "-o", "{t}/out.csv"],
    ["query", "{d}", "--near", "Mukachevo", "--km", "200", "-o", "{t}/out.csv"],
])
def test_cli_exports_are_neutralised_unless_raw_csv(capsys, data, tmp_path, argv):
    """Bug: the CLI's _save passes formula_safe=args.raw_csv (inverted) or drops it."""
    argv = [a.format(d=data, t=tmp_path) for a in argv]
    assert run(capsys, *argv, "-q")[0] == 0
    _assert_neutralised(cells(tmp_path / "out.csv")[0])
    assert run(capsys, *argv, "-q", "--raw-csv")[0] == 0
    assert cells(tmp_path / "out.csv")[0]["notes"] == HYPERLINK


def test_cli_errors_file_is_neutralised(capsys, tmp_path):
    """Bug: _load calls save_rejections without formula_safe=not args.raw_csv."""
    bad = tmp_path / "bad.csv"
    bad.write_text(f"id,date\nx,{DDE}\n", encoding="utf-8")
    assert run(capsys, "validate", bad, "--errors", tmp_path / "e.csv")[0] == 1
    assert cells(tmp_path / "e.csv")[0]["value"] == "'" + DDE


# --- terminal output -----------------------------------------------------------------------

def test_markup_and_control_characters_in_data_print_literally(capsys, tmp_path):
    """Bug: say() or the query table stops using plain() (ESC reaches the terminal) or
    markup=False (rich eats "[red]"). Control characters in a file are rejected at load
    (issue 16), and the rejection itself shows them escaped."""
    path = tmp_path / "evil.csv"
    path.write_text("id,date,place,oblast,latitude,longitude,target\n"
                    "[red]evil[/red],2025-08-21,Nowhere,UA-21,,,[/x]\n"
                    "ok,2025-08-21,Mukachevo,UA-21,48.44,22.72,fine\n", encoding="utf-8")
    code, out, err = run(capsys, "query", path, "--near", "Mukachevo", "--km", "10")
    assert code == 0, err
    assert "unresolved: 1 ([red]evil[/red])" in err
    path.write_text("id,date,place,oblast,latitude,longitude,target\n"
                    "ok,2025-08-21,Mukachevo,UA-21,48.44,22.72,\x1b]0;pwned\x07\n", encoding="utf-8")
    code, out, err = run(capsys, "query", path, "--near", "Mukachevo", "--km", "10")
    assert code == 1 and "\\x1b]0;pwned\\x07" in err and "control character" in err
    assert "\x1b" not in out + err


def test_dev_stdout_streams_through_the_descriptor(data, tmp_path):
    """Bug: /dev/stdout is resolved and replaced like a symlinked file (the link, or the
    redirected file, is renamed over), or a table to it asks for an extension."""
    redirected = tmp_path / "redirected.csv"
    with open(redirected, "wb") as stdout:
        done = subprocess.run([sys.executable, "-m", "maps.cli", "tag", str(data), "-o", "/dev/stdout", "-q"],
                              cwd=ROOT, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert redirected.read_text(encoding="utf-8").startswith("id,date,")
    assert not temps(tmp_path) and os.path.islink("/dev/stdout")
