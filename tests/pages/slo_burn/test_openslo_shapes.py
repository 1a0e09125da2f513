"""The SLO burn page on OpenSLO shapes issue 12 added: one row per objective (a "/" in the name and the link), a
defaulted window shown as such, the SLO's and objective's display names and description in the drill-down, and
notices (valid OpenSLO not handled or not used yet) listed apart from problems."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pages.slo_burn.widgets import drilldown_link
from tests.pages.slo_burn.test_page import GOOD_SLO, clean_environment, overview, run, slo_names
from tests.support.apptest import texts
from tests.support.catalogs import RAW_RATIO_SLO as RAW_SLO

__all__ = ["clean_environment"]  # the autouse fixture: its own store, no Prometheus, no settings from outside

TWO_OBJECTIVES = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
  displayName: Checkout availability
spec:
  description: Checkout requests without a 5xx.
  service: checkout
  indicator:
    metadata: {name: checkout-non-5xx}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: Prometheus, spec: {query: 'http_requests_total{service="checkout",code!~"5.."}'}}}
        total: {metricSource: {type: Prometheus, spec: {query: 'http_requests_total{service="checkout"}'}}}
  budgetingMethod: Occurrences
  objectives:
    - displayName: Nearly all
      target: 0.999
    - displayName: Most
      target: 0.99
"""


@pytest.fixture
def catalog(monkeypatch, tmp_path):
    folder = tmp_path / "catalog"
    folder.mkdir()
    monkeypatch.setenv("SLO_CATALOG", str(folder))
    return folder


def test_each_objective_is_its_own_row_linked_by_its_slash_name(catalog):
    (catalog / "checkout.yaml").write_text(TWO_OBJECTIVES)

    frame = overview(run())

    assert sorted(slo_names(frame)) == ["checkout-availability/most", "checkout-availability/nearly-all"]


def test_a_defaulted_window_shows_as_28d_default_in_the_overview(catalog):
    (catalog / "checkout.yaml").write_text(TWO_OBJECTIVES)

    frame = overview(run())

    assert set(frame["window"]) == {"28d (default)"}


def test_the_drilldown_of_one_objective_shows_slo_and_objective_names_and_the_description(catalog):
    (catalog / "checkout.yaml").write_text(TWO_OBJECTIVES)

    app = run({"slo": "checkout-availability/most"})

    assert app.subheader[0].value == "Checkout availability · Most · checkout"
    captions = [caption.value for caption in app.caption]
    assert any("Window **28d (default)**" in caption for caption in captions)
    assert any("Checkout requests without a 5xx" in caption for caption in captions)


def test_a_tolerated_kind_is_listed_as_a_notice_and_no_problem_is_shown(catalog):
    (catalog / "good.yaml").write_text(textwrap.dedent(GOOD_SLO))
    (catalog / "alerts.yaml").write_text(
        "apiVersion: openslo/v1\nkind: AlertNotificationTarget\nmetadata: {name: pager}\nspec: {target: pager}\n"
    )

    app = run()

    assert slo_names(overview(app)) == ["checkout-availability"]
    (expander,) = app.expander
    assert "1 catalog notice — valid OpenSLO not handled or not used yet" in expander.label
    assert "alerts.yaml, document 1 (AlertNotificationTarget" in texts(expander.info)
    assert texts(expander.info).startswith("read but not used yet: ")


def test_an_slo_on_a_raw_ratio_shows_its_figures_and_how_it_counts(catalog):
    (catalog / "raw.yaml").write_text(RAW_SLO)

    app = run({"slo": "checkout-raw"})

    assert not app.error and not app.exception
    assert "Occurrences, raw success ratio each 1m" in texts(app.caption)
    assert not [e for e in app.expander if "catalog notice" in e.label]  # nothing in it is left unhandled


def test_slos_counted_in_slices_or_points_show_their_method_beside_the_window(catalog):
    (catalog / "slices.yaml").write_text(Path("config/slo-examples/slices.yaml").read_text())

    frame = overview(run())

    windows = dict(zip(slo_names(frame), frame["window"]))
    assert windows == {
        "checkout-good-minutes": "30d · Timeslices, 5m slices at 99.5 %",
        "search-average-slice": "28d · RatioTimeslices, average of 5m slices",
        "checkout-p99-under-1s": "30d · Occurrences, metric <= 1 each 1m",
        "checkout-p99-slices": "30d · Timeslices, 5m slices at 80 %, metric <= 1 each 1m",
        "search-success-ratio": "30d · Occurrences, raw success ratio each 1m",
    }


def test_the_drilldown_of_a_timeslices_slo_names_its_method_and_shows_its_figures(catalog):
    (catalog / "slices.yaml").write_text(Path("config/slo-examples/slices.yaml").read_text())

    app = run({"slo": "checkout-good-minutes"})

    captions = [caption.value for caption in app.caption]
    assert any("**Timeslices, 5m slices at 99.5 %**" in caption for caption in captions)
    assert not app.error and not app.exception


def test_a_single_objectives_display_name_shows_under_the_headline_of_an_slo_with_its_own_name(catalog):
    named = textwrap.dedent(GOOD_SLO).replace(
        "- target: 0.999", "- displayName: Nearly every request\n      target: 0.999"
    )
    (catalog / "checkout.yaml").write_text(named)

    app = run({"slo": "checkout-availability"})

    assert app.subheader[0].value == "Checkout availability · checkout"
    assert "Objective: Nearly every request" in [caption.value for caption in app.caption]


def test_a_drilldown_link_keeps_the_slash_of_an_objectives_name_and_encodes_the_rest():
    assert drilldown_link("checkout-latency/fast-reads", at="2026-11-01T00:00Z") == (
        "?slo=checkout-latency/fast-reads&at=2026-11-01T00%3A00Z"
    )
