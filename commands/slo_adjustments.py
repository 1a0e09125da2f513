"""SLO budget adjustment commands: ``slo-adjustments add`` (a window, or a recurring one, whose events count neither
as good nor as bad for the SLOs it covers), ``change`` (the fields given, on the version read: a change made
meanwhile is refused), ``list`` and ``remove`` (a soft delete: the row and its history stay).
Every write is in the audit trail under ``--as NAME`` (default: your login). The store is migrated first."""

from __future__ import annotations

import argparse
import json

from commands.common import EXIT_OK, CliError, cli_actor, load_cli_catalog, load_cli_settings, text_table


def _prepared(args: argparse.Namespace):
    from data.store import migrate

    settings = load_cli_settings(args)
    try:
        migrate(settings.database_url)
    except Exception as error:  # driver errors vary: name the store (a SecretUrl, shown masked)
        raise CliError(f"could not open the store {settings.database_url}: {type(error).__name__}") from None
    return settings


def _instant(option: str, text: str | None):
    from data.slo.service import parse_instant

    if not text:
        return None
    try:
        return parse_instant(text)
    except ValueError:
        raise CliError(f"{option} {text!r} is not an ISO 8601 instant like 2026-11-24T02:00:00Z") from None


def _duration(text: str | None):
    from metrics.slo.definitions import parse_duration

    if not text:
        return None
    try:
        return parse_duration(text)
    except ValueError as error:
        raise CliError(f"--duration: {error}") from None


def command_add(args: argparse.Namespace) -> int:
    from data.slo_adjustments.service import AdjustmentError, add_adjustment, scope_of
    from metrics.access import MissingName, PermissionDenied
    from metrics.slo.adjustments import describe_window

    settings = _prepared(args)
    catalog = load_cli_catalog(settings, []).slos
    try:
        scope = scope_of(args.slo or [], args.service or [], args.selector or "")
        stored = add_adjustment(
            settings,
            catalog,
            actor=cli_actor(args.actor),
            category=args.category,
            reason=args.reason,
            start=_instant("--start", args.start),
            end=_instant("--end", args.end),
            duration=_duration(args.duration),
            recurrence=args.rrule,
            scope=scope,
        )
    except (AdjustmentError, PermissionDenied, MissingName) as error:
        raise CliError(str(error)) from None
    print(
        f"entered adjustment {stored.id} ({stored.category.value}): {describe_window(stored)}, covering "
        f"{stored.scope.describe()}, by {stored.entered_by}"
    )
    return EXIT_OK


def command_change(args: argparse.Namespace) -> int:
    from data.slo_adjustments.service import KEPT, AdjustmentError, NotFound, StaleEdit, revise_adjustment
    from metrics.access import MissingName, PermissionDenied
    from metrics.slo.adjustments import describe_window

    given = {
        name: value
        for name, value in {
            "category": args.category,
            "reason": args.reason,
            "start": _instant("--start", args.start) if args.start is not None else None,
            "end": _instant("--end", args.end) if args.end is not None else None,
            "recurrence": args.rrule,
            "slos": args.slo,
            "services": args.service,
            "selector": args.selector,
        }.items()
        if value is not None
    }
    duration = _duration(args.duration)
    if not given and duration is None:
        raise CliError(
            "nothing to change: give at least one of --category, --reason, --start, --end, --duration, --rrule, "
            "--slo, --service, --selector"
        )
    if "start" in given and given["start"] is None:
        raise CliError("--start: give an ISO 8601 instant (the start cannot be empty)")
    if "end" in given and given["end"] is None:
        raise CliError("--end: give an ISO 8601 instant (the end cannot be empty)")
    settings = _prepared(args)
    catalog = load_cli_catalog(settings, []).slos
    try:
        stored = revise_adjustment(
            settings,
            catalog,
            actor=cli_actor(args.actor),
            adjustment_id=args.id,
            version=args.version,
            duration=duration,
            **{name: given.get(name, KEPT) for name in ("category", "reason", "start", "end", "recurrence")},
            **{name: given.get(name, KEPT) for name in ("slos", "services", "selector")},
        )
    except (AdjustmentError, NotFound, StaleEdit, PermissionDenied, MissingName) as error:
        raise CliError(str(error)) from None
    if stored.version == args.version:
        print(f"adjustment {stored.id} already holds these values (version {stored.version}): nothing was changed")
    else:
        print(
            f"changed adjustment {stored.id} (now version {stored.version}, {stored.category.value}): "
            f"{describe_window(stored)}, covering {stored.scope.describe()}"
        )
    return EXIT_OK


