"""SLO review rules on hand-made inputs: the cadence, the states and their order, and the target what-if (every
expected figure worked out here from the raw counts)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from metrics.slo_reviews.rules import (
    DayCounts,
    Period,
    ReviewError,
    ReviewOutcome,
    ReviewState,
    SloReview,
    overdue_count,
    parse_review_cadence,
    recent_periods,
    review_status,
    urgent_first,
    validate_review,
    what_if,
)

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def reviewed(days_ago: float, slo: str = "checkout-availability", review_id: int = 1) -> SloReview:
    return SloReview(slo, NOW - timedelta(days=days_ago), "Kim", ReviewOutcome.KEEP, "", 0.999, review_id)


def state(reviews, cadence=None, first_seen=None, at=NOW):
    return review_status("checkout-availability", "checkout", 0.999, cadence, reviews, first_seen, at)


# -- cadence ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "days"), [("30d", 30), ("6w", 42), (" 1d ", 1), ("3650d", 3650)])
def test_a_cadence_is_whole_days_or_weeks(text, days):
    assert parse_review_cadence(text) == timedelta(days=days)


@pytest.mark.parametrize("text", ["", "30", "1M", "12h", "0d", "-3d", "2.5d", "3651d", "d", "３０d"])
def test_a_cadence_in_other_words_is_refused_with_what_to_write(text):
    with pytest.raises(ValueError, match='like "30d" or "6w"|1 to 3650 days'):
        parse_review_cadence(text)


# -- states -----------------------------------------------------------------------------------------------------------


def test_reviewed_within_the_default_90_days_and_not_due_within_14_is_reviewed():
    status = state([reviewed(75)])  # due in 15 days

    assert status.state is ReviewState.REVIEWED
    assert status.next_due == NOW + timedelta(days=15)
    assert status.days_until_due == 15


def test_due_within_14_days_is_to_review():
    assert state([reviewed(76)]).state is ReviewState.TO_REVIEW  # due in 14 days
    assert state([reviewed(89)]).state is ReviewState.TO_REVIEW


def test_past_the_last_review_plus_the_cadence_is_overdue():
    status = state([reviewed(90)])

    assert status.state is ReviewState.OVERDUE
    assert status.days_until_due == 0
    assert state([reviewed(100)]).days_until_due == -10


def test_the_slos_own_cadence_replaces_the_default():
    assert state([reviewed(31)], cadence=timedelta(days=30)).state is ReviewState.OVERDUE
    assert state([reviewed(31)]).state is ReviewState.REVIEWED


def test_the_newest_review_counts():
    status = state([reviewed(200, review_id=1), reviewed(10, review_id=2), reviewed(120, review_id=3)])

    assert status.last_review.id == 2
    assert status.state is ReviewState.REVIEWED


def test_never_reviewed_counts_from_when_the_store_first_saw_it():
    assert state([], first_seen=NOW - timedelta(days=10)).state is ReviewState.TO_REVIEW
    overdue = state([], first_seen=NOW - timedelta(days=91))
    assert overdue.state is ReviewState.OVERDUE
    assert overdue.next_due == NOW - timedelta(days=1)


def test_never_reviewed_and_never_seen_is_to_review_without_a_due_date():
    status = state([])

    assert (status.state, status.next_due, status.days_until_due) == (ReviewState.TO_REVIEW, None, None)


def test_a_past_instant_ignores_reviews_recorded_after_it():
    reviews = [reviewed(120, review_id=1), reviewed(5, review_id=2)]
    due = NOW - timedelta(days=30)  # 90 days after the first review

    before_due = state(reviews, at=due - timedelta(seconds=1))
    assert (before_due.last_review.id, before_due.state) == (1, ReviewState.TO_REVIEW)
    assert before_due.next_due == due
    assert state(reviews, at=due).state is ReviewState.OVERDUE
    assert state(reviews).state is ReviewState.REVIEWED


def test_reviews_of_other_slos_do_not_count():
    assert state([reviewed(1, slo="search-availability")]).last_review is None


def test_overdue_first_then_to_review_then_reviewed_soonest_due_first():
    statuses = [
        review_status("a", "s", 0.99, None, [reviewed(10, "a")], None, NOW),
        review_status("b", "s", 0.99, None, [], None, NOW),
        review_status("c", "s", 0.99, None, [reviewed(95, "c")], None, NOW),
        review_status("d", "s", 0.99, None, [reviewed(80, "d")], None, NOW),
        review_status("e", "s", 0.99, None, [reviewed(120, "e")], None, NOW),
    ]

    assert [s.slo for s in urgent_first(statuses)] == ["e", "c", "d", "b", "a"]
    assert overdue_count(statuses) == 2


def test_each_state_has_a_shape_and_a_word_besides_its_colour():
    assert ReviewState.OVERDUE.badge == "■ overdue"
    assert ReviewState.TO_REVIEW.badge == "▲ to review"
    assert ReviewState.REVIEWED.badge == "✓ reviewed"


# -- recording --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("keep", ReviewOutcome.KEEP),
        ("change-target", ReviewOutcome.CHANGE_TARGET),
        ("Change SLI", ReviewOutcome.CHANGE_SLI),
    ],
)
def test_outcomes_are_read_in_the_clis_and_the_pages_words(text, outcome):
    assert validate_review(text, "why", ["x"], "x") is outcome


def test_an_unknown_slo_outcome_or_a_change_without_notes_is_refused_naming_the_field():
    with pytest.raises(ReviewError, match="^slo:"):
        validate_review("keep", "", ["x"], "y")
    with pytest.raises(ReviewError, match="^outcome:.*keep, change-target, change-sli, retire"):
        validate_review("drop", "", ["x"], "x")
    with pytest.raises(ReviewError, match="^notes:"):
        validate_review("retire", "  ", ["x"], "x")
    with pytest.raises(ReviewError, match="^notes: at most"):
        validate_review("keep", "n" * 2001, ["x"], "x")


# -- target what-if ---------------------------------------------------------------------------------------------------

WEEK = Period("2026-W47", date(2026, 11, 16), date(2026, 11, 22))
QUIET = Period("2026-W48", date(2026, 11, 23), date(2026, 11, 29))


def test_what_if_sums_the_periods_events_and_judges_both_targets():
    days = [
        DayCounts(date(2026, 11, 16), 1000, 1),
        DayCounts(date(2026, 11, 17), 9000, 29),  # busy day: weighs 9 times as much
        DayCounts(date(2026, 11, 15), 100, 100),  # the week before: not counted
    ]

    [row] = what_if(days, [WEEK], current_target=0.999, what_if_target=0.995)

    # 30 bad of 10,000: SLI 99.7 %; budget 0.1 % -> 1 - 0.003/0.001 = -2; budget 0.5 % -> 1 - 0.003/0.005 = 0.4
    assert row.days_with_data == 2
    assert (row.total, row.bad) == (10_000, 30)
    assert row.sli == pytest.approx(0.997)
    assert row.budget_remaining_current == pytest.approx(-2.0)
    assert row.budget_remaining_what_if == pytest.approx(0.4)
    assert (row.met_current, row.met_what_if) == (False, True)


def test_a_period_without_rollups_or_events_is_no_data_never_zero():
    days = [DayCounts(date(2026, 11, 23), None, None), DayCounts(date(2026, 11, 24), 0, 0)]

    rows = what_if(days, [WEEK, QUIET], current_target=0.99, what_if_target=0.9)

    assert [(r.sli, r.budget_remaining_current, r.met_current, r.met_what_if) for r in rows] == [(None,) * 4] * 2
    assert rows[0].days_with_data == 0


def test_the_what_if_target_must_be_a_fraction_between_0_and_1():
    for target in (0.0, 1.0, 99.5, float("nan")):
        with pytest.raises(ReviewError, match="^target:"):
            what_if([], [WEEK], 0.99, target)


def test_recent_periods_are_the_last_12_complete_iso_weeks_and_3_complete_months():
    weeks, months = recent_periods(date(2026, 12, 3))  # a Thursday

    assert [w.label for w in (weeks[0], weeks[-1])] == ["2026-W37", "2026-W48"]
    assert (weeks[-1].first, weeks[-1].last) == (date(2026, 11, 23), date(2026, 11, 29))
    assert len(weeks) == 12 and all(w.days == 7 for w in weeks)
    assert [(m.label, m.first, m.last) for m in months] == [
        ("2026-09", date(2026, 9, 1), date(2026, 9, 30)),
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31)),
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
    ]
    assert [m.label for m in recent_periods(date(2027, 2, 1))[1]] == ["2026-11", "2026-12", "2027-01"]
