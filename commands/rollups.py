"""Rollup commands: ``collect rollups`` (daily history into the store, from cron) and ``trends`` (every figure of
the trends page, as JSON or a table)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from difflib import get_close_matches

from commands.common import (
    EXIT_ATTENTION,
    EXIT_FAILED,
    EXIT_OK,
    CliError,
    cli_actor,
    load_cli_catalog,
    load_cli_settings,
    parse_cli_date,
    text_table,
)

COLLECT_COMMAND = "python cli.py collect rollups"


def _progress_bar(done: int, todo: int, day: date) -> None:
    if not sys.stderr.isatty():
        return
    width = 30
    filled = width * done // max(todo, 1)
    sys.stderr.write(f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{todo} days, up to {day.isoformat()}")
    if done == todo:
        sys.stderr.write("\n")
    sys.stderr.flush()


def command_collect_rollups(args: argparse.Namespace) -> int:
    from data.slo.sources import SourceError
    from data.store import engine_for, migrate
    from data.trends.service import collect_rollups

    settings = load_cli_settings(args)
    catalog = load_cli_catalog(settings, [])
    since, until = parse_cli_date(args.since, "--since"), parse_cli_date(args.until, "--until")
    if since and until and since > until:
        raise CliError(f"--since {since} is after --until {until}")
    migrate(settings.database_url)
    engine = engine_for(settings.database_url)
    try:
        summary = collect_rollups(
            settings, catalog.slos, engine, actor=cli_actor(), first=since, last=until, progress=_progress_bar
        )
    except SourceError as error:
        raise CliError(f"{error}; the days stored before this are kept, run the command again to continue") from None
    finally:
        engine.dispose()
    print(
        f"rollups {summary.first} .. {summary.last} ({settings.team_timezone}) from {summary.source}: "
        f"{summary.rows_stored} rows stored for {summary.days_stored} days, {summary.already_collected} "
        f"already collected, {summary.queries} queries"
    )
    if summary.incomplete:
        days = sorted({day for day, _ in summary.incomplete})
        print(
            f"not stored, incomplete (the counters did not exist all day): {len(summary.incomplete)} day × SLO "
            f"pairs on {len(days)} days, {days[0]} .. {days[-1]}; they are retried on the next run",
            file=sys.stderr,
        )
    for message in summary.errors.values():
        print(f"error: {message}", file=sys.stderr)
    return EXIT_FAILED if summary.errors else EXIT_OK


def _checked_services(requested: list[str] | None, known: list[str]) -> list[str]:
    """The ``--service`` options, each one in the catalog (or one error with the nearest name); all when none."""
    for service in requested or []:
        if service not in known:
            close = get_close_matches(service, known, n=1)
            raise CliError(
                f"--service {service!r} is not in the catalog"
                + (f"; did you mean {close[0]!r}?" if close else f" (services: {', '.join(known)})")
            )
    return requested or known


def command_trends(args: argparse.Namespace) -> int:
    from data.store import engine_for, migrate
    from data.trends.service import (
        oldest_rollup_day,
        stored_trend_rows_between,
        trend_rows,
        trends_range,
        trends_view,
    )
    from metrics.trends.aggregate import MAX_RANGE_DAYS, earliest_first

    settings = load_cli_settings(args)
    catalog = load_cli_catalog(settings, [])
    services = _checked_services(args.service, catalog.service_names())
    read_store = args.store or not settings.is_demo
    engine = None
    if read_store:
        migrate(settings.database_url)
        engine = engine_for(settings.database_url)
    try:
        oldest = oldest_rollup_day(engine) if engine is not None else None
        default_first, default_last = trends_range(settings.now(), settings.team_timezone, oldest)
        first = parse_cli_date(args.from_date, "--from") or default_first
        last = parse_cli_date(args.to_date, "--to") or default_last
        if first > last:
            raise CliError(f"--from {first} is after --to {last}")
        if first < earliest_first(last):
            raise CliError(
                f"--from {first}: a range covers at most {MAX_RANGE_DAYS:,} days; start at {earliest_first(last)} "
                "or later"
            )
        if engine is not None:
            rows = stored_trend_rows_between(engine, first, last, services)
        else:
            rows = trend_rows(settings, catalog.slos, None, first, last, services)
            if not args.demo:
                _say_demo_beside_stored(settings.database_url)
    finally:
        if engine is not None:
            engine.dispose()
    view = trends_view(rows, args.grain, first, last, services)
    if not view.has_data:
        hint = "" if rows.is_demo else f"; run `{COLLECT_COMMAND} --since {first}` first"
        print(
            f"no rollups from {rows.origin} between {first} and {last} for {', '.join(services)}{hint}",
            file=sys.stderr,
        )
        return EXIT_ATTENTION
    if args.format == "json":
        print(
            json.dumps(
                {"source": rows.origin.value, "time_zone": settings.team_timezone, **view.to_dict()},
                indent=2,
                allow_nan=False,
            )
        )
    else:
        print(trends_table(view, rows.origin, settings.team_timezone))
    return EXIT_OK


def _say_demo_beside_stored(database_url) -> None:
    """The demo stands in when no Prometheus is configured, as on the page; when the store holds collected rollups
    that is said, with the way to read them, rather than silently shown instead of them."""
    from data.store import engine_for
    from data.trends.store import rollup_day_range

    engine = engine_for(database_url)
    try:
        stored = rollup_day_range(engine)
    except Exception:  # a store not migrated yet, or unreachable: nothing collected to point at
        return
    finally:
        engine.dispose()
    if stored is None:
        return
    print(
        f"note: showing the demo's rollups (no Prometheus configured); the store holds collected rollups for "
        f"{stored[0]} .. {stored[1]}: pass --store (or set PROMETHEUS_URL, as the page needs) to read them",
        file=sys.stderr,
    )


def trends_table(view, source: str, time_zone: str) -> str:
    from metrics.formatting import format_burn_rate, format_count, format_percent, format_sli, format_target

    def seconds(value) -> str:
        return "no data" if value != value else f"{value * 1000:.0f} ms"

    slo_rows = [
        [
            r.period,
            r.slo,
            format_target(r.target),
            format_sli(None if r.sli != r.sli else r.sli, r.target),
            r.status,
            format_percent(r.budget_consumed),
            format_count(r.total) if r.counted == "events" else f"{format_count(r.total)} {r.counted}",
            f"{r.days}/{r.days_in_period}",
            seconds(r.latency_p50),
            seconds(r.latency_p95),
            seconds(r.latency_p99),
        ]
        for r in view.per_slo.itertuples()
    ]
    parts = [
        f"Trends {view.first} .. {view.last} by {view.grain} ({time_zone}) from {source}",
        text_table(
            ["period", "slo", "target", "sli", "status", "budget used", "events", "days", "p50", "p95", "p99"], slo_rows
        ),
    ]
    fleet_rows = [
        [r.period, f"{r.slos_met}/{r.slos_with_data}", format_percent(r.compliance, 0)] for r in view.fleet.itertuples()
    ]
    parts += ["", "Fleet: SLOs that met their objective", text_table(["period", "met", "compliance"], fleet_rows)]
    if view.current:
        change_rows = [
            [
                r.direction,
                r.slo,
                format_burn_rate(r.previous_burn_rate),
                format_burn_rate(r.current_burn_rate),
                f"{r.change:+.2f}×",
            ]
            for r in view.changes.itertuples()
        ]
        parts += [
            "",
            f"Changes {view.previous} → {view.current} (burn rate: error ratio / error budget)",
            text_table(["direction", "slo", view.previous, view.current, "change"], change_rows),
        ]
    return "\n".join(parts)


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    collect = collect_kinds.add_parser("rollups", help="store daily SLO rollups (run daily from cron; backfills)")
    collect.add_argument("--since", help="first local day, YYYY-MM-DD (default: 90 days ago)")
    collect.add_argument("--until", help="last local day, YYYY-MM-DD (default: the last complete day)")
    collect.add_argument("--catalog", help="OpenSLO file or directory (default: settings)")
    collect.add_argument("--prometheus-url", help="Prometheus-compatible base URL (default: settings)")
    collect.add_argument("--demo", action="store_true", help="collect from the demo data (stored as demo rows)")
    collect.set_defaults(handler=command_collect_rollups)

    trends = commands.add_parser("trends", help="weekly or monthly trends: the trends page's figures")
    trends.add_argument("--service", action="append", help="a service (repeat for several; default: all)")
    trends.add_argument(
        "--from",
        dest="from_date",
        help="first day, YYYY-MM-DD (default: 26 ISO weeks back, or from the first stored week)",
    )
    trends.add_argument("--to", dest="to_date", help="last day, YYYY-MM-DD (default: the last complete day)")
    trends.add_argument("--grain", choices=("week", "month"), default="week")
    trends.add_argument("--format", choices=("json", "table"), default="table")
    trends.add_argument("--catalog", help="OpenSLO file or directory (default: settings)")
    origin = trends.add_mutually_exclusive_group()
    origin.add_argument("--demo", action="store_true", help="the demo's rollups, computed in memory")
    origin.add_argument(
        "--store", action="store_true", help="the store's collected rollups, even with no Prometheus configured"
    )
    trends.set_defaults(handler=command_trends)
