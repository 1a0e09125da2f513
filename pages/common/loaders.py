"""Cached loaders: the one place pages get settings, the catalog, the source, reports and histories from.

- Objects (settings, catalog, source) are ``st.cache_resource``: built once, shared by every viewer.
- Numbers (reports, histories) are ``st.cache_data(ttl=60)``, keyed on what changes them: the catalog (path and
  the files' modification times), the source's description, and the evaluation instant rounded down to the minute.
  Everyone looking during the same minute shares one evaluation, so the load on Prometheus does not grow with the
  number of people watching, and the demo's "now" still moves every minute. A ``PROMETHEUS_CACHE_TTL_SECONDS``
  under a minute shortens that (``freshness_bucket``).
- When the source fails, a panel shows its last good answer, marked stale (``report_or_last_good``,
  ``history_or_last_good``): kept per process in ``last_good_store``, shared by every viewer.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import streamlit as st

from data.last_good import LastGoodStore
from data.settings import DEFAULT_SECRETS_FILE, Settings, load_settings
from data.slo.catalog import Catalog, CatalogError, load_catalog
from data.slo.kept_reports import kept_reports_for
from data.slo.long_windows import StoredDays, stored_days_for
from data.slo.service import (
    SloHistory,
    demo_history_end,
    load_history,
    load_report,
    make_source,
    parse_instant,
    split_value_slo,
)
from data.slo.sources import SloSource, SourceError
from metrics.last_good import Shown
from metrics.slo.report import SloReport

DATA_TTL_SECONDS = 60
# Environment variables that shape the settings (see data/settings.py); the cache key is built from them, so a
# changed environment (tests, a restarted deployment) is never served stale settings.
_SETTINGS_PREFIXES = (
    "PROMETHEUS_",
    "DATABASE_URL",
    "SLO_CATALOG",
    "TEAM_TIMEZONE",
    "RELIABILITY_",
    "DB_DSN_",
    "DATABASES_CONFIG",
    "ACCESS_CONFIG",
    "REFRESH_SECONDS",
    "PAGE_FRAGMENTS",
)


def evaluation_instant(now: datetime | None = None) -> datetime:
    """The instant every figure on the page is evaluated at: now, rounded down to the minute (UTC)."""
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).replace(second=0, microsecond=0)


def requested_instant(requested: str | None) -> datetime | None:
    """The instant a shared link fixes with ``?at=`` (ISO 8601, naive = UTC), to the minute; ``None`` for now.

    Raises ``ValueError`` for text that is not an instant, or one in the future."""
    if not requested:
        return None
    moment = parse_instant(requested)
    if moment > datetime.now(UTC):
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


MIGRATE_RETRY_SECONDS = 30  # a store that cannot be migrated is tried again at most this often, not on every click


@st.cache_resource(show_spinner=False)
def _migration_failures() -> dict[str, tuple[float, str]]:
    return {}


def migrate_store(database_url: str) -> str | None:
    """Bring the store to the newest schema once per process; a readable error message (no password) or None.

    A failure is remembered for ``MIGRATE_RETRY_SECONDS``: a store that does not answer costs the pages (those that
    read only Prometheus too) its connect timeout once in a while, not on every run."""
    failures = _migration_failures()
    recent = failures.get(database_url)
    if recent is not None and time.monotonic() - recent[0] < MIGRATE_RETRY_SECONDS:
        return recent[1]
    try:
        _migrated(database_url)
    except Exception as error:  # any driver or migration failure: shown, never a traceback
        from pages.common.store_writes import driver_detail, store_name

        where = store_name(database_url)  # kind, host and database: no user, password or DSN
        message = (
            f"{where[0].upper()}{where[1:]} could not be migrated: {driver_detail(error, database_url)}. "
            "Check DATABASE_URL and that the database accepts connections; pages that keep records are "
            "unavailable until then, the others work."
        )
        failures[database_url] = (time.monotonic(), message)
        return message
    failures.pop(database_url, None)
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
def _cached_source(
    _settings: Settings, settings_key: int, demo_minute: datetime | None, _catalog: Catalog | None, sources_key: int
) -> SloSource:
    return make_source(_settings, demo_end=demo_minute, catalog=_catalog)


def source(app_settings: Settings, at: datetime) -> SloSource:
    """Prometheus (one client per settings, with its own short answer cache) or the demo history, which ends now
    even when ``at`` is in the past (``data.slo.service.demo_history_end``); with the catalog's DataSources, one
    client per DataSource too, each SLO read from its own (``data.slo.routed.RoutedSource``)."""
    demo_minute = demo_history_end(app_settings, at).replace(second=0, microsecond=0) if app_settings.is_demo else None
    try:
        the_catalog = catalog(app_settings)
    except CatalogError:
        the_catalog = None  # the pages say so themselves; the default source still answers what it can
    data_sources = the_catalog.data_sources if the_catalog is not None else {}
    # Settings and DataSources are frozen dataclasses: their hashes identify them without putting a secret into the
    # key (the DataSources' environment options are not part of the settings' own hash).
    sources_key = hash((tuple(sorted(data_sources.items())), tuple(sorted(app_settings.source_options.items()))))
    return _cached_source(
        app_settings, hash(app_settings), demo_minute, the_catalog if data_sources else None, sources_key
    )


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


def freshness_bucket(app_settings: Settings, wall_clock: float | None = None) -> int:
    """Part of the data caches' key: when ``PROMETHEUS_CACHE_TTL_SECONDS`` is shorter than the minute the data caches
    keep an evaluation, it changes every TTL, so a reload after it really asks the source again (0 otherwise)."""
    prometheus = app_settings.prometheus
    if prometheus is None or prometheus.cache_ttl_seconds >= DATA_TTL_SECONDS:
        return 0
    wall_clock = time.time() if wall_clock is None else wall_clock
    return int(wall_clock // prometheus.cache_ttl_seconds)  # the settings refuse a TTL that is not positive


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False, max_entries=64)
def _cached_report(
    catalog_key: str,
    source_key: str,
    at: datetime,
    bucket: int,
    adjustments_key: tuple,
    _source: SloSource,
    _catalog: Catalog,
    _adjustments: tuple,
    _stored_days: StoredDays | None = None,
) -> tuple[SloReport, datetime]:
    return load_report(_source, _catalog.slos, at, _adjustments, _stored_days), datetime.now(UTC)


def adjustments_in_force(app_settings: Settings) -> tuple:
    """The budget adjustments the figures take out (``data.slo_adjustments.service``); a store that cannot be read
    leaves the figures raw, said once on the page."""
    from data.slo_adjustments.service import adjustments_in_force as in_force

    try:
        return tuple(in_force(app_settings))
    except Exception as error:  # driver errors vary; the page still shows its figures, raw
        st.warning(
            f"Budget adjustments could not be read from the store ({type(error).__name__}): the figures are raw.",
            icon=":material/database:",
        )
        return ()


def _adjustments_key(adjustments: tuple) -> tuple:
    """A new, changed or removed adjustment is a new cache key: the figures follow it at once, not a minute later."""
    return tuple((a.id, a.version) for a in adjustments)


def _read_report(app_settings: Settings, slo_catalog: Catalog, at: datetime) -> tuple[SloReport, datetime, DataKey]:
    slo_source = source(app_settings, at)
    key = data_key(app_settings, slo_source, at)
    adjustments = adjustments_in_force(app_settings)
    fresh, read_at = _cached_report(
        key.catalog,
        key.source,
        key.at,
        freshness_bucket(app_settings),
        _adjustments_key(adjustments),
        slo_source,
        slo_catalog,
        adjustments,
        stored_days_for(app_settings),
    )
    return fresh, read_at, key


def report(app_settings: Settings, slo_catalog: Catalog, at: datetime) -> SloReport:
    """Every SLO's status at ``at``; an unreachable source yields "no data" rows plus ``report.errors``."""
    return _read_report(app_settings, slo_catalog, at)[0]


