"""SLO snapshot repository: idempotent writes keyed on (taken_at, slo), reads as plain dicts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from data.store.audit import record_audit
from data.store.inserts import insert_ignoring_duplicates
from data.store.models import SloSnapshot
from metrics.access import Actor, Role, require

SNAPSHOT_COLUMNS = tuple(column.name for column in SloSnapshot.__table__.columns)
_WRITABLE_COLUMNS = tuple(name for name in SNAPSHOT_COLUMNS if name != "id")


def save_snapshots(engine: sa.Engine, rows: list[dict[str, Any]], *, actor: Actor) -> int:
    """Store snapshots; a snapshot already stored (same taken_at and slo) is left as it is.

    Returns how many rows were new. `taken_at` must be timezone-aware; unknown keys are refused. A collector:
    admins only; the run gets one audit line.
    """
    require(actor, Role.ADMIN, "store SLO snapshots")
    if not rows:
        return 0
    cleaned = []
    for row in rows:
        unknown = set(row) - set(SNAPSHOT_COLUMNS)
        if unknown:
            raise KeyError(f"unknown snapshot fields: {sorted(unknown)}")
        cleaned.append({name: row.get(name) for name in _WRITABLE_COLUMNS})
    table = SloSnapshot.__table__
    with engine.begin() as connection:
        inserted = insert_ignoring_duplicates(connection, table, cleaned, ["taken_at", "slo"])
        taken = sorted({row["taken_at"] for row in cleaned})
        record_audit(
            connection,
            actor=actor,
            action="collected",
            entity="slo_snapshots",
            entity_id=taken[-1].isoformat(),
            at=datetime.now(UTC),
            details={"rows": len(cleaned), "stored": inserted},
        )
    return inserted


def _as_dicts(result: sa.Result) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in result]


def latest_snapshots(engine: sa.Engine, slo: str, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` snapshots of one SLO, newest first."""
    table = SloSnapshot.__table__
    query = sa.select(table).where(table.c.slo == slo).order_by(table.c.taken_at.desc()).limit(limit)
    with engine.connect() as connection:
        return _as_dicts(connection.execute(query))


def snapshots_between(engine: sa.Engine, slo: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Snapshots of one SLO with start <= taken_at < end, oldest first."""
    table = SloSnapshot.__table__
    query = (
        sa.select(table)
        .where(table.c.slo == slo, table.c.taken_at >= start, table.c.taken_at < end)
        .order_by(table.c.taken_at)
    )
    with engine.connect() as connection:
        return _as_dicts(connection.execute(query))


def target_changes(engine: sa.Engine, slo: str, start: datetime, end: datetime) -> list[tuple[datetime, float, float]]:
    """(when, old target, new target) for each stored snapshot in [start, end] whose target differs from the
    snapshot before it: the catalog's changes of the SLO's target as the store saw them."""
    return target_changes_of(engine, [slo], start, end).get(slo, [])


def target_changes_of(
    engine: sa.Engine, slos: Sequence[str], start: datetime, end: datetime
) -> dict[str, list[tuple[datetime, float, float]]]:
    """``target_changes`` of each of ``slos`` with data, in one query whatever their number. The database compares
    neighbours (``LAG`` per SLO) over the period and each SLO's one snapshot before it (through the (slo, taken_at)
    index), so only the changes come back, and a year of per-minute history is not read for a month's chart."""
    if not slos:
        return {}
    table = SloSnapshot.__table__
    earlier = table.alias("earlier")
    before = (
        sa.select(sa.func.max(earlier.c.taken_at))
        .where(earlier.c.slo == table.c.slo, earlier.c.taken_at < start)
        .scalar_subquery()
    )
    previous = sa.func.lag(table.c.target).over(partition_by=table.c.slo, order_by=table.c.taken_at).label("previous")
    lagged = (
        sa.select(table.c.slo, table.c.taken_at, table.c.target, previous)
        .where(
            table.c.slo.in_(list(slos)),
            table.c.taken_at <= end,
            table.c.taken_at >= sa.func.coalesce(before, start),
        )
        .subquery()
    )
    query = (
        sa.select(lagged.c.slo, lagged.c.taken_at, lagged.c.previous, lagged.c.target)
        .where(lagged.c.previous.is_not(None), lagged.c.previous != lagged.c.target, lagged.c.taken_at >= start)
        .order_by(lagged.c.slo, lagged.c.taken_at)
    )
    found: dict[str, list[tuple[datetime, float, float]]] = {}
    with engine.connect() as connection:
        for row in connection.execute(query):
            found.setdefault(row.slo, []).append((row.taken_at, row.previous, row.target))
    return found
