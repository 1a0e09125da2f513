"""A table locked by another session costs the probe that table's size only, never the other tables' statistics.

PostgreSQL: one session holds ACCESS EXCLUSIVE on ``locked`` for the whole test (an open transaction on its own
connection), while ``carts`` has many dead rows with autovacuum off. MariaDB: another session holds
``LOCK TABLES ... WRITE``, or an ALTER waits for a metadata lock. Each test probes the way users do
(``probe_fleet`` through a databases.toml) and states one behaviour.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import psycopg
import pytest
import sqlalchemy as sa

from data.databases.probes.mysql import TABLES as MYSQL_TABLES
from data.databases.probes.mysql import limit_session
from data.databases.probes.mysql import make_engine as mysql_engine
from data.databases.probes.postgres import _LOCKED, _measured_sizes
from data.databases.probes.postgres import make_engine as postgres_engine
from metrics.databases.checks import DatabaseHealth, SizeSource, TableStats
from tests.integration.databases.test_mariadb import connect as mariadb_connect
from tests.integration.databases.test_mariadb import execute as mariadb_execute
from tests.integration.databases.test_mariadb import health_of as mariadb_health
from tests.integration.databases.test_postgres import health_of as postgres_health
from tests.integration.databases.test_postgres import libpq

pytestmark = pytest.mark.integration

DEAD_ROWS = {"dead_tuples_min_rows": 1000}


def table(health: DatabaseHealth, name: str) -> TableStats:
    return next(t for t in health.probe.tables if t.name == name)


def poll(condition: Callable[[], object], what: str, timeout_s: float = 20) -> object:
    """``condition()``'s first truthy value; fails after ``timeout_s`` (statistics reach the views asynchronously)."""
    deadline = time.monotonic() + timeout_s
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}")
        time.sleep(0.1)
    return value


# --- PostgreSQL -------------------------------------------------------------------------------------------------------


@dataclass
class LockedPostgres:
    url: str
    holder_pid: int
    sizes_before_lock: dict[str, int]  # pg_total_relation_size of every table, read before the lock was taken
    live_rows_before_lock: dict[str, int]  # n_live_tup, read before the lock was taken
    admin: psycopg.Connection


@pytest.fixture
def locked_postgres(postgres_server) -> Iterator[LockedPostgres]:
    """A database with ``locked`` (analysed, then held ACCESS EXCLUSIVE by another session until the test ends),
    ``carts`` (autovacuum off, 60% of 5000 rows deleted, its 3000 dead rows visible in pg_stat_user_tables) and a
    small ``notes``."""
    url = postgres_server.create_database(f"locks_{uuid.uuid4().hex[:10]}")
    admin = psycopg.connect(libpq(url), autocommit=True)
    admin.execute("CREATE TABLE locked (id int PRIMARY KEY, payload text)")
    admin.execute("INSERT INTO locked SELECT g, repeat('x', 100) FROM generate_series(1, 10000) g")
    admin.execute("VACUUM ANALYZE locked")  # the catalog's page counts, which the estimate reads
    admin.execute("CREATE TABLE carts (id int PRIMARY KEY, item text) WITH (autovacuum_enabled = false)")
    admin.execute("INSERT INTO carts SELECT g, 'item' FROM generate_series(1, 5000) g")
    admin.execute("DELETE FROM carts WHERE id % 5 IN (1, 2, 3)")
    admin.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)")
    admin.execute("INSERT INTO notes VALUES (1, 'hello')")
    if admin.info.server_version >= 150000:
        admin.execute("SELECT pg_stat_force_next_flush()")
        admin.execute("SELECT 1")  # the flush happens at the end of a statement's transaction
    poll(
        lambda: (
            admin.execute("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'carts'").fetchone()[0] == 3000
        ),
        "carts' dead rows in pg_stat_user_tables",
    )
    before = admin.execute(
        "SELECT format('%I.%I', schemaname, relname), pg_total_relation_size(relid), n_live_tup "
        "FROM pg_stat_user_tables"
    ).fetchall()
    holder = psycopg.connect(libpq(url))
    holder.execute("LOCK TABLE locked IN ACCESS EXCLUSIVE MODE")  # the transaction stays open: the lock is held
    try:
        yield LockedPostgres(
            url, holder.info.backend_pid, {r[0]: r[1] for r in before}, {r[0]: r[2] for r in before}, admin
        )
    finally:
        holder.rollback()
        holder.close()
        admin.close()


