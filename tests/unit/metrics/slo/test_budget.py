"""SLO math: SLI, error budget, burn rate, budget remaining, time to exhaustion, and "no data"."""

from datetime import timedelta

import pytest

from metrics.slo.budget import budget_remaining, burn_rate, error_budget, error_ratio, sli, time_to_exhaustion
from metrics.slo.definitions import EventCounts, format_prometheus_duration, parse_duration


def test_sli_is_good_events_over_all_events():
    assert sli(EventCounts.from_good(total=1000, good=999)) == pytest.approx(0.999)


def test_error_ratio_is_bad_events_over_all_events():
    assert error_ratio(EventCounts(total=200, bad=3)) == pytest.approx(0.015)


def test_a_window_without_events_is_no_data_not_zero():
    assert error_ratio(EventCounts(total=0, bad=0)) is None
    assert sli(EventCounts(total=0, bad=0)) is None
    assert burn_rate(EventCounts(total=0, bad=0), 0.999) is None
    assert budget_remaining(None, 0.999) is None


def test_nan_counts_are_no_data():
    assert error_ratio(EventCounts(total=float("nan"), bad=1)) is None


def test_bad_counts_are_clamped_into_zero_and_total():
    assert error_ratio(EventCounts(total=100, bad=-2)) == 0.0
    assert error_ratio(EventCounts(total=100, bad=120)) == 1.0


def test_error_budget_is_one_minus_target():
    assert error_budget(0.999) == pytest.approx(0.001)


def test_burn_rate_one_spends_exactly_the_budget():
    assert burn_rate(EventCounts(total=100_000, bad=100), 0.999) == pytest.approx(1.0)


def test_burn_rate_of_worked_example_is_14_4():
    # 1.44% errors against a 99.9% target: the Workbook's fast-burn page.
    assert burn_rate(EventCounts(total=10_000, bad=144), 0.999) == pytest.approx(14.4)


def test_budget_remaining_is_one_minus_period_burn_rate():
    assert budget_remaining(EventCounts(total=1_000_000, bad=250), 0.999) == pytest.approx(0.75)


def test_budget_remaining_goes_negative_when_overspent():
    assert budget_remaining(EventCounts(total=1000, bad=3), 0.999) == pytest.approx(-2.0)


def test_time_to_exhaustion_is_remaining_times_period_over_burn_rate():
    assert time_to_exhaustion(0.5, timedelta(days=30), 2.0) == timedelta(days=7.5)


def test_time_to_exhaustion_is_zero_when_budget_is_spent():
    assert time_to_exhaustion(-0.1, timedelta(days=30), 2.0) == timedelta(0)


def test_time_to_exhaustion_is_unknown_when_nothing_burns():
    assert time_to_exhaustion(0.5, timedelta(days=30), 0.0) is None
    assert time_to_exhaustion(0.5, timedelta(days=30), None) is None


@pytest.mark.parametrize("text, seconds", [("5m", 300), ("6h", 21600), ("28d", 2419200), ("1w", 604800)])
def test_durations_parse_like_prometheus(text, seconds):
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "5", "m", "0d", "-1h", "1.5h", "1M"])
def test_malformed_durations_are_refused(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_windows_are_written_in_the_largest_exact_unit():
    assert format_prometheus_duration(timedelta(days=30)) == "30d"
    assert format_prometheus_duration(timedelta(minutes=90)) == "90m"
    assert format_prometheus_duration(timedelta(seconds=3723)) == "3723s"


def test_time_to_exhaustion_beyond_ten_years_is_not_projected():
    assert time_to_exhaustion(1.0, timedelta(days=30), 1e-9) is None
