"""SLO review commands: ``slo-reviews list`` (each SLO's state and due date; exit 1 when any review is overdue),
``slo-reviews record`` (a new review, never overwriting one) and ``slo-reviews history`` (one SLO's reviews).
Every command brings the store to the latest schema first."""

from __future__ import annotations

import argparse
import json

from commands.common import (
    EXIT_ATTENTION,
    EXIT_OK,
    CliError,
    cli_actor,
    load_cli_catalog,
    load_cli_settings,
    parse_cli_instant,
    text_table,
)


def _prepared(args: argparse.Namespace):
    """(settings, the catalog's SLOs) with the store migrated."""
    from data.store import migrate

    settings = load_cli_settings(args)
    try:
        migrate(settings.database_url)
    except Exception as error:  # driver errors vary: name the store (a SecretUrl, shown masked)
        raise CliError(f"could not open the store {settings.database_url}: {type(error).__name__}") from None
    return settings, load_cli_catalog(settings, []).slos


def _day(moment) -> str:
    return "" if moment is None else moment.date().isoformat()


def command_list(args: argparse.Namespace) -> int:
    from data.slo_reviews.service import review_statuses
    from metrics.slo_reviews.rules import ReviewState, format_cadence

    settings, slos = _prepared(args)
    at = parse_cli_instant(args.at, settings)
    statuses = review_statuses(settings, slos, at)
    rows = [
        {
            "slo": s.slo,
            "service": s.service,
            "state": s.state.value,
            "cadence_days": s.cadence.days,
            "last_review": None if s.last_review is None else s.last_review.reviewed_at.isoformat(),
            "last_outcome": None if s.last_review is None else s.last_review.outcome.value,
            "reviewer": None if s.last_review is None else s.last_review.reviewer,
            "next_due": None if s.next_due is None else s.next_due.isoformat(),
            "days_until_due": s.days_until_due,
        }
        for s in statuses
    ]
    overdue = sum(s.state is ReviewState.OVERDUE for s in statuses)
    if args.format == "json":
        print(json.dumps({"at": at.isoformat(), "overdue": overdue, "slos": rows}, indent=2))
    else:
        print(f"SLO reviews at {at.isoformat()}: {overdue} overdue of {len(statuses)}")
        if statuses:
            table = [
                [
                    s.state.badge,
                    s.slo,
                    s.service,
                    format_cadence(s.cadence),
                    _day(s.last_review.reviewed_at) if s.last_review else "never",
                    s.last_review.outcome.label if s.last_review else "",
                    _day(s.next_due) or "not yet seen",
                ]
                for s in statuses
            ]
            print(text_table(["state", "slo", "service", "every", "last review", "outcome", "next due"], table))
    return EXIT_ATTENTION if overdue else EXIT_OK


def command_record(args: argparse.Namespace) -> int:
    from data.slo_reviews.service import AlreadyRecorded, record_review
    from metrics.formatting import format_target
    from metrics.slo_reviews.rules import ReviewError

    settings, slos = _prepared(args)
    try:
        review = record_review(
            settings, slos, actor=cli_actor(args.by), slo=args.slo, outcome=args.outcome, notes=args.notes or ""
        )
    except (ReviewError, AlreadyRecorded) as error:
        raise CliError(str(error)) from None
    when = review.reviewed_at.replace(microsecond=0).isoformat()
    print(
        f"recorded review {review.id} of {review.slo}: {review.outcome.label} at target "
        f"{format_target(review.target)} by {review.reviewer} on {when}"
    )
    return EXIT_OK


def command_history(args: argparse.Namespace) -> int:
    from data.slo_reviews.service import review_history
    from metrics.formatting import format_target

    settings, _ = _prepared(args)
    reviews = review_history(settings, args.slo)
    if args.format == "json":
        print(
            json.dumps(
                {
                    "slo": args.slo,
                    "reviews": [
                        {
                            "id": r.id,
                            "reviewed_at": r.reviewed_at.isoformat(),
                            "reviewer": r.reviewer,
                            "outcome": r.outcome.value,
                            "target": r.target,
                            "notes": r.notes,
                        }
                        for r in reviews
                    ],
                },
                indent=2,
            )
        )
    elif not reviews:
        print(f"{args.slo} has never been reviewed")
    else:
        table = [
            [str(r.id), _day(r.reviewed_at), r.reviewer, r.outcome.label, format_target(r.target), r.notes[:60]]
            for r in reviews
        ]
        print(text_table(["id", "reviewed", "by", "outcome", "target", "notes"], table))
    return EXIT_OK


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    from metrics.slo_reviews.rules import ReviewOutcome

    reviews = commands.add_parser("slo-reviews", help="SLO reviews: states and due dates, record a review")
    reviews.add_argument("--catalog", help="OpenSLO file or directory (default: settings, config/slos)")
    actions = reviews.add_subparsers(dest="action", required=True)

    listing = actions.add_parser("list", help="every SLO's review state and due date, overdue first (exit 1: overdue)")
    listing.add_argument("--at", help="evaluation instant, ISO 8601 (default: now)")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(handler=command_list)

    record = actions.add_parser("record", help="record a review (a new row; nothing is overwritten)")
    record.add_argument("--slo", required=True)
    record.add_argument("--outcome", required=True, choices=[outcome.value for outcome in ReviewOutcome])
    record.add_argument("--notes", help="what was looked at; required for any outcome but keep")
    record.add_argument("--by", required=True, help="who reviewed it (recorded as the reviewer)")
    record.set_defaults(handler=command_record)

    history = actions.add_parser("history", help="one SLO's reviews, newest first")
    history.add_argument("--slo", required=True)
    history.add_argument("--format", choices=("table", "json"), default="table")
    history.set_defaults(handler=command_history)
