"""MariaDB health checks against a real throwaway server: each problem is induced, flagged, then cleared.

Each test has its own schema and reads it as users do: a databases.toml with lowered thresholds where needed, the
DSN from ``DB_DSN_<NAME>``, and ``probe_fleet``.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from urllib.parse import quote

import pymysql
import pytest

from data.databases.config import load_database_config
from data.databases.fleet import probe_fleet
from data.databases.probes.mysql import limit_session, make_engine
from data.settings import load_settings
from metrics.databases.checks import INSUFFICIENT_PRIVILEGE, DatabaseHealth

pytestmark = pytest.mark.integration


@pytest.fixture
def schema(mariadb_server) -> str:
    return mariadb_server.create_database(f"health_{uuid.uuid4().hex[:10]}")


def connect(url: str, autocommit: bool = True) -> pymysql.Connection:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return pymysql.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password or "",
        database=parsed.database,
        autocommit=autocommit,
    )


def execute(connection: pymysql.Connection, statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def health_of(url: str, tmp_path, thresholds: dict[str, float] | None = None) -> DatabaseHealth:
    lines = ["[[database]]", 'name = "catalog"', 'engine = "mariadb"']
    if thresholds:
        lines.append("[database.thresholds]")
        lines += [f"{key} = {value}" for key, value in thresholds.items()]
    path = tmp_path / "databases.toml"
    path.write_text("\n".join(lines) + "\n")
    config = load_database_config(path)
    assert config.problems == []
    settings = load_settings({"DB_DSN_CATALOG": url}, secrets_file=tmp_path / "none.toml")
    [health] = probe_fleet(settings, config, 10, with_store=False)
    return health


def wait_for(read: Callable[[], DatabaseHealth], check_id: str, statuses: set[str], timeout_s: float = 15):
    deadline = time.monotonic() + timeout_s
    while True:
        check = read().check(check_id)
        if check is not None and check.status in statuses:
            return check
        if time.monotonic() > deadline:
            raise AssertionError(f"{check_id} stayed {check and check.status}: {check and check.detail}")
        time.sleep(0.3)


def test_a_fresh_schema_is_healthy_and_says_which_checks_mariadb_cannot_answer(schema, tmp_path):
    health = health_of(schema, tmp_path)
    assert health.engine == "mariadb" and health.check("up").value.startswith("MariaDB ")
    assert health.status in ("ok", "info")
    assert {"wraparound", "dead_tuples", "invalid_indexes"}.isdisjoint(c.id for c in health.checks)
    assert (
        health.check("unused_indexes").detail == "not available: performance_schema is off (needed to count index use)"
    )


def test_the_probe_session_is_read_only_with_statement_and_lock_limits(schema):
    engine = make_engine(schema, 3, 4)
    with engine.connect() as connection:
        limit_session(connection, True, 4)
        values = connection.exec_driver_sql(
            "SELECT @@session.max_statement_time, @@session.innodb_lock_wait_timeout, @@session.tx_read_only"
        ).one()
        with pytest.raises(Exception, match="READ ONLY"):
            connection.exec_driver_sql("CREATE TABLE should_not_exist (id int)")
    engine.dispose()
    assert tuple(float(v) for v in values) == (4.0, 1.0, 1.0)


def test_a_long_query_is_flagged_with_its_text_and_clears_when_killed(schema, tmp_path):
    runner = connect(schema)
    thread_id = runner.thread_id()
    worker = threading.Thread(
        target=lambda: pytest.raises(
            pymysql.err.OperationalError, execute, runner, "SELECT SLEEP(60) AS nightly_report"
        )
    )
    worker.start()
    thresholds = {"long_query_warn_s": 1, "long_query_critical_s": 600}
    admin = connect(schema)
    try:
        check = wait_for(lambda: health_of(schema, tmp_path, thresholds), "long_running_queries", {"warn"})
        assert check.items[0]["pid"] == thread_id
        assert check.items[0]["query"] == "SELECT SLEEP(60) AS nightly_report"
    finally:
        execute(admin, f"KILL QUERY {thread_id}")
        worker.join(10)
        runner.close()
        admin.close()
    wait_for(lambda: health_of(schema, tmp_path, thresholds), "long_running_queries", {"ok"})


def test_a_lock_wait_is_flagged_with_its_blocker_and_clears_on_commit(schema, tmp_path):
    setup = connect(schema)
    execute(setup, "CREATE TABLE stock (id int PRIMARY KEY, qty int) ENGINE=InnoDB")
    execute(setup, "INSERT INTO stock VALUES (1, 10)")
    holder = connect(schema, autocommit=False)
    execute(holder, "UPDATE stock SET qty = qty - 1 WHERE id = 1")
    waiter = connect(schema)
    worker = threading.Thread(target=execute, args=(waiter, "UPDATE stock SET qty = 0 WHERE id = 1"))
    worker.start()
    try:
        check = wait_for(lambda: health_of(schema, tmp_path), "blocked_sessions", {"warn"})
        assert check.items[0]["pid"] == waiter.thread_id()
        assert check.items[0]["blocked_by"] == [holder.thread_id()]
        assert check.items[0]["query"] == "UPDATE stock SET qty = 0 WHERE id = 1"
    finally:
        holder.commit()
        worker.join(10)
        for connection in (holder, waiter, setup):
            connection.close()
    assert health_of(schema, tmp_path).check("blocked_sessions").status == "ok"


def test_an_idle_transaction_is_flagged_and_clears_on_commit(schema, tmp_path):
    setup = connect(schema)
    execute(setup, "CREATE TABLE carts (id int PRIMARY KEY) ENGINE=InnoDB")
    idle = connect(schema, autocommit=False)
    execute(idle, "INSERT INTO carts VALUES (1)")
    thresholds = {"idle_in_transaction_warn_s": 1, "idle_in_transaction_critical_s": 600}
    try:
        check = wait_for(lambda: health_of(schema, tmp_path, thresholds), "idle_in_transaction", {"warn"})
        assert check.items[0]["pid"] == idle.thread_id()
    finally:
        idle.commit()
    assert health_of(schema, tmp_path, thresholds).check("idle_in_transaction").status == "ok"
    idle.close()
    setup.close()


def test_an_auto_increment_past_90_percent_of_int_is_critical_and_clears_when_widened(schema, tmp_path):
    setup = connect(schema)
    execute(setup, "CREATE TABLE orders (id int AUTO_INCREMENT PRIMARY KEY, note char(1)) AUTO_INCREMENT=2000000000")
    execute(setup, "INSERT INTO orders (note) VALUES ('x')")
    check = health_of(schema, tmp_path).check("sequences")
    assert check.status == "critical"
    assert check.items[0]["column"] == "orders.id" and check.items[0]["max_value"] == 2147483647
    execute(setup, "ALTER TABLE orders MODIFY id bigint AUTO_INCREMENT")
    assert health_of(schema, tmp_path).check("sequences").status == "ok"
    setup.close()


def test_an_index_that_prefixes_another_is_a_duplicate_until_dropped(schema, tmp_path):
    setup = connect(schema)
    execute(
        setup,
        "CREATE TABLE events (id int PRIMARY KEY, account int, at datetime, KEY by_account (account), "
        "KEY by_account_at (account, at))",
    )
    check = health_of(schema, tmp_path).check("duplicate_indexes")
    assert [(i["index"], i["duplicate_of"]) for i in check.items] == [("by_account", "by_account_at")]
    execute(setup, "DROP INDEX by_account ON events")
    assert health_of(schema, tmp_path).check("duplicate_indexes").status == "ok"
    setup.close()


def test_without_process_privilege_sessions_are_reported_as_hidden(schema, mariadb_server, tmp_path):
    user = f"mon_{uuid.uuid4().hex[:8]}"
    admin = connect(schema)
    database = schema.rsplit("/", 1)[1]
    execute(admin, f"CREATE USER '{user}'@'%' IDENTIFIED BY 'pw-{user}'")
    execute(admin, f"GRANT SELECT ON `{database}`.* TO '{user}'@'%'")
    url = f"mysql://{user}:pw-{user}@127.0.0.1:{mariadb_server.port}/{database}"
    health = health_of(url, tmp_path)
    check = health.check("long_running_queries")
    assert check.status == "unknown" and INSUFFICIENT_PRIVILEGE in check.detail
    assert f"pw-{user}" not in repr(health.to_dict())
    execute(admin, f"GRANT PROCESS ON *.* TO '{user}'@'%'")
    assert health_of(url, tmp_path).check("long_running_queries").status == "ok"
    admin.close()


def test_a_wrong_password_is_an_authentication_failure_without_the_password(schema, mariadb_server, tmp_path):
    database = schema.rsplit("/", 1)[1]
    user = f"auth_{uuid.uuid4().hex[:8]}"
    admin = connect(schema)
    execute(admin, f"CREATE USER '{user}'@'%' IDENTIFIED BY 'right-pw'")
    admin.close()
    health = health_of(f"mysql://{user}:wrong-pw@127.0.0.1:{mariadb_server.port}/{database}", tmp_path)
    assert health.status == "critical" and "authentication failed" in health.error
    assert "wrong-pw" not in health.error


DELIMITER_PASSWORD = "PG@PASS-2:/%x"  # "@", ":", "/" and "%" as people type them into DB_DSN_<NAME>
PASSWORD_FRAGMENTS = (DELIMITER_PASSWORD, "PG@PASS", "PASS-2", quote(DELIMITER_PASSWORD, safe=""))


@pytest.mark.parametrize(
    "written", [DELIMITER_PASSWORD, quote(DELIMITER_PASSWORD, safe="")], ids=["unencoded", "encoded"]
)
def test_a_password_with_url_delimiters_connects_and_the_probe_works(schema, mariadb_server, written, tmp_path):
    database = schema.rsplit("/", 1)[1]
    user = f"pw_{uuid.uuid4().hex[:8]}"
    admin = connect(schema)
    with admin.cursor() as cursor:
        cursor.execute("CREATE USER %s@'%%' IDENTIFIED BY %s", (user, DELIMITER_PASSWORD))
        cursor.execute(f"GRANT SELECT, PROCESS ON *.* TO '{user}'@'%'")
    admin.close()
    url = f"mysql://{user}:{written}@127.0.0.1:{mariadb_server.port}/{database}"
    health = health_of(url, tmp_path)
    assert health.error is None and health.check("up").status == "ok"
    wrong = health_of(url.replace("PASS-2", "PASS-3"), tmp_path)
    assert "authentication failed" in wrong.error
    for fragment in PASSWORD_FRAGMENTS:
        assert fragment not in repr(health.to_dict()) + repr(wrong.to_dict())
