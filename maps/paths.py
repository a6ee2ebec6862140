"""Checks on the files the command line reads and writes, made before any work starts, so
a mistake in a path costs a one-line message, not a traceback after a long run.

:func:`output_path` is the one gate for every file the tool writes; what it checks:
the extension fits what is written, the path is not a directory, not a file being read,
and its folder can be created and written.

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

__all__ = ["HTML", "TABLES", "InputPathError", "OutputPathError", "readable_file", "output_path"]

#: What map and report pages are written as.
HTML = (".html",)
#: What incident tables are written as (incidents.save picks the format by extension).
TABLES = (".csv", ".geojson", ".json", ".gpkg", ".parquet", ".geoparquet")


class InputPathError(ValueError):
    """A file to read that is missing, a directory or unreadable (bad data: exit 1)."""


class OutputPathError(ValueError):
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


def output_path(path, suffixes: tuple[str, ...] | None, *, what: str = "--output", reading=()) -> Path:
    """``path`` as a Path if the tool may write it; ``suffixes``: the extensions that fit
    what is written (None: any); ``reading``: other files of the same run, read or written
    (None skipped), which writing ``path`` must not destroy."""
    path = Path(path)
    if path.is_dir():
        raise OutputPathError(f"{what} {path} is a directory; give a file name, e.g. {path / ('out' + (suffixes or ('.csv',))[0])}")
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise OutputPathError(f"{what} {path}: expected a {' '.join(suffixes)} file, not {path.suffix or 'a name without extension'}")
    for source in filter(None, reading):
        if _same_file(path, Path(source)):
            raise OutputPathError(f"{what} {path} is the same file as {source}, which this command also "
                                  "uses: choose another name")
    folder = next(p for p in path.absolute().parents if p.exists())  # missing folders get created
    if not folder.is_dir():
        raise OutputPathError(f"{what} {path}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputPathError(f"{what} {path}: permission denied (cannot write in {folder})")
    return path


def _same_file(a: Path, b: Path) -> bool:
    """Same path once resolved, or (hard links, bind mounts) the same inode."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet: then they cannot be one file
        return False
