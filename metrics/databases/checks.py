"""Database health checks: pure functions from what a probe read (``ProbeData``) to a status per check.

Statuses, from best to worst: ``ok``, ``info``, ``unknown``, ``warn``, ``critical``. A database's status is the worst
of its checks, so a check that could not be read (``unknown``: not configured, no privilege) is never mistaken for a
healthy one, yet never outranks a real warning. Defaults are DESIGN.md's "Database health reference"; every
threshold can be overridden per database in ``config/databases.toml`` (the field names of ``Thresholds``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from metrics.formatting import format_bytes, format_duration, format_percent

if TYPE_CHECKING:
    from metrics.databases.bloat import RelationBloat
    from metrics.databases.custom import CustomReading

OK, INFO, UNKNOWN, WARN, CRITICAL = "ok", "info", "unknown", "warn", "critical"
STATUS_ORDER = (OK, INFO, UNKNOWN, WARN, CRITICAL)
_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}
INSUFFICIENT_PRIVILEGE = "<insufficient privilege>"
ENGINES = ("postgresql", "mysql", "mariadb")
XID_SPACE = 2**31  # transaction IDs before wraparound
QUERY_TEXT_LIMIT = 300  # characters of query text kept in items: enough to recognise, short enough to read

CHECK_IDS = (
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
    "reclaimable_space",
    "sequences",
    "unused_indexes",
    "duplicate_indexes",
    "invalid_indexes",
    "database_size",
    "slow_statements",
    "dba_records",
    "capacity_forecast",
)
# Checks that have no meaning on MySQL/MariaDB (no MVCC xid, no dead tuples, no invalid index state).
POSTGRES_ONLY_CHECKS = ("wraparound", "dead_tuples", "table_bloat", "index_bloat", "invalid_indexes")
# MySQL/MariaDB's nearest to a bloat estimate: InnoDB's DATA_FREE, space a table holds that no row uses.
MYSQL_ONLY_CHECKS = ("reclaimable_space",)

CHECK_TITLES = {
    "up": "Up",
    "connections": "Connections in use",
    "idle_in_transaction": "Idle in transaction",
    "cache_hit_ratio": "Cache hit ratio",
    "long_running_queries": "Long-running queries",
    "blocked_sessions": "Blocked sessions",
    "replication_lag": "Replication",
    "wraparound": "Transaction ID wraparound",
    "dead_tuples": "Dead tuples",
    "table_bloat": "Table bloat (estimate)",
    "index_bloat": "Index bloat (estimate)",
    "reclaimable_space": "Reclaimable space (DATA_FREE)",
    "sequences": "Sequences near exhaustion",
    "unused_indexes": "Unused indexes",
    "duplicate_indexes": "Duplicate indexes",
    "invalid_indexes": "Invalid indexes",
    "database_size": "Size and growth",
    "slow_statements": "Slow statements",
    "dba_records": "DBA records",
    "capacity_forecast": "Capacity forecast",
}


@dataclass(frozen=True)
class CheckGuide:
    """What a check means and what a DBA does about it, with the documentation page to read (its name, so nothing is
    fetched; ``postgresql``/``mariadb`` are the pages' names in each manual, "" where the engine has none)."""

    meaning: str
    action: str
    postgresql: str = ""
    mariadb: str = ""

    @property
    def docs(self) -> str:
        """ "PostgreSQL docs: Routine Vacuuming (routine-vacuuming) · MariaDB docs: OPTIMIZE TABLE"."""
        names = [("PostgreSQL docs", self.postgresql), ("MariaDB docs", self.mariadb)]
        return " · ".join(f"{manual}: {page}" for manual, page in names if page)


CHECK_GUIDES: dict[str, CheckGuide] = {
    "up": CheckGuide(
        "The server accepts the probe's connection and answers a query; down means every application on it fails.",
        "Check the server process, its log, disk space and the network path; fail over if the primary stays down.",
        "Server Setup and Operation (runtime)",
        "Troubleshooting Connection Issues",
    ),
    "connections": CheckGuide(
        "Share of the connections ordinary users may open (max_connections less the reserved ones) now in use; at "
        "100 % new sessions are refused.",
        "Find idle or leaked sessions (pg_stat_activity / SHOW PROCESSLIST), cap the application's pools, put a "
        "pooler (PgBouncer, ProxySQL) in front before raising max_connections.",
        "Connections and Authentication (runtime-config-connection)",
        "Server System Variables: max_connections",
    ),
    "idle_in_transaction": CheckGuide(
        "Sessions that opened a transaction and stopped sending statements: they hold their locks and keep vacuum "
        "(PostgreSQL) or purge (InnoDB) from removing old row versions.",
        "Fix the application to commit or roll back; terminate an abandoned session (pg_terminate_backend / KILL); "
        "set idle_in_transaction_session_timeout.",
        "Client Connection Defaults: idle_in_transaction_session_timeout (runtime-config-client)",
        "InnoDB Purge",
    ),
    "cache_hit_ratio": CheckGuide(
        "Share of block reads served from shared buffers / the InnoDB buffer pool rather than disk; a falling ratio "
        "means the working set no longer fits in memory.",
        "Look for new sequential scans and missing indexes first; then size shared_buffers / "
        "innodb_buffer_pool_size to the working set.",
        "The Cumulative Statistics System (monitoring-stats)",
        "InnoDB Buffer Pool",
    ),
    "long_running_queries": CheckGuide(
        "Statements running for longer than the threshold: they hold locks and snapshots and may be runaway.",
        "EXPLAIN the statement, look for a missing index or a bad plan; cancel it (pg_cancel_backend / KILL QUERY) "
        "if it is runaway; set statement_timeout / max_statement_time.",
        "Using EXPLAIN (using-explain)",
        "KILL [CONNECTION | QUERY]",
    ),
    "blocked_sessions": CheckGuide(
        "Sessions waiting for a lock another session holds; the root blocker is usually a long or abandoned "
        "transaction, or DDL waiting behind one.",
        "Look at what the root blocker runs; end its transaction (commit, or terminate it) if it is stuck; run DDL "
        "with a lock_timeout.",
        "Explicit Locking (explicit-locking)",
        "Metadata Locking",
    ),
    "replication_lag": CheckGuide(
        "How far a replica is behind its primary (a stopped replica only looks caught up), and on a primary the "
        "replicas attached and replication slots nobody reads, which keep WAL until the disk fills.",
        "Check the replica's connection and error log, long queries and I/O on it; drop a slot no replica will use "
        "again (pg_drop_replication_slot).",
        "Log-Shipping Standby Servers (warm-standby)",
        "Replication Overview",
    ),
    "wraparound": CheckGuide(
        "Age of the oldest unfrozen transaction ID against the 2^31 ID space; at the end PostgreSQL stops accepting "
        "writes to protect the data.",
        "Run VACUUM (FREEZE) on the oldest tables, find what blocks autovacuum (long transactions, prepared "
        "transactions, inactive slots) and tune autovacuum_freeze_max_age.",
        "Routine Vacuuming: Preventing Transaction ID Wraparound Failures (routine-vacuuming)",
    ),
    "dead_tuples": CheckGuide(
        "Row versions deleted or updated but not yet vacuumed, against the live rows; many dead rows slow scans and "
        "grow the table.",
        "Run VACUUM (ANALYZE) on the table; check autovacuum is on for it and keeping up (autovacuum_vacuum_scale_"
        "factor, cost limits), and look for long transactions holding it back.",
        "Routine Vacuuming (routine-vacuuming)",
    ),
    "table_bloat": CheckGuide(
        "Estimated space in a table holding no live row (from pg_stats); vacuum makes it reusable but gives it back "
        "to the disk only when it is at the end of the table.",
        "Let VACUUM keep up; to give the space back rewrite the table (pg_repack without a long lock, or VACUUM FULL "
        "in a maintenance window).",
        "Routine Vacuuming: Recovering Disk Space (routine-vacuuming)",
    ),
    "index_bloat": CheckGuide(
        "Estimated space in a btree index holding no live entry; a bloated index is larger and slower to scan.",
        "Rebuild the index with REINDEX INDEX CONCURRENTLY (PostgreSQL 12+), or pg_repack.",
        "REINDEX (sql-reindex)",
    ),
    "reclaimable_space": CheckGuide(
        "Space InnoDB allocated to a table that holds no row (DATA_FREE): free extents after deletes and purge.",
        "Rebuild the table with OPTIMIZE TABLE (an online ALTER TABLE ... FORCE for InnoDB) in a quiet hour; check "
        "innodb_file_per_table, as the shared tablespace never shrinks.",
        mariadb="OPTIMIZE TABLE",
    ),
    "sequences": CheckGuide(
        "How much of its column type's range a sequence or AUTO_INCREMENT has used; at the end every insert fails.",
        "Widen the column to bigint (ALTER TABLE ... ALTER COLUMN ... TYPE bigint, then ALTER SEQUENCE ... AS "
        "bigint) well before; plan the rewrite for a large table.",
        "CREATE SEQUENCE (sql-createsequence)",
        "AUTO_INCREMENT",
    ),
    "unused_indexes": CheckGuide(
        "Indexes no query has used since statistics were reset: they cost disk and every write, for nothing.",
        "Confirm on every replica and over a full business cycle, then DROP INDEX CONCURRENTLY (or ALTER TABLE ... "
        "DROP INDEX); keep those that enforce uniqueness.",
        "Examining Index Usage (indexes-examine)",
        "sys.schema_unused_indexes",
    ),
    "duplicate_indexes": CheckGuide(
        "Indexes whose columns are a prefix of another index on the same table: the longer one serves the same "
        "queries.",
        "Drop the shorter duplicate after checking it enforces no constraint the other does not.",
        "Multicolumn Indexes (indexes-multicolumn)",
        "Getting Started with Indexes",
    ),
    "invalid_indexes": CheckGuide(
        "Indexes left invalid by a failed CREATE INDEX CONCURRENTLY or REINDEX: queries ignore them, writes still "
        "maintain them.",
        "Drop and recreate them (DROP INDEX CONCURRENTLY, then CREATE INDEX CONCURRENTLY), or REINDEX INDEX "
        "CONCURRENTLY.",
        "CREATE INDEX: Building Indexes Concurrently (sql-createindex)",
    ),
    "database_size": CheckGuide(
        "The database's size on disk and its growth over 7 days, against the size and growth limits set for it.",
        "Find the tables that grew (the tables tab), archive or partition old data, and plan disk before the limit.",
        "Determining Disk Usage (disk-usage)",
        "Information Schema TABLES Table",
    ),
    "slow_statements": CheckGuide(
        "The statements that took the most total time since statistics were last reset (pg_stat_statements, "
        "performance_schema digests): where the server's time goes.",
        "EXPLAIN (ANALYZE, BUFFERS) the top statements; add indexes or rewrite them; informational, never an alarm.",
        "pg_stat_statements (pgstatstatements)",
        "Performance Schema events_statements_summary_by_digest Table",
    ),
    "dba_records": CheckGuide(
        "Whether the things no probe sees were done recently enough: a verified backup, a restore drill, a "
        "failover test.",
        "Do the overdue task (restore a backup somewhere, run the drill) and record it on the DBA records page.",
        "Backup and Restore (backup)",
        "Backup and Restore Overview",
    ),
    "capacity_forecast": CheckGuide(
        "When the database's disk fills (its disk_size from databases.toml), when a PostgreSQL tablespace's disk "
        "fills (tablespace_disk_size) and when a sequence reaches its column type's maximum, from a least-squares "
        "line through the snapshots of the last 28 days.",
        "Before the date: add disk or free space (drop unused indexes, archive old data, reclaim bloat), or widen "
        "the sequence's column to bigint.",
        "Determining Disk Usage (disk-usage)",
        "AUTO_INCREMENT",
    ),
}


def worst(statuses) -> str:
    """The worst status of several; ``ok`` for none."""
    return max(statuses, key=lambda status: _RANK[status], default=OK)


def needs_attention(status: str) -> bool:
    """warn or critical: what makes the CLI exit 1 and the tracker's database trigger fire."""
    return status in (WARN, CRITICAL)


# --- thresholds -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """Warn/critical limits; the field names are the keys of ``[databases.thresholds]`` in databases.toml."""

    connections_warn: float = 0.75  # share of usable connections (max_connections - reserved)
    connections_critical: float = 0.90
    idle_in_transaction_warn_s: float = 300
    idle_in_transaction_critical_s: float = 1800
    cache_hit_warn: float = 0.99  # below this ratio
    cache_hit_critical: float = 0.95
    cache_hit_min_reads: float = 10_000  # fewer block requests than this: too little traffic to judge
    long_query_warn_s: float = 60
    long_query_critical_s: float = 300
    blocked_warn: float = 1  # blocked sessions
    blocked_critical: float = 5
    replication_lag_warn_s: float = 5
    replication_lag_critical_s: float = 60
    wraparound_warn: float = 0.50  # share of 2^31 transaction IDs
    wraparound_critical: float = 0.80
    dead_tuples_ratio: float = 0.20  # dead / live
    dead_tuples_min_rows: float = 10_000  # live rows; smaller tables are vacuumed cheaply anyway
    sequence_warn: float = 0.75  # share of the column type's maximum
    sequence_critical: float = 0.90
    unused_index_min_bytes: float = 10 * 1024 * 1024
    bloat_warn_ratio: float = 0.5  # estimated wasted share of a table's or index's size (MySQL: DATA_FREE / size)
    bloat_critical_ratio: float = 0.75
    bloat_min_wasted_bytes: float = 100_000_000  # bytes (100 MB); less waste than this never warns, whatever the ratio
    database_size_warn_bytes: float | None = None  # no size limit unless set
    database_size_critical_bytes: float | None = None
    growth_7d_warn: float | None = None  # relative growth over 7 days, e.g. 0.2 = +20 %
    growth_7d_critical: float | None = None
    forecast_warn_days: float = 30  # the disk or a sequence runs out within this many days (capacity forecast)
    forecast_critical_days: float = 7

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


DEFAULT_THRESHOLDS = Thresholds()

# DBA record kinds and how often each must be renewed (days); None = no expectation (notes, windows).
RECORD_KINDS = ("backup_verified", "restore_drill", "failover_test", "maintenance_window", "capacity_note")
RECORD_KIND_LABELS = {
    "backup_verified": "backup verified",
    "restore_drill": "restore drill",
    "failover_test": "failover test",
    "maintenance_window": "maintenance window",
    "capacity_note": "capacity note",
}
DEFAULT_RECORD_INTERVAL_DAYS: dict[str, int | None] = {
    "backup_verified": 7,
    "restore_drill": 90,
    "failover_test": 180,
    "maintenance_window": None,
    "capacity_note": None,
}


# --- what a probe reads -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    """A server session as the probe saw it; ``query`` is already truncated plain text."""

    pid: int
    user: str | None
    state: str  # "active", "idle in transaction", "Query", "Sleep"...
    query: str
    query_seconds: float | None = None  # since the current statement started
    state_seconds: float | None = None  # since the state last changed (idle in transaction: how long idle)
    wait: str | None = None
    blocked_by: tuple[int, ...] = ()


class SizeSource(StrEnum):
    """Where a table's size comes from: read from the server, or estimated from the catalog because the table was
    locked (reading its real size would wait for that lock and, past the probe's lock timeout, fail)."""

    MEASURED = "measured"
    ESTIMATED = "estimated"


@dataclass(frozen=True)
class TableStats:
    """One table's statistics. A table locked by another session still has its row counts and vacuum times (they
    come from statistics views that take no lock); only its size may be an estimate (``size_source``), and
    ``locked_by`` names the session holding or awaiting the conflicting lock when the probe could tell."""

    name: str  # schema.table
    total_bytes: int | None = None
    live_rows: int | None = None
    dead_rows: int | None = None
    last_autovacuum: datetime | None = None
    last_vacuum: datetime | None = None
    autovacuum_enabled: bool = True
    xid_age: int | None = None
    size_source: SizeSource = SizeSource.MEASURED
    locked: bool = False  # another session holds (or waits for) a lock that blocks reading this table's size
    locked_by: int | None = None  # that session's pid / thread id, when the server says

    @property
    def size_estimated(self) -> bool:
        return self.size_source is SizeSource.ESTIMATED


def table_size_text(table: TableStats) -> str:
    """A table's size for people: ``12 MiB``; an estimate reads ``≈ 12 MiB (estimate: locked by pid 4242)``; a locked
    table whose size the server still reported says so (``12 MiB (locked by pid 4242)``); a locked table with no
    estimate either (never analysed) reads ``not read (locked by pid 4242)``."""
    who = "locked" if table.locked_by is None else f"locked by pid {table.locked_by}"
    if not table.size_estimated:
        size = format_bytes(table.total_bytes)
        return f"{size} ({who})" if table.locked else size
    reason = who if table.locked else "catalog"
    if table.total_bytes is None:
        return f"not read ({reason})"
    return f"≈ {format_bytes(table.total_bytes)} (estimate: {reason})"


@dataclass(frozen=True)
class SequenceUsage:
    name: str
    last_value: int | None  # None: never used, or hidden (see ``hidden``)
    max_value: int
    column: str | None = None  # owning table.column
    column_type: str | None = None
    hidden: bool = False  # no privilege to read it
    locked: bool = False  # another session holds (or waits for) an exclusive lock on it: not read
    locked_by: int | None = None


@dataclass(frozen=True)
class TablespaceSize:
    """A PostgreSQL tablespace's size on disk; ``size_bytes`` None with ``unreadable`` saying why (that item only)."""

    name: str
    size_bytes: int | None
    unreadable: str = ""


@dataclass(frozen=True)
class IndexInfo:
    name: str
    table: str
    size_bytes: int | None = None
    scans: int | None = None
    definition: str = ""
    duplicate_of: str | None = None


@dataclass(frozen=True)
class ReplicaInfo:
    name: str
    state: str | None
    replay_lag_s: float | None


@dataclass
class ProbeData:
    """Everything one probe read from one database. ``None`` means "not read"; ``unavailable`` says why per check."""

    engine: str
    version: str
    version_num: int | None = None
    uptime_s: float | None = None
    connections_used: int | None = None
    connections_max: int | None = None  # usable by ordinary users
    sessions: list[Session] | None = None  # sessions of this database, not the probe's own
    cache_hits: float | None = None
    cache_reads: float | None = None
    cache_scope: str = ""  # what the ratio covers, e.g. "since statistics reset" or "since server start"
    is_replica: bool | None = None
    replica_lag_s: float | None = None
    replica_receiving: bool | None = None  # a replica's WAL receiver / IO thread is running
    replica_applying: bool | None = None  # SQL thread running (MySQL)
    replicas: list[ReplicaInfo] | None = None  # on a primary
    inactive_slots: list[str] | None = None
    database_xid_age: int | None = None
    tables: list[TableStats] | None = None
    sequences: list[SequenceUsage] | None = None
    unused_indexes: list[IndexInfo] | None = None
    duplicate_indexes: list[IndexInfo] | None = None
    invalid_indexes: list[IndexInfo] | None = None
    table_bloat: list[RelationBloat] | None = None  # PostgreSQL: estimated per table
    index_bloat: list[RelationBloat] | None = None  # PostgreSQL: estimated per index
    reclaimable_space: list[RelationBloat] | None = None  # MySQL/MariaDB: DATA_FREE per table
    database_size_bytes: int | None = None
    tablespaces: list[TablespaceSize] | None = None  # PostgreSQL only (pg_global left out); None: not read
    statements: list[dict[str, Any]] | None = None
    # the top statements' cumulative counters (statement_key, query_text, calls, total_time_ms, rows): the history
    statement_counters: list[dict[str, Any]] | None = None
    unavailable: dict[str, str] = field(default_factory=dict)  # check id -> why it could not be read (unknown)
    not_available: dict[str, str] = field(default_factory=dict)  # check id -> feature the server lacks (info)
    duration_s: float | None = None
    custom: dict[str, CustomReading] | None = None  # custom check name -> what its query returned


@dataclass(frozen=True)
class DbaRecord:
    """A DBA's entry: what no probe can see. Entries are never overwritten; the newest per kind counts."""

    database: str
    kind: str
    done_on: date
    recorded_by: str
    outcome: str = "ok"
    notes: str = ""
    link: str = ""
    recorded_at: datetime | None = None
    id: int | None = None
    withdrawn_at: datetime | None = None  # taken back (a mistake); kept, shown struck through, no longer counts
    withdrawn_by: str | None = None
    withdrawal_reason: str | None = None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


# --- results ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    id: str
    status: str
    value: float | str | None
    detail: str
    action: str = ""
    items: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""  # a custom check's own title (built-in checks take theirs from CHECK_TITLES)

    def to_dict(self) -> dict[str, Any]:
        result = {
            "id": self.id,
            "status": self.status,
            "value": self.value,
            "detail": self.detail,
            "action": self.action,
            "items": self.items,
        }
        if self.title:
            result["title"] = self.title
        return result


class ProbeState(StrEnum):
    """Whether a database's probe ran: it answered, it was never tried (no DSN or source), or it failed."""

    ANSWERED = "answered"
    NOT_CONFIGURED = "not configured"
    FAILED = "failed"


@dataclass
class DatabaseHealth:
    """One database's health: every check, the worst status, and the probe's raw numbers for the drill-down."""

    database: str
    engine: str
    status: str
    checks: list[CheckResult]
    probed_at: datetime | None
    error: str | None = None
    environment: str = ""
    role: str = ""
    owner: str = ""
    source: str = "sql"
    probe: ProbeData | None = None
    probe_state: ProbeState = ProbeState.ANSWERED
    server: str = ""  # a server entry's name for a database it found, else host:port from the DSN ("" unknown)

    def check(self, check_id: str) -> CheckResult | None:
        return next((c for c in self.checks if c.id == check_id), None)

    @property
    def attention(self) -> list[CheckResult]:
        """Checks that are not ok, worst first."""
        return sorted((c for c in self.checks if c.status != OK), key=lambda c: -_RANK[c.status])

    def to_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "engine": self.engine,
            "status": self.status,
            "environment": self.environment,
            "role": self.role,
            "owner": self.owner,
            "source": self.source,
            "probed_at": None if self.probed_at is None else self.probed_at.isoformat(),
            "error": self.error,
            "checks": [c.to_dict() for c in self.checks],
        }


