"""Incidents: what an entry must hold, CSV rows checked field by field, and recovery times per week and service.

Time to acknowledge (TTA) runs from detection (or from the start when detection was not recorded) to
acknowledgement; time to resolve (TTR) from the start of the impact to its resolution. Both are reported as mean
and median: one long outage moves the mean, the median says what a typical incident costs. An incident belongs to
the ISO week (team time zone) in which it started. Open incidents count, but have no TTR yet.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from metrics.import_limits import text_size_problem
from metrics.trends.aggregate import period_label

SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
CSV_COLUMNS = ("id", "service", "severity", "started", "detected", "acknowledged", "resolved", "summary", "postmortem")
REQUIRED_CSV_COLUMNS = ("id", "service", "severity", "started")
MAX_REFERENCE = 100
MAX_SUMMARY = 2000
MAX_POSTMORTEM_URL = 500  # the store's column
_UNKNOWN = datetime(
    1970, 1, 1, tzinfo=ZoneInfo("UTC")
)  # stands in for an unreadable start while other fields are checked


@dataclass(frozen=True)
class Incident:
    reference: str  # the team's own id, e.g. INC-2026-041: re-importing the same id updates, never duplicates
    service: str
    severity: str
    started: datetime  # aware
    detected: datetime | None = None
    acknowledged: datetime | None = None
    resolved: datetime | None = None
    summary: str = ""
    postmortem_url: str = ""

    @property
    def time_to_acknowledge(self) -> timedelta | None:
        if self.acknowledged is None:
            return None
        return self.acknowledged - (self.detected or self.started)

    @property
    def time_to_resolve(self) -> timedelta | None:
        return None if self.resolved is None else self.resolved - self.started


class IncidentError(ValueError):
    """Problems of one or more entries; each message names the row (for CSV) and the field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def incident_problems(incident: Incident, services: Iterable[str] | None = None) -> list[str]:
    """Field-named problems of one entry; an empty list means it may be stored."""
    problems = []
    if not incident.reference.strip():
        problems.append("id: required")
    elif len(incident.reference) > MAX_REFERENCE:
        problems.append(f"id: at most {MAX_REFERENCE} characters")
    known = list(services) if services is not None else None
    if not incident.service.strip():
        problems.append("service: required")
    elif known is not None and incident.service not in known:
        problems.append(f"service: {incident.service!r} is not in the SLO catalog (known: {', '.join(known)})")
    if incident.severity not in SEVERITIES:
        problems.append(f"severity: {incident.severity!r} is not one of {', '.join(SEVERITIES)}")
    order = [("started", incident.started), ("detected", incident.detected), ("acknowledged", incident.acknowledged)]
    present = [(name, moment) for name, moment in order if moment is not None]
    for (earlier_name, earlier), (later_name, later) in zip(present, present[1:]):
        if later < earlier:
            problems.append(f"{later_name}: before {earlier_name}")
    if incident.resolved is not None and incident.resolved < incident.started:
        problems.append("resolved: before started")
    if len(incident.summary) > MAX_SUMMARY:
        problems.append(f"summary: at most {MAX_SUMMARY} characters")
    if incident.postmortem_url and not incident.postmortem_url.startswith(("http://", "https://")):
        problems.append("postmortem: not an http(s) link")
    elif len(incident.postmortem_url) > MAX_POSTMORTEM_URL:
        problems.append(f"postmortem: at most {MAX_POSTMORTEM_URL} characters")
    for name, moment in (*order, ("resolved", incident.resolved)):
        if moment is not None and not _fits_utc(moment):
            problems.append(f"{name}: outside the years 1 to 9999 in UTC")
    for name, text in (
        ("id", incident.reference),
        ("service", incident.service),
        ("summary", incident.summary),
        ("postmortem", incident.postmortem_url),
    ):
        if "\x00" in text:  # PostgreSQL's text cannot hold it; refused on every store alike
            problems.append(f"{name}: contains a NUL character (\\x00), which the store cannot keep")
    return problems


def _fits_utc(moment: datetime) -> bool:
    """The store keeps UTC: 0001-01-01T00:00+05:00 has no UTC year to be stored in."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return False
    return True


def parse_moment(text: str, time_zone: str) -> datetime:
    """ISO 8601; a time without an offset is the team's local time."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(time_zone))


