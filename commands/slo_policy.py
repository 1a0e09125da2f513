"""Error-budget policy commands: ``slo-policy show`` (each service's policy state, the policies and the incidents
that need a postmortem; exit 1 when a service is in freeze), ``slo-policy set`` (save a policy: editors only, a
stale ``--version`` is refused), ``slo-policy decide`` (record a decision, never overwriting one) and
``slo-policy decisions`` (the log). Every command brings the store to the latest schema first."""

from __future__ import annotations

import argparse
import json
import sys

from commands.common import (
    EXIT_ATTENTION,
    EXIT_OK,
    CliError,
    cli_actor,
    cli_source,
    load_cli_catalog,
    load_cli_settings,
    parse_cli_date,
    parse_cli_instant,
    text_table,
)


def _prepared(args: argparse.Namespace):
    """(settings, the catalog) with the store migrated."""
    from data.store import migrate

    settings = load_cli_settings(args)
    try:
        migrate(settings.database_url)
    except Exception as error:  # driver errors vary: name the store (a SecretUrl, shown masked)
        raise CliError(f"could not open the store {settings.database_url}: {type(error).__name__}") from None
    return settings, load_cli_catalog(settings, [])


def _scope(text: str) -> str:
    from metrics.slo_policy.rules import ALL_SERVICES

    return ALL_SERVICES if text.strip().lower() in ("*", "all") else text.strip()


def _decision_json(decision) -> dict:
    return {
        "id": decision.id,
        "service": decision.service,
        "kind": decision.kind.value,
        "label": decision.kind.label,
        "reason": decision.reason,
        "incident": decision.incident,
        "state_then": decision.state,
        "decided_by": decision.decided_by,
        "decided_at": decision.decided_at.isoformat(),
    }


def _policy_json(policy) -> dict:
    return {
        "scope": policy.scope,
        "label": policy.label,
        "actions": policy.actions,
        "at_risk_spent": policy.at_risk_spent,
        "freeze_spent": policy.freeze_spent,
        "postmortem_share": policy.postmortem_share,
        "approver": policy.approver,
        "approved_on": policy.approved_on.isoformat(),
        "revisit_on": policy.revisit_on.isoformat(),
        "version": policy.version,
        "updated_by": policy.updated_by,
        "updated_at": None if policy.updated_at is None else policy.updated_at.isoformat(),
        "tracker_item": policy.tracker_item_id,
    }


def command_show(args: argparse.Namespace) -> int:
    from data.slo.long_windows import stored_days_for
    from data.slo.service import load_report
    from data.slo_policy.service import policy_overview
    from metrics.slo_policy.rules import PolicyState, format_share

    settings, catalog = _prepared(args)
    at = parse_cli_instant(args.at, settings)
    source = cli_source(settings, at, catalog)
    report = load_report(source, catalog.slos, at, stored_days=stored_days_for(settings))
    overview = policy_overview(settings, report, catalog.service_names(), source)
    frozen = [s for s in overview.states if s.state is PolicyState.FREEZE]
    for message in dict.fromkeys([*report.errors.values(), *(s.error for s in report.statuses if s.error)]):
        print(f"error: {message} (its SLOs read as no data)", file=sys.stderr)
    if args.format == "json":
        payload = {
            "at": report.at.isoformat(),
            "source": report.source,
            "freeze": len(frozen),
            "services": [
                {
                    "service": s.service,
                    "state": s.state.value,
                    "policy": None if s.policy is None else s.policy.scope,
                    "worst_slo": s.worst_slo,
                    "budget_spent": s.budget_spent,
                    "latest_decision": None if s.latest_decision is None else _decision_json(s.latest_decision),
                }
                for s in overview.states
            ],
            "policies": [_policy_json(p) for p in overview.policies],
            "postmortems_required": [
                {
                    "incident": b.reference,
                    "service": b.service,
                    "slo": b.slo,
                    "share": b.share,
                    "threshold": b.threshold,
                }
                for b in overview.postmortems
            ],
            "incidents_note": overview.incidents_note,
        }
        print(json.dumps(payload, indent=2, allow_nan=False))
        return EXIT_ATTENTION if frozen else EXIT_OK
    print(f"Error-budget policy at {report.at.isoformat()} ({report.source}): {len(frozen)} service(s) in freeze")
    rows = [
        [
            s.state.badge,
            s.service,
            "" if s.policy is None else s.policy.label,
            s.worst_slo or "",
            format_share(s.budget_spent),
            "" if s.latest_decision is None else f"{s.latest_decision.kind.label} by {s.latest_decision.decided_by}",
        ]
        for s in overview.states
    ]
    print(text_table(["state", "service", "policy", "worst slo", "budget spent", "latest decision"], rows))
    if overview.policies:
        print()
        table = [
            [
                p.label,
                format_share(p.at_risk_spent),
                format_share(p.freeze_spent),
                format_share(p.postmortem_share),
                p.approver,
                p.approved_on.isoformat(),
                p.revisit_on.isoformat(),
                str(p.version),
                "" if p.tracker_item_id is None else f"#{p.tracker_item_id}",
            ]
            for p in overview.policies
        ]
        header = ["policy", "at risk", "freeze", "postmortem", "approver", "approved", "revisit", "version", "item"]
        print(text_table(header, table))
    else:
        print("\nno policy yet: python cli.py slo-policy set --scope all ...")
    if overview.postmortems:
        print("\nPostmortem required (one incident burned more than the policy's share):")
        print(
            text_table(
                ["incident", "service", "slo", "share", "policy share"],
                [
                    [b.reference, b.service, b.slo, format_share(b.share), format_share(b.threshold)]
                    for b in overview.postmortems
                ],
            )
        )
    return EXIT_ATTENTION if frozen else EXIT_OK


