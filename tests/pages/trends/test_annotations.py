"""The trends page's volume chart marks the stored incidents, budget adjustments, SLO reviews, target changes and
deploys of the services shown (AppTest, demo rollups, a fresh SQLite store), with who on hover, and its filter hides a
kind."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.settings import load_settings
from data.slo.catalog import load_catalog
from data.slo_deploys.service import add_deploy
from data.slo_reviews.service import record_review
from tests.support.actors import editor
from tests.support.apptest import isolated_store, texts

APP = str(Path(__file__).resolve().parents[3] / "app.py")
NOW = "2026-11-24T14:05:00Z"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    isolated_store(monkeypatch, tmp_path, team_timezone="Europe/Berlin", now=NOW)


def run() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.run()
    app.switch_page("pages/trends/page.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def enter_deploy() -> None:
    settings = load_settings()
    add_deploy(
        settings,
        load_catalog(settings.catalog_path).slos,
        actor=editor("Dana"),
        service="checkout",
        deployed_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        version="v2.14.0",
    )


def volume_traces(app: AppTest, name: str) -> list[dict]:
    [volume] = [c for c in app.get("plotly_chart") if "Request volume" in c.proto.spec]
    return [t for t in json.loads(volume.proto.spec)["data"] if t.get("name") == name]


def test_a_stored_deploy_is_marked_on_the_volume_chart_with_its_service_and_who():
    enter_deploy()
    [deploys] = volume_traces(run(), "deploys")
    assert len(deploys["x"]) == 1
    assert "deploy of checkout: v2.14.0" in deploys["hovertext"][0] and "by Dana" in deploys["hovertext"][0]


def test_the_caption_counts_the_marks_in_the_range():
    enter_deploy()
    shown = texts(run().caption)
    assert re.search(
        r"In this range: 0 incidents, 0 adjustments, 0 reviews, 0 target changes, \d+ tier firings, 1 deploy\.", shown
    )


def test_the_trends_filter_hides_the_deploys():
    enter_deploy()
    app = run()
    app.pills(key="trends_annotation_kinds").set_value(["incidents"]).run()
    assert volume_traces(app, "deploys") == []


def test_with_a_deploy_series_but_no_prometheus_a_note_says_so_and_the_entered_deploy_stays(monkeypatch):
    monkeypatch.setenv("SLO_DEPLOY_SERIES", "deploy_timestamp_seconds")
    enter_deploy()
    app = run()
    [deploys] = volume_traces(app, "deploys")
    assert len(deploys["x"]) == 1 and "entered by Dana" in deploys["hovertext"][0]
    assert "No deploys from deploy_timestamp_seconds: SLO_DEPLOY_SERIES needs a Prometheus (PROMETHEUS_URL)." in texts(
        app.caption
    )


def test_a_recorded_review_is_marked_with_its_service_slo_outcome_and_reviewer(monkeypatch):
    monkeypatch.setenv("RELIABILITY_NOW", "2026-11-20T10:00:00Z")  # recorded four days ago, inside the range shown
    settings = load_settings()
    record_review(
        settings,
        load_catalog(settings.catalog_path).slos,
        actor=editor("Dana"),
        slo="checkout-availability",
        outcome="keep",
        notes="target still right",
    )
    monkeypatch.setenv("RELIABILITY_NOW", NOW)
    [reviews] = volume_traces(run(), "reviews")
    assert len(reviews["x"]) == 1
    hover = reviews["hovertext"][0]
    assert "checkout · checkout-availability · review: keep — target still right" in hover and "by Dana" in hover


def test_the_tier_firings_of_the_shown_services_are_banded_while_their_incidents_burned():
    """Demo mode: the inventory incident (11:05-14:05 UTC on 2026-11-14) paged; its page tier's band starts inside
    it, led by the service and the SLO."""
    [firings] = volume_traces(run(), "tier firings")
    paged = [hover for hover in firings["hovertext"] if "inventory · inventory-availability · tier 1h/5m" in hover]
    assert paged and "severity page" in paged[0]
    incident_start, incident_end = datetime(2026, 11, 14, 11, 5, tzinfo=UTC), datetime(2026, 11, 14, 14, 5, tzinfo=UTC)
    starts = [datetime.fromisoformat(x) for x, hover in zip(firings["x"], firings["hovertext"]) if hover in paged]
    assert any(incident_start <= start.astimezone(UTC) <= incident_end for start in starts)
