"""A database read through Prometheus from postgres_exporter or mysqld_exporter (``source = "prometheus"``).

The exporters publish server-wide numbers, not objects: connections, cache counters, sizes, replication lag, the
longest transaction per state. Per-object checks (sequences, indexes, dead tuples, wraparound, blocked sessions,
statement text) exist only through SQL; they are reported as "not available from the exporter", never as ok.
"""

from __future__ import annotations

from datetime import UTC, datetime

from data.databases.config import DatabaseTarget
from data.databases.probes.common import ProbeError
from data.slo.promql import escape_label_value
from metrics.databases.checks import CHECK_IDS, ProbeData, Session

SQL_ONLY = 'only through the SQL source (source = "sql"): the exporter does not publish it'
# What postgres_exporter publishes; every other check exists only through SQL.
POSTGRES_EXPORTED = (
    "up",
    "connections",
    "idle_in_transaction",
    "cache_hit_ratio",
    "long_running_queries",
    "replication_lag",
    "database_size",
    "dba_records",
    "capacity_forecast",  # from the stored sizes, whatever the source
)
POSTGRES_SQL_ONLY = tuple(check for check in CHECK_IDS if check not in POSTGRES_EXPORTED)
MYSQL_SQL_ONLY = (
    "idle_in_transaction",
    "long_running_queries",
    "blocked_sessions",
    "sequences",
    "unused_indexes",
    "duplicate_indexes",
    "slow_statements",
    "database_size",
    "reclaimable_space",
)
NOT_EXPORTED = "(query text is not exported)"


def _matchers(selector: str, **extra: str) -> str:
    """``{job="pg"}`` plus ``datname="orders"`` → ``{job="pg",datname="orders"}``."""
    inner = selector.strip()[1:-1].strip().rstrip(",")
    added = ",".join(f'{key}="{escape_label_value(value)}"' for key, value in extra.items() if value)
    return "{" + ",".join(part for part in (inner, added) if part) + "}"


class _Reader:
    def __init__(self, prometheus, selector: str, at: datetime) -> None:
        from data.slo.prometheus import PrometheusSource

        self.source = PrometheusSource(prometheus)
        self.selector = selector
        self.at = at

    def vector(self, query: str) -> list[dict]:
        from data.slo.sources import SourceError

        try:
            return self.source.instant(query, self.at)
        except SourceError as error:
            raise ProbeError(str(error)) from None
        except Exception as error:  # a rejected query: name it without quoting credentials
            raise ProbeError(f"Prometheus refused a query ({type(error).__name__}: {str(error)[:120]})") from None

    def scalar(self, query: str) -> float | None:
        answer = self.vector(query)
        return float(answer[0]["value"][1]) if answer else None


def probe_exporter(prometheus, target: DatabaseTarget, at: datetime | None = None) -> ProbeData:
    """Numbers from the exporter series matching the database's ``selector``; raises ProbeError when down."""
    if prometheus is None:
        raise ProbeError('source = "prometheus" needs PROMETHEUS_URL')
    at = at or datetime.now(UTC)
    if target.engine == "postgresql":
        return _postgres(_Reader(prometheus, target.selector, at), target)
    return _mysql(_Reader(prometheus, target.selector, at), target)


def _require_up(read: _Reader, metric: str, exporter: str) -> None:
    """Raise ProbeError unless the exporter is scraped and reaches its database."""
    up = read.scalar(f"max({metric}{read.selector})")
    if up is None:
        raise ProbeError(f"no {metric} series in Prometheus matches {read.selector}: is {exporter} scraped?")
    if up < 1:
        raise ProbeError(f"{exporter} reports {metric} 0: it cannot reach the database")


