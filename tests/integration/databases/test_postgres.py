"""PostgreSQL health checks against a real throwaway cluster: each problem is induced, flagged, then cleared.

Every test has its own database (``create_database``) and reads it the way users do: a databases.toml (with
lowered thresholds where a test needs them), the DSN from ``DB_DSN_<NAME>``, and ``probe_fleet``.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import quote

import psycopg
import pytest

from data.databases.config import load_database_config
from data.databases.fleet import probe_fleet
from data.databases.probes.postgres import make_engine
from data.settings import load_settings
from metrics.databases.checks import INSUFFICIENT_PRIVILEGE, DatabaseHealth

pytestmark = pytest.mark.integration
NAME = "under-test"


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture
def database(postgres_server) -> str:
    """A fresh database of its own; its SQLAlchemy URL."""
    return postgres_server.create_database(f"health_{uuid.uuid4().hex[:10]}")


@pytest.fixture
def sql(database) -> Iterator[Callable[[str], None]]:
    """Run statements in the test's database as the superuser (autocommit)."""
    connection = psycopg.connect(libpq(database), autocommit=True)
    yield lambda statement: connection.execute(statement)
    connection.close()


def health_of(url: str, tmp_path, thresholds: dict[str, float] | None = None, deadline: float = 10) -> DatabaseHealth:
    """Probe one database through a databases.toml and DB_DSN_UNDER_TEST, as the app and CLI do."""
    lines = ["[[database]]", f'name = "{NAME}"', 'engine = "postgresql"', 'environment = "test"']
    if thresholds:
        lines.append("[database.thresholds]")
        lines += [f"{key} = {value}" for key, value in thresholds.items()]
    path = tmp_path / "databases.toml"
    path.write_text("\n".join(lines) + "\n")
    config = load_database_config(path)
    assert config.problems == []
    settings = load_settings({"DB_DSN_UNDER_TEST": url}, secrets_file=tmp_path / "no-secrets.toml")
    [health] = probe_fleet(settings, config, deadline, with_store=False)
    return health


def wait_for(read: Callable[[], DatabaseHealth], check_id: str, statuses: set[str], timeout_s: float = 20):
    """Probe until the check reaches one of ``statuses`` (statistics reach the views asynchronously)."""
    deadline = time.monotonic() + timeout_s
    while True:
        health = read()
        check = health.check(check_id)
        if check is not None and check.status in statuses:
            return check
        if time.monotonic() > deadline:
            raise AssertionError(f"{check_id} stayed {check and check.status}: {check and check.detail}")
        time.sleep(0.3)


# --- a healthy database -----------------------------------------------------------------------------------------------


def test_a_fresh_database_is_ok_with_version_and_every_postgres_check(database, tmp_path):
    health = health_of(database, tmp_path)
    assert health.status == "info"  # too little traffic to judge the hit ratio; no pg_stat_statements
    assert health.check("up").value.startswith("PostgreSQL ")
    assert [c.id for c in health.checks] == [
        "up",
        "connections",
        "idle_in_transaction",
        "cache_hit_ratio",
        "long_running_queries",
        "blocked_sessions",
        "replication_lag",
        "wraparound",
        "dead_tuples",
        "table_bloat",
        "index_bloat",
        "sequences",
        "unused_indexes",
        "duplicate_indexes",
        "invalid_indexes",
        "database_size",
        "slow_statements",
    ]
    assert {c.id for c in health.checks if c.status not in ("ok", "info")} == set()
    assert health.check("slow_statements").detail.startswith("not available: pg_stat_statements is not installed")


def test_a_full_probe_takes_well_under_two_seconds(database, tmp_path):
    health = health_of(database, tmp_path)
    assert health.probe.duration_s < 2


