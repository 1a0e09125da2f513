"""``alerts history``: when each SLO burn tier fired, as on the incidents page (from Prometheus's ``ALERTS``, or
computed from the demo history)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from commands import common


def command_alerts_history(args: argparse.Namespace) -> int:
    from data.slo.service import RequestError, firing_history
    from data.slo.sources import SourceError

    settings = common.load_cli_settings(args)
    catalog = common.load_cli_catalog(settings, [])
    now = settings.now().replace(second=0, microsecond=0)  # the page's evaluation instant
    try:
        first_day, last_day = (date.fromisoformat(day) if day else None for day in (args.from_date, args.to_date))
    except ValueError:
        raise common.CliError("--from and --to take dates like 2026-11-24") from None
    try:
        history = firing_history(
            common.cli_source(settings, now),
            catalog,
            now,
            settings.team_timezone,
            first_day,
            last_day,
            args.service or None,
        )
    except (RequestError, SourceError) as error:
        raise common.CliError(str(error)) from None
    if args.format == "json":
        payload = history.to_dict()
        payload["time_zone"] = settings.team_timezone
        print(json.dumps(payload, indent=2))
    else:
        print(_table(history, settings.team_timezone))
    _print_notes(history)
    return common.EXIT_ATTENTION if history.notice or history.slos_without_rules else common.EXIT_OK


def _print_notes(history) -> None:
    if history.notice:
        print(f"note: {history.notice}", file=sys.stderr)
    if history.ignored_series:
        print(
            f"note: {history.ignored_series} SLOBurnRate series without the generated rules' labels were left out",
            file=sys.stderr,
        )
    if history.slos_without_rules:
        print(
            f"note: no SLOBurnRate rule is loaded for {', '.join(history.slos_without_rules)}: regenerate the rules "
            "with `python cli.py slo-rules`",
            file=sys.stderr,
        )


def _table(history, time_zone: str) -> str:
    from zoneinfo import ZoneInfo

    from metrics.slo.alert_history import interval_rows

    how = "computed from the demo history" if history.computed else "from ALERTS"
    first, last = (
        moment.astimezone(ZoneInfo(time_zone)) for moment in (history.first_evaluation, history.last_evaluation)
    )
    title = f"SLO burn alerts {how}, {first:%Y-%m-%d %H:%M} .. {last:%Y-%m-%d %H:%M} ({time_zone}), {history.source}"
    rows = interval_rows(history.intervals, time_zone, history.last_evaluation)
    if not rows:
        return f"{title}\n(no tier fired)" if not history.notice else title
    header = list(rows[0])
    return "\n".join([title, common.text_table(header, [[row[column] for column in header] for row in rows])])


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    alerts = commands.add_parser("alerts", help="when the SLO burn tiers fired")
    actions = alerts.add_subparsers(dest="action", required=True)
    history = actions.add_parser("history", help="firing intervals per SLO and tier (ALERTS, or the demo's)")
    history.add_argument(
        "--from", dest="from_date", help="first day, YYYY-MM-DD in the team's zone (default: 90 days before now)"
    )
    history.add_argument("--to", dest="to_date", help="last day, YYYY-MM-DD (default: up to now)")
    history.add_argument("--service", action="append", help="a service (repeat for several; default: all)")
    history.add_argument("--format", choices=("json", "table"), default="table")
    history.add_argument("--catalog", help="OpenSLO file or directory (default: settings, config/slos)")
    history.add_argument("--prometheus-url", help="Prometheus-compatible base URL (default: settings)")
    history.add_argument("--demo", action="store_true", help="use the demo data even if Prometheus is set")
    history.set_defaults(handler=command_alerts_history)
