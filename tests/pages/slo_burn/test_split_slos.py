"""A split SLO's drill-down lists every value of its split labels, in demo mode (issue 12, item 2)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.apptest import SETTINGS_VARIABLES, texts

APP = str(Path(__file__).resolve().parents[3] / "app.py")

SPLIT_SLO = """\
    apiVersion: openslo/v1
    kind: SLO
    metadata:
      name: api-availability
      annotations:
        reliability-dashboard/split-by: service
    spec:
      service: api
      indicator:
        metadata:
          name: api-non-5xx
        spec:
          ratioMetric:
            counter: true
            bad:
              metricSource:
                type: Prometheus
                spec:
                  query: http_requests_total{code=~"5.."}
            total:
              metricSource:
                type: Prometheus
                spec:
                  query: http_requests_total
      timeWindow:
        - duration: 7d
          isRolling: true
      budgetingMethod: Occurrences
      objectives:
        - target: 0.999
"""


@pytest.fixture(autouse=True)
def split_catalog(monkeypatch, tmp_path):
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("RELIABILITY_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("RELIABILITY_NOW", "2026-11-24T14:05:00Z")
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "api.yaml").write_text(textwrap.dedent(SPLIT_SLO))
    monkeypatch.setenv("SLO_CATALOG", str(catalog))


def drilldown() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["slo"] = "api-availability"
    app.run()
    assert not app.exception
    return app


def test_the_drilldown_of_a_split_slo_lists_each_value_of_its_label():
    app = drilldown()
    assert "Per service" in texts(app.markdown)
    (table,) = [frame.value for frame in app.dataframe if "value" in frame.value.columns]
    assert "6 values of service" in texts(app.caption)
    assert sorted(table["value"]) == [
        "service:auth",
        "service:checkout",
        "service:inventory",
        "service:payments",
        "service:reporting",
        "service:search",
    ]


def test_the_overview_says_under_the_table_how_many_values_a_split_slo_has_and_which_burn():
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception
    line = next(text for text in texts(app.caption).splitlines() if text.startswith("Split SLOs"))
    # the demo's checkout incident (from 13:15 on 24 November) is burning at 14:05: its value pages, first
    assert "**api-availability**: 6 values · " in line and "service=checkout page" in line
    (overview,) = [frame.value for frame in app.dataframe if "SLO" in frame.value.columns]
    note = overview.loc[overview["SLO"].str.contains("api-availability"), "error"].iloc[0]
    assert note.startswith("6 values · ")  # the same line is the row's note, under "More columns"


def value_drilldown(value: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["slo"] = "api-availability"
    app.query_params["split"] = value
    app.run()
    assert not app.exception
    return app


def test_a_values_own_link_opens_its_drilldown_with_its_figures_and_a_way_back_to_all_values():
    whole = drilldown()
    (table,) = [frame.value for frame in whole.dataframe if "value" in frame.value.columns]
    row = table[table["value"] == "service:checkout"].iloc[0]

    app = value_drilldown("service:checkout")

    assert texts(app.subheader).endswith(" · api · service=checkout")
    budget = next(m for m in app.metric if m.label == "Error budget remaining").value
    assert budget == f"{row['budget remaining'] * 100:.1f}%"
    assert "All values of api-availability" in [button.label for button in app.button]
    assert not [frame for frame in app.dataframe if "value" in frame.value.columns]  # one value: no values table


def test_a_value_the_slo_does_not_have_is_said_and_all_values_are_shown():
    app = value_drilldown("service:nope")
    assert "has no value ` service:nope `: showing all its values" in texts(app.warning)
    assert [frame for frame in app.dataframe if "value" in frame.value.columns]
