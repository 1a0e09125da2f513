"""The demo's database fleet: what the example databases of ``config/databases.toml`` read when no DSN is set, so the
Database health page of a fresh install shows what each check is for instead of an empty fleet.

Used only in demo mode (no Prometheus configured, as for the demo SLO data) and only for a database without a DSN:
a database with a DSN is always probed for real. Never stored: ``collect db-health`` leaves demo healths out.

Each example database has one designed story, told through the same ``ProbeData`` a real probe returns and judged
by the same checks: orders-primary has one session blocked behind a transaction left open, and its order id
sequence at 82 % of an integer; orders-replica lags 12 s behind its primary; catalog is all ok; analytics-staging
has a table with 60 % dead rows (autovacuum is off on it). Any other database gets a healthy reading. Incidental
figures (pids, connections, row counts) are seeded from the database's name, so two runs show the same numbers,
and every age is counted back from the app's "now"."""

from __future__ import annotations

import random
import zlib
from dataclasses import replace
from datetime import datetime, timedelta

from data.databases.capacity import SequenceHistory, target_forecast
from data.databases.config import DatabaseConfig, DatabaseTarget
from data.databases.fleet import StoreContext, health_from_probe
from data.databases.probes.common import statement_row
from metrics.databases.bloat import RelationBloat
from metrics.databases.checks import (
    DatabaseHealth,
    DbaRecord,
    ProbeData,
    ReplicaInfo,
    SequenceUsage,
    Session,
    TablespaceSize,
    TableStats,
)
from metrics.databases.forecast import (
    FORECAST_WINDOW_DAYS,
    CapacityForecast,
    Reading,
)

DEMO_SOURCE = "demo"
DEMO_RECORDED_BY = "demo"
DEMO_FLEET_NOTE = (
    "Demo data — no Prometheus is configured and these databases have no DSN, so their figures come from a "
    "deterministic demo fleet: not probed, never stored. To watch a database in `config/databases.toml` for real, "
    "set its DSN: `DB_DSN_<NAME>` (e.g. `DB_DSN_ORDERS_PRIMARY=postgresql://monitor@db1:5432/orders`) or "
    '`[databases] orders-primary = "postgresql://..."` in `.streamlit/secrets.toml`.'
)
DEMO_WEEKLY_NOTE = (
    "Demo database fleet: the demo statuses of the databases without a DSN, as the Database health page shows "
    "them; not stored. The first snapshot stored by cli.py collect db-health replaces them."
)
DEMO_FORECAST_NOTE = (
    "Demo capacity forecast: the demo fleet's sizes and sequence values over the last 28 days, on a straight line; "
    "not stored."
)
GB = 1_000_000_000
INT_MAX = 2**31 - 1

# The designed problems: the raw inputs the tests derive their expected statuses from.
BLOCKER_PID = 4242
BLOCKED_PID = 4317
BLOCKER_IDLE_S = 840.0  # idle in transaction, holding the row lock
BLOCKED_WAIT_S = 372.0  # waiting for that lock, past the 300 s critical of a long query
ORDERS_SEQUENCE_USED = 0.82
ORDERS_SEQUENCE_PER_DAY = 1_900_000
REPLICA_LAG_S = 12.0
ARCHIVE_TABLESPACE_BYTES = 140 * GB  # orders-primary's "archive" tablespace, on a disk of its own (250 GB)
ARCHIVE_TABLESPACE_PER_DAY = 0.9 * GB  # of the database's 1.1 GB a day; pg_default takes the rest
STAGING_LIVE_ROWS = 4_000_000
STAGING_DEAD_ROWS = 2_400_000
STAGING_LAST_AUTOVACUUM_AGO = timedelta(days=9, hours=3)


def is_demo(health: DatabaseHealth) -> bool:
    """Whether ``health`` is the demo's, not a probe's: shown marked as demo, never stored."""
    return health.source == DEMO_SOURCE


def _seeded(name: str) -> random.Random:
    return random.Random(zlib.crc32(name.encode()))


def _sessions(seed: random.Random) -> list[Session]:
    base_pid = seed.randint(1000, 3999)
    return [
        Session(base_pid, "app", "active", "SELECT id, state FROM orders WHERE customer_id = $1", 0.2, 0.2),
        Session(base_pid + 7, "app", "idle", "COMMIT", None, seed.uniform(1, 30)),
    ]


