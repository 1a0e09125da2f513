"""``weekly-report``: the weekly review page's document (Markdown or self-contained HTML) for one ISO week."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from commands.common import EXIT_OK, CliError, load_cli_catalog, load_cli_settings


def command_weekly_report(args: argparse.Namespace) -> int:
    from data.store import engine_for, migrate
    from data.weekly.service import export_document, load_weekly_review
    from metrics.weekly.review import last_complete_week

    settings = load_cli_settings(args)
    catalog = load_cli_catalog(settings, [])
    week = args.week or last_complete_week(settings.now(), settings.team_timezone)
    migrate(settings.database_url)
    engine = engine_for(settings.database_url)
    try:
        review = load_weekly_review(settings, catalog.slos, engine, week)
    except ValueError as error:
        raise CliError(f"--week {week!r}: {error}") from None
    finally:
        engine.dispose()
    document = export_document(review, args.format)
    if args.output:
        try:
            Path(args.output).write_text(document, encoding="utf-8")
        except OSError as error:
            raise CliError(f"--output {args.output}: {error.strerror or error}") from None
        print(f"weekly review {review.week} ({args.format}) written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(document)
    return EXIT_OK


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    report = commands.add_parser("weekly-report", help="the weekly review as Markdown or self-contained HTML")
    report.add_argument("--week", help="ISO week like 2026-W47 (default: the last complete week)")
    report.add_argument("--format", choices=("markdown", "html"), default="markdown")
    report.add_argument("--output", help="write to this file instead of standard output")
    report.add_argument("--catalog", help="OpenSLO file or directory (default: settings)")
    report.add_argument("--demo", action="store_true", help="the demo's history, computed in memory")
    report.set_defaults(handler=command_weekly_report)