def parse_incidents_csv(text: str, time_zone: str, services: Sequence[str]) -> list[Incident]:
    """Every row of an incidents CSV, or ``IncidentError`` listing every problem as "row N, field: ..." (row 1 is
    the header), so a file is stored whole or not at all."""
    too_large = text_size_problem(text)
    if too_large:
        raise IncidentError([too_large])
    try:
        return _parse_rows(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")), time_zone, services)
    except csv.Error as error:  # e.g. a cell over the csv module's field size limit
        raise IncidentError([f"the file cannot be read as CSV ({error})"]) from None


def _parse_rows(reader: csv.DictReader, time_zone: str, services: Sequence[str]) -> list[Incident]:
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_CSV_COLUMNS if name not in header]
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if missing or unknown:
        problems = [f"header: missing column {name!r}" for name in missing]
        problems += [f"header: unknown column {name!r} (columns: {', '.join(CSV_COLUMNS)})" for name in unknown]
        raise IncidentError(problems)
    incidents, problems, seen = [], [], {}
    for number, raw in enumerate(reader, start=2):
        row = {(key or "").strip(): (value or "").strip() for key, value in raw.items() if key is not None}
        if None in raw:
            problems.append(f"row {number}: more fields than columns")
            continue
        moments, row_problems = {}, []
        for name in ("started", "detected", "acknowledged", "resolved"):
            if not row.get(name):
                if name == "started":
                    row_problems.append("started: required")
                moments[name] = None
                continue
            try:
                moments[name] = parse_moment(row[name], time_zone)
            except ValueError:
                row_problems.append(
                    f"{name}: {row[name]!r} is not a time like 2026-11-24T14:05 or 2026-11-24T14:05:00+09:00"
                )
                moments[name] = None
        time_problems = row_problems
        incident = Incident(
            reference=row.get("id", ""),
            service=row.get("service", ""),
            severity=row.get("severity", "").upper(),
            started=moments["started"] or _UNKNOWN,
            detected=moments["detected"],
            acknowledged=moments["acknowledged"],
            resolved=moments["resolved"],
            summary=row.get("summary", ""),
            postmortem_url=row.get("postmortem", ""),
        )
        row_problems = time_problems + [
            problem
            for problem in incident_problems(incident, services)
            if not (time_problems and " before " in problem)
        ]
        if incident.reference in seen:
            row_problems.append(f"id: {incident.reference!r} already on row {seen[incident.reference]}")
        seen.setdefault(incident.reference, number)
        problems += [f"row {number}, {problem}" for problem in row_problems]
        incidents.append(incident)
    if problems:
        raise IncidentError(problems)
    return incidents


@dataclass(frozen=True)
class RecoveryStats:
    """Incidents of one group (a week, a service): counts and recovery times."""

    key: str
    count: int
    by_severity: dict[str, int]
    open: int
    tta_mean: timedelta | None
    tta_median: timedelta | None
    ttr_mean: timedelta | None
    ttr_median: timedelta | None


def _mean_median(durations: list[timedelta]) -> tuple[timedelta | None, timedelta | None]:
    if not durations:
        return None, None
    seconds = [d.total_seconds() for d in durations]
    return timedelta(seconds=statistics.fmean(seconds)), timedelta(seconds=statistics.median(seconds))


def recovery_stats(incidents: Sequence[Incident], key: str) -> RecoveryStats:
    tta = [i.time_to_acknowledge for i in incidents if i.time_to_acknowledge is not None]
    ttr = [i.time_to_resolve for i in incidents if i.time_to_resolve is not None]
    return RecoveryStats(
        key,
        len(incidents),
        {s: sum(i.severity == s for i in incidents) for s in SEVERITIES},
        sum(i.resolved is None for i in incidents),
        *_mean_median(tta),
        *_mean_median(ttr),
    )


def stats_by_week(incidents: Sequence[Incident], time_zone: str, weeks: Sequence[str]) -> list[RecoveryStats]:
    """One entry per ISO week in ``weeks`` (weeks without incidents have a count of 0 and no times)."""
    zone = ZoneInfo(time_zone)
    grouped: dict[str, list[Incident]] = {week: [] for week in weeks}
    for incident in incidents:
        week = period_label(incident.started.astimezone(zone).date(), "week")
        if week in grouped:
            grouped[week].append(incident)
    return [recovery_stats(members, week) for week, members in grouped.items()]


def stats_by_service(incidents: Sequence[Incident]) -> list[RecoveryStats]:
    grouped: dict[str, list[Incident]] = {}
    for incident in incidents:
        grouped.setdefault(incident.service, []).append(incident)
    return [recovery_stats(members, service) for service, members in sorted(grouped.items())]
