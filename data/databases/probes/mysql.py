"""MySQL 8 / MariaDB 10.11 probe: one read-only session over information_schema, performance_schema and status.

The session is read-only with its own statement limit (``max_execution_time`` on MySQL, ``max_statement_time`` on
MariaDB), ``innodb_lock_wait_timeout`` and ``lock_wait_timeout`` (metadata locks); the socket has read and write
timeouts so a stuck server cannot hold the probe. Without ``PROCESS`` the server shows only the probe's own sessions:
the session checks then say ``<insufficient privilege>`` instead of "nothing running". Sessions, tables and indexes
are the DSN's schema's. A table locked by another session (``LOCK TABLES``, an ALTER) costs nothing: see
``_table_locks``.
"""

from __future__ import annotations

import sqlalchemy as sa

from data.databases.probes.common import (
    STATEMENTS_READ,
    ProbeError,
    list_databases_with,
    probe_engine,
    read_basics,
    read_custom_checks,
    statement_counter,
    statement_row,
    timed_probe,
)
from data.databases.probes.common import read_section as _section
from data.secrets import Dsn
from metrics.databases.bloat import RelationBloat
from metrics.databases.checks import (
    INSUFFICIENT_PRIVILEGE,
    IndexInfo,
    ProbeData,
    SequenceUsage,
    Session,
    TableStats,
    Thresholds,
    truncate_query,
)
from metrics.databases.custom import CustomCheck
from metrics.databases.indexes import IndexDefinition, redundant_indexes

NOT_RUNNING_COMMANDS = ("Sleep", "Daemon", "Binlog Dump", "Binlog Dump GTID", "Killed")
INTEGER_MAX = {
    "tinyint": 127,
    "smallint": 32767,
    "mediumint": 8388607,
    "int": 2147483647,
    "bigint": 9223372036854775807,
}

STATUS = sa.text("""
SHOW GLOBAL STATUS WHERE Variable_name IN
  ('Uptime', 'Threads_connected', 'Innodb_buffer_pool_reads', 'Innodb_buffer_pool_read_requests')
""")
HAS_PROCESS = sa.text("""
SELECT COUNT(*) FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE IN ('PROCESS', 'SUPER')
""")
PROCESSES = sa.text("""
SELECT ID, USER, COMMAND, TIME, STATE, INFO FROM information_schema.PROCESSLIST
WHERE ID <> CONNECTION_ID() AND DB = DATABASE()
""")
TRANSACTIONS = sa.text("""
SELECT trx_id, trx_mysql_thread_id AS thread_id, TIMESTAMPDIFF(SECOND, trx_started, NOW()) AS age_s, trx_query
FROM information_schema.INNODB_TRX
""")
MARIADB_LOCK_WAITS = sa.text("SELECT requesting_trx_id, blocking_trx_id FROM information_schema.INNODB_LOCK_WAITS")
MYSQL_LOCK_WAITS = sa.text("""
SELECT REQUESTING_ENGINE_TRANSACTION_ID AS requesting_trx_id, BLOCKING_ENGINE_TRANSACTION_ID AS blocking_trx_id
FROM performance_schema.data_lock_waits
""")
TABLES = sa.text("""
SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) AS name, COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0) AS bytes,
       DATA_FREE AS data_free, TABLE_ROWS AS table_rows, AUTO_INCREMENT AS auto_increment, TABLE_NAME AS table_name
FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'
""")
# Metadata-lock modes that stop other sessions writing (or reading) a table: LOCK TABLES ... WRITE (shared no
# read write), LOCK TABLES ... READ (shared read only), an ALTER in progress or waiting (shared upgradable, shared no
# write) and DDL's exclusive lock. Plain reads and writes hold weaker modes and are not "locked".
LOCKING_MODES = ("SHARED_UPGRADABLE", "SHARED_READ_ONLY", "SHARED_NO_WRITE", "SHARED_NO_READ_WRITE", "EXCLUSIVE")
_MODES_SQL = ", ".join(f"'{mode}'" for mode in LOCKING_MODES)
# MariaDB: the metadata_lock_info plugin (INSTALL SONAME 'metadata_lock_info'); granted locks only.
MARIADB_TABLE_LOCKS = sa.text(f"""
SELECT TABLE_NAME AS table_name, THREAD_ID AS thread_id, REPLACE(LOCK_MODE, 'MDL_', '') AS lock_mode
FROM information_schema.METADATA_LOCK_INFO
WHERE LOCK_TYPE = 'Table metadata lock' AND TABLE_SCHEMA = DATABASE() AND THREAD_ID <> CONNECTION_ID()
  AND REPLACE(LOCK_MODE, 'MDL_', '') IN ({_MODES_SQL})
""")
MARIADB_HAS_LOCK_INFO = sa.text("""
SELECT COUNT(*) FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'METADATA_LOCK_INFO' AND PLUGIN_STATUS = 'ACTIVE'
""")
# MySQL 8: performance_schema's metadata_locks (its instrument is on by default), granted and pending.
MYSQL_TABLE_LOCKS = sa.text(f"""
SELECT m.OBJECT_NAME AS table_name, t.PROCESSLIST_ID AS thread_id, m.LOCK_TYPE AS lock_mode
FROM performance_schema.metadata_locks m JOIN performance_schema.threads t ON t.THREAD_ID = m.OWNER_THREAD_ID
WHERE m.OBJECT_TYPE = 'TABLE' AND m.OBJECT_SCHEMA = DATABASE() AND t.PROCESSLIST_ID <> CONNECTION_ID()
  AND m.LOCK_TYPE IN ({_MODES_SQL})
""")
AUTO_INCREMENT_COLUMNS = sa.text("""
SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, DATA_TYPE AS data_type, COLUMN_TYPE AS column_type
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND EXTRA LIKE '%auto_increment%'
""")
STATISTICS = sa.text("""
SELECT TABLE_NAME AS table_name, INDEX_NAME AS index_name, SEQ_IN_INDEX AS seq, COLUMN_NAME AS column_name,
       NON_UNIQUE AS non_unique, INDEX_TYPE AS index_type, SUB_PART AS sub_part
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
""")
INDEX_SIZES = sa.text("""
SELECT table_name, index_name, stat_value * @@innodb_page_size AS bytes FROM mysql.innodb_index_stats
WHERE database_name = DATABASE() AND stat_name = 'size'
""")
UNUSED = sa.text("""
SELECT object_name AS table_name, index_name FROM sys.schema_unused_indexes WHERE object_schema = DATABASE()
""")
STATEMENTS = sa.text(f"""
SELECT DIGEST AS queryid, COUNT_STAR AS calls, SUM_TIMER_WAIT / 1000000000 AS total_ms, SUM_ROWS_SENT AS row_count,
       DIGEST_TEXT AS query, FIRST_SEEN AS first_seen
FROM performance_schema.events_statements_summary_by_digest
WHERE SCHEMA_NAME = DATABASE() AND DIGEST IS NOT NULL ORDER BY SUM_TIMER_WAIT DESC LIMIT {STATEMENTS_READ}
""")


