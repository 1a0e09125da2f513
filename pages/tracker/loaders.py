"""What the tracker pages read: the store's engine, the names links may use, the clock, and
the live readings triggers are evaluated against.

Database triggers read the database-health fleet probe through ``database_reading_provider`` (cached and shared
with the database-health page).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from data.settings import Settings
from data.slo.catalog import Catalog, CatalogError
from data.tracker.service import ReadingsFor, link_names
from data.tracker.signals import (
    DatabaseReadingProvider,
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
    return link_names(settings, catalog)


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


def readings_for(settings: Settings, catalog: Catalog | None) -> ReadingsFor:
    """Live readings now from the pages' cached loaders (the SLO report, the database-health fleet probe), for
    ``data.tracker.service``: a function of the database names the open items' triggers read."""
    at = loaders.evaluation_instant(settings.now())
    report: SloReport | None = loaders.report(settings, catalog, at) if catalog is not None and catalog.slos else None

    def read(wanted_databases: Collection[str]) -> Readings:
        provider = database_reading_provider(settings)
        return tracker_readings(report, at, wanted_databases=wanted_databases, database_readings=provider)

    return read


def readings_problem(readings: Readings) -> str | None:
    """What to show when a source could not answer (triggers on it then read no data)."""
    problems = []
    if readings.slo_errors:
        problems.append("SLO readings unavailable: " + "; ".join(readings.slo_errors))
    if readings.database_error:
        problems.append(f"database readings unavailable: {readings.database_error}")
    return " · ".join(problems) or None
