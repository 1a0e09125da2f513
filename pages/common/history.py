"""What the store holds of the past, cached for every page that reads it (trends, weekly review, incidents): daily
rollups from the store, or the demo's computed in memory, and incidents.

Why the demo's rollups are computed in memory and not stored: they are a pure function of the day and the catalog
(about 1.5 s for ~6 months of 9 SLOs), so caching them per (catalog, team time zone, last complete day) costs one
computation a day per process; storing them would put generated rows into a store that may later hold the team's
real history, where they would pass for it. (``cli.py collect rollups --demo`` stores them for trying the store
path; those rows are marked as demo and never read in Prometheus mode.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import streamlit as st

from data.settings import Settings
from data.slo.catalog import Catalog
from data.store import shared_engine
from data.trends.rollups import demo_daily_rollups, rollups_frame, stored_trend_rows
from metrics.trends.rollups import last_complete_day
from pages.common.loaders import catalog_fingerprint

STORE_TTL_SECONDS = 300  # rollups change once a day; five minutes keeps a fresh collection visible soon enough


@dataclass(frozen=True)
class TrendRows:
    daily: pd.DataFrame
    source: str  # "demo data" or "the store"
    newest_day: date | None  # the newest day with a row
    collected_at: datetime | None  # when the newest rows were stored (None for the demo)


@st.cache_data(show_spinner=False, max_entries=4)
def _demo_rows(catalog_key: str, time_zone: str, last_day: date, _catalog: Catalog, _now: datetime) -> pd.DataFrame:
    return rollups_frame(demo_daily_rollups(_catalog.slos, _now, time_zone))


@st.cache_data(ttl=STORE_TTL_SECONDS, show_spinner=False, max_entries=32)
def _stored_rows(database_url: str, first: date, last: date, services: tuple[str, ...]) -> TrendRows:
    from data.trends.store import last_collected_at, rollup_day_range

    engine = shared_engine(database_url)
    day_range = rollup_day_range(engine)
    return TrendRows(
        stored_trend_rows(engine, first, last, list(services)),
        "the store",
        day_range[1] if day_range else None,
        last_collected_at(engine),
    )


def trend_rows(
    settings: Settings, slo_catalog: Catalog, first: date, last: date, services: tuple[str, ...]
) -> TrendRows:
    """Daily rows for the range and services; raises the store's errors (the page shows them in a panel)."""
    if settings.is_demo:
        now = settings.now()
        key = f"{settings.catalog_path}|{catalog_fingerprint(settings.catalog_path)!r}"
        daily = _demo_rows(
            key, settings.team_timezone, last_complete_day(now, settings.team_timezone), slo_catalog, now
        )
        newest = daily["day"].max() if not daily.empty else None
        return TrendRows(daily, "demo data", newest, None)
    return _stored_rows(settings.database_url, first, last, services)


def clear() -> None:
    _stored_rows.clear()


INCIDENTS_TTL_SECONDS = 30


@st.cache_data(ttl=INCIDENTS_TTL_SECONDS, show_spinner=False, max_entries=32)
def _incidents(database_url: str, start: datetime, end: datetime, services: tuple[str, ...]):
    from data.incidents.store import incidents_between

    return incidents_between(shared_engine(database_url), start, end, list(services))


def incidents(settings: Settings, first: date, last: date, services: tuple[str, ...]):
    """Incidents that started on the local days [first, last]; raises the store's errors."""
    from datetime import timedelta

    from metrics.trends.rollups import local_midnight

    return _incidents(
        settings.database_url,
        local_midnight(first, settings.team_timezone),
        local_midnight(last + timedelta(days=1), settings.team_timezone),
        services,
    )


def clear_incidents() -> None:
    _incidents.clear()
