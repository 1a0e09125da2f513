"""SLO commands: the burn report and one SLO's drill-down series."""

from __future__ import annotations

import argparse
import json
import sys

from commands import common


def command_slo_report(args: argparse.Namespace) -> int:
    from data.slo.long_windows import stored_days_for
    from data.slo.service import load_report

    settings = common.load_cli_settings(args)
    problems: list[str] = []
    catalog = common.load_cli_catalog(settings, problems)
    at = common.parse_cli_instant(args.at, settings)
    adjustments = common.cli_adjustments(settings)
    stored_days = None if args.direct else stored_days_for(settings)
    report = load_report(common.cli_source(settings, at, catalog), catalog.slos, at, adjustments, stored_days)
    if report.errors:
        for message in report.errors.values():
            print(f"error: {message}", file=sys.stderr)
        return common.EXIT_FAILED
    payload = report.to_dict(raw=args.raw)
    payload["catalog_problems"] = problems
    payload["catalog_notices"] = [
        {"severity": notice.severity.value, "text": str(notice)} for notice in catalog.notices
    ]
    if args.format == "json":
        print(json.dumps(payload, indent=2, allow_nan=False))
    else:
        print(_report_table(report))
        if args.raw:
            print("\nBefore budget adjustments (raw counts):")
            print(_report_table(report, raw=True))
        if report.long_windows is not None:
            print(f"\nLong windows: {report.long_windows.summary()}")
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for problem in problems:
        print(f"catalog: {problem}", file=sys.stderr)
    for notice in catalog.notices:  # valid OpenSLO not handled or not used yet: said, but not a failure
        print(f"catalog notice ({notice.severity.value}): {notice}", file=sys.stderr)
    slo_errors = [s.error for s in report.statuses if s.error]
    for message in slo_errors:
        print(f"error: {message}", file=sys.stderr)
    return common.EXIT_FAILED if problems or slo_errors else common.EXIT_OK


def _report_table(report, raw: bool = False) -> str:
    """The report as a table; ``raw``: each SLO's figures before budget adjustments (adjusted SLOs marked *)."""
    from metrics.formatting import format_burn_rate, format_duration, format_percent, format_sli, format_target
    from metrics.slo.definitions import BURN_WINDOWS

    header = [
        "state",
        "slo",
        "service",
        "target",
        "window",
        "method",
        "sli",
        "budget left",
        *BURN_WINDOWS,
        "exhausted in",
        "tiers firing",
    ]

    def row(status, name: str) -> list[str]:
        return [
            status.attention,
            name,
            status.slo.service,
            format_target(status.slo.target),
            status.slo.time_window.shown_label,
            status.slo.method_label,
            format_sli(status.sli, status.slo.target),
            format_percent(status.budget_remaining),
            *[format_burn_rate(status.burn_rates[w]) for w in BURN_WINDOWS],
            format_duration(status.time_to_exhaustion) if status.time_to_exhaustion is not None else "-",
            _tiers_text(status),
        ]

    rows = []
    for shown in report.statuses:
        status = (shown.raw or shown) if raw else shown
        rows.append(row(status, status.slo.name + ("*" if shown.adjusted else "")))
        # a split SLO's values under it, the urgent first
        rows.extend(row(split.status, f"  {split.label}") for split in report.splits.get(shown.slo.name, ()))
    table = f"SLO report at {report.at.isoformat()} from {report.source}\n" + common.text_table(header, rows)
    if any(status.adjusted for status in report.statuses):
        table += "\n* budget adjusted: events inside a budget adjustment count neither as good nor as bad"
        table += " (raw figures: --raw)" if not raw else ""
    return table


def _tiers_text(status) -> str:
    """The firing tiers by the team's severity names ("P1 1h/5m"), and those a minimum-traffic guard holds back."""
    parts = [f"{e.tier.severity} {e.tier.long_window}/{e.tier.short_window}" for e in status.alerts if e.firing]
    parts += [
        f"{e.tier.severity} {e.tier.long_window}/{e.tier.short_window} held back (few {status.slo.unit})"
        for e in status.alerts
        if e.held_back
    ]
    if not status.alerts:
        return "no tiers on"
    return ", ".join(parts) or "-"


