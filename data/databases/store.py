"""Database-health repositories: probe snapshots (history and growth) and DBA records (append-only).

Snapshots are keyed on (taken_at, database), so collecting twice in the same minute stores nothing twice. DBA records
are never updated or deleted: each entry is a new row, and the newest per kind is what counts.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from data.secrets import redact
from data.store.audit import record_audit
from data.store.engine import shared_engine
from data.store.inserts import insert_ignoring_duplicates
from data.store.models import Base
from data.store.types import UTCDateTime
from metrics.access import Actor, Role, require, require_role
from metrics.databases.checks import DatabaseHealth, DbaRecord
from metrics.databases.records import RecordError, validate_record

TOP_TABLES_STORED = 200  # per database and snapshot: enough for growth of what matters, bounded for big schemas
TOP_SEQUENCES_STORED = 200  # the fullest ones, per database and snapshot
TOP_STATEMENTS_STORED = 200  # by total time, per database and snapshot


class DbHealthSnapshot(Base):
    """One database's key numbers at one moment (what the history charts draw)."""

    __tablename__ = "db_health_snapshots"
    __table_args__ = (
        sa.UniqueConstraint("taken_at", "database"),
        sa.Index("ix_db_health_snapshots_database_taken_at", "database", "taken_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    database: Mapped[str] = mapped_column(sa.String(200))
    engine: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20))
    connections_used: Mapped[int | None] = mapped_column(sa.Integer)
    connections_max: Mapped[int | None] = mapped_column(sa.Integer)
    cache_hit_ratio: Mapped[float | None] = mapped_column(sa.Float)
    longest_query_s: Mapped[float | None] = mapped_column(sa.Float)
    replication_lag_s: Mapped[float | None] = mapped_column(sa.Float)
    size_bytes: Mapped[int | None] = mapped_column(sa.BigInteger)
    checks: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)


