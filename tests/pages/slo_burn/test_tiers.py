"""The drill-down's tier table on tiers a team tuned: only the tiers switched on, under the team's severity names,
and a tier the minimum-traffic guard holds back said so (demo data: checkout's burn pages at the end)."""

from __future__ import annotations

import textwrap

import pytest

from tests.pages.slo_burn.test_page import GOOD_SLO, clean_environment, run

__all__ = ["clean_environment"]  # the autouse fixture: its own store, no Prometheus, no settings from outside


@pytest.fixture
def catalog(monkeypatch, tmp_path):
    folder = tmp_path / "catalog"
    folder.mkdir()
    monkeypatch.setenv("SLO_CATALOG", str(folder))
    return folder


def write_annotated(catalog, annotations: str) -> None:
    heading = "  displayName: Checkout availability\n"
    text = textwrap.dedent(GOOD_SLO).replace(heading, f"{heading}  annotations: {annotations}\n")
    (catalog / "checkout.yaml").write_text(text)


def test_the_tier_table_shows_only_the_tiers_on_under_the_teams_names(catalog):
    write_annotated(
        catalog,
        '{"reliability-dashboard/tiers": "1h, 3d", "reliability-dashboard/page-severity": "P1", '
        '"reliability-dashboard/ticket-severity": "P3"}',
    )

    app = run({"slo": "checkout-availability"})

    tiers = app.dataframe[0].value
    assert tiers["severity"].tolist() == ["P1", "P3"]
    assert tiers["long window"].tolist() == ["1h", "3d"]
    assert tiers.iloc[0]["firing now"] == "■ page firing"  # P1 pages: the badge is the urgency's
    assert {metric.label: metric.value for metric in app.metric}["Alert state"] == "■ page"


def test_a_tier_the_guard_holds_back_says_so_and_the_slo_does_not_page(catalog):
    write_annotated(catalog, '{"reliability-dashboard/min-events": "1000000000"}')

    app = run({"slo": "checkout-availability"})

    first = app.dataframe[0].value.iloc[0]
    assert first["firing now"] == "✓ ok held back: too few events"
    assert first["fired in the last day"] == "0%"
    assert {metric.label: metric.value for metric in app.metric}["Alert state"] != "■ page"
