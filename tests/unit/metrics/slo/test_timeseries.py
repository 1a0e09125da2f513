"""Drill-down series: SLI per bucket, budget burn-down, rolling burn rates, and how long each tier has fired."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from metrics.slo.periods import Period
from metrics.slo.timeseries import budget_burn_down, period_step, rolling_burn_rates, sli_series, tier_histories

AT = datetime(2026, 11, 1, tzinfo=UTC)


def buckets(bad, total=1000.0, step=timedelta(minutes=5), end=AT):
    times = pd.date_range(end=end, periods=len(bad), freq=step, tz="UTC")
    return pd.DataFrame({"time": times, "total": [total] * len(bad), "bad": bad})


def test_sli_series_is_nan_where_a_bucket_saw_no_events():
    frame = pd.DataFrame(
        {"time": pd.date_range(end=AT, periods=2, freq="1h", tz="UTC"), "total": [100.0, 0.0], "bad": [1.0, 0.0]}
    )
    result = sli_series(frame)
    assert result["sli"].iloc[0] == pytest.approx(0.99)
    assert np.isnan(result["sli"].iloc[1])


def test_burn_down_starts_full_and_ends_at_the_period_budget_remaining():
    period = Period(start=AT - timedelta(hours=10), end=AT)
    frame = buckets([0.5] * 10, total=1000.0, step=timedelta(hours=1))  # error ratio 0.05%, target 99.9%
    burn_down = budget_burn_down(frame, period, AT, 0.999)
    assert burn_down["budget_remaining"].iloc[0] == 1.0
    assert burn_down["budget_remaining"].iloc[-1] == pytest.approx(0.5)
    assert burn_down["ideal_remaining"].iloc[0] == 1.0 and burn_down["ideal_remaining"].iloc[-1] == 0.0


def test_burn_down_of_a_calendar_period_midway_has_ideal_line_above_zero():
    period = Period(start=AT - timedelta(days=10), end=AT + timedelta(days=20))
    frame = buckets([0.0] * 240, step=timedelta(hours=1))
    burn_down = budget_burn_down(frame, period, AT, 0.999)
    assert burn_down["ideal_remaining"].iloc[-1] == pytest.approx(2 / 3)


def test_rolling_burn_rate_is_nan_until_its_window_is_full():
    frame = buckets([1.0] * 24)  # 0.1% errors every 5 minutes for 2 hours
    rates = rolling_burn_rates(frame, 0.999, windows=("5m", "1h", "6h"))
    assert rates["5m"].iloc[0] == pytest.approx(1.0)
    assert np.isnan(rates["1h"].iloc[10]) and rates["1h"].iloc[11] == pytest.approx(1.0)
    assert rates["6h"].isna().all()


def test_a_tier_firing_since_the_burn_began_reports_its_start():
    bad = [0.0] * 300 + [50.0] * 20  # 5% errors for the last 100 minutes
    rates = rolling_burn_rates(buckets(bad), 0.999)
    [fast_page, *_] = tier_histories(rates, timedelta(days=30))
    assert fast_page.firing_now
    # The 1-hour window crosses 14.4x once 29% of it is at 50x: after 4 five-minute buckets.
    expected_start = rates["time"].iloc[300 + 3]
    assert fast_page.firing_since == expected_start.to_pydatetime()
    assert not fast_page.since_before_range


def test_a_quiet_tier_is_not_firing_and_has_no_start():
    rates = rolling_burn_rates(buckets([0.1] * 400), 0.999)
    history = tier_histories(rates, timedelta(days=30))[0]
    assert not history.firing_now and history.firing_since is None
    assert history.firing_share_last_day == 0.0


def test_period_step_is_hourly_for_a_month_and_coarser_for_a_year():
    assert period_step(Period(AT - timedelta(days=30), AT)) == timedelta(hours=1)
    assert period_step(Period(AT - timedelta(days=365), AT)) == timedelta(hours=9)