def test_the_probe_session_is_read_only_with_statement_and_lock_timeouts(database):
    engine = make_engine(database, connect_timeout_s=3, statement_timeout_s=4)
    with engine.connect() as connection:
        settings = {
            name: connection.exec_driver_sql(f"SHOW {name}").scalar()
            for name in ("statement_timeout", "lock_timeout", "default_transaction_read_only", "application_name")
        }
        with pytest.raises(Exception, match="read-only transaction"):
            connection.exec_driver_sql("CREATE TABLE should_not_exist (id int)")
    engine.dispose()
    assert settings == {
        "statement_timeout": "4s",
        "lock_timeout": "1s",
        "default_transaction_read_only": "on",
        "application_name": "reliability-dashboard-probe",
    }


# --- induced problems -------------------------------------------------------------------------------------------------


def test_a_session_blocked_behind_a_lock_is_flagged_with_its_blocker_and_clears_on_commit(database, sql, tmp_path):
    sql("CREATE TABLE accounts (id int PRIMARY KEY, balance int); INSERT INTO accounts VALUES (1, 100)")
    holder = psycopg.connect(libpq(database))
    holder.execute("UPDATE accounts SET balance = balance - 1 WHERE id = 1")  # open transaction holds the row lock
    holder_pid = holder.info.backend_pid
    waiter = psycopg.connect(libpq(database), autocommit=True)
    waiter_pid = waiter.info.backend_pid
    blocked = threading.Thread(target=waiter.execute, args=("UPDATE accounts SET balance = 0 WHERE id = 1",))
    blocked.start()
    try:
        check = wait_for(lambda: health_of(database, tmp_path), "blocked_sessions", {"warn"})
        assert check.value == 1
        assert check.items[0]["pid"] == waiter_pid and check.items[0]["blocked_by"] == [holder_pid]
        assert "UPDATE accounts SET balance = 0" in check.items[0]["query"]
        assert str(holder_pid) in check.detail
    finally:
        holder.commit()
        blocked.join(10)
        holder.close()
        waiter.close()
    assert health_of(database, tmp_path).check("blocked_sessions").status == "ok"


def test_an_idle_in_transaction_session_is_flagged_and_clears_on_commit(database, tmp_path):
    idle = psycopg.connect(libpq(database))
    idle.execute("SELECT 1 AS forgotten_transaction")
    thresholds = {"idle_in_transaction_warn_s": 1, "idle_in_transaction_critical_s": 600}
    try:
        check = wait_for(lambda: health_of(database, tmp_path, thresholds), "idle_in_transaction", {"warn"})
        assert check.items[0]["pid"] == idle.info.backend_pid
        assert check.items[0]["query"] == "SELECT 1 AS forgotten_transaction"
    finally:
        idle.commit()
    assert health_of(database, tmp_path, thresholds).check("idle_in_transaction").status == "ok"
    idle.close()


def test_a_long_running_query_is_flagged_with_its_text_and_clears_when_cancelled(database, sql, tmp_path):
    runner = psycopg.connect(libpq(database), autocommit=True)
    pid = runner.info.backend_pid

    def sleep() -> None:
        with pytest.raises(psycopg.errors.QueryCanceled):
            runner.execute("SELECT pg_sleep(60) /* nightly report */")

    thread = threading.Thread(target=sleep)
    thread.start()
    thresholds = {"long_query_warn_s": 1, "long_query_critical_s": 600}
    try:
        check = wait_for(lambda: health_of(database, tmp_path, thresholds), "long_running_queries", {"warn"})
        assert check.items[0]["pid"] == pid
        assert check.items[0]["query"] == "SELECT pg_sleep(60) /* nightly report */"
        assert check.value >= 1
    finally:
        sql(f"SELECT pg_cancel_backend({pid})")
        thread.join(10)
        runner.close()
    assert health_of(database, tmp_path, thresholds).check("long_running_queries").status == "ok"


