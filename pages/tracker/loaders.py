"""What the tracker pages read: the store's engine, the names links may use, the clock, and
the live readings triggers are evaluated against.

Database triggers read the database-health fleet probe through ``database_reading_provider`` (cached and shared
with the database-health page).
"""

from __future__ import annotations

from datetime import date, datetime

from data.settings import Settings
from data.slo.catalog import Catalog, CatalogError
from data.tracker.signals import (
    DatabaseReadingProvider,
    known_database_names,
    known_names,
    probe_reading_provider,
    tracker_readings,
)
from metrics.slo.report import SloReport
from metrics.tracker.rules import KnownNames, team_today
from metrics.tracker.triggers import Readings
from pages.common import fleet, loaders


def now(settings: Settings) -> datetime:
    """The clock the app reads (``RELIABILITY_NOW`` overrides it for demos and tests)."""
    return settings.now()


def today(settings: Settings) -> date:
    return team_today(settings.now(), settings.team_timezone)


def catalog_or_none(settings: Settings) -> Catalog | None:
    try:
        return loaders.catalog(settings)
    except CatalogError:
        return None


def known(settings: Settings, catalog: Catalog | None) -> KnownNames:
    """SLOs and services of the catalog and databases of databases.toml: what new links and triggers may name."""
    slos = [slo.name for slo in catalog.slos] if catalog else []
    services = catalog.service_names() if catalog else []
    return known_names(slos, services, known_database_names(settings.databases_path))


def database_reading_provider(settings: Settings) -> DatabaseReadingProvider | None:
    """Database readings for triggers: the database-health page's fleet probe, shared with it through its cache
    (one probe a minute, whoever asks). None when databases.toml lists no database."""
    config = fleet.database_config(settings)
    if not config.databases:
        return None

    def cached_fleet(names):
        healths, _ = fleet.fleet_health(settings, config)
        return [health for health in healths if health.database in names]

    return probe_reading_provider(settings, probe=cached_fleet)


def readings(settings: Settings, catalog: Catalog | None, wanted_databases: set[str]) -> tuple[Readings, str | None]:
    """Live readings now, and a problem to show when a source could not answer (triggers then read no data)."""
    at = loaders.evaluation_instant(settings.now())
    report: SloReport | None = None
    problem = None
    if catalog is not None and catalog.slos:
        report = loaders.report(settings, catalog, at)
        if report.errors:
            problem = "SLO readings unavailable: " + "; ".join(report.errors.values())
    provider = database_reading_provider(settings)
    try:
        return tracker_readings(report, at, wanted_databases=wanted_databases, database_readings=provider), problem
    except Exception as error:  # a failing probe must not take the tracker down: database triggers read no data
        problem = (problem + " · " if problem else "") + f"database readings unavailable: {type(error).__name__}"
        return tracker_readings(report, at), problem
