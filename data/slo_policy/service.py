"""The error-budget policy's steps, run by the policy page, the SLO burn page's freeze badge, the weekly review and
``cli.py slo-policy`` alike: the policies, each service's policy state from a live report, the incidents that need
a postmortem, saving a policy (editors only; its revisit date kept as a parked revisit-tracker item) and recording
a decision (editors only; append-only)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from data.settings import Settings
from data.slo_policy.store import (
    AlreadyRecorded,
    PolicyConflict,
    get_policy,
    insert_decision,
    link_tracker_item,
    list_decisions,
    list_policies,
    save_policy,
)
from data.store.engine import shared_engine
from metrics.access import Actor, Role, require, require_role
from metrics.incidents.rules import Incident
from metrics.slo.report import PERIOD_KEY, SloReport
from metrics.slo_policy.rules import (
    ALL_SERVICES,
    BudgetReading,
    Decision,
    DecisionKind,
    IncidentBurn,
    Policy,
    PolicyError,
    PolicyState,
    ServiceState,
    format_share,
    incident_budget_share,
    policy_for,
    postmortems_required,
    service_states,
    validate_decision,
    validate_policy,
)

__all__ = [
    "AlreadyRecorded",
    "PolicyConflict",
    "PolicyError",
    "PolicyOverview",
    "decisions",
    "freezes",
    "policies",
    "policy_overview",
    "readings_of",
    "record_decision",
    "set_policy",
    "states",
    "tracker_reference",
]


def _engine(settings: Settings) -> sa.Engine:
    return shared_engine(settings.database_url)


def _today(settings: Settings) -> date:
    return settings.now().astimezone(ZoneInfo(settings.team_timezone)).date()


def policies(settings: Settings) -> list[Policy]:
    """Every stored policy, the all-services one first."""
    return list_policies(_engine(settings))


def decisions(
    settings: Settings, service: str | None = None, since: datetime | None = None, until: datetime | None = None
) -> list[Decision]:
    """The decisions log (of one service, within [since, until)), newest first."""
    return list_decisions(_engine(settings), service=service, since=since, until=until)


def readings_of(report: SloReport) -> list[BudgetReading]:
    """Each SLO's budget remaining in the live report (an SLO its source could not answer reads as no data)."""
    return [BudgetReading(s.slo.name, s.slo.service, None if s.error else s.budget_remaining) for s in report.statuses]


def states(settings: Settings, report: SloReport, services: Sequence[str] = ()) -> list[ServiceState]:
    """Every service's policy state from the report, with its latest decision, freeze first."""
    return service_states(readings_of(report), policies(settings), decisions(settings), services)


def freezes(settings: Settings, report: SloReport) -> list[ServiceState]:
    """The services in freeze now, with their latest decision: what the SLO burn page's badge says."""
    return [s for s in states(settings, report) if s.state is PolicyState.FREEZE]


# --- incidents that burned a large share of a budget ---------------------------------------------------------------


def incident_burns(source, report: SloReport, incidents: Sequence[Incident], policy_list: Sequence[Policy]):
    """Each incident's largest share of a budget over its service's SLOs (``metrics.slo_policy.rules``): the bad
    events of the incident's interval (started → resolved, or the report's instant while open), counted by the
    source as one bucket ending at the interval's end, over the SLO's budget in events for its period so far.
    Incidents that started before an SLO's period, or that its source cannot count, are left out for that SLO."""
    burns: list[IncidentBurn] = []
    for incident in incidents:
        policy = policy_for(incident.service, policy_list)
        if policy is None:
            continue
        best: IncidentBurn | None = None
        for status in report.statuses:
            if status.slo.service != incident.service or status.error:
                continue
            counts = status.counts.get(PERIOD_KEY)
            end = min(incident.resolved or report.at, report.at)
            if counts is None or incident.started < status.period.start or end <= incident.started:
                continue
            try:
                bucket = source.event_buckets(status.slo, end, end, end - incident.started)
            except Exception:  # a source error of any kind: that SLO's share cannot be said, the others can
                continue
            bad = float(bucket["bad"].sum()) if len(bucket) else None
            share = incident_budget_share(bad, counts.total, status.slo.target)
            if share is not None and (best is None or share > best.share):
                best = IncidentBurn(
                    incident.reference,
                    incident.service,
                    status.slo.name,
                    share,
                    policy.postmortem_share,
                    incident.summary,
                )
        if best is not None:
            burns.append(best)
    return burns


