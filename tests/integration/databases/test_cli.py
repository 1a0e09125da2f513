"""`cli.py db-health`, `collect db-health` and `db-records` against a real PostgreSQL: output, exit codes, no
secrets."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from data.databases.store import health_history
from tests.support.servers import free_port

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]
PASSWORD = "pw-never-printed"


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DB_DSN_", "DATABASES_CONFIG"))}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "cli.py", *args], cwd=REPO, capture_output=True, text=True, timeout=120, env=environment
    )


@pytest.fixture
def setup(postgres_server, tmp_path):
    """A database (trust auth ignores the password in its DSN), a databases.toml naming it, and a fresh store."""
    url = postgres_server.create_database(f"cli_{uuid.uuid4().hex[:10]}")
    dsn = url.replace("postgresql+psycopg://postgres@", f"postgresql://postgres:{PASSWORD}@")
    config = tmp_path / "databases.toml"
    config.write_text(
        '[[database]]\nname = "orders"\nengine = "postgresql"\nenvironment = "test"\n'
        "[database.record_intervals]\nbackup_verified = 0\nrestore_drill = 0\nfailover_test = 0\n"
        '[[database]]\nname = "gone"\nengine = "postgresql"\n'
    )
    env = {
        "DB_DSN_ORDERS": dsn,
        "DB_DSN_GONE": f"postgresql://x:{PASSWORD}@127.0.0.1:{free_port()}/gone",
        "DATABASES_CONFIG": str(config),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "RELIABILITY_SECRETS_FILE": str(tmp_path / "none.toml"),
        "RELIABILITY_NOW": "2026-11-24T14:05:00Z",
    }
    assert run_cli("migrate", env=env).returncode == 0
    return url, env


def test_json_output_has_the_documented_shape_and_exit_0_when_nothing_needs_attention(setup):
    _, env = setup
    completed = run_cli("db-health", "--database", "orders", "--format", "json", env=env)
    assert completed.returncode == 0, completed.stderr
    payload = json.loads(completed.stdout)
    assert (payload["database"], payload["engine"], payload["status"]) == ("orders", "postgresql", "info")
    assert {"id", "status", "value", "detail", "items"} <= set(payload["checks"][0])
    assert PASSWORD not in completed.stdout + completed.stderr


def test_a_critical_check_exits_1_and_its_items_name_the_object(setup):
    url, env = setup
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("CREATE TABLE t (id serial PRIMARY KEY); SELECT setval('t_id_seq', 2100000000)")
    completed = run_cli("db-health", "--database", "orders", "--format", "json", env=env)
    assert completed.returncode == 1
    sequences = next(c for c in json.loads(completed.stdout)["checks"] if c["id"] == "sequences")
    assert sequences["status"] == "critical" and sequences["items"][0]["sequence"] == "public.t_id_seq"


def test_an_unreachable_database_exits_2_with_one_line_and_no_password(setup):
    _, env = setup
    completed = run_cli("db-health", "--database", "gone", "--format", "table", env=env)
    assert completed.returncode == 2
    assert "error: gone: cannot connect to 127.0.0.1:" in completed.stderr and "refused" in completed.stderr
    assert PASSWORD not in completed.stdout + completed.stderr and "Traceback" not in completed.stderr


def test_a_dsn_on_the_command_line_is_probed_with_default_thresholds(setup):
    _, env = setup
    completed = run_cli("db-health", "--dsn", env["DB_DSN_ORDERS"], "--name", "adhoc", "--format", "table", env=env)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("adhoc (postgresql): INFO")
    assert PASSWORD not in completed.stdout + completed.stderr


def test_an_unknown_database_name_exits_2_listing_the_known_ones(setup):
    _, env = setup
    completed = run_cli("db-health", "--database", "ordrs", env=env)
    assert completed.returncode == 2 and "known: orders, gone" in completed.stderr


def test_collect_stores_one_snapshot_per_database_once_per_minute(setup):
    _, env = setup
    first = run_cli("collect", "db-health", env=env)
    assert first.returncode == 2  # "gone" did not answer; its snapshot is stored all the same
    assert first.stdout.startswith("stored 2 database snapshot(s) at 2026-11-24T14:05:00+00:00 (1 of 2")
    assert run_cli("collect", "db-health", env=env).stdout.startswith("stored 0 database snapshot(s)")


def test_records_are_added_listed_and_refused_when_dated_in_the_future(setup):
    _, env = setup
    added = run_cli(
        "db-records",
        "add",
        "--database",
        "orders",
        "--kind",
        "backup_verified",
        "--by",
        "kim",
        "--date",
        "2026-11-23",
        env=env,
    )
    assert added.returncode == 0 and added.stdout.strip() == (
        "recorded backup_verified for orders on 2026-11-23 by kim"
    )
    future = run_cli(
        "db-records",
        "add",
        "--database",
        "orders",
        "--kind",
        "restore_drill",
        "--by",
        "kim",
        "--date",
        "2026-12-01",
        env=env,
    )
    assert future.returncode == 2 and "date: 2026-12-01 is in the future" in future.stderr
    listed = json.loads(run_cli("db-records", "list", "--format", "json", env=env).stdout)["records"]
    assert [(r["database"], r["kind"], r["by"]) for r in listed] == [("orders", "backup_verified", "kim")]


def test_a_record_for_a_database_not_in_the_config_is_refused(setup):
    _, env = setup
    completed = run_cli("db-records", "add", "--database", "nope", "--kind", "backup_verified", "--by", "kim", env=env)
    assert completed.returncode == 2 and "database: 'nope' is not in databases.toml" in completed.stderr


# --- passwords holding URL delimiters (issue 16) ----------------------------------------------------------------------

DELIMITER_PASSWORD = "PG@PASS-2:/%x"
PASSWORD_FRAGMENTS = (DELIMITER_PASSWORD, "PG@PASS", "PASS-2", "PASS", quote(DELIMITER_PASSWORD, safe=""))


def assert_no_password(text: str) -> None:
    for fragment in PASSWORD_FRAGMENTS:
        assert fragment not in text, f"{fragment!r} in {text!r}"


@pytest.fixture
def password_setup(postgres_server, setup):
    """``orders`` reached by a role whose password has "@", ":", "/" and "%" (unencoded), ``gone`` refusing, the
    same password in its DSN."""
    url, env = setup
    role = f"pw_{uuid.uuid4().hex[:8]}"
    postgres_server.create_password_role(role, DELIMITER_PASSWORD)
    gone_port = free_port()
    env = {
        **env,
        "DB_DSN_ORDERS": url.replace("postgresql+psycopg://postgres@", f"postgresql://{role}:{DELIMITER_PASSWORD}@"),
        "DB_DSN_GONE": f"postgresql://monitor:{DELIMITER_PASSWORD}@127.0.0.1:{gone_port}/gone",
    }
    return env, gone_port


def test_db_health_connects_with_a_delimiter_password_and_prints_none_of_it(password_setup):
    env, gone_port = password_setup
    healthy = run_cli("db-health", "--database", "orders", "--format", "json", env=env)
    assert healthy.returncode == 0, healthy.stderr
    assert json.loads(healthy.stdout)["status"] == "info"
    refused = run_cli("db-health", "--database", "gone", "--format", "table", env=env)
    assert refused.returncode == 2
    assert (
        f"error: gone: cannot connect to 127.0.0.1:{gone_port}/gone: connection refused (is the server running?)"
        in refused.stderr
    )
    assert_no_password(healthy.stdout + healthy.stderr + refused.stdout + refused.stderr)


def test_a_stored_snapshot_of_a_refused_database_holds_no_part_of_its_password(password_setup, tmp_path):
    import sqlite3

    env, gone_port = password_setup
    collected = run_cli("collect", "db-health", env=env)
    assert collected.returncode == 2 and collected.stdout.startswith("stored 2 database snapshot(s)")
    assert_no_password(collected.stdout + collected.stderr)
    with sqlite3.connect(tmp_path / "store.db") as connection:
        rows = connection.execute("SELECT * FROM db_health_snapshots ORDER BY database").fetchall()
        audit = connection.execute("SELECT * FROM audit_log").fetchall()
    [gone, orders] = rows
    assert f"cannot connect to 127.0.0.1:{gone_port}/gone: connection refused" in repr(gone)
    assert_no_password(repr(rows) + repr(audit))


def test_a_dsn_whose_port_is_not_a_number_is_named_without_the_password(setup):
    _, env = setup
    dsn = f"postgresql://monitor:{DELIMITER_PASSWORD}@127.0.0.1:abc/orders"
    completed = run_cli("db-health", "--dsn", dsn, "--name", "adhoc", env=env)
    assert completed.returncode == 2
    assert completed.stderr.strip() == "error: adhoc: the DSN's port is not a number"
    assert_no_password(completed.stdout + completed.stderr)


def test_migrate_never_prints_a_password_from_the_store_urls_query_string(setup):
    _, env = setup
    completed = run_cli(
        "migrate", env={**env, "DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:1/db?password=S3cr%40t"}
    )
    assert completed.returncode == 2
    assert completed.stderr.strip() == (
        "error: could not migrate the store "
        "postgresql+psycopg://u@127.0.0.1:1/db?password=***: cannot connect: check "
        "DATABASE_URL and that the server runs"
    )
    for fragment in ("S3cr", "S3cr@t", "S3cr%40t"):
        assert fragment not in completed.stdout + completed.stderr


CUSTOM_CHECKS = """
[[checks]]
name = "row-count"
title = "Rows in t"
engine = "postgresql"
sql = "SELECT count(*) FROM t"
description = "Rows the test inserted"
action = "Delete some rows"
warn = 2

