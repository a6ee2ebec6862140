"""The one place that writes files: every map, report, incident table, rejection list and
PNG the tool writes goes through :func:`write_output`. Nothing lost, nothing overwritten
by accident, nothing injected.

The rules (the README's *Safety* paragraph says the same to users):

* Never over a file the same run reads (same path once resolved, or the same inode: hard
  links, bind mounts), a directory, a block device, a socket or a dangling symlink.
* ``"-"`` is standard output; ``/dev/stdout``, ``/dev/stderr`` and ``/dev/fd/N`` write
  through that open descriptor; other character devices (``/dev/null``) and FIFOs are
  written to directly, never replaced. Only text formats stream (``stream=True``).
* A symlink is followed and its target replaced only if the target is a regular file (or
  written to if it is a device or FIFO); the link itself is never replaced. A user who
  links ``out.html`` into a web root gets the web root's file updated, which is why the
  link was made; a dangling link or a link to a directory is refused.
* A regular file is replaced atomically: the content goes to a fresh temporary file
  created with ``O_EXCL`` in the target's directory (``tempfile.mkstemp``), written
  through the descriptor mkstemp returned, checked to be still the file under that name,
  then renamed over the target. Writers that need a path of a file that does not exist
  yet (GDAL) get a fresh name inside a private ``mkdtemp`` directory instead. A name is
  never unlinked and then reused: another process could plant a symlink there.
* A read-only target (no write bit, or not writable by us) is refused unless ``force``.
* SIGTERM and SIGINT while writing remove the temporary file, then do what they would
  have done; a run killed outright (SIGKILL) leaves a ``.incident-map-tmp-*`` entry that
  the next write into that directory removes once it is older than an hour.

Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
    >>> write_output(path, lambda out: out.write(b"hello"))
    PosixPath('...note.txt')
    >>> write_output(path, lambda out: out.write(b"again"), inputs=[path])
    Traceback (most recent call last):
    ...
    incidents.output.OutputError: output ...note.txt is the same file as ...note.txt, which this run also uses: choose another name
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

__all__ = ["OutputError", "STALE_AFTER_S", "STDOUT", "TMP_PREFIX", "check_output", "clean_stale", "formula_safe", "is_stream",
           "same_file", "write_output"]

#: Temporary files and directories we create start with this, so a later run can tell
#: its own leftovers (after SIGKILL) from anything else in the folder.
TMP_PREFIX = ".incident-map-tmp-"
#: A temporary entry this old cannot belong to a write still running.
STALE_AFTER_S = 3600
#: The name of standard output.
STDOUT = "-"
#: Descriptor paths: written through the descriptor this process already has, so
#: ``-o /dev/stdout >> log`` appends like the shell asked and nothing is re-created.
_DESCRIPTOR = re.compile(r"/dev/(?:std(in|out|err)|fd/(\d+))|/proc/self/fd/(\d+)")
_STD_FD = {"in": 0, "out": 1, "err": 2}


class OutputError(ValueError):
    """A path the tool must not write (bad usage: exit 2); nothing was written."""


class _Interrupted(BaseException):
    """SIGTERM/SIGINT arrived while writing (BaseException: writers must not catch it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def same_file(a, b) -> bool:
    """Same path once resolved, or (hard links, bind mounts) the same inode."""
    a, b = Path(a), Path(b)
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet: then they cannot be one file
        return False


def is_stream(path) -> bool:
    """Whether ``path`` is standard output, an open descriptor, a character device or a
    FIFO: written to directly, so a name without extension there means the text format."""
    if str(path) == STDOUT or _DESCRIPTOR.fullmatch(str(path)):
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def check_output(path, *, inputs=(), force: bool = False, what: str = "output",
                 stream: bool = True) -> tuple[str, Path | int | None]:
    """How ``path`` would be written, or :class:`OutputError` saying why it must not be.

    Returns ``(how, where)``: ``("stdout", None)``, ``("descriptor", fd)``,
    ``("device", path)`` (a character device or FIFO, written directly) or
    ``("replace", target)`` (a regular file or a new name: atomic replace of ``target``,
    the symlink's target when ``path`` is a link). ``inputs``: files of the same run
    (None skipped) that writing must not destroy. ``stream``: whether what is written may
    go to standard output, a device or a pipe (text formats; not GeoPackage/Parquet/PNG).
    """
    if str(path) == STDOUT:
        if not stream:
            raise OutputError(f"{what} -: this format cannot be written to standard output; give a file name")
        return "stdout", None
    path = Path(path)
    for source in filter(None, inputs):
        if same_file(path, source):
            raise OutputError(f"{what} {path} is the same file as {source}, which this run also uses: "
                              "choose another name")
    descriptor = _DESCRIPTOR.fullmatch(str(path))
    if descriptor:
        if not stream:
            raise OutputError(f"{what} {path}: this format cannot be streamed; give a file name")
        std, fd1, fd2 = descriptor.groups()
        return "descriptor", _STD_FD[std] if std else int(fd1 or fd2)
    try:
        info = os.stat(path)  # follows symlinks: what matters is what would be written
    except (FileNotFoundError, NotADirectoryError):  # a new name (a folder that is a file: mkdir says so)
        if path.is_symlink():
            raise OutputError(f"{what} {path} is a symlink to {os.readlink(path)}, which does not exist: "
                              "give a file name or fix the link") from None
        return "replace", path
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(f"{what} {path} is a directory; give a file name")
    if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
        if not stream:
            raise OutputError(f"{what} {path} is a device or pipe and this format cannot be streamed; "
                              "give a file name")
        return "device", path
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(f"{what} {path} is not a regular file (a block device or socket): refusing to write it")
    target = Path(os.path.realpath(path))
    if not force and (not info.st_mode & 0o222 or not os.access(target, os.W_OK)):
        raise OutputError(f"{what} {path} is read-only: pass --force (force=True) to replace it")
    return "replace", target


def write_output(path, write, *, inputs=(), force: bool = False, what: str = "output",
                 stream: bool = True, needs_path: bool = False):
    """Write a file by calling ``write(out)`` under the rules of this module; returns ``path``.

    ``write`` gets a binary file object, or (``needs_path=True``, for GDAL) the path of a
    file that does not exist yet, in a private temporary directory. ``inputs``, ``force``,
    ``what`` and ``stream`` as in :func:`check_output` (``needs_path`` implies no streaming).
    """
    how, where = check_output(path, inputs=inputs, force=force, what=what, stream=stream and not needs_path)
    if how == "stdout":
        _to_stdout(write)
    elif how == "descriptor":
        _flush_std()
        with os.fdopen(os.dup(where), "wb") as out:  # dup: closing ours leaves the caller's open
            write(out)
    elif how == "device":
        fd = os.open(where, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))  # never O_CREAT: no new node
        with os.fdopen(fd, "wb") as out:
            if not (stat.S_ISCHR(os.fstat(fd).st_mode) or stat.S_ISFIFO(os.fstat(fd).st_mode)):
                raise OutputError(f"{what} {path} changed while opening it; nothing written")
            write(out)
    else:
        _replace(where, write, needs_path, what)
    return path if str(path) == STDOUT else Path(path)


