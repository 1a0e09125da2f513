"""Names the tracker may link to (read from databases.toml without the database-health loader), and why each
item in the due queue is due."""

from __future__ import annotations

from datetime import UTC, date, datetime

from data.tracker.signals import due_queue, known_database_names
from data.tracker.store import TrackerItem
from metrics.tracker.triggers import Readings, SloTriggerReading, due_reasons, trigger_from_dict


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


# --- why an item in the due queue is due ----------------------------------------------------------------------------

AT = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)
BUDGET = {"kind": "slo_budget_below", "slo": "checkout-availability", "threshold": 0.25}


def item(**overrides) -> TrackerItem:
    values = dict(
        id=1,
        title="Failover",
        problem_statement="",
        state="parked",
        owner_role="DBA",
        owner="",
        impact="high",
        urgency="medium",
        why_parked_category="vendor",
        why_parked="",
        workaround="",
        workaround_holds=None,
        root_cause_confidence="known",
        decided_by="",
        decided_on=None,
        revisit_on=None,
        cadence_days=None,
        last_reviewed_at=None,
        resolution_code=None,
        external_reference="",
        triggers=[BUDGET],
        created_at=AT,
        updated_at=AT,
    )
    values.update(overrides)
    return TrackerItem(**values)


def readings(budget: float) -> Readings:
    return Readings(at=AT, slo_source="demo data", slos={"checkout-availability": SloTriggerReading(budget, {})})


def test_a_due_item_still_firing_shows_the_live_reading_once():
    fired = due_reasons(None, [trigger_from_dict(BUDGET)], readings(0.10), TODAY)[0]
    [entry] = due_queue([item(state="due", due_reason=fired.to_dict())], readings(0.05), TODAY)
    assert [reason.value for reason in entry.reasons] == [0.05]


def test_a_due_item_whose_signal_recovered_keeps_the_reading_that_fired_it():
    fired = due_reasons(None, [trigger_from_dict(BUDGET)], readings(0.10), TODAY)[0]
    [entry] = due_queue([item(state="due", due_reason=fired.to_dict())], readings(0.60), TODAY)
    assert [(reason.value, reason.source) for reason in entry.reasons] == [(0.10, "demo data")]


def test_a_parked_item_without_a_reason_is_not_in_the_queue():
    assert due_queue([item(revisit_on=date(2027, 1, 1))], readings(0.60), TODAY) == []


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
