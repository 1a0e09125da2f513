"""A database that fails now but answered before: current status and failing checks, last good numbers, a note."""

from __future__ import annotations

from datetime import UTC, datetime

from metrics.databases.checks import CRITICAL, OK, WARN, CheckResult, ProbeData, build_health
from pages.database_health.widgets import fleet_frame, stale_health_view

AT = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)


def last_good_health():
    probe = ProbeData(engine="postgresql", version="PostgreSQL 15.18", database_size_bytes=13_000_000)
    checks = [
        CheckResult("up", OK, 1, "answers"),
        CheckResult("connections", WARN, 0.8, "80% in use"),
        CheckResult("dba_records", OK, None, "all recent"),
    ]
    return build_health("orders", "postgresql", checks, AT, probe=probe, environment="production")


def down_now():
    checks = [
        CheckResult("up", CRITICAL, None, "cannot connect: connection refused"),
        CheckResult("dba_records", WARN, None, "backup_verified 40 days old"),
    ]
    return build_health(
        "orders", "postgresql", checks, AT, error="cannot connect: connection refused", environment="production"
    )


def test_the_row_keeps_todays_status_and_shows_the_last_good_numbers_with_the_note():
    frame = fleet_frame(
        [down_now()], stale={"orders": (last_good_health(), "▲ showing data from 14:05 (12 min old), marked stale")}
    )
    row = frame.iloc[0]
    assert row["status"] == "■ critical"
    assert row["needs attention"] == "■ up · ▲ dba_records"
    assert row["connections"] == 0.8 and row["size"] == 13_000_000
    assert row["note"] == "cannot connect: connection refused · ▲ showing data from 14:05 (12 min old), marked stale"


def test_without_last_good_data_the_row_has_no_numbers():
    row = fleet_frame([down_now()]).iloc[0]
    assert row["note"] == "cannot connect: connection refused"
    assert row["size"] != row["size"]  # NaN: not measured


def test_the_drilldown_view_takes_the_current_up_and_records_checks_over_the_last_good_ones():
    view = stale_health_view(down_now(), last_good_health())
    assert view.status == CRITICAL and view.error == "cannot connect: connection refused"
    assert [(c.id, c.status) for c in view.checks] == [("up", CRITICAL), ("connections", WARN), ("dba_records", WARN)]
    assert view.probe.version == "PostgreSQL 15.18"
