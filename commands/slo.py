"""SLO commands: the burn report and one SLO's drill-down series."""

from __future__ import annotations

import argparse
import json
import sys

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


def command_slo_report(args: argparse.Namespace) -> int:
    from data.slo.service import load_report

    settings = load_cli_settings(args)
    problems: list[str] = []
    catalog = load_cli_catalog(settings, problems)
    at = parse_cli_instant(args.at)
    source = cli_source(settings, at)
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
    from metrics.slo.definitions import BURN_WINDOWS

    header = ["state", "slo", "service", "target", "window", "sli", "budget left", *BURN_WINDOWS, "exhausted in"]
    rows = [header]
    for status in report.statuses:
        rows.append(
            [
                status.alert_state,
                status.slo.name,
                status.slo.service,
                format_target(status.slo.target),
                status.slo.time_window.label,
                format_sli(status.sli, status.slo.target),
                format_percent(status.budget_remaining),
                *[format_burn_rate(status.burn_rates[w]) for w in BURN_WINDOWS],
                format_duration(status.time_to_exhaustion) if status.time_to_exhaustion is not None else "-",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return f"SLO report at {report.at.isoformat()} from {report.source}\n" + "\n".join(lines)


def command_slo_history(args: argparse.Namespace) -> int:
    """The drill-down's series for one SLO: burn-down, rolling burn rates and tier histories."""
    from data.slo.service import load_history
    from data.slo.sources import SourceError
    from metrics.slo.timeseries import SHOWN_RECENT_SPAN, budget_burn_down, rolling_burn_rates, tier_histories

    settings = load_cli_settings(args)
    catalog = load_cli_catalog(settings, [])
    slo = next((s for s in catalog.slos if s.name == args.slo), None)
    if slo is None:
        raise CliError(
            f"no SLO named {args.slo!r} in {settings.catalog_path}; known: " + ", ".join(s.name for s in catalog.slos)
        )
    at = parse_cli_instant(args.at)
    source = cli_source(settings, at)
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


def command_collect_slo_snapshots(args: argparse.Namespace) -> int:
    from data.slo.service import load_report
    from data.slo.snapshots import save_snapshots
    from data.store import engine_for

    settings = load_cli_settings(args)
    catalog = load_cli_catalog(settings, [])
    at = parse_cli_instant(args.at).replace(second=0, microsecond=0)
    report = load_report(cli_source(settings, at), catalog.slos, at)
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
    stored = save_snapshots(engine_for(settings.database_url), rows, actor=cli_actor())
    print(f"stored {stored} new SLO snapshots at {at.isoformat()}")
    for message in report.errors.values():
        print(f"error: {message}", file=sys.stderr)
    return EXIT_FAILED if report.errors else EXIT_OK


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    report = commands.add_parser("slo-report", help="every SLO's budget, burn rates and alert tiers")
    source_options(report)
    report.add_argument("--format", choices=("json", "table"), default="table")
    report.set_defaults(handler=command_slo_report)

    history = commands.add_parser("slo-history", help="one SLO's drill-down series")
    source_options(history)
    history.add_argument("--slo", required=True)
    history.add_argument("--format", choices=("json", "csv"), default="json")
    history.add_argument(
        "--series", choices=("burn-down", "burn-rates"), default="burn-rates", help="which series --format csv prints"
    )
    history.set_defaults(handler=command_slo_history)

    snapshots = collect_kinds.add_parser("slo-snapshots", help="store every SLO's status now")
    source_options(snapshots)
    snapshots.set_defaults(handler=command_collect_slo_snapshots)
