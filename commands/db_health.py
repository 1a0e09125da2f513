"""Database health commands: live checks (``db-health``), the capacity forecast from stored snapshots
(``db-health forecast``), snapshots for history (``collect db-health``) and DBA records (``db-records
add|withdraw|list``).

``db-health`` exits 0 when every check is ok or info, 1 when any is warn or critical, 2 when it could not run (bad
configuration, no DSN, the database unreachable). No DSN or password is ever printed: databases are named, a server
is shown as host:port/database at most, and every error line passes through ``data.secrets.redact``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from commands.common import (
    EXIT_ATTENTION,
    EXIT_FAILED,
    EXIT_OK,
    CliError,
    cli_actor,
    load_cli_settings,
    text_table,
)
from data.secrets import redact


def _load_config(settings, path: str | None):
    from data.databases import service

    config = service.load_config(settings, path)
    for problem in config.problems:
        print(f"databases.toml: {problem}", file=sys.stderr)
    if not config.found:
        raise CliError(f"no databases configured: {config.path} does not exist (see README: databases.toml)")
    return config


def _table(healths) -> str:
    """Per database: its status line, then its checks as a table, with what to look at and do under each check
    that is not ok; demo healths are named as such, under the note that says how to probe real ones."""
    from data.databases import service

    blocks = []
    for health in healths:
        rows = []
        for check in health.checks:
            rows.append([check.status, check.id, check.detail])
            if check.status != "ok":
                for item in check.items[:5]:
                    described = ", ".join(f"{k}={v}" for k, v in item.items() if v not in (None, "") and k != "status")
                    rows.append(["", "", f"- {described[:160]}"])
                if check.action:
                    rows.append(["", "", f"→ {check.action}"])
        demo = ", demo data" if service.is_demo(health) else ""
        title = f"{health.database} ({health.engine}{', ' + health.environment if health.environment else ''}{demo})"
        blocks.append(f"{title}: {health.status.upper()}\n" + text_table(["status", "check", "detail"], rows))
    if any(service.is_demo(h) for h in healths):
        blocks.append(service.DEMO_FLEET_NOTE)
    return "\n\n".join(blocks)


def _exit_code(healths, could_not_run: bool) -> int:
    from metrics.databases.checks import needs_attention

    if could_not_run:
        return EXIT_FAILED
    if any(needs_attention(c.status) for h in healths for c in h.checks):
        return EXIT_ATTENTION
    return EXIT_FAILED if any(h.error for h in healths) else EXIT_OK


def command_db_health(args: argparse.Namespace) -> int:
    from data.databases import service
    from data.databases.probes.common import ProbeError

    settings = load_cli_settings(args)
    one = bool(args.dsn or args.database)  # one database: its health alone (a server entry: all it found)
    if args.dsn:
        try:
            healths = [service.check_dsn(args.dsn, args.name or "adhoc", args.deadline or 10.0, settings.now())]
        except ProbeError as error:
            raise CliError(f"{args.name or 'the database'}: {error}") from None
    else:
        config = _load_config(settings, args.config)
        if args.database and config.database(args.database) is None:
            known = ", ".join(d.name for d in config.databases) or "none"
            raise CliError(f"no database named {args.database!r} in {config.path} (known: {known})")
        if not config.databases:
            raise CliError(f"no databases configured in {config.path}: add a [[database]] entry")
        healths = service.check_fleet(settings, config, args.deadline, names=[args.database] if args.database else None)
        one = one and not config.database(args.database).discover
    could_not_run = any(h.error for h in healths) if (args.database or args.dsn) else False
    if args.format == "json":
        payload = healths[0].to_dict() if one else {"databases": [h.to_dict() for h in healths]}
        print(json.dumps(payload, indent=2, default=str, allow_nan=False))
    else:
        print(_table(healths))
    _print_errors(healths)
    return _exit_code(healths, could_not_run)


def _print_errors(healths) -> None:
    for health in healths:
        if health.error:
            print(f"error: {health.database}: {redact(health.error)}", file=sys.stderr)


def _forecast_rows(forecasts, now) -> list[dict]:
    from metrics.databases.forecast import forecast_item

    rows = []
    for name, forecast in forecasts.items():
        for resource in forecast.resources:
            item = forecast_item(resource, forecast.status_of(resource), now)
            rows.append({"database": name, **item})
    return rows


def command_db_forecast(args: argparse.Namespace) -> int:
    """Days until each database's disk fills and each sequence runs out, from the stored snapshots (no probe)."""
    from data.databases import service
    from metrics.databases.checks import needs_attention, worst
    from metrics.databases.forecast import FORECAST_WINDOW_DAYS, days_text

    settings = load_cli_settings(args)
    config = _load_config(settings, args.config)
    if args.database and config.database(args.database) is None:
        known = ", ".join(d.name for d in config.databases) or "none"
        raise CliError(f"no database named {args.database!r} in {config.path} (known: {known})")
    now = settings.now()
    try:
        forecasts = service.capacity_forecasts(settings, config, [args.database] if args.database else None, now)
    except Exception as error:  # the store down or not migrated: one line, no URL
        raise CliError(f"the store cannot be read ({type(error).__name__}); run `cli.py migrate`") from None
    rows = _forecast_rows(forecasts, now)
    if args.format == "json":
        payload = {"at": now.isoformat(), "window_days": FORECAST_WINDOW_DAYS, "forecasts": rows}
        print(json.dumps(payload, indent=2, default=str, allow_nan=False))
    else:
        header = ["database", "status", "resource", "name", "snapshots", "runs out in", "runs out on", "outlook"]
        table = [
            [
                row["database"],
                row["status"],
                row["resource"],
                row["name"],
                str(row["snapshots"]),
                days_text(row["days_left"]),
                row["runs_out_on"] or "—",
                row["outlook"],
            ]
            for row in rows
        ]
        print(
            f"capacity forecast at {now.replace(microsecond=0).isoformat()}: least-squares line over the stored "
            f"snapshots of the last {FORECAST_WINDOW_DAYS} days"
        )
        print(text_table(header, table))
    return EXIT_ATTENTION if needs_attention(worst(row["status"] for row in rows)) else EXIT_OK


