"""The SLO overview refreshes itself for a wall screen (``pages.common.live``), in Streamlit's AppTest on demo data.

AppTest runs a fragment inline in every full run, so what is checked here is what the page asks Streamlit for: which
part is a fragment and how often it reruns (``run_every``, seen through a spy on ``st.fragment``), and what the
person sees (the toggle, the "updated" line). That a refresh really happens in a browser, and keeps the filters,
is tests/e2e/slo_burn/test_live.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.apptest import SETTINGS_VARIABLES, record_fragments, texts

APP = str(Path(__file__).resolve().parents[3] / "app.py")
TOGGLE = "live_toggle_slo_burn"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("RELIABILITY_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("TEAM_TIMEZONE", "Asia/Seoul")


@pytest.fixture
def fragments(monkeypatch) -> dict[str, float | None]:
    return record_fragments(monkeypatch)


def run(query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def updated_line(app: AppTest) -> str:
    return next(caption.value for caption in app.caption if caption.value.startswith(("updated", "Frozen")))


def test_the_overview_is_a_fragment_refreshing_every_60_seconds_with_the_toggle_on(fragments):
    app = run()
    toggle = app.toggle(key=TOGGLE)
    assert toggle.label == "Auto-refresh every 60 s" and toggle.value is True
    assert fragments["show_live_overview"] == 60.0
    assert re.fullmatch(r"updated \d\d:\d\d:\d\d · refreshes every 60 s", updated_line(app))


def test_turning_auto_refresh_off_stops_it_and_is_remembered_across_a_drilldown(fragments):
    app = run()
    app.toggle(key=TOGGLE).set_value(False).run()
    assert fragments["show_live_overview"] is None
    assert updated_line(app).endswith("· auto-refresh paused")
    app.query_params["slo"] = "checkout-availability"  # the drill-down draws no toggle, so Streamlit drops its state
    app.run()
    assert not app.get("toggle")
    del app.query_params["slo"]
    app.run()
    assert app.toggle(key=TOGGLE).value is False
    assert fragments["show_live_overview"] is None


def test_a_past_instant_is_frozen_so_the_overview_never_refreshes(fragments):
    app = run({"at": "2026-11-01T00:00:00Z"})
    assert not app.get("toggle")
    assert fragments["show_live_overview"] is None
    assert updated_line(app) == "Frozen: a past instant (?at=) never changes, so this view does not refresh."
    assert "not now" in texts(app.warning)


def test_refresh_seconds_sets_the_interval_and_zero_turns_it_off(monkeypatch, fragments):
    monkeypatch.setenv("REFRESH_SECONDS", "2")
    app = run()
    assert app.toggle(key=TOGGLE).label == "Auto-refresh every 2 s"
    assert fragments["show_live_overview"] == 2.0
    monkeypatch.setenv("REFRESH_SECONDS", "0")
    app = run()
    assert not app.get("toggle")
    assert fragments["show_live_overview"] is None
    assert updated_line(app).endswith("· auto-refresh is off (REFRESH_SECONDS=0)")


def test_with_fragments_off_the_overview_is_drawn_by_the_whole_page(monkeypatch, fragments):
    monkeypatch.setenv("PAGE_FRAGMENTS", "false")
    app = run()
    assert "show_live_overview" not in fragments
    assert not app.get("toggle")
    assert app.dataframe  # the same overview, drawn by the page's own run
