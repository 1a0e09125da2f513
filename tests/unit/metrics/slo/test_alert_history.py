"""Firing intervals from firing evaluations, and the tiers' rule over a burn-rate series."""

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from metrics.slo.alert_history import (
    AlertKey,
    FiringInterval,
    evaluation_range,
    firing_range,
    interval_rows,
    intervals_from_points,
    tier_firing_times,
    tier_firing_times_by_period,
)
from metrics.slo.alerts import DEFAULT_TIERS, Urgency
from metrics.slo.definitions import BURN_WINDOWS, TimeWindow

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
STEP = timedelta(minutes=1)
PAGE = AlertKey("checkout-availability", "checkout", "page", "1h", "5m", Urgency.PAGE)
TICKET = AlertKey("checkout-availability", "checkout", "ticket", "3d", "6h", Urgency.TICKET)


def minutes(*offsets: int) -> list[datetime]:
    return [T0 + STEP * offset for offset in offsets]


def intervals(points, first=T0 - 10 * STEP, last=T0 + 100 * STEP):
    return intervals_from_points(points, STEP, first, last)


def test_points_one_step_apart_are_one_interval_that_ends_a_step_after_the_last():
    [interval] = intervals({PAGE: minutes(0, 1, 2, 3)})
    assert (interval.started, interval.ended) == (T0, T0 + 4 * STEP)
    assert interval.duration(T0 + 100 * STEP) == timedelta(minutes=4)


def test_one_missing_step_ends_the_interval_and_the_next_point_starts_another():
    later, earlier = intervals({PAGE: minutes(0, 1, 3, 4)})
    assert (earlier.started, earlier.ended) == (T0, T0 + 2 * STEP)
    assert (later.started, later.ended) == (T0 + 3 * STEP, T0 + 5 * STEP)


def test_a_single_firing_evaluation_lasts_one_step():
    [interval] = intervals({PAGE: minutes(7)})
    assert interval.duration(T0 + 100 * STEP) == STEP


def test_firing_at_the_last_evaluation_is_still_firing_and_counts_up_to_the_end():
    [interval] = intervals({PAGE: minutes(98, 99, 100)})
    assert interval.ended is None
    assert interval.duration(T0 + 100 * STEP) == timedelta(minutes=2)
    assert interval.to_dict(T0 + 100 * STEP)["still_firing"] is True


def test_firing_at_the_first_evaluation_may_have_started_before_the_range():
    first, second = sorted(intervals({PAGE: minutes(-10, -9), TICKET: minutes(-9, -8)}), key=lambda i: i.key)
    assert first.started_before_range and not second.started_before_range


def test_tiers_are_kept_apart_and_listed_newest_first():
    found = intervals({PAGE: minutes(20, 21), TICKET: minutes(5, 6, 7, 30)})
    assert [(i.key.severity, i.started) for i in found] == [
        ("ticket", T0 + 30 * STEP),
        ("page", T0 + 20 * STEP),
        ("ticket", T0 + 5 * STEP),
    ]


def test_the_same_instant_from_two_prometheus_replicas_counts_once():
    [interval] = intervals({PAGE: minutes(0, 1, 1, 2, 2)})
    assert interval.ended == T0 + 3 * STEP


def test_timestamps_off_the_grid_by_milliseconds_still_join():
    jittered = [moment + timedelta(milliseconds=3 * index) for index, moment in enumerate(minutes(0, 1, 2))]
    assert len(intervals({PAGE: jittered})) == 1


def test_a_key_without_points_has_no_interval():
    assert intervals({PAGE: []}) == []


def test_the_step_must_be_positive():
    with pytest.raises(ValueError):
        intervals_from_points({PAGE: minutes(0)}, timedelta(0), T0, T0)


def rates_frame(times, **columns) -> pd.DataFrame:
    frame = pd.DataFrame({"time": pd.to_datetime(times, utc=True)})
    for window in BURN_WINDOWS:
        frame[window] = columns.get(f"w{window}", np.nan)
    return frame


