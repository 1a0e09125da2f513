"""The weekly review's "Error-budget policy" section: each service's state at the week's end from the readings,
with its newest decision before then, and the decisions taken during the week (W47 in Europe/Berlin: Mon 16 Nov
00:00 to Mon 23 Nov 00:00 local, 15 Nov 23:00 to 22 Nov 23:00 UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from metrics.slo_policy.rules import ALL_SERVICES, Decision, DecisionKind, Policy
from metrics.weekly.review import SloReading
from tests.unit.metrics.weekly.test_review import MIXED, review

POLICY = Policy(ALL_SERVICES, "halt changes", "Lee", date(2026, 11, 1), date(2027, 5, 1))
READINGS = [
    SloReading("a-availability", "a", -0.25, "page"),  # spent 125 %: freeze
    SloReading("b-availability", "b", 0.2, "ok"),  # spent 80 %: at risk
    SloReading("c-availability", "c", 0.9, "ok"),  # spent 10 %: normal
]


def decision(day: int, hour: int, kind: DecisionKind = DecisionKind.FREEZE, service: str = "a", id: int = 1):
    return Decision(service, kind, "budget spent", "Dana", datetime(2026, 11, day, hour, tzinfo=UTC), id=id)


def test_each_service_reads_its_state_at_the_weeks_end_freeze_first():
    weekly = review(MIXED, readings=READINGS, policies=[POLICY])

    assert [(p.service, p.state, p.budget_spent) for p in weekly.policy_states] == [
        ("a", "■ freeze", "125%"),
        ("b", "▲ at risk", "80%"),
        ("c", "✓ normal", "10%"),
    ]


def test_a_frozen_service_carries_its_newest_decision():
    weekly = review(MIXED, readings=READINGS, policies=[POLICY], policy_decisions=[decision(18, 9)])

    assert weekly.policy_states[0].latest_decision == "freeze by Dana on 2026-11-18: budget spent"


def test_only_the_weeks_decisions_are_listed_in_local_time():
    before = decision(15, 22, id=1)  # Sun 15 Nov 23:00 Berlin: the week before
    inside = decision(16, 0, DecisionKind.EXCEPTION, id=2)  # Mon 16 Nov 01:00 Berlin
    last = decision(22, 22, DecisionKind.FREEZE_LIFTED, id=3)  # Sun 22 Nov 23:00 Berlin: still W47
    weekly = review(MIXED, readings=READINGS, policies=[POLICY], policy_decisions=[last, before, inside])

    assert [(d.when, d.decision) for d in weekly.policy_decisions] == [
        ("Mon 16 Nov 01:00", "exception granted"),
        ("Sun 22 Nov 23:00", "freeze lifted"),
    ]
