"""The ``reliability-dashboard/review-every`` annotation: an SLO's own review cadence, and a clear problem for a bad
value (the document is skipped, the rest of the catalog loads)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.unit.data.slo.test_catalog_tiers import OTHER_SLO, annotated, load, only_problem


@pytest.fixture(autouse=True)
def _inside_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_an_slo_without_the_annotation_keeps_the_default_cadence(tmp_path):
    assert load(tmp_path, annotated()).slo("checkout-availability").review_every is None


@pytest.mark.parametrize(("value", "days"), [("30d", 30), ("6w", 42)])
def test_the_annotation_sets_the_slos_cadence(tmp_path, value, days):
    catalog = load(tmp_path, annotated(**{"review-every": value}))

    assert catalog.problems == []
    assert catalog.slo("checkout-availability").review_every == timedelta(days=days)


def test_the_annotation_goes_with_the_tier_annotations(tmp_path):
    catalog = load(tmp_path, annotated(**{"review-every": "30d", "tiers": "1h", "min-events": "100"}))

    definition = catalog.slo("checkout-availability")
    assert definition.review_every == timedelta(days=30)
    assert [tier.long_window for tier in definition.tiers] == ["1h"]


@pytest.mark.parametrize("value", ["30", "1M", "0d", "12h"])
def test_a_bad_cadence_is_a_problem_naming_the_annotation_and_the_slo_is_skipped(tmp_path, value):
    catalog = load(tmp_path, annotated(**{"review-every": value}), OTHER_SLO)

    problem = only_problem(catalog)
    assert (problem.name, problem.field) == (
        "checkout-availability",
        "metadata.annotations.reliability-dashboard/review-every",
    )
    assert f"{value!r} is not a review cadence" in problem.message
    assert catalog.slo("checkout-availability") is None
    assert catalog.slo("search-availability") is not None


def test_a_misspelt_annotation_suggests_review_every(tmp_path):
    problem = only_problem(load(tmp_path, annotated(**{"review-evry": "30d"})))

    assert "did you mean reliability-dashboard/review-every?" in problem.message