def test_postgres_dead_rows_check_keeps_a_real_status_while_another_table_is_locked(locked_postgres, tmp_path):
    health = postgres_health(locked_postgres.url, tmp_path, DEAD_ROWS)
    check = health.check("dead_tuples")
    assert "dead_tuples" not in health.probe.unavailable
    assert check.status == "warn"
    assert [(i["table"], i["dead_rows"]) for i in check.items] == [("public.carts", 3000)]


def test_postgres_locked_table_keeps_its_row_counts(locked_postgres, tmp_path):
    locked = table(postgres_health(locked_postgres.url, tmp_path), "public.locked")
    assert locked.live_rows == locked_postgres.live_rows_before_lock["public.locked"] > 0
    assert locked.dead_rows == 0


def test_postgres_locked_table_size_is_an_estimate_naming_the_locking_pid(locked_postgres, tmp_path):
    locked = table(postgres_health(locked_postgres.url, tmp_path), "public.locked")
    assert locked.size_source is SizeSource.ESTIMATED
    assert locked.locked and locked.locked_by == locked_postgres.holder_pid
    real = locked_postgres.sizes_before_lock["public.locked"]
    assert 0.5 * real <= locked.total_bytes <= real  # heap and index pages; the real size adds the FSM and VM forks


def test_postgres_unlocked_tables_sizes_are_measured(locked_postgres, tmp_path):
    health = postgres_health(locked_postgres.url, tmp_path)
    for name in ("public.carts", "public.notes"):
        measured = table(health, name)
        assert measured.size_source is SizeSource.MEASURED and not measured.locked and measured.locked_by is None
        assert measured.total_bytes == locked_postgres.sizes_before_lock[name]


def test_postgres_probe_runs_into_no_lock_timeout_in_any_check(locked_postgres, tmp_path):
    """A statement that waited for the lock would fail after the probe's 1 s lock_timeout (its statement timeout is
    longer) and mark its checks unavailable: none is."""
    health = postgres_health(locked_postgres.url, tmp_path)
    assert health.probe.unavailable == {}
    assert all(c.status != "unknown" for c in health.checks), [(c.id, c.detail) for c in health.checks]


def test_postgres_database_size_items_mark_the_estimate(locked_postgres, tmp_path):
    items = postgres_health(locked_postgres.url, tmp_path).check("database_size").items
    locked = next(i for i in items if i["table"] == "public.locked")
    assert locked["size_source"] == "estimated" and locked["locked_by"] == locked_postgres.holder_pid
    assert locked["size"].startswith("≈ ")
    assert locked["size"].endswith(f"(estimate: locked by pid {locked_postgres.holder_pid})")


def test_postgres_access_exclusive_waiting_behind_a_reader_also_makes_the_size_an_estimate(postgres_server, tmp_path):
    url = postgres_server.create_database(f"locks_{uuid.uuid4().hex[:10]}")
    admin = psycopg.connect(libpq(url), autocommit=True)
    admin.execute("CREATE TABLE queued (id int PRIMARY KEY)")
    admin.execute("CREATE TABLE other (id int PRIMARY KEY)")
    reader = psycopg.connect(libpq(url))
    reader.execute("SELECT count(*) FROM queued")  # ACCESS SHARE held by the open transaction
    alter = psycopg.connect(libpq(url), autocommit=True)
    alter_pid = alter.info.backend_pid
    waiting = threading.Thread(target=alter.execute, args=("ALTER TABLE queued ADD COLUMN note text",))
    waiting.start()
    try:
        poll(
            lambda: admin.execute(
                "SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [alter_pid]
            ).fetchone()[0],
            "the ALTER to wait for its lock",
        )
        health = postgres_health(url, tmp_path)
        queued, other = table(health, "public.queued"), table(health, "public.other")
        assert queued.size_source is SizeSource.ESTIMATED and queued.locked_by == alter_pid
        assert other.size_source is SizeSource.MEASURED
        assert health.probe.unavailable == {}
    finally:
        reader.rollback()
        waiting.join(10)
        for connection in (reader, alter, admin):
            connection.close()


