"""Incident commands: ``incidents import --csv FILE`` (whole file or nothing) and ``incidents report`` (counts and
recovery times per week and service, as on the trends page)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date, timedelta

from commands.common import EXIT_OK, CliError, cli_actor, load_cli_catalog, load_cli_settings

IMPORT_COMMAND = "python cli.py incidents import --csv FILE"


def _seconds(value) -> float | None:
    return None if value is None else value.total_seconds()


def command_import(args: argparse.Namespace) -> int:
    from data.incidents.store import save_incidents
    from data.store import engine_for, migrate
    from metrics.import_limits import import_size_problem
    from metrics.incidents.rules import IncidentError, parse_incidents_csv

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
    try:
        incidents = parse_incidents_csv(text, settings.team_timezone, catalog.service_names())
    except IncidentError as error:
        for problem in error.problems:
            print(f"{args.csv}: {problem}", file=sys.stderr)
        raise CliError(f"{args.csv}: {len(error.problems)} problem(s); nothing was imported") from None
    migrate(settings.database_url)
    engine = engine_for(settings.database_url)
    try:
        added, updated = save_incidents(
            engine, incidents, actor=cli_actor(args.by), recorded_at=settings.now(), imported=True
        )
    finally:
        engine.dispose()
    print(f"{args.csv}: {added} incidents added, {updated} updated")
    return EXIT_OK


def command_report(args: argparse.Namespace) -> int:
    from data.incidents.store import incidents_between
    from data.store import engine_for, migrate
    from data.trends.rollups import default_trends_range
    from metrics.incidents.rules import stats_by_service, stats_by_week
    from metrics.trends.aggregate import periods_between
    from metrics.trends.rollups import local_midnight

    settings = load_cli_settings(args)
    default_first, default_last = default_trends_range(settings.now(), settings.team_timezone)
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
        incidents = incidents_between(
            engine,
            local_midnight(first, settings.team_timezone),
            local_midnight(last + timedelta(days=1), settings.team_timezone),
            args.service or None,
        )
    finally:
        engine.dispose()
    weeks = stats_by_week(incidents, settings.team_timezone, periods_between(first, last, "week"))
    services = stats_by_service(incidents)

    def record(stats) -> dict:
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

    if args.format == "json":
        print(
            json.dumps(
                {
                    "from": first.isoformat(),
                    "to": last.isoformat(),
                    "time_zone": settings.team_timezone,
                    "weeks": [record(s) for s in weeks],
                    "services": [record(s) for s in services],
                },
                indent=2,
            )
        )
    else:
        from metrics.formatting import format_duration

        lines = [
            f"Incidents {first} .. {last} ({settings.team_timezone})",
            f"{'week / service':<16} {'count':>5} {'open':>4}  {'TTA mean':>10} {'TTA median':>10} "
            f"{'TTR mean':>10} {'TTR median':>10}",
        ]
        for stats in [*weeks, *services]:
            lines.append(
                f"{stats.key:<16} {stats.count:>5} {stats.open:>4}  {format_duration(stats.tta_mean):>10} "
                f"{format_duration(stats.tta_median):>10} {format_duration(stats.ttr_mean):>10} "
                f"{format_duration(stats.ttr_median):>10}"
            )
        print("\n".join(lines))
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
