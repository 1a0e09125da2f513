"""Incidents repository: entries keyed on the team's own id (``reference``), written whole or not at all.

Saving an incident whose reference exists replaces it (re-importing a corrected CSV updates, never duplicates);
a batch is one transaction, so a file with one bad row stores nothing (rows are checked before, by
``metrics.incidents.rules``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from data.store.audit import audit_row, record_audits
from data.store.lookups import existing_values
from data.store.models import Base
from data.store.types import UTCDateTime
from metrics.access import Actor, Role, require
from metrics.incidents.rules import Incident


class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (sa.UniqueConstraint("reference"), sa.Index("ix_incidents_started", "started"))

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(sa.String(100))
    service: Mapped[str] = mapped_column(sa.String(200))
    severity: Mapped[str] = mapped_column(sa.String(10))
    started: Mapped[datetime] = mapped_column(UTCDateTime())
    detected: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acknowledged: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolved: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    summary: Mapped[str] = mapped_column(sa.Text)
    postmortem_url: Mapped[str] = mapped_column(sa.String(500))
    recorded_by: Mapped[str] = mapped_column(sa.String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


_TABLE = IncidentRow.__table__
_FIELDS = ("service", "severity", "started", "detected", "acknowledged", "resolved", "summary", "postmortem_url")


def save_incidents(
    engine: sa.Engine, incidents: Sequence[Incident], *, actor: Actor, recorded_at: datetime, imported: bool = False
) -> tuple[int, int]:
    """Insert new incidents and replace those whose reference exists, in one transaction: (added, updated).

    Editors record incidents; an import (``imported``) is for admins. Each incident gets an audit line."""
    recorded_by = require(
        actor, Role.ADMIN if imported else Role.EDITOR, "import incidents" if imported else "record incidents"
    )
    new: dict[str, dict] = {}  # inserted together at the end: one executemany for an import of any size
    audits = []
    with engine.begin() as connection:
        stored = existing_values(connection, _TABLE.c.reference, (i.reference for i in incidents))
        for incident in incidents:
            values = {name: getattr(incident, name) for name in _FIELDS}
            values.update(recorded_by=recorded_by, recorded_at=recorded_at)
            if incident.reference in stored:
                connection.execute(sa.update(_TABLE).where(_TABLE.c.reference == incident.reference).values(values))
                action = "updated"
            else:
                action = "updated" if incident.reference in new else "created"
                new[incident.reference] = {"reference": incident.reference, **values}  # a later row wins, as an update
            details = {"service": incident.service, "severity": incident.severity}
            audits.append(
                audit_row(
                    actor=actor,
                    action=action,
                    entity="incident",
                    entity_id=incident.reference,
                    at=recorded_at,
                    details={**details, **({"imported": True} if imported else {})},
                )
            )
        if new:
            connection.execute(sa.insert(_TABLE), list(new.values()))
        record_audits(connection, audits)
    added = len(new)
    return added, len(incidents) - added


def incidents_between(
    engine: sa.Engine, start: datetime, end: datetime, services: Iterable[str] | None = None
) -> list[Incident]:
    """Incidents that started in [start, end), oldest first."""
    query = sa.select(_TABLE).where(_TABLE.c.started >= start, _TABLE.c.started < end)
    if services is not None:
        query = query.where(_TABLE.c.service.in_(list(services)))
    with engine.connect() as connection:
        rows = connection.execute(query.order_by(_TABLE.c.started, _TABLE.c.reference)).mappings().all()
    return [Incident(reference=row["reference"], **{name: row[name] for name in _FIELDS}) for row in rows]
