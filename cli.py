"""Command line over the same code as the pages: every figure on a page can be reproduced from here.

Exit codes: 0 all good, 1 a report found something that needs attention (where a command says so),
2 bad input or a source that could not answer. Errors are one readable line each, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

EXIT_OK, EXIT_ATTENTION, EXIT_FAILED = 0, 1, 2


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


def _settings(args: argparse.Namespace):
    from data.prometheus import PrometheusSettings
    from data.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as error:
        raise CliError("\n".join(["invalid settings:"] + [f"  - {p}" for p in error.problems])) from None
    if getattr(args, "prometheus_url", None):
        base = settings.prometheus or PrometheusSettings(url=args.prometheus_url)
        settings = replace(settings, prometheus=replace(base, url=args.prometheus_url.rstrip("/")))
    if getattr(args, "demo", False):
        settings = replace(settings, prometheus=None)
    if getattr(args, "catalog", None):
        settings = replace(settings, catalog_path=Path(args.catalog))
    return settings


def _catalog(settings, strict_problems: list[str]):
    from data.catalog import CatalogError, load_catalog

    try:
        catalog = load_catalog(settings.catalog_path)
    except CatalogError as error:
        raise CliError(str(error)) from None
    strict_problems.extend(str(problem) for problem in catalog.problems)
    return catalog


def _instant(text: str | None) -> datetime:
    from data.slo_reports import parse_instant

    try:
        return parse_instant(text)
    except ValueError:
        raise CliError(f"--at {text!r} is not an ISO 8601 instant like 2026-11-24T14:05:00Z") from None


def _source(settings, at: datetime):
    from data.slo_reports import make_source

    return make_source(settings, demo_end=at)


def command_slo_report(args: argparse.Namespace) -> int:
    from data.slo_reports import load_report

    settings = _settings(args)
    problems: list[str] = []
    catalog = _catalog(settings, problems)
    at = _instant(args.at)
    source = _source(settings, at)
    report = load_report(source, catalog.slos, at)
    if report.errors:
        for message in report.errors.values():
            print(f"error: {message}", file=sys.stderr)
        return EXIT_FAILED
    payload = report.to_dict()
    payload["catalog_problems"] = problems
    if args.format == "json":
        print(json.dumps(payload, indent=2, allow_nan=False))
    else:
        print(_report_table(report))
    for problem in problems:
        print(f"catalog: {problem}", file=sys.stderr)
    slo_errors = [s.error for s in report.statuses if s.error]
    for message in slo_errors:
        print(f"error: {message}", file=sys.stderr)
    return EXIT_FAILED if problems or slo_errors else EXIT_OK


def _report_table(report) -> str:
    from metrics.formatting import format_burn_rate, format_duration, format_percent, format_sli, format_target
    from metrics.slo import BURN_WINDOWS

    header = ["state", "slo", "service", "target", "window", "sli", "budget left", *BURN_WINDOWS, "exhausted in"]
    rows = [header]
    for status in report.statuses:
        rows.append([
            status.alert_state,
            status.slo.name,
            status.slo.service,
            format_target(status.slo.target),
            status.slo.time_window.label,
            format_sli(status.sli, status.slo.target),
            format_percent(status.budget_remaining),
            *[format_burn_rate(status.burn_rates[w]) for w in BURN_WINDOWS],
            format_duration(status.time_to_exhaustion) if status.time_to_exhaustion is not None else "-",
        ])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return f"SLO report at {report.at.isoformat()} from {report.source}\n" + "\n".join(lines)


def command_slo_history(args: argparse.Namespace) -> int:
    """The drill-down's series for one SLO: burn-down, rolling burn rates and tier histories."""
    from data.slo_reports import load_history
    from data.sources import SourceError
    from metrics.timeseries import SHOWN_RECENT_SPAN, budget_burn_down, rolling_burn_rates, tier_histories

    settings = _settings(args)
    catalog = _catalog(settings, [])
    slo = next((s for s in catalog.slos if s.name == args.slo), None)
    if slo is None:
        raise CliError(f"no SLO named {args.slo!r} in {settings.catalog_path}; known: "
                       + ", ".join(s.name for s in catalog.slos))
    at = _instant(args.at)
    source = _source(settings, at)
    try:
        history = load_history(source, slo, at)
    except SourceError as error:
        raise CliError(str(error)) from None
    burn_rates = rolling_burn_rates(history.recent_buckets, slo.target)
    tiers = tier_histories(burn_rates, history.period.length, since=at - SHOWN_RECENT_SPAN)
    burn_down = budget_burn_down(history.period_buckets, history.period, at, slo.target)
    if args.format == "csv":
        frame = {"burn-down": burn_down, "burn-rates": burn_rates}[args.series]
        print(frame.to_csv(index=False), end="")
        return EXIT_OK
    payload = {
        "slo": slo.name,
        "at": at.isoformat(),
        "period_start": history.period.start.isoformat(),
        "period_end": history.period.end.isoformat(),
        "tiers": [
            {
                "severity": t.tier.severity,
                "long": t.tier.long_window,
                "short": t.tier.short_window,
                "threshold": round(t.threshold, 6),
                "firing": t.firing_now,
                "firing_since": None if t.firing_since is None else t.firing_since.isoformat(),
                "since_before_range": t.since_before_range,
                "firing_share_last_day": t.firing_share_last_day,
            }
            for t in tiers
        ],
        "budget_remaining_last": _last(burn_down["budget_remaining"]),
        "burn_rates_last": {column: _last(burn_rates[column]) for column in burn_rates.columns if column != "time"},
    }
    print(json.dumps(payload, indent=2, allow_nan=False))
    return EXIT_OK


