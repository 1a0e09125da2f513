"""Custom checks on the database page: in the checks table beside the built-in ones, with their own title,
description and action, and the rows a rows check returned."""

from __future__ import annotations

from datetime import UTC, datetime

from metrics.databases.checks import ProbeData, build_health, check_up
from metrics.databases.custom import CustomCheck, CustomReading, evaluate_custom
from pages.database_health.widgets import checks_frame, custom_rows_frames

AT = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)
PENDING = CustomCheck(
    "pending-orders",
    "postgresql",
    "SELECT id, placed_at FROM orders WHERE state = 'pending'",
    "Orders waiting for payment over an hour",
    title="Pending orders",
    action="Restart the payment worker",
    kind="rows",
    warn=1,
)


def health():
    probe = ProbeData(engine="postgresql", version="PostgreSQL 16.4")
    reading = CustomReading(("id", "placed_at"), ((7, "2026-11-24 12:00"), (9, "2026-11-24 12:30")), 2)
    checks = [check_up(probe), evaluate_custom(PENDING, reading)]
    return build_health("orders", "postgresql", checks, AT, probe=probe)


def test_a_custom_check_is_a_row_of_the_checks_table_with_its_title_description_and_action():
    frame = checks_frame(health())
    row = frame[frame["id"] == "pending-orders"].iloc[0]
    assert (row["status"], row["check"], row["value"]) == ("▲ warn", "Pending orders", "2")
    assert row["detail"] == "2 rows (warn ≥ 1). Orders waiting for payment over an hour"
    assert row["action"] == "Restart the payment worker"
    assert list(frame["id"]) == ["pending-orders", "up"]  # worst first, built-in and custom alike


def test_the_rows_a_rows_check_returned_are_a_table_of_their_own():
    [(title, rows)] = custom_rows_frames(health())
    assert title == "Rows returned by Pending orders (2 shown)"
    assert rows.to_dict("records") == [
        {"id": 7, "placed_at": "2026-11-24 12:00"},
        {"id": 9, "placed_at": "2026-11-24 12:30"},
    ]