def test_a_sequence_past_90_percent_of_its_integer_column_is_critical_and_clears_when_reset(database, sql, tmp_path):
    sql("CREATE TABLE orders (id serial PRIMARY KEY)")
    sql("SELECT setval('orders_id_seq', 2000000000)")  # 93% of integer's 2147483647
    check = health_of(database, tmp_path).check("sequences")
    assert check.status == "critical"
    assert check.items[0] == {
        "sequence": "public.orders_id_seq",
        "column": "public.orders.id",
        "type": "integer",
        "last_value": 2000000000,
        "max_value": 2147483647,
        "used": 0.9313,
        "status": "critical",
    }
    sql("SELECT setval('orders_id_seq', 1)")
    assert health_of(database, tmp_path).check("sequences").status == "ok"


def test_a_bigint_sequence_owned_by_a_smallint_column_is_measured_against_smallint(database, sql, tmp_path):
    sql("CREATE TABLE tiny (id smallint); CREATE SEQUENCE tiny_id_seq OWNED BY tiny.id")
    sql("SELECT setval('tiny_id_seq', 25000)")  # 76% of 32767, a speck of bigint's range
    check = health_of(database, tmp_path).check("sequences")
    assert check.status == "warn"
    assert check.items[0]["max_value"] == 32767


def test_duplicate_indexes_are_reported_with_the_index_that_covers_them_and_clear_when_dropped(database, sql, tmp_path):
    sql("CREATE TABLE events (id bigint PRIMARY KEY, account int, at timestamptz)")
    sql("CREATE INDEX events_account ON events (account); CREATE INDEX events_account_at ON events (account, at)")
    check = health_of(database, tmp_path).check("duplicate_indexes")
    assert check.status == "info"
    assert [(i["index"], i["duplicate_of"]) for i in check.items] == [
        ("public.events_account", "public.events_account_at")
    ]
    sql("DROP INDEX events_account")
    assert health_of(database, tmp_path).check("duplicate_indexes").status == "ok"


def test_an_unused_index_over_the_size_threshold_is_reported_and_a_small_one_is_not(database, sql, tmp_path):
    sql("CREATE TABLE logs (id int PRIMARY KEY, code int, note text)")
    sql("INSERT INTO logs SELECT g, g % 100, 'x' FROM generate_series(1, 20000) g")
    sql("CREATE INDEX logs_code ON logs (code)")  # ~150 kB, never scanned
    sql("CREATE INDEX logs_note_tiny ON logs (note) WHERE id < 10")  # partial: one page
    thresholds = {"unused_index_min_bytes": 65536}
    check = health_of(database, tmp_path, thresholds).check("unused_indexes")
    assert check.status == "info"
    assert [i["index"] for i in check.items] == ["public.logs_code"]
    assert check.items[0]["size_bytes"] >= 65536 and check.items[0]["scans"] == 0
    sql("DROP INDEX logs_code")
    assert health_of(database, tmp_path, thresholds).check("unused_indexes").status == "ok"


def test_an_invalid_index_left_by_a_failed_concurrent_build_warns_and_clears_when_dropped(database, sql, tmp_path):
    sql("CREATE TABLE users (id int, email text); INSERT INTO users VALUES (1, 'a@x'), (2, 'a@x')")
    with pytest.raises(psycopg.errors.UniqueViolation):
        sql("CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email)")
    check = health_of(database, tmp_path).check("invalid_indexes")
    assert check.status == "warn"
    assert [i["index"] for i in check.items] == ["public.users_email"]
    sql("DROP INDEX users_email")
    assert health_of(database, tmp_path).check("invalid_indexes").status == "ok"


def test_dead_tuples_on_a_table_with_autovacuum_off_warn_and_clear_after_vacuum(database, sql, tmp_path):
    sql("CREATE TABLE carts (id int PRIMARY KEY, item text) WITH (autovacuum_enabled = false)")
    sql("INSERT INTO carts SELECT g, 'item' FROM generate_series(1, 5000) g")
    sql("DELETE FROM carts WHERE id % 2 = 0")
    thresholds = {"dead_tuples_min_rows": 1000}
    check = wait_for(lambda: health_of(database, tmp_path, thresholds), "dead_tuples", {"warn"})
    assert check.items[0]["table"] == "public.carts"
    assert check.items[0]["dead_rows"] == 2500 and check.items[0]["autovacuum"] == "off"
    assert "autovacuum is off" in check.action
    sql("VACUUM carts")
    wait_for(lambda: health_of(database, tmp_path, thresholds), "dead_tuples", {"ok"})


