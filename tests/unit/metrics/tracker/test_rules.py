"""Tracker rules: transitions, priority, validation of fields, parking, reviews."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from metrics.tracker.rules import (
    ALLOWED_TRANSITIONS,
    FINISHED_STATES,
    STATES,
    KnownNames,
    default_resolution,
    is_transition_allowed,
    parking_problems,
    priority,
    review_problems,
    state_change_problems,
    team_today,
    transition_problem,
    validate_item,
)

TODAY = date(2026, 11, 24)
KNOWN = KnownNames(slos={"checkout-availability"}, services={"checkout"}, databases={"orders-db"})


def item(**overrides):
    fields = {
        "title": "Failover takes 9 minutes",
        "state": "new",
        "owner_role": "DBA",
        "impact": "high",
        "urgency": "medium",
        "why_parked_category": "vendor",
        "root_cause_confidence": "suspected",
        "services": ["checkout"],
        "slos": ["checkout-availability"],
        "databases": ["orders-db"],
    }
    fields.update(overrides)
    return fields


# --- transitions ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("new", "assessing"),
        ("assessing", "parked"),
        ("parked", "due"),
        ("due", "parked"),
        ("due", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "closed"),
        ("parked", "risk_accepted"),
        ("due", "duplicate"),
    ],
)
def test_the_main_line_and_side_states_are_allowed(current, target):
    assert is_transition_allowed(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("new", "due"),
        ("new", "closed"),
        ("closed", "parked"),
        ("resolved", "parked"),
        ("in_progress", "due"),
    ],
)
def test_skipping_steps_is_refused(current, target):
    assert not is_transition_allowed(current, target)


def test_every_finished_state_can_be_reopened_for_assessment():
    for state in FINISHED_STATES - {"resolved"}:
        assert is_transition_allowed(state, "assessing")


def test_every_state_has_a_way_out():
    assert set(ALLOWED_TRANSITIONS) == set(STATES)
    assert all(ALLOWED_TRANSITIONS[state] for state in STATES)


def test_a_refused_transition_names_the_states_it_may_go_to():
    message = transition_problem("closed", "parked")
    assert "closed cannot become parked" in message and "assessing" in message


def test_staying_in_the_same_state_is_not_a_transition():
    assert transition_problem("parked", "parked") == "the item is already parked"


# --- priority -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("impact", "urgency", "expected"),
    [
        ("critical", "critical", "P1"),
        ("critical", "high", "P1"),
        ("high", "high", "P2"),
        ("high", "medium", "P2"),
        ("medium", "medium", "P3"),
        ("low", "high", "P3"),
        ("low", "medium", "P4"),
        ("low", "low", "P4"),
    ],
)
def test_priority_comes_from_impact_times_urgency(impact, urgency, expected):
    assert priority(impact, urgency) == expected


def test_priority_weighs_impact_and_urgency_the_same():
    assert priority("critical", "low") == priority("low", "critical")


# --- validation -----------------------------------------------------------------------------------------------------


def test_a_complete_item_has_no_problems():
    assert validate_item(item(), KNOWN) == {}


def test_a_missing_title_is_reported_on_the_title_field():
    assert validate_item(item(title="   "), KNOWN) == {"title": "a title is required"}


def test_an_unknown_slo_is_reported_with_the_known_ones():
    problems = validate_item(item(slos=["checkout-latency"]), KNOWN)
    assert problems == {"slos": "unknown SLO: checkout-latency (known: checkout-availability)"}


def test_an_unknown_database_says_when_no_databases_are_configured():
    problems = validate_item(item(), KnownNames(slos=KNOWN.slos, services=KNOWN.services))
    assert problems["databases"] == "unknown database: orders-db (no databases are configured)"


def test_links_are_not_checked_against_the_configuration_when_restoring_history():
    assert validate_item(item(databases=["retired-db"]), KNOWN, check_links=False) == {}


def test_a_link_name_with_a_separator_is_refused_even_without_checking_the_configuration():
    problems = validate_item(item(services=["checkout; payments"]), KNOWN, check_links=False)
    assert "not a service name" in problems["services"]


def test_a_finished_state_needs_its_resolution_code():
    assert "resolution code" in validate_item(item(state="resolved"), KNOWN)["resolution_code"]
    assert validate_item(item(state="resolved", resolution_code="fixed"), KNOWN) == {}


def test_an_unknown_choice_names_the_allowed_values():
    assert validate_item(item(owner_role="CEO"), KNOWN)["owner_role"] == "must be one of TPM, SRE, DBA, not 'CEO'"


def test_the_cadence_is_a_positive_number_of_days():
    assert "cadence_days" in validate_item(item(cadence_days=0), KNOWN)
    assert validate_item(item(cadence_days=30), KNOWN) == {}


# --- parking, state changes, reviews --------------------------------------------------------------------------------


def test_parking_needs_a_revisit_date_or_a_trigger():
    assert "revisit_on" in parking_problems(None, 0, TODAY)
    assert parking_problems(None, 1, TODAY) == {}
    assert parking_problems(date(2027, 1, 15), 0, TODAY) == {}


def test_parking_with_a_revisit_date_in_the_past_is_refused():
    problems = parking_problems(date(2026, 11, 23), 0, TODAY)
    assert problems == {"revisit_on": "the revisit date 2026-11-23 is in the past (today is 2026-11-24)"}


def test_a_state_change_checks_the_transition_before_anything_else():
    problems = state_change_problems("new", "due", revisit_on=None, trigger_count=0, resolution_code=None, today=TODAY)
    assert list(problems) == ["state"]


def test_resolving_without_a_resolution_code_is_refused():
    problems = state_change_problems(
        "due", "resolved", revisit_on=None, trigger_count=0, resolution_code=None, today=TODAY
    )
    assert "resolution_code" in problems


def test_duplicate_and_risk_accepted_imply_their_resolution_code():
    assert default_resolution("duplicate") == "duplicate"
    assert default_resolution("risk_accepted") == "risk_accepted"
    assert default_resolution("resolved") is None


def test_keeping_an_item_parked_needs_a_next_revisit_date_not_in_the_past():
    problems = review_problems("due", "keep_parked", next_revisit_on=date(2026, 11, 1), trigger_count=0, today=TODAY)
    assert "next_revisit_on" in problems
    assert review_problems("due", "keep_parked", next_revisit_on=date(2027, 2, 1), trigger_count=0, today=TODAY) == {}


def test_a_finished_item_must_be_reopened_before_a_review():
    problems = review_problems("closed", "start_work", next_revisit_on=None, trigger_count=0, today=TODAY)
    assert "reopen" in problems["outcome"]


def test_today_is_the_calendar_day_in_the_team_time_zone():
    late_evening_utc = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
    assert team_today(late_evening_utc, "Asia/Seoul") == date(2026, 11, 25)
    assert team_today(late_evening_utc, "UTC") == date(2026, 11, 24)
