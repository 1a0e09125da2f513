"""The Database health page in demo mode (no Prometheus, no DSN: a fresh install), in Streamlit's AppTest: the demo
fleet's designed statuses instead of "not configured", under the note that says it is demo data and how to set real
DSNs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.store import migrate
from tests.support.apptest import texts

FLEET = str(Path(__file__).resolve().parents[3] / "pages" / "database_health" / "page.py")
# The design (data/databases/demo.py): a session 372 s behind a lock on orders-primary (critical past 300 s), a
# 12 s lag on the replica (warn past 5 s), 60 % dead rows in a staging table (warn past 20 %), catalog all ok.
DEMO_STATUSES = {
    "orders-primary": "■ critical",
    "orders-replica": "▲ warn",
    "analytics-staging": "▲ warn",
    "catalog": "✓ ok",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith(("DB_DSN_", "PROMETHEUS_", "DATABASES_CONFIG", "RELIABILITY_")):
            monkeypatch.delenv(name)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(store)
    monkeypatch.setenv("DATABASE_URL", store)
    monkeypatch.setenv("RELIABILITY_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("RELIABILITY_NOW", "2026-11-24T14:05:00Z")


def run(query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(FLEET, default_timeout=60)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_the_fleet_shows_the_demo_statuses_worst_first_and_never_not_configured():
    frame = run().dataframe[0].value
    assert dict(zip(frame["database"], frame["status"])) == DEMO_STATUSES
    assert frame["database"].iloc[0] == "orders-primary"
    assert not frame["note"].str.contains("not configured").any()
    assert frame["connections"].notna().all()


def test_the_page_says_it_is_demo_data_and_how_to_configure_real_databases():
    app = run()
    notes = texts(app.info)
    assert "Demo data" in notes and "DB_DSN_" in notes and "config/databases.toml" in notes
    assert "Demo: orders-primary, orders-replica, catalog, analytics-staging." in notes
    assert "No database is being probed yet" not in notes
    assert "demo fleet: 4 database(s), not probed" in texts(app.caption)
    assert [(m.label, m.value) for m in app.metric] == [
        ("■ critical", "1"),
        ("▲ warn", "2"),
        ("○ unknown", "0"),
        ("ℹ info", "0"),
        ("✓ ok", "1"),
    ]  # no "not configured" count at all


def test_the_drilldown_of_a_demo_database_shows_its_checks_under_the_demo_note():
    app = run({"database": "orders-primary"})
    assert "Demo data" in texts(app.info)
    assert "source demo" in texts(app.caption)
    checks = app.dataframe[0].value
    statuses = dict(zip(checks["id"], checks["status"]))
    assert statuses["long_running_queries"] == "■ critical" and statuses["blocked_sessions"] == "▲ warn"
    assert statuses["sequences"] == "▲ warn"
    assert not app.error  # every panel of the drill-down draws from the demo probe


@pytest.mark.parametrize("name", ["orders-replica", "catalog", "analytics-staging"])
def test_every_demo_drilldown_draws_without_an_error(name):
    app = run({"database": name})
    assert not app.error and "Demo data" in texts(app.info)


def test_the_search_keeps_the_databases_holding_every_word():
    app = run()
    app.text_input(key="db_search").set_value("ORDERS production").run()
    assert sorted(app.dataframe[0].value["database"]) == ["orders-primary", "orders-replica"]


def test_a_search_from_the_link_finds_by_owner():
    frame = run({"db_search": "data-platform"}).dataframe[0].value
    assert frame["database"].tolist() == ["analytics-staging"]


def test_a_search_that_matches_nothing_says_what_to_do():
    app = run({"db_search": "no-such-database"})
    assert "Clear a filter or the search" in texts(app.markdown) + texts(app.caption) + texts(app.info)


def test_the_fleet_shows_durations_and_sizes_in_the_apps_one_style_and_keeps_numbers_to_sort():
    import pandas as pd

    from pages.database_health.widgets import fleet_style

    frame = pd.DataFrame(
        {"status": ["■ critical", "✓ ok"], "longest query s": [372.0, None], "replica lag s": [None, 12.0],
         "size": [412e9, 21.4e9]}
    )  # fmt: skip
    shown = fleet_style(frame).to_html()
    assert all(text in shown for text in ("6 min", "12 s", "412 GB", "21 GB", "—"))
    assert frame["size"].dtype.kind == "f"  # the column sorts by the number, not the text