@st.cache_resource(show_spinner=False)
def last_good_store() -> LastGoodStore:
    """The last good answer of every panel, kept for the life of the process and shared by every viewer."""
    return LastGoodStore()


def _panel_key(kind: str, key: DataKey, fixed: bool, *extra: str) -> tuple:
    # A page evaluated "now" falls back on its newest good answer, whatever minute it was read in; a link with
    # ?at= falls back only on an answer for that same instant.
    return (kind, key.catalog, key.source, key.at if fixed else "now", *extra)


def report_or_last_good(
    app_settings: Settings, slo_catalog: Catalog, at: datetime, fixed: bool = False
) -> Shown[SloReport]:
    """The report at ``at``; when the source fails now, its last good report, marked stale, or the "no data"
    report when there is none yet (``Shown.no_data_yet``). ``fixed``: ``at`` comes from a link's ``?at=``."""
    fresh, read_at, key = _read_report(app_settings, slo_catalog, at)
    failure = "; ".join(dict.fromkeys(fresh.errors.values())) or None
    keeper = kept_reports_for(app_settings, slo_catalog.slos)
    return last_good_store().resolve(_panel_key("report", key, fixed), fresh, failure, read_at, keeper)


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False, max_entries=64)
def _cached_history(
    catalog_key: str,
    source_key: str,
    at: datetime,
    bucket: int,
    slo_name: str,
    adjustments_key: tuple,
    _source: SloSource,
    _catalog: Catalog,
    _adjustments: tuple,
    split: tuple[tuple[str, str], ...] = (),
) -> tuple[SloHistory | None, str | None, datetime]:
    """(history, None, read at) or (None, why the source failed, when): a failure is kept as briefly as an answer,
    so a struggling source is not asked again by every viewer's every click. ``split``: one value of a split SLO
    (``data.slo.service.split_value_slo``)."""
    slo = _catalog.slo(slo_name)
    if slo is None:
        raise KeyError(slo_name)
    if split:
        slo = split_value_slo(slo, split)
    try:
        return load_history(_source, slo, at, _adjustments), None, datetime.now(UTC)
    except SourceError as error:
        return None, str(error), datetime.now(UTC)


