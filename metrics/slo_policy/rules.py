"""The error-budget policy's rules (SRE Workbook, appendix B), pure: which policy applies to a service, the policy
state each service is in from the budgets of its SLOs, which incidents burned enough of a budget to need a
postmortem, and the checks a policy and a decision must pass before they are stored.

- A policy covers one service, or every service (scope ``*``); a service's own policy overrides the all-services one.
- Budget spent = 1 − budget remaining over the SLO's period (the live report's ``SloStatus.budget_remaining``), so
  an overspent budget is more than 100 % spent. The worst SLO of a service (the most spent) decides its state:
  **freeze** at or above the policy's freeze threshold (default 100 %), **at risk** at or above its at-risk
  threshold (default 75 %), **normal** below; **no data** when none of its SLOs has data; **no policy** when no
  policy covers the service.
- An incident's share of a budget = the bad events counted over the incident's interval (started → resolved, or now
  while open) ÷ the SLO's budget in events over its period so far ((1 − target) × the period's events). The share
  of a service's incident is its largest share over the service's SLOs; above the policy's postmortem share
  (default 20 %) the incident needs a postmortem.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum, StrEnum

from metrics.status import CRITICAL, INFO, OK, WARN, StatusStyle
from metrics.status import NO_DATA as NO_DATA_STYLE

ALL_SERVICES = "*"
ALL_SERVICES_LABEL = "all services"
DEFAULT_AT_RISK_SPENT = 0.75
DEFAULT_FREEZE_SPENT = 1.0
DEFAULT_POSTMORTEM_SHARE = 0.20
ACTIONS_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 2000
NAME_MAX_LENGTH = 200
MAX_SPENT = 10.0  # a threshold above 1000 % spent would never be reached in practice: a typo


class PolicyState(Enum):
    """A service's state under its policy, with the status palette's shape and colour."""

    FREEZE = "freeze"
    AT_RISK = "at risk"
    NORMAL = "normal"
    NO_DATA = "no data"
    NO_POLICY = "no policy"

    @property
    def style(self) -> StatusStyle:
        return _STATE_STYLES[self]

    @property
    def badge(self) -> str:
        """ "■ freeze": the palette's symbol with the state's own word."""
        return f"{self.style.symbol} {self.value}"

    @property
    def rank(self) -> int:
        return list(PolicyState).index(self)


_STATE_STYLES = {
    PolicyState.FREEZE: CRITICAL,
    PolicyState.AT_RISK: WARN,
    PolicyState.NORMAL: OK,
    PolicyState.NO_DATA: NO_DATA_STYLE,
    PolicyState.NO_POLICY: INFO,
}


class DecisionKind(StrEnum):
    """What the team decided under the policy."""

    FREEZE = "freeze"
    EXCEPTION = "exception"
    POSTMORTEM = "postmortem"
    FREEZE_LIFTED = "freeze-lifted"

    @property
    def label(self) -> str:
        return _DECISION_LABELS[self]


_DECISION_LABELS = {
    DecisionKind.FREEZE: "freeze",
    DecisionKind.EXCEPTION: "exception granted",
    DecisionKind.POSTMORTEM: "postmortem required",
    DecisionKind.FREEZE_LIFTED: "freeze lifted",
}


def scope_label(scope: str) -> str:
    return ALL_SERVICES_LABEL if scope == ALL_SERVICES else scope


@dataclass(frozen=True)
class Policy:
    """One error-budget policy: for ``scope`` (a service, or ``*`` for all), the agreed actions, its thresholds as
    fractions (budget spent for at risk and freeze, one incident's share for a postmortem), who approved it and
    when, and when to revisit it. ``version`` counts its saves (0: never saved)."""

    scope: str
    actions: str
    approver: str
    approved_on: date
    revisit_on: date
    at_risk_spent: float = DEFAULT_AT_RISK_SPENT
    freeze_spent: float = DEFAULT_FREEZE_SPENT
    postmortem_share: float = DEFAULT_POSTMORTEM_SHARE
    version: int = 0
    updated_at: datetime | None = None
    updated_by: str = ""
    tracker_item_id: int | None = None

    @property
    def label(self) -> str:
        return scope_label(self.scope)


@dataclass(frozen=True)
class Decision:
    """One decision taken under the policy for one service; never changed (a later decision supersedes it)."""

    service: str
    kind: DecisionKind
    reason: str
    decided_by: str
    decided_at: datetime
    incident: str = ""  # the incident a postmortem is required for
    state: str = ""  # the service's policy state when the decision was recorded
    id: int | None = None


@dataclass(frozen=True)
class BudgetReading:
    """One SLO's budget remaining over its period (None: no data), from the live report or the weekly readings."""

    slo: str
    service: str
    budget_remaining: float | None


@dataclass(frozen=True)
class ServiceState:
    service: str
    state: PolicyState
    policy: Policy | None
    worst_slo: str | None  # the SLO with the most budget spent; None without data
    budget_spent: float | None
    latest_decision: Decision | None = None


class PolicyError(ValueError):
    """A policy or a decision that may not be stored, with the problem of each field; nothing was stored."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in self.problems.items()))


def budget_spent(budget_remaining: float | None) -> float | None:
    """The share of the budget spent (1 − remaining): above 1 when overspent; None without data."""
    return None if budget_remaining is None else 1.0 - budget_remaining


def policy_for(service: str, policies: Iterable[Policy]) -> Policy | None:
    """The service's own policy, else the all-services one, else None."""
    by_scope = {policy.scope: policy for policy in policies}
    return by_scope.get(service) or by_scope.get(ALL_SERVICES)


def state_for(spent: float | None, policy: Policy | None) -> PolicyState:
    """The state at ``spent`` (the worst SLO's budget spent) under ``policy``."""
    if policy is None:
        return PolicyState.NO_POLICY
    if spent is None:
        return PolicyState.NO_DATA
    if spent >= policy.freeze_spent:
        return PolicyState.FREEZE
    if spent >= policy.at_risk_spent:
        return PolicyState.AT_RISK
    return PolicyState.NORMAL


def latest_decisions(decisions: Iterable[Decision]) -> dict[str, Decision]:
    """Each service's newest decision (by time, then id)."""
    latest: dict[str, Decision] = {}
    for decision in sorted(decisions, key=lambda d: (d.decided_at, d.id or 0)):
        latest[decision.service] = decision
    return latest


def service_states(
    readings: Iterable[BudgetReading],
    policies: Sequence[Policy],
    decisions: Iterable[Decision] = (),
    services: Iterable[str] = (),
) -> list[ServiceState]:
    """Every service the readings, the per-service policies or ``services`` name, with its state and its worst SLO,
    freeze first, then at risk, normal, no data and no policy, by name within each."""
    worst: dict[str, tuple[float, str] | None] = {name: None for name in services}
    for policy in policies:
        if policy.scope != ALL_SERVICES:
            worst.setdefault(policy.scope, None)
    for reading in readings:
        spent = budget_spent(reading.budget_remaining)
        current = worst.setdefault(reading.service, None)
        if spent is not None and (
            current is None or spent > current[0] or (spent == current[0] and reading.slo < current[1])
        ):
            worst[reading.service] = (spent, reading.slo)
    latest = latest_decisions(decisions)
    states = []
    for service, found in worst.items():
        policy = policy_for(service, policies)
        spent = None if found is None else found[0]
        states.append(
            ServiceState(
                service=service,
                state=state_for(spent, policy),
                policy=policy,
                worst_slo=None if found is None else found[1],
                budget_spent=spent,
                latest_decision=latest.get(service),
            )
        )
    return sorted(states, key=lambda s: (s.state.rank, s.service))


def incident_budget_share(bad_in_incident: float | None, period_total: float | None, target: float) -> float | None:
    """The share of the SLO's budget one incident burned: bad events in its interval ÷ ((1 − target) × the
    period's events). None when either count is missing or the period saw no events."""
    if bad_in_incident is None or period_total is None or period_total <= 0:
        return None
    return max(bad_in_incident, 0.0) / ((1.0 - target) * period_total)


@dataclass(frozen=True)
class IncidentBurn:
    """One incident's largest share of a budget over its service's SLOs."""

    reference: str
    service: str
    slo: str
    share: float
    threshold: float
    summary: str = ""

    @property
    def needs_postmortem(self) -> bool:
        return self.share > self.threshold


def postmortems_required(burns: Iterable[IncidentBurn]) -> list[IncidentBurn]:
    """The incidents that burned more than their policy's postmortem share, the largest share first."""
    return sorted((b for b in burns if b.needs_postmortem), key=lambda b: (-b.share, b.reference))


def _name_problem(text: str, what: str) -> str | None:
    if not text.strip():
        return f"{what} is required"
    if len(text) > NAME_MAX_LENGTH or any(ord(character) < 32 for character in text):
        return f"at most {NAME_MAX_LENGTH} characters with no control characters"
    return None


def validate_policy(
    *,
    scope: str,
    actions: str,
    approver: str,
    approved_on: date | None,
    revisit_on: date | None,
    at_risk_spent: float,
    freeze_spent: float,
    postmortem_share: float,
    services: Collection[str],
    today: date,
) -> dict[str, str]:
    """Every problem of a policy, by field; empty when it may be stored."""
    problems: dict[str, str] = {}
    if scope != ALL_SERVICES and scope not in services:
        problems["scope"] = f"{scope!r} is not a service of the catalog (or * for all services)"
    if not actions.strip():
        problems["actions"] = "say what the team agreed to do when the budget is spent"
    elif len(actions) > ACTIONS_MAX_LENGTH:
        problems["actions"] = f"at most {ACTIONS_MAX_LENGTH} characters (this one has {len(actions)})"
    if problem := _name_problem(approver, "the approver"):
        problems["approver"] = problem
    if approved_on is None:
        problems["approved_on"] = "the approval date is required"
    elif approved_on > today:
        problems["approved_on"] = f"the approval date {approved_on.isoformat()} is in the future"
    if revisit_on is None:
        problems["revisit_on"] = "the revisit date is required"
    elif revisit_on < today:
        problems["revisit_on"] = f"the revisit date {revisit_on.isoformat()} is in the past (today is {today})"
    elif approved_on is not None and revisit_on <= approved_on:
        problems["revisit_on"] = "the revisit date must come after the approval date"
    if not 0 < freeze_spent <= MAX_SPENT:
        problems["freeze_spent"] = f"between 0 % and {MAX_SPENT:.0%} of the budget spent"
    if not 0 < at_risk_spent <= MAX_SPENT:
        problems["at_risk_spent"] = f"between 0 % and {MAX_SPENT:.0%} of the budget spent"
    elif "freeze_spent" not in problems and at_risk_spent > freeze_spent:
        problems["at_risk_spent"] = "at risk must come before freeze (at most the freeze threshold)"
    if not 0 < postmortem_share <= 1:
        problems["postmortem_share"] = "between 0 % and 100 % of the budget"
    return problems


def validate_decision(
    *, service: str, kind: str | DecisionKind, reason: str, services: Collection[str], incident: str = ""
) -> DecisionKind:
    """The decision's kind when it may be stored; ``PolicyError`` naming each bad field otherwise. Every decision
    needs its reason, and a postmortem names its incident."""
    problems: dict[str, str] = {}
    try:
        chosen = DecisionKind(kind)
    except ValueError:
        chosen = None
        problems["kind"] = f"one of {', '.join(k.value for k in DecisionKind)}, not {kind!r}"
    if service not in services:
        problems["service"] = f"{service!r} is not a service of the catalog"
    if not reason.strip():
        problems["reason"] = "say why (it is what the next person reads)"
    elif len(reason) > REASON_MAX_LENGTH:
        problems["reason"] = f"at most {REASON_MAX_LENGTH} characters (this one has {len(reason)})"
    if len(incident) > NAME_MAX_LENGTH:
        problems["incident"] = f"at most {NAME_MAX_LENGTH} characters"
    elif chosen is DecisionKind.POSTMORTEM and not incident.strip():
        problems["incident"] = "a postmortem names the incident it is for"
    if problems:
        raise PolicyError(problems)
    assert chosen is not None
    return chosen


def format_share(value: float | None) -> str:
    """A threshold or a share as people read it: "75%", "20%", "112.5%"."""
    if value is None:
        return "no data"
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def decision_line(decision: Decision) -> str:
    """ "freeze by Dana on 2026-11-24: budget spent" (user text included: show as text)."""
    incident = f" ({decision.incident})" if decision.incident else ""
    return (
        f"{decision.kind.label}{incident} by {decision.decided_by} on {decision.decided_at.date().isoformat()}: "
        f"{decision.reason}"
    )
