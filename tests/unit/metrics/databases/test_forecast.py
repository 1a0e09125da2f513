"""Capacity forecast: days until the disk fills or a sequence runs out equal an independent least-squares fit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy
import pytest

from metrics.databases.checks import CHECK_GUIDES, CHECK_IDS, CRITICAL, INFO, OK, WARN
from metrics.databases.forecast import (
    FORECAST_WINDOW_DAYS,
    CapacityForecast,
    ForecastState,
    Reading,
    ResourceKind,
    check_capacity,
    forecast_resource,
    forecast_status,
)

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
GB = 10**9


def readings(days_ago_and_values: list[tuple[float, float]]) -> list[Reading]:
    return [Reading(NOW - timedelta(days=days), value) for days, value in days_ago_and_values]


def polyfit_days_left(days_ago_and_values: list[tuple[float, float]], limit: float) -> float:
    """The expected figure by numpy: fit value = a·t + b over t in days (t = −days ago), solve a·t + b = limit."""
    ts = numpy.array([-days for days, _ in days_ago_and_values])
    ys = numpy.array([value for _, value in days_ago_and_values])
    slope, intercept = numpy.polyfit(ts, ys, 1)
    return (limit - intercept) / slope  # t at which the line reaches the limit, i.e. days from now


def closed_form_slope(days_ago_and_values: list[tuple[float, float]]) -> float:
    """Least squares written out: Σ(x − x̄)(y − ȳ) / Σ(x − x̄)²."""
    xs = [-d for d, _ in days_ago_and_values]
    ys = [v for _, v in days_ago_and_values]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


# Irregular intervals and noisy sizes, as a cron job that missed runs would store them.
DISK_HISTORY = [
    (27.0, 400 * GB),
    (20.5, 407 * GB),
    (14.0, 409 * GB),
    (13.0, 413 * GB),
    (6.2, 418 * GB),
    (0.1, 424 * GB),
]


def test_days_until_the_disk_fills_equal_numpys_linear_fit():
    forecast = forecast_resource(ResourceKind.DISK, "disk", readings(DISK_HISTORY), 500 * GB, NOW)
    assert forecast.state is ForecastState.RUNS_OUT
    assert forecast.days_left == pytest.approx(polyfit_days_left(DISK_HISTORY, 500 * GB), rel=1e-9)
    assert forecast.growth_per_week == pytest.approx(7 * closed_form_slope(DISK_HISTORY), rel=1e-9)
    assert forecast.snapshots == 6 and forecast.current == 424 * GB


def test_readings_older_than_the_window_are_left_out_of_the_fit():
    old = [(FORECAST_WINDOW_DAYS + 3, 100 * GB)]  # would flatten the line a lot
    forecast = forecast_resource(ResourceKind.DISK, "disk", readings(old + DISK_HISTORY), 500 * GB, NOW)
    assert forecast.snapshots == len(DISK_HISTORY)
    assert forecast.days_left == pytest.approx(polyfit_days_left(DISK_HISTORY, 500 * GB), rel=1e-9)


def test_a_sequence_runs_out_when_its_line_reaches_the_column_types_maximum():
    history = [(21.0, 10_000), (14.0, 15_100), (7.0, 19_900), (0.0, 25_050)]  # about 717 values a day
    forecast = forecast_resource(ResourceKind.SEQUENCE, "public.orders_id_seq", readings(history), 32767, NOW)
    expected = polyfit_days_left(history, 32767)
    assert forecast.days_left == pytest.approx(expected, rel=1e-9)
    assert 10 < expected < 11  # by hand: (32767 − ~25,040) / ~717 a day
    assert forecast_status(forecast, warn_days=30, critical_days=7) == WARN


def test_a_line_already_past_the_limit_runs_out_now():
    history = [(2.0, 480 * GB), (1.0, 495 * GB), (0.0, 510 * GB)]
    forecast = forecast_resource(ResourceKind.DISK, "disk", readings(history), 500 * GB, NOW)
    assert forecast.days_left == 0.0
    assert forecast_status(forecast, 30, 7) == CRITICAL


@pytest.mark.parametrize(
    ("history", "state"),
    [
        ([], ForecastState.NO_DATA),
        ([(1.0, 10 * GB)], ForecastState.NOT_ENOUGH_HISTORY),
        ([(2.0, 10 * GB), (1.0, 11 * GB)], ForecastState.NOT_ENOUGH_HISTORY),
        ([(3.0, 10 * GB), (2.0, 10 * GB), (1.0, 10 * GB)], ForecastState.NOT_GROWING),
        ([(3.0, 12 * GB), (2.0, 11 * GB), (1.0, 10 * GB)], ForecastState.NOT_GROWING),
    ],
    ids=["no snapshot", "one snapshot", "two snapshots", "flat", "shrinking"],
)
def test_too_little_history_or_no_growth_forecasts_no_day(history, state):
    forecast = forecast_resource(ResourceKind.DISK, "disk", readings(history), 500 * GB, NOW)
    assert forecast.state is state
    assert forecast.days_left is None
    expected = INFO if state in (ForecastState.NO_DATA, ForecastState.NOT_ENOUGH_HISTORY) else OK
    assert forecast_status(forecast, 30, 7) == expected


def test_a_growing_disk_without_a_disk_size_gives_growth_but_no_day():
    forecast = forecast_resource(ResourceKind.DISK, "disk", readings(DISK_HISTORY), None, NOW)
    assert forecast.state is ForecastState.GROWING and forecast.days_left is None
    assert forecast.growth_per_week == pytest.approx(7 * closed_form_slope(DISK_HISTORY), rel=1e-9)


def test_snapshots_at_one_instant_cannot_make_a_line():
    same = [(1.0, 10 * GB), (1.0, 11 * GB), (1.0, 12 * GB)]
    assert forecast_resource(ResourceKind.DISK, "disk", readings(same), 500 * GB, NOW).state is (
        ForecastState.NOT_ENOUGH_HISTORY
    )


@pytest.mark.parametrize(("days", "status"), [(5.0, CRITICAL), (7.0, CRITICAL), (20.0, WARN), (30.0, WARN), (60, OK)])
def test_the_days_left_are_judged_against_the_thresholds_in_days(days, status):
    # a disk line rising 1 GB a day reaches the limit ``days`` from now
    history = [(2.0, 100 * GB - 2 * GB), (1.0, 100 * GB - GB), (0.0, 100 * GB)]
    forecast = forecast_resource(ResourceKind.DISK, "disk", readings(history), 100 * GB + days * GB, NOW)
    assert forecast.days_left == pytest.approx(days)
    assert forecast_status(forecast, warn_days=30, critical_days=7) == status


def test_the_check_takes_the_resource_that_runs_out_first():
    disk = forecast_resource(ResourceKind.DISK, "disk", readings(DISK_HISTORY), 500 * GB, NOW)
    history = [(2.0, 30_000), (1.0, 31_000), (0.0, 32_000)]
    sequence = forecast_resource(ResourceKind.SEQUENCE, "public.tiny_id_seq", readings(history), 32767, NOW)
    flat = forecast_resource(ResourceKind.SEQUENCE, "public.flat_seq", readings([(2, 5), (1, 5), (0, 5)]), 100, NOW)
    check = check_capacity(CapacityForecast("orders", disk, (sequence, flat), 30, 7, NOW))
    assert check.id == "capacity_forecast"
    assert check.status == CRITICAL  # 0.767 days left on the sequence
    assert check.value == pytest.approx(round(767 / 1000, 2))
    assert [item["name"] for item in check.items] == ["disk", "public.tiny_id_seq"]  # flat sequences not listed
    assert "bigint" in check.action


def test_every_check_kind_says_what_it_means_what_to_do_and_which_page_to_read():
    assert set(CHECK_GUIDES) == set(CHECK_IDS)
    for check_id in CHECK_IDS:
        guide = CHECK_GUIDES[check_id]
        assert guide.meaning.strip() and guide.action.strip(), check_id
        assert guide.docs.startswith(("PostgreSQL docs: ", "MariaDB docs: ")), check_id
    assert CHECK_GUIDES["dead_tuples"].docs == "PostgreSQL docs: Routine Vacuuming (routine-vacuuming)"
    assert CHECK_GUIDES["reclaimable_space"].docs == "MariaDB docs: OPTIMIZE TABLE"
