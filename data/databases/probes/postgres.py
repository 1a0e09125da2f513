"""PostgreSQL probe (10 and newer; 13+ tested): one read-only session, catalog and statistics views only.

The session is read-only (``default_transaction_read_only``), has its own ``statement_timeout`` and
``lock_timeout``, and runs in autocommit so one refused query (no privilege) does not spoil the next. A table that
another session holds (or waits for) ACCESS EXCLUSIVE on is never waited for: its statistics come from views that
take no lock, its size is the catalog's estimate (``SizeSource.ESTIMATED`` with the locking pid), and its indexes are
listed without the definitions whose deparsing would lock it; the other tables are measured as usual. The lock
timeout still guards the race (a lock taken between two reads), and costs only the table it hit.

What the role may not see is reported per check as ``<insufficient privilege>``; grant ``pg_monitor`` for the full
picture. Sessions, tables and indexes are those of the DSN's database; connections count the whole server, as
``max_connections`` does.
"""

from __future__ import annotations

import time
from dataclasses import replace

import sqlalchemy as sa

from data.databases.probes.common import (
    PROBE_APPLICATION_NAME,
    STATEMENTS_READ,
    ProbeError,
    explain_query_error,
    list_databases_with,
    probe_engine,
    read_basics,
    read_custom_checks,
    statement_counter,
    statement_row,
    timed_probe,
)
from data.databases.probes.common import (
    read_section as _section,
)
from data.secrets import Dsn
from metrics.databases.bloat import (
    RelationBloat,
    estimated_bloat,
    expected_btree_pages,
    expected_heap_pages,
)
from metrics.databases.checks import (
    INSUFFICIENT_PRIVILEGE,
    IndexInfo,
    ProbeData,
    ReplicaInfo,
    SequenceUsage,
    Session,
    SizeSource,
    TablespaceSize,
    TableStats,
    Thresholds,
    truncate_query,
)
from metrics.databases.custom import CustomCheck
from metrics.databases.indexes import IndexDefinition, redundant_indexes
from metrics.formatting import format_bytes

MIN_VERSION_NUM = 100000  # pg_blocking_pids, pg_sequences, pg_stat_progress_* shapes
TYPE_MAX = {"smallint": 32767, "integer": 2147483647, "bigint": 9223372036854775807}

BASICS = sa.text("""
SELECT current_setting('server_version') AS version,
       current_setting('server_version_num')::int AS version_num,
       extract(epoch FROM now() - pg_postmaster_start_time()) AS uptime_s,
       current_setting('max_connections')::int AS max_connections,
       current_setting('superuser_reserved_connections')::int
         + coalesce(nullif(current_setting('reserved_connections', true), ''), '0')::int AS reserved,
       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS in_use,
       pg_is_in_recovery() AS in_recovery
""")

SESSIONS = sa.text("""
SELECT a.pid, a.usename, a.state, a.query,
       extract(epoch FROM now() - a.query_start) AS query_s,
       extract(epoch FROM now() - a.state_change) AS state_s,
       a.wait_event_type || ':' || a.wait_event AS wait,
       pg_blocking_pids(a.pid) AS blocked_by
FROM pg_stat_activity a
WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
  AND (a.backend_type = 'client backend' OR a.backend_type IS NULL)  -- NULL: another user's, hidden from us
  AND a.state IS DISTINCT FROM 'idle'
  AND a.application_name IS DISTINCT FROM :probe
""")

CACHE = sa.text("""
SELECT coalesce(sum(heap_blks_hit), 0) + coalesce(sum(idx_blks_hit), 0) AS hits,
       coalesce(sum(heap_blks_read), 0) + coalesce(sum(idx_blks_read), 0) AS reads
FROM pg_statio_user_tables
""")

REPLICA = sa.text("""
SELECT (SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming') > 0 AS receiving,
       pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AS caught_up,
       extract(epoch FROM now() - pg_last_xact_replay_timestamp()) AS replay_age_s
""")
PRIMARY_REPLICAS = sa.text("""
SELECT coalesce(nullif(application_name, ''), client_addr::text, pid::text) AS name, state,
       extract(epoch FROM replay_lag) AS replay_lag_s
FROM pg_stat_replication
""")
INACTIVE_SLOTS = sa.text("SELECT slot_name FROM pg_replication_slots WHERE NOT active ORDER BY slot_name")

DATABASE = sa.text("""
SELECT age(datfrozenxid) AS xid_age, pg_database_size(current_database()) AS size_bytes
FROM pg_database WHERE datname = current_database()
""")