def _orders_primary(name: str, now: datetime, seed: random.Random) -> ProbeData:
    sessions = _sessions(seed) + [
        Session(
            BLOCKER_PID,
            "billing",
            "idle in transaction",
            "UPDATE orders SET state = 'paid' WHERE id = 981234",
            None,
            BLOCKER_IDLE_S,
        ),
        Session(
            BLOCKED_PID,
            "fulfilment",
            "active",
            "UPDATE orders SET state = 'shipped' WHERE id = 981234",
            BLOCKED_WAIT_S,
            BLOCKED_WAIT_S,
            "Lock:transactionid",
            (BLOCKER_PID,),
        ),
    ]
    return _postgres(
        name,
        now,
        seed,
        sessions=sessions,
        size=412 * GB,
        tables=[
            TableStats("public.orders", 180 * GB, 310_000_000, 2_100_000, now - timedelta(hours=5)),
            TableStats("public.payments", 96 * GB, 240_000_000, 900_000, now - timedelta(hours=8)),
            TableStats("public.order_items", 71 * GB, 720_000_000, 3_400_000, now - timedelta(hours=3)),
        ],
        sequences=[
            SequenceUsage(
                "public.orders_id_seq",
                round(ORDERS_SEQUENCE_USED * INT_MAX),
                INT_MAX,
                "orders.id",
                "integer",
            ),
            SequenceUsage("public.payments_id_seq", 240_512_113, 2**63 - 1, "payments.id", "bigint"),
        ],
        replicas=[ReplicaInfo("orders-replica", "streaming", REPLICA_LAG_S)],
        tablespaces=[
            TablespaceSize("archive", ARCHIVE_TABLESPACE_BYTES),
            TablespaceSize("pg_default", 412 * GB - ARCHIVE_TABLESPACE_BYTES),
        ],
    )


def _orders_replica(name: str, now: datetime, seed: random.Random) -> ProbeData:
    probe = _postgres(
        name,
        now,
        seed,
        sessions=_sessions(seed),
        size=412 * GB,
        tables=[TableStats("public.orders", 180 * GB, 310_000_000, 0, None)],
        sequences=[],
    )
    probe.is_replica, probe.replica_lag_s, probe.replica_receiving, probe.replicas = True, REPLICA_LAG_S, True, None
    return probe


def _analytics_staging(name: str, now: datetime, seed: random.Random) -> ProbeData:
    events = TableStats(
        "warehouse.events_raw",
        3 * GB,
        STAGING_LIVE_ROWS,
        STAGING_DEAD_ROWS,
        now - STAGING_LAST_AUTOVACUUM_AGO,
        autovacuum_enabled=False,
    )
    return _postgres(
        name,
        now,
        seed,
        sessions=_sessions(seed),
        size=38 * GB,
        tables=[events, TableStats("warehouse.daily_orders", 9 * GB, 52_000_000, 40_000, now - timedelta(hours=11))],
        sequences=[SequenceUsage("warehouse.events_raw_id_seq", 88_000_000, 2**63 - 1, "events_raw.id", "bigint")],
    )