def _last(series) -> float | None:
    clean = series.dropna()
    return None if clean.empty else float(clean.iloc[-1])


def command_migrate(args: argparse.Namespace) -> int:
    from data.store import migrate

    settings = _settings(args)
    try:
        migrate(settings.database_url)
    except Exception as error:  # the store's driver errors vary; say which store without its password
        from data.store import redact_database_url

        from sqlalchemy.exc import OperationalError

        reason = ("cannot connect: check DATABASE_URL and that the server runs"
                  if isinstance(error, OperationalError) else type(error).__name__)
        raise CliError(f"could not migrate the store {redact_database_url(settings.database_url)}: {reason}") from None
    print("store is at the latest schema")
    return EXIT_OK


def command_demo_openmetrics(args: argparse.Namespace) -> int:
    from data.demo import generate_history, write_openmetrics

    end = _instant(args.end)
    history = generate_history(end, args.days)
    with open(args.output, "w", encoding="utf-8") as out:
        samples = write_openmetrics(history, out)
    print(f"wrote {samples} samples from {history.start.isoformat()} to {history.end.isoformat()} "
          f"into {args.output}", file=sys.stderr)
    return EXIT_OK


def command_collect_slo_snapshots(args: argparse.Namespace) -> int:
    from data.slo_reports import load_report
    from data.store import engine_for
    from data.store.snapshots import save_snapshots

    settings = _settings(args)
    catalog = _catalog(settings, [])
    at = _instant(args.at).replace(second=0, microsecond=0)
    report = load_report(_source(settings, at), catalog.slos, at)
    rows = [
        {
            "taken_at": at,
            "slo": s.slo.name,
            "service": s.slo.service,
            "target": s.slo.target,
            "period": s.slo.time_window.label,
            "sli": s.sli,
            "budget_remaining": s.budget_remaining,
            "burn_rates": s.burn_rates,
            "alert_state": s.alert_state,
            "source": report.source,
        }
        for s in report.statuses
        if s.error is None
    ]
    stored = save_snapshots(engine_for(settings.database_url), rows)
    print(f"stored {stored} new SLO snapshots at {at.isoformat()}")
    for message in report.errors.values():
        print(f"error: {message}", file=sys.stderr)
    return EXIT_FAILED if report.errors else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cli.py", description="Reliability Dashboard command line")
    commands = parser.add_subparsers(dest="command", required=True)

    def source_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--catalog", help="OpenSLO file or directory (default: settings, config/slos)")
        command.add_argument("--prometheus-url", help="Prometheus-compatible base URL (default: settings)")
        command.add_argument("--demo", action="store_true", help="use the demo data even if Prometheus is set")
        command.add_argument("--at", help="evaluation instant, ISO 8601 (default: now)")

    report = commands.add_parser("slo-report", help="every SLO's budget, burn rates and alert tiers")
    source_options(report)
    report.add_argument("--format", choices=("json", "table"), default="table")
    report.set_defaults(handler=command_slo_report)

    history = commands.add_parser("slo-history", help="one SLO's drill-down series")
    source_options(history)
    history.add_argument("--slo", required=True)
    history.add_argument("--format", choices=("json", "csv"), default="json")
    history.add_argument("--series", choices=("burn-down", "burn-rates"), default="burn-rates",
                         help="which series --format csv prints")
    history.set_defaults(handler=command_slo_history)

    migrate = commands.add_parser("migrate", help="bring the store to the latest schema")
    migrate.set_defaults(handler=command_migrate)

    demo = commands.add_parser("demo-openmetrics", help="write the demo history as OpenMetrics text")
    demo.add_argument("--end", required=True, help="end of the history, ISO 8601")
    demo.add_argument("--days", type=int, default=35)
    demo.add_argument("--output", required=True)
    demo.set_defaults(handler=command_demo_openmetrics)

    collect = commands.add_parser("collect", help="store snapshots (run from cron)")
    collect_kinds = collect.add_subparsers(dest="kind", required=True)
    snapshots = collect_kinds.add_parser("slo-snapshots", help="store every SLO's status now")
    source_options(snapshots)
    snapshots.set_defaults(handler=command_collect_slo_snapshots)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except CliError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED
    except Exception as error:  # last line of defence: one line, no traceback, no secrets
        print(f"error: unexpected {type(error).__name__}; run with the same arguments after checking the "
              "settings, or report it", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