def truncate_query(text: str | None, limit: int = QUERY_TEXT_LIMIT) -> str:
    """Query text on one line, at most ``limit`` characters: shown as text, never rendered."""
    if text is None:
        return ""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _level(value: float, warn: float | None, critical: float | None) -> str:
    if critical is not None and value >= critical:
        return CRITICAL
    if warn is not None and value >= warn:
        return WARN
    return OK


def _unavailable(check_id: str, probe: ProbeData, default: str = "not read by this probe") -> CheckResult:
    if check_id in probe.not_available:
        return CheckResult(check_id, INFO, None, f"not available: {probe.not_available[check_id]}")
    reason = probe.unavailable.get(check_id, default)
    return CheckResult(
        check_id,
        UNKNOWN,
        None,
        f"cannot tell: {reason}",
        "Grant the probe's role pg_monitor (PostgreSQL) or PROCESS (MySQL/MariaDB)"
        if INSUFFICIENT_PRIVILEGE in reason
        else "",
    )


def _hidden_sessions(probe: ProbeData) -> list[Session]:
    """Sessions of other users whose state and query the probe's role may not read."""
    return [s for s in probe.sessions or [] if s.state == INSUFFICIENT_PRIVILEGE]


def _hidden_note(hidden: list[Session]) -> str:
    return (
        f"; {len(hidden)} other session(s) hidden: {INSUFFICIENT_PRIVILEGE} "
        "(grant the probe's role pg_monitor to see them)"
    )