def _postgres(
    name: str,
    now: datetime,
    seed: random.Random,
    *,
    sessions: list[Session],
    size: int,
    tables: list[TableStats],
    sequences: list[SequenceUsage],
    replicas: list[ReplicaInfo] | None = None,
    tablespaces: list[TablespaceSize] | None = None,
) -> ProbeData:
    reads = seed.randint(2_000_000, 4_000_000)
    return ProbeData(
        engine="postgresql",
        version="PostgreSQL 15.6",
        version_num=150006,
        uptime_s=timedelta(days=seed.randint(20, 60)).total_seconds(),
        connections_used=seed.randint(40, 90),
        connections_max=197,
        sessions=sessions,
        cache_hits=reads * 299.0,  # 99.67 % served from memory
        cache_reads=float(reads),
        cache_scope="since statistics reset",
        is_replica=False,
        replicas=[] if replicas is None else replicas,
        inactive_slots=[],
        database_xid_age=seed.randint(80_000_000, 200_000_000),
        tables=tables,
        sequences=sequences,
        unused_indexes=[],
        duplicate_indexes=[],
        invalid_indexes=[],
        table_bloat=[RelationBloat(t.name, "table", t.total_bytes, (t.total_bytes or 0) // 12) for t in tables],
        index_bloat=[],
        database_size_bytes=size,
        tablespaces=[TablespaceSize("pg_default", size)] if tablespaces is None else tablespaces,
        statements=_statements(seed),
    )


def _mariadb(name: str, now: datetime, seed: random.Random) -> ProbeData:
    reads = seed.randint(2_000_000, 4_000_000)
    tables = [
        TableStats("catalog.products", 14 * GB, 2_600_000),
        TableStats("catalog.prices", 6 * GB, 9_100_000),
    ]
    return ProbeData(
        engine="mariadb",
        version="MariaDB 10.11.6",
        uptime_s=timedelta(days=seed.randint(20, 60)).total_seconds(),
        connections_used=seed.randint(20, 60),
        connections_max=150,
        sessions=[Session(seed.randint(100, 999), "app", "Query", "SELECT * FROM products WHERE sku = ?", 0.1, 0.1)],
        cache_hits=reads * 499.0,  # 99.8 %
        cache_reads=float(reads),
        cache_scope="since server start",
        is_replica=False,
        replicas=[],
        tables=tables,
        sequences=[],
        unused_indexes=[],
        duplicate_indexes=[],
        reclaimable_space=[RelationBloat(t.name, "table", t.total_bytes, (t.total_bytes or 0) // 50) for t in tables],
        database_size_bytes=21 * GB,
        statements=[],
    )


def _statements(seed: random.Random) -> list[dict]:
    return [
        statement_row(
            seed.randint(10**17, 10**18), 1_204_331, 3_912_400.0, 1_204_331, "SELECT * FROM orders WHERE id = $1"
        ),
        statement_row(
            seed.randint(10**17, 10**18), 88_120, 1_020_775.0, 88_120, "UPDATE orders SET state = $1 WHERE id = $2"
        ),
    ]


_DESIGNS = {
    "orders-primary": _orders_primary,
    "orders-replica": _orders_replica,
    "analytics-staging": _analytics_staging,
}
_SIZE_GROWTH_PER_DAY = {"orders-primary": 1.1 * GB, "orders-replica": 1.1 * GB}


def demo_probe(target: DatabaseTarget, now: datetime) -> ProbeData:
    """What a probe of ``target`` would read at ``now``: its designed story, or a healthy database of its engine."""
    seed = _seeded(target.name)
    if target.name in _DESIGNS:
        return _DESIGNS[target.name](target.name, now, seed)
    if target.engine == "postgresql":
        return _postgres(
            target.name,
            now,
            seed,
            sessions=_sessions(seed),
            size=seed.randint(5, 80) * GB,
            tables=[],
            sequences=[],
        )
    return _mariadb(target.name, now, seed)


def demo_records(target: DatabaseTarget, now: datetime) -> list[DbaRecord]:
    """Every expected DBA record, done a third of its interval ago: the demo's records are all recent."""
    return [
        DbaRecord(target.name, kind, (now - timedelta(days=max(days // 3, 1))).date(), DEMO_RECORDED_BY)
        for kind, days in target.record_intervals.items()
        if days
    ]


def _size_growth_per_day(target: DatabaseTarget, probe: ProbeData) -> float:
    return _SIZE_GROWTH_PER_DAY.get(target.name, (probe.database_size_bytes or 0) * 0.001)


def demo_forecast(target: DatabaseTarget, probe: ProbeData, now: datetime) -> CapacityForecast:
    """The forecast of a daily snapshot over the last weeks on a straight line ending at the probe's figures."""
    days = range(FORECAST_WINDOW_DAYS)
    growth = _size_growth_per_day(target, probe)
    size = probe.database_size_bytes or 0
    sizes = [Reading(now - timedelta(days=d), size - growth * d) for d in days]
    sequences = [
        SequenceHistory(
            s.name,
            s.column,
            s.max_value,
            [Reading(now - timedelta(days=d), (s.last_value or 0) - ORDERS_SEQUENCE_PER_DAY * d) for d in days],
        )
        for s in probe.sequences or []
        if s.max_value == INT_MAX
    ]
    archive = any(t.name == "archive" for t in probe.tablespaces or [])
    tablespace_growth = {
        "archive": ARCHIVE_TABLESPACE_PER_DAY,
        "pg_default": growth - archive * ARCHIVE_TABLESPACE_PER_DAY,
    }
    tablespaces = {
        t.name: [Reading(now - timedelta(days=d), (t.size_bytes or 0) - tablespace_growth[t.name] * d) for d in days]
        for t in probe.tablespaces or []
    }
    return target_forecast(target, sizes, sequences, now, tablespaces)


def demo_health(target: DatabaseTarget, now: datetime) -> DatabaseHealth:
    """``target``'s demo health at ``now``, judged by the fleet's own checks, marked with the demo source."""
    probe = demo_probe(target, now)
    size_7d_ago = round((probe.database_size_bytes or 0) - 7 * _size_growth_per_day(target, probe))
    store = StoreContext(
        records={target.name: demo_records(target, now)},
        size_7d_ago={target.name: size_7d_ago},
        forecasts={target.name: demo_forecast(target, probe, now)},
    )
    health = health_from_probe(target, probe, now, store, now.date())
    return replace(health, source=DEMO_SOURCE)


def demo_fleet(settings, config: DatabaseConfig, at: datetime) -> list[DatabaseHealth]:
    """The demo health at ``at`` of every configured database without a DSN, in configuration order: what the fleet
    shows for them in demo mode (the caller decides it is demo mode). A server entry has no demo databases."""
    return [
        demo_health(target, at)
        for target in config.databases
        if not target.discover and not settings.dsn_for(target.name)
    ]


def demo_forecasts(settings, config: DatabaseConfig, at: datetime) -> list[CapacityForecast]:
    """The capacity forecast at ``at`` of every configured database without a DSN, as its demo health judges it."""
    return [
        demo_forecast(t, demo_probe(t, at), at)
        for t in config.databases
        if not t.discover and not settings.dsn_for(t.name)
    ]
