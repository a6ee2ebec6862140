"""The ``incident-map`` arguments: every command, option and help text in one place
(:mod:`maps.cli` runs them). The README's command table is checked against
:func:`build_parser`."""

from __future__ import annotations

import argparse

import geo
from maps import dask_run, store_cli
from maps.clierrors import PROG

SAMPLE = "the shipped sample of real incidents"
#: --regions when not given: west,east where the scheme has both, else its first two groups.
DEFAULT_REGIONS = ("west", "east")


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error on one line that says where help is, instead of a
    usage synopsis that wraps over several lines above the message."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _input(parser: argparse.ArgumentParser, required: bool = False) -> None:
    kinds = "incident file (.csv .tsv .xlsx .xls .ods .geojson .json .gpkg .parquet; ACLED, UCDP and other exports)"
    if required:
        parser.add_argument("input", metavar="INPUT", help=kinds)
    else:
        parser.add_argument("input", metavar="INPUT", nargs="?", help=f"{kinds} (default: {SAMPLE})")
    parser.add_argument("--sheet", help="a spreadsheet's sheet, by name or 0-based number (default: the first)")
    order = parser.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="dayfirst", action="store_const", const=True,
                       help="read dates like 03/04/2025 as 3 April (when no value in the column settles it)")
    order.add_argument("--monthfirst", dest="dayfirst", action="store_const", const=False,
                       help="read dates like 03/04/2025 as 4 March")


def _km(text: str) -> float:
    """--km: a finite distance of 0 or more (argparse reports anything else as usage)."""
    try:
        km = float(text)
    except ValueError:
        km = float("nan")
    if not 0 <= km < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a distance: give kilometres, 0 or more, e.g. --km 30")
    return km


def _common(parser: argparse.ArgumentParser, output: str | None = None, geocoding: bool = True) -> None:
    if output:
        parser.add_argument("-o", "--output", default=output, help=f"where to write (default: {output})")
    parser.add_argument("--errors", metavar="FILE", help="write every rejected row (row, field, value, reason) to this CSV")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    parser.add_argument("--force", action="store_true", help="replace an output file even if it is read-only")
    parser.add_argument("--raw-csv", action="store_true",
                        help="write CSV cells exactly, without the ' that stops a spreadsheet running =, +, -, @ cells as formulas")
    if geocoding:
        parser.add_argument("--geocoder", default="offline",
                            help="offline (default; shipped gazetteer) or a geopy service such as nominatim")
        parser.add_argument("--user-agent", help="identifies you to an online geocoder (required for nominatim)")
        parser.add_argument("--allow-unresolved", action="store_true",
                            help="with an online --geocoder, write the output even if places could not be geocoded "
                                 "because the service failed (else: exit 1, nothing written)")
        parser.add_argument("--registry", metavar="FILE", help="extra ownership registry CSV merged over the shipped one")
        parser.add_argument("--scheme", default="macro", help="region scheme: macro (default), dnipro, lon:<deg> or a CSV/JSON file")


def _precision(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--publish-precision", choices=geo.geocoding.COARSEN_PRECISIONS,
                        help="coarsen coordinates before writing (exact strike points can be sensitive in wartime); "
                             "popups, tooltips and tables then name the unit, not the town, and the target by its kind")
    parser.add_argument("--keep-target-text", action="store_true",
                        help="with --publish-precision, keep the target's own words (they may name the site)")