def _session_item(session: Session, seconds: float | None) -> dict[str, Any]:
    return {
        "pid": session.pid,
        "user": session.user,
        "state": session.state,
        "seconds": _round(seconds),
        "duration": format_duration(None if seconds is None else timedelta(seconds=seconds)),
        "query": truncate_query(session.query),
        "wait": session.wait,
    }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


# --- the checks -------------------------------------------------------------------------------------------------------


def check_up(probe: ProbeData) -> CheckResult:
    uptime = "" if probe.uptime_s is None else f", up {format_duration(timedelta(seconds=probe.uptime_s))}"
    return CheckResult("up", OK, probe.version, f"answers: {probe.version}{uptime}")


def check_connections(probe: ProbeData, t: Thresholds) -> CheckResult:
    if probe.connections_used is None or not probe.connections_max:
        return _unavailable("connections", probe)
    share = probe.connections_used / probe.connections_max
    status = _level(share, t.connections_warn, t.connections_critical)
    return CheckResult(
        "connections",
        status,
        round(share, 4),
        f"{probe.connections_used} of {probe.connections_max} usable connections in use ({format_percent(share, 0)})",
        "" if status == OK else "Find idle or leaked connections; put a pooler (PgBouncer, ProxySQL) in front",
    )


def check_idle_in_transaction(probe: ProbeData, t: Thresholds) -> CheckResult:
    if probe.sessions is None:
        return _unavailable("idle_in_transaction", probe)
    idle = [s for s in probe.sessions if s.state.startswith("idle in transaction")]
    hidden = _hidden_sessions(probe)
    flagged = [s for s in idle if (s.state_seconds or 0) >= t.idle_in_transaction_warn_s]
    longest = max((s.state_seconds or 0 for s in idle), default=0.0)
    status = _level(longest, t.idle_in_transaction_warn_s, t.idle_in_transaction_critical_s) if flagged else OK
    items = [_session_item(s, s.state_seconds) for s in sorted(idle, key=lambda s: -(s.state_seconds or 0))]
    if not idle:
        detail = "no session idle in a transaction"
    else:
        detail = f"{len(idle)} session(s) idle in a transaction, longest {format_duration(timedelta(seconds=longest))}"
    action = (
        ""
        if status == OK
        else (
            "Commit or roll back in the application; terminate the session if it is "
            "abandoned (it holds locks and stops vacuum)"
        )
    )
    if hidden:
        detail += _hidden_note(hidden)
        status = worst([status, UNKNOWN])
        action = action or "Grant the probe's role pg_monitor"
    return CheckResult("idle_in_transaction", status, _round(longest), detail, action, items)