def make_engine(dsn: Dsn | str, connect_timeout_s: float, statement_timeout_s: float) -> sa.Engine:
    socket_timeout = int(statement_timeout_s) + 2
    return probe_engine(dsn, connect_timeout_s, read_timeout=socket_timeout, write_timeout=socket_timeout)


def limit_session(connection: sa.Connection, is_mariadb: bool, statement_timeout_s: float) -> None:
    """Read-only, a statement limit and short lock waits (row locks and metadata locks), on the probe's own session
    only."""
    if is_mariadb:
        connection.exec_driver_sql(f"SET SESSION max_statement_time = {statement_timeout_s:g}")
    else:
        connection.exec_driver_sql(f"SET SESSION max_execution_time = {int(statement_timeout_s * 1000)}")
        connection.exec_driver_sql("SET SESSION information_schema_stats_expiry = 0")  # fresh AUTO_INCREMENT
    connection.exec_driver_sql("SET SESSION innodb_lock_wait_timeout = 1")
    connection.exec_driver_sql(
        "SET SESSION lock_wait_timeout = 1"
    )  # metadata locks (default: a day on MariaDB, a year on MySQL)
    connection.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")


def _column_max(data_type: str, column_type: str) -> int:
    signed_max = INTEGER_MAX.get(data_type.lower(), INTEGER_MAX["bigint"])
    return signed_max * 2 + 1 if "unsigned" in column_type.lower() else signed_max


# SHOW DATABASES lists the server's own schemas too; a server entry watches the others.
DATABASES = sa.text("SHOW DATABASES")
SYSTEM_SCHEMAS = frozenset({"information_schema", "performance_schema", "mysql", "sys"})


def list_databases(dsn: Dsn | str, *, connect_timeout_s: float = 3.0, statement_timeout_s: float = 5.0) -> list[str]:
    """Every database of the DSN's server the user may see, less the server's own schemas, sorted; raises
    ProbeError when the server cannot be reached or read."""
    return list_databases_with(make_engine, dsn, DATABASES, connect_timeout_s, statement_timeout_s, SYSTEM_SCHEMAS)


