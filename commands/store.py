"""Store and demo commands: schema migrations and the demo history as OpenMetrics."""

from __future__ import annotations

import argparse
import sys

from commands.common import EXIT_ATTENTION, EXIT_OK, CliError, load_cli_settings, parse_cli_instant


def command_migrate(args: argparse.Namespace) -> int:
    from data.store import migrate

    settings = load_cli_settings(args)
    try:
        migrate(settings.database_url)
    except Exception as error:  # the store's driver errors vary; the URL shows masked (a SecretUrl)
        from sqlalchemy.exc import OperationalError

        from data.secrets import UrlError

        reason = (
            "cannot connect: check DATABASE_URL and that the server runs"
            if isinstance(error, OperationalError)
            else str(error)
            if isinstance(error, UrlError)
            else type(error).__name__
        )
        raise CliError(f"could not migrate the store {settings.database_url}: {reason}") from None
    print("store is at the latest schema")
    return EXIT_OK


def command_store_check(args: argparse.Namespace) -> int:
    """Exit 1 when a guard is missing, a review lost its item, or ids skip where only a removal explains it."""
    from data.store import engine_for, migrate
    from data.store.integrity import check_store

    settings = load_cli_settings(args)
    try:
        migrate(settings.database_url)
    except Exception as error:  # driver errors vary: name the store (a SecretUrl, shown masked)
        raise CliError(f"could not open the store {settings.database_url}: {type(error).__name__}") from None
    check = check_store(engine_for(settings.database_url))
    print(store_check_text(check))
    return EXIT_OK if check.healthy else EXIT_ATTENTION


def store_check_text(check) -> str:
    from metrics.store.integrity import gap_text

    lines = [f"store check ({check.engine})"]
    lines.append(
        "append-only guards: all in place"
        if not check.missing_guards
        else f"append-only guards MISSING: {', '.join(check.missing_guards)} (run `cli.py migrate`, or restore them)"
    )
    lines.append(
        "reviews: every review belongs to an item"
        if not check.orphan_reviews
        else f"reviews WITHOUT their item: {', '.join(f'#{i}' for i in check.orphan_reviews)}"
    )
    for table, gaps in check.gaps.items():
        if not gaps:
            lines.append(f"{table}: no ids missing")
        elif check.gaps_are_conclusive:
            lines.append(f"{table}: ids MISSING (rows were removed): {gap_text(gaps)}")
        else:
            lines.append(
                f"{table}: ids skipped: {gap_text(gaps)} (on {check.engine} a refused write also skips an id; "
                "compare with a backup)"
            )
    lines.append("result: " + ("ok" if check.healthy else "problems found"))
    return "\n".join(lines)


def command_demo_openmetrics(args: argparse.Namespace) -> int:
    from data.slo.demo import generate_history, write_openmetrics

    end = parse_cli_instant(args.end)
    history = generate_history(end, args.days)
    with open(args.output, "w", encoding="utf-8") as out:
        samples = write_openmetrics(history, out)
    print(
        f"wrote {samples} samples from {history.start.isoformat()} to {history.end.isoformat()} into {args.output}",
        file=sys.stderr,
    )
    return EXIT_OK


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    migrate = commands.add_parser("migrate", help="bring the store to the latest schema")
    migrate.set_defaults(handler=command_migrate)

    store = commands.add_parser("store", help="the store's integrity")
    store_actions = store.add_subparsers(dest="action", required=True)
    check = store_actions.add_parser(
        "check", help="append-only guards in place, no orphan reviews, no ids missing from the history"
    )
    check.set_defaults(handler=command_store_check)

    demo = commands.add_parser("demo-openmetrics", help="write the demo history as OpenMetrics text")
    demo.add_argument("--end", required=True, help="end of the history, ISO 8601")
    demo.add_argument("--days", type=int, default=35)
    demo.add_argument("--output", required=True)
    demo.set_defaults(handler=command_demo_openmetrics)
