"""The incidents page and the trends page's incident section in AppTest (demo mode, a fresh SQLite store)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.incidents.store import incidents_between, save_incidents
from data.store import engine_for
from metrics.incidents.rules import Incident
from tests.support.actors import editor
from tests.support.apptest import isolated_store, texts
from tests.support.servers import prometheus_available, require, start_prometheus

APP = str(Path(__file__).resolve().parents[3] / "app.py")


@pytest.fixture(autouse=True)
def store(monkeypatch, tmp_path) -> str:
    return isolated_store(monkeypatch, tmp_path, team_timezone="Europe/Berlin", now="2026-11-24T14:05:00Z")


def run(page: str, name: str = "Kim") -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.session_state["identity_name"] = name  # the sidebar's "Your name" of local mode
    app.run()  # pages register their url paths on the first run; only then is a page found by its file
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def stored(url: str) -> list[Incident]:
    engine = engine_for(url)
    try:
        return incidents_between(engine, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
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
    app = fill_form(run("pages/incidents/page.py"), acknowledged=time(10, 20))
    assert "Incident INC-9 recorded." in "\n".join(s.value for s in app.success)
    [incident] = stored(store)
    assert incident.started == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
    assert app.dataframe[0].value["TTA"].tolist() == ["15 min"]


def test_an_acknowledgement_before_detection_is_refused_and_nothing_stored(store):
    app = fill_form(run("pages/incidents/page.py"), acknowledged=time(10, 1))
    assert "acknowledged: before detected" in texts(app.error)
    assert stored(store) == []


def test_the_trends_page_shows_recovery_times_per_week(store):
    engine = engine_for(store)
    started = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    save_incidents(
        engine,
        [
            Incident(
                "INC-1",
                "checkout",
                "SEV1",
                started,
                acknowledged=started.replace(minute=10),
                resolved=started.replace(hour=11),
            )
        ],
        actor=editor("kim"),
        recorded_at=started,
    )
    engine.dispose()
    app = run("pages/trends/page.py")
    weeks = next(frame.value for frame in app.dataframe if "TTR median" in frame.value.columns)
    assert (weeks[""].tolist(), weeks["TTA median"].tolist(), weeks["TTR median"].tolist()) == (
        ["2026-W47"],
        ["10 min"],
        ["2 h"],
    )


def alert_section(app: AppTest):
    table = next(frame.value for frame in app.dataframe if "tier" in frame.value.columns)
    timeline = next(
        json.loads(chart.proto.spec) for chart in app.get("plotly_chart") if "SLO burn alerts" in chart.proto.spec
    )
    return table, timeline


def test_the_alert_firing_history_of_the_demo_shows_beside_the_incidents(store):
    engine = engine_for(store)
    started = datetime(2026, 11, 14, 11, 20, tzinfo=UTC)
    save_incidents(
        engine,
        [Incident("INC-7", "inventory", "SEV2", started, resolved=started.replace(hour=15))],
        actor=editor("kim"),
        recorded_at=started,
    )
    engine.dispose()
    app = run("pages/incidents/page.py")
    assert "Alert firing history" in texts(app.subheader)
    assert "computed from the demo history" in texts(app.caption)
    assert "7 firings: 3 page, 4 ticket; 2 still firing." in texts(app.caption)
    table, timeline = alert_section(app)
    assert table.iloc[0].to_dict() == {
        "service": "checkout",
        "SLO": "checkout-availability",
        "severity": "■ page",
        "tier": "1h / 5m",
        "started": "2026-11-24 14:45",
        "ended": "still firing",
        "duration": "20 min",
    }  # Berlin time
    assert table["service"].value_counts()["inventory"] == 4
    bars = {trace["name"]: trace for trace in timeline["data"] if trace["type"] == "bar"}
    assert set(bars) == {"incident", "■ page alert", "▲ ticket alert"}
    assert "INC-7 · SEV2 · inventory" in bars["incident"]["customdata"][0]


def test_an_unreachable_prometheus_is_a_warning_in_the_section_and_the_rest_of_the_page_works(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    monkeypatch.setenv("PROMETHEUS_TIMEOUT_SECONDS", "2")
    app = run("pages/incidents/page.py")
    assert "The alert history could not be read: Prometheus (http://127.0.0.1:9) is unreachable" in texts(app.warning)
    assert "No incidents recorded in the last 90 days." in texts(app.info)


def test_a_prometheus_without_the_rules_says_how_to_load_them(monkeypatch):
    require("prometheus", prometheus_available(), "`prometheus` must be on PATH")
    with start_prometheus() as prometheus:
        monkeypatch.setenv("PROMETHEUS_URL", prometheus.url)
        app = run("pages/incidents/page.py")
    assert (
        f"No SLO burn alert rules are loaded in Prometheus ({prometheus.url}): generate them with "
        "`python cli.py slo-rules`."
    ) in texts(app.info)
