"""``slo-annotations --slo NAME``: what the SLO drill-down's charts mark in the SLO's current period (the incidents
of its service, its reviews, the changes of its target, its budget adjustments, the firings of its alert tiers and
the deploys of its service), with what and who: the same list the page draws."""

from __future__ import annotations

import argparse
import json

from commands.common import EXIT_OK, CliError, load_cli_catalog, load_cli_settings, parse_cli_instant, text_table


def command_annotations(args: argparse.Namespace) -> int:
    from commands.common import cli_source
    from data.slo.annotations import slo_annotations
    from data.store import migrate
    from metrics.slo.periods import current_period

    settings = load_cli_settings(args)
    catalog = load_cli_catalog(settings, [])
    try:
        migrate(settings.database_url)
    except Exception as error:  # driver errors vary: name the store (a SecretUrl, shown masked)
        raise CliError(f"could not open the store {settings.database_url}: {type(error).__name__}") from None
    if args.service:
        return _service_annotations(args, settings, catalog)
    slo = next((slo for slo in catalog.slos if slo.name == args.slo), None)
    if slo is None:
        raise CliError(f"no SLO named {args.slo!r} in the catalog ({settings.catalog_path})")
    at = parse_cli_instant(args.at, settings)
    period = current_period(slo.time_window, at)
    found = slo_annotations(settings, slo, period.start, at, cli_source(settings, at))
    header = {"slo": slo.name, "period_start": period.start.isoformat(), "at": at.isoformat()}
    _print(args.format, header, f"{slo.name}: annotations from {period.start.isoformat()} to {at.isoformat()}", found)
    return EXIT_OK


def _service_annotations(args: argparse.Namespace, settings, catalog) -> int:
    """What the trends page's volume chart marks for these services over the local days, as that page reads it."""
    from datetime import date

    from data.store.engine import shared_engine
    from data.trends.service import oldest_rollup_day, trend_annotations, trends_range

    known = {slo.service for slo in catalog.slos}
    unknown = [service for service in args.service if service not in known]
    if unknown:
        raise CliError(f"no SLO of service(s) {', '.join(unknown)} in the catalog ({settings.catalog_path})")
    first, last = trends_range(
        settings.now(), settings.team_timezone, oldest_rollup_day(shared_engine(settings.database_url))
    )
    try:
        last = date.fromisoformat(args.to) if args.to else last
        first = date.fromisoformat(args.since) if args.since else first
    except ValueError as error:
        raise CliError(f"--from/--to: {error} (use YYYY-MM-DD)") from None
    if first > last:
        raise CliError(f"--from {first} is after --to {last}")
    from commands.common import cli_source
    from data.trends.service import trend_firings

    firings = trend_firings(settings, catalog.slos, args.service, first, last, cli_source(settings, settings.now()))
    found = trend_annotations(settings, catalog.slos, args.service, first, last, firings=firings)
    header = {"services": args.service, "first_day": first.isoformat(), "last_day": last.isoformat()}
    _print(args.format, header, f"{', '.join(args.service)}: annotations from {first} to {last} (local days)", found)
    return EXIT_OK


def _print(output: str, header: dict, title: str, found) -> None:
    if output == "json":
        annotations = [
            {
                "kind": a.kind.value,
                "start": a.start.isoformat(),
                "end": None if a.end is None else a.end.isoformat(),
                "ongoing": a.ongoing,
                "title": a.title,
                "who": a.who,
                "provenance": a.provenance,
            }
            for a in found.annotations
        ]
        print(json.dumps({**header, "annotations": annotations, "notes": found.notes}, indent=2))
        return
    print(title)
    rows = [
        [
            a.kind.value,
            a.start.isoformat(),
            "ongoing" if a.ongoing else ("" if a.end is None else a.end.isoformat()),
            a.title,
            a.provenance or a.who or "",
        ]
        for a in found.annotations
    ]
    print(text_table(["kind", "start", "end", "what", "who / from"], rows) if rows else "none in this range")
    for note in found.notes:
        print(note)


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "slo-annotations",
        help="what the charts mark: incidents, reviews, target changes, adjustments, tier firings, deploys; of one "
        "SLO's period (its drill-down) or of services over local days (the trends page's volume chart)",
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--slo", help="the SLO's name: its drill-down's marks over its current period")
    which.add_argument(
        "--service", action="append", help="a service (repeatable): the trends page's marks over --from/--to"
    )
    parser.add_argument("--at", help="with --slo: the instant (ISO 8601); default now")
    parser.add_argument(
        "--from",
        dest="since",
        help="with --service: the first local day, YYYY-MM-DD (default: the 1st of --to's month)",
    )
    parser.add_argument("--to", help="with --service: the last local day, YYYY-MM-DD (default: the last complete day)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(handler=command_annotations)
