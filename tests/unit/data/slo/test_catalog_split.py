"""The split-by annotation: an SLO split by one to three labels, each value an SLO of its own; a bad value is a
problem naming the file, the SLO and the annotation, and the rest of the catalog still loads."""

from __future__ import annotations

import pytest

from tests.unit.data.slo.test_catalog_tiers import OTHER_SLO, annotated, load, only_problem


@pytest.fixture(autouse=True)
def _inside_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_an_slo_without_the_annotation_is_not_split(tmp_path):
    assert load(tmp_path, OTHER_SLO).slo("search-availability").split_by == ()


@pytest.mark.parametrize(("value", "labels"), [("route", ("route",)), (" region , route ", ("region", "route"))])
def test_the_annotation_names_the_labels_to_split_by(tmp_path, value, labels):
    catalog = load(tmp_path, annotated(**{"split-by": value}))
    assert catalog.slo("checkout-availability").split_by == labels


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("", "is not a list of 1 to 3 label names"),
        ("a, b, c, d", "is not a list of 1 to 3 label names"),
        ("route, route", "names a label twice"),
        ("__name__", "is not a label an SLO can be split by"),
        ("le", "is not a label an SLO can be split by"),
        ("my-route", "is not a label an SLO can be split by"),
    ],
)
def test_a_bad_split_is_a_problem_and_the_other_slos_still_load(tmp_path, value, said):
    catalog = load(tmp_path, annotated(**{"split-by": value}), OTHER_SLO)
    problem = only_problem(catalog)
    assert said in str(problem) and "reliability-dashboard/split-by" in str(problem)
    assert catalog.slo("checkout-availability") is None and catalog.slo("search-availability") is not None
