"""The ``incident-map`` command line.

Every command reads INPUT (default: the shipped sample), runs the pipeline steps it
needs, prints a short summary and writes its output atomically. Exit codes: 0 ok,
1 bad data (one line per problem, the first 20 then a count; ``--errors FILE`` writes
them all), 2 bad usage. A user's mistake is never a traceback: every path and option is
checked before any work (:func:`_check`), and errors print as one line (:mod:`maps.clierrors`).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import sys
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

import geo
import incidents
import maps
from incidents.errors import MAX_LISTED
from maps import dask_run, paths, store_cli
from maps.clierrors import PROG, UsageError, explain, plain, plain_warnings, say
from maps.pipeline import Summary, prepare

from maps.cliparser import DEFAULT_REGIONS, build_parser


def _progress(quiet: bool):
    """A rich progress bar over the pipeline steps, only on a terminal and not --quiet."""
    if quiet or not sys.stderr.isatty():
        return None
    return Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)


@dataclass
class _Checked:
    """What :func:`_check` resolved from the arguments, so the run uses what was checked."""

    input: Path | None = None
    regions: tuple[str, str] | None = None
    centre: tuple[float, float] | None = None
    #: --near as a place name: which place it was read as (None for LAT,LON).
    place: geo.names.ResolvedName | None = None
    registry: incidents.OwnershipRegistry | None = None
    #: --fires: the FIRMS detections, loaded and checked before the run.
    fires: pd.DataFrame | None = None
    #: Every file the run reads or writes: no output may replace one of them.
    reading: list = dataclasses.field(default_factory=list)


def _check(args) -> _Checked:
    """Every check that needs no incident data, made before any work: a wrong path or
    option costs a second and one line, not a long run that fails at its end."""
    given = args.input or incidents.sample_path()
    if args.dask:
        done = _Checked(input=dask_run.input_path(given))
    else:
        done = _Checked(input=given if store_cli.is_store_input(given) else paths.readable_file(given))
    reading = done.reading
    reading.append(done.input)
    if getattr(args, "registry", None):
        reading.append(paths.readable_file(args.registry, "--registry"))
        done.registry = incidents.OwnershipRegistry.from_csv(args.registry)
    if getattr(args, "fires", None):
        if getattr(args, "publish_precision", None):  # the fire points would show the exact site
            raise UsageError("--fires draws satellite detections at their exact points, which gives away what "
                             "--publish-precision hides: use one or the other")
        reading.append(paths.readable_file(args.fires, "--fires"))
        done.fires = incidents.load(args.fires)
        if done.fires.attrs.get("kind") != "detections":
            raise UsageError(f"--fires: {args.fires} is not a NASA FIRMS fire detections file "
                             "(its columns are not those of a FIRMS export)")
    if getattr(args, "scheme", None):  # validate has no --scheme
        chosen = geo.scheme(args.scheme)
        reading.append(args.scheme if Path(args.scheme).is_file() else None)
        if args.command in ("compare", "report"):
            done.regions = _regions(args.regions, chosen)
    if getattr(args, "geocoder", "offline").lower() not in ("offline", "gazetteer"):
        geo.geocoders.GeopyGeocoder(args.geocoder, user_agent=args.user_agent, cache=False)  # checks name and agent
    if args.command == "query":
        done.centre, done.place = _centre(args.near, args.oblast)
    output = getattr(args, "output", None)
    if output:
        html = args.command in ("build", "compare", "report")
        paths.output_path(output, paths.HTML if html else paths.TABLES, reading=reading, force=args.force,
                          stream=html or Path(output).suffix.lower() not in (".gpkg", ".parquet", ".geoparquet"))
    if args.errors:
        paths.output_path(args.errors, None, what="--errors", reading=[*reading, output], force=args.force)
    reading.append(args.errors)  # the output must not be the --errors file either
    return done


def _regions(text: str | None, chosen: geo.Scheme) -> tuple[str, str]:
    """The two groups --regions names (any case), or the scheme's defaults."""
    if text is None:
        if set(DEFAULT_REGIONS) <= set(chosen.groups):
            return DEFAULT_REGIONS
        if len(chosen.groups) < 2:
            raise UsageError(f"scheme {chosen.name!r} has only the group {', '.join(chosen.groups) or '(none)'}: "
                             "a comparison needs two")
        return chosen.groups[0], chosen.groups[1]
    groups = [g.strip() for g in text.split(",") if g.strip()]
    if len(groups) != 2:
        raise UsageError(f"--regions takes two groups separated by a comma, not {text!r} "
                         f"(groups of scheme {chosen.name!r}: {', '.join(chosen.groups)})")
    return chosen.pair(*groups)


def _centre(text: str, oblast: str | None) -> tuple[tuple[float, float], geo.names.ResolvedName | None]:
    """--near: LAT,LON (checked to be on the globe) or a place name (offline gazetteer), and
    for a name, which place it was read as (printed in the query's header)."""
    match = re.fullmatch(r"\s*([-+]?\d+(?:\.\d+)?)\s*,\s*([-+]?\d+(?:\.\d+)?)\s*", text)
    if match:
        if oblast:
            raise UsageError("--oblast chooses among places of one name; --near gives coordinates")
        return geo.query.centre(float(match[1]), float(match[2])), None
    found = geo.names.place(text, oblast=oblast)
    return geo.query.centre(found.lat, found.lon), found


