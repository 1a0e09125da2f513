"""The database fleet refreshes itself for a wall screen (``pages.common.live``), in Streamlit's AppTest with no
database reachable. As for the SLO overview (tests/pages/slo_burn/test_live.py), ``run_every`` is read through a spy
on ``st.fragment``."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.store import migrate
from tests.support.apptest import record_fragments

FLEET = str(Path(__file__).resolve().parents[3] / "pages" / "database_health" / "page.py")
TOGGLE = "live_toggle_database_health"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith(("DB_DSN_", "PROMETHEUS_", "DATABASES_CONFIG", "RELIABILITY_", "REFRESH_", "PAGE_")):
            monkeypatch.delenv(name)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(store)
    monkeypatch.setenv("DATABASE_URL", store)
    monkeypatch.setenv("RELIABILITY_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("RELIABILITY_NOW", "2026-11-24T14:05:00Z")


@pytest.fixture
def fragments(monkeypatch) -> dict[str, float | None]:
    return record_fragments(monkeypatch)


def run(query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(FLEET, default_timeout=60)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_the_fleet_is_a_fragment_refreshing_every_60_seconds_with_the_toggle_on(fragments):
    app = run()
    toggle = app.toggle(key=TOGGLE)
    assert toggle.label == "Auto-refresh every 60 s" and toggle.value is True
    assert fragments["show_live_fleet"] == 60.0
    assert any(re.fullmatch(r"updated \d\d:\d\d:\d\d · refreshes every 60 s", c.value) for c in app.caption)
    assert app.dataframe  # the fleet table is drawn inside it


def test_pausing_the_fleet_stops_its_refreshes(fragments):
    app = run()
    app.toggle(key=TOGGLE).set_value(False).run()
    assert fragments["show_live_fleet"] is None
    assert any(c.value.endswith("· auto-refresh paused") for c in app.caption)


def test_a_database_drilldown_does_not_refresh_itself(fragments):
    app = run({"database": "orders-primary"})
    assert not app.get("toggle")
    assert "show_live_fleet" not in fragments
