"""Tablespaces on a real PostgreSQL: the probe measures each one (pg_global left out) without waiting for a table's
lock, a tablespace the role may not measure is that item's "cannot tell" alone, and collected snapshots forecast
when the tablespace's disk fills, against numpy's fit of the sizes the server itself reported."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy
import psycopg
import pytest

from data.databases.probes.postgres import probe_postgres
from metrics.databases.checks import Thresholds
from tests.support.servers import running_as_root
from tests.support.stores import run_cli

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


@pytest.fixture
def tablespace(postgres_server):
    """A database, a tablespace in a fresh directory (owned by the server's OS user) and a table in it."""
    suffix = uuid.uuid4().hex[:10]
    url = postgres_server.create_database(f"tablespace_{suffix}")
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    location = Path(tempfile.mkdtemp(prefix="tablespace-", dir="/tmp"))
    if running_as_root():
        shutil.chown(location, "postgres", "postgres")
    name = f"fast_ssd_{suffix}"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"CREATE TABLESPACE {name} LOCATION '{location}'")
        connection.execute(
            f"CREATE TABLE events (id bigint, payload text) WITH (autovacuum_enabled = false) TABLESPACE {name}"
        )
    yield dsn, name
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS events")
        connection.execute(f"DROP TABLESPACE IF EXISTS {name}")
    shutil.rmtree(location, ignore_errors=True)


def server_size(dsn: str, tablespace: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as connection:
        return connection.execute("SELECT pg_tablespace_size(%s)", (tablespace,)).fetchone()[0]


def test_the_probe_measures_every_tablespace_but_pg_global_while_a_table_in_it_is_locked(tablespace):
    dsn, name = tablespace
    with psycopg.connect(dsn) as holder:  # an open transaction holding ACCESS EXCLUSIVE on the tablespace's table
        holder.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        probe = probe_postgres(dsn, Thresholds(), statement_timeout_s=5.0)
        took = time.monotonic() - started
        holder.rollback()
    sizes = {t.name: t for t in probe.tablespaces}
    assert "pg_global" not in sizes and {"pg_default", name} <= set(sizes)
    assert sizes[name].size_bytes == server_size(dsn, name) and sizes[name].unreadable == ""
    assert sizes["pg_default"].size_bytes > 0
    assert "tablespaces" not in probe.unavailable
    assert took < 5.0  # nothing waited for the lock (lock_timeout is 1 s per statement)


def test_a_tablespace_the_role_may_not_measure_is_that_tablespaces_cannot_tell_only(tablespace):
    dsn, name = tablespace
    role = f"reader_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"CREATE ROLE {role} LOGIN")  # no pg_monitor, no CREATE on the tablespace
    try:
        probe = probe_postgres(dsn.replace("postgres@", f"{role}@"), Thresholds())
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f"DROP ROLE {role}")
    sizes = {t.name: t for t in probe.tablespaces}
    assert (sizes[name].size_bytes, sizes[name].unreadable) == (None, "<insufficient privilege>")
    assert sizes["pg_default"].size_bytes > 0  # the database's own default tablespace may always be measured
    assert probe.database_size_bytes is not None


def test_collected_snapshots_of_a_real_tablespace_forecast_when_its_disk_fills(
    tablespace, tmp_path, monkeypatch, capsys
):
    dsn, name = tablespace
    config = tmp_path / "databases.toml"
    config.write_text(
        f'[[database]]\nname = "events"\nengine = "postgresql"\ntablespace_disk_size = {{ {name} = "50 MB" }}\n'
        "[database.record_intervals]\nbackup_verified = 0\nrestore_drill = 0\nfailover_test = 0\n"
    )
    env = {
        "DB_DSN_EVENTS": dsn,
        "DATABASES_CONFIG": str(config),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "RELIABILITY_SECRETS_FILE": str(tmp_path / "none.toml"),
    }
    assert run_cli(monkeypatch, capsys, env, "migrate")[0] == 0
    points = []
    for days_ago, rows in ((12, 20_000), (6, 40_000), (1, 70_000)):
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute("INSERT INTO events SELECT g, repeat('x', 100) FROM generate_series(1, %s) g", (rows,))
        at = NOW - timedelta(days=days_ago)
        code, _, err = run_cli(monkeypatch, capsys, {**env, "RELIABILITY_NOW": at.isoformat()}, "collect", "db-health")
        assert code == 0, err
        points.append((-days_ago, server_size(dsn, name)))
    slope, intercept = numpy.polyfit([x for x, _ in points], [y for _, y in points], 1)
    expected = (50 * 10**6 - intercept) / slope
    code, out, err = run_cli(
        monkeypatch, capsys, {**env, "RELIABILITY_NOW": NOW.isoformat()}, "db-health", "forecast", "--format", "json"
    )
    assert code in (0, 1), err
    rows = {(r["resource"], r["name"]): r for r in json.loads(out)["forecasts"]}
    fast = rows[("tablespace", name)]
    assert (fast["state"], fast["snapshots"], fast["limit"]) == ("runs out", 3, 50 * 10**6)
    assert fast["days_left"] == pytest.approx(expected, abs=0.01)
    assert rows[("tablespace", "pg_default")]["snapshots"] == 3
    code, out, _ = run_cli(monkeypatch, capsys, {**env, "RELIABILITY_NOW": NOW.isoformat()}, "db-health", "forecast")
    assert f"tablespace  {name}" in out or f"tablespace {name}" in out