def test_postgres_size_read_that_runs_into_a_lock_costs_only_that_table(locked_postgres):
    """The race: a lock taken after the statistics were read. The batch size query times out; each table is then
    read on its own, and only the locked one goes without a measured size."""
    engine = postgres_engine(locked_postgres.url, connect_timeout_s=3, statement_timeout_s=5)
    try:
        with engine.connect() as connection:
            relids = dict(
                connection.execute(
                    sa.text("SELECT relname, relid FROM pg_stat_user_tables WHERE relname IN ('locked', 'carts')")
                ).all()
            )
            sizes = _measured_sizes(connection, [relids["locked"], relids["carts"]])
    finally:
        engine.dispose()
    assert sizes[relids["locked"]] is _LOCKED
    assert sizes[relids["carts"]] == locked_postgres.sizes_before_lock["public.carts"]


@dataclass
class LockedIndexes:
    url: str
    holder_pid: int


@pytest.fixture
def locked_indexes(postgres_server) -> Iterator[LockedIndexes]:
    """``locked`` (an invalid index from a failed concurrent build, and a never-scanned index) held ACCESS EXCLUSIVE
    by another session; ``events`` (an index its wider sibling covers) free."""
    url = postgres_server.create_database(f"locks_{uuid.uuid4().hex[:10]}")
    admin = psycopg.connect(libpq(url), autocommit=True)
    admin.execute("CREATE TABLE locked (id int, code int, email text)")
    admin.execute("INSERT INTO locked SELECT g, g % 100, 'same@x' FROM generate_series(1, 2000) g")
    admin.execute("CREATE INDEX locked_code ON locked (code)")
    with pytest.raises(psycopg.errors.UniqueViolation):
        admin.execute("CREATE UNIQUE INDEX CONCURRENTLY locked_email ON locked (email)")
    admin.execute("CREATE TABLE events (id bigint PRIMARY KEY, account int, at timestamptz)")
    admin.execute(
        "CREATE INDEX events_account ON events (account); CREATE INDEX events_account_at ON events (account, at)"
    )
    holder = psycopg.connect(libpq(url))
    holder.execute("LOCK TABLE locked IN ACCESS EXCLUSIVE MODE")
    try:
        yield LockedIndexes(url, holder.info.backend_pid)
    finally:
        holder.rollback()
        holder.close()
        admin.close()


def test_postgres_invalid_index_of_a_locked_table_is_still_flagged_without_its_definition(locked_indexes, tmp_path):
    check = postgres_health(locked_indexes.url, tmp_path).check("invalid_indexes")
    assert check.status == "warn"
    assert [(i["index"], i["definition"]) for i in check.items] == [
        ("public.locked_email", f"(definition not read: public.locked is locked by pid {locked_indexes.holder_pid})")
    ]


def test_postgres_unused_index_of_a_locked_table_keeps_an_estimated_size(locked_indexes, tmp_path):
    check = postgres_health(locked_indexes.url, tmp_path, {"unused_index_min_bytes": 1}).check("unused_indexes")
    item = next(i for i in check.items if i["index"] == "public.locked_code")
    assert item["size_bytes"] > 0 and item["definition"].startswith("(definition not read: public.locked is locked")


def test_postgres_duplicate_indexes_of_unlocked_tables_are_found_while_another_table_is_locked(
    locked_indexes, tmp_path
):
    check = postgres_health(locked_indexes.url, tmp_path).check("duplicate_indexes")
    assert [(i["index"], i["duplicate_of"]) for i in check.items] == [
        ("public.events_account", "public.events_account_at")
    ]


