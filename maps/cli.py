"""The ``incident-map`` command line.

Every command reads INPUT (default: the shipped sample), runs the pipeline steps it
needs, prints a short summary and writes its output atomically. Exit codes: 0 ok,
1 bad input (one line per problem, the first 20 then a count; ``--errors FILE`` writes
them all), 2 usage.
"""

from __future__ import annotations

import argparse
import re
import sys
from contextlib import nullcontext
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import geo
import incidents
import maps
from incidents.errors import MAX_LISTED
from maps.pipeline import Summary, prepare

PROG = "incident-map"
SAMPLE = "the shipped sample of real incidents"


class UsageError(Exception):
    """Raised for arguments argparse accepts but that make no sense together (exit 2)."""


def _input(parser: argparse.ArgumentParser, required: bool = False) -> None:
    if required:
        parser.add_argument("input", metavar="INPUT", help="incident file (.csv .geojson .gpkg .parquet; ACLED/UCDP exports)")
    else:
        parser.add_argument("input", metavar="INPUT", nargs="?", help=f"incident file (default: {SAMPLE})")


def _common(parser: argparse.ArgumentParser, output: str | None = None, geocoding: bool = True) -> None:
    if output:
        parser.add_argument("-o", "--output", default=output, help=f"where to write (default: {output})")
    parser.add_argument("--errors", metavar="FILE", help="write every rejected row (row, field, value, reason) to this CSV")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    if geocoding:
        parser.add_argument("--geocoder", default="offline",
                            help="offline (default; shipped gazetteer) or a geopy service such as nominatim")
        parser.add_argument("--user-agent", help="identifies you to an online geocoder (required for nominatim)")
        parser.add_argument("--registry", metavar="FILE", help="extra ownership registry CSV merged over the shipped one")
        parser.add_argument("--scheme", default="macro", help="region scheme: macro (default), dnipro, lon:<deg> or a CSV/JSON file")


def _publishing(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--publish-precision", choices=geo.geocoding.COARSEN_PRECISIONS,
                        help="coarsen coordinates before rendering (exact strike points can be sensitive in wartime)")
    parser.add_argument("--self-contained", action="store_true",
                        help="inline every script and style so the page opens with no network")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (the README's command reference is checked against it)."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Geocode, tag and map strikes on Ukraine; compare western and eastern Ukraine.",
        epilog="Run 'incident-map COMMAND --help' for a command's options and an example.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, example: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help_text, description=help_text,
                                   epilog=f"example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter)

    build = command("build", "build the interactive incident map (HTML)", f"{PROG} build my_incidents.csv -o map.html --self-contained")
    _input(build), _common(build, "map.html"), _publishing(build)
    build.add_argument("--color-by", default="foreign_owned", choices=("foreign_owned", "owner_country", "weapon", "target_type"))

    compare = command("compare", "side-by-side comparison map of two region groups", f"{PROG} compare -o compare.html --regions west,east")
    _input(compare), _common(compare, "compare.html"), _publishing(compare)
    compare.add_argument("--regions", default="west,east", help="two groups of the scheme, comma-separated (default: west,east)")

    report = command("report", "HTML report comparing two region groups (prints to PDF)", f"{PROG} report -o report.html")
    _input(report), _common(report, "report.html"), _publishing(report)
    report.add_argument("--regions", default="west,east", help="two groups of the scheme, comma-separated (default: west,east)")

    geocode = command("geocode", "fill coordinates from place names and write the result", f"{PROG} geocode places.csv -o located.gpkg")
    _input(geocode, required=True), _common(geocode, None)
    geocode.add_argument("-o", "--output", required=True, help="output file (.csv .geojson .gpkg .parquet)")
    geocode.add_argument("--overwrite", action="store_true", help="geocode every row, replacing existing coordinates")

    tag = command("tag", "tag incidents with foreign-ownership metadata", f"{PROG} tag incidents.csv -o tagged.csv --registry my_owners.csv")
    _input(tag, required=True), _common(tag, None)
    tag.add_argument("-o", "--output", required=True, help="output file (.csv .geojson .gpkg .parquet)")

    query = command("query", "incidents within a distance of a place or point", f"{PROG} query --near Mukachevo --km 50")
    _input(query), _common(query, None)
    query.add_argument("--near", required=True, help="a place name or LAT,LON")
    query.add_argument("--km", type=float, required=True, help="radius in kilometres")
    query.add_argument("-o", "--output", help="write the matches to a file instead of printing a table")

    validate = command("validate", "check a file and list every problem", f"{PROG} validate incidents.csv --errors problems.csv")
    _input(validate, required=True), _common(validate, None, geocoding=False)

    command("sources", "list the data sources and their licences", f"{PROG} sources")
    return parser


def _progress(quiet: bool):
    """A rich progress bar over the pipeline steps, only on a terminal and not --quiet."""
    if quiet or not sys.stderr.isatty():
        return None
    return Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)


def _load(args, err: Console):
    """Load INPUT (or the sample); any rejected row is printed and stops the command."""
    path = args.input or incidents.sample_path()
    gdf, rejected = incidents.load(path, errors="report")
    if len(rejected):
        if args.errors:
            incidents.save_rejections(rejected, args.errors)
        for line in _problem_lines(rejected):
            err.print(line, markup=False, highlight=False)
        raise _BadInput(len(rejected))
    return gdf