def _load(args, path: Path, err: Console):
    """Load INPUT (a store: its events); any rejected row is printed and stops the command."""
    if store_cli.is_store_input(path):
        return store_cli.load_events(path)
    sheet = int(args.sheet) if args.sheet and args.sheet.isdigit() else args.sheet
    load = dask_run.load if args.dask else functools.partial(incidents.load, errors="report")
    gdf, rejected = load(path, sheet=sheet, dayfirst=args.dayfirst)
    if len(rejected):
        if args.errors:
            incidents.save_rejections(rejected, args.errors, formula_safe=not args.raw_csv, force=args.force,
                                      inputs=[path])
        for line in _problem_lines(rejected):
            say(err, line)
        raise _BadInput(len(rejected))
    return gdf


class _BadInput(Exception):
    """Input had rejected rows: exit 1 after the problems are printed."""


class _GeocoderFailed(Exception):
    """An online geocoder failed for some places and --allow-unresolved was not given."""


def _stop_on_geocoder_failure(args, summary: Summary, err: Console) -> None:
    """Before anything is written: places an online geocoder could not answer (service
    errors, unreachable) stop the run, unless --allow-unresolved; the summary says why."""
    if not summary.failed or args.allow_unresolved:
        return
    if not args.quiet:
        for line in _summary_lines(args.command, summary):
            say(err, line)
    raise _GeocoderFailed(summary.failed)


def _problem_lines(rejected) -> list[str]:
    problems = [incidents.Problem(int(r.row), r.field, r.value, r.reason) for r in rejected.itertuples()]
    lines = [f"{PROG}: {p}" for p in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        lines.append(f"{PROG}: ... and {len(problems) - MAX_LISTED} more problems (use --errors FILE for the full list)")
    return lines


def _run_pipeline(args, checked: _Checked, gdf, progress) -> tuple:
    task = progress.add_task("preparing", total=3) if progress else None
    steps_done = []

    def step(name: str) -> None:
        """Called before each pipeline step: name it and count the steps finished."""
        if progress:
            progress.update(task, description=name, completed=len(steps_done))
        steps_done.append(name)

    return prepare(gdf, geocoder=args.geocoder, user_agent=args.user_agent, registry=checked.registry,
                   scheme=args.scheme, progress=step)


def _render(args, checked: _Checked, gdf):
    if checked.fires is not None:  # on the exact points, before --publish-precision coarsens them
        gdf = geo.corroborate(gdf, checked.fires)
    gdf = _published(args, gdf)
    out = args.output
    written = {"force": args.force, "inputs": checked.reading}
    if args.command == "build":
        maps.save(maps.incident_map(gdf, color_by=args.color_by, registry=checked.registry, fires=checked.fires), out,
                  self_contained=not args.cdn, **written)
    elif args.command == "compare":
        maps.save(maps.compare_map(gdf, *checked.regions, scheme=args.scheme, registry=checked.registry), out,
                  self_contained=not args.cdn, **written)
    elif args.command == "report":
        maps.report(gdf, out, regions=checked.regions, scheme=args.scheme, self_contained=not args.cdn,
                    registry=checked.registry, exclude_disputed=args.exclude_disputed, **written)
    return out


def _published(args, gdf):
    """``gdf`` as --publish-precision allows it to leave the machine (unchanged without it)."""
    if getattr(args, "publish_precision", None):
        return maps.publishable(gdf, args.publish_precision, keep_target_text=args.keep_target_text)
    return gdf


def _save(args, checked: _Checked, gdf) -> None:
    """An incident table to --output (``-``: CSV on standard output)."""
    incidents.save(gdf, args.output, formula_safe=not args.raw_csv, force=args.force, inputs=checked.reading)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _cell(value, width: int | None = None) -> Text:
    """A table cell of data: empty for a missing value (never "nan"), control characters
    shown, and Text so that rich never reads "[/x]" in data as markup."""
    missing = value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)
    text = "" if missing else (f"{value:%Y-%m-%d}" if isinstance(value, pd.Timestamp) else str(value))
    return Text(plain(text[:width] if width else text))


def _query(args, checked: _Checked, gdf, out: Console, err: Console) -> None:
    found = _published(args, geo.within(gdf, *checked.centre, km=args.km, dropna=True))  # on the exact points
    unlocated = int(gdf.geometry.isna().sum() + gdf.geometry.is_empty.sum())
    place = checked.place
    notes = place.notes(hint="--oblast ") if place else []
    if unlocated and not args.quiet:
        notes.append(f"{_plural(unlocated, 'incident')} without coordinates not searched (see unresolved below)")
    for note in notes:
        say(err, f"{PROG}: {note}")
    if args.output:
        _save(args, checked, found)
        return
    where = place.label() if place and (place.how != "exact" or place.candidates > 1
                                        or place.name.casefold() != args.near.strip().casefold()) else args.near
    say(out, f"{_plural(len(found), 'incident')} within {args.km:g} km of {where}")
    if found.empty:
        return
    table = Table()
    withheld = bool(getattr(args, "publish_precision", None))  # distances to exact points
    for column in ("place", "date", *(() if withheld else ("distance km",)), "target"):
        table.add_column(column, justify="right" if column == "distance km" else "left")
    for row in found.itertuples():
        distance = () if withheld else (f"{row.distance_km:.1f}",)
        table.add_row(_cell(getattr(row, "place", None)), _cell(getattr(row, "date", None)), *distance,
                      _cell(getattr(row, "target", None), 60))
    out.print(table)