def check_long_running_queries(probe: ProbeData, t: Thresholds) -> CheckResult:
    if probe.sessions is None:
        return _unavailable("long_running_queries", probe)
    running = [s for s in probe.sessions if not s.state.startswith("idle") and s.query_seconds is not None]
    running.sort(key=lambda s: -(s.query_seconds or 0))
    longest_seconds = (running[0].query_seconds or 0.0) if running else 0.0
    longest = round(longest_seconds, 1)  # for people; the status and the items judge the unrounded time
    status = _level(longest_seconds, t.long_query_warn_s, t.long_query_critical_s)
    over = [s for s in running if (s.query_seconds or 0) >= t.long_query_warn_s]
    detail = (
        f"{len(over)} query(ies) running over {format_duration(timedelta(seconds=t.long_query_warn_s))}, "
        f"longest {format_duration(timedelta(seconds=longest or 0))}"
        if over
        else f"longest running query {format_duration(timedelta(seconds=longest or 0))}"
        if running
        else "no query running"
    )
    action = "" if status == OK else "Check the plan (EXPLAIN); cancel the query if it is runaway"
    hidden = _hidden_sessions(probe)
    if hidden:
        detail += _hidden_note(hidden)
        status = worst([status, UNKNOWN])
        action = action or "Grant the probe's role pg_monitor"
    return CheckResult(
        "long_running_queries",
        status,
        _round(longest),
        detail,
        action,
        [_session_item(s, s.query_seconds) for s in over],
    )