def command_list(args: argparse.Namespace) -> int:
    from data.slo_adjustments.service import adjustments
    from metrics.slo.adjustments import describe_window

    settings = _prepared(args)
    found = adjustments(settings, include_removed=args.all)
    if args.format == "json":
        rows = [
            {
                "id": a.id,
                "version": a.version,
                "category": a.category.value,
                "reason": a.reason,
                "start": a.start.isoformat(),
                "end": a.end.isoformat(),
                "recurrence": a.recurrence,
                "slos": list(a.scope.slos),
                "services": list(a.scope.services),
                "selector": a.scope.selector_text,
                "entered_by": a.entered_by,
                "entered_at": a.entered_at.isoformat(),
                "removed_at": None if a.removed_at is None else a.removed_at.isoformat(),
                "removed_by": a.removed_by,
            }
            for a in found
        ]
        print(json.dumps({"adjustments": rows}, indent=2))
    elif not found:
        print("no budget adjustments" + ("" if args.all else " in force (--all shows removed ones too)"))
    else:
        table = [
            [
                str(a.id),
                str(a.version),
                a.category.value,
                describe_window(a),
                a.scope.describe(),
                a.entered_by,
                f"removed by {a.removed_by}" if a.removed else "",
                a.reason[:50],
            ]
            for a in found
        ]
        print(text_table(["id", "version", "category", "window", "covers", "by", "state", "reason"], table))
    return EXIT_OK


def command_remove(args: argparse.Namespace) -> int:
    from data.slo_adjustments.service import NotFound, StaleEdit, withdraw_adjustment
    from metrics.access import MissingName, PermissionDenied

    settings = _prepared(args)
    try:
        removed = withdraw_adjustment(settings, actor=cli_actor(args.actor), adjustment_id=args.id)
    except (NotFound, StaleEdit, PermissionDenied, MissingName) as error:
        raise CliError(str(error)) from None
    print(
        f"removed adjustment {removed.id}: its events count again (the record stays, removed by {removed.removed_by})"
    )
    return EXIT_OK


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    from metrics.slo.adjustments import AdjustmentCategory

    adjustments = commands.add_parser(
        "slo-adjustments", help="SLO budget adjustments: windows whose events count neither as good nor as bad"
    )
    adjustments.add_argument("--catalog", help="OpenSLO file or directory (default: settings, config/slos)")
    actions = adjustments.add_subparsers(dest="action", required=True)

    add = actions.add_parser("add", help="enter an adjustment (editors only; at most 30 days in the past)")
    add.add_argument("--category", required=True, choices=[category.value for category in AdjustmentCategory])
    add.add_argument("--reason", required=True)
    add.add_argument("--start", required=True, help="ISO 8601 instant (naive means UTC)")
    window = add.add_mutually_exclusive_group(required=True)
    window.add_argument("--end", help="ISO 8601 instant: the (first) window's end")
    window.add_argument("--duration", help="the (first) window's length: 2h, 90m, 1d")
    add.add_argument("--rrule", help="repeat the window by an RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=SA")
    add.add_argument("--slo", action="append", help="an SLO it covers (repeatable)")
    add.add_argument("--service", action="append", help="every SLO of this service (repeatable)")
    add.add_argument("--selector", help="SLOs whose labels match: team=payments,tier!=3")
    add.add_argument("--as", dest="actor", help="name recorded in the audit trail (default: your login)")
    add.set_defaults(handler=command_add)

    change = actions.add_parser(
        "change",
        help="change an adjustment's fields on the version you read (editors only; the fields not given stay)",
    )
    change.add_argument("id", type=int)
    change.add_argument(
        "--version", type=int, required=True, help="the version you read (`list` shows it); a newer one is refused"
    )
    change.add_argument("--category", choices=[category.value for category in AdjustmentCategory])
    change.add_argument("--reason")
    change.add_argument("--start", help="ISO 8601 instant (naive means UTC); alone, it keeps the stored end")
    new_end = change.add_mutually_exclusive_group()
    new_end.add_argument("--end", help="ISO 8601 instant: the (first) window's end")
    new_end.add_argument("--duration", help="the (first) window's length from its (new or stored) start: 2h, 90m")
    change.add_argument("--rrule", help="a new RFC 5545 RRULE; --rrule '' makes it a one-off window")
    change.add_argument("--slo", action="append", help="replaces the SLOs it covers (repeatable; --slo '' clears)")
    change.add_argument("--service", action="append", help="replaces the services it covers (--service '' clears)")
    change.add_argument("--selector", help="replaces the label selector (--selector '' clears)")
    change.add_argument("--as", dest="actor", help="name recorded in the audit trail (default: your login)")
    change.set_defaults(handler=command_change)

    listing = actions.add_parser("list", help="the adjustments in force, newest window first")
    listing.add_argument("--all", action="store_true", help="removed ones too")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(handler=command_list)

    remove = actions.add_parser("remove", help="remove an adjustment (its events count again; the record stays)")
    remove.add_argument("id", type=int)
    remove.add_argument("--as", dest="actor", help="name recorded in the audit trail (default: your login)")
    remove.set_defaults(handler=command_remove)