def _percent(value: float | None, option: str) -> float | None:
    if value is None:
        return None
    if value != value:  # NaN
        raise CliError(f"{option} must be a number of percent")
    return value / 100


def command_set(args: argparse.Namespace) -> int:
    from data.slo_policy.service import PolicyConflict, PolicyError, policy, set_policy
    from metrics.slo_policy.rules import DEFAULT_AT_RISK_SPENT, DEFAULT_FREEZE_SPENT, DEFAULT_POSTMORTEM_SHARE

    settings, catalog = _prepared(args)
    scope = _scope(args.scope)
    current = policy(settings, scope)

    def kept(value, name, default):
        return value if value is not None else (getattr(current, name) if current is not None else default)

    try:
        saved = set_policy(
            settings,
            catalog.service_names(),
            actor=cli_actor(args.actor),
            scope=scope,
            actions=kept(args.actions, "actions", ""),
            approver=kept(args.approver, "approver", ""),
            approved_on=kept(parse_cli_date(args.approved_on, "--approved-on"), "approved_on", None),
            revisit_on=kept(parse_cli_date(args.revisit_on, "--revisit-on"), "revisit_on", None),
            at_risk_spent=kept(_percent(args.at_risk, "--at-risk"), "at_risk_spent", DEFAULT_AT_RISK_SPENT),
            freeze_spent=kept(_percent(args.freeze, "--freeze"), "freeze_spent", DEFAULT_FREEZE_SPENT),
            postmortem_share=kept(
                _percent(args.postmortem_share, "--postmortem-share"), "postmortem_share", DEFAULT_POSTMORTEM_SHARE
            ),
            base_version=args.version if args.version is not None else (0 if current is None else current.version),
        )
    except (PolicyError, PolicyConflict) as error:
        raise CliError(str(error)) from None
    print(
        f"saved the error-budget policy for {saved.label}, version {saved.version}, by {saved.updated_by}; "
        f"revisit on {saved.revisit_on.isoformat()} (tracker item #{saved.tracker_item_id})"
    )
    return EXIT_OK


def command_decide(args: argparse.Namespace) -> int:
    from data.slo.long_windows import stored_days_for
    from data.slo.service import load_report
    from data.slo_policy.service import AlreadyRecorded, PolicyError, record_decision, states

    settings, catalog = _prepared(args)
    at = settings.now()
    report = load_report(cli_source(settings, at, catalog), catalog.slos, at, stored_days=stored_days_for(settings))
    shown = {s.service: s for s in states(settings, report)}
    now = shown.get(args.service)
    try:
        decision = record_decision(
            settings,
            catalog.service_names(),
            actor=cli_actor(args.actor),
            service=args.service,
            kind=args.kind,
            reason=args.reason,
            incident=args.incident or "",
            state=now.state if now is not None else "",
        )
    except (PolicyError, AlreadyRecorded) as error:
        raise CliError(str(error)) from None
    print(
        f"recorded decision {decision.id} for {decision.service}: {decision.kind.label} by {decision.decided_by} "
        f"on {decision.decided_at.replace(microsecond=0).isoformat()}"
    )
    return EXIT_OK


