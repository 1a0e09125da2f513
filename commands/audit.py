"""``audit``: the audit trail from the command line, the same rows as the Audit trail page."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from commands.common import EXIT_OK, CliError, load_cli_settings, parse_cli_date


def command_audit(args: argparse.Namespace) -> int:
    from data.store import engine_for, migrate
    from data.store.audit import audit_entries
    from metrics.audit.rows import AUDIT_COLUMNS, audit_rows

    settings = load_cli_settings(args)
    zone = ZoneInfo(settings.team_timezone)
    since, until = parse_cli_date(args.since, "--since"), parse_cli_date(args.until, "--until")
    try:
        migrate(settings.database_url)
        engine = engine_for(settings.database_url)
    except Exception as error:  # driver errors vary: name the store (a SecretUrl, shown masked)
        raise CliError(f"could not open the store {settings.database_url}: {type(error).__name__}") from None
    try:
        entries = audit_entries(
            engine,
            entity=args.entity,
            actor=args.actor,
            limit=args.limit,
            since=datetime.combine(since, time(), zone) if since else None,
            until=datetime.combine(until + timedelta(days=1), time(), zone) if until else None,
        )
    finally:
        engine.dispose()
    rows = audit_rows(entries, settings.team_timezone)
    if args.format == "json":
        print(
            json.dumps(
                {
                    "time_zone": settings.team_timezone,
                    "entries": [{**row, "details": entry["details"]} for row, entry in zip(rows, entries)],
                },
                indent=2,
                default=str,
            )
        )
        return EXIT_OK
    if not rows:
        print("no audit entries match")
        return EXIT_OK
    shown = [column for column in AUDIT_COLUMNS if column != "details"]
    widths = {column: max(len(column), *(len(row[column]) for row in rows)) for column in shown}
    print("  ".join(column.ljust(widths[column]) for column in shown) + "  details")
    for row in rows:
        print("  ".join(row[column].ljust(widths[column]) for column in shown) + "  " + row["details"])
    return EXIT_OK


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    audit = commands.add_parser("audit", help="the audit trail: who changed what, as what role, when")
    audit.add_argument("--since", help="first local day, YYYY-MM-DD")
    audit.add_argument("--until", help="last local day, YYYY-MM-DD")
    audit.add_argument("--entity", help="tracker_item, incident, dba_record, weekly_note, daily_rollups, ...")
    audit.add_argument("--actor", help="only this person's entries (as recorded)")
    audit.add_argument("--limit", type=int, default=1000, help="newest entries first, at most this many")
    audit.add_argument("--format", choices=("json", "table"), default="table")
    audit.set_defaults(handler=command_audit)
