"""The slice math of Timeslices, RatioTimeslices and thresholdMetric SLOs (metrics/slo/timeslices.py) on worked
examples: the expected figures are worked out by hand in each test."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from metrics.slo.adjustments import Interval
from metrics.slo.budget import budget_remaining, burn_rate, sli
from metrics.slo.definitions import BudgetingMethod, EventCounts, Op
from metrics.slo.timeslices import (
    counted_since,
    ends_outside,
    point_share,
    slice_counts,
    slice_ends,
    slice_ratio,
    slices_in,
)

FIVE_MINUTES = timedelta(minutes=5)


def test_a_slice_is_good_when_its_ratio_meets_the_slice_target_exactly():
    counts = slice_counts([0.95, 0.9499], BudgetingMethod.TIMESLICES, slice_target=0.95)

    assert counts == EventCounts(total=2, bad=1)


def test_timeslices_sli_is_good_slices_over_slices_with_data():
    # five slices, one without traffic: 4 with data, 3 of them at or above 95 %
    counts = slice_counts([1.0, 0.9, None, 0.96, 0.95], BudgetingMethod.TIMESLICES, slice_target=0.95)

    assert counts == EventCounts(total=4, bad=1)
    assert sli(counts) == 0.75


def test_timeslices_budget_is_the_share_of_slices_the_target_allows_to_be_bad():
    # target 90 % over 4 slices: a budget of 0.4 slices; one bad slice spends 2.5 times it
    counts = slice_counts([1.0, 0.9, None, 0.96, 0.95], BudgetingMethod.TIMESLICES, slice_target=0.95)

    assert budget_remaining(counts, 0.9) == pytest.approx(1 - 0.25 / 0.1)


def test_timeslices_burn_rate_is_the_bad_slice_share_over_the_budget():
    # 12 five-minute slices in an hour, 3 bad, target 99 %: 0.25 / 0.01
    counts = slice_counts([0.5] * 3 + [1.0] * 9, BudgetingMethod.TIMESLICES, slice_target=0.99)

    assert burn_rate(counts, 0.99) == pytest.approx(25.0)


def test_a_window_whose_slices_all_lack_traffic_has_no_data():
    assert slice_counts([None, None], BudgetingMethod.TIMESLICES, slice_target=0.95) is None
    assert slice_counts([], BudgetingMethod.RATIO_TIMESLICES) is None


def test_ratio_timeslices_sli_is_the_average_of_the_slices_ratios():
    # (1.0 + 0.5 + 0.9) / 3 = 0.8; the slice without traffic is left out
    counts = slice_counts([1.0, 0.5, None, 0.9], BudgetingMethod.RATIO_TIMESLICES)

    assert counts.total == 3
    assert sli(counts) == pytest.approx(0.8)


def test_ratio_timeslices_weighs_a_quiet_slice_as_much_as_a_busy_one():
    # a slice of 2 requests with 1 failure and one of 1,000 requests without any: Occurrences says 1/1002 failed,
    # RatioTimeslices averages 0.5 and 1.0
    ratios = [slice_ratio(1, 2), slice_ratio(1000, 1000)]

    assert sli(slice_counts(ratios, BudgetingMethod.RATIO_TIMESLICES)) == pytest.approx(0.75)
    assert sli(EventCounts.from_good(total=1002, good=1001)) == pytest.approx(1001 / 1002)


def test_a_slice_without_requests_has_no_ratio():
    assert slice_ratio(0, 0) is None
    assert slice_ratio(None, 10) is None


def test_a_good_counter_running_ahead_of_its_total_is_clamped_to_a_ratio_of_one():
    assert slice_ratio(11, 10) == 1.0


def test_threshold_points_count_as_met_or_missed_under_occurrences():
    # 1 for a point that met the threshold, 0 for one that missed: 3 of 4 met
    counts = slice_counts([1.0, 0.0, 1.0, 1.0], BudgetingMethod.OCCURRENCES)

    assert counts == EventCounts(total=4, bad=1)


def test_a_threshold_slice_ratio_is_the_share_of_its_points_that_meet_the_threshold():
    # latency points with "lte 0.25": 0.2 and 0.25 meet it, 0.4 does not, NaN is no point
    assert point_share([0.2, 0.4, 0.25, math.nan], Op.LTE, 0.25) == pytest.approx(2 / 3)
    assert point_share([], Op.GT, 1.0) is None


def test_a_window_holds_the_most_recent_whole_slices_that_fit_in_it():
    at = datetime(2026, 11, 1, 12, 7, 30, tzinfo=UTC)

    ends = slice_ends(at, timedelta(hours=1), FIVE_MINUTES)

    assert len(ends) == 12
    assert (ends[0], ends[-1]) == (
        datetime(2026, 11, 1, 11, 10, tzinfo=UTC),
        datetime(2026, 11, 1, 12, 5, tzinfo=UTC),
    )


def test_a_window_shorter_than_a_slice_holds_none():
    assert slices_in(timedelta(minutes=4), FIVE_MINUTES) == 0
    assert slice_ends(datetime(2026, 11, 1, 12, 7, tzinfo=UTC), timedelta(minutes=4), FIVE_MINUTES) == []


def test_a_calendar_period_counts_the_whole_slices_since_it_began():
    start = datetime(2026, 11, 1, tzinfo=UTC)
    at = start + timedelta(minutes=17, seconds=10)

    ends = slice_ends(at, at - start, FIVE_MINUTES)

    assert ends == [start + FIVE_MINUTES * n for n in (1, 2, 3)]


def test_a_window_counts_the_slices_ending_after_counted_since():
    at = datetime(2026, 11, 1, 12, 7, 30, tzinfo=UTC)

    since = counted_since(at, timedelta(hours=1), FIVE_MINUTES)

    assert since == datetime(2026, 11, 1, 11, 5, tzinfo=UTC)
    assert all(since < end <= at for end in slice_ends(at, timedelta(hours=1), FIVE_MINUTES))


def test_an_adjustment_takes_out_the_slices_that_end_inside_it_and_keeps_the_one_it_only_starts_in():
    noon = datetime(2026, 11, 1, 12, tzinfo=UTC)
    ends = [(noon + FIVE_MINUTES * n).timestamp() for n in range(4)]  # 12:00, 12:05, 12:10, 12:15
    adjustment = Interval(noon + timedelta(minutes=2), noon + timedelta(minutes=10))

    assert ends_outside(ends, [adjustment]) == [True, False, False, True]