def test_postgres_sequence_of_a_table_being_dropped_is_reported_locked_and_the_others_read(postgres_server, tmp_path):
    url = postgres_server.create_database(f"locks_{uuid.uuid4().hex[:10]}")
    admin = psycopg.connect(libpq(url), autocommit=True)
    admin.execute("CREATE TABLE doomed (id serial PRIMARY KEY); CREATE TABLE kept (id serial PRIMARY KEY)")
    admin.execute("INSERT INTO doomed DEFAULT VALUES; INSERT INTO kept DEFAULT VALUES")
    dropper = psycopg.connect(libpq(url))
    dropper.execute("DROP TABLE doomed")  # the open transaction holds ACCESS EXCLUSIVE on the table and its sequence
    try:
        health = postgres_health(url, tmp_path)
        check = health.check("sequences")
        assert "sequences" not in health.probe.unavailable
        assert check.status == "unknown"
        assert check.items == [
            {
                "sequence": "public.doomed_id_seq",
                "column": "public.doomed.id",
                "last_value": f"locked by pid {dropper.info.backend_pid}",
                "status": "unknown",
            }
        ]
        kept = next(s for s in health.probe.sequences if s.name == "public.kept_id_seq")
        assert kept.last_value == 1 and not kept.locked
    finally:
        dropper.rollback()
        dropper.close()
        admin.close()


# --- MariaDB ----------------------------------------------------------------------------------------------------------


@dataclass
class LockedMariaDB:
    url: str
    holder_thread: int
    rows_before_lock: dict[str, int]  # information_schema.TABLES' TABLE_ROWS, read before the lock was taken


def mariadb_rows(connection) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME), TABLE_ROWS FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = DATABASE()"
        )
        return dict(cursor.fetchall())


@pytest.fixture
def metadata_lock_info(mariadb_server) -> Iterator[None]:
    """MariaDB's metadata_lock_info plugin for the test's duration: what tells which session locks a table."""
    admin = mariadb_connect(mariadb_server.url)
    installed = not plugin_active(admin)
    if installed:
        mariadb_execute(admin, "INSTALL SONAME 'metadata_lock_info'")
    try:
        yield
    finally:
        if installed:
            mariadb_execute(admin, "UNINSTALL SONAME 'metadata_lock_info'")
        admin.close()


