"""The trends service on the demo and a throwaway SQLite store: what the page and ``cli.py trends`` both read."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from data.settings import Settings
from data.slo.catalog import load_catalog
from data.trends.service import TrendRows, collect_rollups, trend_rows, trends_range, trends_view
from metrics.trends.aggregate import daily_frame
from metrics.trends.rollups import RollupOrigin
from tests.support.actors import admin, editor

CATALOG = Path(__file__).resolve().parents[4] / "config" / "slos"
NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
ZONE = "Europe/Berlin"


def settings(tmp_path, *, demo: bool = True) -> Settings:
    from data.slo.prometheus import PrometheusSettings

    return Settings(
        prometheus=None if demo else PrometheusSettings(url="http://127.0.0.1:9"),
        database_url=f"sqlite:///{tmp_path / 'store.db'}",
        catalog_path=CATALOG,
        team_timezone=ZONE,
        now_override=NOW,
    )


def stored(newest: date | None) -> TrendRows:
    return TrendRows(daily_frame([]), RollupOrigin.STORE, newest)


def test_the_origin_prints_as_the_words_pages_show():
    assert (f"{RollupOrigin.DEMO}", f"{RollupOrigin.STORE}") == ("demo data", "the store")


def test_stored_rows_a_day_behind_are_not_stale():
    assert stored(date(2026, 11, 22)).days_behind(date(2026, 11, 23)) is None


def test_stored_rows_two_days_behind_are_stale_by_two_days():
    assert stored(date(2026, 11, 21)).days_behind(date(2026, 11, 23)) == 2


def test_the_demo_is_never_stale():
    rows = TrendRows(daily_frame([]), RollupOrigin.DEMO, date(2026, 1, 1))
    assert rows.days_behind(date(2026, 11, 23)) is None


def test_an_empty_store_gives_no_rows_and_no_newest_day(tmp_path, engine):
    rows = trend_rows(settings(tmp_path, demo=False), [], engine, date(2026, 11, 1), date(2026, 11, 23))
    assert (rows.origin, rows.daily.empty, rows.newest_day, rows.collected_at) == (
        RollupOrigin.STORE,
        True,
        None,
        None,
    )


def test_demo_rows_end_on_the_last_complete_day(tmp_path):
    slos = load_catalog(CATALOG).slos
    rows = trend_rows(settings(tmp_path), slos, None, date(2026, 11, 1), date(2026, 11, 23))
    assert (rows.is_demo, rows.newest_day) == (True, date(2026, 11, 23))


def test_reading_the_store_without_an_engine_is_refused(tmp_path):
    with pytest.raises(ValueError):
        trend_rows(settings(tmp_path, demo=False), [], None, date(2026, 11, 1), date(2026, 11, 23))


def test_collecting_the_demo_stores_its_rows_as_demo_data(tmp_path, engine):
    slos = load_catalog(CATALOG).slos
    summary = collect_rollups(
        settings(tmp_path), slos, engine, actor=admin("ann"), first=date(2026, 11, 22), last=date(2026, 11, 23)
    )
    assert (summary.source, summary.days_stored, summary.rows_stored) == ("demo data", 2, 2 * len(slos))


def test_collecting_is_for_admins(tmp_path, engine):
    from metrics.access import PermissionDenied

    with pytest.raises(PermissionDenied):
        collect_rollups(settings(tmp_path), [], engine, actor=editor("kim"))


def test_the_view_of_no_rows_has_no_data():
    view = trends_view(stored(None), "week", date(2026, 11, 2), date(2026, 11, 22), ["checkout"])
    assert not view.has_data


def test_the_default_range_is_26_weeks_when_the_history_is_longer():
    first, last = trends_range(datetime(2026, 11, 24, 14, 5, tzinfo=UTC), "UTC", oldest_day=date(2025, 1, 7))
    assert (first, last) == (date(2026, 6, 1), date(2026, 11, 23))  # 26 ISO weeks, the last one begun


def test_the_default_range_starts_on_the_monday_of_the_oldest_stored_week():
    first, last = trends_range(datetime(2026, 11, 24, 14, 5, tzinfo=UTC), "UTC", oldest_day=date(2026, 10, 22))
    assert (first, last) == (date(2026, 10, 19), date(2026, 11, 23))
