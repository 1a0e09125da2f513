"""Incident commands: ``incidents import --csv FILE`` (whole file or nothing) and ``incidents report`` (counts and
recovery times per week and service, as on the trends page)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date

from commands.common import EXIT_OK, CliError, cli_actor, load_cli_catalog, load_cli_settings, text_table

IMPORT_COMMAND = "python cli.py incidents import --csv FILE"


def _seconds(value) -> float | None:
    return None if value is None else value.total_seconds()


def _stats_record(stats) -> dict:
    """One week's or service's recovery figures for ``--format json``."""
    return {
        "key": stats.key,
        "count": stats.count,
        "open": stats.open,
        "by_severity": stats.by_severity,
        "tta_mean_seconds": _seconds(stats.tta_mean),
        "tta_median_seconds": _seconds(stats.tta_median),
        "ttr_mean_seconds": _seconds(stats.ttr_mean),
        "ttr_median_seconds": _seconds(stats.ttr_median),
    }


def command_import(args: argparse.Namespace) -> int:
    from data.incidents.service import import_incidents
    from data.store import engine_for, migrate
    from metrics.import_limits import import_size_problem
    from metrics.incidents.rules import IncidentError

    settings = load_cli_settings(args)
    catalog = load_cli_catalog(settings, [])
    try:
        too_large = import_size_problem(os.stat(args.csv).st_size, args.csv)
        if too_large:
            raise CliError(f"{too_large}; nothing was imported")
        with open(args.csv, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(f"cannot read {args.csv}: {type(error).__name__}") from None
    migrate(settings.database_url)
    engine = engine_for(settings.database_url)
    try:
        result = import_incidents(
            engine,
            text,
            time_zone=settings.team_timezone,
            services=catalog.service_names(),
            actor=cli_actor(args.by),
            recorded_at=settings.now(),
        )
    except IncidentError as error:
        for problem in error.problems:
            print(f"{args.csv}: {problem}", file=sys.stderr)
        raise CliError(f"{args.csv}: {len(error.problems)} problem(s); nothing was imported") from None
    finally:
        engine.dispose()
    print(f"{args.csv}: {result.added} incidents added, {result.updated} updated")
    return EXIT_OK


def command_report(args: argparse.Namespace) -> int:
    from data.incidents.service import incident_report, incidents_in_days
    from data.store import engine_for, migrate
    from data.trends.service import trends_range

    settings = load_cli_settings(args)
    default_first, default_last = trends_range(settings.now(), settings.team_timezone)
    try:
        first = date.fromisoformat(args.from_date) if args.from_date else default_first
        last = date.fromisoformat(args.to_date) if args.to_date else default_last
    except ValueError:
        raise CliError("--from and --to take dates like 2026-11-24") from None
    if first > last:
        raise CliError(f"--from {first} is after --to {last}")
    migrate(settings.database_url)
    engine = engine_for(settings.database_url)
    try:
        incidents = incidents_in_days(engine, first, last, settings.team_timezone, args.service or None)
    finally:
        engine.dispose()
    report = incident_report(incidents, settings.team_timezone, first, last)

    if args.format == "json":
        print(
            json.dumps(
                {
                    "from": first.isoformat(),
                    "to": last.isoformat(),
                    "time_zone": settings.team_timezone,
                    "weeks": [_stats_record(s) for s in report.weeks],
                    "services": [_stats_record(s) for s in report.services],
                },
                indent=2,
            )
        )
    else:
        from metrics.formatting import format_duration

        header = ["week / service", "count", "open", "TTA mean", "TTA median", "TTR mean", "TTR median"]
        rows = [
            [
                stats.key,
                str(stats.count),
                str(stats.open),
                *(format_duration(d) for d in (stats.tta_mean, stats.tta_median, stats.ttr_mean, stats.ttr_median)),
            ]
            for stats in [*report.weeks, *report.services]
        ]
        print(f"Incidents {first} .. {last} ({settings.team_timezone})\n" + text_table(header, rows))
    return EXIT_OK


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    incidents = commands.add_parser("incidents", help="import incidents from CSV; recovery times per week")
    actions = incidents.add_subparsers(dest="action", required=True)
    importing = actions.add_parser(
        "import", help="import a CSV: id,service,severity,started,detected,acknowledged,resolved,summary,postmortem"
    )
    importing.add_argument("--csv", required=True, help="the file; times ISO 8601, without offset = team time")
    importing.add_argument("--by", help="who imports (default: the system user)")
    importing.add_argument("--catalog", help="OpenSLO file or directory (default: settings)")
    importing.set_defaults(handler=command_import)
    report = actions.add_parser("report", help="counts, TTA and TTR (mean, median) per ISO week and service")
    report.add_argument("--from", dest="from_date", help="first day, YYYY-MM-DD (default: 26 ISO weeks back)")
    report.add_argument("--to", dest="to_date", help="last day, YYYY-MM-DD (default: the last complete day)")
    report.add_argument("--service", action="append", help="a service (repeat for several; default: all)")
    report.add_argument("--format", choices=("json", "table"), default="table")
    report.set_defaults(handler=command_report)