def _demo_aligned(settings: Settings, report: SloReport) -> Settings:
    """In demo mode, the settings whose clock is where the report's demo history ends (``demo_history_end``), so
    the demo's incidents fall on the outages of the history the report read, even when a page evaluates after the
    app's fixed clock."""
    if not settings.is_demo:
        return settings
    from data.slo.service import demo_history_end

    return replace(settings, now_override=demo_history_end(settings, report.at))


@dataclass(frozen=True)
class PolicyOverview:
    """What the policy page and ``slo-policy show`` print: each service's state, the policies, the incidents
    that need a postmortem (with where they come from), and the decisions log."""

    states: list[ServiceState]
    policies: list[Policy]
    postmortems: list[IncidentBurn]
    incidents_note: str | None
    decisions: list[Decision]


def policy_overview(settings: Settings, report: SloReport, services: Sequence[str], source=None) -> PolicyOverview:
    """The whole picture at the report's instant; ``source``: the report's source, to count the incidents' bad
    events (None: no postmortem check)."""
    from data.incidents.service import incidents_or_demo

    policy_list = policies(settings)
    log = decisions(settings)
    shown = service_states(readings_of(report), policy_list, log, services)
    postmortems: list[IncidentBurn] = []
    note = None
    if source is not None and report.statuses and policy_list:
        start = min(status.period.start for status in report.statuses)
        incidents, note = incidents_or_demo(_demo_aligned(settings, report), _engine(settings), start, report.at)
        postmortems = postmortems_required(incident_burns(source, report, incidents, policy_list))
    return PolicyOverview(shown, policy_list, postmortems, note, log)


# --- writes ----------------------------------------------------------------------------------------------------------


def tracker_reference(scope: str) -> str:
    """How the policy's revisit-tracker item names it (its external reference): the link back."""
    return f"error-budget-policy:{scope}"


# What a policy save changes on its existing tracker item; whatever else someone set on the item stays as they left it.
POLICY_DRIVEN_FIELDS = ("title", "problem_statement", "decided_by", "decided_on", "revisit_on")


def _tracker_values(policy: Policy) -> dict:
    return {
        "title": f"Error-budget policy: {policy.label}",
        "problem_statement": (
            f"Revisit the error-budget policy for {policy.label} (approved by {policy.approver} on "
            f"{policy.approved_on.isoformat()}): at risk from {format_share(policy.at_risk_spent)} of the budget "
            f"spent, freeze at {format_share(policy.freeze_spent)}, a postmortem when one incident burns more than "
            f"{format_share(policy.postmortem_share)}.\n\nAgreed actions:\n{policy.actions}"
        ),
        "owner_role": "SRE",
        "owner": policy.approver,
        "why_parked_category": "authority",
        "why_parked": "An agreed policy: the team and its approver look at it again on its revisit date.",
        "decided_by": policy.approver,
        "decided_on": policy.approved_on,
        "revisit_on": policy.revisit_on,
        "external_reference": tracker_reference(policy.scope),
        "services": [] if policy.scope == ALL_SERVICES else [policy.scope],
    }


