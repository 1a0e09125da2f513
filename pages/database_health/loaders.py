"""Cached loaders of the database pages' stored history: snapshots, table growth, DBA records. The fleet's live
health is ``pages.common.fleet``, shared with the tracker."""

from __future__ import annotations

from datetime import datetime, timedelta

import streamlit as st

from data.settings import Settings
from metrics.databases.checks import DbaRecord
from pages.common import fleet

FLEET_TTL_SECONDS = 60


def clear() -> None:
    """Forget the fleet's health and the stored history, after a collection or a new record."""
    fleet.clear_fleet()
    _cached_store.clear()


@st.cache_data(ttl=FLEET_TTL_SECONDS, show_spinner=False, max_entries=64)
def _cached_store(kind: str, database_url: str, database: str | None, minute: datetime):
    from data.databases import store as repository

    if kind == "history":
        return repository.health_history(database_url, database, minute - timedelta(days=30))
    if kind == "growth":
        return repository.table_growth(database_url, database, minute)
    if kind == "records":
        return repository.list_records(database_url, database)
    raise ValueError(kind)


def health_history(settings: Settings, database: str) -> list[dict]:
    """The last 30 days of stored snapshots of one database; raises if the store cannot be read."""
    return _cached_store("history", settings.database_url, database, settings.now().replace(second=0, microsecond=0))


def table_growth(settings: Settings, database: str) -> list[dict]:
    return _cached_store("growth", settings.database_url, database, settings.now().replace(second=0, microsecond=0))


def records(settings: Settings, database: str | None = None) -> list[DbaRecord]:
    return _cached_store("records", settings.database_url, database, settings.now().replace(second=0, microsecond=0))


def sizes_7d_ago(settings: Settings, names: list[str]) -> dict[str, int]:
    from data.databases.store import sizes_at

    try:
        return sizes_at(settings.database_url, names, settings.now())
    except Exception:  # no history yet or no store: growth shows as no data
        return {}
