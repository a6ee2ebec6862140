"""Incidents (or FIRMS detections) larger than memory: Dask frames, one partition per file.

``incidents.load("events/*.csv", engine="dask")`` reads every file matched by a glob (or
every ``.parquet`` file of a folder) into a lazy ``dask_geopandas.GeoDataFrame``. Each
partition is one file read by the in-memory :func:`incidents.load`, so every check, every
importer and the FIRMS layout apply unchanged; a problem names its file and line. With
``errors="report"`` the result is ``(frame, rejected)``, both lazy, computed from the same
tasks (``dask.compute(frame, rejected)`` reads each file once); ``rejected`` has a
``file`` column. ``incidents.save(ddf, "folder/")`` writes partitioned GeoParquet.

Work runs on the active ``distributed.Client`` if there is one (``distributed.Client(
"tcp://host:8786")`` for a cluster), else on Dask's local scheduler. A large single CSV is
one partition: split it (or convert it once with ``save``) to spread it over workers.

:func:`accepting_dask` lets a frame-in, frame-out function take a Dask frame too: it then
runs on each partition, lazily. It is how ``tag_ownership``, ``geo.assign_regions`` and
``geo.geocode`` accept Dask frames without a second copy of their logic.
"""

from __future__ import annotations

import functools
import glob
import os
from pathlib import Path

import pandas as pd

from incidents.errors import IncidentDataError, Problem
from incidents.readers import file_error

REJECTED_COLUMNS = ["file", "row", "field", "value", "reason"]


def _keep_pandas_types() -> None:
    """Dask turns object columns into Arrow strings by default: our list columns (sources,
    tags) would become text and the str columns change their missing value. Keep pandas'."""
    import dask

    dask.config.set({"dataframe.convert-string": False})


def is_dask(frame) -> bool:
    """A Dask (or dask-geopandas) collection, told without importing dask."""
    return type(frame).__module__.split(".")[0] in ("dask", "dask_geopandas", "dask_expr")


def files_of(pattern: str | os.PathLike) -> list[str]:
    """Files of a glob, a folder (its ``.parquet`` files) or one file, in name order."""
    text = str(pattern)
    if Path(text).is_dir():
        found = sorted(glob.glob(os.path.join(text, "*.parquet")))
    else:
        found = sorted(glob.glob(text)) if glob.has_magic(text) else [text] if Path(text).exists() else []
    if not found:
        raise FileNotFoundError(f"no files match {text}")
    return found


def _one_file(path: str, columns: list[str] | None, options: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One partition: a file loaded and checked in memory, with its rejected rows."""
    from incidents.io import load

    frame, rejected = load(path, errors="report", **options)
    if columns is not None and list(frame.columns) != columns:
        raise file_error(path, "has other columns than the first file of the set; give every file the same "
                               f"columns (first: {', '.join(columns)})")
    rejected = rejected.assign(file=path)[REJECTED_COLUMNS]
    frame.attrs = {}  # attrs differ per file; partitions of one frame must agree
    return frame, rejected


def _checked(part: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    """``errors="raise"``: a partition with rejected rows fails, naming its file and lines."""
    frame, rejected = part
    if len(rejected):
        problems = [Problem(int(r.row), r.field, r.value, r.reason) for r in rejected.itertuples()]
        raise IncidentDataError(problems, rejected["file"].iloc[0])
    return frame


def load(pattern: str | os.PathLike, errors: str = "raise", **options):
    """Lazy ``dask_geopandas.GeoDataFrame`` of every file of ``pattern``; see the module doc.

    The first file is read once here to learn the columns and their types (Dask's ``meta``).
    ``options`` are :func:`incidents.load`'s (``sheet``, ``dayfirst``, ``max_chars``).
    """
    import dask
    import dask.dataframe as dd
    import dask_geopandas  # noqa: F401 - registers GeoDataFrame partitions with dask

    _keep_pandas_types()
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', not {errors!r}")
    paths = files_of(pattern)
    first, first_rejected = _one_file(paths[0], None, options)
    meta, rejected_meta = first.iloc[:0], first_rejected.iloc[:0].astype({"row": "int64"})
    columns = list(meta.columns)
    parts = [dask.delayed(_one_file, pure=True)(p, columns, options) for p in paths]
    if errors == "raise":
        return dd.from_delayed([dask.delayed(_checked)(p) for p in parts], meta=meta, verify_meta=False)
    frames = dd.from_delayed([p[0] for p in parts], meta=meta, verify_meta=False)
    rejected = dd.from_delayed([p[1] for p in parts], meta=rejected_meta, verify_meta=False)
    return frames, rejected


def save(ddf, folder: str | os.PathLike) -> None:
    """Write a Dask frame as partitioned GeoParquet into ``folder`` (created; it must be new
    or empty, so no file, least of all one the frame is still reading, is overwritten)."""
    import dask

    from incidents.io import save as save_one

    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(f"{folder} exists and is not an empty folder; save a Dask frame into a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    # Each partition through the in-memory save (GeoParquet per file): Dask's own writer
    # cannot infer an Arrow type for our list columns from its placeholder partitions.
    width = len(str(ddf.npartitions - 1))
    dask.compute(*[dask.delayed(save_one)(part, folder / f"part.{i:0{width}d}.parquet")
                   for i, part in enumerate(ddf.to_delayed())])


def accepting_dask(function):
    """``function(frame, ...)`` that also takes a Dask frame: then it runs lazily on each
    partition (the output's columns and types are learnt by running it on an empty frame)."""

    @functools.wraps(function)
    def wrapper(frame, *args, **kwargs):
        if not is_dask(frame):
            return function(frame, *args, **kwargs)
        meta = function(frame._meta, *args, **kwargs)
        return frame.map_partitions(function, *args, meta=meta, **kwargs)

    return wrapper
