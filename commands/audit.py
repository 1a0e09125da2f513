"""``audit``: the audit trail from the command line, the same rows as the Audit trail page."""

from __future__ import annotations

import argparse
import json

from commands.common import EXIT_OK, CliError, load_cli_settings, parse_cli_date, text_table


def command_audit(args: argparse.Namespace) -> int:
    from data.audit.service import audit_listing, local_day_bounds
    from data.store import engine_for, migrate
    from metrics.audit.rows import AUDIT_COLUMNS

    settings = load_cli_settings(args)
    since, until = parse_cli_date(args.since, "--since"), parse_cli_date(args.until, "--until")
    start, end = local_day_bounds(since, until, settings.team_timezone)
    try:
        migrate(settings.database_url)
        engine = engine_for(settings.database_url)
    except Exception as error:  # driver errors vary: name the store (a SecretUrl, shown masked)
        raise CliError(f"could not open the store {settings.database_url}: {type(error).__name__}") from None
    try:
        listing = audit_listing(
            engine,
            settings.team_timezone,
            since=start,
            until=end,
            entity=args.entity,
            actor=args.actor,
            limit=args.limit,
        )
    finally:
        engine.dispose()
    if args.format == "json":
        print(
            json.dumps(
                {
                    "time_zone": settings.team_timezone,
                    "entries": [
                        {**row, "details": entry["details"]} for row, entry in zip(listing.rows, listing.entries)
                    ],
                },
                indent=2,
                default=str,
            )
        )
        return EXIT_OK
    if not listing.rows:
        print("no audit entries match")
        return EXIT_OK
    print(text_table(list(AUDIT_COLUMNS), [[row[column] for column in AUDIT_COLUMNS] for row in listing.rows]))
    return EXIT_OK


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    audit = commands.add_parser("audit", help="the audit trail: who changed what, as what role, when")
    audit.add_argument("--since", help="first local day, YYYY-MM-DD")
    audit.add_argument("--until", help="last local day, YYYY-MM-DD")
    audit.add_argument(
        "--entity",
        help="tracker_item, incident, dba_record, weekly_note, daily_rollups, slo_adjustment, slo_deploy, ...",
    )
    audit.add_argument("--actor", help="only this person's entries (as recorded)")
    audit.add_argument("--limit", type=int, default=1000, help="newest entries first, at most this many")
    audit.add_argument("--format", choices=("json", "table"), default="table")
    audit.set_defaults(handler=command_audit)
