"""SLO budget adjustments in the store (migration 0013): one row per adjustment, changed only through a version
check (an edit made on a stale copy is refused), removed by a soft delete so the history stays. Every write adds its
line to the audit trail in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from data.store.appends import append_once
from data.store.audit import audit_entries, record_audit
from data.store.engine import shared_engine, sqlite_file
from data.store.models import Base
from data.store.types import UTCDateTime
from metrics.access import Actor
from metrics.slo.adjustments import Adjustment, AdjustmentCategory, Scope, parse_label_selector

ENTITY = "slo_adjustment"


class SloAdjustmentRow(Base):
    __tablename__ = "slo_adjustments"
    __table_args__ = (
        sa.Index("ix_slo_adjustments_removed_at", "removed_at"),
        sa.Index("uq_slo_adjustments_submission_key", "submission_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    category: Mapped[str] = mapped_column(sa.String(40))
    reason: Mapped[str] = mapped_column(sa.Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recurrence: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    slos: Mapped[list[str]] = mapped_column(sa.JSON)
    services: Mapped[list[str]] = mapped_column(sa.JSON)
    selector: Mapped[str] = mapped_column(sa.String(500))
    entered_by: Mapped[str] = mapped_column(sa.String(200))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(sa.Integer)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    removed_by: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)


_TABLE = SloAdjustmentRow.__table__


class AlreadyRecorded(Exception):
    """This form submission was stored before (a double click): nothing new was written."""

    def __init__(self, adjustment: Adjustment) -> None:
        super().__init__(
            f"already recorded: adjustment {adjustment.id} ({adjustment.category.value}, entered by "
            f"{adjustment.entered_by}); nothing was added twice"
        )
        self.adjustment = adjustment


class NotFound(LookupError):
    def __init__(self, adjustment_id: int) -> None:
        super().__init__(f"there is no adjustment {adjustment_id}")


class StaleEdit(Exception):
    """The adjustment changed since the copy this edit was made on: nothing was written. ``changed_by`` and
    ``changed_at``: the newest write of it in the audit trail (who came first)."""

    def __init__(
        self,
        current: Adjustment,
        expected_version: int,
        changed_by: str | None = None,
        changed_at: datetime | None = None,
    ) -> None:
        who = f" by {changed_by}" if changed_by else ""
        when = "" if changed_at is None else f" at {changed_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        if current.removed:
            what, now = f"was removed{who}{when}", ""
        else:
            what, now = f"was changed{who}{when}", f"; it is now at version {current.version}"
        super().__init__(
            f"adjustment {current.id} {what} since you read it (you edited version {expected_version}{now}): "
            "reload it and try again. Nothing was saved."
        )
        self.current, self.expected_version = current, expected_version
        self.changed_by, self.changed_at = changed_by, changed_at


def _adjustment(row: Any) -> Adjustment:
    return Adjustment(
        category=AdjustmentCategory(row.category),
        reason=row.reason,
        start=row.starts_at,
        end=row.ends_at,
        scope=Scope(tuple(row.slos or ()), tuple(row.services or ()), parse_label_selector(row.selector or "")),
        entered_by=row.entered_by,
        entered_at=row.entered_at,
        recurrence=row.recurrence,
        id=row.id,
        version=row.version,
        removed_at=row.removed_at,
        removed_by=row.removed_by,
    )


def _columns(adjustment: Adjustment) -> dict[str, Any]:
    return {
        "category": adjustment.category.value,
        "reason": adjustment.reason,
        "starts_at": adjustment.start,
        "ends_at": adjustment.end,
        "recurrence": adjustment.recurrence,
        "slos": list(adjustment.scope.slos),
        "services": list(adjustment.scope.services),
        "selector": adjustment.scope.selector_text,
    }


def _details(adjustment: Adjustment) -> dict[str, Any]:
    """What the audit line keeps of an adjustment: enough to tell later what it excluded."""
    return {
        "category": adjustment.category.value,
        "reason": adjustment.reason,
        "start": adjustment.start.isoformat(),
        "end": adjustment.end.isoformat(),
        "recurrence": adjustment.recurrence,
        "covers": adjustment.scope.describe(),
        "version": adjustment.version,
    }


def _changes(before: Adjustment, after: Adjustment) -> dict[str, list[Any]]:
    """Each field an edit changed, as [old, new] (the audit trail's shape for edits, as the tracker's)."""
    old, new = _details(before), _details(after)
    return {name: [old[name], new[name]] for name in old if name != "version" and old[name] != new[name]}


def insert_adjustment(
    engine: sa.Engine, adjustment: Adjustment, *, actor: Actor, submission_key: str | None = None
) -> Adjustment:
    """Store a new adjustment (version 1) and its audit line together; ``AlreadyRecorded`` for a repeated
    submission."""
    row = {
        **_columns(adjustment),
        "entered_by": adjustment.entered_by,
        "entered_at": adjustment.entered_at,
        "version": 1,
    }

    first_version = Adjustment(**{**adjustment.__dict__, "version": 1})
    new_id = append_once(
        engine,
        _TABLE,
        row,
        submission_key=submission_key,
        actor=actor,
        entity=ENTITY,
        at=adjustment.entered_at,
        details=_details(first_version),
        repeated=lambda first: AlreadyRecorded(_adjustment(first)),
    )
    return Adjustment(**{**first_version.__dict__, "id": new_id})


def get_adjustment(engine: sa.Engine, adjustment_id: int) -> Adjustment:
    with engine.connect() as connection:
        row = connection.execute(sa.select(_TABLE).where(_TABLE.c.id == adjustment_id)).first()
    if row is None:
        raise NotFound(adjustment_id)
    return _adjustment(row)


def _last_write(engine: sa.Engine, adjustment_id: int) -> tuple[str | None, datetime | None]:
    """Who wrote the adjustment last, and when, from the audit trail (every write adds its line there)."""
    entries = audit_entries(engine, entity=ENTITY, limit=1, entity_id=str(adjustment_id))
    return (entries[0]["actor"], entries[0]["at"]) if entries else (None, None)


def _guarded_update(
    engine: sa.Engine,
    adjustment_id: int,
    expected_version: int,
    values: dict[str, Any],
    *,
    actor: Actor,
    action: str,
    at: datetime,
    details: Callable[[Adjustment], dict[str, Any]] = _details,
) -> Adjustment:
    """One UPDATE that applies only to the expected version of a row not removed; the audit line (``details`` of
    the stored result) in the same transaction. ``StaleEdit`` when another change came first, ``NotFound`` when
    there is no such row."""
    statement = (
        sa.update(_TABLE)
        .where(
            _TABLE.c.id == adjustment_id,
            _TABLE.c.version == expected_version,
            _TABLE.c.removed_at.is_(None),
        )
        .values(**values, version=expected_version + 1)
    )
    with engine.begin() as connection:
        changed = connection.execute(statement).rowcount
        if changed == 1:
            row = connection.execute(sa.select(_TABLE).where(_TABLE.c.id == adjustment_id)).one()
            stored = _adjustment(row)
            record_audit(
                connection,
                actor=actor,
                action=action,
                entity=ENTITY,
                entity_id=adjustment_id,
                at=at,
                details=details(stored),
            )
            return stored
    current = get_adjustment(engine, adjustment_id)
    raise StaleEdit(current, expected_version, *_last_write(engine, adjustment_id))


def update_adjustment(
    engine: sa.Engine, adjustment_id: int, expected_version: int, changed: Adjustment, *, actor: Actor, at: datetime
) -> Adjustment:
    """Replace the window, category, reason and coverage of version ``expected_version``; the audit line lists each
    changed field (old, new). A save of what is stored already writes nothing and returns the stored adjustment: a
    second click of the same save, even one made on the version the first click replaced, is no conflict."""
    current = get_adjustment(engine, adjustment_id)
    if not current.removed and _columns(current) == _columns(changed):
        return current
    return _guarded_update(
        engine,
        adjustment_id,
        expected_version,
        _columns(changed),
        actor=actor,
        action="changed",
        at=at,
        details=lambda stored: {"version": stored.version, "changes": _changes(current, stored)},
    )


def remove_adjustment(
    engine: sa.Engine, adjustment_id: int, expected_version: int, *, actor: Actor, at: datetime
) -> Adjustment:
    """Mark it removed (the row stays, so past figures can still be explained)."""
    values = {"removed_at": at, "removed_by": actor.name.strip()}
    return _guarded_update(engine, adjustment_id, expected_version, values, actor=actor, action="removed", at=at)


def adjustments_stored(database_url) -> bool:
    """Whether the store exists and has the adjustments table (a SQLite file is not created by asking)."""
    path = sqlite_file(database_url)
    if path is not None and not path.exists():
        return False
    return sa.inspect(shared_engine(database_url)).has_table(_TABLE.name)


def list_adjustments(engine: sa.Engine, *, include_removed: bool = False) -> list[Adjustment]:
    """Newest window first."""
    query = sa.select(_TABLE).order_by(_TABLE.c.starts_at.desc(), _TABLE.c.id.desc())
    if not include_removed:
        query = query.where(_TABLE.c.removed_at.is_(None))
    with engine.connect() as connection:
        return [_adjustment(row) for row in connection.execute(query)]