def probe_mysql(
    dsn: Dsn | str,
    thresholds: Thresholds,
    *,
    connect_timeout_s: float = 3.0,
    statement_timeout_s: float = 5.0,
    custom_checks: tuple[CustomCheck, ...] = (),
    deadline_at: float | None = None,
) -> ProbeData:
    """Read everything the checks need, then run the custom checks (before ``deadline_at``, monotonic); raises
    ProbeError when the server cannot be reached or read."""

    def read(connection: sa.Connection) -> ProbeData:
        probe = _read_mysql(connection, thresholds, statement_timeout_s)
        if custom_checks:
            mariadb = probe.engine == "mariadb"
            probe.custom = read_custom_checks(
                connection,
                custom_checks,
                start=lambda cursor, timeout_s: _start_custom(cursor, timeout_s, mariadb),
                execute=lambda cursor, sql: cursor.execute(sql),  # no arguments: '%' stays as written
                statement_timeout_s=statement_timeout_s,
                deadline_at=deadline_at,
            )
        return probe

    return timed_probe(make_engine, dsn, connect_timeout_s, statement_timeout_s, read)


def _start_custom(cursor, timeout_s: float, is_mariadb: bool) -> None:
    """The check's statement limit, then a READ ONLY transaction. PyMySQL does not enable multi-statements, so the
    server refuses a second statement; DDL's implicit commit lands in the session's READ ONLY mode and is refused."""
    if is_mariadb:
        cursor.execute(f"SET SESSION max_statement_time = {timeout_s:.3f}")
    else:
        cursor.execute(f"SET SESSION max_execution_time = {max(int(timeout_s * 1000), 1)}")
    cursor.execute("SET SESSION TRANSACTION READ ONLY")
    cursor.execute("START TRANSACTION READ ONLY")


def _read_mysql(connection: sa.Connection, thresholds: Thresholds, statement_timeout_s: float) -> ProbeData:
    """The probe on its open connection: the server basics, then every group of queries."""

    def basics():
        row = connection.exec_driver_sql(
            "SELECT @@version, @@version_comment, @@max_connections, DATABASE(), @@performance_schema"
        ).one()
        mariadb = "mariadb" in f"{row[0]} {row[1]}".lower()
        limit_session(connection, mariadb, statement_timeout_s)
        return row, mariadb, {name: value for name, value in connection.execute(STATUS)}

    (version, _, max_connections, schema, perf_schema), is_mariadb, status = read_basics(basics)
    if not schema:
        raise ProbeError("the DSN names no database: add /<database> to it")
    probe = ProbeData(
        engine="mariadb" if is_mariadb else "mysql",
        version=f"{'MariaDB' if is_mariadb else 'MySQL'} {version.split('-')[0]}",
        uptime_s=float(status.get("Uptime", 0)),
        connections_used=int(status.get("Threads_connected", 0)),
        connections_max=int(max_connections),
    )
    requests = float(status.get("Innodb_buffer_pool_read_requests", 0))
    disk_reads = float(status.get("Innodb_buffer_pool_reads", 0))
    probe.cache_hits, probe.cache_reads = max(requests - disk_reads, 0.0), disk_reads
    probe.cache_scope = "since server start (InnoDB buffer pool)"
    _read_all(connection, probe, thresholds, is_mariadb, bool(perf_schema))
    return probe


SESSION_CHECKS = ("idle_in_transaction", "long_running_queries", "blocked_sessions")


def _read_all(
    connection: sa.Connection, probe: ProbeData, thresholds: Thresholds, is_mariadb: bool, perf_schema: bool
) -> None:
    """Each group of queries in turn; one that fails marks only its own checks unavailable."""
    _section(probe, SESSION_CHECKS, lambda: _read_sessions(connection, probe, is_mariadb))
    _section(probe, ("replication_lag",), lambda: _read_replication(connection, probe))
    _section(probe, ("database_size", "sequences", "reclaimable_space"), lambda: _read_tables(connection, probe))
    _section(
        probe,
        ("duplicate_indexes", "unused_indexes"),
        lambda: _read_indexes(connection, probe, thresholds, perf_schema),
    )
    _section(probe, ("slow_statements",), lambda: _read_statements(connection, probe, perf_schema))


