"""What the store holds of the past, cached for every page that reads it (trends, weekly review, incidents): daily
rollups from the store, or the demo's computed in memory, and incidents.

Why the demo's rollups are computed in memory and not stored: they are a pure function of the day and the catalog
(about 1.5 s for ~6 months of 9 SLOs), so caching them per (catalog, team time zone, last complete day) costs one
computation a day per process; storing them would put generated rows into a store that may later hold the team's
real history, where they would pass for it. (``cli.py collect rollups --demo`` stores them for trying the store
path; those rows are marked as demo and never read in Prometheus mode.)
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from data.settings import Settings
from data.slo.catalog import Catalog
from data.store import shared_engine
from data.trends import service as trends_service
from data.trends.service import TrendRows
from metrics.trends.rollups import last_complete_day
from pages.common.loaders import catalog_fingerprint

STORE_TTL_SECONDS = 300  # rollups change once a day; five minutes keeps a fresh collection visible soon enough

__all__ = ["TrendRows", "clear", "clear_incidents", "incidents", "oldest_rollup_day", "trend_rows"]


@st.cache_data(show_spinner=False, max_entries=4)
def _demo_rows(
    catalog_key: str,
    time_zone: str,
    last_day: date,
    adjustments_key: tuple,
    _settings: Settings,
    _catalog: Catalog,
    _first: date,
    _last: date,
    _adjustments: tuple,
) -> TrendRows:
    return trends_service.trend_rows(_settings, _catalog.slos, None, _first, _last, adjustments=_adjustments)


@st.cache_data(ttl=STORE_TTL_SECONDS, show_spinner=False, max_entries=32)
def _stored_rows(
    database_url: str,
    first: date,
    last: date,
    services: tuple[str, ...],
    catalog_key: str,
    adjustments_key: tuple,
    _settings: Settings,
    _catalog: Catalog,
    _adjustments: tuple,
) -> TrendRows:
    return trends_service.trend_rows(
        _settings, _catalog.slos, shared_engine(database_url), first, last, services, adjustments=_adjustments
    )


def trend_rows(
    settings: Settings, slo_catalog: Catalog, first: date, last: date, services: tuple[str, ...]
) -> TrendRows:
    """Daily rows for the range and services (``data.trends.service.trend_rows``, cached: the demo's once a day per
    catalog, the store's for five minutes, each anew when a budget adjustment changes); raises the store's errors
    (the page shows them in a panel)."""
    from pages.common.loaders import adjustments_in_force

    adjustments = adjustments_in_force(settings)
    adjustments_key = tuple((a.id, a.version) for a in adjustments)
    key = f"{settings.catalog_path}|{catalog_fingerprint(settings.catalog_path)!r}"
    if settings.is_demo:
        last_day = last_complete_day(settings.now(), settings.team_timezone)
        return _demo_rows(
            key, settings.team_timezone, last_day, adjustments_key, settings, slo_catalog, first, last, adjustments
        )
    return _stored_rows(
        settings.database_url, first, last, services, key, adjustments_key, settings, slo_catalog, adjustments
    )


@st.cache_data(ttl=STORE_TTL_SECONDS, show_spinner=False, max_entries=4)
def _oldest_stored_day(database_url: str) -> date | None:
    return trends_service.oldest_rollup_day(shared_engine(database_url))


def oldest_rollup_day(settings: Settings) -> date | None:
    """The first day with collected rollups (cached five minutes); None in demo mode, for an empty store, or when
    the store cannot be read (the range then keeps its 26 weeks and the rows' read reports the store's error)."""
    if settings.is_demo:
        return None
    try:
        return _oldest_stored_day(settings.database_url)
    except Exception:  # the page's read of the rows says what is wrong with the store
        return None


def clear() -> None:
    _stored_rows.clear()
    _oldest_stored_day.clear()


INCIDENTS_TTL_SECONDS = 30


@st.cache_data(ttl=INCIDENTS_TTL_SECONDS, show_spinner=False, max_entries=32)
def _incidents(database_url: str, first: date, last: date, time_zone: str, services: tuple[str, ...]):
    from data.incidents.service import incidents_in_days

    return incidents_in_days(shared_engine(database_url), first, last, time_zone, services)


def incidents(settings: Settings, first: date, last: date, services: tuple[str, ...]):
    """Incidents that started on the local days [first, last] (``data.incidents.service.incidents_in_days``,
    cached); raises the store's errors."""
    return _incidents(settings.database_url, first, last, settings.team_timezone, services)


def clear_incidents() -> None:
    _incidents.clear()