class _BadInput(Exception):
    """Input had rejected rows: exit 1 after the problems are printed."""


def _problem_lines(rejected) -> list[str]:
    problems = [incidents.Problem(int(r.row), r.field, r.value, r.reason) for r in rejected.itertuples()]
    lines = [f"{PROG}: {p}" for p in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        lines.append(f"{PROG}: ... and {len(problems) - MAX_LISTED} more problems (use --errors FILE for the full list)")
    return lines


def _run_pipeline(args, gdf, progress) -> tuple:
    registry = incidents.OwnershipRegistry.from_csv(args.registry) if getattr(args, "registry", None) else None
    task = progress.add_task("preparing", total=3) if progress else None
    steps_done = []

    def step(name: str) -> None:
        """Called before each pipeline step: name it and count the steps finished."""
        if progress:
            progress.update(task, description=name, completed=len(steps_done))
        steps_done.append(name)

    return prepare(gdf, geocoder=args.geocoder, user_agent=args.user_agent, registry=registry,
                   scheme=args.scheme, progress=step)


def _regions(args) -> tuple[str, str]:
    groups = [g.strip() for g in args.regions.split(",") if g.strip()]
    if len(groups) != 2:
        raise UsageError(f"--regions takes two groups separated by a comma, not {args.regions!r}")
    return groups[0], groups[1]


def _near(text: str) -> tuple[float, float] | str:
    match = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*", text)
    return (float(match[1]), float(match[2])) if match else text


def _render(args, gdf):
    if getattr(args, "publish_precision", None):
        gdf = geo.coarsen(gdf, args.publish_precision)
    out = Path(args.output)
    if args.command == "build":
        maps.save(maps.incident_map(gdf, color_by=args.color_by), out, self_contained=args.self_contained)
    elif args.command == "compare":
        a, b = _regions(args)
        maps.save(maps.compare_map(gdf, a, b, scheme=args.scheme), out, self_contained=args.self_contained)
    elif args.command == "report":
        a, b = _regions(args)
        maps.report(gdf, out, regions=(a, b), scheme=args.scheme, self_contained=args.self_contained)
    return out


def _query(args, gdf, out: Console) -> None:
    near = _near(args.near)
    found = geo.within(gdf, near[0], near[1], args.km) if isinstance(near, tuple) else geo.within(gdf, near, km=args.km)
    if args.output:
        incidents.save(found, args.output)
        return
    table = Table(title=f"{len(found)} incidents within {args.km:g} km of {args.near}")
    for column in ("place", "date", "distance_km", "target"):
        table.add_column(column)
    for row in found.itertuples():
        table.add_row(str(row.place or ""), f"{row.date:%Y-%m-%d}", f"{row.distance_km:.1f}", str(row.target or "")[:60])
    out.print(table)


def _sources(out: Console) -> None:
    table = Table(title="data sources and licences")
    for column in ("source", "used for", "licence / terms"):
        table.add_column(column)
    for source in maps.DATA_SOURCES:
        table.add_row(source.name, source.used_for, source.licence)
    out.print(table)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``incident-map``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on usage errors
    out, err = Console(), Console(stderr=True, soft_wrap=True)  # one problem = one line, never wrapped
    try:
        if args.command == "sources":
            _sources(out)
            return 0
        gdf = _load(args, err)
        if args.command == "validate":
            if not args.quiet:
                out.print(f"{len(gdf)} rows, all valid")
            return 0
        summary = Summary(rows_in=len(gdf))
        progress = _progress(args.quiet)
        with progress or nullcontext():
            if args.command == "geocode":
                gdf = geo.geocode(gdf, geocoder=args.geocoder, user_agent=args.user_agent, overwrite=args.overwrite)
                info = gdf.attrs.get("geocode_summary", {})
                summary.geocoded, summary.unresolved = int(info.get("geocoded", 0)), list(map(str, info.get("unresolved_ids", [])))
                incidents.save(gdf, args.output)
            elif args.command == "tag":
                registry = incidents.OwnershipRegistry.from_csv(args.registry) if args.registry else None
                gdf = incidents.tag_ownership(gdf, registry=registry)
                summary.tagged_foreign = int(gdf["foreign_owned"].fillna(False).astype(bool).sum())
                incidents.save(gdf, args.output)
            else:
                gdf, summary = _run_pipeline(args, gdf, progress)
                if args.command == "query":
                    _query(args, gdf, out)
                else:
                    path = _render(args, gdf)
                    if not args.quiet:
                        err.print(f"wrote {path}")
        if not args.quiet:
            for line in summary.lines():
                err.print(line, highlight=False)
        return 0
    except _BadInput as bad:
        err.print(f"{PROG}: {bad.args[0]} problems; nothing written", highlight=False)
        return 1
    except incidents.IncidentDataError as error:
        for line in str(error).splitlines():
            err.print(f"{PROG}: {line.strip()}", markup=False, highlight=False)
        return 1
    except (FileNotFoundError, geo.GeocodingError, geo.UnknownOblastError) as error:
        err.print(f"{PROG}: {error}", markup=False, highlight=False)
        return 1
    except UsageError as error:
        parser.error(str(error))  # prints usage and exits 2
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
