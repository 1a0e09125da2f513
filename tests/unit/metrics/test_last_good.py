"""Fresh or last good: what a panel shows when its source fails now, and which reading it keeps."""

from datetime import UTC, datetime, timedelta

from metrics.databases.checks import CRITICAL, UNKNOWN, CheckResult, build_health
from metrics.last_good import GoodReading, Shown, choose, failed_probe_reason

T0 = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)


def test_a_successful_read_is_shown_fresh_and_becomes_the_last_good_one():
    shown, keep = choose("report at 14:05", None, T0, None)
    assert shown == Shown("report at 14:05", T0)
    assert not shown.failed and not shown.stale and not shown.no_data_yet
    assert keep == GoodReading("report at 14:05", T0)


def test_a_failed_read_shows_the_last_good_one_marked_stale_with_its_own_read_time():
    earlier = GoodReading("report at 14:05", T0)
    shown, keep = choose("no-data report", "Prometheus is unreachable", T0 + timedelta(minutes=12), earlier)
    assert shown.value == "report at 14:05"
    assert shown.read_at == T0
    assert shown.stale and shown.failed and not shown.no_data_yet
    assert shown.failure == "Prometheus is unreachable"
    assert shown.age(T0 + timedelta(minutes=12)) == timedelta(minutes=12)
    assert keep is earlier


def test_a_failed_read_without_earlier_success_shows_the_failed_value_as_no_data_yet():
    shown, keep = choose("no-data report", "timed out", T0, None)
    assert shown.value == "no-data report"
    assert shown.no_data_yet and not shown.stale
    assert keep is None


def test_a_success_after_a_failure_replaces_the_last_good_reading():
    earlier = GoodReading("old", T0)
    shown, keep = choose("new", None, T0 + timedelta(minutes=3), earlier)
    assert shown.value == "new" and not shown.stale
    assert keep == GoodReading("new", T0 + timedelta(minutes=3))


def test_an_older_cached_answer_never_replaces_a_newer_last_good_reading():
    newer = GoodReading("read at 14:10", T0 + timedelta(minutes=5))
    shown, keep = choose("read at 14:05", None, T0, newer)
    assert shown.value == "read at 14:05"  # the caller asked for it and it is good: shown as it is
    assert keep is newer


def test_age_is_never_negative_when_clocks_disagree():
    shown = Shown("x", T0 + timedelta(seconds=5), failure="down", stale=True)
    assert shown.age(T0) == timedelta(0)


def test_a_database_that_cannot_be_reached_has_failed_its_probe():
    health = build_health(
        "orders",
        "postgresql",
        [CheckResult("up", CRITICAL, None, "cannot connect")],
        T0,
        error="cannot connect: connection refused",
    )
    assert failed_probe_reason(health) == "cannot connect: connection refused"


def test_a_database_without_dsn_has_not_failed_a_probe():
    health = build_health(
        "orders",
        "postgresql",
        [CheckResult("up", UNKNOWN, None, "not configured")],
        None,
        error="not configured: set DB_DSN_ORDERS",
    )
    assert failed_probe_reason(health) is None
