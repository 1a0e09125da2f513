"""Error-budget policy rules on hand-made inputs: which policy applies, the state from the worst SLO's budget, an
incident's share of a budget, and what a policy and a decision must carry. Every expected figure is worked out here
from the raw numbers (budget spent = 1 − remaining; share = bad ÷ ((1 − target) × events))."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from metrics.slo_policy.rules import (
    ALL_SERVICES,
    BudgetReading,
    Decision,
    DecisionKind,
    IncidentBurn,
    Policy,
    PolicyError,
    PolicyState,
    format_share,
    incident_budget_share,
    policy_for,
    postmortems_required,
    service_states,
    state_for,
    validate_decision,
    validate_policy,
)

TODAY = date(2026, 12, 3)
AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def policy(scope: str = ALL_SERVICES, at_risk: float = 0.75, freeze: float = 1.0, share: float = 0.2) -> Policy:
    return Policy(
        scope,
        "halt changes but P0 and security fixes",
        "Lee",
        date(2026, 11, 1),
        date(2027, 5, 1),
        at_risk,
        freeze,
        share,
    )


def state_of(readings, policies, service="checkout"):
    return next(s for s in service_states(readings, policies) if s.service == service)


def test_a_services_own_policy_overrides_the_all_services_one():
    own, everyone = policy("checkout", freeze=0.9), policy()

    assert policy_for("checkout", [everyone, own]) is own
    assert policy_for("search", [everyone, own]) is everyone


def test_no_policy_applies_when_neither_the_service_nor_all_services_have_one():
    assert policy_for("search", [policy("checkout")]) is None
    assert state_for(0.5, None) is PolicyState.NO_POLICY


def test_a_budget_exactly_spent_is_a_freeze():
    # remaining 0.0 → spent 1 − 0 = 1.0 = the freeze threshold
    assert state_of([BudgetReading("a", "checkout", 0.0)], [policy()]).state is PolicyState.FREEZE


def test_an_overspent_budget_is_a_freeze():
    assert state_of([BudgetReading("a", "checkout", -0.4)], [policy()]).state is PolicyState.FREEZE


def test_at_risk_starts_at_the_at_risk_threshold():
    # remaining 0.25 → spent 0.75 = at risk; remaining 0.26 → spent 0.74 < 0.75 = normal
    assert state_of([BudgetReading("a", "checkout", 0.25)], [policy()]).state is PolicyState.AT_RISK
    assert state_of([BudgetReading("a", "checkout", 0.26)], [policy()]).state is PolicyState.NORMAL


def test_the_worst_slo_of_the_service_decides_its_state():
    readings = [
        BudgetReading("checkout-availability", "checkout", 0.8),
        BudgetReading("checkout-latency", "checkout", -0.1),
        BudgetReading("search-availability", "search", -0.9),
    ]

    state = state_of(readings, [policy()])

    assert (state.state, state.worst_slo) == (PolicyState.FREEZE, "checkout-latency")
    assert state.budget_spent == pytest.approx(1.1)


def test_an_slo_without_data_does_not_hide_one_with_data():
    readings = [BudgetReading("a", "checkout", None), BudgetReading("b", "checkout", 0.1)]

    assert state_of(readings, [policy()]).state is PolicyState.AT_RISK  # spent 0.9


def test_a_service_whose_slos_have_no_data_reads_no_data():
    state = state_of([BudgetReading("a", "checkout", None)], [policy()])

    assert (state.state, state.worst_slo, state.budget_spent) == (PolicyState.NO_DATA, None, None)


def test_the_services_own_thresholds_apply():
    readings = [BudgetReading("a", "checkout", 0.15)]  # spent 0.85

    assert state_of(readings, [policy(), policy("checkout", at_risk=0.5, freeze=0.8)]).state is PolicyState.FREEZE
    assert state_of(readings, [policy()]).state is PolicyState.AT_RISK


def test_states_list_freeze_first_then_at_risk_normal_no_data_and_no_policy():
    readings = [
        BudgetReading("a", "auth", 0.9),
        BudgetReading("b", "billing", None),
        BudgetReading("c", "checkout", -0.2),
        BudgetReading("d", "search", 0.2),
    ]
    shown = service_states(
        readings, [policy("auth"), policy("billing"), policy("checkout"), policy("search")], services=["zeta"]
    )

    assert [(s.service, s.state) for s in shown] == [
        ("checkout", PolicyState.FREEZE),
        ("search", PolicyState.AT_RISK),
        ("auth", PolicyState.NORMAL),
        ("billing", PolicyState.NO_DATA),
        ("zeta", PolicyState.NO_POLICY),
    ]


def test_each_service_carries_its_newest_decision():
    older = Decision("checkout", DecisionKind.FREEZE, "spent", "Kim", datetime(2026, 12, 1, tzinfo=UTC), id=1)
    newer = Decision("checkout", DecisionKind.EXCEPTION, "P0 fix", "Lee", datetime(2026, 12, 2, tzinfo=UTC), id=2)

    state = next(
        s
        for s in service_states([BudgetReading("a", "checkout", -1.0)], [policy()], [newer, older])
        if s.service == "checkout"
    )

    assert state.latest_decision is newer


def test_freeze_reads_freeze_in_the_critical_colour_and_shape():
    assert PolicyState.FREEZE.badge == "■ freeze"
    assert PolicyState.FREEZE.style.key == "critical"


def test_an_incidents_share_is_its_bad_events_over_the_periods_budget_in_events():
    # target 99.9 %: budget = 0.001 × 1,000,000 events = 1,000 bad events; the incident had 250 → 25 %
    assert incident_budget_share(250, 1_000_000, 0.999) == pytest.approx(0.25)


def test_an_incident_share_is_unknown_without_events_in_the_period():
    assert incident_budget_share(10, 0, 0.999) is None
    assert incident_budget_share(None, 1000, 0.999) is None


def test_a_postmortem_is_required_only_above_the_policys_share():
    burns = [
        IncidentBurn("INC-1", "checkout", "a", 0.25, 0.2),
        IncidentBurn("INC-2", "checkout", "a", 0.2, 0.2),  # exactly the share: not more than it
        IncidentBurn("INC-3", "checkout", "a", 0.6, 0.2),
    ]

    assert [b.reference for b in postmortems_required(burns)] == ["INC-3", "INC-1"]


def valid_policy(**changes):
    values = {
        "scope": "checkout",
        "actions": "halt changes",
        "approver": "Lee",
        "approved_on": date(2026, 11, 1),
        "revisit_on": date(2027, 5, 1),
        "at_risk_spent": 0.75,
        "freeze_spent": 1.0,
        "postmortem_share": 0.2,
        "services": ["checkout"],
        "today": TODAY,
    }
    return validate_policy(**{**values, **changes})


def test_a_complete_policy_has_no_problems():
    assert valid_policy() == {}
    assert valid_policy(scope=ALL_SERVICES) == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scope": "nowhere"}, "scope"),
        ({"actions": "  "}, "actions"),
        ({"approver": ""}, "approver"),
        ({"approved_on": date(2026, 12, 4)}, "approved_on"),
        ({"revisit_on": date(2026, 12, 2)}, "revisit_on"),
        ({"approved_on": date(2026, 12, 3), "revisit_on": date(2026, 12, 3)}, "revisit_on"),
        ({"at_risk_spent": 1.2}, "at_risk_spent"),
        ({"freeze_spent": 0.0}, "freeze_spent"),
        ({"postmortem_share": 1.5}, "postmortem_share"),
    ],
)
def test_a_policy_field_out_of_its_rule_is_named(changes, field):
    assert field in valid_policy(**changes)


def test_a_decision_needs_a_reason():
    with pytest.raises(PolicyError, match="reason"):
        validate_decision(service="checkout", kind="freeze", reason=" ", services=["checkout"])


def test_a_postmortem_decision_names_its_incident():
    with pytest.raises(PolicyError, match="incident"):
        validate_decision(service="checkout", kind="postmortem", reason="burned 40%", services=["checkout"])
    assert (
        validate_decision(
            service="checkout", kind="postmortem", reason="burned 40%", services=["checkout"], incident="INC-7"
        )
        is DecisionKind.POSTMORTEM
    )


def test_a_decision_for_an_unknown_service_or_kind_is_refused():
    with pytest.raises(PolicyError) as refused:
        validate_decision(service="nowhere", kind="pause", reason="why", services=["checkout"])
    assert set(refused.value.problems) == {"service", "kind"}


def test_shares_read_as_percent_without_trailing_zeros():
    assert [format_share(v) for v in (0.75, 1.0, 0.2, 1.125, None)] == ["75%", "100%", "20%", "112.5%", "no data"]
