"""``cli.py db-health`` and ``collect db-health`` in demo mode (no Prometheus, no DSN): the same demo figures as the
Database health page, said to be demo, and never stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.unit.commands.conftest import NOW

# The design (data/databases/demo.py): critical for a session 372 s behind a lock (past 300 s), warn for 12 s of
# replica lag (past 5 s) and for 60 % dead rows (past 20 %), catalog all ok.
DEMO_STATUSES = {
    "orders-primary": "critical",
    "orders-replica": "warn",
    "catalog": "ok",
    "analytics-staging": "warn",
}


@pytest.fixture
def demo_env(store_env, run_cli):
    env = {k: v for k, v in store_env.items() if not k.startswith("DB_DSN_")}
    assert run_cli(env, command="migrate").returncode == 0
    return env


def test_db_health_prints_the_demo_statuses_marked_as_demo_with_how_to_set_real_dsns(demo_env, run_cli):
    done = run_cli(demo_env, command="db-health")
    assert done.returncode == 1  # a check needs attention
    assert "orders-primary (postgresql, production, demo data): CRITICAL" in done.stdout
    assert "catalog (mariadb, production, demo data): OK" in done.stdout
    assert "Demo data" in done.stdout and "DB_DSN_" in done.stdout and "not configured" not in done.stdout


def test_db_health_json_has_every_figure_the_page_shows(demo_env, run_cli):
    from data.databases.config import load_database_config
    from data.databases.demo import demo_health
    from data.settings import DEFAULT_DATABASES_CONFIG

    done = run_cli(demo_env, "--format", "json", command="db-health")
    databases = {d["database"]: d for d in json.loads(done.stdout)["databases"]}
    assert {name: d["status"] for name, d in databases.items()} == DEMO_STATUSES
    assert {d["source"] for d in databases.values()} == {"demo"}
    now = datetime.fromisoformat(NOW.replace("Z", "+00:00")).astimezone(UTC)
    for target in load_database_config(DEFAULT_DATABASES_CONFIG).databases:
        page = demo_health(target, now).to_dict()
        assert json.loads(json.dumps(page, default=str)) == databases[target.name]


def test_collect_db_health_stores_no_demo_snapshot(demo_env, run_cli):
    from data.store import engine_for
    from data.weekly.review import database_statuses

    done = run_cli(demo_env, "db-health", command="collect")
    assert done.returncode == 0
    assert "stored 0 database snapshot(s)" in done.stdout and "4 demo database(s) not stored" in done.stdout
    engine = engine_for(demo_env["DATABASE_URL"])
    try:
        assert database_statuses(engine, datetime(2100, 1, 1, tzinfo=UTC)) is None  # no snapshot at all
    finally:
        engine.dispose()