def check_blocked_sessions(probe: ProbeData, t: Thresholds) -> CheckResult:
    if probe.sessions is None:
        return _unavailable("blocked_sessions", probe)
    blocked = [s for s in probe.sessions if s.blocked_by]
    status = _level(len(blocked), t.blocked_warn, t.blocked_critical)
    by_pid = {s.pid: s for s in probe.sessions}
    items = []
    for s in blocked:
        item = _session_item(s, s.query_seconds)
        item["blocked_by"] = list(s.blocked_by)
        items.append(item)
    roots = sorted({pid for s in blocked for pid in s.blocked_by if not (by_pid.get(pid) and by_pid[pid].blocked_by)})
    detail = (
        f"{len(blocked)} session(s) waiting for a lock held by session(s) {', '.join(map(str, roots))}"
        if blocked
        else "no session waits for a lock"
    )
    return CheckResult(
        "blocked_sessions",
        status,
        len(blocked),
        detail,
        ""
        if status == OK
        else "Look at what the blocking session does; end its transaction (commit, or terminate it) if it is stuck",
        items,
    )


def check_cache_hit_ratio(probe: ProbeData, t: Thresholds) -> CheckResult:
    if probe.cache_hits is None or probe.cache_reads is None:
        return _unavailable("cache_hit_ratio", probe)
    requests = probe.cache_hits + probe.cache_reads
    scope = f" {probe.cache_scope}" if probe.cache_scope else ""
    if requests < t.cache_hit_min_reads:
        ratio = probe.cache_hits / requests if requests else None
        return CheckResult(
            "cache_hit_ratio",
            INFO,
            None if ratio is None else round(ratio, 6),
            f"too little traffic to judge: {requests:.0f} block requests{scope} "
            f"(fewer than {t.cache_hit_min_reads:.0f})",
        )
    ratio = probe.cache_hits / requests
    status = CRITICAL if ratio < t.cache_hit_critical else WARN if ratio < t.cache_hit_warn else OK
    return CheckResult(
        "cache_hit_ratio",
        status,
        round(ratio, 6),
        f"{format_percent(ratio, 2)} of block requests served from memory{scope}",
        ""
        if status == OK
        else "The working set no longer fits: look for new sequential scans, "
        "or give the buffer pool / shared_buffers more memory",
    )


def check_replication_lag(probe: ProbeData, t: Thresholds, role: str = "") -> CheckResult:
    if probe.is_replica is None:
        return _unavailable("replication_lag", probe)
    if probe.is_replica:
        stopped = probe.replica_receiving is False or probe.replica_applying is False
        if stopped:
            return CheckResult(
                "replication_lag",
                CRITICAL,
                None,
                "replication is stopped: the replica receives or applies nothing, so it only looks caught up",
                "Check the replica's connection to its primary and its error log",
            )
        if probe.replica_lag_s is None:
            return CheckResult(
                "replication_lag",
                UNKNOWN,
                None,
                "replica lag cannot be measured yet (no transaction replayed since start)",
            )
        status = _level(probe.replica_lag_s, t.replication_lag_warn_s, t.replication_lag_critical_s)
        return CheckResult(
            "replication_lag",
            status,
            _round(probe.replica_lag_s, 3),
            f"replica is {format_duration(timedelta(seconds=probe.replica_lag_s))} behind its primary",
            ""
            if status == OK
            else "Look for long queries or I/O pressure on the replica, and for write bursts on the primary",
        )
    replicas = probe.replicas or []
    slots = probe.inactive_slots or []
    lags = [r.replay_lag_s for r in replicas if r.replay_lag_s is not None]
    worst_lag = max(lags, default=0.0)
    status = _level(worst_lag, t.replication_lag_warn_s, t.replication_lag_critical_s)
    items = [{"replica": r.name, "state": r.state, "replay_lag_s": _round(r.replay_lag_s, 3)} for r in replicas]
    items += [{"slot": slot, "state": "inactive"} for slot in slots]
    parts = [
        f"{len(replicas)} replica(s) attached"
        + (f", worst replay lag {format_duration(timedelta(seconds=worst_lag))}" if lags else "")
    ]
    if slots:
        status = worst([status, WARN])
        parts.append(f"{len(slots)} inactive replication slot(s) keep WAL: {', '.join(slots)}")
    if role == "replica":
        status = worst([status, WARN])
        parts.append("configured as a replica but the server is a primary (failed over?)")
    return CheckResult(
        "replication_lag",
        status,
        _round(worst_lag, 3),
        "; ".join(parts),
        "" if status == OK else "Drop slots no replica uses any more; check lagging replicas",
        items,
    )


