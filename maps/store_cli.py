"""``incident-map store ...``: a team's incident store from the command line, and stores
as INPUT of the map and report commands (their events: each strike once).

    incident-map store init team.gpkg
    incident-map store ingest team.gpkg acled_export.csv --source acled-2026-11
    incident-map store events team.gpkg -o events.gpkg
    incident-map store query team.gpkg --near 48.44,22.72 --km 50
    incident-map store export team.gpkg -o all.parquet [--records]
    incident-map store stats team.gpkg
    incident-map build team.gpkg -o map.html

STORE is a .gpkg file or a postgresql://user@host:port/db URL.
"""

from __future__ import annotations

import argparse
import re

import geopandas as gpd
import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

import geo
import incidents
from incidents.store import is_store
from maps import paths
from maps.clierrors import PROG, UsageError, plain, say

STORE_HELP = "the store: a .gpkg file or a postgresql://user@host:port/db URL"


def is_store_input(text) -> bool:
    """Whether a command's INPUT names a store rather than an incident file."""
    return is_store(str(text))


def load_events(url) -> gpd.GeoDataFrame:
    """The events of the store at ``url``, as an incident frame (INPUT of build/compare/report)."""
    with incidents.Store(str(url), create=False) as st:
        return st.events()


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--near", help="LAT,LON: with --km, only records within that distance")
    parser.add_argument("--km", type=float, help="radius in kilometres (with --near)")
    parser.add_argument("--bbox", help="WEST,SOUTH,EAST,NORTH in degrees")
    parser.add_argument("--since", help="first date, e.g. 2025-08-01")
    parser.add_argument("--until", help="last date (inclusive), e.g. 2025-08-31")
    parser.add_argument("--where", action="append", default=[], metavar="COLUMN=VALUE",
                        help="only rows whose COLUMN equals VALUE (repeat for more columns; "
                             "VALUE may list alternatives: target_type=energy,industrial)")
    parser.add_argument("-o", "--output", help="write the rows to a file (.csv .geojson .gpkg .parquet) instead of a table")
    parser.add_argument("--force", action="store_true", help="replace an output file even if it is read-only")


def register(commands, command) -> None:
    """Add ``store`` and its actions to the ``incident-map`` parser."""
    store = command("store", "a team's incident store: ingest every source, keep each strike once",
                    f"{PROG} store ingest team.gpkg acled.csv --source acled-2026-11")
    actions = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        parser = actions.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("store", metavar="STORE", help=STORE_HELP)
        return parser

    action("init", "create an empty store (a GeoPackage file, or the tables in a PostGIS database)")
    ingest = action("ingest", "add or update the records of one source (offline geocoding fills missing coordinates)")
    ingest.add_argument("input", metavar="INPUT", help="incident file (any format `incident-map build` reads)")
    ingest.add_argument("--source", required=True, help="name of this source and edition, e.g. acled-2026-11")
    ingest.add_argument("--match-km", type=float, default=5.0, help="a report joins an event this close (default 5)")
    ingest.add_argument("--match-days", type=float, default=1.0, help="... and this many days apart (default 1)")
    ingest.add_argument("--no-geocode", action="store_true", help="store records without coordinates as they are")
    ingest.add_argument("--errors", metavar="FILE", help="write every rejected row (row, field, value, reason) to this CSV")
    _filters(action("events", "one row per event (strike) with all its sources"))
    query = action("query", "the records (reports) matching the filters")
    _filters(query)
    query.add_argument("--events", action="store_true", help="the events having a matching record instead")
    export = action("export", "write the store's events (or --records) to a file")
    export.add_argument("-o", "--output", required=True, help="output file (.csv .geojson .gpkg .parquet)")
    export.add_argument("--records", action="store_true", help="every record of every source, not the events")
    export.add_argument("--force", action="store_true", help="replace an output file even if it is read-only")
    action("stats", "how many records, events, sources and cases to review")


