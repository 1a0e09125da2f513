"""Cached loaders of the trends page: daily rollups from the store, or the demo's computed in memory.

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
import sqlalchemy as sa
import streamlit as st

from data.slo.catalog import Catalog
from data.trends.rollups import demo_daily_rollups, rollups_frame, stored_trend_rows
from data.settings import Settings
from metrics.access import Actor, MissingName, PermissionDenied
from metrics.trends.rollups import last_complete_day
from pages.common.loaders import catalog_fingerprint

STORE_TTL_SECONDS = 300  # rollups change once a day; five minutes keeps a fresh collection visible soon enough


@dataclass(frozen=True)
class TrendRows:
    daily: pd.DataFrame
    source: str  # "demo data" or "the store"
    newest_day: date | None  # the newest day with a row
    collected_at: datetime | None  # when the newest rows were stored (None for the demo)


@st.cache_resource(show_spinner=False, max_entries=4)
def _engine(database_url: str) -> sa.Engine:
    from data.store import engine_for

    return engine_for(database_url)


@st.cache_data(show_spinner=False, max_entries=4)
def _demo_rows(catalog_key: str, time_zone: str, last_day: date, _catalog: Catalog,
               _now: datetime) -> pd.DataFrame:
    return rollups_frame(demo_daily_rollups(_catalog.slos, _now, time_zone))


@st.cache_data(ttl=STORE_TTL_SECONDS, show_spinner=False, max_entries=32)
def _stored_rows(database_url: str, first: date, last: date, services: tuple[str, ...]) -> TrendRows:
    from data.trends.store import last_collected_at, rollup_day_range

    engine = _engine(database_url)
    day_range = rollup_day_range(engine)
    return TrendRows(stored_trend_rows(engine, first, last, list(services)), "the store",
                     day_range[1] if day_range else None, last_collected_at(engine))


def trend_rows(settings: Settings, slo_catalog: Catalog, first: date, last: date,
               services: tuple[str, ...]) -> TrendRows:
    """Daily rows for the range and services; raises the store's errors (the page shows them in a panel)."""
    if settings.is_demo:
        now = settings.now()
        key = f"{settings.catalog_path}|{catalog_fingerprint(settings.catalog_path)!r}"
        daily = _demo_rows(key, settings.team_timezone, last_complete_day(now, settings.team_timezone),
                           slo_catalog, now)
        newest = daily["day"].max() if not daily.empty else None
        return TrendRows(daily, "demo data", newest, None)
    return _stored_rows(settings.database_url, first, last, services)


def clear() -> None:
    _stored_rows.clear()


INCIDENTS_TTL_SECONDS = 30


@st.cache_data(ttl=INCIDENTS_TTL_SECONDS, show_spinner=False, max_entries=32)
def _incidents(database_url: str, start: datetime, end: datetime, services: tuple[str, ...]):
    from data.incidents.store import incidents_between

    return incidents_between(_engine(database_url), start, end, list(services))


def incidents(settings: Settings, first: date, last: date, services: tuple[str, ...]):
    """Incidents that started on the local days [first, last]; raises the store's errors."""
    from datetime import timedelta

    from metrics.trends.rollups import local_midnight

    return _incidents(settings.database_url, local_midnight(first, settings.team_timezone),
                      local_midnight(last + timedelta(days=1), settings.team_timezone), services)


def engine(database_url: str) -> sa.Engine:
    return _engine(database_url)


def clear_incidents() -> None:
    _incidents.clear()


def show_collection(settings: Settings, slo_catalog: Catalog, actor: Actor) -> None:
    """Run the rollup collector from the page (admins), with its progress; the same code as
    ``cli.py collect rollups``, so a run from here and one from cron store the same rows."""
    from data.trends.rollups import collect_daily_rollups
    from data.slo.service import make_source
    from data.slo.sources import SourceError

    with st.status("Collecting daily rollups…", expanded=True) as status:
        bar = st.progress(0.0, text="Finding the days still missing…")

        def progress(done: int, todo: int, day: date) -> None:
            bar.progress(done / max(todo, 1), text=f"{done} of {todo} days, up to {day.isoformat()}")

        try:
            summary = collect_daily_rollups(make_source(settings), slo_catalog.slos, _engine(settings.database_url),
                                            time_zone=settings.team_timezone, now=settings.now(), actor=actor,
                                            progress=progress)
        except (PermissionDenied, MissingName) as error:
            status.update(label=str(error), state="error")
            return
        except SourceError as error:
            status.update(label=f"Stopped: {error}. The days stored before this are kept; collect again to "
                                "continue.", state="error")
            return
        except Exception as error:  # the store's driver errors vary: name the kind, never a DSN
            status.update(label=f"Stopped: the store could not be written ({type(error).__name__}). The days "
                                "stored before this are kept.", state="error")
            return
        clear()
        problems = f"; {len(summary.errors)} SLO(s) refused: " + "; ".join(summary.errors.values()) \
            if summary.errors else ""
        status.update(label=f"Stored {summary.rows_stored} rows for {summary.days_stored} days "
                            f"({summary.first} .. {summary.last}); {summary.already_collected} already collected, "
                            f"{summary.queries} queries{problems}",
                      state="error" if summary.errors else "complete", expanded=bool(summary.errors))