def _read_sessions(connection: sa.Connection, probe: ProbeData, is_mariadb: bool) -> None:
    """The schema's running and idle-in-transaction sessions, with who blocks whom; needs PROCESS."""
    if not connection.execute(HAS_PROCESS).scalar():
        for check in SESSION_CHECKS:
            probe.unavailable[check] = f"{INSUFFICIENT_PRIVILEGE} (PROCESS is needed to see other sessions)"
        return
    transactions = {r.thread_id: r for r in connection.execute(TRANSACTIONS)}
    blockers = _lock_blockers(connection, is_mariadb, {r.trx_id: r.thread_id for r in transactions.values()})
    found = (_session(r, transactions, blockers) for r in connection.execute(PROCESSES))
    probe.sessions = [session for session in found if session is not None]


def _lock_blockers(connection: sa.Connection, is_mariadb: bool, trx_thread: dict) -> dict[int, list[int]]:
    """Per waiting thread, the threads holding the locks it waits for."""
    blockers: dict[int, list[int]] = {}
    for wait in connection.execute(MARIADB_LOCK_WAITS if is_mariadb else MYSQL_LOCK_WAITS).all():
        waiting, holding = trx_thread.get(wait.requesting_trx_id), trx_thread.get(wait.blocking_trx_id)
        if waiting is not None and holding is not None:
            blockers.setdefault(waiting, []).append(holding)
    return blockers


def _session(r, transactions: dict, blockers: dict[int, list[int]]) -> Session | None:
    """One process-list row as a session: idle in a transaction, running, or None (sleeping, a daemon...)."""
    if r.COMMAND == "Sleep" and r.ID in transactions:
        last = transactions[r.ID].trx_query
        return Session(
            r.ID,
            r.USER,
            "idle in transaction",
            truncate_query(last) if last else "(no statement running)",
            state_seconds=float(r.TIME or 0),
        )
    if r.COMMAND in NOT_RUNNING_COMMANDS:
        return None
    return Session(
        r.ID,
        r.USER,
        r.COMMAND,
        truncate_query(r.INFO),
        query_seconds=float(r.TIME or 0),
        wait=r.STATE or None,
        blocked_by=tuple(sorted(set(blockers.get(r.ID, [])))),
    )


def _read_replication(connection: sa.Connection, probe: ProbeData) -> None:
    try:
        rows = connection.exec_driver_sql("SHOW REPLICA STATUS").mappings().all()
    except sa.exc.ProgrammingError:
        rows = connection.exec_driver_sql("SHOW SLAVE STATUS").mappings().all()
    probe.is_replica = bool(rows)
    probe.replicas, probe.inactive_slots = [], []
    if rows:
        row = {k.lower(): v for k, v in rows[0].items()}
        io = row.get("replica_io_running", row.get("slave_io_running"))
        sql_thread = row.get("replica_sql_running", row.get("slave_sql_running"))
        probe.replica_receiving, probe.replica_applying = io == "Yes", sql_thread == "Yes"
        behind = row.get("seconds_behind_source", row.get("seconds_behind_master"))
        delay = row.get("sql_delay") or 0
        probe.replica_lag_s = None if behind is None else max(float(behind) - float(delay), 0.0)


def _read_tables(connection: sa.Connection, probe: ProbeData) -> None:
    """Tables with their sizes, the schema's size, and AUTO_INCREMENT columns as sequences."""
    rows = connection.execute(TABLES).all()
    locks = _table_locks(connection, probe.engine == "mariadb")
    probe.tables = [
        TableStats(
            r.name,
            int(r.bytes),
            None if r.table_rows is None else int(r.table_rows),
            locked=r.table_name in locks,
            locked_by=locks.get(r.table_name),
        )
        for r in rows
    ]
    probe.database_size_bytes = sum(int(r.bytes) for r in rows)
    # DATA_FREE: free space InnoDB holds for the table (whole free extents of its file-per-table tablespace; for a
    # table in the shared system tablespace, that tablespace's free space). NULL for engines that do not say. Judged
    # as a share of what the table holds in all (data + index + free): DATA_LENGTH shrinks as purge frees the deleted
    # rows' pages, so free over data + index alone would grow without bound.
    probe.reclaimable_space = [
        RelationBloat(
            r.name,
            "table",
            int(r.bytes) + int(r.data_free or 0),
            None if r.data_free is None else int(r.data_free),
            no_estimate="" if r.data_free is not None else "the storage engine reports no DATA_FREE",
            locked_by=locks.get(r.table_name),
        )
        for r in rows
    ]
    next_values = {r.table_name: r.auto_increment for r in rows}
    probe.sequences = []
    for c in connection.execute(AUTO_INCREMENT_COLUMNS):
        next_value = next_values.get(c.table_name)
        probe.sequences.append(
            SequenceUsage(
                f"{c.table_name}.AUTO_INCREMENT",
                None if next_value is None else int(next_value) - 1,
                _column_max(c.data_type, c.column_type),
                f"{c.table_name}.{c.column_name}",
                c.column_type,
            )
        )