def check_wraparound(probe: ProbeData, t: Thresholds) -> CheckResult:
    if probe.database_xid_age is None:
        return _unavailable("wraparound", probe)
    share = probe.database_xid_age / XID_SPACE
    status = _level(share, t.wraparound_warn, t.wraparound_critical)
    oldest = sorted((tb for tb in probe.tables or [] if tb.xid_age is not None), key=lambda tb: -(tb.xid_age or 0))[:10]
    items = [{"table": tb.name, "xid_age": tb.xid_age, "share": round(tb.xid_age / XID_SPACE, 4)} for tb in oldest]
    return CheckResult(
        "wraparound",
        status,
        round(share, 4),
        f"oldest unfrozen transaction ID is {probe.database_xid_age:,} old: "
        f"{format_percent(share, 1)} of the way to wraparound",
        ""
        if status == OK
        else "VACUUM (FREEZE) the oldest tables; find what holds back the xmin "
        "horizon (old transactions, slots, prepared transactions)",
        items,
    )


def check_dead_tuples(probe: ProbeData, t: Thresholds) -> CheckResult:
    if probe.tables is None:
        return _unavailable("dead_tuples", probe)
    bloated = [
        tb
        for tb in probe.tables
        if (tb.live_rows or 0) >= t.dead_tuples_min_rows
        and tb.dead_rows is not None
        and tb.dead_rows > t.dead_tuples_ratio * (tb.live_rows or 0)
    ]
    bloated.sort(key=lambda tb: -(tb.dead_rows or 0))
    items = [
        {
            "table": tb.name,
            "live_rows": tb.live_rows,
            "dead_rows": tb.dead_rows,
            "dead_ratio": round((tb.dead_rows or 0) / max(tb.live_rows or 1, 1), 3),
            "autovacuum": "on" if tb.autovacuum_enabled else "off",
            "last_autovacuum": None if tb.last_autovacuum is None else tb.last_autovacuum.isoformat(),
        }
        for tb in bloated
    ]
    status = WARN if bloated else OK
    detail = (
        f"{len(bloated)} table(s) with dead rows over {format_percent(t.dead_tuples_ratio, 0)} of live rows: "
        + ", ".join(tb.name for tb in bloated[:5])
        if bloated
        else f"no table of {t.dead_tuples_min_rows:,.0f}+ rows has over "
        f"{format_percent(t.dead_tuples_ratio, 0)} dead rows"
    )
    action = ""
    if bloated:
        action = "VACUUM the tables; check why autovacuum does not keep up"
        if any(not tb.autovacuum_enabled for tb in bloated):
            action += " (autovacuum is off on some of them)"
    return CheckResult("dead_tuples", status, len(bloated), detail, action, items)


BLOAT_ITEMS_SHOWN = 10  # the relations with the most waste, listed under the check


def bloat_status(relation: RelationBloat, t: Thresholds) -> str:
    """One relation's status: its wasted share against the ratio thresholds, once the waste reaches
    ``bloat_min_wasted_bytes`` (a small table at 90 % bloat costs nothing worth a warning); ``unknown`` without an
    estimate. pgstattuple's measured waste, when there is one, is judged instead of the estimate."""
    wasted = relation.wasted_bytes if relation.exact_wasted_bytes is None else relation.exact_wasted_bytes
    if wasted is None:
        return UNKNOWN
    if wasted < t.bloat_min_wasted_bytes or not relation.size_bytes:
        return OK
    return _level(wasted / relation.size_bytes, t.bloat_warn_ratio, t.bloat_critical_ratio)


def _bloat_item(relation: RelationBloat, status: str) -> dict[str, Any]:
    ratio = relation.ratio
    item: dict[str, Any] = {
        "relation": relation.name,
        "kind": relation.kind,
        "table": relation.table,
        "size_bytes": relation.size_bytes,
        "size": format_bytes(relation.size_bytes),
        "wasted_bytes": relation.wasted_bytes,
        "wasted": relation.no_estimate or format_bytes(relation.wasted_bytes),
        "ratio": None if ratio is None else round(ratio, 4),
        "status": status,
    }
    if relation.exact_wasted_bytes is not None or relation.exact_note:
        item["pgstattuple_wasted"] = relation.exact_note or format_bytes(relation.exact_wasted_bytes)
        item["pgstattuple_wasted_bytes"] = relation.exact_wasted_bytes
    if relation.locked_by is not None:
        item["locked_by"] = relation.locked_by
    return item


_BLOAT_WORDS = {
    "table_bloat": ("table(s)", "estimated from pg_stats and the catalog"),
    "index_bloat": ("btree index(es)", "estimated from pg_stats and the catalog"),
    "reclaimable_space": ("table(s)", "DATA_FREE: allocated to the table, holding no row"),
}
_BLOAT_ACTIONS = {
    "table_bloat": "VACUUM keeps the waste from growing; to give it back, VACUUM FULL (takes an exclusive lock) or "
    "pg_repack; check the estimate with pgstattuple first",
    "index_bloat": "REINDEX INDEX CONCURRENTLY the bloated indexes",
    "reclaimable_space": "OPTIMIZE TABLE (rebuilds the table; online for InnoDB but heavy) to give the space back",
}


def check_bloat(check_id: str, probe: ProbeData, t: Thresholds) -> CheckResult:
    """Table bloat, index bloat (PostgreSQL estimates) or reclaimable space (MySQL/MariaDB DATA_FREE): the status is
    the worst relation's (``bloat_status``); the value the wasted bytes in all; the items the relations with most
    waste, then those without an estimate (never analysed...), which are reported as such and never count as 0."""
    relations = getattr(probe, check_id)
    if relations is None:
        return _unavailable(check_id, probe)
    what, method = _BLOAT_WORDS[check_id]
    judged = [(r, bloat_status(r, t)) for r in relations]
    estimated = sorted(
        ((r, s) for r, s in judged if r.wasted_bytes is not None),
        key=lambda pair: -((pair[0].exact_wasted_bytes or pair[0].wasted_bytes) or 0),
    )
    missing = [(r, s) for r, s in judged if r.wasted_bytes is None]
    flagged = [(r, s) for r, s in estimated if needs_attention(s)]
    total = sum(r.wasted_bytes or 0 for r, _ in estimated)
    status = worst(s for _, s in flagged) if flagged else OK
    if flagged:
        detail = (
            f"{len(flagged)} {what} over {format_percent(t.bloat_warn_ratio, 0)} wasted "
            f"(and {format_bytes(t.bloat_min_wasted_bytes)}+): "
            + ", ".join(f"{r.name} {format_bytes(r.wasted_bytes)}" for r, _ in flagged[:3])
        )
    else:
        detail = (
            f"no {what.removesuffix('(s)').removesuffix('(es)')} over {format_percent(t.bloat_warn_ratio, 0)} "
            f"wasted with {format_bytes(t.bloat_min_wasted_bytes)}+ to gain"
        )
    detail += f"; {format_bytes(total)} wasted in all over {len(estimated)} {what} ({method})"
    if missing:
        detail += f"; {len(missing)} without an estimate: " + ", ".join(
            f"{r.name} ({r.no_estimate})" for r, _ in missing[:3]
        )
    items = [_bloat_item(r, s) for r, s in estimated if r.wasted_bytes][:BLOAT_ITEMS_SHOWN]
    items += [_bloat_item(r, s) for r, s in missing][:BLOAT_ITEMS_SHOWN]
    return CheckResult(check_id, status, total, detail, _BLOAT_ACTIONS[check_id] if flagged else "", items)