# pg_global holds the shared catalogs, not anything a database grows into. Neither the listing nor
# pg_tablespace_size (a walk of the tablespace's directory) takes a relation lock.
TABLESPACES = sa.text("SELECT oid, spcname FROM pg_tablespace WHERE spcname <> 'pg_global' ORDER BY spcname")
TABLESPACE_SIZE = sa.text("SELECT pg_tablespace_size(CAST(:oid AS oid))")

# Tables some other backend holds, or waits for, ACCESS EXCLUSIVE on (on the table, its TOAST table or one of its
# indexes): the only mode that conflicts with the ACCESS SHARE that pg_total_relation_size, pg_relation_size,
# pg_get_indexdef and pg_get_expr take on a table. A waiter counts: later requests queue behind it. pid is NULL for a
# prepared transaction.
EXCLUSIVE_LOCKS = """
WITH exclusive AS (
  SELECT coalesce(i.indrelid, t.oid, l.relation) AS relid, l.pid, l.granted
  FROM pg_locks l
  LEFT JOIN pg_index i ON i.indexrelid = l.relation
  LEFT JOIN pg_class t ON t.reltoastrelid = l.relation
  WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.pid IS DISTINCT FROM pg_backend_pid()
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
)
"""
# One row per locked table (a granted holder before a waiter), to LEFT JOIN LATERAL ... ON true.
LOCK_OF_TABLE = """(SELECT true AS locked, e.pid AS locked_by FROM exclusive e WHERE e.relid = {relid}
                  ORDER BY e.granted DESC, e.pid LIMIT 1)"""

# Statistics and catalog only: no relation lock is taken, so a table locked ACCESS EXCLUSIVE elsewhere still has
# its rows, dead rows and vacuum times. ``estimated_bytes`` is the catalog's page counts (table, TOAST, indexes) as of
# the last VACUUM/ANALYZE; NULL while the table was never analysed (reltuples -1 from PostgreSQL 14).
TABLES = sa.text(
    EXCLUSIVE_LOCKS
    + """
SELECT s.relid, format('%I.%I', s.schemaname, s.relname) AS name,
       s.n_live_tup, s.n_dead_tup, s.last_autovacuum, s.last_vacuum,
       coalesce(NOT ('autovacuum_enabled=false' = ANY (c.reloptions)), true) AS autovacuum_enabled,
       age(c.relfrozenxid) AS xid_age,
       CASE WHEN c.reltuples >= 0 OR c.relpages > 0 THEN
         (c.relpages::bigint
          + coalesce((SELECT sum(x.relpages) FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
                      WHERE i.indrelid = c.oid), 0)
          + coalesce((SELECT x.relpages FROM pg_class x WHERE x.oid = c.reltoastrelid), 0))
         * current_setting('block_size')::bigint
       END AS estimated_bytes,
       EXISTS (SELECT 1 FROM exclusive e WHERE e.relid = s.relid) AS locked,
       (SELECT e.pid FROM exclusive e WHERE e.relid = s.relid ORDER BY e.granted DESC, e.pid LIMIT 1) AS locked_by
FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
"""
)
# Real sizes of the tables nobody locks, in one statement; pg_total_relation_size takes ACCESS SHARE on the table and
# its indexes (under the session's lock_timeout).
TABLE_SIZES = sa.text("""
SELECT r.relid, pg_total_relation_size(r.relid::oid) AS total_bytes FROM unnest(CAST(:relids AS bigint[])) AS r(relid)
""")
TABLE_SIZE = sa.text("SELECT pg_total_relation_size(CAST(:relid AS bigint)::oid)")
TABLE_LOCKER = sa.text(
    EXCLUSIVE_LOCKS
    + "SELECT e.pid FROM exclusive e WHERE e.relid = CAST(:relid AS bigint)::oid ORDER BY e.granted DESC, e.pid LIMIT 1"
)

# pg_sequence_last_value takes a lock on the sequence: one locked ACCESS EXCLUSIVE (its table being dropped, an
# ALTER SEQUENCE in an open transaction) is not read, and is reported as locked.
SEQUENCES = sa.text(
    EXCLUSIVE_LOCKS
    + """
SELECT format('%I.%I', n.nspname, c.relname) AS name,
       has_sequence_privilege(c.oid, 'SELECT,USAGE') AS readable,
       CASE WHEN lk.locked IS NULL AND has_sequence_privilege(c.oid, 'SELECT,USAGE')
            THEN pg_sequence_last_value(c.oid) END AS last_value,
       coalesce(lk.locked, false) AS locked, lk.locked_by,
       s.seqmax, s.seqincrement, format_type(s.seqtypid, NULL) AS sequence_type,
       format('%I.%I.%I', tn.nspname, t.relname, a.attname) AS column_name,
       format_type(a.atttypid, NULL) AS column_type
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
LEFT JOIN pg_class t ON t.oid = d.refobjid
LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
LEFT JOIN LATERAL """
    + LOCK_OF_TABLE.format(relid="c.oid")
    + """ lk ON true
WHERE c.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
"""
)

