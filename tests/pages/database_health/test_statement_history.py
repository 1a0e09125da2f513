"""The drill-down's "Statements over time" (AppTest): stored statement snapshots ranked by the change in total time
over the chosen window, the figures worked out here by hand, and query text shown as plain text."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.databases import fleet
from data.databases.store import save_health_snapshots
from data.store import migrate
from metrics.databases.checks import ProbeData, build_health, check_up
from tests.support.actors import admin
from tests.support.apptest import texts

ROOT = Path(__file__).resolve().parents[3]
PAGE = str(ROOT / "pages" / "database_health" / "page.py")
NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
MARKDOWN_QUERY = "SELECT * FROM **orders** WHERE note = '<b>x</b>' -- [link](http://example.com)"

# (days ago, {key: (calls, total ms)}): cumulative counters as the server reports them
SNAPSHOTS = [
    (14, {"slowed": (100, 1_000.0), "busy": (1_000, 50_000.0)}),
    (8, {"slowed": (150, 1_500.0), "busy": (1_200, 60_000.0)}),  # previous 7 days: 50 × 10 ms, 200 × 50 ms
    (0.5, {"slowed": (200, 16_500.0), "busy": (1_420, 71_000.0), "fresh": (4, 8.0)}),  # 50 × 300 ms, 220 × 50 ms
]
QUERIES = {"slowed": MARKDOWN_QUERY, "busy": "SELECT id FROM customers WHERE id = $1", "fresh": "SELECT $1"}


@pytest.fixture(autouse=True)
def statement_snapshots(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith(("DB_DSN_", "PROMETHEUS_", "DATABASES_CONFIG", "RELIABILITY_")):
            monkeypatch.delenv(name)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(store)
    config = tmp_path / "databases.toml"
    config.write_text(
        '[[database]]\nname = "orders"\nengine = "postgresql"\n'
        "[database.record_intervals]\nbackup_verified = 0\nrestore_drill = 0\nfailover_test = 0\n"
    )
    for days, counters in SNAPSHOTS:
        probe = ProbeData(
            engine="postgresql",
            version="PostgreSQL 16.4",
            statement_counters=[
                {
                    "statement_key": key,
                    "query_text": QUERIES[key],
                    "calls": calls,
                    "total_time_ms": total_ms,
                    "rows": calls,
                    "counted_since": "2026-01-01 00:00:00+00",
                }
                for key, (calls, total_ms) in counters.items()
            ],
        )
        health = build_health("orders", "postgresql", [check_up(probe)], NOW, probe=probe)
        save_health_snapshots(store, [health], NOW - timedelta(days=days), actor=admin())
    monkeypatch.setenv("DATABASE_URL", store)
    monkeypatch.setenv("DATABASES_CONFIG", str(config))
    monkeypatch.setenv("DB_DSN_ORDERS", "postgresql://monitor@127.0.0.1:1/orders")
    monkeypatch.setenv("RELIABILITY_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("RELIABILITY_NOW", NOW.isoformat())
    answer = ProbeData(engine="postgresql", version="PostgreSQL 16.4")
    monkeypatch.setattr(fleet, "run_probe", lambda *args, **kwargs: answer)  # no server: the probe answers this


def drilldown() -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.query_params["database"] = "orders"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def statement_table(app: AppTest):
    return next(f.value for f in app.dataframe if "mean time change" in f.value.columns)


def test_the_slowed_statement_is_ranked_first_by_its_change_in_total_time():
    app = drilldown()
    assert "Statements over time" in texts(app.markdown)
    window = next(r for r in app.radio if r.label == "Window")
    assert window.value == "7d" and window.options == ["1 d", "7 d", "30 d"]
    table = statement_table(app)
    assert list(table["query"]) == [MARKDOWN_QUERY, QUERIES["busy"], QUERIES["fresh"]]
    slowed, busy, fresh = table.to_dict("records")
    # slowed: 15,000 ms this week against 500 ms before; mean 300 ms against 10 ms
    assert (slowed["total time"], slowed["change in total time"], slowed["calls"]) == ("15.0 s", "+14.5 s", 50)
    assert (slowed["mean time"], slowed["mean time change"]) == ("300 ms", "30.0× slower than the previous 7 days")
    # busy: 11,000 ms against 10,000 ms; 50 ms per call both weeks
    assert (busy["change in total time"], busy["mean time change"]) == ("+1.0 s", "as fast as the previous 7 days")
    assert (fresh["calls"], fresh["mean time"], fresh["mean time change"]) == (4, "2.00 ms", "new")


def test_the_one_day_window_holds_only_the_last_interval():
    app = drilldown()
    next(r for r in app.radio if r.label == "Window").set_value("1d").run()
    assert not app.exception
    table = statement_table(app)
    # the last snapshot (12 h ago) counts from the one 8 days ago, read as its baseline; the day before holds no
    # snapshot, so everything is new
    assert list(table["query"]) == [MARKDOWN_QUERY, QUERIES["busy"], QUERIES["fresh"]]
    assert set(table["mean time change"]) == {"new"}
    assert list(table["change in total time"]) == ["+15.0 s", "+11.0 s", "+8.00 ms"]
