"""The database fleet's configuration and health, cached and shared by every page that reads it: the database-health
pages, and the tracker's database triggers.

The fleet is probed at most once a minute per configuration and set of DSNs, whoever is watching, so the dashboard
never becomes load on the databases it watches. The cache key carries the DSNs' fingerprints, never the DSNs.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import streamlit as st

from data.databases.config import DatabaseConfig, load_database_config
from data.settings import Settings
from metrics.databases.checks import DatabaseHealth
from metrics.last_good import Shown, failed_probe_reason

FLEET_TTL_SECONDS = 60


def _mtime(path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_config(path: str, mtime: int | None) -> DatabaseConfig:
    from pathlib import Path

    return load_database_config(Path(path))


def database_config(settings: Settings) -> DatabaseConfig:
    """databases.toml as configured; never raises (problems are in the result)."""
    return _cached_config(str(settings.databases_path), _mtime(settings.databases_path))


def _dsn_digest(settings: Settings) -> str:
    fingerprints = sorted((name, dsn.fingerprint()) for name, dsn in settings.database_dsns.items())
    return hashlib.sha256(repr(fingerprints).encode()).hexdigest()[:16]


@st.cache_data(ttl=FLEET_TTL_SECONDS, show_spinner=False, max_entries=16)
def _cached_fleet(
    config_key: str, dsn_digest: str, minute: datetime, _settings: Settings, _config: DatabaseConfig
) -> tuple[list[DatabaseHealth], datetime]:
    from data.databases.fleet import probe_fleet

    return probe_fleet(_settings, _config), _settings.now()


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
    store = last_good_store()
    stale: dict[str, Shown[DatabaseHealth]] = {}
    for health in healths:
        if health.probe is None and failed_probe_reason(health) is None:
            continue  # not configured: nothing to remember, nothing to fall back on
        dsn = settings.dsn_for(health.database)
        key = ("database", str(config.path), health.database, dsn.fingerprint() if dsn else "")
        shown = store.resolve(key, health, failed_probe_reason(health), probed_at)
        if shown.stale:
            stale[health.database] = shown
    return healths, probed_at, stale


def clear_fleet() -> None:
    _cached_fleet.clear()