def _flush_std() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError, OSError):
            pass


def _to_stdout(write) -> None:
    _flush_std()
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:  # a text-only stand-in (io.StringIO): text formats only reach here
        import io

        buffer = io.BytesIO()
        write(buffer)
        sys.stdout.write(buffer.getvalue().decode("utf-8"))
    else:
        write(binary)
        binary.flush()


def _replace(target: Path, write, needs_path: bool, what: str) -> None:
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    clean_stale(folder)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)  # a replaced file keeps its permissions
    except FileNotFoundError:
        mode = 0o666 & ~_umask()  # mkstemp's 0600 would hide a new map from the web server
    owned: list[str] = []  # what to remove if anything goes wrong
    with _cleanup_on_signal(owned):
        if needs_path:
            private = tempfile.mkdtemp(prefix=TMP_PREFIX, dir=folder)
            owned.append(private)
            tmp = os.path.join(private, "out" + target.suffix)
            write(Path(tmp))
            _before_rename(Path(tmp))
            # Last thing before the rename: a symlink here would be renamed to the target
            # (the private folder keeps other users out; this catches anything else).
            if not stat.S_ISREG(os.lstat(tmp).st_mode):
                raise OutputError(f"{what} {target}: the temporary file was replaced while writing; nothing written")
            os.chmod(tmp, mode, follow_symlinks=False)
            os.replace(tmp, target)
        else:
            fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=target.suffix, dir=folder)  # O_EXCL
            owned.append(tmp)
            with os.fdopen(fd, "wb") as out:
                write(out)  # through the descriptor: a name swapped under us is never written
                out.flush()
                os.fsync(out.fileno())  # renamed only once the content is on disk
                os.fchmod(out.fileno(), mode)
                _before_rename(Path(tmp))
                # The name must still be our file: renaming a planted symlink would put
                # the link, not our content, at the target.
                if not os.path.samestat(os.lstat(tmp), os.fstat(out.fileno())):
                    raise OutputError(f"{what} {target}: the temporary file was replaced while writing; "
                                      "nothing written")
                os.replace(tmp, target)
        owned.clear()
        if needs_path:
            os.rmdir(private)


