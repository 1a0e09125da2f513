"""The database fleet's configuration and health, cached and shared by every page that reads it: the database-health
pages, and the tracker's database triggers.

The fleet is probed at most once a minute per configuration and set of DSNs, whoever is watching, so the dashboard
never becomes load on the databases it watches. The cache key carries the DSNs' fingerprints, never the DSNs.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import streamlit as st

from data.databases import service
from data.databases.config import DatabaseConfig
from data.settings import Settings
from metrics.databases.checks import DatabaseHealth
from metrics.last_good import Shown

FLEET_TTL_SECONDS = 60


def _mtime(path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_config(path: str, mtime: int | None, _settings: Settings) -> DatabaseConfig:
    return service.load_config(_settings, path)


def database_config(settings: Settings) -> DatabaseConfig:
    """databases.toml as configured; never raises (problems are in the result)."""
    return _cached_config(str(settings.databases_path), _mtime(settings.databases_path), settings)


def _dsn_digest(settings: Settings) -> str:
    fingerprints = sorted((name, dsn.fingerprint()) for name, dsn in settings.database_dsns.items())
    return hashlib.sha256(repr(fingerprints).encode()).hexdigest()[:16]


@st.cache_data(ttl=FLEET_TTL_SECONDS, show_spinner=False, max_entries=16)
def _cached_fleet(
    config_key: str, dsn_digest: str, minute: datetime, _settings: Settings, _config: DatabaseConfig
) -> tuple[list[DatabaseHealth], datetime]:
    return service.check_fleet(_settings, _config), _settings.now()


def fleet_health(settings: Settings, config: DatabaseConfig) -> tuple[list[DatabaseHealth], datetime]:
    """Every configured database's health and when it was probed (shared by all viewers for a minute)."""
    minute = settings.now().replace(second=0, microsecond=0)
    store = settings.database_url.fingerprint()
    config_key = f"{config.path}|{_mtime(config.path) if config.path else None}|{store}"
    return _cached_fleet(config_key, _dsn_digest(settings), minute, settings, config)


def fleet_health_or_last_good(
    settings: Settings, config: DatabaseConfig
) -> tuple[list[DatabaseHealth], datetime, dict[str, Shown[DatabaseHealth]]]:
    """``fleet_health`` plus, for each database whose probe fails now, its last good health (marked stale) when an
    earlier probe in this process answered: {name: Shown}. Kept per database and DSN, shared by every viewer."""
    from pages.common.loaders import last_good_store

    healths, probed_at = fleet_health(settings, config)
    return healths, probed_at, service.last_good_of_failing(settings, config, healths, probed_at, last_good_store())


def clear_fleet() -> None:
    _cached_fleet.clear()