# Index queries read a locked table's indexes from the catalog only: their size from relpages, and no definition,
# expressions or predicate (deparsing them takes a lock on the table).
UNUSED_INDEXES = sa.text(
    EXCLUSIVE_LOCKS
    + """
SELECT * FROM (
  SELECT format('%I.%I', s.schemaname, s.indexrelname) AS name, format('%I.%I', s.schemaname, s.relname) AS table_name,
         CASE WHEN lk.locked THEN ci.relpages::bigint * current_setting('block_size')::bigint
              ELSE pg_relation_size(s.indexrelid) END AS size_bytes,
         s.idx_scan, CASE WHEN lk.locked IS NULL THEN pg_get_indexdef(s.indexrelid) END AS definition,
         coalesce(lk.locked, false) AS locked, lk.locked_by
  FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid JOIN pg_class ci ON ci.oid = s.indexrelid
  LEFT JOIN LATERAL """
    + LOCK_OF_TABLE.format(relid="s.relid")
    + """ lk ON true
  WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary AND i.indisvalid
    AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = s.indexrelid)
) u WHERE u.size_bytes >= :min_bytes
"""
)

INDEXES = sa.text(
    EXCLUSIVE_LOCKS
    + """
SELECT format('%I.%I', n.nspname, ci.relname) AS name, format('%I.%I', n.nspname, ct.relname) AS table_name,
       am.amname, i.indkey::text AS columns, i.indclass::text AS opclasses,
       CASE WHEN lk.locked IS NULL THEN coalesce(pg_get_expr(i.indexprs, i.indrelid), '') END AS expressions,
       CASE WHEN lk.locked IS NULL THEN coalesce(pg_get_expr(i.indpred, i.indrelid), '') END AS predicate,
       i.indisunique, i.indisprimary, i.indisvalid, i.indisready,
       CASE WHEN lk.locked THEN ci.relpages::bigint * current_setting('block_size')::bigint
            ELSE pg_relation_size(i.indexrelid) END AS size_bytes,
       CASE WHEN lk.locked IS NULL THEN pg_get_indexdef(i.indexrelid) END AS definition,
       coalesce(lk.locked, false) AS locked, lk.locked_by,
       i.indexrelid IN (SELECT index_relid FROM pg_stat_progress_create_index) AS being_built
FROM pg_index i
JOIN pg_class ci ON ci.oid = i.indexrelid
JOIN pg_class ct ON ct.oid = i.indrelid
JOIN pg_namespace n ON n.oid = ci.relnamespace
JOIN pg_am am ON am.oid = ci.relam
LEFT JOIN LATERAL """
    + LOCK_OF_TABLE.format(relid="i.indrelid")
    + """ lk ON true
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
"""
)

# Bloat: statistics and catalog only (pg_stats, pg_class, pg_attribute, pg_stat_user_tables), none of which takes a
# lock on the relations, so a table held ACCESS EXCLUSIVE elsewhere is still estimated. pg_stats shows only the
# columns the role may SELECT; the arithmetic is metrics.databases.bloat's.
_FILLFACTOR = """coalesce((SELECT substring(o FROM '^fillfactor=([0-9]+)$')::int FROM unnest({rel}.reloptions) o
                           WHERE o LIKE 'fillfactor=%'), {default})"""