def command_slo_history(args: argparse.Namespace) -> int:
    """The drill-down's series for one SLO: burn-down, rolling burn rates and tier histories."""
    from data.slo.service import drilldown_series, load_history, split_value_slo
    from data.slo.sources import SourceError

    settings = common.load_cli_settings(args)
    catalog = common.load_cli_catalog(settings, [])
    slo = catalog.slo(args.slo)
    if slo is None:
        raise common.CliError(
            f"no SLO named {args.slo!r} in {settings.catalog_path}; known: " + ", ".join(s.name for s in catalog.slos)
        )
    at = common.parse_cli_instant(args.at, settings)
    if args.split:
        if not slo.split_by:
            raise common.CliError(f"SLO {slo.name!r} is not split by a label; --split is for split SLOs")
        values = dict(part.partition(":")[::2] for part in args.split)
        if sorted(values) != sorted(slo.split_by) or not all(values.values()):
            raise common.CliError(
                f"--split needs one label:value for each of {', '.join(slo.split_by)} (e.g. --split "
                f"{slo.split_by[0]}:VALUE)"
            )
        slo = split_value_slo(slo, tuple((label, values[label]) for label in slo.split_by))
    try:
        history = load_history(common.cli_source(settings, at, catalog), slo, at, common.cli_adjustments(settings))
    except SourceError as error:
        raise common.CliError(str(error)) from None
    series = drilldown_series(history)
    if args.format == "csv":
        frame = {"burn-down": series.burn_down, "burn-rates": series.burn_rates}[args.series]
        print(frame.to_csv(index=False), end="")
        return common.EXIT_OK
    print(json.dumps(_history_payload(history, series), indent=2, allow_nan=False))
    return common.EXIT_OK


def _history_payload(history, series) -> dict:
    return {
        "slo": history.slo.name,
        "counted": history.slo.unit,  # what the buckets count: events, slices or points
        "at": history.at.isoformat(),
        "period_start": history.period.start.isoformat(),
        "period_end": history.period.end.isoformat(),
        "tiers": [
            {
                "severity": t.tier.severity,
                "urgency": t.tier.urgency.value,
                "long": t.tier.long_window,
                "short": t.tier.short_window,
                "threshold": round(t.threshold, 6),
                "firing": t.firing_now,
                "firing_since": None if t.firing_since is None else t.firing_since.isoformat(),
                "since_before_range": t.since_before_range,
                "firing_share_last_day": t.firing_share_last_day,
            }
            for t in series.tiers
        ],
        "budget_remaining_last": _last(series.burn_down["budget_remaining"]),
        "burn_rates_last": {
            column: _last(series.burn_rates[column]) for column in series.burn_rates.columns if column != "time"
        },
    }


def _last(series) -> float | None:
    clean = series.dropna()
    return None if clean.empty else float(clean.iloc[-1])


def command_collect_slo_snapshots(args: argparse.Namespace) -> int:
    from data.slo.service import collect_snapshots

    settings = common.load_cli_settings(args)
    catalog = common.load_cli_catalog(settings, [])
    run = collect_snapshots(
        settings, catalog.slos, common.parse_cli_instant(args.at, settings), common.cli_actor(), catalog=catalog
    )
    print(f"stored {run.stored} new SLO snapshots at {run.taken_at.isoformat()}")
    for message in run.errors.values():
        print(f"error: {message}", file=sys.stderr)
    return common.EXIT_FAILED if run.errors else common.EXIT_OK


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    report = commands.add_parser("slo-report", help="every SLO's budget, burn rates and alert tiers")
    common.source_options(report)
    report.add_argument("--format", choices=("json", "table"), default="table")
    report.add_argument(
        "--raw",
        "--show-raw",
        action="store_true",
        help='also show the figures before budget adjustments (JSON: under each SLO\'s "raw")',
    )
    report.add_argument(
        "--direct",
        action="store_true",
        help="read every window whole from Prometheus instead of summing stored daily rollups for the long ones",
    )
    report.set_defaults(handler=command_slo_report)

    history = commands.add_parser("slo-history", help="one SLO's drill-down series")
    common.source_options(history)
    history.add_argument("--slo", required=True)
    history.add_argument(
        "--split",
        action="append",
        metavar="LABEL:VALUE",
        help="one value of a split SLO (repeat per label): its own series, as its drill-down shows them",
    )
    history.add_argument("--format", choices=("json", "csv"), default="json")
    history.add_argument(
        "--series", choices=("burn-down", "burn-rates"), default="burn-rates", help="which series --format csv prints"
    )
    history.set_defaults(handler=command_slo_history)

    snapshots = collect_kinds.add_parser("slo-snapshots", help="store every SLO's status now")
    common.source_options(snapshots)
    snapshots.set_defaults(handler=command_collect_slo_snapshots)
