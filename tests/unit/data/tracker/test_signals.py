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


# --- databases found by server entries ---------------------------------------------------------------------------


def _server_entry_settings(tmp_path, store_url: str):
    from data.settings import load_settings

    config = tmp_path / "databases.toml"
    config.write_text(
        '[[database]]\nname = "orders-primary"\nengine = "postgresql"\n'
        '[[database]]\nname = "pg-main"\nengine = "postgresql"\ndiscover = true\nexclude = ["*_test"]\n',
        encoding="utf-8",
    )
    return load_settings(
        {
            "DATABASE_URL": store_url,
            "DATABASES_CONFIG": str(config),
            "RELIABILITY_SECRETS_FILE": str(tmp_path / "none.toml"),
            "DB_DSN_PG_MAIN": "postgresql://monitor@127.0.0.1:1/postgres",
        }
    )


def _no_server(*args, **kwargs):
    raise AssertionError("reading the tracker's link names must not list or probe a server")


def test_links_may_name_the_databases_a_server_entry_found_that_the_store_has_snapshots_of(tmp_path, monkeypatch):
    from data.databases import fleet
    from data.databases.probes import postgres
    from data.databases.store import save_health_snapshots
    from data.store import migrate
    from data.tracker.service import link_names
    from metrics.databases.checks import ProbeData, build_health, check_up
    from tests.support.actors import admin

    monkeypatch.setattr(fleet, "probe_fleet", _no_server)
    monkeypatch.setattr(postgres, "list_databases", _no_server)
    monkeypatch.setattr(postgres, "probe_postgres", _no_server)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(url)
    probe = ProbeData(engine="postgresql", version="PostgreSQL 16")
    at = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
    # found on pg-main: orders (watched), scratch_test (excluded since); "other/x" names no server entry
    healths = [
        build_health(n, "postgresql", [check_up(probe)], at, probe=probe)
        for n in ("pg-main/orders", "pg-main/scratch_test", "other/x")
    ]
    save_health_snapshots(url, healths, at, actor=admin())
    known = link_names(_server_entry_settings(tmp_path, url), None)
    assert known.databases == frozenset({"orders-primary", "pg-main", "pg-main/orders"})


def test_without_a_readable_store_links_name_the_files_databases_only(tmp_path):
    from data.tracker.service import link_names

    settings = _server_entry_settings(tmp_path, f"sqlite:///{tmp_path / 'missing' / 'store.db'}")
    assert link_names(settings, None).databases == frozenset({"orders-primary", "pg-main"})