TABLE_BLOAT = sa.text(
    EXCLUSIVE_LOCKS
    + """
, stats AS (
  SELECT schemaname, tablename, count(*) AS stats_columns, sum((1 - null_frac) * avg_width) AS data_width,
         bool_or(null_frac > 0) AS has_nulls
  FROM pg_stats WHERE NOT inherited GROUP BY schemaname, tablename
)
SELECT c.oid AS relid, format('%I.%I', n.nspname, c.relname) AS name, c.relpages, c.reltuples,
       """
    + _FILLFACTOR.format(rel="c", default=100)
    + """ AS fillfactor,
       (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
         AS columns,
       coalesce(st.stats_columns, 0) AS stats_columns, st.data_width, coalesce(st.has_nulls, false) AS has_nulls,
       has_table_privilege(c.oid, 'SELECT') AS readable,
       coalesce(u.last_analyze, u.last_autoanalyze, u.last_vacuum, u.last_autovacuum) IS NOT NULL AS analysed,
       lk.locked_by, current_setting('block_size')::int AS block_size
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN stats st ON st.schemaname = n.nspname AND st.tablename = c.relname
LEFT JOIN pg_stat_user_tables u ON u.relid = c.oid
LEFT JOIN LATERAL """
    + LOCK_OF_TABLE.format(relid="c.oid")
    + """ lk ON true
WHERE c.relkind IN ('r', 'm') AND c.relpersistence <> 't' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%'
"""
)
# Valid btree indexes; a key column's width and NULLs from its table's pg_stats row (an expression has none there).
INDEX_BLOAT = sa.text(
    EXCLUSIVE_LOCKS
    + """
SELECT ci.oid AS relid, format('%I.%I', n.nspname, ci.relname) AS name,
       format('%I.%I', n.nspname, ct.relname) AS table_name, ci.relpages, ci.reltuples,
       """
    + _FILLFACTOR.format(rel="ci", default=90)
    + """ AS fillfactor,
       0 = ANY (i.indkey::int2[]) AS has_expressions, k.key_columns, k.stats_columns, k.key_width, k.has_nulls,
       has_table_privilege(ct.oid, 'SELECT') AS readable,
       lk.locked_by, current_setting('block_size')::int AS block_size
FROM pg_index i
JOIN pg_class ci ON ci.oid = i.indexrelid
JOIN pg_class ct ON ct.oid = i.indrelid
JOIN pg_namespace n ON n.oid = ci.relnamespace
JOIN pg_am am ON am.oid = ci.relam
LEFT JOIN LATERAL (
  SELECT count(*) AS key_columns, count(s.attname) AS stats_columns,
         coalesce(sum((1 - s.null_frac) * s.avg_width), 0) AS key_width,
         coalesce(bool_or(s.null_frac > 0), false) AS has_nulls
  FROM pg_attribute a
  LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = ct.relname AND s.attname = a.attname
                       AND NOT s.inherited
  WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[]) AND a.attnum > 0
) k ON true
LEFT JOIN LATERAL """
    + LOCK_OF_TABLE.format(relid="i.indrelid")
    + """ lk ON true
WHERE am.amname = 'btree' AND i.indisvalid AND ct.relkind IN ('r', 'm') AND ct.relpersistence <> 't'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
"""
)
HAS_PGSTATTUPLE = sa.text("SELECT count(*) FROM pg_extension WHERE extname = 'pgstattuple'")
# Measured, not estimated: reads the whole table under ACCESS SHARE (so the lock and statement timeouts apply).
PGSTATTUPLE = sa.text("SELECT free_space + dead_tuple_len AS wasted FROM pgstattuple(CAST(:relid AS bigint)::oid)")
PGSTATTUPLE_TABLES = 3  # the tables with the most estimated waste that pgstattuple measures (each one a full scan)
PGSTATTUPLE_BUDGET_S = 2.0  # for all of them together, so measuring never costs the probe its deadline
PGSTATTUPLE_MAX_BYTES = 1024**3  # a bigger table is not scanned: it keeps its estimate

HAS_PG_STAT_STATEMENTS = sa.text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'")
# pg_stat_statements 1.9 (PostgreSQL 14) says when its statistics were last reset: a reset the counters climbed past
HAS_STATEMENTS_INFO = sa.text("SELECT to_regclass('pg_stat_statements_info') IS NOT NULL")
STATEMENTS_RESET_AT = sa.text("SELECT stats_reset FROM pg_stat_statements_info")


def statements_query(version_num: int) -> sa.TextClause:
    """Top statements by total time: ``total_exec_time`` from PostgreSQL 13, ``total_time`` before. One row per
    queryid: pg_stat_statements keeps one per user (and top level), the history keys on the statement."""
    column = "total_exec_time" if version_num >= 130000 else "total_time"
    return sa.text(f"""
SELECT queryid::text AS queryid, sum(calls) AS calls, sum({column}) AS total_ms, sum(rows) AS rows,
       min(query) AS query
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL
GROUP BY queryid
ORDER BY total_ms DESC LIMIT {STATEMENTS_READ}
""")