[[checks]]
name = "writes"
engine = "postgresql"
sql = "INSERT INTO t DEFAULT VALUES RETURNING id"
description = "A check that tries to write"
"""


def test_custom_checks_are_printed_beside_the_built_in_ones_and_stored_by_collect(setup):
    url, env = setup
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("CREATE TABLE t (id serial PRIMARY KEY); INSERT INTO t DEFAULT VALUES;")
        connection.execute("INSERT INTO t DEFAULT VALUES; INSERT INTO t DEFAULT VALUES")
    config = Path(env["DATABASES_CONFIG"])
    config.write_text(CUSTOM_CHECKS + config.read_text())

    table = run_cli("db-health", "--database", "orders", env=env)
    assert table.returncode == 1, table.stderr
    assert re.search(r"^warn +row-count +3 \(warn ≥ 2\)\. Rows the test inserted$", table.stdout, re.M)
    assert re.search(r"^ +→ Delete some rows$", table.stdout, re.M)
    assert re.search(r"^unknown +writes +cannot tell: the query tries to write; the read-only", table.stdout, re.M)
    assert re.search(r"^ok +up +answers: PostgreSQL", table.stdout, re.M)
    assert PASSWORD not in table.stdout + table.stderr

    payload = json.loads(run_cli("db-health", "--database", "orders", "--format", "json", env=env).stdout)
    checks = {c["id"]: c for c in payload["checks"]}
    assert (checks["row-count"]["status"], checks["row-count"]["value"], checks["row-count"]["title"]) == (
        "warn",
        3.0,
        "Rows in t",
    )
    assert payload["status"] == "warn"

    assert run_cli("collect", "db-health", env=env).stdout.startswith("stored 2 database snapshot(s)")
    [row] = health_history(env["DATABASE_URL"], "orders", datetime(2026, 11, 24, tzinfo=UTC))
    assert (row["status"], row["checks"]["row-count"], row["checks"]["writes"]) == ("warn", "warn", "unknown")
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        assert connection.execute("SELECT count(*) FROM t").fetchone()[0] == 3


def test_table_bloat_is_printed_with_its_worst_table_and_stored_by_collect(setup):
    url, env = setup
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("CREATE TABLE events (id int PRIMARY KEY, body text) WITH (autovacuum_enabled = false)")
        connection.execute("INSERT INTO events SELECT g, repeat('x', 50) FROM generate_series(1, 100000) g")
        connection.execute("DELETE FROM events WHERE id % 5 IN (1, 2, 3)")
        connection.execute("ANALYZE events")
    config = Path(env["DATABASES_CONFIG"])
    config.write_text(
        config.read_text().replace(
            'environment = "test"\n', 'environment = "test"\n[database.thresholds]\nbloat_min_wasted_bytes = 1048576\n'
        )
    )

    table = run_cli("db-health", "--database", "orders", env=env)
    assert re.search(r"^warn +table_bloat +1 table\(s\) over 50% wasted", table.stdout, re.M), table.stdout
    assert re.search(
        r"^ +- relation=public\.events, kind=table, size_bytes=\d+, size=[\d.]+ MB, wasted_bytes", table.stdout, re.M
    )

    payload = json.loads(run_cli("db-health", "--database", "orders", "--format", "json", env=env).stdout)
    bloat = next(c for c in payload["checks"] if c["id"] == "table_bloat")
    assert (bloat["status"], bloat["items"][0]["relation"], bloat["items"][0]["status"]) == (
        "warn",
        "public.events",
        "warn",
    )

    run_cli("collect", "db-health", env=env)
    [row] = health_history(env["DATABASE_URL"], "orders", datetime(2026, 11, 24, tzinfo=UTC))
    assert (row["checks"]["table_bloat"], row["checks"]["index_bloat"]) == ("warn", "warn")
