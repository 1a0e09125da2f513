"""Revisit tracker commands: export, import, the due list, and the demo items.

``tracker due`` only reads: it says which items are due at ``--at`` and why, without storing anything (the revisit
check marks items due: the tracker page runs it on every view, ``collect tracker-due`` on a schedule; both call
``data.tracker.service.check_revisits``). Every command brings the store to the latest schema first.
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
    load_cli_catalog,
    load_cli_settings,
    parse_cli_instant,
    source_options,
    text_table,
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
    from data.tracker.service import link_names

    try:
        catalog = load_catalog(settings.catalog_path)
    except CatalogError:
        catalog = None
    return link_names(settings, catalog)


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
    from data.tracker.transfer import ImportFailed, decode_import, detect_format, import_items
    from metrics.import_limits import import_size_problem

    settings = load_cli_settings(args)
    try:
        too_large = import_size_problem(Path(args.file).stat().st_size, args.file)
        if too_large:
            raise CliError(f"--file {too_large}; nothing was imported")
        text = decode_import(Path(args.file).read_bytes())
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


def _due_queue(args: argparse.Namespace, engine, *, mark: bool):
    """The due queue at ``--at`` (default now), read from the same sources as the pages; with ``mark``, the
    revisit check the page runs (items whose date or trigger came are stored as due)."""
    from data.tracker.service import check_revisits, read_due_queue, source_readings_for
    from metrics.tracker.rules import team_today

    settings = load_cli_settings(args)
    at = parse_cli_instant(args.at, settings)
    readings_for = source_readings_for(settings, load_cli_catalog(settings, []).slos, at)
    today = team_today(at, settings.team_timezone)
    if mark:
        queue, marked = check_revisits(engine, readings_for, today, at)
    else:
        queue, marked = read_due_queue(engine, readings_for, today), []
    return queue, marked, at


def _warn_unread(readings) -> None:
    for message in readings.slo_errors:
        print(f"warning: SLO triggers read no data: {message}", file=sys.stderr)
    if readings.database_error:
        print(f"warning: database triggers read no data: {readings.database_error}", file=sys.stderr)


def command_due(args: argparse.Namespace) -> int:
    engine = _engine(load_cli_settings(args))
    try:
        queue, _, at = _due_queue(args, engine, mark=False)
    finally:
        engine.dispose()
    if args.format == "json":
        payload = {
            "at": at.isoformat(),
            "slo_source": queue.readings.slo_source,
            "database_source": queue.readings.database_source,
            "due": [entry.to_dict() for entry in queue.entries],
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(_due_table(queue.entries, at))
    _warn_unread(queue.readings)
    return EXIT_OK


def command_collect_tracker_due(args: argparse.Namespace) -> int:
    """Store "due" on parked items whose date or trigger has come, so the queue is right even if nobody opened
    the tracker page: the dashboard, not anyone's memory, says when an item has come due."""
    engine = _engine(load_cli_settings(args))
    try:
        queue, marked, _ = _due_queue(args, engine, mark=True)
    finally:
        engine.dispose()
    print(f"{len(marked)} item(s) came due" + (f": {', '.join(f'#{i}' for i in marked)}" if marked else ""))
    _warn_unread(queue.readings)
    return EXIT_OK


def _due_table(entries, at) -> str:
    from metrics.tracker.rules import priority

    title = f"Tracker items due at {at.isoformat()}: {len(entries)}"
    if not entries:
        return title + "\nnothing is due"
    rows = []
    for entry in entries:
        item = entry.item
        reasons = " | ".join(reason.text for reason in entry.reasons)
        title_text = item.title if len(item.title) <= 60 else item.title[:59] + "…"
        rows.append(
            [str(item.id), priority(item.impact, item.urgency), item.owner_role, item.state, title_text, reasons]
        )
    return title + "\n" + text_table(["id", "priority", "role", "state", "title", "why due"], rows)


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
