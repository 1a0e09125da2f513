"""Command line over the same code as the pages: every figure on a page can be reproduced from here.

Exit codes: 0 all good, 1 a report found something that needs attention (where a command says so),
2 bad input or a source that could not answer. Errors are one readable line each, never a traceback.
Each area's subcommands live in ``commands/``; add a module there and list it in ``COMMAND_MODULES``.
"""

from __future__ import annotations

import argparse
import os
import sys

from commands import (
    alerts,
    audit,
    db_health,
    incidents,
    rollups,
    slo,
    slo_adjustments,
    slo_annotations,
    slo_deploys,
    slo_import,
    slo_policy,
    slo_reviews,
    slo_rules,
    store,
    tracker,
    weekly_report,
)
from commands.common import EXIT_FAILED, EXIT_OK, CliError

COMMAND_MODULES = (
    slo,
    slo_rules,
    store,
    db_health,
    rollups,
    incidents,
    alerts,
    tracker,
    weekly_report,
    audit,
    slo_import,
    slo_reviews,
    slo_policy,
    slo_annotations,
    slo_adjustments,
    slo_deploys,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cli.py", description="Reliability Dashboard command line")
    commands = parser.add_subparsers(dest="command", required=True)
    collect = commands.add_parser("collect", help="store snapshots (run from cron)")
    collect_kinds = collect.add_subparsers(dest="kind", required=True)
    for module in COMMAND_MODULES:
        module.register(commands, collect_kinds)
    return parser


def main(argv: list[str] | None = None) -> int:
    from data.secrets import install_log_redaction, redact

    install_log_redaction()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except CliError as error:
        print(f"error: {redact(error)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED
    except BrokenPipeError:  # the reader (head, less) went away: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        return EXIT_OK
    except Exception as error:  # last line of defence: one line, no traceback, no secrets
        print(f"error: {redact(_unexpected(error))}", file=sys.stderr)
        return EXIT_FAILED


def _unexpected(error: Exception) -> str:
    """A store error names the driver's own first line (never SQLAlchemy's, which quotes the statement and its
    values) and says that nothing of the write was stored; anything else only its kind."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from data.secrets import UrlError
    from metrics.access import MissingName, PermissionDenied

    if isinstance(error, (UrlError, MissingName, PermissionDenied)):  # each says what is wrong and what was kept
        return str(error)
    if isinstance(error, DBAPIError):
        original = error.orig if error.orig is not None else error
        detail = (str(original).strip().splitlines() or [type(original).__name__])[0][:300]
        return (
            f"the store refused a write ({type(original).__name__}: {detail}); each write is one "
            "transaction, so nothing of the refused one was stored"
        )
    if isinstance(error, SQLAlchemyError):
        return f"the store could not be used ({type(error).__name__}); nothing was stored. Check DATABASE_URL"
    return f"unexpected {type(error).__name__}; check the settings and try again, or report it"


if __name__ == "__main__":
    sys.exit(main())
