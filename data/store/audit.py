"""The audit trail: one append-only table (``audit_log``) where every write of the app says who, as what role, did
what, when. Writers add their line inside their own transaction, so a write and its audit line land together or
not at all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from data.store.models import AuditLogEntry
from metrics.access import Actor

_AUDIT = AuditLogEntry.__table__


def record_audit(
    connection: sa.Connection,
    *,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: str | int,
    at: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    row = audit_row(actor=actor, action=action, entity=entity, entity_id=entity_id, at=at, details=details)
    record_audits(connection, [row])


def audit_row(
    *, actor: Actor, action: str, entity: str, entity_id: str | int, at: datetime, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One audit entry's columns, for ``record_audits``."""
    return {
        "at": at,
        "actor": actor.name.strip(),
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "details": {**actor.audit_details(), **(details or {})},
    }


def record_audits(connection: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Many entries in one executemany: an import of 100,000 rows writes its trail in a few round trips."""
    if rows:
        connection.execute(sa.insert(_AUDIT), rows)


def audit_entries(
    engine: sa.Engine,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """The newest entries first: at, actor, role, via, action, entity, entity_id, details."""
    query = sa.select(_AUDIT).order_by(_AUDIT.c.at.desc(), _AUDIT.c.id.desc()).limit(limit)
    if since is not None:
        query = query.where(_AUDIT.c.at >= since)
    if until is not None:
        query = query.where(_AUDIT.c.at < until)
    if entity:
        query = query.where(_AUDIT.c.entity == entity)
    if entity_id is not None:
        query = query.where(_AUDIT.c.entity_id == entity_id)
    if actor:
        query = query.where(_AUDIT.c.actor == actor)
    with engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    entries = []
    for row in rows:
        details = dict(row["details"] or {})
        entries.append(
            {
                "at": row["at"],
                "actor": row["actor"],
                "role": details.pop("role", None),
                "via": details.pop("via", None),
                "action": row["action"],
                "entity": row["entity"],
                "entity_id": row["entity_id"],
                "details": details,
            }
        )
    return entries
