"""The SLO drill-down's deploy form and the deploy and tier-firing marks, in AppTest (demo mode, a fresh SQLite store,
the example catalog): an editor's deploy is stored once however often it is submitted and is marked on the charts
with who entered it; a viewer gets no form; the filter hides the tier firings."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.slo_deploys.store import list_deploys
from data.store import engine_for
from tests.support.apptest import isolated_store, texts

APP = str(Path(__file__).resolve().parents[3] / "app.py")
PAGE = "pages/slo_burn/page.py"
NOW = "2026-11-24T14:05:00Z"
SLO = "checkout-availability"
FORM = "slo_deploy_form"
SUBMIT = f"FormSubmitter:{FORM}-Enter deploy"


@pytest.fixture(autouse=True)
def store(monkeypatch, tmp_path) -> str:
    return isolated_store(monkeypatch, tmp_path, team_timezone="UTC", now=NOW)


def drilldown(name: str = "Kim") -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.session_state["identity_name"] = name
    app.run()
    app.switch_page(PAGE)
    app.query_params["slo"] = SLO
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def stored(url: str):
    engine = engine_for(url)
    try:
        return list_deploys(engine)
    finally:
        engine.dispose()


def fill(app: AppTest, version: str = "v2.14.0") -> AppTest:
    app.date_input(key=f"{FORM}_date").set_value(date(2026, 11, 24))
    app.time_input(key=f"{FORM}_time").set_value(time(10, 30))
    app.text_input(key=f"{FORM}_version").input(version)
    app.text_input(key=f"{FORM}_description").input("new cart service")
    return app


def submit(app: AppTest) -> AppTest:
    app.button(key=SUBMIT).click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def chart_traces(app: AppTest, name: str) -> list[dict]:
    """The traces named ``name`` on each of the drill-down's charts."""
    found = []
    for chart in app.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        found += [trace for trace in figure["data"] if trace.get("name") == name]
    return found


def test_an_editors_deploy_is_stored_with_the_service_the_moment_and_the_editors_name(store):
    app = submit(fill(drilldown()))
    [deploy] = stored(store)
    assert (deploy.service, deploy.deployed_at, deploy.version, deploy.description, deploy.entered_by) == (
        "checkout",
        datetime(2026, 11, 24, 10, 30, tzinfo=UTC),
        "v2.14.0",
        "new cart service",
        "Kim",
    )
    assert "Entered deploy 1 of checkout: v2.14.0 — new cart service." in texts(app.success)


def test_a_double_click_on_the_deploy_form_stores_one_deploy(store):
    app = fill(drilldown())
    app.button(key=SUBMIT).click()
    app.button(key=SUBMIT).click().run()
    fill(app)
    submit(app)
    assert len(stored(store)) == 1


def test_a_deploy_without_version_or_description_is_refused_naming_the_field(store):
    app = fill(drilldown(), version="")
    app.text_input(key=f"{FORM}_description").input("")
    submit(app)
    assert stored(store) == []
    assert "Not recorded — version: " in texts(app.error)


def test_a_stored_deploy_is_marked_on_the_sli_and_burn_down_charts_with_who_entered_it(store):
    submit(fill(drilldown()))
    app = drilldown()
    deploys = chart_traces(app, "deploys")
    assert [len(trace["x"]) for trace in deploys] == [1, 1]
    assert "deploy of checkout: v2.14.0 — new cart service" in deploys[0]["hovertext"][0]
    assert "by Kim" in deploys[0]["hovertext"][0]


def test_a_viewer_is_told_only_editors_enter_deploys_and_gets_no_form(monkeypatch, tmp_path):
    access = tmp_path / "access.toml"
    access.write_text('local_role = "viewer"\n', encoding="utf-8")
    monkeypatch.setenv("ACCESS_CONFIG", str(access))
    app = drilldown(name="Vic")
    assert "Entering deploys: only editors and admins can; your role is viewer." in texts(app.caption)
    assert not [button for button in app.get("button") if getattr(button, "key", None) == SUBMIT]


def test_the_tier_firings_hover_names_the_tier_and_its_severity():
    [sli_firings, _burn_down_firings] = chart_traces(drilldown(), "tier firings")
    assert sli_firings["x"]
    assert all("tier firing" in text and "· severity " in text for text in sli_firings["hovertext"])


def test_the_filter_hides_the_tier_firings_from_the_charts():
    app = drilldown()
    app.pills(key="slo_annotation_kinds").set_value(["incidents"]).run()
    assert chart_traces(app, "tier firings") == []
