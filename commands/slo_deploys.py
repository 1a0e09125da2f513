"""Deploy commands: ``slo-deploys add`` (a deploy of a service, entered by hand, as the SLO drill-down's form enters
one: editors only, in the audit trail under ``--as NAME``, default your login) and ``list`` (the entered ones and
those read from the series ``SLO_DEPLOY_SERIES`` names, each with its source). The store is migrated first. The
deploys are the "deploys" annotations of ``slo-annotations`` and the charts."""

from __future__ import annotations

import argparse
import json

from commands.common import EXIT_OK, CliError, cli_actor, load_cli_catalog, load_cli_settings, text_table


def _prepared(args: argparse.Namespace):
    from data.store import migrate

    settings = load_cli_settings(args)
    try:
        migrate(settings.database_url)
    except Exception as error:  # driver errors vary: name the store (a SecretUrl, shown masked)
        raise CliError(f"could not open the store {settings.database_url}: {type(error).__name__}") from None
    return settings


def _instant(text: str | None, settings, option: str = "--at"):
    from data.slo.service import parse_instant

    if not text:
        return settings.now()
    try:
        return parse_instant(text)
    except ValueError:
        raise CliError(f"{option} {text!r} is not an ISO 8601 instant like 2026-11-24T02:00:00Z") from None


def command_add(args: argparse.Namespace) -> int:
    from data.slo_deploys.service import DeployError, add_deploy
    from metrics.access import MissingName, PermissionDenied

    settings = _prepared(args)
    catalog = load_cli_catalog(settings, []).slos
    try:
        stored = add_deploy(
            settings,
            catalog,
            actor=cli_actor(args.actor),
            service=args.service,
            deployed_at=_instant(args.at, settings),
            version=args.version or "",
            description=args.description or "",
        )
    except (DeployError, PermissionDenied, MissingName) as error:
        raise CliError(str(error)) from None
    print(
        f"entered deploy {stored.id} of {stored.service} at {stored.deployed_at.isoformat()}: {stored.label}, "
        f"by {stored.entered_by}"
    )
    return EXIT_OK


def command_list(args: argparse.Namespace) -> int:

    from data.slo_deploys.service import all_deploys
    from metrics.slo.deploys import MAX_PAST

    settings = _prepared(args)
    until = _instant(args.until, settings, "--until")
    since = _instant(args.since, settings, "--since") if args.since else until - MAX_PAST
    if since > until:
        raise CliError(f"--since {since.isoformat()} is after --until {until.isoformat()}")
    read = all_deploys(settings, since, until, services=args.service or None)
    found = read.deploys
    if args.format == "json":
        rows = [
            {
                "id": d.id,
                "service": d.service,
                "deployed_at": d.deployed_at.isoformat(),
                "version": d.version,
                "description": d.description,
                "source": d.origin.value,
                "series": d.series or None,
                "entered_by": d.entered_by or None,
                "entered_at": d.entered_at.isoformat(),
            }
            for d in found
        ]
        payload = {"since": since.isoformat(), "until": until.isoformat(), "deploys": rows, "notes": read.notes}
        print(json.dumps(payload, indent=2))
    else:
        print(f"deploys from {since.isoformat()} to {until.isoformat()}" + (" (none)" if not found else ""))
        if found:
            table = [
                [
                    "" if d.id is None else str(d.id),
                    d.service,
                    d.deployed_at.isoformat(),
                    d.version,
                    d.description[:50],
                    d.provenance,
                ]
                for d in found
            ]
            print(text_table(["id", "service", "deployed at", "version", "description", "source"], table))
        for note in read.notes:
            print(note)
    return EXIT_OK


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    deploys = commands.add_parser("slo-deploys", help="deploys entered by hand: the deploy marks on the SLO charts")
    deploys.add_argument("--catalog", help="OpenSLO file or directory (default: settings, config/slos)")
    actions = deploys.add_subparsers(dest="action", required=True)

    add = actions.add_parser("add", help="enter a deploy (editors only; at most 30 days in the past, not ahead)")
    add.add_argument("--service", required=True, help="the service deployed (a service of the catalog)")
    add.add_argument("--at", help="when it was deployed, ISO 8601 (naive means UTC); default now")
    add.add_argument("--version", help="the version deployed")
    add.add_argument("--description", help="what changed")
    add.add_argument("--as", dest="actor", help="name recorded in the audit trail (default: your login)")
    add.set_defaults(handler=command_add)

    listing = actions.add_parser(
        "list", help="the deploys entered and those read from SLO_DEPLOY_SERIES, newest first, with their source"
    )
    listing.add_argument("--service", action="append", help="only this service (repeatable)")
    listing.add_argument("--since", help="from this instant, ISO 8601 (default: 30 days before --until)")
    listing.add_argument("--until", help="to this instant, ISO 8601 (default: now)")
    listing.add_argument("--prometheus-url", help="read SLO_DEPLOY_SERIES from this Prometheus (default: settings)")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(handler=command_list)