def test_a_tier_fires_where_both_its_windows_exceed_the_threshold_and_missing_values_never_fire():
    times = minutes(0, 1, 2, 3)
    frame = rates_frame(times, w1h=[20.0, 20.0, 10.0, np.nan], w5m=[20.0, 5.0, 20.0, 20.0])
    firing = tier_firing_times(frame, timedelta(days=30))
    assert firing[DEFAULT_TIERS[0]] == times[:1]
    assert all(firing[tier] == [] for tier in DEFAULT_TIERS[1:])


def test_calendar_months_judge_each_instant_by_its_own_months_threshold():
    """A burn of 14.6 pages in a 30-day November (14.4) but not in a 31-day October (14.88)."""
    window = TimeWindow("1M", is_rolling=False, calendar_start=datetime(2026, 1, 1, tzinfo=UTC), time_zone="UTC")
    october, november = datetime(2026, 10, 31, 23, 0, tzinfo=UTC), datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
    frame = rates_frame([october, november], w1h=[14.6, 14.6], w5m=[14.6, 14.6])
    assert tier_firing_times_by_period(frame, window)[DEFAULT_TIERS[0]] == [november]


def test_a_rolling_period_uses_its_duration():
    frame = rates_frame(minutes(0), w1h=[14.0], w5m=[14.0])
    assert tier_firing_times_by_period(frame, TimeWindow("28d"))[DEFAULT_TIERS[0]] == minutes(0)  # 13.44 < 14
    assert tier_firing_times_by_period(frame, TimeWindow("30d"))[DEFAULT_TIERS[0]] == []  # 14.4 > 14


def test_rows_show_team_time_still_firing_and_a_start_that_may_be_earlier():
    until = T0 + 100 * STEP
    rows = interval_rows(
        [
            FiringInterval(PAGE, T0, None, started_before_range=True),
            FiringInterval(TICKET, T0, T0 + 90 * STEP, started_before_range=False),
        ],
        "Europe/Berlin",
        until,
    )
    assert rows[0] == {
        "service": "checkout",
        "SLO": "checkout-availability",
        "severity": "page",
        "tier": "1h / 5m",
        "started": "≤ 2026-11-24 13:00",
        "ended": "still firing",
        "duration": "≥ 1 h 40 min",
    }
    assert (rows[1]["ended"], rows[1]["duration"]) == ("2026-11-24 14:30", "1 h 30 min")


def test_the_evaluation_range_lies_on_whole_steps_inside_the_asked_range():
    first, last = evaluation_range(
        datetime(2026, 11, 24, 14, 5, 30, tzinfo=UTC),
        datetime(2026, 11, 24, 15, 0, 59, tzinfo=UTC),
        timedelta(minutes=1),
    )
    assert (first, last) == (datetime(2026, 11, 24, 14, 6, tzinfo=UTC), datetime(2026, 11, 24, 15, 0, tzinfo=UTC))


def test_the_firing_range_defaults_to_the_span_before_now():
    now = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)
    assert firing_range(now, "Europe/Berlin", timedelta(days=90)) == (now - timedelta(days=90), now)


def test_the_firing_range_runs_from_local_midnight_to_the_end_of_the_last_day():
    now = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)
    start, end = firing_range(now, "Europe/Berlin", timedelta(days=90), date(2026, 11, 20), date(2026, 11, 21))
    assert (start, end) == (datetime(2026, 11, 19, 23, 0, tzinfo=UTC), datetime(2026, 11, 21, 23, 0, tzinfo=UTC))


def test_the_firing_range_ends_now_at_the_latest():
    now = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)
    assert firing_range(now, "UTC", timedelta(days=90), date(2026, 11, 24), date(2026, 11, 30))[1] == now


def test_an_empty_firing_range_is_refused():
    with pytest.raises(ValueError, match="the range is empty"):
        firing_range(
            datetime(2026, 11, 24, tzinfo=UTC), "UTC", timedelta(days=1), date(2026, 11, 22), date(2026, 11, 21)
        )