RANKING_WORDS = {"change": "the change in total time", "total": "total time", "calls": "calls", "mean": "mean time"}


def command_db_statements(args: argparse.Namespace) -> int:
    """One database's statements over a window against the window before, from the stored snapshots (no probe)."""
    from data.databases import service
    from metrics.databases.statements import WINDOWS, StatementRanking, change_row, format_milliseconds

    settings = load_cli_settings(args)
    config = _load_config(settings, args.config)
    if config.database(args.database) is None:
        known = ", ".join(d.name for d in config.databases) or "none"
        raise CliError(f"no database named {args.database!r} in {config.path} (known: {known})")
    now = settings.now()
    try:
        changes = service.statement_history(
            settings, args.database, WINDOWS[args.window], now, StatementRanking(args.by)
        )
    except Exception as error:  # the store down or not migrated: one line, no URL
        raise CliError(f"the store cannot be read ({type(error).__name__}); run `cli.py migrate`") from None
    rows = [change_row(change, args.window) for change in changes[: args.limit]]
    if args.format == "json":
        payload = {
            "database": args.database,
            "at": now.isoformat(),
            "window": args.window,
            "ranked_by": args.by,
            "statements": rows,
        }
        print(json.dumps(payload, indent=2, default=str, allow_nan=False))
        return EXIT_OK
    print(
        f"{args.database}: statements of the last {args.window} to {now.replace(microsecond=0).isoformat()}, "
        f"ranked by {RANKING_WORDS[args.by]}, against the {args.window} before (stored snapshots)"
    )
    if not rows:
        print("no statement ran in the window (collect db-health stores snapshots; two are needed)")
        return EXIT_OK
    header = ["#", "total time", "change in total", "calls", "mean", "mean time against before", "query"]
    table = [
        [
            str(rank),
            format_milliseconds(row["total_time_ms"]),
            ("+" if row["total_time_change_ms"] >= 0 else "−") + format_milliseconds(abs(row["total_time_change_ms"])),
            f"{row['calls']:,}",
            format_milliseconds(row["mean_time_ms"]),
            row["change"],
            row["query_text"][:80],
        ]
        for rank, row in enumerate(rows, start=1)
    ]
    print(text_table(header, table))
    return EXIT_OK


