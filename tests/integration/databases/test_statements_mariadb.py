"""Statement history on a real MariaDB with performance_schema on: collect, make a statement slower, reset the
digest statistics (TRUNCATE of the summary table), collect again; `db-health statements` ranks it first with the
ratio worked out here from the server's own counters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pymysql
import pytest

from tests.support.servers import MariaDBServer, mariadb_available, require, start_mariadb
from tests.support.stores import run_cli

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
SLEEP_TOTALS = """
SELECT COALESCE(SUM(COUNT_STAR), 0), COALESCE(SUM(SUM_TIMER_WAIT), 0) / 1000000000
FROM performance_schema.events_statements_summary_by_digest
WHERE SCHEMA_NAME = DATABASE() AND DIGEST_TEXT LIKE 'SELECT `sleep`%%'
"""
RESET = "TRUNCATE TABLE performance_schema.events_statements_summary_by_digest"


@pytest.fixture(scope="module")
def statements_server() -> Iterator[MariaDBServer]:
    """A MariaDB of its own: performance_schema is read only at start, and the shared one runs without it."""
    require("mariadb", mariadb_available(), "mariadbd and mariadb-install-db")
    with start_mariadb(("--performance-schema=ON",)) as server:
        yield server


def connect(server: MariaDBServer) -> pymysql.Connection:
    return pymysql.connect(host="127.0.0.1", port=server.port, user="root", database=server.database, autocommit=True)


def execute(server: MariaDBServer, *statements: str) -> list[tuple]:
    with connect(server) as connection, connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        return list(cursor.fetchall())


# The test's own statements (the digest reset, reading the totals) on a connection performance_schema leaves out:
# on a loaded machine a TRUNCATE of the digest table can take longer than the sleeps and rank first.
UNRECORDED = "UPDATE performance_schema.threads SET INSTRUMENTED = 'NO' WHERE PROCESSLIST_ID = CONNECTION_ID()"


def execute_unrecorded(server: MariaDBServer, *statements: str) -> list[tuple]:
    return execute(server, UNRECORDED, *statements)


def run_sleeps(server: MariaDBServer, seconds: float, times: int) -> None:
    execute(server, *[f"SELECT SLEEP({seconds})"] * times)


def sleep_totals(server: MariaDBServer) -> tuple[int, float]:
    [(calls, total_ms)] = execute_unrecorded(server, SLEEP_TOTALS)
    return int(calls), float(total_ms)


@pytest.fixture
def monitored(statements_server, tmp_path):
    config = tmp_path / "databases.toml"
    config.write_text('[[database]]\nname = "catalog"\nengine = "mariadb"\n')
    return {
        "DB_DSN_CATALOG": f"mysql://root@127.0.0.1:{statements_server.port}/{statements_server.database}",
        "DATABASES_CONFIG": str(config),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "RELIABILITY_SECRETS_FILE": str(tmp_path / "none.toml"),
    }


def collect(monkeypatch, capsys, env, days_ago: float) -> None:
    at = NOW - timedelta(days=days_ago)
    code, _, err = run_cli(monkeypatch, capsys, {**env, "RELIABILITY_NOW": at.isoformat()}, "collect", "db-health")
    assert code == 0, err


def test_a_statement_made_slower_is_ranked_first_even_across_a_digest_reset(
    statements_server, monitored, monkeypatch, capsys
):
    env = monitored
    assert execute(statements_server, "SELECT @@performance_schema") == [(1,)]
    assert run_cli(monkeypatch, capsys, env, "migrate")[0] == 0
    execute_unrecorded(statements_server, RESET)
    collect(monkeypatch, capsys, env, days_ago=14)  # the baseline
    base_calls, base_ms = sleep_totals(statements_server)

    run_sleeps(statements_server, 0.05, 5)
    before_calls, before_ms = sleep_totals(statements_server)
    collect(monkeypatch, capsys, env, days_ago=8)  # the previous 7 days

    execute_unrecorded(statements_server, RESET)  # the digests start again from zero, with a new FIRST_SEEN
    run_sleeps(statements_server, 0.5, 5)  # 2.5 s in all: far above what any probe statement takes
    after_calls, after_ms = sleep_totals(statements_server)
    collect(monkeypatch, capsys, env, days_ago=1)  # the last 7 days

    previous_mean = (before_ms - base_ms) / (before_calls - base_calls)
    current_mean = after_ms / after_calls
    assert (before_calls - base_calls, after_calls) == (5, 5)
    expected_ratio = current_mean / previous_mean
    assert expected_ratio > 3  # 500 ms sleeps against 50 ms ones

    code, out, err = run_cli(
        monkeypatch,
        capsys,
        {**env, "RELIABILITY_NOW": NOW.isoformat()},
        *("db-health", "statements", "--database", "catalog", "--window", "7d", "--format", "json"),
    )
    assert code == 0, err
    first = json.loads(out)["statements"][0]
    assert first["query_text"].lower().startswith("select `sleep`")
    assert (first["calls"], first["previous_calls"], first["trend"]) == (5, 5, "seen")
    assert first["total_time_ms"] == pytest.approx(after_ms, abs=0.01)
    assert first["total_time_change_ms"] == pytest.approx(after_ms - (before_ms - base_ms), abs=0.01)
    assert first["mean_time_ratio"] == pytest.approx(expected_ratio, abs=0.01)
    assert first["change"] == f"{expected_ratio:.1f}× slower than the previous 7 days"
