"""The trends page in Streamlit's AppTest: demo rollups, filters in the query string, the store's empty state."""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.actors import admin
from tests.support.apptest import isolated_store, texts

APP = str(Path(__file__).resolve().parents[3] / "app.py")
NOW = "2026-11-24T14:05:00Z"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    isolated_store(monkeypatch, tmp_path, team_timezone="Europe/Berlin", now=NOW)


def run(query: dict | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.run()  # pages register their url paths on the first run; only then is a page found by its file
    app.switch_page("pages/trends/page.py")
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_demo_mode_shows_the_banner_and_the_demo_rollups():
    app = run()
    assert "Demo data" in texts(app.info)
    assert "computed from the demo history up to 2026-11-23" in texts(app.caption)


def test_the_heatmap_the_sli_latency_and_volume_charts_are_drawn():
    app = run()
    assert len(app.get("plotly_chart")) == 4


def test_the_newest_complete_weeks_are_compared():
    app = run()
    assert "What changed 2026-W46 → 2026-W47" in texts(app.subheader)


def test_regressions_come_before_improvements():
    app = run()
    changes = app.dataframe[0].value
    directions = [d for d in changes["change"] if "unchanged" not in d]
    assert directions == sorted(directions, key=lambda d: "better" in d)
    assert any("better" in d for d in directions)  # inventory recovered from its outage week


def test_a_service_filter_from_the_query_string_narrows_the_budget_table():
    app = run({"service": "checkout"})
    budget = app.dataframe[1].value
    assert sorted(budget.index) == ["checkout-availability", "checkout-latency"]


def test_the_month_grain_labels_periods_by_month():
    app = run({"grain": "month"})
    assert list(app.dataframe[1].value.columns)[0] == "2026-11"  # the newest first


def test_an_unknown_service_is_named_and_ignored():
    app = run({"service": "nope"})
    assert "Ignored unknown service filter: ` nope `" in texts(app.caption)


def test_a_malformed_date_is_named_and_the_default_range_used():
    app = run({"from": "yesterday"})
    assert "Ignored ` ?from=yesterday `" in texts(app.warning)


def test_a_range_with_no_data_says_how_to_fill_it():
    app = run({"from": "2024-01-01", "to": "2024-02-01"})
    assert "No rollups between 2024-01-01 and 2024-02-01" in texts(app.info)


def test_an_empty_store_names_the_collect_command(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_URL", "http://127.0.0.1:9")  # nothing is queried: the page reads the store
    app = run()
    assert "python cli.py collect rollups" in texts(app.info)
    assert "No data yet" in texts(app.info)


def store_demo_rows_as_collected(last: date) -> None:
    """Rows as the collector stores them from Prometheus, for the days up to ``last``."""
    import os
    from datetime import datetime

    from data.settings import DEFAULT_CATALOG
    from data.slo.catalog import load_catalog
    from data.slo.demo import DemoSource
    from data.store import engine_for
    from data.trends.rollups import compute_daily_rollups
    from data.trends.store import save_daily_rollups

    source = DemoSource(end=datetime(2026, 11, 24, tzinfo=UTC), days=40)
    rows = compute_daily_rollups(source, load_catalog(DEFAULT_CATALOG).slos, date(2026, 10, 20), last, "Europe/Berlin")
    engine = engine_for(os.environ["DATABASE_URL"])
    save_daily_rollups(
        engine,
        [
            {
                **row.as_row(),
                "source": "Prometheus (http://127.0.0.1:9)",
                "collected_at": datetime(2026, 11, 21, 0, 30, tzinfo=UTC),
            }
            for row in rows
        ],
        actor=admin(),
    )
    engine.dispose()


def test_with_prometheus_the_page_reads_the_stored_rollups(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_URL", "http://127.0.0.1:9")
    store_demo_rows_as_collected(date(2026, 11, 23))
    app = run()
    assert "Daily rollups up to 2026-11-23 (Europe/Berlin) · Prometheus (http://127.0.0.1:9)" in texts(app.caption)
    assert "Demo data" not in texts(app.info) and not app.warning
    assert "What changed 2026-W46 → 2026-W47" in texts(app.subheader)


def test_with_five_weeks_stored_the_page_opens_on_those_weeks_newest_first(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_URL", "http://127.0.0.1:9")
    store_demo_rows_as_collected(date(2026, 11, 23))  # from Tuesday 2026-10-20 (ISO week 43)
    app = run()
    budget = next(frame.value for frame in app.dataframe if "2026-W47" in frame.value.columns)
    assert list(budget.columns) == ["2026-W48", "2026-W47", "2026-W46", "2026-W45", "2026-W44", "2026-W43"]


def test_rollups_that_stopped_days_ago_are_marked_stale(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_URL", "http://127.0.0.1:9")
    store_demo_rows_as_collected(date(2026, 11, 20))
    app = run()
    assert "Stale: the newest rollup is for 2026-11-20, 3 days before the last complete day" in texts(app.warning)