def session_options(statement_timeout_s: float, lock_timeout_s: float) -> str:
    """libpq ``options``: the probe session's own limits, and read-only."""
    return " ".join(
        [
            f"-c statement_timeout={int(statement_timeout_s * 1000)}",
            f"-c lock_timeout={int(lock_timeout_s * 1000)}",
            "-c default_transaction_read_only=on",
            "-c idle_in_transaction_session_timeout=60000",
        ]
    )


def make_engine(dsn: Dsn | str, connect_timeout_s: float, statement_timeout_s: float) -> sa.Engine:
    return probe_engine(
        dsn,
        connect_timeout_s,
        application_name=PROBE_APPLICATION_NAME,
        options=session_options(statement_timeout_s, min(1.0, statement_timeout_s)),
    )


def _sequence_max(row) -> int:
    """The smaller of the sequence's own maximum and the owning column's type maximum."""
    limit = int(row.seqmax)
    column_max = TYPE_MAX.get(row.column_type or "")
    return min(limit, column_max) if column_max else limit


# The databases a server entry watches: those that accept connections, not templates.
DATABASES = sa.text("SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate")


def list_databases(dsn: Dsn | str, *, connect_timeout_s: float = 3.0, statement_timeout_s: float = 5.0) -> list[str]:
    """Every database of the DSN's server that accepts connections and is not a template, sorted; raises ProbeError
    when the server cannot be reached or read."""
    return list_databases_with(make_engine, dsn, DATABASES, connect_timeout_s, statement_timeout_s)


def probe_postgres(
    dsn: Dsn | str,
    thresholds: Thresholds,
    *,
    connect_timeout_s: float = 3.0,
    statement_timeout_s: float = 5.0,
    custom_checks: tuple[CustomCheck, ...] = (),
    deadline_at: float | None = None,
) -> ProbeData:
    """Read everything the checks need, then run the custom checks (before ``deadline_at``, monotonic); raises
    ProbeError when the server cannot be reached or is unsupported."""

    def read(connection: sa.Connection) -> ProbeData:
        probe = _read_postgres(connection, thresholds)
        if custom_checks:
            probe.custom = read_custom_checks(
                connection,
                custom_checks,
                start=_start_custom,
                execute=_execute_custom,
                statement_timeout_s=statement_timeout_s,
                deadline_at=deadline_at,
            )
        return probe

    return timed_probe(make_engine, dsn, connect_timeout_s, statement_timeout_s, read)


def _start_custom(cursor, timeout_s: float) -> None:
    """A READ ONLY transaction with the check's own statement timeout; SET LOCAL ends with it."""
    cursor.execute("BEGIN READ ONLY")
    cursor.execute(f"SET LOCAL statement_timeout = {max(int(timeout_s * 1000), 1)}")


def _execute_custom(cursor, sql: str) -> None:
    """As a prepared statement: the server itself refuses more than one command in it."""
    cursor.execute(sql, prepare=True)


def _read_postgres(connection: sa.Connection, thresholds: Thresholds) -> ProbeData:
    """The probe on its open connection: the server basics, then every group of queries."""
    basics = read_basics(lambda: connection.execute(BASICS).one())
    if basics.version_num < MIN_VERSION_NUM:
        raise ProbeError(
            f"PostgreSQL {basics.version} is not supported: the probe needs 10 or newer (13 or newer recommended)"
        )
    probe = ProbeData(
        engine="postgresql",
        version=f"PostgreSQL {basics.version}",
        version_num=basics.version_num,
        uptime_s=float(basics.uptime_s),
        connections_used=int(basics.in_use),
        connections_max=int(basics.max_connections - basics.reserved),
        is_replica=bool(basics.in_recovery),
    )
    _read_all(connection, probe, thresholds)
    return probe


def _read_all(connection: sa.Connection, probe: ProbeData, thresholds: Thresholds) -> None:
    """Each group of queries in turn; one that fails marks only its own checks unavailable."""
    _section(
        probe,
        ("idle_in_transaction", "long_running_queries", "blocked_sessions"),
        lambda: _read_sessions(connection, probe),
    )
    _section(probe, ("cache_hit_ratio",), lambda: _read_cache(connection, probe))
    _section(probe, ("replication_lag",), lambda: _read_replication(connection, probe))
    _section(probe, ("wraparound", "database_size"), lambda: _read_database(connection, probe))
    _section(probe, ("dead_tuples",), lambda: _read_tables(connection, probe))
    _section(probe, ("table_bloat",), lambda: _read_table_bloat(connection, probe))
    _section(probe, ("index_bloat",), lambda: _read_index_bloat(connection, probe))
    _section(probe, ("sequences",), lambda: _read_sequences(connection, probe))
    _section(probe, ("tablespaces",), lambda: _read_tablespaces(connection, probe))
    _section(probe, ("unused_indexes",), lambda: _read_unused(connection, probe, thresholds))
    _section(probe, ("duplicate_indexes", "invalid_indexes"), lambda: _read_indexes(connection, probe))
    _section(probe, ("slow_statements",), lambda: _read_statements(connection, probe))


