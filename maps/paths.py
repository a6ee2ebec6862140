"""Checks on the files the command line reads and writes, made before any work starts, so
a mistake in a path costs a one-line message, not a traceback after a long run.

:func:`output_path` checks every file the command line will write before any work
starts: the extension fits what is written, its folder can be created and written, and
whatever :func:`incidents.output.check_output` refuses (a directory, a file being read, a
read-only file without ``--force``, ...) is refused here first, with the same words,
because the write itself goes through :func:`incidents.output.write_output`.

Example:
    >>> output_path("map.html", HTML)
    PosixPath('map.html')
    >>> output_path("map.png", HTML)
    Traceback (most recent call last):
    ...
    maps.paths.OutputPathError: --output map.png: expected a .html file, not .png
"""

from __future__ import annotations

import os
from pathlib import Path

from incidents.output import STDOUT, OutputError, check_output, is_stream

__all__ = ["HTML", "TABLES", "InputPathError", "OutputPathError", "readable_file", "output_path"]

#: What map and report pages are written as.
HTML = (".html",)
#: What incident tables are written as (incidents.save picks the format by extension).
TABLES = (".csv", ".geojson", ".json", ".gpkg", ".parquet", ".geoparquet")


class InputPathError(ValueError):
    """A file to read that is missing, a directory or unreadable (bad data: exit 1)."""


class OutputPathError(OutputError):
    """A path to write that cannot be used (bad usage: exit 2)."""


def readable_file(path, what: str = "INPUT") -> Path:
    """``path`` as a Path if it is a file this process can read."""
    path = Path(path)
    if not path.exists():
        raise InputPathError(f"{what} {path}: no such file")
    if path.is_dir():
        raise InputPathError(f"{what} {path} is a directory; give a file")
    if not os.access(path, os.R_OK):
        raise InputPathError(f"{what} {path}: permission denied (cannot read it)")
    return path


def output_path(path, suffixes: tuple[str, ...] | None, *, what: str = "--output", reading=(),
                force: bool = False, stream: bool = True) -> Path | str:
    """``path`` if the tool may write it; ``suffixes``: the extensions that fit what is
    written (None: any; not asked of ``-``, a device or a pipe, which take the text
    format); ``reading``: other files of the same run, read or written (None skipped),
    which writing ``path`` must not destroy; ``force``: replace a read-only file;
    ``stream``: whether the format may go to standard output, a device or a pipe."""
    if str(path) == STDOUT:
        _checked(path, reading, force, what, stream)
        return STDOUT
    path = Path(path)
    if path.is_dir():
        raise OutputPathError(f"{what} {path} is a directory; give a file name, e.g. {path / ('out' + (suffixes or ('.csv',))[0])}")
    if suffixes is not None and not is_stream(path) and path.suffix.lower() not in suffixes:
        raise OutputPathError(f"{what} {path}: expected a {' '.join(suffixes)} file, not {path.suffix or 'a name without extension'}")
    _checked(path, reading, force, what, stream)
    folder = next(p for p in path.absolute().parents if p.exists())  # missing folders get created
    if not folder.is_dir():
        raise OutputPathError(f"{what} {path}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK) and not is_stream(path):
        raise OutputPathError(f"{what} {path}: permission denied (cannot write in {folder})")
    return path


def _checked(path, reading, force: bool, what: str, stream: bool) -> None:
    try:
        check_output(path, inputs=reading, force=force, what=what, stream=stream)
    except OutputError as error:
        raise OutputPathError(str(error)) from None
