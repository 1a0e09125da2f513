"""Revisit tracker rules: states and allowed transitions, priority from impact × urgency, validation of an item's
fields, and what each review outcome does to an item.

Pure: plain values in, plain values out. No streamlit, no database, no clock (callers pass ``today``). Trigger
evaluation, the due queue and aging live in ``metrics.tracker.triggers``, ``metrics.tracker.due`` and
``metrics.tracker.aging``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

# --- vocabularies ---------------------------------------------------------------------------------------------------

NEW, ASSESSING, PARKED, DUE, IN_PROGRESS, RESOLVED, CLOSED = (
    "new",
    "assessing",
    "parked",
    "due",
    "in_progress",
    "resolved",
    "closed",
)
DUPLICATE, RISK_ACCEPTED, CANCELLED = "duplicate", "risk_accepted", "cancelled"

STATES = (NEW, ASSESSING, PARKED, DUE, IN_PROGRESS, RESOLVED, CLOSED, DUPLICATE, RISK_ACCEPTED, CANCELLED)
STATE_LABELS = {
    NEW: "new",
    ASSESSING: "assessing",
    PARKED: "parked",
    DUE: "due for revisit",
    IN_PROGRESS: "in progress",
    RESOLVED: "resolved",
    CLOSED: "closed",
    DUPLICATE: "duplicate",
    RISK_ACCEPTED: "risk accepted",
    CANCELLED: "cancelled",
}
# Open = still somebody's problem; the aging figures count only these.
OPEN_STATES = frozenset({NEW, ASSESSING, PARKED, DUE, IN_PROGRESS})
# States that end the item's life; each needs a resolution code.
FINISHED_STATES = frozenset({RESOLVED, CLOSED, DUPLICATE, RISK_ACCEPTED, CANCELLED})

# The main line new → assessing → parked → due → parked again or in progress → resolved → closed, plus the side
# states. Every finished state can be reopened into assessing: the team grows, and "beyond us" may not last.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    NEW: frozenset({ASSESSING, PARKED, IN_PROGRESS, DUPLICATE, RISK_ACCEPTED, CANCELLED}),
    ASSESSING: frozenset({PARKED, IN_PROGRESS, DUPLICATE, RISK_ACCEPTED, CANCELLED}),
    PARKED: frozenset({DUE, ASSESSING, IN_PROGRESS, RESOLVED, DUPLICATE, RISK_ACCEPTED, CANCELLED}),
    DUE: frozenset({PARKED, ASSESSING, IN_PROGRESS, RESOLVED, DUPLICATE, RISK_ACCEPTED, CANCELLED}),
    IN_PROGRESS: frozenset({PARKED, RESOLVED, DUPLICATE, RISK_ACCEPTED, CANCELLED}),
    RESOLVED: frozenset({CLOSED, IN_PROGRESS}),
    CLOSED: frozenset({ASSESSING}),
    DUPLICATE: frozenset({ASSESSING}),
    RISK_ACCEPTED: frozenset({ASSESSING}),
    CANCELLED: frozenset({ASSESSING}),
}

OWNER_ROLES = ("TPM", "SRE", "DBA")
LEVELS = ("low", "medium", "high", "critical")  # impact and urgency
WHY_PARKED_CATEGORIES = ("skills", "tooling", "authority", "cost", "vendor", "dependency", "other")
ROOT_CAUSE_CONFIDENCES = ("known", "suspected", "unknown")
RESOLUTION_CODES = ("fixed", "risk_accepted", "duplicate", "obsolete", "transferred")

# The resolution codes each finished state accepts; a state with one choice gets it without asking.
RESOLUTIONS_FOR_STATE: dict[str, tuple[str, ...]] = {
    RESOLVED: ("fixed", "obsolete", "transferred"),
    CLOSED: ("fixed", "obsolete", "transferred"),
    DUPLICATE: ("duplicate",),
    RISK_ACCEPTED: ("risk_accepted",),
    CANCELLED: ("obsolete", "transferred"),
}

KEEP_PARKED, START_WORK, OUTCOME_RESOLVED = "keep_parked", "start_work", "resolved"
OUTCOME_RISK_ACCEPTED, OUTCOME_DUPLICATE, OUTCOME_OBSOLETE = "risk_accepted", "duplicate", "obsolete"
REVIEW_OUTCOMES = (
    KEEP_PARKED,
    START_WORK,
    OUTCOME_RESOLVED,
    OUTCOME_RISK_ACCEPTED,
    OUTCOME_DUPLICATE,
    OUTCOME_OBSOLETE,
)
OUTCOME_LABELS = {
    KEEP_PARKED: "keep parked",
    START_WORK: "start work",
    OUTCOME_RESOLVED: "resolved",
    OUTCOME_RISK_ACCEPTED: "risk accepted",
    OUTCOME_DUPLICATE: "duplicate",
    OUTCOME_OBSOLETE: "obsolete",
}
# What each review outcome does: the state it leads to and the resolution code it sets (None keeps none).
OUTCOME_EFFECTS: dict[str, tuple[str, str | None]] = {
    KEEP_PARKED: (PARKED, None),
    START_WORK: (IN_PROGRESS, None),
    OUTCOME_RESOLVED: (RESOLVED, "fixed"),
    OUTCOME_RISK_ACCEPTED: (RISK_ACCEPTED, "risk_accepted"),
    OUTCOME_DUPLICATE: (DUPLICATE, "duplicate"),
    OUTCOME_OBSOLETE: (CANCELLED, "obsolete"),
}

TITLE_MAX_LENGTH = 200
NAME_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 20_000
CADENCE_MAX_DAYS = 3650
REFERENCE_MAX_LENGTH = 500
# Longest text per field: what the store's columns hold (names and references are VARCHARs on PostgreSQL).
TEXT_LIMITS = {
    "problem_statement": TEXT_MAX_LENGTH,
    "why_parked": TEXT_MAX_LENGTH,
    "workaround": TEXT_MAX_LENGTH,
    "decided_by": NAME_MAX_LENGTH,
    "owner": NAME_MAX_LENGTH,
    "external_reference": REFERENCE_MAX_LENGTH,
}
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$")  # services, SLOs, databases: no separators inside


class TrackerRuleError(ValueError):
    """Input that breaks a tracker rule; ``problems`` maps each field to what is wrong with it."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.problems.items()))