def _read_sessions(connection: sa.Connection, probe: ProbeData) -> None:
    rows = connection.execute(SESSIONS, {"probe": PROBE_APPLICATION_NAME}).all()
    probe.sessions = [
        Session(
            pid=r.pid,
            user=r.usename,
            state=r.state or INSUFFICIENT_PRIVILEGE,
            query=INSUFFICIENT_PRIVILEGE if r.query == INSUFFICIENT_PRIVILEGE else truncate_query(r.query),
            query_seconds=None if r.query_s is None else float(r.query_s),
            state_seconds=None if r.state_s is None else float(r.state_s),
            wait=r.wait,
            blocked_by=tuple(r.blocked_by or ()),
        )
        for r in rows
    ]


def _read_cache(connection: sa.Connection, probe: ProbeData) -> None:
    row = connection.execute(CACHE).one()
    probe.cache_hits, probe.cache_reads = float(row.hits), float(row.reads)
    probe.cache_scope = "since statistics were reset (tables and their indexes)"


def _read_replication(connection: sa.Connection, probe: ProbeData) -> None:
    if probe.is_replica:
        row = connection.execute(REPLICA).one()
        probe.replica_receiving = bool(row.receiving)
        # Matching LSNs mean caught up only while WAL still arrives; a cut-off replica also "matches".
        probe.replica_lag_s = (
            0.0 if row.receiving and row.caught_up else (None if row.replay_age_s is None else float(row.replay_age_s))
        )
    else:
        probe.replicas = [
            ReplicaInfo(r.name, r.state, None if r.replay_lag_s is None else float(r.replay_lag_s))
            for r in connection.execute(PRIMARY_REPLICAS)
        ]
        probe.inactive_slots = list(connection.execute(INACTIVE_SLOTS).scalars())


def _read_database(connection: sa.Connection, probe: ProbeData) -> None:
    row = connection.execute(DATABASE).one()
    probe.database_xid_age, probe.database_size_bytes = int(row.xid_age), int(row.size_bytes)


def _read_tablespaces(connection: sa.Connection, probe: ProbeData) -> None:
    """Each tablespace's size, one statement each: one the role may not measure (it needs CREATE on it, or
    pg_read_all_stats) or whose directory cannot be read is that tablespace's "cannot tell", nothing else's."""
    sizes = []
    for row in connection.execute(TABLESPACES).all():
        try:
            size = connection.execute(TABLESPACE_SIZE, {"oid": row.oid}).scalar()
        except sa.exc.DBAPIError as error:
            sizes.append(TablespaceSize(row.spcname, None, explain_query_error(error)))
            continue
        unreadable = "" if size is not None else "the server reported no size (its directory is gone)"
        sizes.append(TablespaceSize(row.spcname, None if size is None else int(size), unreadable))
    probe.tablespaces = sizes


def _read_tables(connection: sa.Connection, probe: ProbeData) -> None:
    """Every table's statistics (never blocked by a lock), then sizes: measured for the tables nobody locks, the
    catalog's estimate for the others. A lock taken between the two reads costs that table its measured size only."""
    rows = connection.execute(TABLES).all()
    measured = _measured_sizes(connection, [r.relid for r in rows if not r.locked])
    tables = []
    for r in rows:
        locked, locked_by = bool(r.locked), r.locked_by
        if r.relid in measured and measured[r.relid] is not _LOCKED:
            size, source = measured[r.relid], SizeSource.MEASURED
        else:
            size, source = (None if r.estimated_bytes is None else int(r.estimated_bytes)), SizeSource.ESTIMATED
            if not locked:  # locked after the statistics were read: the size query ran into it
                locked, locked_by = True, connection.execute(TABLE_LOCKER, {"relid": r.relid}).scalar()
        tables.append(
            TableStats(
                r.name,
                None if size is None else int(size),
                r.n_live_tup,
                r.n_dead_tup,
                r.last_autovacuum,
                r.last_vacuum,
                bool(r.autovacuum_enabled),
                None if r.xid_age is None else int(r.xid_age),
                size_source=source,
                locked=locked,
                locked_by=None if locked_by is None else int(locked_by),
            )
        )
    probe.tables = tables


