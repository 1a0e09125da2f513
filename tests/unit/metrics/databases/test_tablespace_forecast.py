"""Tablespace forecasts: days until each tablespace's disk fills equal an independent least-squares fit, and they
take their part in the capacity check, the fleet column and the weekly line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy
import pytest

from metrics.databases.checks import OK, UNKNOWN, WARN
from metrics.databases.forecast import (
    CapacityForecast,
    ForecastState,
    Reading,
    ResourceKind,
    check_capacity,
    forecast_resource,
    forecast_text,
)
from metrics.weekly.review import database_forecast_line

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
GB = 10**9
# (days before NOW, bytes): irregular days, uneven growth
FAST_SSD = [(26.0, 300 * GB), (19.5, 318 * GB), (12.0, 331 * GB), (11.0, 340 * GB), (4.0, 352 * GB), (0.5, 365 * GB)]
DISK = [(20.0, 400 * GB), (10.0, 401 * GB), (1.0, 402 * GB)]


def readings(points: list[tuple[float, float]]) -> list[Reading]:
    return [Reading(NOW - timedelta(days=days), value) for days, value in points]


def numpy_days_left(points: list[tuple[float, float]], limit: float) -> float:
    slope, intercept = numpy.polyfit([-d for d, _ in points], [v for _, v in points], 1)
    return (limit - intercept) / slope


def capacity(tablespaces: tuple, warn_days: float = 30) -> CapacityForecast:
    return CapacityForecast(
        database="orders",
        disk=forecast_resource(ResourceKind.DISK, "disk", readings(DISK), 2000 * GB, NOW),
        sequences=(),
        warn_days=warn_days,
        critical_days=7,
        at=NOW,
        tablespaces=tablespaces,
    )


def fast_ssd(limit: float | None = 500 * GB):
    return forecast_resource(ResourceKind.TABLESPACE, "fast_ssd", readings(FAST_SSD), limit, NOW)


def test_days_until_a_tablespaces_disk_fills_equal_numpys_fit():
    forecast = fast_ssd()
    assert forecast.state is ForecastState.RUNS_OUT
    assert forecast.days_left == pytest.approx(numpy_days_left(FAST_SSD, 500 * GB), rel=1e-9)
    assert forecast_text(forecast).startswith("runs out in ")


def test_a_tablespace_without_a_disk_size_grows_without_a_date_and_names_the_setting():
    forecast = fast_ssd(limit=None)
    assert (forecast.state, forecast.days_left) == (ForecastState.GROWING, None)
    assert "set tablespace_disk_size.fast_ssd in databases.toml" in forecast_text(forecast)


def test_the_soonest_tablespace_leads_the_fleet_column_and_sets_the_check():
    days = numpy_days_left(FAST_SSD, 500 * GB)  # about 55 days; the disk is years away
    forecast = capacity((fast_ssd(),), warn_days=60)
    assert forecast.soonest.name == "fast_ssd"
    assert forecast.runs_out_text().endswith("(tablespace fast_ssd)")
    check = check_capacity(forecast)
    assert check.status == WARN and check.value == pytest.approx(days, abs=0.01)
    [disk, tablespace] = check.items
    assert (disk["resource"], tablespace["resource"], tablespace["name"]) == ("disk", "tablespace", "fast_ssd")
    assert tablespace["days_left"] == pytest.approx(days, abs=0.01)
    assert "tablespace fast_ssd: runs out in" in check.detail
    assert "Add disk or free space" in check.action


def test_a_tablespace_the_probe_could_not_measure_is_that_items_cannot_tell_only():
    pg_default = forecast_resource(ResourceKind.TABLESPACE, "pg_default", readings(DISK), None, NOW)
    forecast = capacity((fast_ssd(), pg_default), warn_days=30)
    check = check_capacity(forecast, {"fast_ssd": "<insufficient privilege>"})
    by_name = {item["name"]: item for item in check.items}
    assert by_name["fast_ssd"]["status"] == UNKNOWN
    assert by_name["fast_ssd"]["outlook"] == "cannot tell: <insufficient privilege>"
    assert by_name["pg_default"]["state"] == "growing" and by_name["disk"]["status"] == OK
    assert check.status == OK  # the other resources judge the check


def test_the_weekly_line_counts_tablespaces_in_its_status_and_outlook():
    line = database_forecast_line(capacity((fast_ssd(),), warn_days=60))
    assert line.status == WARN
    assert line.runs_out.endswith("(tablespace fast_ssd)")
    assert "tablespace fast_ssd: runs out in" in line.outlook
    assert line.days_left == pytest.approx(numpy_days_left(FAST_SSD, 500 * GB), abs=1e-6)
