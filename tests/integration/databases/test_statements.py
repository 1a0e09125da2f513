"""Statement history on a real PostgreSQL with pg_stat_statements: collect, make a statement slower, reset the
statistics, collect again; `db-health statements` ranks it first with the ratio worked out here from the server's
own counters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from data.databases.store import save_health_snapshots, statement_readings
from metrics.databases.checks import ProbeData, build_health, check_up
from tests.support.actors import admin
from tests.support.servers import PostgresServer, postgres_available, require, start_postgres
from tests.support.stores import fresh_store, run_cli

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
SLEEP_TOTALS = """
SELECT coalesce(sum(calls), 0) AS calls, coalesce(sum(total_exec_time), 0) AS total_ms FROM pg_stat_statements
WHERE query LIKE 'SELECT pg_sleep%' AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


@pytest.fixture(scope="module")
def statements_server() -> Iterator[PostgresServer]:
    """A cluster of its own: pg_stat_statements needs shared_preload_libraries, which only a restart reads."""
    require("postgresql", postgres_available(), "PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)")
    with start_postgres() as server:
        with psycopg.connect(server.admin_url.replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
        server.stop()
        server.start()
        with psycopg.connect(server.url.replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute("CREATE EXTENSION pg_stat_statements")
        yield server


@pytest.fixture
def monitored(statements_server, tmp_path):
    dsn = statements_server.url.replace("postgresql+psycopg://", "postgresql://")
    config = tmp_path / "databases.toml"
    config.write_text('[[database]]\nname = "orders"\nengine = "postgresql"\n')
    env = {
        "DB_DSN_ORDERS": dsn,
        "DATABASES_CONFIG": str(config),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "RELIABILITY_SECRETS_FILE": str(tmp_path / "none.toml"),
    }
    return dsn, env


def sleep_totals(dsn: str) -> tuple[int, float]:
    with psycopg.connect(dsn, autocommit=True) as connection:
        calls, total_ms = connection.execute(SLEEP_TOTALS).fetchone()
    return int(calls), float(total_ms)


def run_sleeps(dsn: str, seconds: float, times: int) -> None:
    with psycopg.connect(dsn, autocommit=True) as connection:
        for _ in range(times):
            connection.execute("SELECT pg_sleep(%s)", (seconds,))


def collect(monkeypatch, capsys, env, days_ago: float) -> None:
    at = NOW - timedelta(days=days_ago)
    code, _, err = run_cli(monkeypatch, capsys, {**env, "RELIABILITY_NOW": at.isoformat()}, "collect", "db-health")
    assert code == 0, err


def test_a_statement_made_slower_is_ranked_first_even_across_a_stats_reset(monitored, monkeypatch, capsys):
    dsn, env = monitored
    assert run_cli(monkeypatch, capsys, env, "migrate")[0] == 0
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("SELECT pg_stat_statements_reset()")
    collect(monkeypatch, capsys, env, days_ago=14)  # the baseline
    base_calls, base_ms = sleep_totals(dsn)

    run_sleeps(dsn, 0.02, 5)
    before_calls, before_ms = sleep_totals(dsn)
    collect(monkeypatch, capsys, env, days_ago=8)  # the previous 7 days

    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("SELECT pg_stat_statements_reset()")  # counters start again from zero
    run_sleeps(dsn, 0.2, 5)
    after_calls, after_ms = sleep_totals(dsn)
    collect(monkeypatch, capsys, env, days_ago=1)  # the last 7 days

    # by hand: the previous window is the growth since the baseline; after the reset, the new totals themselves
    previous_mean = (before_ms - base_ms) / (before_calls - base_calls)
    current_mean = after_ms / after_calls
    assert (before_calls - base_calls, after_calls) == (5, 5)
    expected_ratio = current_mean / previous_mean

    code, out, err = run_cli(
        monkeypatch,
        capsys,
        {**env, "RELIABILITY_NOW": NOW.isoformat()},
        *("db-health", "statements", "--database", "orders", "--window", "7d", "--format", "json"),
    )
    assert code == 0, err
    first = json.loads(out)["statements"][0]
    assert first["query_text"].startswith("SELECT pg_sleep(")
    assert (first["calls"], first["previous_calls"], first["trend"]) == (5, 5, "seen")
    assert first["total_time_ms"] == pytest.approx(after_ms, abs=0.01)
    assert first["total_time_change_ms"] == pytest.approx(after_ms - (before_ms - base_ms), abs=0.01)
    assert first["mean_time_ratio"] == pytest.approx(expected_ratio, abs=0.01)
    assert expected_ratio > 3  # 200 ms sleeps against 20 ms ones
    assert first["change"] == f"{expected_ratio:.1f}× slower than the previous 7 days"

    code, table, err = run_cli(
        monkeypatch,
        capsys,
        {**env, "RELIABILITY_NOW": NOW.isoformat()},
        *("db-health", "statements", "--database", "orders"),
    )
    assert code == 0, err
    first_row = table.splitlines()[3]
    assert first_row.split()[0] == "1" and "SELECT pg_sleep(" in first_row

    code, out, err = run_cli(
        monkeypatch,
        capsys,
        {**env, "RELIABILITY_NOW": NOW.isoformat()},
        *("db-health", "statements", "--database", "orders", "--by", "mean", "--format", "json"),
    )
    assert code == 0, err
    by_mean = json.loads(out)
    assert by_mean["ranked_by"] == "mean"
    means = [row["mean_time_ms"] for row in by_mean["statements"]]
    assert means == sorted(means, reverse=True) and means[0] == pytest.approx(current_mean, abs=0.01)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    return fresh_store(request, tmp_path, "statements")


def test_a_window_is_read_with_the_snapshot_before_it_as_its_baseline(store_url):
    for days_ago, calls in ((20, 1), (9, 2), (3, 5)):
        counters = [
            {
                "statement_key": "k",
                "query_text": "SELECT 1",
                "calls": calls,
                "total_time_ms": 1.0 * calls,
                "rows": 0,
                "counted_since": None,
            }
        ]
        probe = ProbeData(engine="postgresql", version="PostgreSQL 15", statement_counters=counters)
        health = build_health("orders", "postgresql", [check_up(probe)], NOW, probe=probe)
        save_health_snapshots(store_url, [health], NOW - timedelta(days=days_ago), actor=admin())
    rows = statement_readings(store_url, "orders", NOW - timedelta(days=7))
    assert [(row["taken_at"], row["calls"]) for row in rows] == [
        (NOW - timedelta(days=9), 2),
        (NOW - timedelta(days=3), 5),
    ]


def test_the_digest_query_runs_on_mariadb(mariadb_server):
    """The fixture's MariaDB runs without performance_schema: its digest table is there and empty, which is enough
    for the server to check the query the collector runs (columns, FIRST_SEEN, the LIMIT)."""
    import sqlalchemy as sa

    from data.databases.probes.mysql import STATEMENTS

    engine = sa.create_engine(mariadb_server.url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(STATEMENTS).all()
    finally:
        engine.dispose()
    assert rows == []