def test_an_inactive_replication_slot_warns_and_clears_when_dropped(database, sql, tmp_path):
    slot = f"forgotten_{uuid.uuid4().hex[:8]}"
    sql(f"SELECT pg_create_physical_replication_slot('{slot}')")
    try:
        check = health_of(database, tmp_path).check("replication_lag")
        assert check.status == "warn"
        assert {"slot": slot, "state": "inactive"} in check.items
    finally:
        sql(f"SELECT pg_drop_replication_slot('{slot}')")
    assert health_of(database, tmp_path).check("replication_lag").status == "ok"


def test_database_size_is_the_server_figure_with_the_biggest_tables(database, sql, tmp_path):
    sql(
        "CREATE TABLE big (id int, pad text); "
        "INSERT INTO big SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g"
    )
    check = health_of(database, tmp_path).check("database_size")
    assert check.status == "ok" and check.value > 1_000_000
    assert check.items[0]["table"] == "public.big" and check.items[0]["size_bytes"] > 1_000_000


def test_a_size_threshold_from_the_config_warns(database, tmp_path):
    check = health_of(database, tmp_path, {"database_size_warn_bytes": 1000}).check("database_size")
    assert check.status == "warn"


# --- least privilege --------------------------------------------------------------------------------------------------


def _role_url(database: str, role: str) -> str:
    return database.replace("postgresql+psycopg://postgres@", f"postgresql+psycopg://{role}@")


def test_under_pg_monitor_sequences_it_may_not_read_show_as_insufficient_privilege(database, sql, tmp_path):
    role = f"monitor_{uuid.uuid4().hex[:8]}"
    sql(f"CREATE ROLE {role} LOGIN IN ROLE pg_monitor")
    sql("CREATE TABLE invoices (id serial PRIMARY KEY); SELECT setval('invoices_id_seq', 5)")
    health = health_of(_role_url(database, role), tmp_path)
    sequences = health.check("sequences")
    assert sequences.status == "unknown"
    assert INSUFFICIENT_PRIVILEGE in sequences.detail
    assert sequences.items == [
        {
            "sequence": "public.invoices_id_seq",
            "column": "public.invoices.id",
            "last_value": INSUFFICIENT_PRIVILEGE,
            "status": "unknown",
        }
    ]
    assert health.check("connections").status == "ok" and health.check("up").status == "ok"
    sql(f"GRANT SELECT ON SEQUENCE invoices_id_seq TO {role}")
    assert health_of(_role_url(database, role), tmp_path).check("sequences").status == "ok"


def test_without_pg_monitor_other_users_sessions_are_hidden_and_said_so(database, sql, tmp_path):
    role = f"plain_{uuid.uuid4().hex[:8]}"
    sql(f"CREATE ROLE {role} LOGIN")
    runner = psycopg.connect(libpq(database), autocommit=True)
    thread = threading.Thread(target=lambda: runner.execute("SELECT pg_sleep(3)"))
    thread.start()
    try:
        time.sleep(0.5)
        check = health_of(_role_url(database, role), tmp_path).check("long_running_queries")
        assert check.status == "unknown"
        assert f"other session(s) hidden: {INSUFFICIENT_PRIVILEGE}" in check.detail  # ours and the sleeper
        assert check.action == "Grant the probe's role pg_monitor"
    finally:
        thread.join(10)
        runner.close()


# --- failures ---------------------------------------------------------------------------------------------------------


