"""Budget periods: rolling windows and calendar weeks, months, quarters, across daylight-saving changes."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from metrics.slo.definitions import TimeWindow
from metrics.slo.periods import current_period

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_rolling_period_ends_at_the_evaluation_instant():
    at = datetime(2026, 11, 1, 12, tzinfo=UTC)
    period = current_period(TimeWindow("30d"), at)
    assert period.start == at - timedelta(days=30) and period.end == at


def test_a_calendar_month_starts_on_the_first_at_local_midnight():
    window = TimeWindow(
        "1M", is_rolling=False, calendar_start=datetime(2026, 1, 1, tzinfo=BERLIN), time_zone="Europe/Berlin"
    )
    period = current_period(window, datetime(2026, 11, 15, 9, tzinfo=UTC))
    assert period.start == datetime(2026, 11, 1, tzinfo=BERLIN)
    assert period.end == datetime(2026, 12, 1, tzinfo=BERLIN)
    assert period.length == timedelta(days=30)


def test_a_calendar_week_across_the_end_of_summer_time_is_one_hour_longer():
    window = TimeWindow(
        "1w", is_rolling=False, calendar_start=datetime(2026, 1, 5, tzinfo=BERLIN), time_zone="Europe/Berlin"
    )
    period = current_period(window, datetime(2026, 10, 27, 12, tzinfo=UTC))
    assert period.start == datetime(2026, 10, 26, tzinfo=BERLIN)
    assert period.start.utcoffset() == timedelta(hours=1)

    across = current_period(window, datetime(2026, 10, 24, 12, tzinfo=UTC))
    assert across.start == datetime(2026, 10, 19, tzinfo=BERLIN)
    assert across.length == timedelta(days=7, hours=1)


def test_a_week_starts_at_local_midnight_not_utc_midnight():
    window = TimeWindow(
        "1w", is_rolling=False, calendar_start=datetime(2026, 1, 5, tzinfo=BERLIN), time_zone="Europe/Berlin"
    )
    # Sunday 23:30 UTC is already Monday 00:30 in Berlin (winter time).
    period = current_period(window, datetime(2026, 11, 1, 23, 30, tzinfo=UTC))
    assert period.start == datetime(2026, 11, 2, tzinfo=BERLIN)


def test_a_calendar_quarter_is_three_months():
    window = TimeWindow("1Q", is_rolling=False, calendar_start=datetime(2026, 1, 1, tzinfo=UTC), time_zone="UTC")
    period = current_period(window, datetime(2026, 8, 20, tzinfo=UTC))
    assert (period.start.month, period.end.month) == (7, 10)


def test_a_month_anchored_on_the_31st_clamps_to_short_months():
    window = TimeWindow("1M", is_rolling=False, calendar_start=datetime(2026, 1, 31, tzinfo=UTC), time_zone="UTC")
    period = current_period(window, datetime(2026, 3, 1, tzinfo=UTC))
    assert period.start == datetime(2026, 2, 28, tzinfo=UTC)
