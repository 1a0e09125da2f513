"""The catalog reads OpenSLO's Timeslices and RatioTimeslices budgeting and thresholdMetric SLIs, and refuses the
combinations the spec (or this tool) does not allow, naming the file, the document and the field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from data.slo.catalog import Catalog, CatalogProblem, load_catalog
from metrics.slo.definitions import BudgetingMethod, Op, RatioIndicator, ThresholdIndicator, TimeSlices

RATIO_SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-minutes
spec:
  service: checkout
  indicator:
    metadata: {name: checkout-non-5xx}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: Prometheus, spec: {query: 'http_requests_total{service="checkout",code!~"5.."}'}}}
        total: {metricSource: {type: Prometheus, spec: {query: 'http_requests_total{service="checkout"}'}}}
  timeWindow:
    - {duration: 30d, isRolling: true}
  budgetingMethod: Timeslices
  objectives:
    - {target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: 5m}
"""

THRESHOLD_SLO = """\
apiVersion: openslo/v1
kind: SLI
metadata: {name: checkout-p99}
spec:
  thresholdMetric:
    metricSource:
      type: Prometheus
      spec:
        query: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-latency
spec:
  service: checkout
  indicatorRef: checkout-p99
  timeWindow:
    - {duration: 30d, isRolling: true}
  budgetingMethod: Occurrences
  objectives:
    - {target: 0.99, op: lte, value: 0.3}
"""


