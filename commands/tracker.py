"""Revisit tracker commands: export, import, the due list, and the demo items.

``tracker due`` only reads: it says which items are due at ``--at`` and why, without storing anything (the page's
revisit check is what marks items due). Every command brings the store to the latest schema first.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from commands.common import (
    EXIT_FAILED,
    EXIT_OK,
    CliError,
    cli_actor,
    cli_source,
    load_cli_catalog,
    load_cli_settings,
    parse_cli_instant,
    source_options,
)


def _engine(settings):
    from data.store import engine_for, migrate

    try:
        migrate(settings.database_url)
    except Exception as error:  # driver errors vary: name the store (a SecretUrl, shown masked)
        raise CliError(f"could not open the store {settings.database_url}: {type(error).__name__}") from None
    return engine_for(settings.database_url)


def _actor(args: argparse.Namespace):
    return cli_actor(getattr(args, "actor", None))


def _known(settings):
    from data.slo.catalog import CatalogError, load_catalog
    from data.tracker.signals import known_database_names, known_names

    try:
        catalog = load_catalog(settings.catalog_path)
    except CatalogError:
        catalog = None
    slos = [slo.name for slo in catalog.slos] if catalog else []
    services = catalog.service_names() if catalog else []
    return known_names(slos, services, known_database_names(settings.databases_path))


def command_export(args: argparse.Namespace) -> int:
    from data.tracker.transfer import export_items

    settings = load_cli_settings(args)
    engine = _engine(settings)
    try:
        text = export_items(engine, args.format)
    finally:
        engine.dispose()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def command_import(args: argparse.Namespace) -> int:
    from data.tracker.transfer import ImportFailed, detect_format, import_items
    from metrics.import_limits import import_size_problem

    settings = load_cli_settings(args)
    try:
        too_large = import_size_problem(Path(args.file).stat().st_size, args.file)
        if too_large:
            raise CliError(f"--file {too_large}; nothing was imported")
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CliError(f"--file {args.file}: no such file") from None
    except UnicodeDecodeError:
        raise CliError(f"--file {args.file}: not UTF-8 text") from None
    except OSError as error:
        raise CliError(f"--file {args.file}: {error.strerror}") from None
    import_format = args.format or detect_format(args.file, text)
    engine = _engine(settings)
    try:
        ids = import_items(engine, text, import_format, known=_known(settings), actor=_actor(args), now=settings.now())
    except ImportFailed as failure:
        for line in failure.lines():
            print(f"error: {line}", file=sys.stderr)
        print(f"error: nothing imported from {args.file} ({len(failure.problems)} problem(s))", file=sys.stderr)
        return EXIT_FAILED
    finally:
        engine.dispose()
    print(f"imported {len(ids)} item(s) from {args.file}")
    return EXIT_OK


def _due_entries(args: argparse.Namespace, engine):
    """The due queue at ``--at`` (default now), read from the same sources as the pages."""
    from data.slo.service import load_report
    from data.tracker.signals import due_queue, probe_reading_provider, tracker_readings, wanted_databases
    from data.tracker.store import list_items
    from metrics.tracker.rules import team_today

    settings = load_cli_settings(args)
    at = parse_cli_instant(args.at) if args.at else settings.now()
    catalog = load_cli_catalog(settings, [])
    items = list_items(engine)
    report = load_report(cli_source(settings, at), catalog.slos, at) if catalog.slos else None
    readings = tracker_readings(
        report, at, wanted_databases=wanted_databases(items), database_readings=probe_reading_provider(settings)
    )
    return due_queue(items, readings, team_today(at, settings.team_timezone)), readings, report, at


def command_due(args: argparse.Namespace) -> int:
    engine = _engine(load_cli_settings(args))
    try:
        entries, readings, report, at = _due_entries(args, engine)
    finally:
        engine.dispose()
    if args.format == "json":
        payload = {
            "at": at.isoformat(),
            "slo_source": readings.slo_source,
            "database_source": readings.database_source,
            "due": [entry.to_dict() for entry in entries],
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(_due_table(entries, at))
    if report is not None:
        for message in report.errors.values():
            print(f"warning: SLO triggers read no data: {message}", file=sys.stderr)
    return EXIT_OK


def command_collect_tracker_due(args: argparse.Namespace) -> int:
    """Store "due" on parked items whose date or trigger has come, so the queue is right even if nobody opened
    the tracker page: the dashboard, not anyone's memory, says when an item has come due."""
    from data.tracker.signals import mark_due_items

    engine = _engine(load_cli_settings(args))
    try:
        entries, _, report, at = _due_entries(args, engine)
        marked = mark_due_items(engine, entries, at)
    finally:
        engine.dispose()
    print(f"{len(marked)} item(s) came due" + (f": {', '.join(f'#{i}' for i in marked)}" if marked else ""))
    if report is not None:
        for message in report.errors.values():
            print(f"warning: SLO triggers read no data: {message}", file=sys.stderr)
    return EXIT_OK


def _due_table(entries, at) -> str:
    from metrics.tracker.rules import priority

    header = ["id", "priority", "role", "state", "title", "why due"]
    rows = [header]
    for entry in entries:
        item = entry.item
        reasons = " | ".join(reason.text for reason in entry.reasons)
        title = item.title if len(item.title) <= 60 else item.title[:59] + "…"
        rows.append([str(item.id), priority(item.impact, item.urgency), item.owner_role, item.state, title, reasons])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = [
        "  ".join([*(cell.ljust(width) for cell, width in zip(row[:-1], widths)), row[-1]]).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in [*widths, len(header[-1])]))
    title = f"Tracker items due at {at.isoformat()}: {len(entries)}"
    return title + ("\n" + "\n".join(lines) if entries else "\nnothing is due")


def command_seed_demo(args: argparse.Namespace) -> int:
    from data.tracker.demo import seed_demo_items

    settings = load_cli_settings(args)
    engine = _engine(settings)
    try:
        count = seed_demo_items(engine, actor=_actor(args), now=settings.now(), team_timezone=settings.team_timezone)
    finally:
        engine.dispose()
    print(f"stored {count} demo items" if count else "the store already has tracker items: left as it is")
    return EXIT_OK


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    tracker = commands.add_parser("tracker", help="revisit tracker: export, import, due items, demo items")
    actions = tracker.add_subparsers(dest="tracker_command", required=True)

    export = actions.add_parser("export", help="every item as CSV or JSON (the import format)")
    export.add_argument("--format", choices=("csv", "json"), required=True)
    export.add_argument("--output", help="write to this file instead of standard output")
    export.set_defaults(handler=command_export)

    importing = actions.add_parser("import", help="add items from a CSV or JSON export; all rows or none")
    importing.add_argument("--file", required=True)
    importing.add_argument("--format", choices=("csv", "json"), help="default: from the file name or content")
    importing.add_argument("--as", dest="actor", help="name recorded in the audit trail (default: your login)")
    importing.set_defaults(handler=command_import)

    due = actions.add_parser("due", help="items due for revisit and why (reads only)")
    source_options(due)
    due.add_argument("--format", choices=("json", "table"), default="table")
    due.set_defaults(handler=command_due)

    collect_due = collect_kinds.add_parser("tracker-due", help="mark parked items due whose date or trigger came")
    source_options(collect_due)
    collect_due.set_defaults(handler=command_collect_tracker_due)

    seed = actions.add_parser("seed-demo", help="store a dozen demo items with review histories (empty store only)")
    seed.set_defaults(handler=command_seed_demo)
