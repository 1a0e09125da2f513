"""Annotations on the SLO drill-down in AppTest, on demo data: the demo incidents of the SLO's service in its period
and its stored reviews, drawn on the SLI and burn-down charts, and the filter that hides a kind."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from data.incidents.demo import demo_incidents
from data.settings import load_settings
from data.slo.catalog import load_catalog
from data.slo_reviews.service import record_review
from data.store import migrate
from tests.pages.slo_burn.test_page import APP
from tests.support.actors import editor
from tests.support.apptest import SETTINGS_VARIABLES, texts

NOW = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in (*SETTINGS_VARIABLES, "RELIABILITY_NOW"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("RELIABILITY_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("TEAM_TIMEZONE", "Asia/Seoul")
    monkeypatch.setenv("RELIABILITY_NOW", NOW.isoformat())


def drilldown() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["slo"] = "checkout-availability"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def checkout_incidents_in_period() -> int:
    """The demo's checkout incidents that touch the SLO's 30 rolling days ending now, counted from the demo itself."""
    start = NOW - timedelta(days=30)
    return sum(
        1
        for incident in demo_incidents(NOW)
        if incident.service == "checkout" and incident.started <= NOW and (incident.resolved or NOW) >= start
    )


def marks(app: AppTest, kind: str) -> list[int]:
    """How many marks of ``kind`` each drill-down chart carries."""
    counts = []
    for chart in app.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        counts.append(sum(len(t.get("x", [])) for t in figure["data"] if t.get("name") == kind))
    return counts


def test_the_sli_and_burn_down_charts_mark_the_demo_incidents_of_the_service():
    expected = checkout_incidents_in_period()
    app = drilldown()
    assert expected >= 1
    assert marks(app, "incidents")[:2] == [expected, expected]
    word = "incident" if expected == 1 else "incidents"
    assert f"In this period: {expected} {word}, 0 reviews, 0 target changes, 0 adjustments," in texts(app.caption)


def test_a_stored_review_is_marked_with_who_recorded_it():
    settings = load_settings()
    migrate(settings.database_url)
    slos = load_catalog(settings.catalog_path).slos
    record_review(settings, slos, actor=editor("Dana"), slo="checkout-availability", outcome="keep", notes="fine")
    app = drilldown()
    assert marks(app, "reviews")[:2] == [1, 1]
    figure = json.loads(app.get("plotly_chart")[0].proto.spec)
    (review,) = [t for t in figure["data"] if t.get("name") == "reviews"]
    assert "review: keep — fine" in review["hovertext"][0] and "by Dana" in review["hovertext"][0]


def test_the_filter_hides_a_kind_from_the_charts():
    app = drilldown()
    app.pills(key="slo_annotation_kinds").set_value(["reviews"]).run()
    assert marks(app, "incidents") == [0, 0, 0, 0]