# --- priority -------------------------------------------------------------------------------------------------------

PRIORITIES = ("P1", "P2", "P3", "P4")


def priority(impact: str, urgency: str) -> str:
    """P1 (act now) … P4 (whenever), from the product of impact and urgency on a 1–4 scale.

    critical × critical, critical × high = 16, 12 → P1; 6–9 → P2; 3–4 → P3; 1–2 → P4. Symmetric: impact and urgency
    weigh the same, so a small problem that is very urgent ranks with a big one that can wait."""
    score = (LEVELS.index(impact) + 1) * (LEVELS.index(urgency) + 1)
    if score >= 12:
        return "P1"
    if score >= 6:
        return "P2"
    if score >= 3:
        return "P3"
    return "P4"


# --- transitions ----------------------------------------------------------------------------------------------------


def is_transition_allowed(current: str, target: str) -> bool:
    return target in ALLOWED_TRANSITIONS.get(current, frozenset())


def transition_problem(current: str, target: str) -> str | None:
    """Why ``current`` → ``target`` is refused, naming the states it may go to; None when allowed."""
    if target not in STATES:
        return f"unknown state {target!r}"
    if current == target:
        return f"the item is already {STATE_LABELS[current]}"
    if is_transition_allowed(current, target):
        return None
    allowed = ", ".join(STATE_LABELS[state] for state in STATES if state in ALLOWED_TRANSITIONS.get(current, ()))
    return (
        f"an item that is {STATE_LABELS.get(current, current)} cannot become {STATE_LABELS[target]} "
        f"(it may become: {allowed})"
    )


def resolution_problem(state: str, resolution_code: str | None) -> str | None:
    """A finished state needs a resolution code it accepts; an open state carries none."""
    accepted = RESOLUTIONS_FOR_STATE.get(state)
    if accepted is None:
        return None
    if resolution_code not in accepted:
        return f"{STATE_LABELS[state]} needs a resolution code: {' or '.join(accepted)}"
    return None


def default_resolution(state: str) -> str | None:
    """The resolution code a finished state implies when it accepts only one (duplicate, risk accepted)."""
    accepted = RESOLUTIONS_FOR_STATE.get(state, ())
    return accepted[0] if len(accepted) == 1 else None


# --- validation -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownNames:
    """What links and triggers may name: SLOs and services of the catalog, databases of databases.toml."""

    slos: Collection[str] = ()
    services: Collection[str] = ()
    databases: Collection[str] = ()


def _name_list_problem(kind: str, names: Sequence[str], known: Collection[str], check_known: bool) -> str | None:
    bad = [name for name in names if not _NAME_PATTERN.match(name) or len(name) > NAME_MAX_LENGTH]
    if bad:
        return f"not a {kind} name: {', '.join(repr(name) for name in bad)}"
    if len(set(names)) != len(names):
        return f"the same {kind} is listed twice"
    if check_known:
        unknown = [name for name in names if name not in known]
        if unknown:
            hint = f" (known: {', '.join(sorted(known))})" if known else f" (no {kind}s are configured)"
            return f"unknown {kind}: {', '.join(unknown)}{hint}"
    return None


