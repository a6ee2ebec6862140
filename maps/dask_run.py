"""``incident-map --dask local|tcp://HOST:8786``: read many input files on a Dask cluster.

With ``--dask``, INPUT may be a glob (quote it: ``'events/*.csv'``) or a folder of GeoParquet
files. Each file is read and checked on a worker (:mod:`incidents.daskio`); the rows then
come back to this process, since a map or a report draws every row. ``local`` starts a
LocalCluster on this machine for the run; an address connects to a running scheduler
(``dask scheduler`` plus ``dask worker`` on each machine; every worker needs this package
and the input files at the same path).
"""

from __future__ import annotations

import argparse
import contextlib
import re
from pathlib import Path

import incidents
from incidents.daskio import files_of
from maps.paths import InputPathError, readable_file

HELP = "read INPUT (a file, a quoted glob or a folder of .parquet) on Dask: 'local' or a scheduler address tcp://HOST:8786"


#: What --dask takes besides "local": a scheduler's address, with its port.
SCHEDULER_ADDRESS = re.compile(r"(tcp|tls)://[^\s:/]+:\d{1,5}")


def address(text: str) -> str:
    """--dask checked when the arguments are read: ``local`` or ``tcp://HOST:PORT``
    (argparse prints anything else as one usage line)."""
    if text == "local" or SCHEDULER_ADDRESS.fullmatch(text):
        return text
    raise argparse.ArgumentTypeError(f"{text!r} is neither 'local' nor a scheduler address such as tcp://HOST:8786")


@contextlib.contextmanager
def session(address: str | None):
    """A ``distributed.Client`` for the run (nothing without ``--dask``)."""
    if not address:
        yield None
        return
    import distributed

    if address == "local":
        with distributed.LocalCluster(dashboard_address=None) as cluster, distributed.Client(cluster) as client:
            yield client
    else:
        with distributed.Client(address, timeout="10s") as client:
            yield client


def input_path(text: str | None) -> Path:
    """INPUT checked before any work: every file a glob or folder names must be readable."""
    if text is None:
        return readable_file(incidents.sample_path())
    try:
        for name in files_of(text):
            readable_file(name)
    except FileNotFoundError:
        raise InputPathError(f"INPUT {text}: no file matches") from None
    return Path(text)


def load(path: Path, **options):
    """``(frame, rejected)`` in memory, read and checked on the cluster. ``row`` is a line
    of one of several files, so each rejected ``field`` is prefixed with its file's name."""
    import dask

    frame, rejected = incidents.load(str(path), engine="dask", errors="report", **options)
    frame, rejected = dask.compute(frame, rejected)
    rejected = rejected.reset_index(drop=True)
    rejected["field"] = rejected["file"].map(lambda f: Path(f).name) + ": " + rejected["field"]
    return frame.reset_index(drop=True), rejected.drop(columns="file")