def check_sequences(probe: ProbeData, t: Thresholds) -> CheckResult:
    if probe.sequences is None:
        return _unavailable("sequences", probe)
    items, statuses = [], []
    hidden = [s for s in probe.sequences if s.hidden]
    locked = [s for s in probe.sequences if s.locked and not s.hidden]
    for s in probe.sequences:
        if s.hidden or s.locked or s.last_value is None or s.max_value <= 0:
            continue
        share = s.last_value / s.max_value
        status = _level(share, t.sequence_warn, t.sequence_critical)
        if status != OK:
            statuses.append(status)
            items.append(
                {
                    "sequence": s.name,
                    "column": s.column,
                    "type": s.column_type,
                    "last_value": s.last_value,
                    "max_value": s.max_value,
                    "used": round(share, 4),
                    "status": status,
                }
            )
    items.sort(key=lambda item: -item["used"])
    items += [
        {"sequence": s.name, "column": s.column, "last_value": INSUFFICIENT_PRIVILEGE, "status": UNKNOWN}
        for s in hidden
    ]
    items += [
        {
            "sequence": s.name,
            "column": s.column,
            "last_value": "locked" if s.locked_by is None else f"locked by pid {s.locked_by}",
            "status": UNKNOWN,
        }
        for s in locked
    ]
    status = worst(statuses) if statuses else (UNKNOWN if hidden or locked else OK)
    top = max((item["used"] for item in items if isinstance(item.get("used"), float)), default=0.0)
    if statuses:
        detail = (
            f"{len(statuses)} sequence(s) past {format_percent(t.sequence_warn, 0)} of their column type's "
            f"maximum, fullest {format_percent(top, 1)}: " + ", ".join(i["sequence"] for i in items[:3])
        )
    else:
        detail = (
            f"{len(probe.sequences) - len(hidden) - len(locked)} sequence(s) checked, none past "
            f"{format_percent(t.sequence_warn, 0)}"
        )
    if hidden:
        detail += f"; {len(hidden)} hidden: {INSUFFICIENT_PRIVILEGE} (needs USAGE or SELECT on the sequence)"
    if locked:
        detail += f"; {len(locked)} not read: locked by another session (" + ", ".join(s.name for s in locked) + ")"
    return CheckResult(
        "sequences",
        status,
        round(top, 4),
        detail,
        "Widen the column to bigint (and the sequence with ALTER SEQUENCE ... AS bigint) before it runs out"
        if statuses
        else ("Grant the probe SELECT on the sequences" if hidden else ""),
        items,
    )


def _index_items(indexes: list[IndexInfo]) -> list[dict[str, Any]]:
    return [
        {
            "index": i.name,
            "table": i.table,
            "size_bytes": i.size_bytes,
            "size": format_bytes(i.size_bytes),
            "scans": i.scans,
            "duplicate_of": i.duplicate_of,
            "definition": truncate_query(i.definition),
        }
        for i in sorted(indexes, key=lambda i: -(i.size_bytes or 0))
    ]


def _index_result(check_id: str, found: list[IndexInfo], status: str, detail: str, action: str) -> CheckResult:
    """An index check: ``status`` and ``action`` when it found any index, ok and no action when not."""
    return CheckResult(
        check_id, status if found else OK, len(found), detail, action if found else "", _index_items(found)
    )


def check_unused_indexes(probe: ProbeData, t: Thresholds) -> CheckResult:
    if probe.unused_indexes is None:
        return _unavailable("unused_indexes", probe)
    big = [i for i in probe.unused_indexes if (i.size_bytes or 0) >= t.unused_index_min_bytes]
    total = sum(i.size_bytes or 0 for i in big)
    detail = (
        f"{len(big)} index(es) never scanned since statistics were reset, {format_bytes(total)} in all"
        if big
        else f"no unused index of {format_bytes(t.unused_index_min_bytes)} or more"
    )
    action = "Confirm on every replica, then drop indexes nothing uses (they slow every write)"
    return _index_result("unused_indexes", big, INFO, detail, action)


def check_duplicate_indexes(probe: ProbeData) -> CheckResult:
    if probe.duplicate_indexes is None:
        return _unavailable("duplicate_indexes", probe)
    dup = probe.duplicate_indexes
    detail = (
        f"{len(dup)} index(es) duplicate or prefix another index on the same table: "
        + ", ".join(f"{i.name} ⊆ {i.duplicate_of}" for i in dup[:3])
        if dup
        else "no duplicate index"
    )
    action = "Drop the redundant index (keep the one that enforces a constraint)"
    return _index_result("duplicate_indexes", dup, INFO, detail, action)


def check_invalid_indexes(probe: ProbeData) -> CheckResult:
    if probe.invalid_indexes is None:
        return _unavailable("invalid_indexes", probe)
    bad = probe.invalid_indexes
    detail = (
        f"{len(bad)} invalid index(es) (a failed CREATE INDEX CONCURRENTLY?): " + ", ".join(i.name for i in bad)
        if bad
        else "no invalid index"
    )
    action = "DROP INDEX CONCURRENTLY the invalid index, fix the cause, and build it again"
    return _index_result("invalid_indexes", bad, WARN, detail, action)


