"""What the tracker page says when a source could not answer, from the readings' own fields."""

from __future__ import annotations

from datetime import UTC, datetime

from metrics.tracker.triggers import Readings
from pages.tracker.loaders import readings_problem

AT = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)


def test_readings_from_every_source_have_no_problem_to_show():
    assert readings_problem(Readings(at=AT)) is None


def test_slo_errors_and_a_failed_probe_are_named_together():
    readings = Readings(at=AT, slo_errors=("timeout", "refused"), database_error="OperationalError")
    assert readings_problem(readings) == (
        "SLO readings unavailable: timeout; refused · database readings unavailable: OperationalError"
    )
