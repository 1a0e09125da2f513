"""Cached loaders of the database pages' stored history: snapshots, table growth, DBA records. The fleet's live
health is ``pages.common.fleet``, shared with the tracker."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from data.databases import service
from data.settings import Settings
from metrics.databases.checks import DbaRecord
from metrics.databases.statements import WINDOWS, StatementChange
from pages.common import fleet

STORE_TTL_SECONDS = fleet.FLEET_TTL_SECONDS  # stored history is read as often as the fleet is probed


def clear() -> None:
    """Forget the fleet's health and the stored history, after a collection or a new record."""
    fleet.clear_fleet()
    _cached_store.clear()


@st.cache_data(ttl=STORE_TTL_SECONDS, show_spinner=False, max_entries=64)
def _cached_store(kind: str, store: str, database: str | None, minute: datetime, _settings: Settings):
    """``store``: the store URL's fingerprint, so two stores never share an entry."""
    if kind == "history":
        return service.health_history(_settings, database, minute)
    if kind == "growth":
        return service.table_growth(_settings, database, minute)
    if kind == "records":
        return service.records(_settings, database)
    if kind.startswith("statements:"):
        return service.statement_history(_settings, database, WINDOWS[kind.removeprefix("statements:")], minute)
    raise ValueError(kind)


def _minute(settings: Settings) -> datetime:
    return settings.now().replace(second=0, microsecond=0)


def health_history(settings: Settings, database: str) -> list[dict]:
    """The last 30 days of stored snapshots of one database; raises if the store cannot be read."""
    return _cached_store("history", settings.database_url.fingerprint(), database, _minute(settings), settings)


def table_growth(settings: Settings, database: str) -> list[dict]:
    return _cached_store("growth", settings.database_url.fingerprint(), database, _minute(settings), settings)


def records(settings: Settings, database: str | None = None) -> list[DbaRecord]:
    return _cached_store("records", settings.database_url.fingerprint(), database, _minute(settings), settings)


def statement_history(settings: Settings, database: str, window_key: str) -> list[StatementChange]:
    """One database's statements over the window against the one before, from the store; raises if unreadable."""
    store = settings.database_url.fingerprint()
    return _cached_store(f"statements:{window_key}", store, database, _minute(settings), settings)


def sizes_7d_ago(settings: Settings, names: list[str]) -> dict[str, int]:
    return service.sizes_7d_ago(settings, names)