def check_database_size(probe: ProbeData, t: Thresholds, size_7d_ago: int | None = None) -> CheckResult:
    if probe.database_size_bytes is None:
        return _unavailable("database_size", probe)
    size = probe.database_size_bytes
    status = _level(size, t.database_size_warn_bytes, t.database_size_critical_bytes)
    detail = f"{format_bytes(size)}"
    growth = None
    if size_7d_ago:
        growth = size / size_7d_ago - 1
        detail += f", {'+' if growth >= 0 else ''}{format_percent(growth, 1)} over 7 days"
        status = worst([status, _level(growth, t.growth_7d_warn, t.growth_7d_critical)])
    else:
        detail += "; growth appears once `collect db-health` has stored 7 days of snapshots"
    top = sorted((tb for tb in probe.tables or [] if tb.total_bytes), key=lambda tb: -(tb.total_bytes or 0))[:10]
    items = [
        {
            "table": tb.name,
            "size_bytes": tb.total_bytes,
            "size": table_size_text(tb),
            "size_source": tb.size_source.value,
            "locked_by": tb.locked_by,
        }
        for tb in top
    ]
    return CheckResult(
        "database_size",
        status,
        size,
        detail,
        "" if status == OK else "Plan capacity: archive or partition the biggest tables",
        items,
    )


def check_slow_statements(probe: ProbeData) -> CheckResult:
    if probe.statements is None:
        return _unavailable("slow_statements", probe)
    top = probe.statements[:10]
    detail = (
        f"top statement by total time: {top[0]['total_ms'] / 1000:,.1f} s over {top[0]['calls']:,} calls"
        if top
        else "no statement statistics yet"
    )
    return CheckResult("slow_statements", INFO if top else OK, len(top), detail, "", top)


def check_dba_records(records: list[DbaRecord], intervals: dict[str, int | None], today: date) -> CheckResult:
    """Each record kind with an expected interval must have an entry newer than that interval; a withdrawn entry
    does not count."""
    newest: dict[str, DbaRecord] = {}
    for record in records:
        if record.withdrawn:
            continue
        if record.kind not in newest or record.done_on > newest[record.kind].done_on:
            newest[record.kind] = record
    items, stale = [], []
    for kind, days in intervals.items():
        if days is None:
            continue
        record = newest.get(kind)
        age = None if record is None else (today - record.done_on).days
        overdue = record is None or age > days or record.outcome == "failed"
        if overdue:
            stale.append(kind)
        items.append(
            {
                "kind": kind,
                "last": None if record is None else record.done_on.isoformat(),
                "age_days": age,
                "every_days": days,
                "by": None if record is None else record.recorded_by,
                "outcome": None if record is None else record.outcome,
                "status": WARN if overdue else OK,
            }
        )
    if not stale:
        return CheckResult("dba_records", OK, 0, "every expected record is recent", "", items)
    words = []
    for kind in stale:
        item = next(i for i in items if i["kind"] == kind)
        label = RECORD_KIND_LABELS.get(kind, kind)
        if item["last"] is None:
            words.append(f"{label}: never recorded")
        elif item["outcome"] == "failed":
            words.append(f"{label}: last one failed")
        else:
            words.append(f"{label}: {item['age_days']} d old (every {item['every_days']} d)")
    return CheckResult(
        "dba_records",
        WARN,
        len(stale),
        "stale: " + "; ".join(words),
        "Verify and record it on the DBA records page (or `cli.py db-records add`)",
        items,
    )


def evaluate_probe(
    probe: ProbeData, thresholds: Thresholds = DEFAULT_THRESHOLDS, *, role: str = "", size_7d_ago: int | None = None
) -> list[CheckResult]:
    """Every check that applies to the probe's engine, in CHECK_IDS order."""
    t = thresholds
    checks = [
        check_up(probe),
        check_connections(probe, t),
        check_idle_in_transaction(probe, t),
        check_cache_hit_ratio(probe, t),
        check_long_running_queries(probe, t),
        check_blocked_sessions(probe, t),
        check_replication_lag(probe, t, role),
    ]
    if probe.engine == "postgresql":
        checks += [check_wraparound(probe, t), check_dead_tuples(probe, t)]
        checks += [check_bloat("table_bloat", probe, t), check_bloat("index_bloat", probe, t)]
    else:
        checks.append(check_bloat("reclaimable_space", probe, t))
    checks += [check_sequences(probe, t), check_unused_indexes(probe, t), check_duplicate_indexes(probe)]
    if probe.engine == "postgresql":
        checks.append(check_invalid_indexes(probe))
    checks += [check_database_size(probe, t, size_7d_ago), check_slow_statements(probe)]
    # A signal the source cannot give is said so, even where a check could read something partial.
    return [_unavailable(c.id, probe) if c.id in probe.not_available else c for c in checks]


@dataclass(frozen=True)
class CacheCounters:
    """Cumulative buffer-cache counters at one moment (they only grow, until a statistics reset or a restart)."""

    hits: float
    reads: float
    at: datetime


def recent_cache_counters(
    previous: CacheCounters | None, current: CacheCounters, min_requests: float
) -> tuple[float, float] | None:
    """Hits and reads since ``previous``: what the ratio should judge (DESIGN: Δreads / Δrequests), rather than
    everything since the server started. None when there is no usable earlier sample: none, a counter reset, or
    fewer than ``min_requests`` requests in between (then the cumulative figures say more)."""
    if previous is None or current.at <= previous.at:
        return None
    hits, reads = current.hits - previous.hits, current.reads - previous.reads
    if hits < 0 or reads < 0 or hits + reads < min_requests:
        return None
    return hits, reads


def down_result(database: str, reason: str, status: str = CRITICAL) -> CheckResult:
    """The ``up`` check of a database the probe could not read; ``unknown`` when it was never tried."""
    action = (
        "Set its DSN (see the detail)"
        if status == UNKNOWN
        else "Check that the server runs and accepts connections from the dashboard host"
    )
    return CheckResult("up", status, None, reason, action)


def build_health(
    database: str,
    engine: str,
    checks: list[CheckResult],
    probed_at: datetime | None,
    *,
    error: str | None = None,
    probe: ProbeData | None = None,
    probe_state: ProbeState | None = None,
    **labels: str,
) -> DatabaseHealth:
    """A DatabaseHealth whose status is the worst of its checks. ``probe_state`` defaults to answered when there is a
    probe, failed when there is none."""
    return DatabaseHealth(
        database=database,
        engine=engine,
        status=worst(c.status for c in checks),
        checks=checks,
        probed_at=probed_at,
        error=error,
        probe=probe,
        probe_state=probe_state or (ProbeState.FAILED if probe is None else ProbeState.ANSWERED),
        **labels,
    )


def thresholds_with(overrides: dict[str, float | None]) -> Thresholds:
    """Defaults with some fields replaced (names already validated by the config loader)."""
    return Thresholds(**{**asdict(DEFAULT_THRESHOLDS), **overrides})