def plugin_active(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'METADATA_LOCK_INFO'")
        return bool(cursor.fetchone()[0])


@pytest.fixture
def mariadb_schema(mariadb_server) -> Iterator[str]:
    """A schema with ``locked`` (5000 rows) and ``orders`` (3000 rows), both analysed."""
    url = mariadb_server.create_database(f"locks_{uuid.uuid4().hex[:10]}")
    setup = mariadb_connect(url)
    for statement in (
        "CREATE TABLE locked (id int PRIMARY KEY AUTO_INCREMENT, payload text) ENGINE=InnoDB",
        "CREATE TABLE orders (id int PRIMARY KEY AUTO_INCREMENT, item text) ENGINE=InnoDB",
        "INSERT INTO locked (payload) SELECT REPEAT('x', 100) FROM seq_1_to_5000",
        "INSERT INTO orders (item) SELECT 'item' FROM seq_1_to_3000",
        "ANALYZE TABLE locked, orders",
    ):
        mariadb_execute(setup, statement)
    setup.close()
    yield url


@pytest.fixture
def locked_mariadb(mariadb_schema) -> Iterator[LockedMariaDB]:
    """``locked`` held by ``LOCK TABLES locked WRITE`` in another session until the test ends."""
    holder = mariadb_connect(mariadb_schema)
    rows = mariadb_rows(holder)
    mariadb_execute(holder, "LOCK TABLES locked WRITE")
    try:
        yield LockedMariaDB(mariadb_schema, holder.thread_id(), rows)
    finally:
        mariadb_execute(holder, "UNLOCK TABLES")
        holder.close()


def test_mariadb_information_schema_tables_does_not_wait_for_lock_tables_write(locked_mariadb):
    """The probe's TABLES query in a probe session (statement and lock limits set) answers at once, with the
    locked table's row too: its high-priority shared metadata lock is compatible with LOCK TABLES ... WRITE."""
    engine = mysql_engine(locked_mariadb.url, connect_timeout_s=3, statement_timeout_s=5)
    try:
        with engine.connect() as connection:
            limit_session(connection, is_mariadb=True, statement_timeout_s=5)
            started = time.monotonic()
            rows = {r.name: r for r in connection.execute(MYSQL_TABLES)}
            elapsed = time.monotonic() - started
    finally:
        engine.dispose()
    assert elapsed < 0.5
    schema = locked_mariadb.url.rsplit("/", 1)[1]
    assert {name: r.table_rows for name, r in rows.items()} == locked_mariadb.rows_before_lock
    assert rows[f"{schema}.locked"].bytes > 0


def test_mariadb_other_tables_statistics_are_reported_under_lock_tables_write(locked_mariadb, tmp_path):
    health = mariadb_health(locked_mariadb.url, tmp_path)
    schema = locked_mariadb.url.rsplit("/", 1)[1]
    orders = table(health, f"{schema}.orders")
    assert health.probe.unavailable == {}
    assert orders.live_rows == locked_mariadb.rows_before_lock[f"{schema}.orders"] and orders.total_bytes > 0
    assert orders.size_source is SizeSource.MEASURED and not orders.locked


def test_mariadb_locked_table_row_is_marked_with_the_locking_thread(metadata_lock_info, locked_mariadb, tmp_path):
    health = mariadb_health(locked_mariadb.url, tmp_path)
    schema = locked_mariadb.url.rsplit("/", 1)[1]
    locked, orders = table(health, f"{schema}.locked"), table(health, f"{schema}.orders")
    assert locked.locked and locked.locked_by == locked_mariadb.holder_thread
    assert locked.size_source is SizeSource.MEASURED  # information_schema still reported it: no estimate needed
    assert locked.live_rows == locked_mariadb.rows_before_lock[f"{schema}.locked"]
    assert not orders.locked and orders.locked_by is None


def test_mariadb_without_metadata_lock_info_no_row_is_marked_and_all_are_reported(locked_mariadb, tmp_path):
    probe_view = mariadb_connect(locked_mariadb.url)
    try:
        assert not plugin_active(probe_view)  # the server's default
    finally:
        probe_view.close()
    health = mariadb_health(locked_mariadb.url, tmp_path)
    assert health.probe.unavailable == {}
    assert {t.name: t.live_rows for t in health.probe.tables} == locked_mariadb.rows_before_lock
    assert not any(t.locked for t in health.probe.tables)


def test_mariadb_alter_waiting_for_a_metadata_lock_marks_the_table_and_blocks_no_check(
    metadata_lock_info, mariadb_schema, tmp_path
):
    reader = mariadb_connect(mariadb_schema, autocommit=False)
    mariadb_execute(reader, "SELECT COUNT(*) FROM locked")  # the open transaction keeps a shared metadata lock
    alter = mariadb_connect(mariadb_schema)
    alter_thread = alter.thread_id()
    waiting = threading.Thread(target=mariadb_execute, args=(alter, "ALTER TABLE locked ADD COLUMN note text"))
    waiting.start()
    watcher = mariadb_connect(mariadb_schema)
    try:

        def alter_waits() -> bool:
            with watcher.cursor() as cursor:
                cursor.execute("SELECT STATE FROM information_schema.PROCESSLIST WHERE ID = %s", [alter_thread])
                row = cursor.fetchone()
            return row is not None and row[0] == "Waiting for table metadata lock"

        poll(alter_waits, "the ALTER to wait for its metadata lock")
        health = mariadb_health(mariadb_schema, tmp_path)
        schema = mariadb_schema.rsplit("/", 1)[1]
        assert health.probe.unavailable == {}
        locked, orders = table(health, f"{schema}.locked"), table(health, f"{schema}.orders")
        assert locked.locked and locked.locked_by == alter_thread
        assert not orders.locked and orders.live_rows == 3000
    finally:
        reader.rollback()
        waiting.join(10)
        for connection in (reader, alter, watcher):
            connection.close()


def test_mariadb_probe_session_gives_up_on_a_metadata_lock_after_one_second(locked_mariadb):
    """Should a probe query ever need the locked table itself, it fails after 1 s (``lock_wait_timeout``) rather
    than waiting out the statement limit."""
    engine = mysql_engine(locked_mariadb.url, connect_timeout_s=3, statement_timeout_s=5)
    try:
        with engine.connect() as connection:
            limit_session(connection, is_mariadb=True, statement_timeout_s=5)
            started = time.monotonic()
            with pytest.raises(sa.exc.OperationalError, match="Lock wait timeout exceeded"):
                connection.exec_driver_sql("SELECT COUNT(*) FROM locked")
            elapsed = time.monotonic() - started
    finally:
        engine.dispose()
    assert 0.9 <= elapsed < 2
