"""Live readings for revisit triggers, from the same sources as the SLO burn and database health pages.

SLO readings come from an ``SloReport`` (``data.slo.service.load_report`` / ``pages.common.loaders.report``). Database
readings come from a provider passed in as ``database_readings``: a function that takes the database names the
triggers ask about and returns ``DatabaseReadings``. Until the database-health probes are wired in, there is no
provider and every database trigger reads "no reading yet" (it never fires on missing data).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from data.settings import Settings
from data.tracker.store import TrackerItem, mark_due
from metrics.access import VIA_SYSTEM, Actor, Role
from metrics.databases.checks import DatabaseHealth
from metrics.slo.report import SloReport
from metrics.tracker.rules import DUE, OPEN_STATES, PARKED, PRIORITIES, KnownNames, priority
from metrics.tracker.triggers import (
    DueReason,
    Readings,
    SloTriggerReading,
    Trigger,
    TriggerError,
    TriggerEvaluation,
    becomes_due,
    due_reasons,
    due_sort_key,
    evaluate_trigger,
    trigger_from_dict,
)


@dataclass(frozen=True)
class DatabaseReadings:
    """Statuses ("ok", "warn", "critical", "no data") by (database, check id); (database, None) is the whole
    database's status. ``source`` names where they came from ("live probes", "postgres_exporter via Prometheus")."""

    statuses: Mapping[tuple[str, str | None], str] = field(default_factory=dict)
    at: datetime | None = None
    source: str = "database probes"


# The seam for database health (issue 3): called with the database names that triggers refer to.
DatabaseReadingProvider = Callable[[Collection[str]], DatabaseReadings]