def _table_locks(connection: sa.Connection, is_mariadb: bool) -> dict[str, int | None]:
    """Per table of the schema another session locks (``LOCKING_MODES``), the thread holding the strongest lock.

    Only marks: information_schema.TABLES, COLUMNS and STATISTICS take a high-priority shared metadata lock that a
    ``LOCK TABLES ... WRITE`` or an ALTER (running or waiting) does not block, so every table's numbers, the locked
    one's included, are still read (``tests/integration/databases/test_locked_tables.py`` proves it on MariaDB).
    The marks need MariaDB's metadata_lock_info plugin or MySQL's performance_schema; without them no table is
    marked (``SHOW OPEN TABLES``' In_use also counts a plain running SELECT, so it cannot tell a lock)."""
    try:
        if is_mariadb:
            if not connection.execute(MARIADB_HAS_LOCK_INFO).scalar():
                return {}
            rows = connection.execute(MARIADB_TABLE_LOCKS).all()
        else:
            rows = connection.execute(MYSQL_TABLE_LOCKS).all()
    except sa.exc.DBAPIError:
        return {}  # performance_schema off, or no SELECT on it: the tables are listed unmarked
    strength = {mode: rank for rank, mode in enumerate(LOCKING_MODES)}
    locks: dict[str, tuple[int, int | None]] = {}
    for r in rows:
        rank = strength.get(r.lock_mode, -1)
        if r.table_name not in locks or rank > locks[r.table_name][0]:
            locks[r.table_name] = (rank, None if r.thread_id is None else int(r.thread_id))
    return {table: thread for table, (_, thread) in locks.items()}


def _read_indexes(connection: sa.Connection, probe: ProbeData, thresholds: Thresholds, perf_schema: bool) -> None:
    """Redundant indexes, and (with performance_schema) unused ones of a size worth dropping."""
    definitions = _index_definitions(connection)
    probe.duplicate_indexes = redundant_indexes(definitions)
    if not perf_schema:
        probe.not_available["unused_indexes"] = "performance_schema is off (needed to count index use)"
        return
    by_name = {(d.table, d.name): d for d in definitions}
    probe.unused_indexes = []
    for r in connection.execute(UNUSED):
        d = by_name.get((r.table_name, r.index_name))
        if d is not None and not d.unique and (d.size_bytes or 0) >= thresholds.unused_index_min_bytes:
            probe.unused_indexes.append(IndexInfo(d.name, d.table, d.size_bytes, 0, d.definition))


def _index_definitions(connection: sa.Connection) -> list[IndexDefinition]:
    """Every index of the schema with its key columns, and its size where mysql.innodb_index_stats may be read."""
    sizes = {}
    try:
        sizes = {(r.table_name, r.index_name): int(r.bytes) for r in connection.execute(INDEX_SIZES)}
    except sa.exc.DBAPIError:
        pass  # no SELECT on mysql.*: indexes are listed without sizes
    grouped: dict[tuple[str, str], list] = {}
    for r in connection.execute(STATISTICS):
        grouped.setdefault((r.table_name, r.index_name), []).append(r)
    definitions = []
    for (table, index), columns in grouped.items():
        key = tuple(f"{c.column_name}({c.sub_part})" if c.sub_part else str(c.column_name) for c in columns)
        unique = not int(columns[0].non_unique)
        definitions.append(
            IndexDefinition(
                index,
                table,
                key,
                columns[0].index_type,
                unique=unique,
                primary=index == "PRIMARY",
                size_bytes=sizes.get((table, index)),
                definition=f"{'UNIQUE ' if unique else ''}INDEX {index} ON {table} ({', '.join(key)})",
            )
        )
    return definitions


def _read_statements(connection: sa.Connection, probe: ProbeData, perf_schema: bool) -> None:
    if not perf_schema:
        probe.not_available["slow_statements"] = "performance_schema is off"
        return
    top = list(connection.execute(STATEMENTS))
    probe.statements = [statement_row(r.queryid, r.calls, r.total_ms, r.row_count, r.query) for r in top[:10]]
    probe.statement_counters = [
        statement_counter(r.queryid, r.calls, r.total_ms, r.row_count, r.query, r.first_seen) for r in top
    ]
