"""Store and demo commands: schema migrations and the demo history as OpenMetrics."""

from __future__ import annotations

import argparse
import sys

from commands.common import EXIT_OK, CliError, load_cli_settings, parse_cli_instant


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

    demo = commands.add_parser("demo-openmetrics", help="write the demo history as OpenMetrics text")
    demo.add_argument("--end", required=True, help="end of the history, ISO 8601")
    demo.add_argument("--days", type=int, default=35)
    demo.add_argument("--output", required=True)
    demo.set_defaults(handler=command_demo_openmetrics)