def command_collect_db_health(args: argparse.Namespace) -> int:
    from data.databases import service

    settings = load_cli_settings(args)
    config = _load_config(settings, args.config)
    if not config.databases:
        raise CliError(f"no databases configured in {config.path}: nothing to collect")
    collection = service.collect_snapshots(settings, config, actor=cli_actor(), deadline_s=args.deadline)
    print(
        f"stored {collection.stored} database snapshot(s) at {collection.at.replace(microsecond=0).isoformat()} "
        f"({collection.answered} of {collection.total} database(s) answered)"
        + (f"; {collection.demo_left_out} demo database(s) not stored" if collection.demo_left_out else "")
    )
    _print_errors(collection.healths)
    return EXIT_OK if collection.complete else EXIT_FAILED


def command_db_records_add(args: argparse.Namespace) -> int:
    from data.databases import service
    from metrics.databases.records import RecordError

    settings = load_cli_settings(args)
    config = _load_config(settings, args.config)
    try:
        done_on = date.fromisoformat(args.date) if args.date else settings.now().date()
    except ValueError:
        raise CliError(f"--date {args.date!r} is not a date like 2026-11-24") from None
    try:
        record = service.add_record(
            settings,
            config,
            actor=cli_actor(),
            database=args.database,
            kind=args.kind,
            done_on=done_on,
            recorded_by=args.by,
            outcome=args.outcome,
            notes=args.notes or "",
            link=args.link or "",
        )
    except RecordError as error:
        raise CliError(str(error)) from None
    print(f"recorded {record.kind} for {record.database} on {record.done_on.isoformat()} by {record.recorded_by}")
    return EXIT_OK


def command_db_records_withdraw(args: argparse.Namespace) -> int:
    from data.databases import service
    from metrics.databases.records import RecordError

    settings = load_cli_settings(args)
    try:
        record = service.withdraw_record(settings, actor=cli_actor(), record_id=args.id, reason=args.reason)
    except RecordError as error:
        raise CliError(str(error)) from None
    print(
        f"withdrew record {record.id} ({record.kind} for {record.database} on {record.done_on.isoformat()}); "
        "it stays in the history"
    )
    return EXIT_OK


