"""The audit trail's one read, run by the Audit trail page and by ``cli.py audit`` alike: the newest entries that match,
with each one's row as people read it (``metrics.audit.rows``). The write side stays in ``data.store.audit``: every
writer adds its line inside its own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from data.store.audit import audit_entries
from metrics.audit.rows import audit_rows

DEFAULT_LIMIT = 1000


@dataclass(frozen=True)
class AuditListing:
    entries: list[dict[str, Any]]  # as stored: at, actor, role, via, action, entity, entity_id, details (a dict)
    rows: list[dict[str, str]]  # the same entries as text, one per entry (``metrics.audit.rows.AUDIT_COLUMNS``)
    limit: int

    @property
    def truncated(self) -> bool:
        """Whether older entries were left out because the listing hit its limit."""
        return len(self.entries) >= self.limit


def audit_listing(
    engine: sa.Engine,
    time_zone: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    entity: str | None = None,
    actor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> AuditListing:
    """The newest entries first, at most ``limit``, in [since, until), optionally of one entity kind or actor."""
    entries = audit_entries(engine, since=since, until=until, entity=entity, actor=actor, limit=limit)
    return AuditListing(entries, audit_rows(entries, time_zone), limit)


def local_day_bounds(first: date | None, last: date | None, time_zone: str) -> tuple[datetime | None, datetime | None]:
    """[since, until) for the local days ``first`` .. ``last``; an open end stays None."""
    zone = ZoneInfo(time_zone)
    return (
        datetime.combine(first, time(), zone) if first else None,
        datetime.combine(last + timedelta(days=1), time(), zone) if last else None,
    )
