"""``slo-annotations --slo NAME``: what the SLO drill-down's charts mark in the SLO's current period (the incidents
of its service, its reviews, the changes of its target, its budget adjustments, the firings of its alert tiers and
the deploys of its service), with what and who: the same list the page draws."""

from __future__ import annotations

import argparse
import json

from commands.common import EXIT_OK, CliError, load_cli_catalog, load_cli_settings, parse_cli_instant, text_table


def command_annotations(args: argparse.Namespace) -> int:
    from commands.common import cli_source
    from data.slo.annotations import slo_annotations
    from data.store import migrate
    from metrics.slo.periods import current_period

    settings = load_cli_settings(args)
    slo = next((slo for slo in load_cli_catalog(settings, []).slos if slo.name == args.slo), None)
    if slo is None:
        raise CliError(f"no SLO named {args.slo!r} in the catalog ({settings.catalog_path})")
    try:
        migrate(settings.database_url)
    except Exception as error:  # driver errors vary: name the store (a SecretUrl, shown masked)
        raise CliError(f"could not open the store {settings.database_url}: {type(error).__name__}") from None
    at = parse_cli_instant(args.at, settings)
    period = current_period(slo.time_window, at)
    found = slo_annotations(settings, slo, period.start, at, cli_source(settings, at))
    if args.format == "json":
        print(
            json.dumps(
                {
                    "slo": slo.name,
                    "period_start": period.start.isoformat(),
                    "at": at.isoformat(),
                    "annotations": [
                        {
                            "kind": a.kind.value,
                            "start": a.start.isoformat(),
                            "end": None if a.end is None else a.end.isoformat(),
                            "ongoing": a.ongoing,
                            "title": a.title,
                            "who": a.who,
                            "provenance": a.provenance,
                        }
                        for a in found.annotations
                    ],
                    "notes": found.notes,
                },
                indent=2,
            )
        )
        return EXIT_OK
    print(f"{slo.name}: annotations from {period.start.isoformat()} to {at.isoformat()}")
    rows = [
        [
            a.kind.value,
            a.start.isoformat(),
            "ongoing" if a.ongoing else ("" if a.end is None else a.end.isoformat()),
            a.title,
            a.provenance or a.who or "",
        ]
        for a in found.annotations
    ]
    print(text_table(["kind", "start", "end", "what", "who / from"], rows) if rows else "none in this period")
    for note in found.notes:
        print(note)
    return EXIT_OK


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "slo-annotations",
        help="what the SLO drill-down's charts mark: incidents, reviews, target changes, adjustments, tier firings, "
        "deploys",
    )
    parser.add_argument("--slo", required=True, help="the SLO's name")
    parser.add_argument("--at", help="the instant (ISO 8601); default now")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(handler=command_annotations)