def _sync_tracker_item(settings: Settings, policy: Policy, services: Collection[str], actor: Actor) -> int:
    """Create or update the policy's tracker item, parked until the policy's revisit date, through the tracker's
    own write path (its rules, versions and audit trail); returns its id."""
    from data.tracker import store as tracker
    from metrics.tracker.rules import PARKED, KnownNames, TrackerRuleError

    engine, now, today = _engine(settings), settings.now(), _today(settings)
    known = KnownNames(services=list(services))
    values = _tracker_values(policy)
    item = tracker.get_item(engine, policy.tracker_item_id) if policy.tracker_item_id else None
    if item is None:
        reference = tracker_reference(policy.scope)
        item = next((i for i in tracker.list_items(engine) if i.external_reference == reference), None)
    if item is None:
        item = tracker.create_item(engine, {**values, "state": PARKED}, actor=actor, now=now, today=today, known=known)
    else:
        driven = {name: values[name] for name in POLICY_DRIVEN_FIELDS}  # owner, links and the rest stay the team's
        item = tracker.update_item(
            engine, item.id, item.version, driven, actor=actor, now=now, today=today, known=known
        )
        if item.state != PARKED:
            try:  # the policy was revisited: parked again until its new revisit date
                item = tracker.change_state(
                    engine,
                    item.id,
                    item.version,
                    PARKED,
                    actor=actor,
                    now=now,
                    today=today,
                    revisit_on=policy.revisit_on,
                    note="error-budget policy saved with a new revisit date",
                )
            except TrackerRuleError:  # a finished item (closed, cancelled) stays as the team left it
                pass
    if policy.tracker_item_id != item.id:
        link_tracker_item(engine, policy.scope, item.id)
    return item.id


def set_policy(
    settings: Settings,
    services: Collection[str],
    *,
    actor: Actor,
    scope: str,
    actions: str,
    approver: str,
    approved_on: date | None,
    revisit_on: date | None,
    at_risk_spent: float,
    freeze_spent: float,
    postmortem_share: float,
    base_version: int,
) -> Policy:
    """Save the policy for ``scope`` (a service, or ``*``) made on ``base_version`` (0: a new one). Editors only:
    ``PermissionDenied`` before anything is looked at; ``PolicyError`` names each bad field; ``PolicyConflict``
    when someone saved another version meanwhile (nothing is stored). The revisit-tracker item follows."""
    require_role(actor, Role.EDITOR, "edit the error-budget policy")
    require(actor, Role.EDITOR, "edit the error-budget policy")
    scope = scope.strip()
    problems = validate_policy(
        scope=scope,
        actions=actions,
        approver=approver,
        approved_on=approved_on,
        revisit_on=revisit_on,
        at_risk_spent=at_risk_spent,
        freeze_spent=freeze_spent,
        postmortem_share=postmortem_share,
        services=services,
        today=_today(settings),
    )
    if problems:
        raise PolicyError(problems)
    assert approved_on is not None and revisit_on is not None
    policy = Policy(
        scope=scope,
        actions=actions.strip(),
        approver=approver.strip(),
        approved_on=approved_on,
        revisit_on=revisit_on,
        at_risk_spent=at_risk_spent,
        freeze_spent=freeze_spent,
        postmortem_share=postmortem_share,
    )
    stored = save_policy(_engine(settings), policy, base_version=base_version, actor=actor, now=settings.now())
    item_id = _sync_tracker_item(settings, stored, services, actor)
    return Policy(**{**stored.__dict__, "tracker_item_id": item_id})


def record_decision(
    settings: Settings,
    services: Collection[str],
    *,
    actor: Actor,
    service: str,
    kind: str | DecisionKind,
    reason: str,
    incident: str = "",
    state: PolicyState | str = "",
    submission_key: str | None = None,
) -> Decision:
    """Append a decision under the actor's name, now, with the service's policy state as the caller read it.
    Editors only; ``PolicyError`` names a bad field; ``AlreadyRecorded`` for a repeated submission."""
    require_role(actor, Role.EDITOR, "record error-budget policy decisions")
    chosen = validate_decision(service=service, kind=kind, reason=reason, services=services, incident=incident)
    name = require(actor, Role.EDITOR, "record error-budget policy decisions")
    decision = Decision(
        service=service,
        kind=chosen,
        reason=reason.strip(),
        decided_by=name,
        decided_at=settings.now(),
        incident=incident.strip(),
        state=state.value if isinstance(state, PolicyState) else str(state),
    )
    return insert_decision(_engine(settings), decision, actor=actor, submission_key=submission_key)


def policy(settings: Settings, scope: str) -> Policy | None:
    return get_policy(_engine(settings), scope)