def test_a_refused_connection_is_critical_and_names_no_password(tmp_path):
    from tests.support.servers import free_port

    url = f"postgresql://monitor:s3cret-pw@127.0.0.1:{free_port()}/orders"
    health = health_of(url, tmp_path)
    assert health.status == "critical"
    assert health.error.startswith("cannot connect to 127.0.0.1:") and "connection refused" in health.error
    assert "s3cret-pw" not in repr(health.to_dict())


def test_a_silent_server_costs_no_more_than_the_deadline_and_the_others_still_report(database, tmp_path):
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts TCP in the kernel, never answers the PostgreSQL handshake
    path = tmp_path / "databases.toml"
    path.write_text(
        "[probe]\nconnect_timeout_seconds = 10\n"
        '[[database]]\nname = "silent"\nengine = "postgresql"\n'
        '[[database]]\nname = "healthy"\nengine = "postgresql"\n'
    )
    settings = load_settings(
        {"DB_DSN_SILENT": f"postgresql://x@127.0.0.1:{silent.getsockname()[1]}/x", "DB_DSN_HEALTHY": database},
        secrets_file=tmp_path / "none.toml",
    )
    started = time.monotonic()
    try:
        silent_health, healthy = probe_fleet(settings, load_database_config(path), 2.0, with_store=False)
    finally:
        silent.close()
    assert time.monotonic() - started < 2.8
    assert silent_health.status == "critical" and "no answer within the probe deadline of 2 s" in silent_health.error
    assert healthy.check("up").status == "ok"


# --- passwords holding URL delimiters (issue 16) ----------------------------------------------------------------------

DELIMITER_PASSWORD = "PG@PASS-2:/%x"  # "@", ":", "/" and "%" as people type them into DB_DSN_<NAME>
PASSWORD_FRAGMENTS = (DELIMITER_PASSWORD, "PG@PASS", "PASS-2", quote(DELIMITER_PASSWORD, safe=""))


def assert_no_password(text: str) -> None:
    for fragment in PASSWORD_FRAGMENTS:
        assert fragment not in text, f"{fragment!r} in {text!r}"


@pytest.fixture
def password_role(postgres_server, database) -> str:
    """A pg_monitor role whose password (``DELIMITER_PASSWORD``) the server checks."""
    role = f"pw_{uuid.uuid4().hex[:8]}"
    postgres_server.create_password_role(role, DELIMITER_PASSWORD)
    return role


def _password_dsn(database: str, role: str, password: str) -> str:
    return database.replace("postgresql+psycopg://postgres@", f"postgresql://{role}:{password}@")


@pytest.mark.parametrize(
    "written", [DELIMITER_PASSWORD, quote(DELIMITER_PASSWORD, safe="")], ids=["unencoded", "encoded"]
)
def test_a_password_with_url_delimiters_connects_and_the_probe_works(database, password_role, written, tmp_path):
    health = health_of(_password_dsn(database, password_role, written), tmp_path)
    assert health.error is None and health.probe is not None
    assert health.check("up").status == "ok" and health.check("connections").status == "ok"
    assert_no_password(repr(health.to_dict()))


def test_the_role_really_needs_its_password(database, password_role, tmp_path):
    health = health_of(_password_dsn(database, password_role, "PG@PASS-3:/%x"), tmp_path)
    assert health.status == "critical" and "authentication failed" in health.error
    assert_no_password(health.error)


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://monitor:PG@PASS-2@127.0.0.1:{port}/orders",
        "postgresql://monitor:PG@PASS-2:/%x@127.0.0.1:{port}/orders",
    ],
    ids=["issue", "delimiters"],
)
def test_a_refused_connection_names_the_real_host_and_no_part_of_the_password(dsn, tmp_path):
    from tests.support.servers import free_port

    port = free_port()
    health = health_of(dsn.format(port=port), tmp_path)
    assert health.error == f"cannot connect to 127.0.0.1:{port}/orders: connection refused (is the server running?)"
    assert_no_password(repr(health.to_dict()))
