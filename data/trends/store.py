"""Daily SLO rollups: one row per (local day, SLO), written idempotently, read back as plain dicts.

The rows are the collector's progress record: a (day, SLO) pair with a row is done, so a rerun queries only the
pairs still missing, and each day is written in one transaction (an interrupted run leaves whole days or nothing).
Writing a row that exists replaces it with the same values (an upsert), so collecting twice changes nothing.

Rows carry their source: the demo's rows (``collect rollups --demo``) never count as collected for Prometheus.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from data.store.audit import record_audit
from data.store.models import Base
from data.store.types import UTCDateTime
from metrics.access import Actor, Role, require
from metrics.trends.rollups import RollupOrigin

# The ``source`` column holds the collecting source's description, or this marker for the demo's rows.
DEMO_SOURCE = RollupOrigin.DEMO.value


class DailyRollupRow(Base):
    """What one SLO did during one day of the team's time zone (see ``metrics.trends.rollups``)."""

    __tablename__ = "slo_daily_rollups"
    __table_args__ = (
        sa.UniqueConstraint("day", "slo"),
        sa.Index("ix_slo_daily_rollups_service_day", "service", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(sa.Date)
    slo: Mapped[str] = mapped_column(sa.String(200))
    service: Mapped[str] = mapped_column(sa.String(200))
    target: Mapped[float] = mapped_column(sa.Double)
    period_seconds: Mapped[int] = mapped_column(sa.Integer)
    day_seconds: Mapped[int] = mapped_column(sa.Integer)
    total: Mapped[float | None] = mapped_column(sa.Double, nullable=True)  # NULL: no series, no data
    bad: Mapped[float | None] = mapped_column(sa.Double, nullable=True)
    error_ratio: Mapped[float | None] = mapped_column(sa.Double, nullable=True)
    sli: Mapped[float | None] = mapped_column(sa.Double, nullable=True)
    met_objective: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    budget_consumed: Mapped[float | None] = mapped_column(sa.Double, nullable=True)
    latency_p50: Mapped[float | None] = mapped_column(sa.Double, nullable=True)
    latency_p95: Mapped[float | None] = mapped_column(sa.Double, nullable=True)
    latency_p99: Mapped[float | None] = mapped_column(sa.Double, nullable=True)
    latency_buckets: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, nullable=True)  # {le: events}
    counted: Mapped[str] = mapped_column(sa.String(10), server_default="events")  # events, slices or points
    # ``metrics.trends.rollups.counted_fingerprint`` of the SLO when collected; NULL for rows stored before 0018
    fingerprint: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    source: Mapped[str] = mapped_column(sa.String(200))
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime())


_TABLE = DailyRollupRow.__table__
ROLLUP_COLUMNS = tuple(column.name for column in _TABLE.columns if column.name != "id")
_KEY = ("day", "slo")


def _upsert(dialect_name: str):
    """INSERT .. ON CONFLICT (day, slo) DO UPDATE, in each backend's words; executed with many rows at once."""
    updated = [name for name in ROLLUP_COLUMNS if name not in _KEY]
    if dialect_name in ("postgresql", "sqlite"):
        if dialect_name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(_TABLE)
        return statement.on_conflict_do_update(
            index_elements=list(_KEY), set_={name: statement.excluded[name] for name in updated}
        )
    if dialect_name in ("mysql", "mariadb"):
        from sqlalchemy.dialects.mysql import insert

        statement = insert(_TABLE)
        return statement.on_duplicate_key_update({name: statement.inserted[name] for name in updated})
    raise NotImplementedError(f"no upsert for {dialect_name}")


