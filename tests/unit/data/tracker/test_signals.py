"""Names the tracker may link to (read from databases.toml without the database-health loader), and database
readings from the probes (why each item in the due queue is due: tests/unit/metrics/tracker/test_due.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from data.tracker.signals import known_database_names


def test_database_names_come_from_database_tables(tmp_path):
    path = tmp_path / "databases.toml"
    path.write_text('[[database]]\nname = "orders-primary"\n[[database]]\nname = "catalog"\n', encoding="utf-8")
    assert known_database_names(path) == {"orders-primary", "catalog"}


def test_the_plural_table_name_works_too(tmp_path):
    path = tmp_path / "databases.toml"
    path.write_text('[[databases]]\nname = "orders-primary"\n', encoding="utf-8")
    assert known_database_names(path) == {"orders-primary"}


def test_a_missing_or_broken_file_means_no_known_databases(tmp_path):
    assert known_database_names(tmp_path / "absent.toml") == set()
    broken = tmp_path / "broken.toml"
    broken.write_text("[[database]\n", encoding="utf-8")
    assert known_database_names(broken) == set()


def test_database_readings_from_probes_map_each_check_and_the_whole_database():
    from datetime import datetime

    from data.tracker.signals import readings_from_health
    from metrics.databases.checks import CheckResult, DatabaseHealth

    at = datetime(2026, 11, 24, tzinfo=UTC)
    health = DatabaseHealth(
        database="orders-primary",
        engine="postgresql",
        status="critical",
        checks=[
            CheckResult(id="blocked_sessions", status="critical", value=6, detail="", action="", items=[]),
            CheckResult(id="sequences", status="unknown", value=None, detail="", action="", items=[]),
            CheckResult(id="unused_indexes", status="info", value=2, detail="", action="", items=[]),
        ],
        probed_at=at,
        error=None,
    )
    readings = readings_from_health([health], at)
    assert readings.statuses[("orders-primary", None)] == "critical"
    assert readings.statuses[("orders-primary", "blocked_sessions")] == "critical"
    assert readings.statuses[("orders-primary", "sequences")] == "no data"
    assert readings.statuses[("orders-primary", "unused_indexes")] == "ok"


def test_a_database_trigger_fires_on_a_probe_reading_through_the_provider():
    from pathlib import Path

    from data.settings import load_settings
    from data.tracker.signals import probe_reading_provider, tracker_readings
    from metrics.databases.checks import CheckResult, DatabaseHealth
    from metrics.tracker.triggers import evaluate_trigger, parse_trigger_line, trigger_from_dict

    settings = load_settings({"RELIABILITY_NOW": "2026-11-24T09:00:00Z"}, Path("/nonexistent/secrets.toml"))
    at = settings.now()
    health = DatabaseHealth(
        database="orders-primary",
        engine="postgresql",
        status="warn",
        checks=[CheckResult(id="dead_tuples", status="warn", value=0.3, detail="", action="", items=[])],
        probed_at=at,
        error=None,
    )
    provider = probe_reading_provider(settings, probe=lambda names: [health])
    readings = tracker_readings(None, at, wanted_databases={"orders-primary"}, database_readings=provider)
    trigger = trigger_from_dict(parse_trigger_line("database orders-primary dead_tuples warn"))
    evaluation = evaluate_trigger(trigger, readings, at.date())
    assert evaluation.fired
    assert readings.database_source == "live database probes"


def test_a_failing_database_provider_reads_no_data_and_names_the_error():
    from datetime import datetime

    from data.tracker.signals import tracker_readings

    def broken(names):
        raise ConnectionRefusedError("down")

    at = datetime(2026, 11, 24, tzinfo=UTC)
    readings = tracker_readings(None, at, wanted_databases={"orders-primary"}, database_readings=broken)
    assert (readings.databases, readings.database_error) == ({}, "ConnectionRefusedError")


def test_database_readings_from_the_demo_fleet_say_so():
    from dataclasses import replace

    from data.databases.demo import DEMO_SOURCE
    from data.tracker.signals import readings_from_health
    from metrics.databases.checks import DatabaseHealth

    at = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    live = DatabaseHealth(database="catalog", engine="postgresql", status="ok", checks=[], probed_at=at, error=None)
    demo = replace(live, database="orders-primary", source=DEMO_SOURCE)
    assert readings_from_health([demo], at).source == "the demo database fleet"
    assert readings_from_health([live, demo], at).source == "live database probes and the demo database fleet"