class DbTableSize(Base):
    """A table's total size (with indexes and TOAST) in one snapshot: 7- and 30-day growth come from these."""

    __tablename__ = "db_table_sizes"
    __table_args__ = (
        sa.UniqueConstraint("taken_at", "database", "table_name"),
        sa.Index("ix_db_table_sizes_database_taken_at", "database", "taken_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    database: Mapped[str] = mapped_column(sa.String(200))
    table_name: Mapped[str] = mapped_column(sa.String(400))
    total_bytes: Mapped[int] = mapped_column(sa.BigInteger)


class DbSequenceValue(Base):
    """A sequence's (or AUTO_INCREMENT's) last value in one snapshot: the capacity forecast's exhaustion line.

    Floats: a trend needs no exact integer, and an unsigned bigint's maximum does not fit a signed BIGINT."""

    __tablename__ = "db_sequence_values"
    __table_args__ = (
        sa.UniqueConstraint("taken_at", "database", "sequence_name"),
        sa.Index("ix_db_sequence_values_database_taken_at", "database", "taken_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    database: Mapped[str] = mapped_column(sa.String(200))
    sequence_name: Mapped[str] = mapped_column(sa.String(400))
    column_name: Mapped[str | None] = mapped_column(sa.String(400), nullable=True)
    last_value: Mapped[float] = mapped_column(sa.Float)
    max_value: Mapped[float] = mapped_column(sa.Float)


class DbTablespaceSize(Base):
    """A PostgreSQL tablespace's size in one snapshot: the tablespace forecast's line (one row per tablespace the
    probe could measure; one it could not is no point of the line)."""

    __tablename__ = "db_tablespace_sizes"
    __table_args__ = (
        sa.UniqueConstraint("taken_at", "database", "tablespace_name"),
        sa.Index("ix_db_tablespace_sizes_database_taken_at", "database", "taken_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    database: Mapped[str] = mapped_column(sa.String(200))
    tablespace_name: Mapped[str] = mapped_column(sa.String(200))
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)


class DbStatementSnapshot(Base):
    """A top statement's cumulative counters in one snapshot; deltas between snapshots are the statement history."""

    __tablename__ = "db_statement_snapshots"
    __table_args__ = (
        sa.UniqueConstraint("taken_at", "database", "statement_key"),
        sa.Index("ix_db_statement_snapshots_database_taken_at", "database", "taken_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    database: Mapped[str] = mapped_column(sa.String(200))
    statement_key: Mapped[str] = mapped_column(sa.String(100))  # queryid (PostgreSQL) or digest (MySQL/MariaDB)
    query_text: Mapped[str] = mapped_column(sa.Text)
    calls: Mapped[int] = mapped_column(sa.BigInteger)
    total_time_ms: Mapped[float] = mapped_column(sa.Float)
    rows: Mapped[int] = mapped_column(sa.BigInteger)
    counted_since: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)  # the server's reset time


class DbaRecordRow(Base):
    """A DBA's entry (backup verified, restore drill...). Append-only: never updated, never deleted; a mistaken one
    is withdrawn by a ``DbaRecordWithdrawalRow``."""

    __tablename__ = "dba_records"
    __table_args__ = (
        sa.Index("ix_dba_records_database_kind_done_on", "database", "kind", "done_on"),
        sa.Index("uq_dba_records_submission_key", "submission_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    database: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(40))
    done_on: Mapped[date] = mapped_column(sa.Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(sa.String(200))
    outcome: Mapped[str] = mapped_column(sa.String(20))
    notes: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str] = mapped_column(sa.String(500))
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)  # the form's idempotency key


class DbaRecordWithdrawalRow(Base):
    """A record taken back (wrong database, entered twice): who, when, why. The record stays, struck through."""

    __tablename__ = "dba_record_withdrawals"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("dba_records.id"), unique=True)
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_by: Mapped[str] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.Text)


def snapshot_row(health: DatabaseHealth, taken_at: datetime) -> dict[str, Any]:
    """The numbers of one health result worth keeping over time; its error redacted, since a stored row outlives
    the process and is shown to everyone who opens the history."""

    def value(check_id: str) -> Any:
        check = health.check(check_id)
        return None if check is None or not isinstance(check.value, (int, float)) else check.value

    probe = health.probe
    return {
        "taken_at": taken_at,
        "database": health.database,
        "engine": health.engine,
        "status": health.status,
        "connections_used": None if probe is None else probe.connections_used,
        "connections_max": None if probe is None else probe.connections_max,
        "cache_hit_ratio": value("cache_hit_ratio"),
        "longest_query_s": value("long_running_queries"),
        "replication_lag_s": None
        if probe is None
        else (probe.replica_lag_s if probe.is_replica else value("replication_lag")),
        "size_bytes": None if probe is None else probe.database_size_bytes,
        "checks": {c.id: c.status for c in health.checks},
        "error": None if health.error is None else redact(health.error),
    }


def save_health_snapshots(database_url: str, healths: list[DatabaseHealth], now: datetime, *, actor: Actor) -> int:
    """Store every database's numbers (and its biggest tables' sizes) at ``now`` to the minute; one transaction.
    A collector: admins only (the CLI's cron job, or an admin's button)."""
    require(actor, Role.ADMIN, "store database health snapshots")
    taken_at = now.replace(second=0, microsecond=0)
    snapshots = [snapshot_row(h, taken_at) for h in healths]
    sizes = []
    for health in healths:
        tables = (health.probe.tables or []) if health.probe else []
        # An estimate (a locked table's catalog page count) is no point of a growth curve: only measured sizes count.
        measured = [t for t in tables if t.total_bytes is not None and not t.size_estimated]
        biggest = sorted(measured, key=lambda t: -t.total_bytes)
        sizes += [
            {"taken_at": taken_at, "database": health.database, "table_name": t.name, "total_bytes": int(t.total_bytes)}
            for t in biggest[:TOP_TABLES_STORED]
        ]
    sequences = [row for health in healths for row in _sequence_rows(health, taken_at)]
    tablespaces = [
        {"taken_at": taken_at, "database": health.database, "tablespace_name": t.name, "size_bytes": t.size_bytes}
        for health in healths
        for t in ((health.probe.tablespaces or []) if health.probe else [])
        if t.size_bytes is not None
    ]
    statements = [row for health in healths for row in _statement_rows(health, taken_at)]
    with shared_engine(database_url).begin() as connection:
        stored = insert_ignoring_duplicates(connection, DbHealthSnapshot.__table__, snapshots, ["taken_at", "database"])
        insert_ignoring_duplicates(connection, DbTableSize.__table__, sizes, ["taken_at", "database", "table_name"])
        insert_ignoring_duplicates(
            connection, DbSequenceValue.__table__, sequences, ["taken_at", "database", "sequence_name"]
        )
        insert_ignoring_duplicates(
            connection, DbTablespaceSize.__table__, tablespaces, ["taken_at", "database", "tablespace_name"]
        )
        insert_ignoring_duplicates(
            connection, DbStatementSnapshot.__table__, statements, ["taken_at", "database", "statement_key"]
        )
        record_audit(
            connection,
            actor=actor,
            action="collected",
            entity="db_health_snapshots",
            entity_id=taken_at.isoformat(),
            at=now,
            details={"databases": len(healths), "stored": stored},
        )
    return stored


def _sequence_rows(health: DatabaseHealth, taken_at: datetime) -> list[dict[str, Any]]:
    """The fullest sequences the probe could read (not hidden, not locked), as rows of ``db_sequence_values``."""
    read = [
        s
        for s in ((health.probe.sequences or []) if health.probe else [])
        if s.last_value is not None and not s.hidden and not s.locked and s.max_value > 0
    ]
    fullest = sorted(read, key=lambda s: -s.last_value / s.max_value)[:TOP_SEQUENCES_STORED]
    return [
        {
            "taken_at": taken_at,
            "database": health.database,
            "sequence_name": s.name,
            "column_name": s.column,
            "last_value": float(s.last_value),
            "max_value": float(s.max_value),
        }
        for s in fullest
    ]


def _statement_rows(health: DatabaseHealth, taken_at: datetime) -> list[dict[str, Any]]:
    """The top statements by total time, one row per statement key, as rows of ``db_statement_snapshots``."""
    counters = (health.probe.statement_counters or []) if health.probe else []
    rows: dict[str, dict[str, Any]] = {}
    for counter in sorted(counters, key=lambda c: -c["total_time_ms"]):
        if len(rows) < TOP_STATEMENTS_STORED and counter["statement_key"] not in rows:
            rows[counter["statement_key"]] = {"taken_at": taken_at, "database": health.database, **counter}
    return list(rows.values())


def statement_readings(database_url: str, database: str, since: datetime) -> list[dict[str, Any]]:
    """One database's stored statement counters since ``since``, oldest first, and the snapshot just before it:
    the baseline the first interval after ``since`` is counted from."""
    table = DbStatementSnapshot.__table__
    mine = table.c.database == database
    baseline = sa.select(sa.func.max(table.c.taken_at)).where(mine, table.c.taken_at < since).scalar_subquery()
    query = (
        sa.select(table)
        .where(mine, table.c.taken_at >= sa.func.coalesce(baseline, since))
        .order_by(table.c.taken_at, table.c.statement_key)
    )
    with shared_engine(database_url).connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def size_readings(database_url: str, names: list[str], since: datetime) -> dict[str, list[tuple[datetime, int]]]:
    """Each database's stored sizes since ``since``, oldest first: {name: [(taken_at, size_bytes)]}."""
    if not names:
        return {}
    table = DbHealthSnapshot.__table__
    query = (
        sa.select(table.c.database, table.c.taken_at, table.c.size_bytes)
        .where(table.c.database.in_(names), table.c.taken_at >= since, table.c.size_bytes.is_not(None))
        .order_by(table.c.taken_at)
    )
    readings: dict[str, list[tuple[datetime, int]]] = {}
    with shared_engine(database_url).connect() as connection:
        for row in connection.execute(query):
            readings.setdefault(row.database, []).append((row.taken_at, int(row.size_bytes)))
    return readings


def sequence_readings(database_url: str, names: list[str], since: datetime) -> dict[str, dict[str, list[dict]]]:
    """Each database's stored sequence values since ``since``, oldest first: {name: {sequence: [row]}}, each row
    with taken_at, column_name, last_value and max_value."""
    if not names:
        return {}
    table = DbSequenceValue.__table__
    query = sa.select(table).where(table.c.database.in_(names), table.c.taken_at >= since).order_by(table.c.taken_at)
    readings: dict[str, dict[str, list[dict]]] = {}
    with shared_engine(database_url).connect() as connection:
        for row in connection.execute(query):
            readings.setdefault(row.database, {}).setdefault(row.sequence_name, []).append(dict(row._mapping))
    return readings


def tablespace_readings(
    database_url: str, names: list[str], since: datetime
) -> dict[str, dict[str, list[tuple[datetime, int]]]]:
    """Each database's stored tablespace sizes since ``since``, oldest first: {name: {tablespace: [(taken_at,
    size_bytes)]}}."""
    if not names:
        return {}
    table = DbTablespaceSize.__table__
    query = (
        sa.select(table.c.database, table.c.tablespace_name, table.c.taken_at, table.c.size_bytes)
        .where(table.c.database.in_(names), table.c.taken_at >= since)
        .order_by(table.c.taken_at)
    )
    readings: dict[str, dict[str, list[tuple[datetime, int]]]] = {}
    with shared_engine(database_url).connect() as connection:
        for row in connection.execute(query):
            by_tablespace = readings.setdefault(row.database, {})
            by_tablespace.setdefault(row.tablespace_name, []).append((row.taken_at, int(row.size_bytes)))
    return readings


def health_history(database_url: str, database: str, since: datetime) -> list[dict[str, Any]]:
    """Snapshots of one database since ``since``, oldest first."""
    table = DbHealthSnapshot.__table__
    query = sa.select(table).where(table.c.database == database, table.c.taken_at >= since).order_by(table.c.taken_at)
    with shared_engine(database_url).connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def stored_names_under(database_url: str, servers: list[str]) -> dict[str, list[str]]:
    """Per server entry name, the databases found on it that have stored snapshots (``<entry>/<database>``), by
    name: what a read of the store alone (no probe, no listing) knows a server entry watches."""
    if not servers:
        return {}
    table = DbHealthSnapshot.__table__
    prefix = sa.or_(*(table.c.database.startswith(f"{server}/", autoescape=True) for server in servers))
    query = sa.select(table.c.database).where(prefix).distinct().order_by(table.c.database)
    found: dict[str, list[str]] = {server: [] for server in servers}
    with shared_engine(database_url).connect() as connection:
        for (name,) in connection.execute(query):
            found[name.partition("/")[0]].append(name)
    return found


def sizes_at(database_url: str, names: list[str], now: datetime, days: int = 7) -> dict[str, int]:
    """Each database's size in the newest snapshot at least ``days`` old (and at most a day older than that)."""
    if not names:
        return {}
    table = DbHealthSnapshot.__table__
    end, start = now - timedelta(days=days), now - timedelta(days=days + 1)
    query = (
        sa.select(table.c.database, table.c.size_bytes)
        .where(
            table.c.database.in_(names),
            table.c.taken_at <= end,
            table.c.taken_at >= start,
            table.c.size_bytes.is_not(None),
        )
        .order_by(table.c.taken_at)
    )
    with shared_engine(database_url).connect() as connection:
        return {row.database: int(row.size_bytes) for row in connection.execute(query)}  # newest wins


def table_growth(database_url: str, database: str, now: datetime) -> list[dict[str, Any]]:
    """Per table: newest stored size and its growth over 7 and 30 days (None where no snapshot is that old)."""
    table = DbTableSize.__table__
    with shared_engine(database_url).connect() as connection:
        latest = connection.execute(
            sa.select(sa.func.max(table.c.taken_at)).where(table.c.database == database)
        ).scalar()
        if latest is None:
            return []

        def sizes(at_or_before: datetime) -> dict[str, int]:
            moment = connection.execute(
                sa.select(sa.func.max(table.c.taken_at)).where(
                    table.c.database == database, table.c.taken_at <= at_or_before
                )
            ).scalar()
            if moment is None:
                return {}
            rows = connection.execute(
                sa.select(table.c.table_name, table.c.total_bytes).where(
                    table.c.database == database, table.c.taken_at == moment
                )
            )
            return {row.table_name: int(row.total_bytes) for row in rows}

        current, week, month = sizes(latest), sizes(now - timedelta(days=7)), sizes(now - timedelta(days=30))
    rows = []
    for name, size in sorted(current.items(), key=lambda item: -item[1]):
        rows.append(
            {
                "table": name,
                "size_bytes": size,
                "growth_7d_bytes": None if name not in week else size - week[name],
                "growth_30d_bytes": None if name not in month else size - month[name],
            }
        )
    return rows


# --- DBA records ------------------------------------------------------------------------------------------------------


def add_record(
    database_url: str,
    *,
    actor: Actor,
    database: str,
    kind: str,
    done_on: date,
    recorded_by: str,
    outcome: str = "ok",
    notes: str = "",
    link: str = "",
    known_databases: list[str] | None = None,
    now: datetime,
    submission_key: str | None = None,
) -> DbaRecord:
    """Validate and append one record (and an audit-log line naming who entered it) in one transaction.

    ``recorded_by`` is who did the work (the backup check, the drill); ``actor`` is who enters it (an editor).
    ``submission_key`` (a form's idempotency key): a second submission with the same key stores nothing and raises
    ``AlreadyRecorded`` carrying the first one's record."""
    require_role(actor, Role.EDITOR, "add DBA records")  # refuses before looking at the fields
    validate_record(
        database=database,
        kind=kind,
        done_on=done_on,
        recorded_by=recorded_by,
        outcome=outcome,
        notes=notes,
        link=link,
        known_databases=known_databases,
        today=now.date(),
    )
    require(actor, Role.EDITOR, "add DBA records")
    row = {
        "database": database,
        "kind": kind,
        "done_on": done_on,
        "recorded_at": now,
        "recorded_by": recorded_by.strip(),
        "outcome": outcome,
        "notes": notes.strip(),
        "link": link.strip(),
        "submission_key": submission_key,
    }
    engine = shared_engine(database_url)
    _refuse_repeated_record(engine, submission_key)
    try:
        with engine.begin() as connection:
            record_id = _insert_record(connection, row, actor, now)
    except sa.exc.IntegrityError:
        _refuse_repeated_record(engine, submission_key)  # the other click of the same form won the race
        raise
    return _record({**row, "id": record_id})


class AlreadyRecorded(Exception):
    """This form submission was stored before (a double click): nothing new was written."""

    def __init__(self, record: DbaRecord) -> None:
        super().__init__(
            f"already recorded: {record.kind} for {record.database} on {record.done_on.isoformat()} (record "
            f"{record.id}); nothing was added twice"
        )
        self.record = record


def _refuse_repeated_record(engine: sa.Engine, submission_key: str | None) -> None:
    if submission_key is None:
        return
    table = DbaRecordRow.__table__
    with engine.connect() as connection:
        row = connection.execute(sa.select(table).where(table.c.submission_key == submission_key)).first()
    if row is not None:
        raise AlreadyRecorded(_record(dict(row._mapping)))


def _insert_record(connection: sa.Connection, row: dict[str, Any], actor: Actor, now: datetime) -> int:
    record_id = connection.execute(sa.insert(DbaRecordRow.__table__).values(row)).inserted_primary_key[0]
    record_audit(
        connection,
        actor=actor,
        action="created",
        entity="dba_record",
        entity_id=record_id,
        at=now,
        details={
            "database": row["database"],
            "kind": row["kind"],
            "done_on": row["done_on"].isoformat(),
            "outcome": row["outcome"],
            "done_by": row["recorded_by"],
        },
    )
    return record_id


WITHDRAWAL_REASON_LIMIT = 500


def withdraw_record(database_url: str, *, actor: Actor, record_id: int, reason: str, now: datetime) -> DbaRecord:
    """Withdraw a mistaken record: a withdrawal row and an audit line in one transaction; the record itself is kept
    (append-only) and no longer counts for its kind. Editors only; raises ``RecordError`` naming what is wrong."""
    require(actor, Role.EDITOR, "withdraw DBA records")
    reason = reason.strip()
    if not reason:
        raise RecordError("reason: say why the record is withdrawn (e.g. entered for the wrong database)")
    if len(reason) > WITHDRAWAL_REASON_LIMIT:
        raise RecordError(f"reason: at most {WITHDRAWAL_REASON_LIMIT} characters")
    if "\x00" in reason:
        raise RecordError("reason: contains a NUL character, which no database stores as text")
    engine = shared_engine(database_url)
    record = _record_by_id(engine, record_id)
    if record is None:
        raise RecordError(f"record: there is no DBA record {record_id}")
    if record.withdrawn:
        raise RecordError(f"record: {record_id} was already withdrawn by {record.withdrawn_by}")
    withdrawal = {"record_id": record_id, "withdrawn_at": now, "withdrawn_by": actor.name, "reason": reason}
    try:
        with engine.begin() as connection:
            connection.execute(sa.insert(DbaRecordWithdrawalRow.__table__).values(withdrawal))
            record_audit(
                connection,
                actor=actor,
                action="withdrawn",
                entity="dba_record",
                entity_id=record_id,
                at=now,
                details={"database": record.database, "kind": record.kind, "reason": reason},
            )
    except sa.exc.IntegrityError:
        raise RecordError(f"record: {record_id} was withdrawn by someone else a moment ago") from None
    return _record_by_id(engine, record_id)


def _records_query() -> sa.Select:
    """Records with their withdrawal, if any (an outer join: most have none)."""
    records, withdrawals = DbaRecordRow.__table__, DbaRecordWithdrawalRow.__table__
    return sa.select(
        records, withdrawals.c.withdrawn_at, withdrawals.c.withdrawn_by, withdrawals.c.reason.label("withdrawal_reason")
    ).select_from(records.outerjoin(withdrawals, withdrawals.c.record_id == records.c.id))


def _record_by_id(engine: sa.Engine, record_id: int) -> DbaRecord | None:
    with engine.connect() as connection:
        row = connection.execute(_records_query().where(DbaRecordRow.__table__.c.id == record_id)).first()
    return None if row is None else _record(dict(row._mapping))


def _record(row: dict[str, Any]) -> DbaRecord:
    return DbaRecord(
        database=row["database"],
        kind=row["kind"],
        done_on=row["done_on"],
        recorded_by=row["recorded_by"],
        outcome=row["outcome"],
        notes=row["notes"],
        link=row["link"],
        recorded_at=row["recorded_at"],
        id=row["id"],
        withdrawn_at=row.get("withdrawn_at"),
        withdrawn_by=row.get("withdrawn_by"),
        withdrawal_reason=row.get("withdrawal_reason"),
    )


def list_records(database_url: str, database: str | None = None) -> list[DbaRecord]:
    """Every record (of one database), withdrawn ones included (marked), newest first."""
    table = DbaRecordRow.__table__
    query = _records_query().order_by(table.c.done_on.desc(), table.c.id.desc())
    if database:
        query = query.where(table.c.database == database)
    with shared_engine(database_url).connect() as connection:
        return [_record(dict(row._mapping)) for row in connection.execute(query)]


def latest_records_by_database(database_url: str, names: list[str]) -> dict[str, list[DbaRecord]]:
    """Each database's records (every kind, all entries, withdrawn ones marked; the check picks the newest standing
    one per kind)."""
    if not names:
        return {}
    table = DbaRecordRow.__table__
    query = _records_query().where(table.c.database.in_(names)).order_by(table.c.done_on)
    grouped: dict[str, list[DbaRecord]] = {}
    with shared_engine(database_url).connect() as connection:
        for row in connection.execute(query):
            record = _record(dict(row._mapping))
            grouped.setdefault(record.database, []).append(record)
    return grouped