def _publishing(parser: argparse.ArgumentParser) -> None:
    _precision(parser)
    assets = parser.add_mutually_exclusive_group()
    assets.add_argument("--self-contained", dest="cdn", action="store_false", default=False,
                        help="inline every script and style so the page opens with no network (the default)")
    assets.add_argument("--cdn", action="store_true",
                        help="link Leaflet and plugins from the jsDelivr CDN instead of inlining them: "
                             "a smaller file that shows nothing without network")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (the README's command reference is checked against it)."""
    parser = _Parser(
        prog=PROG, description="Geocode, tag and map strikes on Ukraine; compare western and eastern Ukraine.",
        epilog="Run 'incident-map COMMAND --help' for a command's options and an example.")
    debug = "on an unexpected error, show the full Python traceback"
    parser.add_argument("--debug", action="store_true", help=debug)
    parser.add_argument("--dask", metavar="local|tcp://HOST:8786", type=dask_run.address, help=dask_run.HELP)  # maps/dask_run.py
    # Also accepted after the command; SUPPRESS keeps the subcommand from resetting a --debug given before it.
    anywhere = argparse.ArgumentParser(add_help=False)
    anywhere.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, example: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help_text, description=help_text, parents=[anywhere],
                                   epilog=f"example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter)

    build = command("build", "build the interactive incident map (HTML)", f"{PROG} build my_incidents.csv -o map.html")
    _input(build), _common(build, "map.html"), _publishing(build)
    build.add_argument("--color-by", default="foreign_owned", choices=("foreign_owned", "owner_country", "weapon", "target_type"),
                       help="what the marker colour shows (default: foreign_owned)")
    build.add_argument("--fires", metavar="FIRMS.csv",
                       help="NASA FIRMS fire detections: each incident's popup says which fell within 2 km and "
                            "48 h after it (geo.corroborate), and the map gets a fire-detections layer (off at first)")

    compare = command("compare", "side-by-side comparison map of two region groups", f"{PROG} compare -o compare.html --regions west,east")
    _input(compare), _common(compare, "compare.html"), _publishing(compare)
    compare.add_argument("--regions", help="two groups of the scheme, comma-separated, any case (default: west,east; "
                         "for a scheme without them its first two groups, e.g. dnipro: right_bank,left_bank)")

    report = command("report", "HTML report comparing two region groups (prints to PDF)", f"{PROG} report -o report.html")
    _input(report), _common(report, "report.html"), _publishing(report)
    report.add_argument("--exclude-disputed", action="store_true",
                        help="leave out records tagged disputed (attribution contested); the report says how many")
    report.add_argument("--regions", help="two groups of the scheme, comma-separated, any case (default: west,east; "
                         "for a scheme without them its first two groups, e.g. dnipro: right_bank,left_bank)")

    geocode = command("geocode", "fill coordinates from place names and write the result", f"{PROG} geocode places.csv -o located.gpkg")
    _input(geocode, required=True), _common(geocode, None), _precision(geocode)
    geocode.add_argument("-o", "--output", required=True, help="output file (.csv .geojson .gpkg .parquet)")
    geocode.add_argument("--overwrite", action="store_true", help="geocode every row, replacing existing coordinates")

    tag = command("tag", "tag incidents with foreign-ownership metadata", f"{PROG} tag incidents.csv -o tagged.csv --registry my_owners.csv")
    _input(tag, required=True), _common(tag, None), _precision(tag)
    tag.add_argument("-o", "--output", required=True, help="output file (.csv .geojson .gpkg .parquet)")

    query = command("query", "incidents within a distance of a place or point", f"{PROG} query --near Mukachevo --km 50")
    _input(query), _common(query, None), _precision(query)
    query.add_argument("--near", required=True, help="a place name (offline gazetteer; misspellings are read and said) "
                       "or LAT,LON")
    query.add_argument("--oblast", help="with a place name: the oblast of the place meant, when several share the name "
                       "(e.g. --near Novoselivka --oblast Kharkiv)")
    query.add_argument("--km", type=_km, required=True, help="radius in kilometres")
    query.add_argument("-o", "--output", help="write the matches to a file instead of printing a table")

    validate = command("validate", "check a file and list every problem", f"{PROG} validate incidents.csv --errors problems.csv")
    _input(validate, required=True), _common(validate, None, geocoding=False)

    command("sources", "list the data sources and their licences", f"{PROG} sources")
    store_cli.register(commands, command)
    return parser
