"""Cached loaders: the one place pages get settings, the catalog, the source, reports and histories from.

- Objects (settings, catalog, source) are ``st.cache_resource``: built once, shared by every viewer.
- Numbers (reports, histories) are ``st.cache_data(ttl=60)``, keyed on what changes them: the catalog (path and
  the files' modification times), the source's description, and the evaluation instant rounded down to the minute.
  Everyone looking during the same minute shares one evaluation, so the load on Prometheus does not grow with the
  number of people watching, and the demo's "now" still moves every minute.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import streamlit as st

from data.catalog import Catalog, CatalogError, load_catalog
from data.settings import DEFAULT_SECRETS_FILE, Settings, load_settings
from data.slo_reports import SloHistory, load_history, load_report, make_source, parse_instant
from data.sources import SloSource
from metrics.report import SloReport

DATA_TTL_SECONDS = 60
# Environment variables that shape the settings (see data/settings.py); the cache key is built from them, so a
# changed environment (tests, a restarted deployment) is never served stale settings.
_SETTINGS_PREFIXES = ("PROMETHEUS_", "DATABASE_URL", "SLO_CATALOG", "TEAM_TIMEZONE", "RELIABILITY_", "DB_DSN_",
                      "DATABASES_CONFIG", "ACCESS_CONFIG")


def evaluation_instant(now: datetime | None = None) -> datetime:
    """The instant every figure on the page is evaluated at: now, rounded down to the minute (UTC)."""
    now = now or datetime.now(timezone.utc)
    return now.astimezone(timezone.utc).replace(second=0, microsecond=0)


def requested_instant(requested: str | None) -> datetime | None:
    """The instant a shared link fixes with ``?at=`` (ISO 8601, naive = UTC), to the minute; ``None`` for now.

    Raises ``ValueError`` for text that is not an instant, or one in the future."""
    if not requested:
        return None
    moment = parse_instant(requested)
    if moment > datetime.now(timezone.utc):
        raise ValueError("in the future")
    return evaluation_instant(moment)


# --- settings -------------------------------------------------------------------------------------------------------


def _settings_key() -> tuple:
    environment = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(_SETTINGS_PREFIXES)))
    secrets = Path(os.environ.get("RELIABILITY_SECRETS_FILE", DEFAULT_SECRETS_FILE))
    return environment, _mtime(secrets)


@st.cache_resource(show_spinner=False)
def _cached_settings(key: tuple) -> Settings:
    return load_settings()


def settings() -> Settings:
    """The app's settings; raises ``SettingsError`` (not cached, so a fix takes effect on the next run)."""
    return _cached_settings(_settings_key())


# --- the store ------------------------------------------------------------------------------------------------------


@st.cache_resource(show_spinner="Updating the database schema…")
def _migrated(database_url: str) -> bool:
    from data.store import migrate

    migrate(database_url)
    return True


def migrate_store(database_url: str) -> str | None:
    """Bring the store to the newest schema once per process; a readable error message (no password) or None."""
    try:
        _migrated(database_url)
    except Exception as error:  # any driver or migration failure: shown, never a traceback
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        password = _password(database_url)
        if password:
            detail = detail.replace(password, "***")
        from data.store import redact_database_url

        return (f"The store at {redact_database_url(database_url)} could not be migrated: {detail}. "
                "Check DATABASE_URL and that the database accepts connections; pages that keep records are "
                "unavailable until then.")
    return None


def _password(url: str) -> str | None:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).password
    except Exception:
        return None


# --- catalog --------------------------------------------------------------------------------------------------------


def catalog_fingerprint(path: Path) -> tuple:
    """(file, mtime, size) of every YAML file in the catalog: changes whenever a definition is edited."""
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    else:
        return ()
    return tuple((str(p), _mtime(p), p.stat().st_size) for p in files)


@st.cache_resource(show_spinner=False, max_entries=8)
def _cached_catalog(path: str, fingerprint: tuple) -> Catalog:
    return load_catalog(Path(path))


def catalog(app_settings: Settings) -> Catalog:
    """The SLO catalog, reloaded when a file in it changes; raises ``CatalogError`` if the path is gone."""
    fingerprint = catalog_fingerprint(app_settings.catalog_path)
    if not fingerprint and not app_settings.catalog_path.exists():
        raise CatalogError(f"the SLO catalog {app_settings.catalog_path} does not exist")
    return _cached_catalog(str(app_settings.catalog_path), fingerprint)


# --- source ---------------------------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=4)
def _cached_source(_settings: Settings, settings_key: int, demo_minute: datetime | None) -> SloSource:
    return make_source(_settings, demo_end=demo_minute)


def source(app_settings: Settings, at: datetime) -> SloSource:
    """Prometheus (one client per settings, with its own short answer cache) or the demo history ending at ``at``."""
    demo_minute = at if app_settings.is_demo else None
    # Settings are a frozen dataclass: their hash identifies them without putting a secret into the key.
    return _cached_source(app_settings, hash(app_settings), demo_minute)


# --- reports and histories ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataKey:
    """What a cached report or history depends on, besides the SLOs asked for."""

    catalog: str  # path and fingerprint
    source: str  # the source's description
    at: datetime  # evaluation instant, whole minutes


def data_key(app_settings: Settings, slo_source: SloSource, at: datetime) -> DataKey:
    fingerprint = catalog_fingerprint(app_settings.catalog_path)
    return DataKey(f"{app_settings.catalog_path}|{fingerprint!r}", slo_source.description, at)


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False, max_entries=64)
def _cached_report(catalog_key: str, source_key: str, at: datetime, _source: SloSource, _catalog: Catalog) -> SloReport:
    return load_report(_source, _catalog.slos, at)


def report(app_settings: Settings, slo_catalog: Catalog, at: datetime) -> SloReport:
    """Every SLO's status at ``at``; an unreachable source yields "no data" rows plus ``report.errors``."""
    slo_source = source(app_settings, at)
    key = data_key(app_settings, slo_source, at)
    return _cached_report(key.catalog, key.source, key.at, slo_source, slo_catalog)


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False, max_entries=64)
def _cached_history(catalog_key: str, source_key: str, at: datetime, slo_name: str, _source: SloSource,
                    _catalog: Catalog) -> SloHistory:
    slo = _catalog.slo(slo_name)
    if slo is None:
        raise KeyError(slo_name)
    return load_history(_source, slo, at)


def history(app_settings: Settings, slo_catalog: Catalog, slo_name: str, at: datetime) -> SloHistory:
    """One SLO's buckets over its period and the recent days; raises ``data.sources.SourceError``."""
    slo_source = source(app_settings, at)
    key = data_key(app_settings, slo_source, at)
    return _cached_history(key.catalog, key.source, key.at, slo_name, slo_source, slo_catalog)


def clear_slo_data() -> None:
    """Forget cached reports and histories (the page's refresh button); settings and catalog stay."""
    _cached_report.clear()
    _cached_history.clear()


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None