def command_decisions(args: argparse.Namespace) -> int:
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from data.slo_policy.service import decisions

    settings, _ = _prepared(args)
    since_day = parse_cli_date(args.since, "--since")
    since = None if since_day is None else datetime.combine(since_day, time(), ZoneInfo(settings.team_timezone))
    log = decisions(settings, args.service, since)
    if args.format == "json":
        print(json.dumps({"decisions": [_decision_json(d) for d in log]}, indent=2))
    elif not log:
        print("no decision recorded" + (f" for {args.service}" if args.service else ""))
    else:
        rows = [
            [
                str(d.id),
                d.decided_at.replace(microsecond=0).isoformat(),
                d.service,
                d.kind.label,
                d.incident,
                d.state,
                d.decided_by,
                d.reason[:60],
            ]
            for d in log
        ]
        print(text_table(["id", "when", "service", "decision", "incident", "state then", "by", "why"], rows))
    return EXIT_OK


def _source_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--prometheus-url", help="Prometheus-compatible base URL (default: settings)")
    command.add_argument("--demo", action="store_true", help="use the demo data even if Prometheus is set")


def register(commands: argparse._SubParsersAction, collect_kinds: argparse._SubParsersAction) -> None:
    from metrics.slo_policy.rules import DecisionKind

    policy = commands.add_parser("slo-policy", help="error-budget policy: states, the policy, decisions")
    policy.add_argument("--catalog", help="OpenSLO file or directory (default: settings, config/slos)")
    actions = policy.add_subparsers(dest="action", required=True)

    show = actions.add_parser("show", help="each service's policy state and the policies (exit 1: a freeze)")
    show.add_argument("--at", help="evaluation instant, ISO 8601 (default: now)")
    show.add_argument("--format", choices=("table", "json"), default="table")
    _source_options(show)
    show.set_defaults(handler=command_show)

    setting = actions.add_parser("set", help="save a policy for a service or all (editors; fields not given stay)")
    setting.add_argument("--scope", required=True, help="a service, or 'all' for every service")
    setting.add_argument("--actions", help="what the team agreed to do when the budget is spent")
    setting.add_argument("--approver")
    setting.add_argument("--approved-on", help="YYYY-MM-DD")
    setting.add_argument("--revisit-on", help="YYYY-MM-DD: the revisit-tracker item comes due then")
    setting.add_argument("--at-risk", type=float, help="percent of the budget spent from which it is at risk (75)")
    setting.add_argument("--freeze", type=float, help="percent of the budget spent that freezes changes (100)")
    setting.add_argument("--postmortem-share", type=float, help="percent of the budget one incident may burn (20)")
    setting.add_argument("--version", type=int, help="the version you edited (default: the stored one)")
    setting.add_argument("--as", dest="actor", help="name recorded in the audit trail (default: your login)")
    setting.set_defaults(handler=command_set)

    decide = actions.add_parser("decide", help="record a decision under the policy (a new row; nothing overwritten)")
    decide.add_argument("--service", required=True)
    decide.add_argument("--kind", required=True, choices=[kind.value for kind in DecisionKind])
    decide.add_argument("--reason", required=True)
    decide.add_argument("--incident", help="the incident a postmortem is required for")
    decide.add_argument("--as", dest="actor", help="name recorded as the decider (default: your login)")
    _source_options(decide)
    decide.set_defaults(handler=command_decide)

    log = actions.add_parser("decisions", help="the decisions log, newest first")
    log.add_argument("--service")
    log.add_argument("--since", help="YYYY-MM-DD (team time zone)")
    log.add_argument("--format", choices=("table", "json"), default="table")
    log.set_defaults(handler=command_decisions)
