"""Bloat on real servers: PostgreSQL's statistics-based estimate against the truth measured independently, and
MariaDB's DATA_FREE after deletes. Each test probes the way users do (``probe_fleet`` through a databases.toml)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from metrics.databases.checks import CheckResult, DatabaseHealth
from tests.integration.databases.test_mariadb import connect as mariadb_connect
from tests.integration.databases.test_mariadb import execute as mariadb_execute
from tests.integration.databases.test_mariadb import health_of as mariadb_health
from tests.integration.databases.test_postgres import health_of as postgres_health
from tests.integration.databases.test_postgres import libpq

pytestmark = pytest.mark.integration

# Low enough for a test-sized table (a few MiB) to count; the ratio thresholds are the defaults.
SMALL = {"bloat_min_wasted_bytes": 1024 * 1024, "bloat_warn_ratio": 0.5, "bloat_critical_ratio": 0.75}
TOLERANCE = 0.05  # the estimate's ratio within 5 points of the measured one


def item(check: CheckResult, relation: str) -> dict:
    return next(i for i in check.items if i["relation"] == relation)


@dataclass
class Bloated:
    url: str
    admin: psycopg.Connection
    true_table_ratio: float  # 1 - (size of a compact copy of the live rows) / (size of the table), both measured


@pytest.fixture
def bloated(postgres_server) -> Iterator[Bloated]:
    """``orders``: 100 000 rows, autovacuum off, 60 % deleted, then ANALYZE (which counts the live rows and keeps the
    pages); ``orders_copy``: its live rows freshly copied and analysed, whose size is what the live rows need."""
    url = postgres_server.create_database(f"bloat_{uuid.uuid4().hex[:10]}")
    admin = psycopg.connect(libpq(url), autocommit=True)
    admin.execute(
        "CREATE TABLE orders (id int PRIMARY KEY, customer int NOT NULL, note text NOT NULL)"
        " WITH (autovacuum_enabled = false)"
    )
    admin.execute("INSERT INTO orders SELECT g, g % 977, repeat('x', 50) FROM generate_series(1, 100000) g")
    admin.execute("DELETE FROM orders WHERE id % 5 IN (1, 2, 3)")
    admin.execute("ANALYZE orders")
    admin.execute("CREATE TABLE orders_copy AS SELECT * FROM orders")
    admin.execute("ANALYZE orders_copy")
    bloated_bytes, compact_bytes = admin.execute(
        "SELECT pg_relation_size('orders'), pg_relation_size('orders_copy')"
    ).fetchone()
    yield Bloated(url, admin, 1 - compact_bytes / bloated_bytes)
    admin.close()


def test_deleting_60_percent_of_rows_is_estimated_within_tolerance_of_the_measured_waste(bloated, tmp_path):
    check = postgres_health(bloated.url, tmp_path, SMALL).check("table_bloat")
    orders = item(check, "public.orders")
    assert 0.55 < bloated.true_table_ratio < 0.65  # the truth itself: 60 % of equal-width rows gone
    assert abs(orders["ratio"] - bloated.true_table_ratio) <= TOLERANCE, (orders, bloated.true_table_ratio)


def test_a_table_60_percent_wasted_warns_between_the_warn_and_critical_ratios(bloated, tmp_path):
    check = postgres_health(bloated.url, tmp_path, SMALL).check("table_bloat")
    assert (check.status, item(check, "public.orders")["status"]) == ("warn", "warn")


def test_past_the_critical_ratio_the_table_is_critical(bloated, tmp_path):
    check = postgres_health(bloated.url, tmp_path, {**SMALL, "bloat_critical_ratio": 0.55}).check("table_bloat")
    assert check.status == "critical"


def test_under_the_minimum_wasted_size_a_bloated_table_does_not_warn(bloated, tmp_path):
    check = postgres_health(bloated.url, tmp_path, {**SMALL, "bloat_min_wasted_bytes": 1024**3}).check("table_bloat")
    assert (check.status, item(check, "public.orders")["status"]) == ("ok", "ok")


def test_a_freshly_filled_and_analysed_table_shows_no_bloat(bloated, tmp_path):
    check = postgres_health(bloated.url, tmp_path, SMALL).check("table_bloat")
    copy = [i for i in check.items if i["relation"] == "public.orders_copy"]
    assert copy == [] or copy[0]["ratio"] < TOLERANCE  # items list only relations with waste


def test_the_primary_key_of_the_emptied_table_is_estimated_as_bloated(bloated, tmp_path):
    """ANALYZE sets the index's row count to the live rows; its pages still hold the deleted rows' entries."""
    check = postgres_health(bloated.url, tmp_path, SMALL).check("index_bloat")
    pkey = item(check, "public.orders_pkey")
    assert (pkey["table"], pkey["status"]) == ("public.orders", "warn")
    assert abs(pkey["ratio"] - 0.6) <= 0.1, pkey  # btree leaves filled to ~90 %: the truth is near 60 %


def test_a_never_analysed_table_is_reported_without_statistics_not_as_zero(bloated, tmp_path):
    bloated.admin.execute("CREATE TABLE fresh (id int, body text) WITH (autovacuum_enabled = false)")
    bloated.admin.execute("INSERT INTO fresh SELECT g, 'x' FROM generate_series(1, 1000) g")
    check = postgres_health(bloated.url, tmp_path, SMALL).check("table_bloat")
    fresh = item(check, "public.fresh")
    assert (fresh["wasted_bytes"], fresh["wasted"], fresh["status"]) == (
        None,
        "no statistics: never analysed",
        "unknown",
    )


def test_a_table_locked_exclusively_is_still_estimated(bloated, tmp_path):
    """pg_stats and pg_class are read without a lock on the relation: the locked table keeps its estimate."""
    holder = psycopg.connect(libpq(bloated.url))
    try:
        holder.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE")
        holder_pid = holder.info.backend_pid
        health = postgres_health(bloated.url, tmp_path, SMALL)
        table, index = health.check("table_bloat"), health.check("index_bloat")
        assert (table.status, index.status) == ("warn", "warn"), (table.detail, index.detail)
        assert item(table, "public.orders")["locked_by"] == holder_pid
    finally:
        holder.rollback()
        holder.close()


def test_with_pgstattuple_installed_the_worst_table_is_also_measured(bloated, tmp_path):
    bloated.admin.execute("CREATE EXTENSION pgstattuple")
    check = postgres_health(bloated.url, tmp_path, SMALL).check("table_bloat")
    exact = item(check, "public.orders")["pgstattuple_wasted_bytes"]
    size = bloated.admin.execute("SELECT pg_relation_size('orders')").fetchone()[0]
    assert abs(exact / size - bloated.true_table_ratio) <= TOLERANCE


def test_with_pgstattuple_installed_a_locked_table_keeps_its_estimate_and_is_not_scanned(bloated, tmp_path):
    bloated.admin.execute("CREATE EXTENSION pgstattuple")
    holder = psycopg.connect(libpq(bloated.url))
    try:
        holder.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        check = postgres_health(bloated.url, tmp_path, SMALL).check("table_bloat")
        orders = item(check, "public.orders")
        assert (check.status, orders["status"], "pgstattuple_wasted" in orders) == ("warn", "warn", False)
        assert time.monotonic() - started < 5  # never waited for the lock
    finally:
        holder.rollback()
        holder.close()


def test_under_pg_monitor_alone_the_tables_statistics_are_hidden_and_said_so_until_select_is_granted(bloated, tmp_path):
    """pg_stats shows only the columns the role may SELECT, which pg_monitor does not grant."""
    role = f"monitor_{uuid.uuid4().hex[:8]}"
    bloated.admin.execute(f"CREATE ROLE {role} LOGIN IN ROLE pg_monitor")
    as_monitor = bloated.url.replace("postgresql+psycopg://postgres@", f"postgresql+psycopg://{role}@")
    hidden = item(postgres_health(as_monitor, tmp_path, SMALL).check("table_bloat"), "public.orders")
    assert (hidden["wasted"], hidden["status"]) == (
        "no statistics visible: the role needs SELECT on the table for pg_stats",
        "unknown",
    )
    bloated.admin.execute(f"GRANT SELECT ON orders TO {role}")
    assert item(postgres_health(as_monitor, tmp_path, SMALL).check("table_bloat"), "public.orders")["status"] == "warn"


# --- MariaDB ----------------------------------------------------------------------------------------------------------


def data_free(health: DatabaseHealth, table: str) -> dict | None:
    return next((i for i in health.check("reclaimable_space").items if i["relation"].endswith(f".{table}")), None)


def test_mariadb_deleted_rows_show_as_reclaimable_data_free(mariadb_server, tmp_path):
    """InnoDB counts DATA_FREE in whole free extents (1 MiB), and only once purge has freed the deleted rows' pages:
    so the test deletes a contiguous 60 % of a ~30 MiB table (whole extents empty) and polls for purge, then asserts
    that at least a third of the table is reported free; the exact figure depends on extents and purge."""
    url = mariadb_server.create_database(f"bloat_{uuid.uuid4().hex[:10]}")
    connection = mariadb_connect(url)
    mariadb_execute(connection, "CREATE TABLE events (id int PRIMARY KEY, body varchar(255)) ENGINE=InnoDB")
    mariadb_execute(
        connection,
        "INSERT INTO events SELECT seq, repeat('x', 250) FROM seq_1_to_100000",
    )
    mariadb_execute(connection, "DELETE FROM events WHERE id <= 60000")
    deadline = time.monotonic() + 60
    while True:
        mariadb_execute(connection, "ANALYZE TABLE events")
        found = data_free(mariadb_health(url, tmp_path, SMALL), "events")
        if found is not None and found["wasted_bytes"] >= found["size_bytes"] / 3:
            break
        assert time.monotonic() < deadline, f"DATA_FREE stayed {found}"
        time.sleep(1)
    assert found["kind"] == "table"


def test_mariadb_a_table_under_lock_tables_write_still_has_its_reclaimable_space(mariadb_server, tmp_path):
    """information_schema.TABLES takes a metadata lock that LOCK TABLES ... WRITE does not block."""
    url = mariadb_server.create_database(f"bloat_{uuid.uuid4().hex[:10]}")
    setup = mariadb_connect(url)
    mariadb_execute(setup, "CREATE TABLE held (id int PRIMARY KEY, body varchar(255)) ENGINE=InnoDB")
    mariadb_execute(setup, "INSERT INTO held SELECT seq, repeat('x', 250) FROM seq_1_to_20000")
    holder = mariadb_connect(url)
    mariadb_execute(holder, "LOCK TABLES held WRITE")
    try:
        health = mariadb_health(url, tmp_path)
        [held] = [r for r in health.probe.reclaimable_space if r.name.endswith(".held")]
        assert health.check("reclaimable_space").status == "ok" and held.wasted_bytes is not None
    finally:
        mariadb_execute(holder, "UNLOCK TABLES")
        holder.close()
        setup.close()