def _sources(out: Console) -> None:
    table = Table(title="data sources and licences")
    for column in ("source", "used for", "licence / terms"):
        table.add_column(column)
    for source in maps.DATA_SOURCES:
        table.add_row(Text(source.name), Text(source.used_for), Text(source.licence))
    out.print(table)


def _run(args, out: Console, err: Console) -> int:
    if args.command == "sources":
        _sources(out)
        return 0
    if args.command == "store":
        return store_cli.run(args, out, err)
    checked = _check(args)
    gdf = _load(args, checked.input, err)
    loaded = {"rows_in": gdf.attrs.get("rows_in", len(gdf)), "blank": gdf.attrs.get("rows_blank", 0),
              "read": list(gdf.attrs.get("notes", []))}
    if args.command == "validate":
        if not args.quiet:
            say(out, f"{len(gdf)} row{'s' if len(gdf) != 1 else ''}, all valid")
            for line in Summary(**loaded).read_lines():
                say(out, line)
        return 0
    summary = Summary(**loaded)
    progress = _progress(args.quiet)
    with progress or nullcontext():
        if args.command == "geocode":
            summary.already_located = 0 if args.overwrite else int(gdf.geometry.notna().sum())
            gdf = geo.geocode(gdf, geocoder=args.geocoder, user_agent=args.user_agent, overwrite=args.overwrite)
            info = gdf.attrs.get("geocode_summary", {})
            summary.geocoded, summary.unresolved = int(info.get("geocoded", 0)), list(map(str, info.get("unresolved_ids", [])))
            summary.failed, summary.not_tried = int(info.get("failed", 0)), int(info.get("not_tried", 0))
            summary.unreachable = info.get("unreachable")
            _stop_on_geocoder_failure(args, summary, err)
            _save(args, checked, _published(args, gdf))
        elif args.command == "tag":
            gdf = incidents.tag_ownership(gdf, registry=checked.registry)
            summary.tagged_foreign = int(gdf["foreign_owned"].fillna(False).astype(bool).sum())
            _save(args, checked, _published(args, gdf))
        else:
            gdf, summary = _run_pipeline(args, checked, gdf, progress)
            summary = dataclasses.replace(summary, **loaded)
            _stop_on_geocoder_failure(args, summary, err)
            if args.command == "query":
                _query(args, checked, gdf, out, err)
            else:
                path = _render(args, checked, gdf)
                if not args.quiet:
                    say(err, "wrote standard output" if path == "-" else f"wrote {path}")
                if args.command == "compare" and not args.quiet and path != "-":
                    out.print(geo.compare(gdf, *checked.regions, scheme=args.scheme, registry=checked.registry))
    if not args.quiet:
        for line in _summary_lines(args.command, summary):
            say(err, line)
    return 0


#: Summary lines (by their start) of the pipeline steps a command does not run.
_NOT_RUN = {"geocode": ("tagged foreign-owned:", "ambiguous owner", "outside Ukraine"),
            "tag": ("already had coordinates:", "geocoded:", "unresolved:", "geocoder ", "outside Ukraine")}


def _summary_lines(command: str, summary: Summary) -> list[str]:
    """The summary's lines about what ``command`` did (geocode tags nothing, tag geocodes nothing)."""
    skip = _NOT_RUN.get(command, ())
    return [line for line in summary.lines() if not line.startswith(skip)]


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``incident-map``; returns the exit code (never raises for a user's
    mistake; with ``--debug``, an error is raised with its traceback)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse printed the usage and its error (2), or --help (0)
        return int(exit_.code or 0)
    out, err = Console(), Console(stderr=True, soft_wrap=True)  # one problem = one line, never wrapped
    with plain_warnings(err):
        try:
            with dask_run.session(args.dask):
                return _run(args, out, err)
        except _BadInput as bad:
            written = f"only the problems written (to {args.errors})" if args.errors else "nothing written"
            say(err, f"{PROG}: {bad.args[0]} problem{'s' if bad.args[0] != 1 else ''}; {written}")
            return 1
        except _GeocoderFailed as failed:
            say(err, f"{PROG}: the geocoder failed for {failed.args[0]} place{'s' if failed.args[0] != 1 else ''}; "
                     "nothing written (try again later, or pass --allow-unresolved to write them unresolved)")
            return 1
        except KeyboardInterrupt:
            say(err, f"{PROG}: interrupted")
            return 130
        except Exception as error:
            if args.debug:
                raise
            code, lines = explain(error)
            for line in lines:
                say(err, f"{PROG}: {line}")
            return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
