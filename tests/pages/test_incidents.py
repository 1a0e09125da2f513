"""The incidents page and the trends page's incident section in AppTest (demo mode, a fresh SQLite store)."""
from __future__ import annotations

from datetime import datetime, time, timezone
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.store import engine_for
from data.store.incidents import incidents_between, save_incidents
from metrics.incidents import Incident
from tests.support.apptest import isolated_store
from tests.support.actors import editor

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def store(monkeypatch, tmp_path) -> str:
    return isolated_store(monkeypatch, tmp_path, team_timezone="Europe/Berlin", now="2026-11-24T14:05:00Z")


def run(page: str, name: str = "Kim") -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.session_state["identity_name"] = name  # the sidebar's "Your name" of local mode
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def stored(url: str) -> list[Incident]:
    engine = engine_for(url)
    try:
        return incidents_between(engine, datetime(2026, 1, 1, tzinfo=timezone.utc),
                                 datetime(2027, 1, 1, tzinfo=timezone.utc))
    finally:
        engine.dispose()


def fill_form(app: AppTest, acknowledged: time) -> AppTest:
    app.text_input[0].input("INC-9")
    app.time_input[0].set_value(time(10, 0))
    app.date_input[1].set_value(datetime(2026, 11, 24).date())
    app.time_input[1].set_value(time(10, 5))
    app.date_input[2].set_value(datetime(2026, 11, 24).date())
    app.time_input[2].set_value(acknowledged)
    app.button[0].click()
    return app.run()


def test_the_form_records_an_incident_in_team_time(store):
    app = fill_form(run("views/incidents.py"), acknowledged=time(10, 20))
    assert "Incident INC-9 recorded." in "\n".join(s.value for s in app.success)
    [incident] = stored(store)
    assert incident.started == datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)  # 10:00 in Berlin
    assert app.dataframe[0].value["TTA"].tolist() == ["15 min"]


def test_an_acknowledgement_before_detection_is_refused_and_nothing_stored(store):
    app = fill_form(run("views/incidents.py"), acknowledged=time(10, 1))
    assert "acknowledged: before detected" in "\n".join(e.value for e in app.error)
    assert stored(store) == []


def test_the_trends_page_shows_recovery_times_per_week(store):
    engine = engine_for(store)
    started = datetime(2026, 11, 17, 9, 0, tzinfo=timezone.utc)
    save_incidents(engine, [Incident("INC-1", "checkout", "SEV1", started, acknowledged=started.replace(minute=10),
                                     resolved=started.replace(hour=11))], actor=editor("kim"), recorded_at=started)
    engine.dispose()
    app = run("views/trends.py")
    weeks = next(frame.value for frame in app.dataframe if "TTR median" in frame.value.columns)
    assert (weeks[""].tolist(), weeks["TTA median"].tolist(), weeks["TTR median"].tolist()) == (
        ["2026-W47"], ["10 min"], ["2 h"])