def command_db_records_list(args: argparse.Namespace) -> int:
    from data.databases import service

    settings = load_cli_settings(args)
    rows = [
        {
            "id": r.id,
            "database": r.database,
            "kind": r.kind,
            "done_on": r.done_on.isoformat(),
            "by": r.recorded_by,
            "outcome": r.outcome,
            "notes": r.notes,
            "link": r.link,
            "recorded_at": None if r.recorded_at is None else r.recorded_at.isoformat(),
            "withdrawn": None
            if not r.withdrawn
            else {"at": r.withdrawn_at.isoformat(), "by": r.withdrawn_by, "reason": r.withdrawal_reason},
        }
        for r in service.records(settings, args.database)
    ]
    if args.format == "json":
        print(json.dumps({"records": rows}, indent=2))
    elif rows:
        header = ["id", "done on", "database", "kind", "outcome", "by", "notes", "withdrawn"]
        table = [
            [
                str(row["id"]),
                row["done_on"],
                row["database"],
                row["kind"],
                row["outcome"],
                row["by"],
                row["notes"][:60],
                "" if row["withdrawn"] is None else f"by {row['withdrawn']['by']}: {row['withdrawn']['reason'][:40]}",
            ]
            for row in rows
        ]
        print(text_table(header, table))
    return EXIT_OK


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    from metrics.databases.checks import RECORD_KINDS
    from metrics.databases.records import RECORD_OUTCOMES

    health = commands.add_parser("db-health", help="live health checks of one database or the whole fleet")
    target = health.add_mutually_exclusive_group()
    target.add_argument("--database", help="a database named in databases.toml (default: every one)")
    target.add_argument(
        "--dsn",
        help="probe this DSN directly (postgresql://... or mysql://...) with default "
        "thresholds; prefer DB_DSN_<NAME> over passwords on the command line",
    )
    health.add_argument("--name", help="the name to report with --dsn")
    health.add_argument("--config", help="databases.toml (default: settings, config/databases.toml)")
    health.add_argument("--deadline", type=float, help="seconds the whole probe may take (default: [probe])")
    health.add_argument("--format", choices=("json", "table"), default="table")
    health.set_defaults(handler=command_db_health)
    health_actions = health.add_subparsers(dest="action", required=False)
    forecast = health_actions.add_parser(
        "forecast", help="days until each database's disk fills and each sequence runs out (stored snapshots)"
    )
    forecast.add_argument("--database", help="a database named in databases.toml (default: every one)")
    forecast.add_argument("--config", help="databases.toml (default: settings, config/databases.toml)")
    forecast.add_argument("--format", choices=("json", "table"), default="table")
    forecast.set_defaults(handler=command_db_forecast)
    statements = health_actions.add_parser(
        "statements", help="one database's statements over a window against the one before (stored snapshots)"
    )
    statements.add_argument("--database", required=True, help="a database named in databases.toml")
    statements.add_argument("--window", choices=("1d", "7d", "30d"), default="7d")
    statements.add_argument("--limit", type=int, default=50, help="statements shown (default: 50)")
    statements.add_argument(
        "--by",
        choices=tuple(RANKING_WORDS),
        default="change",
        help="rank by the change in total time (default), total time, calls or mean time",
    )
    statements.add_argument("--config", help="databases.toml (default: settings, config/databases.toml)")
    statements.add_argument("--format", choices=("json", "table"), default="table")
    statements.set_defaults(handler=command_db_statements)

    collect = collect_kinds.add_parser("db-health", help="store a snapshot of every database's numbers")
    collect.add_argument("--config", help="databases.toml (default: settings)")
    collect.add_argument("--deadline", type=float)
    collect.set_defaults(handler=command_collect_db_health)

    records = commands.add_parser("db-records", help="DBA records: backups verified, drills, failover tests...")
    actions = records.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a record (a new row; nothing is overwritten)")
    add.add_argument("--database", required=True)
    add.add_argument("--kind", required=True, choices=RECORD_KINDS)
    add.add_argument("--date", help="when it was done, YYYY-MM-DD (default: today)")
    add.add_argument("--by", required=True, help="who did it")
    add.add_argument("--outcome", choices=RECORD_OUTCOMES, default="ok")
    add.add_argument("--notes")
    add.add_argument("--link")
    add.add_argument("--config")
    add.set_defaults(handler=command_db_records_add)
    withdraw = actions.add_parser("withdraw", help="withdraw a mistaken record (kept, marked, no longer counted)")
    withdraw.add_argument("--id", type=int, required=True, help="the record's id (db-records list shows it)")
    withdraw.add_argument("--reason", required=True, help="why, e.g. 'entered for the wrong database'")
    withdraw.set_defaults(handler=command_db_records_withdraw)
    listing = actions.add_parser("list", help="every record, newest first")
    listing.add_argument("--database")
    listing.add_argument("--format", choices=("json", "table"), default="table")
    listing.set_defaults(handler=command_db_records_list)
