"""Local days, runs of equal-length days, budget consumed and histogram quantiles (metrics.trends.rollups)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from metrics.slo.definitions import EventCounts
from metrics.trends.rollups import (
    DailyRollup,
    budget_consumed,
    day_runs,
    histogram_quantile,
    last_complete_day,
    local_day,
    local_days,
)

BERLIN = "Europe/Berlin"


def test_a_berlin_day_starts_at_local_midnight():
    day = local_day(date(2026, 11, 24), BERLIN)
    assert day.start == datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    assert day.seconds == 86400


def test_the_spring_forward_day_lasts_23_hours():
    assert local_day(date(2026, 3, 29), BERLIN).seconds == 23 * 3600


def test_the_fall_back_day_lasts_25_hours():
    assert local_day(date(2026, 10, 25), BERLIN).seconds == 25 * 3600


def test_consecutive_days_share_their_midnight():
    days = local_days(date(2026, 10, 24), date(2026, 10, 26), BERLIN)
    assert all(a.end == b.start for a, b in zip(days, days[1:]))


def test_runs_split_at_daylight_saving_days():
    runs = day_runs(local_days(date(2026, 10, 20), date(2026, 10, 30), BERLIN))
    assert [[d.day.day for d in run] for run in runs] == [[20, 21, 22, 23, 24], [25], [26, 27, 28, 29, 30]]


def test_runs_are_capped_in_length():
    runs = day_runs(local_days(date(2026, 1, 1), date(2026, 2, 28), "UTC"), max_days=31)
    assert [len(run) for run in runs] == [31, 28]


def test_runs_split_where_days_are_missing():
    days = [local_day(date(2026, 1, d), "UTC") for d in (1, 2, 4)]
    assert [len(run) for run in day_runs(days)] == [2, 1]


def test_last_complete_day_waits_for_the_settle_time():
    now = datetime(2026, 11, 24, 23, 5, tzinfo=UTC)  # 00:05 in Berlin
    assert last_complete_day(now, BERLIN) == date(2026, 11, 24)
    assert last_complete_day(now, BERLIN, settle=timedelta(minutes=10)) == date(2026, 11, 23)


def test_a_day_at_the_objective_consumes_a_thirtieth_of_a_30_day_budget():
    counts = EventCounts(total=1_000_000, bad=1_000)  # error ratio 0.1% = the budget of 99.9%
    assert budget_consumed(counts, 0.999, 86400, 30 * 86400) == pytest.approx(1 / 30)


def test_a_25_hour_day_consumes_more_than_a_24_hour_day_at_the_same_ratio():
    counts = EventCounts(total=1000, bad=1)
    assert budget_consumed(counts, 0.999, 90000, 30 * 86400) == pytest.approx(90000 / (30 * 86400))


def test_no_events_consume_no_data_rather_than_zero():
    assert budget_consumed(EventCounts(total=0, bad=0), 0.999, 86400, 30 * 86400) is None


BUCKETS = {"0.1": 50.0, "0.25": 90.0, "0.5": 99.0, "1": 100.0, "+Inf": 100.0}


def test_quantile_interpolates_inside_the_bucket_like_prometheus():
    # rank 50 of 100 is the last event of the first bucket [0, 0.1]
    assert histogram_quantile(0.5, BUCKETS) == pytest.approx(0.1)
    # rank 95: 5 of the 9 events in (0.25, 0.5]
    assert histogram_quantile(0.95, BUCKETS) == pytest.approx(0.25 + 0.25 * 5 / 9)


def test_quantile_in_the_infinite_bucket_answers_the_highest_finite_bound():
    assert histogram_quantile(0.99, {"0.5": 10.0, "1": 90.0, "+Inf": 100.0}) == 1.0


def test_quantile_without_observations_is_no_data():
    assert histogram_quantile(0.5, {"0.1": 0.0, "+Inf": 0.0}) is None


def test_quantile_without_the_infinite_bucket_is_no_data():
    assert histogram_quantile(0.5, {"0.1": 5.0, "1": 10.0}) is None


def test_a_day_without_series_has_no_sli_and_no_verdict():
    row = DailyRollup(date(2026, 11, 1), "s", "svc", 0.999, 2592000, 86400, total=None, bad=None)
    assert (row.sli, row.met_objective, row.budget_consumed) == (None, None, None)


def test_a_day_below_target_missed_its_objective():
    row = DailyRollup(date(2026, 11, 1), "s", "svc", 0.999, 2592000, 86400, total=1000, bad=2)
    assert row.met_objective is False
