"""The drill-down's deploy marks with ``SLO_DEPLOY_SERIES`` set (AppTest, a fresh SQLite store): on a real
Prometheus backfilled with a deploy history, the deploys the samples show are marked beside the entered one, each
hover saying where it came from; in demo mode, a note says the series needs a Prometheus and the entered deploys
stay."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.settings import load_settings
from data.slo.catalog import load_catalog
from data.slo_deploys.service import add_deploy
from tests.support.actors import editor
from tests.support.apptest import isolated_store, texts
from tests.support.deploy_series import END, MINUTE, deploy_series_prometheus, expected_from_samples
from tests.support.servers import PrometheusServer

REPO = Path(__file__).resolve().parents[3]
APP = str(REPO / "app.py")
PAGE = "pages/slo_burn/page.py"
SLO = "checkout-availability"
CATALOG = load_catalog(REPO / "config" / "slos").slos
ENTERED_AT = END - 30 * MINUTE


@pytest.fixture(scope="module")
def prometheus() -> Iterator[PrometheusServer]:
    yield from deploy_series_prometheus()


@pytest.fixture(autouse=True)
def store(monkeypatch, tmp_path) -> str:
    url = isolated_store(monkeypatch, tmp_path, team_timezone="UTC", now=END.isoformat())
    monkeypatch.setenv("SLO_DEPLOY_SERIES", "app_build_info")
    monkeypatch.setenv("SLO_DEPLOY_VERSION_LABEL", "version")
    add_deploy(load_settings(), CATALOG, actor=editor("Kim"), service="checkout", deployed_at=ENTERED_AT, version="v4")
    return url


def drilldown() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.session_state["identity_name"] = "Kim"
    app.run()
    app.switch_page(PAGE)
    app.query_params["slo"] = SLO
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def deploy_hovers(app: AppTest) -> list[list[str]]:
    """The hover texts of the deploy marks, per chart."""
    found = []
    for chart in app.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        found += [trace["hovertext"] for trace in figure["data"] if trace.get("name") == "deploys"]
    return found


def test_the_series_deploys_are_marked_beside_the_entered_one_each_saying_its_source(monkeypatch, prometheus):
    monkeypatch.setenv("PROMETHEUS_URL", prometheus.url)
    hovers = deploy_hovers(drilldown())
    from_series = [version for service, _, version in expected_from_samples("app_build_info") if service == "checkout"]
    assert len(hovers) == 2 and len(hovers[0]) == 1 + len(from_series)
    entered = [text for text in hovers[0] if "entered by Kim" in text]
    read = [text for text in hovers[0] if "from app_build_info" in text]
    assert len(entered) == 1 and "deploy of checkout: v4" in entered[0]
    assert sorted(version for version in from_series) == sorted(
        text.split("deploy of checkout: ")[1].split("<br>")[0] for text in read
    )


def test_in_demo_mode_a_note_says_the_series_needs_a_prometheus_and_the_entered_deploy_stays():
    app = drilldown()
    assert "No deploys from app_build_info: SLO_DEPLOY_SERIES needs a Prometheus (PROMETHEUS_URL)." in texts(
        app.caption
    )
    [sli_hovers, _] = deploy_hovers(app)
    assert [("entered by Kim" in text) for text in sli_hovers] == [True]