def _before_rename(tmp: Path) -> None:
    """Called with the complete temporary file just before it is renamed (a hook for tests
    that plant a symlink at that moment)."""


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove(entries: list[str]) -> None:
    for entry in entries:
        try:
            if os.path.isdir(entry) and not os.path.islink(entry):
                shutil.rmtree(entry, ignore_errors=True)
            else:
                os.unlink(entry)  # a planted symlink: the link goes, its target stays
        except FileNotFoundError:
            pass
    entries.clear()


@contextmanager
def _cleanup_on_signal(owned: list[str]):
    """While writing: SIGTERM/SIGINT remove ``owned``, then act as they would have
    (default SIGTERM kills, SIGINT raises KeyboardInterrupt). Handlers are installed only
    here and only in the main thread (Python allows no other), and restored afterwards."""
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            handler = signal.getsignal(signum)
            if handler not in (signal.SIG_IGN, None):  # ignored stays ignored; None: set from C
                previous[signum] = handler
                signal.signal(signum, _raise_interrupted)

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        previous.clear()

    try:
        yield
    except _Interrupted as stop:
        _remove(owned)
        restore()
        signal.raise_signal(stop.signum)  # now under the handler the caller had
        raise SystemExit(128 + stop.signum) from None  # that handler returned: still stop
    except BaseException:
        _remove(owned)
        raise
    finally:
        restore()


def _raise_interrupted(signum, frame) -> None:
    raise _Interrupted(signum)


def clean_stale(folder) -> list[str]:
    """Remove our temporary entries in ``folder`` left by a killed run: named with
    :data:`TMP_PREFIX`, owned by this user and older than :data:`STALE_AFTER_S` (a younger
    one may be another process's write in progress). Returns what was removed."""
    removed = []
    now, uid = time.time(), getattr(os, "geteuid", lambda: None)()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(TMP_PREFIX):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if (uid is not None and info.st_uid != uid) or now - info.st_mtime < STALE_AFTER_S:
            continue
        _remove([entry.path])
        removed.append(entry.path)
    return removed


#: What a spreadsheet reads as a formula: OWASP's list of leading characters.
_FORMULA_START = r"^[=+\-@\t\r]"
#: A plain number ("-5", "+1", "-33.2", "1e-3") is read as that number, never as a
#: formula; leaving it alone keeps numbers in text columns readable back unchanged.
_PLAIN_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` for CSV in which text cells (and headers) a spreadsheet would run
    as a formula start with ``'`` (OWASP "CSV injection"). Only text is touched: numbers
    stay numbers, and text that is a plain number is left as it is. Idempotent (a cell
    already starting with ``'`` is text to every spreadsheet).

    >>> formula_safe(pd.DataFrame({"a": ["=1+2", "-5", "@x", "ok"], "n": [-1, 2, 3, 4]})).to_dict("list")
    {'a': ["'=1+2", '-5', "'@x", 'ok'], 'n': [-1, 2, 3, 4]}
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        text = values.where(values.map(type) == str)  # only str cells: not numbers in object columns
        if not text.notna().any():
            continue
        # .eq(True): cells that are not text give NaN from .str, which is not risky
        risky = text.str.contains(_FORMULA_START, regex=True).eq(True) & ~text.str.fullmatch(_PLAIN_NUMBER).eq(True)
        if risky.any():
            out[column] = values.where(~risky, "'" + text)
    out.columns = [("'" + c if isinstance(c, str) and re.match(_FORMULA_START, c) and not re.fullmatch(_PLAIN_NUMBER, c)
                    else c) for c in out.columns]
    return out