_LOCKED = object()  # a table whose size query ran past the lock timeout


def _measured_sizes(connection: sa.Connection, relids: list[int]) -> dict[int, object]:
    """``pg_total_relation_size`` per table: one statement for all; if a lock taken since (a race) makes it time out,
    one statement per table, so only the locked one goes without (``_LOCKED``). Autocommit: a failed statement
    spoils nothing after it."""
    if not relids:
        return {}
    try:
        return {r.relid: r.total_bytes for r in connection.execute(TABLE_SIZES, {"relids": relids})}
    except sa.exc.OperationalError as error:
        if not _is_lock_timeout(error):
            raise
    sizes: dict[int, object] = {}
    for relid in relids:
        try:
            sizes[relid] = connection.execute(TABLE_SIZE, {"relid": relid}).scalar()
        except sa.exc.OperationalError as error:
            if not _is_lock_timeout(error):
                raise
            sizes[relid] = _LOCKED
    return sizes


def _is_lock_timeout(error: sa.exc.DBAPIError) -> bool:
    """PostgreSQL's SQLSTATE 55P03 (lock_not_available): what ``lock_timeout`` raises."""
    return getattr(error.orig, "sqlstate", None) == "55P03"


def _table_no_estimate(r) -> str:
    """Why a table has no bloat estimate, or "" when it has one."""
    if r.reltuples < 0 or (not r.analysed and r.relpages == 0 and r.stats_columns == 0):
        return "no statistics: never analysed"
    if r.reltuples == 0:
        return ""  # analysed, and empty
    if r.stats_columns == 0:
        return (
            "no statistics: never analysed"
            if r.readable
            else "no statistics visible: the role needs SELECT on the table for pg_stats"
        )
    if r.stats_columns < r.columns:
        return f"no statistics for {r.columns - r.stats_columns} of {r.columns} columns: ANALYZE it"
    return ""


def _read_table_bloat(connection: sa.Connection, probe: ProbeData) -> None:
    relations, relids = [], {}
    for r in connection.execute(TABLE_BLOAT):
        relids[r.name] = r.relid
        locked_by = None if r.locked_by is None else int(r.locked_by)
        reason = _table_no_estimate(r)
        if reason:
            relations.append(RelationBloat(r.name, "table", None, None, no_estimate=reason, locked_by=locked_by))
            continue
        expected = expected_heap_pages(
            float(r.reltuples),
            float(r.data_width or 0),
            int(r.columns),
            bool(r.has_nulls),
            r.block_size,
            int(r.fillfactor),
        )
        relations.append(estimated_bloat(r.name, "table", int(r.relpages), expected, r.block_size, locked_by=locked_by))
    if connection.execute(HAS_PGSTATTUPLE).scalar():
        relations = _measure_with_pgstattuple(connection, relations, relids)
    probe.table_bloat = relations


def _measure_with_pgstattuple(connection: sa.Connection, relations: list[RelationBloat], relids: dict[str, int]):
    """The few tables with the most estimated waste, measured by pgstattuple (free plus dead space); a table that is
    locked, too big for the statement timeout or not permitted keeps its estimate and says why."""
    measured = sorted(
        (r for r in relations if r.wasted_bytes and r.locked_by is None), key=lambda r: -(r.wasted_bytes or 0)
    )[:PGSTATTUPLE_TABLES]
    updated = {}
    ends_at = time.monotonic() + PGSTATTUPLE_BUDGET_S
    try:
        for relation in measured:
            left_s = ends_at - time.monotonic()
            if (relation.size_bytes or 0) > PGSTATTUPLE_MAX_BYTES:
                note = f"not measured: larger than {format_bytes(PGSTATTUPLE_MAX_BYTES)} (a full scan)"
            elif left_s < 0.1:
                note = f"not measured: the {PGSTATTUPLE_BUDGET_S:g} s for pgstattuple were spent"
            else:
                connection.exec_driver_sql(f"SET statement_timeout = {int(left_s * 1000)}")
                try:
                    wasted = connection.execute(PGSTATTUPLE, {"relid": relids[relation.name]}).scalar()
                    updated[relation.name] = replace(relation, exact_wasted_bytes=int(wasted))
                    continue
                except sa.exc.DBAPIError as error:
                    note = f"not measured: {explain_query_error(error)}"
            updated[relation.name] = replace(relation, exact_note=note)
    finally:
        connection.exec_driver_sql("RESET statement_timeout")  # back to the session's own limit
    return [updated.get(r.name, r) for r in relations]


