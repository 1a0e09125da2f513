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
from datetime import datetime
from pathlib import Path

from data.settings import Settings
from metrics.databases.checks import DatabaseHealth
from metrics.slo.report import SloReport
from metrics.tracker.rules import KnownNames
from metrics.tracker.triggers import (
    Readings,
    SloTriggerReading,
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


def discovered_database_names(settings: Settings) -> set[str]:
    """The databases that server entries found and the store has snapshots of (``<entry>/<database>``, those the
    entry still watches): a read of the store alone, so opening the tracker probes and lists no server. None when
    there is no server entry, the file has none that parses, or the store cannot be read (``stored_targets`` then
    returns the entries as configured). Run ``collect db-health`` once after adding a server entry."""
    from data.databases.config import load_database_config
    from data.databases.service import stored_targets

    config = load_database_config(settings.databases_path)
    if not any(target.discover for target in config.databases):
        return set()
    return {target.name for target in stored_targets(settings, config) if target.server}


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
    triggers read "no reading yet"; a provider that fails is treated the same way, and ``database_error`` says so
    (a failing probe must not take the tracker down)."""
    databases: Mapping[tuple[str, str | None], str] = {}
    database_source, database_error = "no database readings yet", None
    if database_readings is not None and wanted_databases:
        try:
            result = database_readings(wanted_databases)
        except Exception as error:  # probes fail in many ways; the name of the error is what the page shows
            database_error = type(error).__name__
        else:
            databases, database_source = dict(result.statuses), result.source
    return Readings(
        at=at,
        slo_source=report.source if report is not None else "no SLO source",
        slos=slo_readings(report),
        database_source=database_source,
        databases=databases,
        slo_errors=tuple(report.errors.values()) if report is not None else (),
        database_error=database_error,
    )


# --- database readings from the live probes (database health) ------------------------------------------------------

# Probe statuses as triggers read them: "info" is fine, "unknown" is no reading (never fires).
_TRIGGER_STATUS = {"ok": "ok", "info": "ok", "warn": "warn", "critical": "critical", "unknown": "no data"}


def readings_from_health(
    healths: Iterable[DatabaseHealth], at: datetime, source: str | None = None
) -> DatabaseReadings:
    """Each database's overall status and each check's status, as database triggers read them. The source says
    what they came from: live probes, the demo fleet (demo mode, databases without a DSN), or both."""
    from data.databases.demo import is_demo

    healths = list(healths)
    if source is None:
        demo = sum(is_demo(health) for health in healths)
        source = (
            "live database probes"
            if not demo
            else "the demo database fleet"
            if demo == len(healths)
            else "live database probes and the demo database fleet"
        )
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