def known_database_names(databases_path: Path) -> set[str]:
    """Names of the monitored databases in databases.toml: ``[[database]]`` (or ``[[databases]]``) tables with a
    ``name``. Read here, not through the database-health loader, so the tracker keeps working while that file has
    problems the health page reports.

    A missing or unreadable file means no databases are known: the tracker then refuses new database links and
    says why, instead of failing."""
    try:
        data = tomllib.loads(databases_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return set()
    entries = data.get("database", data.get("databases", []))
    if isinstance(entries, dict):  # [databases.<name>] tables
        return {str(name) for name in entries}
    if not isinstance(entries, list):
        return set()
    return {str(entry["name"]) for entry in entries if isinstance(entry, dict) and entry.get("name")}


def known_names(slo_names: Iterable[str], service_names: Iterable[str], database_names: Iterable[str]) -> KnownNames:
    return KnownNames(slos=frozenset(slo_names), services=frozenset(service_names), databases=frozenset(database_names))


def slo_readings(report: SloReport | None) -> dict[str, SloTriggerReading]:
    """Budget remaining and burn rates of every SLO in the report (None where the SLO has no data)."""
    if report is None:
        return {}
    return {
        status.slo.name: SloTriggerReading(status.budget_remaining, dict(status.burn_rates))
        for status in report.statuses
    }


def tracker_readings(
    report: SloReport | None,
    at: datetime,
    *,
    wanted_databases: Collection[str] = (),
    database_readings: DatabaseReadingProvider | None = None,
) -> Readings:
    """Everything triggers may read, at one instant. ``database_readings`` is optional: without it, database
    triggers read "no reading yet"; a provider that fails is treated the same way (the page says so)."""
    databases: Mapping[tuple[str, str | None], str] = {}
    database_source = "no database readings yet"
    if database_readings is not None and wanted_databases:
        result = database_readings(wanted_databases)
        databases, database_source = dict(result.statuses), result.source
    return Readings(
        at=at,
        slo_source=report.source if report is not None else "no SLO source",
        slos=slo_readings(report),
        database_source=database_source,
        databases=databases,
    )


# --- the due queue --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueEntry:
    """An item in the due queue: why it is due now (live), why it became due (stored), and every trigger's
    current reading so the page can show each next to its threshold."""

    item: TrackerItem
    live_reasons: list[DueReason]
    stored_reason: DueReason | None
    evaluations: list[TriggerEvaluation]

    @property
    def reasons(self) -> list[DueReason]:
        """What to show: every live reason (the current reading), then the stored one when its signal has since
        recovered (the reading that fired it is then the only trace of why the item came due)."""
        live = {_identity(reason) for reason in self.live_reasons}
        stored = [self.stored_reason] if self.stored_reason and _identity(self.stored_reason) not in live else []
        return list(self.live_reasons) + stored

    def to_dict(self) -> dict:
        item = self.item
        return {
            "id": item.id,
            "title": item.title,
            "state": item.state,
            "owner_role": item.owner_role,
            "owner": item.owner,
            "priority": priority(item.impact, item.urgency),
            "revisit_on": None if item.revisit_on is None else item.revisit_on.isoformat(),
            "reasons": [reason.to_dict() for reason in self.reasons],
            "triggers": [evaluation.to_dict() for evaluation in self.evaluations],
        }


def _identity(reason: DueReason) -> tuple:
    """Same cause, whatever its reading: the revisit date, or one trigger."""
    trigger = tuple(sorted((reason.trigger or {}).items()))
    return (reason.kind, trigger, reason.threshold if not trigger else None)


def parsed_triggers(item: TrackerItem) -> list[Trigger]:
    """An item's stored triggers; one that no longer parses is skipped (the item page lists it as unreadable)."""
    triggers = []
    for data in item.triggers:
        try:
            triggers.append(trigger_from_dict(data))
        except TriggerError:
            continue
    return triggers


def wanted_databases(items: Iterable[TrackerItem]) -> set[str]:
    """Databases that open items' triggers read: the only ones worth probing for the tracker."""
    return {t.database for item in items if item.state in OPEN_STATES for t in parsed_triggers(item) if t.database}


def evaluate_item(item: TrackerItem, readings: Readings, today: date) -> DueEntry:
    triggers = parsed_triggers(item)
    return DueEntry(
        item=item,
        live_reasons=due_reasons(item.revisit_on, triggers, readings, today),
        stored_reason=DueReason.from_dict(item.due_reason) if item.due_reason else None,
        evaluations=[evaluate_trigger(trigger, readings, today) for trigger in triggers],
    )


def due_queue(items: Iterable[TrackerItem], readings: Readings, today: date) -> list[DueEntry]:
    """Items due now: those already due, and parked ones whose date or trigger has come. Date-due first, then
    signal-due, then due by hand; higher priority first within each."""
    entries = []
    for item in items:
        if item.state not in (DUE, PARKED):
            continue
        entry = evaluate_item(item, readings, today)
        if item.state == DUE or becomes_due(item.state, entry.live_reasons):
            entries.append(entry)
    return sorted(
        entries,
        key=lambda e: due_sort_key(
            e.reasons, PRIORITIES.index(priority(e.item.impact, e.item.urgency)), e.item.revisit_on
        ),
    )


# The app applying an item's own revisit rule, whoever happens to look: not a person's edit.
REVISIT_CHECK_ACTOR = Actor("revisit check (automatic)", Role.EDITOR, VIA_SYSTEM)


def mark_due_items(engine, entries: Iterable[DueEntry], now: datetime) -> list[int]:
    """Store "due" on parked items whose date or trigger has come, with the reason and reading that fired."""
    return mark_due(
        engine,
        {
            entry.item.id: (entry.item.version, entry.live_reasons)
            for entry in entries
            if entry.item.state == PARKED and entry.live_reasons
        },
        actor=REVISIT_CHECK_ACTOR,
        now=now,
    )


# --- database readings from the live probes (database health) ------------------------------------------------------

# Probe statuses as triggers read them: "info" is fine, "unknown" is no reading (never fires).
_TRIGGER_STATUS = {"ok": "ok", "info": "ok", "warn": "warn", "critical": "critical", "unknown": "no data"}


def readings_from_health(
    healths: Iterable[DatabaseHealth], at: datetime, source: str = "live database probes"
) -> DatabaseReadings:
    """Each database's overall status and each check's status, as database triggers read them."""
    statuses: dict[tuple[str, str | None], str] = {}
    for health in healths:
        statuses[(health.database, None)] = _TRIGGER_STATUS.get(health.status, "no data")
        for check in health.checks:
            statuses[(health.database, check.id)] = _TRIGGER_STATUS.get(check.status, "no data")
    return DatabaseReadings(statuses=statuses, at=at, source=source)


def probe_reading_provider(settings: Settings, probe=None) -> DatabaseReadingProvider:
    """Database readings straight from the probes of database health, for the CLI (the page passes its cached
    fleet instead). ``probe(names)`` defaults to probing those databases of databases.toml now."""

    def provide(names: Collection[str]) -> DatabaseReadings:
        if probe is not None:
            healths = probe(names)
        else:
            from data.databases.config import load_database_config
            from data.databases.fleet import probe_fleet

            config = load_database_config(settings.databases_path)
            healths = probe_fleet(settings, config, names=sorted(names))
        return readings_from_health(healths, settings.now())

    return provide
