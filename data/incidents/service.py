"""The incidents feature's steps, run by the Incidents and Trends pages and by ``cli.py incidents`` alike: recording
one incident, importing a CSV (whole file or nothing), reading the incidents of some local days, and their counts and
recovery times per ISO week and service."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from data.incidents.store import incidents_between, save_incidents
from metrics.access import Actor
from metrics.incidents.rules import (
    Incident,
    IncidentError,
    RecoveryStats,
    incident_problems,
    parse_incidents_csv,
    stats_by_service,
    stats_by_week,
)
from metrics.trends.aggregate import periods_between
from metrics.trends.rollups import local_midnight

RECENT_DAYS = 90  # what the Incidents page lists


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int


@dataclass(frozen=True)
class IncidentReport:
    """Counts, time to acknowledge and time to resolve (mean, median) per ISO week and per service."""

    weeks: list[RecoveryStats]  # every week of the range, empty ones included
    services: list[RecoveryStats]

    @property
    def weeks_with_incidents(self) -> list[RecoveryStats]:
        return [week for week in self.weeks if week.count]


def record_incident(
    engine: sa.Engine, incident: Incident, *, services: Sequence[str], actor: Actor, recorded_at: datetime
) -> bool:
    """Store one incident (an existing id is updated): True when it was new. ``IncidentError`` when it breaks a
    rule, ``PermissionDenied``/``MissingName`` when ``actor`` may not record incidents."""
    problems = incident_problems(incident, services)
    if problems:
        raise IncidentError(problems)
    added, _ = save_incidents(engine, [incident], actor=actor, recorded_at=recorded_at)
    return bool(added)


def import_incidents(
    engine: sa.Engine, text: str, *, time_zone: str, services: Sequence[str], actor: Actor, recorded_at: datetime
) -> ImportResult:
    """Parse a CSV and store it whole, or nothing: ``IncidentError`` lists every problem with its row and field.
    Admins only (``PermissionDenied``)."""
    parsed = parse_incidents_csv(text, time_zone, services)
    added, updated = save_incidents(engine, parsed, actor=actor, recorded_at=recorded_at, imported=True)
    return ImportResult(added, updated)


def incidents_in_days(
    engine: sa.Engine, first: date, last: date, time_zone: str, services: Sequence[str] | None = None
) -> list[Incident]:
    """Incidents that started on the local days ``first`` .. ``last`` (inclusive), oldest first."""
    return incidents_between(
        engine,
        local_midnight(first, time_zone),
        local_midnight(last + timedelta(days=1), time_zone),
        None if services is None else list(services),
    )


def incidents_or_demo(settings, engine: sa.Engine, start: datetime, end: datetime) -> tuple[list[Incident], str | None]:
    """The incidents that started in [start, end): the store's; in demo mode while it has none there, the demo's
    (``data.incidents.demo``), with the note that says so (None for stored ones)."""
    from data.incidents.demo import DEMO_INCIDENTS_NOTE, demo_incidents

    stored = incidents_between(engine, start, end)
    if stored or not settings.is_demo:
        return stored, None
    shown = [incident for incident in demo_incidents(settings.now()) if start <= incident.started < end]
    return shown, DEMO_INCIDENTS_NOTE if shown else None


def recent_incidents(engine: sa.Engine, now: datetime, days: int = RECENT_DAYS) -> list[Incident]:
    """Incidents that started in the last ``days`` days (up to a day ahead, for clocks slightly off), oldest first."""
    return incidents_between(engine, now - timedelta(days=days), now + timedelta(days=1))


def incident_report(incidents: Sequence[Incident], time_zone: str, first: date, last: date) -> IncidentReport:
    """Recovery figures of ``incidents`` per ISO week of ``first`` .. ``last`` and per service."""
    return IncidentReport(
        stats_by_week(incidents, time_zone, periods_between(first, last, "week")), stats_by_service(incidents)
    )