def validate_item(fields: Mapping[str, Any], known: KnownNames, *, check_links: bool = True) -> dict[str, str]:
    """Problems with an item's fields, by field name; empty when the item may be stored.

    ``check_links`` is False when an import restores items whose linked names are no longer configured: the
    names must still be well-formed, but a database taken out of databases.toml must not make history unreadable.
    Triggers are checked by ``metrics.tracker.triggers.validate_triggers``; state rules by ``parking_problems``."""
    problems: dict[str, str] = {}
    title = str(fields.get("title") or "").strip()
    if not title:
        problems["title"] = "a title is required"
    elif len(title) > TITLE_MAX_LENGTH:
        problems["title"] = f"at most {TITLE_MAX_LENGTH} characters (this one has {len(title)})"
    for name, limit in TEXT_LIMITS.items():
        value = fields.get(name)
        value = "" if value is None else value  # not `or ""`: an empty {} or [] from a file is not text either
        if not isinstance(value, str):
            problems[name] = "must be text"
        elif len(value) > limit:
            problems[name] = f"at most {limit} characters (this one has {len(value)})"
    choices = {
        "state": STATES,
        "owner_role": OWNER_ROLES,
        "impact": LEVELS,
        "urgency": LEVELS,
        "why_parked_category": WHY_PARKED_CATEGORIES,
        "root_cause_confidence": ROOT_CAUSE_CONFIDENCES,
    }
    for name, options in choices.items():
        if fields.get(name) not in options:
            problems[name] = f"must be one of {', '.join(options)}" + (
                f", not {fields.get(name)!r}" if fields.get(name) not in (None, "") else ""
            )
    resolution = fields.get("resolution_code")
    if resolution not in (None, "") and resolution not in RESOLUTION_CODES:
        problems["resolution_code"] = f"must be one of {', '.join(RESOLUTION_CODES)}, not {resolution!r}"
    elif "state" not in problems:
        problem = resolution_problem(fields["state"], resolution or None)
        if problem:
            problems["resolution_code"] = problem
    cadence = fields.get("cadence_days")
    if cadence is not None and (
        not isinstance(cadence, int) or isinstance(cadence, bool) or not 1 <= cadence <= CADENCE_MAX_DAYS
    ):
        problems["cadence_days"] = f"a whole number of days from 1 to {CADENCE_MAX_DAYS}, or empty"
    for name in ("revisit_on", "decided_on"):
        value = fields.get(name)
        if value is not None and not isinstance(value, date):
            problems[name] = "must be a date like 2026-12-01"
    holds = fields.get("workaround_holds")
    if holds is not None and not isinstance(holds, bool):
        problems["workaround_holds"] = "must be yes, no or empty"
    for name, kind, known_names in (
        ("services", "service", known.services),
        ("slos", "SLO", known.slos),
        ("databases", "database", known.databases),
    ):
        value = fields.get(name) or []
        if not isinstance(value, (list, tuple)) or not all(isinstance(entry, str) for entry in value):
            problems[name] = "must be a list of names"
            continue
        problem = _name_list_problem(kind, list(value), known_names, check_links)
        if problem:
            problems[name] = problem
    return problems


def parking_problems(revisit_on: date | None, trigger_count: int, today: date) -> dict[str, str]:
    """Parking needs something that will bring the item back: a revisit date (not in the past) or a trigger."""
    if revisit_on is None and trigger_count == 0:
        return {"revisit_on": "parking needs a revisit date or at least one revisit trigger"}
    if revisit_on is not None and revisit_on < today:
        return {
            "revisit_on": f"the revisit date {revisit_on.isoformat()} is in the past (today is {today.isoformat()})"
        }
    return {}


def state_change_problems(
    current: str, target: str, *, revisit_on: date | None, trigger_count: int, resolution_code: str | None, today: date
) -> dict[str, str]:
    """Everything that stops ``current`` → ``target``, by field; empty when the change may be stored."""
    problem = transition_problem(current, target)
    if problem:
        return {"state": problem}
    problems: dict[str, str] = {}
    if target == PARKED:
        problems.update(parking_problems(revisit_on, trigger_count, today))
    resolution = resolution_problem(target, resolution_code)
    if resolution:
        problems["resolution_code"] = resolution
    return problems


def review_problems(
    current: str, outcome: str, *, next_revisit_on: date | None, trigger_count: int, today: date
) -> dict[str, str]:
    """A review may be recorded from any open state; its outcome must lead somewhere allowed.

    Keeping an item parked needs a next revisit date (or a trigger), not in the past."""
    if outcome not in REVIEW_OUTCOMES:
        return {"outcome": f"must be one of {', '.join(OUTCOME_LABELS[o] for o in REVIEW_OUTCOMES)}"}
    if current not in OPEN_STATES:
        return {
            "outcome": f"the item is {STATE_LABELS.get(current, current)}: reopen it (assessing) before "
            "recording a review"
        }
    target, resolution = OUTCOME_EFFECTS[outcome]
    if target != current:
        problem = transition_problem(current, target)
        if problem:
            return {"outcome": problem}
    if target == PARKED:
        return {
            key if key != "revisit_on" else "next_revisit_on": value
            for key, value in parking_problems(next_revisit_on, trigger_count, today).items()
        }
    return {}


def team_today(moment: datetime, timezone_name: str) -> date:
    """The calendar day at ``moment`` in the team's time zone: revisit dates are days there, not in UTC."""
    return moment.astimezone(ZoneInfo(timezone_name)).date()