@pytest.fixture(autouse=True)
def _inside_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def load(tmp_path: Path, text: str, replace: dict[str, str] | None = None) -> Catalog:
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    (tmp_path / "catalog.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return load_catalog(tmp_path / "catalog.yaml")


def only_problem(catalog: Catalog) -> CatalogProblem:
    assert catalog.slos == [] and len(catalog.problems) == 1, [str(p) for p in catalog.problems]
    return catalog.problems[0]


def test_timeslices_slo_loads_with_its_slice_length_and_slice_target(tmp_path):
    (slo,) = load(tmp_path, RATIO_SLO).slos

    assert slo.budgeting_method is BudgetingMethod.TIMESLICES
    assert slo.time_slices == TimeSlices(window="5m", target=0.95)
    assert isinstance(slo.indicator, RatioIndicator)


def test_timeslices_method_is_named_with_its_slices_and_slice_target(tmp_path):
    (slo,) = load(tmp_path, RATIO_SLO).slos

    assert slo.method_label == "Timeslices, 5m slices at 95 %"
    assert slo.unit == "slices"


def test_ratio_timeslices_slo_loads_without_a_slice_target(tmp_path):
    text = RATIO_SLO.replace("budgetingMethod: Timeslices", "budgetingMethod: RatioTimeslices")
    catalog = load(tmp_path, text, {"{target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: 5m}": "{target: 0.99, "
                                    "timeSliceWindow: 1m}"})  # fmt: skip

    (slo,) = catalog.slos
    assert (slo.budgeting_method, slo.time_slices) == (BudgetingMethod.RATIO_TIMESLICES, TimeSlices("1m", None))
    assert slo.method_label == "RatioTimeslices, average of 1m slices"


def test_ratio_timeslices_with_a_slice_target_is_a_problem_naming_the_field(tmp_path):
    catalog = load(tmp_path, RATIO_SLO, {"budgetingMethod: Timeslices": "budgetingMethod: RatioTimeslices"})

    problem = only_problem(catalog)
    assert (problem.file, problem.document, problem.field) == (
        "catalog.yaml",
        1,
        "spec.objectives[0].timeSliceTarget",
    )
    assert "averages the slices' ratios" in problem.message


@pytest.mark.parametrize(
    ("objective", "field", "words"),
    [
        ("{target: 0.99, timeSliceTarget: 0.95}", "timeSliceWindow", "required with budgetingMethod Timeslices"),
        ("{target: 0.99, timeSliceWindow: 5m}", "timeSliceTarget", "the ratio a slice needs to be good"),
        ("{target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: 7m}", "timeSliceWindow", "cut a day"),
        ("{target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: 30s}", "timeSliceWindow", "from 1m to 1h"),
        ("{target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: 2h}", "timeSliceWindow", "from 1m to 1h"),
        ("{target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: soon}", "timeSliceWindow", "a duration like"),
        ("{target: 0.99, timeSliceTarget: 1.5, timeSliceWindow: 5m}", "timeSliceTarget", "in (0, 1]"),
        ("{target: 0.99, timeSliceTarget: 0, timeSliceWindow: 5m}", "timeSliceTarget", "in (0, 1]"),
    ],
)
def test_an_invalid_timeslices_objective_is_a_problem_naming_its_field(tmp_path, objective, field, words):
    catalog = load(tmp_path, RATIO_SLO, {"{target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: 5m}": objective})

    problem = only_problem(catalog)
    assert problem.field == f"spec.objectives[0].{field}"
    assert words in problem.message
    assert "catalog.yaml, document 1" in str(problem)


def test_slice_fields_with_occurrences_are_a_problem(tmp_path):
    catalog = load(tmp_path, RATIO_SLO, {"budgetingMethod: Timeslices": "budgetingMethod: Occurrences"})

    assert {p.field for p in catalog.problems} == {
        "spec.objectives[0].timeSliceTarget",
        "spec.objectives[0].timeSliceWindow",
    }


def test_threshold_metric_slo_loads_as_a_query_compared_with_the_objectives_op_and_value(tmp_path):
    (slo,) = load(tmp_path, THRESHOLD_SLO).slos

    assert slo.indicator == ThresholdIndicator(
        query="histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
        op=Op.LTE,
        threshold=0.3,
    )
    assert slo.method_label == "Occurrences, metric <= 0.3 each 1m"
    assert slo.unit == "points"


def test_threshold_metric_with_timeslices_counts_slices(tmp_path):
    catalog = load(
        tmp_path,
        THRESHOLD_SLO,
        {
            "budgetingMethod: Occurrences": "budgetingMethod: Timeslices",
            "{target: 0.99, op: lte, value: 0.3}": "{target: 0.99, op: lte, value: 0.3, timeSliceTarget: 0.8, "
            "timeSliceWindow: 5m}",
        },
    )

    (slo,) = catalog.slos
    assert slo.method_label == "Timeslices, 5m slices at 80 %, metric <= 0.3 each 1m"


@pytest.mark.parametrize(
    ("objective", "field", "words"),
    [
        ("{target: 0.99, value: 0.3}", "op", "required with a thresholdMetric"),
        ("{target: 0.99, op: lte}", "value", "required with a thresholdMetric"),
        ("{target: 0.99, op: eq, value: 0.3}", "op", "one of lt, lte, gt, gte"),
        ("{target: 0.99, op: lte, value: fast}", "value", "must be a number"),
    ],
)
def test_an_invalid_threshold_objective_is_a_problem_naming_its_field(tmp_path, objective, field, words):
    catalog = load(tmp_path, THRESHOLD_SLO, {"{target: 0.99, op: lte, value: 0.3}": objective})

    problem = only_problem(catalog)
    assert (problem.kind, problem.field) == ("SLO", f"spec.objectives[0].{field}")
    assert words in problem.message
    assert "catalog.yaml, document 2" in str(problem)


def test_op_and_value_with_a_ratio_metric_are_a_problem(tmp_path):
    catalog = load(
        tmp_path,
        RATIO_SLO,
        {"{target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: 5m}": "{target: 0.99, op: lte, value: 0.3, "
         "timeSliceTarget: 0.95, timeSliceWindow: 5m}"},
    )  # fmt: skip

    assert {p.field for p in catalog.problems} == {"spec.objectives[0].op", "spec.objectives[0].value"}
    assert all("only used with a thresholdMetric" in p.message for p in catalog.problems)


def test_a_threshold_query_whose_parentheses_do_not_balance_is_a_problem_naming_the_query(tmp_path):
    catalog = load(tmp_path, THRESHOLD_SLO, {"[5m])))": "[5m]))"})

    problems = [p for p in catalog.problems if p.kind == "SLI"]
    assert [(p.field, p.message) for p in problems] == [
        ("spec.thresholdMetric.metricSource.spec.query", "its parentheses do not balance")
    ]


def test_an_sli_with_both_ratio_and_threshold_metrics_is_a_problem(tmp_path):
    both = "  thresholdMetric:\n    metricSource: {type: Prometheus, spec: {query: up}}\n  ratioMetric:\n" \
           "    counter: true\n    good: {metricSource: {type: Prometheus, spec: {query: a_total}}}\n" \
           "    total: {metricSource: {type: Prometheus, spec: {query: b_total}}}\n"  # fmt: skip
    text = THRESHOLD_SLO.split("---\n")[0].split("  thresholdMetric:")[0] + both

    catalog = load(tmp_path, text)

    assert [(p.field, p.message) for p in catalog.problems] == [
        ("spec", "give ratioMetric or thresholdMetric, not both")
    ]


def test_a_split_timeslices_slo_is_a_problem_naming_the_annotation(tmp_path):
    catalog = load(
        tmp_path,
        RATIO_SLO,
        {
            "  name: checkout-minutes\n": "  name: checkout-minutes\n"
            "  annotations: {reliability-dashboard/split-by: code}\n"
        },
    )

    problem = only_problem(catalog)
    assert problem.field == "metadata.annotations.reliability-dashboard/split-by"
    assert "budgetingMethod Occurrences and a ratioMetric" in problem.message


def test_the_slice_examples_load_without_problems_and_the_demo_gives_each_of_them_figures():
    from datetime import UTC, datetime

    from data.slo.demo import DemoSource
    from data.slo.service import load_report

    examples = Path(__file__).resolve().parents[4] / "config" / "slo-examples"
    catalog = load_catalog(examples)
    at = datetime(2026, 11, 1, 12, tzinfo=UTC)

    report = load_report(DemoSource(end=at), catalog.slos, at)

    assert (catalog.problems, catalog.notices) == ([], [])
    assert len(catalog.slos) == 5
    assert all(status.sli is not None and status.error is None for status in report.statuses)