def _postgres(read: _Reader, target: DatabaseTarget) -> ProbeData:
    s = read.selector
    _require_up(read, "pg_up", "postgres_exporter")
    static = read.vector(f"pg_static{s}")
    version = static[0]["metric"].get("short_version", "") if static else ""
    db = _matchers(s, datname=target.datname)
    probe = ProbeData(engine="postgresql", version=f"PostgreSQL {version} (via postgres_exporter)".replace("  ", " "))
    used = read.scalar(f"sum(pg_stat_activity_count{s})")
    most = read.scalar(f"max(pg_settings_max_connections{s}) - max(pg_settings_superuser_reserved_connections{s})")
    probe.connections_used = None if used is None else int(used)
    probe.connections_max = None if most is None else int(most)
    sessions = []
    for state, seconds in _by_label(read.vector(f"max by (state) (pg_stat_activity_max_tx_duration{db})"), "state"):
        if seconds <= 0:
            continue
        if state == "active":
            sessions.append(Session(0, None, "active", NOT_EXPORTED, query_seconds=seconds))
        elif state.startswith("idle in transaction"):
            sessions.append(Session(0, None, state, NOT_EXPORTED, state_seconds=seconds))
    probe.sessions = sessions
    hits = read.scalar(f"sum(pg_stat_database_blks_hit{db})")
    reads = read.scalar(f"sum(pg_stat_database_blks_read{db})")
    if hits is not None and reads is not None:
        probe.cache_hits, probe.cache_reads = hits, reads
        probe.cache_scope = "since statistics were reset (postgres_exporter)"
    size = read.scalar(f"sum(pg_database_size_bytes{db})")
    probe.database_size_bytes = None if size is None else int(size)
    lag = read.scalar(f"max(pg_replication_lag_seconds{s}) or max(pg_replication_lag{s})")
    replica = read.scalar(f"max(pg_replication_is_replica{s})")
    if replica is None:
        probe.not_available["replication_lag"] = "postgres_exporter publishes no pg_replication_* series here"
    else:
        probe.is_replica = replica >= 1
        probe.replica_lag_s = lag
        probe.replicas, probe.inactive_slots = [], []
    for check in POSTGRES_SQL_ONLY:
        probe.not_available[check] = SQL_ONLY
    return probe


def _mysql(read: _Reader, target: DatabaseTarget) -> ProbeData:
    s = read.selector
    _require_up(read, "mysql_up", "mysqld_exporter")
    probe = ProbeData(engine=target.engine, version=f"{target.engine} (via mysqld_exporter)")
    used = read.scalar(f"max(mysql_global_status_threads_connected{s})")
    most = read.scalar(f"max(mysql_global_variables_max_connections{s})")
    probe.connections_used = None if used is None else int(used)
    probe.connections_max = None if most is None else int(most)
    requests = read.scalar(f"max(mysql_global_status_innodb_buffer_pool_read_requests{s})")
    disk = read.scalar(f"max(mysql_global_status_innodb_buffer_pool_reads{s})")
    if requests is not None and disk is not None:
        probe.cache_hits, probe.cache_reads = max(requests - disk, 0.0), disk
        probe.cache_scope = "since server start (mysqld_exporter)"
    uptime = read.scalar(f"max(mysql_global_status_uptime{s})")
    probe.uptime_s = uptime
    behind = read.scalar(f"max(mysql_slave_status_seconds_behind_master{s})")
    if behind is None:
        probe.is_replica, probe.replicas, probe.inactive_slots = False, [], []
    else:
        probe.is_replica, probe.replica_lag_s = True, behind
        io = read.scalar(f"min(mysql_slave_status_slave_io_running{s})")
        sql_thread = read.scalar(f"min(mysql_slave_status_slave_sql_running{s})")
        probe.replica_receiving = None if io is None else io >= 1
        probe.replica_applying = None if sql_thread is None else sql_thread >= 1
    for check in MYSQL_SQL_ONLY:
        probe.not_available[check] = SQL_ONLY
    return probe


def _by_label(answer: list[dict], label: str) -> list[tuple[str, float]]:
    return [(series["metric"].get(label, ""), float(series["value"][1])) for series in answer]