def _filter_values(args) -> dict:
    """The read() filters given on the command line, checked."""
    found = {}
    if (args.near is None) != (args.km is None):
        raise UsageError("--near and --km go together: --near 48.44,22.72 --km 50")
    if args.near is not None:
        match = re.fullmatch(r"\s*([-+]?\d+(?:\.\d+)?)\s*,\s*([-+]?\d+(?:\.\d+)?)\s*", args.near)
        if not match:
            raise UsageError(f"--near takes LAT,LON in degrees, not {args.near!r}")
        lat, lon = geo.query.centre(float(match[1]), float(match[2]))
        found["within"] = (lat, lon, args.km)
    if args.bbox is not None:
        try:
            found["bbox"] = tuple(float(v) for v in args.bbox.split(","))
        except ValueError:
            found["bbox"] = ()
        if len(found["bbox"]) != 4:
            raise UsageError(f"--bbox takes WEST,SOUTH,EAST,NORTH in degrees, not {args.bbox!r}")
    found.update({k: getattr(args, k) for k in ("since", "until") if getattr(args, k)})
    where = {}
    for item in args.where:
        column, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--where takes COLUMN=VALUE, not {item!r}")
        where[column.strip()] = value.split(",")
    if where:
        found["where"] = where
    return found


def _table(out: Console, frame, title: str, events: bool) -> None:
    table = Table(title=Text(plain(title)))
    columns = ("id", "date", "place", "killed", "n_sources", "reports") if events else \
        ("id", "store_source", "date", "place", "store_event")
    for column in columns:
        table.add_column(column)
    for row in frame[list(columns)].itertuples(index=False):
        table.add_row(*(Text(plain("" if pd.isna(v) else f"{v:%Y-%m-%d}" if column == "date" else str(v))[:60])
                        for column, v in zip(columns, row)))
    out.print(table)


def _ingest(args, st, err: Console) -> None:
    path = paths.readable_file(args.input)
    gdf, rejected = incidents.load(path, errors="report")
    if not args.no_geocode:
        gdf = geo.geocode(gdf)
    report = st.ingest(gdf, source=args.source, match_km=args.match_km, match_days=args.match_days)
    rejected_all = pd.concat([rejected, report.rejections], ignore_index=True)
    if args.errors and len(rejected_all):
        incidents.save_rejections(rejected_all, args.errors, inputs=[path])
    report.rows_in = int(gdf.attrs.get("rows_in", len(gdf))) - int(gdf.attrs.get("rows_blank", 0))
    report.rejected += int(gdf.attrs.get("rows_rejected", 0))
    for line in report.lines():
        say(err, line)
    for case in report.review:
        say(err, f"review: {case['record_id']}: {case['reason']} (events {', '.join(map(str, case['events']))})")


def run(args, out: Console, err: Console) -> int:
    """Run ``incident-map store ACTION``; the exit code."""
    if args.store_command != "init" and not is_store_input(args.store) and not str(args.store).lower().endswith(".gpkg"):
        raise UsageError(f"{args.store!r} is not a store: give a .gpkg file or a postgresql:// URL")
    with incidents.Store(args.store, create=args.store_command == "init") as st:
        if args.store_command == "init":
            say(err, f"store ready: {st.url} (schema {st.schema_version})")
        elif args.store_command == "ingest":
            _ingest(args, st, err)
        elif args.store_command in ("events", "query"):
            events = args.store_command == "events" or args.events
            filters = _filter_values(args)
            try:
                frame = st.events(**filters) if events else st.read(**filters)
            except ValueError as bad:  # a filter the store refuses (unknown column, bad date)
                raise UsageError(str(bad)) from None
            if args.output:
                paths.output_path(args.output, paths.TABLES, force=args.force)
                incidents.save(frame, args.output, force=args.force)
                say(err, f"wrote {len(frame)} {'events' if events else 'records'} to {args.output}")
            else:
                _table(out, frame, f"{len(frame)} {'events' if events else 'records'} in {st.url}", events)
        elif args.store_command == "export":
            paths.output_path(args.output, paths.TABLES, force=args.force)
            st.export(args.output, events=not args.records, force=args.force)
            say(err, f"wrote {args.output}")
        elif args.store_command == "stats":
            for key, value in st.stats().items():
                say(out, f"{key}: {', '.join(f'{k}={v}' for k, v in value.items()) if isinstance(value, dict) else value}")
    return 0