def _read_index_bloat(connection: sa.Connection, probe: ProbeData) -> None:
    relations = []
    for r in connection.execute(INDEX_BLOAT):
        locked_by = None if r.locked_by is None else int(r.locked_by)
        extra = {"table": r.table_name, "locked_by": locked_by}
        if r.reltuples < 0:
            reason = "no statistics: never analysed"
        elif r.has_expressions:
            reason = "expression index: no column statistics to estimate from"
        elif r.reltuples > 0 and r.stats_columns < r.key_columns:
            reason = (
                "no statistics visible: the role needs SELECT on the table for pg_stats"
                if r.stats_columns == 0 and not r.readable
                else f"no statistics for {r.key_columns - r.stats_columns} of its {r.key_columns} columns: "
                "ANALYZE the table"
            )
        else:
            reason = ""
        if reason:
            relations.append(RelationBloat(r.name, "index", None, None, no_estimate=reason, **extra))
            continue
        expected = expected_btree_pages(
            float(r.reltuples), float(r.key_width), bool(r.has_nulls), r.block_size, int(r.fillfactor)
        )
        relations.append(estimated_bloat(r.name, "index", int(r.relpages), expected, r.block_size, **extra))
    probe.index_bloat = relations


def _read_sequences(connection: sa.Connection, probe: ProbeData) -> None:
    probe.sequences = [
        SequenceUsage(
            r.name,
            None if r.last_value is None else int(r.last_value),
            _sequence_max(r),
            r.column_name,
            r.column_type or r.sequence_type,
            hidden=not r.readable,
            locked=bool(r.locked),
            locked_by=None if r.locked_by is None else int(r.locked_by),
        )
        for r in connection.execute(SEQUENCES)
        if r.seqincrement > 0
    ]


def _locked_definition(r) -> str:
    """What stands for the definition of an index whose table is locked: deparsing it would wait for the lock."""
    who = "" if r.locked_by is None else f" by pid {r.locked_by}"
    return f"(definition not read: {r.table_name} is locked{who})"


def _read_unused(connection: sa.Connection, probe: ProbeData, thresholds: Thresholds) -> None:
    probe.unused_indexes = [
        IndexInfo(
            r.name,
            r.table_name,
            int(r.size_bytes),
            int(r.idx_scan),
            _locked_definition(r) if r.locked else r.definition,
        )
        for r in connection.execute(UNUSED_INDEXES, {"min_bytes": int(thresholds.unused_index_min_bytes)})
    ]


def _read_indexes(connection: sa.Connection, probe: ProbeData) -> None:
    """Invalid indexes, and redundant ones among the indexes of tables nobody locks (a locked table's index
    expressions and predicates cannot be read without waiting, so its indexes are not compared)."""
    rows = connection.execute(INDEXES).all()
    probe.invalid_indexes = [
        IndexInfo(r.name, r.table_name, int(r.size_bytes), None, _locked_definition(r) if r.locked else r.definition)
        for r in rows
        if not r.indisvalid and not r.being_built
    ]
    definitions = [
        IndexDefinition(
            r.name,
            r.table_name,
            tuple(r.columns.split()),
            r.amname,
            tuple(r.opclasses.split()),
            r.expressions,
            r.predicate,
            r.indisunique,
            r.indisprimary,
            int(r.size_bytes),
            r.definition,
        )
        for r in rows
        if r.indisvalid and not r.locked
    ]
    probe.duplicate_indexes = redundant_indexes(definitions)


def _read_statements(connection: sa.Connection, probe: ProbeData) -> None:
    if not connection.execute(HAS_PG_STAT_STATEMENTS).scalar():
        probe.not_available["slow_statements"] = (
            "pg_stat_statements is not installed in this database (shared_preload_libraries + CREATE EXTENSION)"
        )
        return
    top = list(connection.execute(statements_query(probe.version_num or 0)))
    probe.statements = [statement_row(r.queryid, r.calls, r.total_ms, r.rows, r.query) for r in top[:10]]
    reset_at = (
        connection.execute(STATEMENTS_RESET_AT).scalar() if connection.execute(HAS_STATEMENTS_INFO).scalar() else None
    )
    probe.statement_counters = [
        statement_counter(r.queryid, r.calls, r.total_ms, r.rows, r.query, reset_at) for r in top
    ]