def history(app_settings: Settings, slo_catalog: Catalog, slo_name: str, at: datetime) -> SloHistory:
    """One SLO's buckets over its period and the recent days; raises ``data.slo.sources.SourceError``."""
    slo_source = source(app_settings, at)
    key = data_key(app_settings, slo_source, at)
    adjustments = adjustments_in_force(app_settings)
    found, failure, _ = _cached_history(
        key.catalog,
        key.source,
        key.at,
        freshness_bucket(app_settings),
        slo_name,
        _adjustments_key(adjustments),
        slo_source,
        slo_catalog,
        adjustments,
    )
    if found is None:
        raise SourceError(failure or "no history")
    return found


def history_or_last_good(
    app_settings: Settings,
    slo_catalog: Catalog,
    slo_name: str,
    at: datetime,
    fixed: bool = False,
    source_failure: str | None = None,
    split: tuple[tuple[str, str], ...] = (),
) -> Shown[SloHistory | None]:
    """One SLO's history; when the source fails now, its last good history, marked stale (value None when there is
    none yet). ``source_failure``: the source already failed on this page, so it is not asked again (the page
    stays within one timeout) and the last good history is shown."""
    slo_source = source(app_settings, at)
    key = data_key(app_settings, slo_source, at)
    panel = _panel_key("history", key, fixed, slo_name, *(f"{label}:{value}" for label, value in split))
    if source_failure is not None:
        return last_good_store().resolve(panel, None, source_failure, datetime.now(UTC))
    adjustments = adjustments_in_force(app_settings)
    found, failure, read_at = _cached_history(
        key.catalog,
        key.source,
        key.at,
        freshness_bucket(app_settings),
        slo_name,
        _adjustments_key(adjustments),
        slo_source,
        slo_catalog,
        adjustments,
        split,
    )
    return last_good_store().resolve(panel, found, failure, read_at)


def clear_slo_data() -> None:
    """Forget cached reports and histories (the page's refresh button); settings and catalog stay."""
    _cached_report.clear()
    _cached_history.clear()


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None