def save_daily_rollups(engine: sa.Engine, rows: Sequence[dict[str, Any]], *, actor: Actor) -> int:
    """Insert or replace rows keyed on (day, slo), all in one transaction with its audit line. Returns how many
    rows were written. A collector: admins only."""
    require(actor, Role.ADMIN, "store daily rollups")
    if not rows:
        return 0
    cleaned = []
    for row in rows:
        unknown = set(row) - set(ROLLUP_COLUMNS)
        if unknown:
            raise KeyError(f"unknown rollup fields: {sorted(unknown)}")
        cleaned.append({name: row.get(name) for name in ROLLUP_COLUMNS} | {"counted": row.get("counted") or "events"})
    with engine.begin() as connection:
        connection.execute(_upsert(connection.dialect.name), cleaned)  # executemany: one cached statement
        days = sorted({str(row["day"]) for row in cleaned})
        record_audit(
            connection,
            actor=actor,
            action="collected",
            entity="daily_rollups",
            entity_id=days[0] if len(days) == 1 else f"{days[0]}..{days[-1]}",
            at=cleaned[0].get("collected_at") or datetime.now(UTC),
            details={"rows": len(cleaned), "days": len(days)},
        )
    return len(cleaned)


def _source_filter(demo: bool):
    return _TABLE.c.source == DEMO_SOURCE if demo else _TABLE.c.source != DEMO_SOURCE


def collected_pairs(
    engine: sa.Engine, first: date, last: date, *, demo: bool = False, fingerprints: Mapping[str, str] | None = None
) -> set[tuple[date, str]]:
    """(day, slo) pairs already stored between ``first`` and ``last`` (inclusive) by this kind of source. With
    ``fingerprints`` (per SLO): a row stored under another fingerprint counted other queries and is not collected
    (rows stored before fingerprints, NULL, are kept as they are)."""
    query = sa.select(_TABLE.c.day, _TABLE.c.slo, _TABLE.c.fingerprint).where(
        _TABLE.c.day >= first, _TABLE.c.day <= last, _source_filter(demo)
    )
    fingerprints = fingerprints or {}
    with engine.connect() as connection:
        return {
            (row.day, row.slo)
            for row in connection.execute(query)
            if row.fingerprint is None or fingerprints.get(row.slo, row.fingerprint) == row.fingerprint
        }


def daily_rollups_between(
    engine: sa.Engine, first: date, last: date, *, services: Iterable[str] | None = None, demo: bool = False
) -> list[dict[str, Any]]:
    """Rows with first <= day <= last, oldest first, optionally for some services only."""
    query = sa.select(_TABLE).where(_TABLE.c.day >= first, _TABLE.c.day <= last, _source_filter(demo))
    if services is not None:
        query = query.where(_TABLE.c.service.in_(list(services)))
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query.order_by(_TABLE.c.day, _TABLE.c.slo))]


def rollup_day_range(engine: sa.Engine, *, demo: bool = False) -> tuple[date, date] | None:
    """The first and last day with a stored row, or None when nothing has been collected."""
    query = sa.select(sa.func.min(_TABLE.c.day), sa.func.max(_TABLE.c.day)).where(_source_filter(demo))
    with engine.connect() as connection:
        first, last = connection.execute(query).one()
    return None if first is None else (first, last)


def last_collected_at(engine: sa.Engine, *, demo: bool = False) -> datetime | None:
    query = sa.select(sa.func.max(_TABLE.c.collected_at)).where(_source_filter(demo))
    with engine.connect() as connection:
        return connection.execute(query).scalar()


def stored_event_days(
    engine: sa.Engine, slos: Mapping[str, str], first: date, last: date
) -> dict[str, dict[date, tuple[float, float] | None]]:
    """Per SLO, its collected days between ``first`` and ``last`` that count events: (total, bad), or None for a
    day its counters had no series. One query whatever the number of SLOs (the names are matched in Python, so the
    statement's size does not grow with them); the demo's rows never count. ``slos``: name -> the SLO's
    fingerprint now; a day stored under another one counted other queries and is left out."""
    query = sa.select(_TABLE.c.slo, _TABLE.c.day, _TABLE.c.total, _TABLE.c.bad, _TABLE.c.fingerprint).where(
        _TABLE.c.day >= first, _TABLE.c.day <= last, _TABLE.c.counted == "events", _source_filter(False)
    )
    days: dict[str, dict[date, tuple[float, float] | None]] = {}
    with engine.connect() as connection:
        rows = connection.execute(query).all()  # plain tuples: tens of thousands of rows at a thousand SLOs
    for slo, day, total, bad, fingerprint in rows:
        if slo in slos and fingerprint in (None, slos[slo]):
            days.setdefault(slo, {})[day] = None if total is None else (total, bad or 0.0)
    return days
