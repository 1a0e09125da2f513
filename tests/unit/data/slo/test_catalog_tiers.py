"""Tier settings in the catalog: the reliability-dashboard/ annotations that tune the SRE Workbook's tiers, and
OpenSLO AlertPolicy and AlertCondition documents that replace them; bad settings are problems naming the file, the
SLO (or policy) and the field, and the rest of the catalog still loads."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from data.slo.catalog import Catalog, CatalogProblem, Severity, load_catalog
from metrics.slo.alerts import DEFAULT_TIERS, Op, Urgency

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
  annotations: {ANNOTATIONS}
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
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
"""

OTHER_SLO = SLO.replace("checkout", "search").replace("annotations: {ANNOTATIONS}", "annotations: {}")

CONDITION = """\
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: fast-burn-condition}
spec:
  severity: page
  condition: {kind: burnrate, op: gte, threshold: 10, lookbackWindow: 2h, alertAfter: 5m}
"""

POLICY = """\
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: fast-burn}
spec:
  alertWhenBreaching: true
  conditions:
    - conditionRef: fast-burn-condition
  notificationTargets:
    - targetRef: pager
"""


@pytest.fixture(autouse=True)
def _inside_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def load(tmp_path: Path, *documents: str) -> Catalog:
    path = tmp_path / "catalog.yaml"
    path.write_text("---\n".join(textwrap.dedent(document) for document in documents), encoding="utf-8")
    return load_catalog(path)


def annotated(**annotations: str) -> str:
    text = ", ".join(f'"reliability-dashboard/{key}": "{value}"' for key, value in annotations.items())
    return SLO.replace("{ANNOTATIONS}", "{" + text + "}")


def with_policies(policies: str, annotations: str = "{}") -> str:
    """The SLO with ``spec.alertPolicies`` given as YAML lines (indented under it)."""
    text = SLO.replace("{ANNOTATIONS}", annotations)
    return text + "  alertPolicies:\n" + textwrap.indent(textwrap.dedent(policies), "    ")


def only_problem(catalog: Catalog) -> CatalogProblem:
    assert len(catalog.problems) == 1, [str(p) for p in catalog.problems]
    return catalog.problems[0]


def tiers(catalog: Catalog, name: str = "checkout-availability"):
    definition = catalog.slo(name)
    assert definition is not None, [str(p) for p in catalog.problems]
    return definition.tiers


# -- annotations ------------------------------------------------------------------------------------------------------


def test_without_annotations_or_policies_an_slo_has_the_workbooks_four_tiers(tmp_path):
    assert tiers(load(tmp_path, annotated())) == DEFAULT_TIERS


def test_the_tiers_annotation_keeps_only_the_tiers_it_names_by_long_window(tmp_path):
    kept = tiers(load(tmp_path, annotated(tiers="1h, 1d")))

    assert [(t.urgency, t.long_window, t.short_window) for t in kept] == [
        (Urgency.PAGE, "1h", "5m"),
        (Urgency.TICKET, "1d", "2h"),
    ]


def test_the_tiers_annotation_none_switches_every_tier_off(tmp_path):
    assert tiers(load(tmp_path, annotated(tiers="none"))) == ()


def test_severity_annotations_rename_the_tiers_and_keep_their_urgency(tmp_path):
    renamed = tiers(load(tmp_path, annotated(**{"page-severity": "P1", "ticket-severity": "P3"})))

    assert [(t.severity, t.urgency) for t in renamed] == [
        ("P1", Urgency.PAGE),
        ("P1", Urgency.PAGE),
        ("P3", Urgency.TICKET),
        ("P3", Urgency.TICKET),
    ]


def test_min_events_annotations_guard_every_tier(tmp_path):
    guarded = tiers(load(tmp_path, annotated(**{"min-events": "100", "min-bad-events": "5"})))

    assert {(t.min_events, t.min_bad_events) for t in guarded} == {(100, 5)}


def test_annotations_of_other_tools_are_left_alone(tmp_path):
    text = SLO.replace("{ANNOTATIONS}", '{"example.com/owner": "team-a"}')

    assert tiers(load(tmp_path, text)) == DEFAULT_TIERS


@pytest.mark.parametrize(
    ("annotation", "value", "expected"),
    [
        ("min-events", "lots", '"lots" is not a whole number of events'),
        ("min-events", "0", "of at least 1"),
        ("min-bad-events", "-3", "not a whole number"),
        ("min-events", "9" * 5000, "not a whole number"),
        ("tiers", "1h, 2h", "1h, 6h, 1d, 3d"),
        ("page-severity", " ", "severity name of 1 to 63 characters"),
    ],
)
def test_a_bad_annotation_value_is_a_problem_naming_file_slo_and_annotation(tmp_path, annotation, value, expected):
    catalog = load(tmp_path, annotated(**{annotation: value}), OTHER_SLO)

    problem = only_problem(catalog)
    assert (problem.file, problem.name, problem.field) == (
        "catalog.yaml",
        "checkout-availability",
        f"metadata.annotations.reliability-dashboard/{annotation}",
    )
    assert expected in problem.message
    assert [slo.name for slo in catalog.slos] == ["search-availability"]  # the rest still loads


def test_a_misspelt_annotation_of_ours_is_a_problem_with_a_suggestion(tmp_path):
    problem = only_problem(load(tmp_path, annotated(**{"min-event": "100"})))

    assert problem.field == "metadata.annotations.reliability-dashboard/min-event"
    assert "did you mean reliability-dashboard/min-events?" in problem.message


def test_an_annotation_of_ours_for_something_else_is_not_a_problem(tmp_path):
    assert tiers(load(tmp_path, annotated(**{"split-by": "route", "alert-name": "CheckoutBurn"}))) == DEFAULT_TIERS


@pytest.mark.parametrize(
    ("annotation", "left"),
    [
        ("page-alert-disabled", [Urgency.TICKET, Urgency.TICKET]),
        ("ticket-alert-disabled", [Urgency.PAGE, Urgency.PAGE]),
        ("alerts-disabled", []),
    ],
)
def test_alerts_an_imported_sloth_or_pyrra_slo_disabled_stay_off(tmp_path, annotation, left):
    assert [tier.urgency for tier in tiers(load(tmp_path, annotated(**{annotation: "true"})))] == left


def test_an_imported_switch_set_to_false_leaves_the_tiers_on(tmp_path):
    assert tiers(load(tmp_path, annotated(**{"page-alert-disabled": "false"}))) == DEFAULT_TIERS


def test_an_imported_switch_that_is_neither_true_nor_false_is_a_problem(tmp_path):
    problem = only_problem(load(tmp_path, annotated(**{"alerts-disabled": "yes"})))

    assert problem.field == "metadata.annotations.reliability-dashboard/alerts-disabled"
    assert "must be true or false" in problem.message


def test_an_annotation_value_that_is_not_a_string_is_a_problem(tmp_path):
    text = SLO.replace("{ANNOTATIONS}", '{"reliability-dashboard/min-events": 100}')

    problem = only_problem(load(tmp_path, text))

    assert problem.field == "metadata.annotations.reliability-dashboard/min-events"
    assert "quote it" in problem.message


# -- AlertPolicy and AlertCondition -----------------------------------------------------------------------------------


def test_an_slo_naming_a_policy_has_that_policys_tier_instead_of_the_workbooks(tmp_path):
    catalog = load(tmp_path, with_policies("- alertPolicyRef: fast-burn\n"), POLICY, CONDITION)

    (tier,) = tiers(catalog)
    assert (tier.severity, tier.urgency, tier.op, tier.burn_rate) == ("page", Urgency.PAGE, Op.GTE, 10.0)
    assert (tier.long_window, tier.short_window, tier.alert_after, tier.policy) == ("2h", "10m", "5m", "fast-burn")
    assert catalog.problems == [] and catalog.notices == []


def test_a_policy_and_its_condition_may_be_written_inline(tmp_path):
    policy = """\
    - kind: AlertPolicy
      metadata: {name: slow-burn}
      spec:
        conditions:
          - kind: AlertCondition
            metadata:
              name: slow
              annotations: {reliability-dashboard/urgency: ticket}
            spec:
              severity: sev3
              condition: {kind: burnrate, op: gt, threshold: 2, lookbackWindow: 12h, alertAfter: 0m}
    """
    (tier,) = tiers(load(tmp_path, with_policies(policy)))

    assert (tier.severity, tier.urgency, tier.long_window, tier.short_window) == ("sev3", Urgency.TICKET, "12h", "1h")
    assert tier.alert_after is None  # 0m: no waiting


def test_the_slos_guard_applies_to_its_policy_tiers_too(tmp_path):
    text = with_policies("- alertPolicyRef: fast-burn\n", '{"reliability-dashboard/min-events": "50"}')

    (tier,) = tiers(load(tmp_path, text, POLICY, CONDITION))

    assert tier.min_events == 50


def test_a_policy_not_alerting_when_breaching_adds_no_tier(tmp_path):
    policy = POLICY.replace("alertWhenBreaching: true", "alertWhenBreaching: false")

    assert tiers(load(tmp_path, with_policies("- alertPolicyRef: fast-burn\n"), policy, CONDITION)) == ()


def test_a_policy_no_slo_names_is_a_notice_that_it_changes_nothing(tmp_path):
    catalog = load(tmp_path, annotated(), POLICY, CONDITION)

    assert catalog.problems == []
    (notice,) = catalog.notices
    assert (notice.severity, notice.kind, notice.name) == (Severity.NOT_USED, "AlertPolicy", "fast-burn")
    assert "adds no alert tier" in notice.message


def test_an_unknown_policy_reference_is_a_problem_with_a_suggestion(tmp_path):
    catalog = load(tmp_path, with_policies("- alertPolicyRef: fast-brun\n"), POLICY, CONDITION, OTHER_SLO)

    problem = next(p for p in catalog.problems if p.name == "checkout-availability")
    assert problem.field == "spec.alertPolicies[0].alertPolicyRef"
    assert 'no AlertPolicy named "fast-brun"' in problem.message and 'did you mean "fast-burn"' in problem.message
    assert catalog.slo("search-availability") is not None


def test_a_severity_that_does_not_say_page_or_ticket_needs_the_urgency_annotation(tmp_path):
    condition = CONDITION.replace("severity: page", "severity: P1")

    catalog = load(tmp_path, with_policies("- alertPolicyRef: fast-burn\n"), POLICY, condition)

    problem = next(p for p in catalog.problems if p.kind == "AlertCondition")
    assert (problem.file, problem.document, problem.name, problem.field) == (
        "catalog.yaml",
        3,
        "fast-burn-condition",
        "spec.severity",
    )
    assert "reliability-dashboard/urgency: page (or ticket)" in problem.message
    assert catalog.slo("checkout-availability") is None  # its policy is broken: no silent loss of alerts
    slo_problem = next(p for p in catalog.problems if p.kind == "SLO")
    assert "has problems of its own" in slo_problem.message


@pytest.mark.parametrize("window", ["99999999999999d", "-1h", "an hour"])
def test_a_lookback_window_that_is_not_a_duration_is_a_problem_not_a_traceback(tmp_path, window):
    problem = only_problem(load(tmp_path, CONDITION.replace("lookbackWindow: 2h", f"lookbackWindow: {window}")))

    assert problem.field == "spec.condition.lookbackWindow"
    assert f'"{window}" is not a duration like 1h, 6h or 1d' in problem.message


@pytest.mark.parametrize("window", ["90m", "4d", "30m"])
def test_a_lookback_window_the_source_cannot_fetch_is_refused_by_name(tmp_path, window):
    condition = CONDITION.replace("lookbackWindow: 2h", f"lookbackWindow: {window}")

    catalog = load(tmp_path, with_policies("- alertPolicyRef: fast-burn\n"), POLICY, condition)

    problem = next(p for p in catalog.problems if p.kind == "AlertCondition")
    assert problem.field == "spec.condition.lookbackWindow"
    assert f'"{window}" cannot be fetched: a lookbackWindow must be whole hours from 1h to 3d' in problem.message


@pytest.mark.parametrize(
    ("old", "new", "field", "expected"),
    [
        ("op: gte", "op: above", "spec.condition.op", "must be one of gt, gte, lt, lte"),
        ("threshold: 10", "threshold: 0", "spec.condition.threshold", "must be a burn rate above 0"),
        ("kind: burnrate", "kind: budget", "spec.condition.kind", "OpenSLO v1 has burnrate"),
        ("alertAfter: 5m", "alertAfter: soon", "spec.condition.alertAfter", '"soon" is not a duration like 5m'),
    ],
)
def test_a_bad_condition_field_is_a_problem_naming_it(tmp_path, old, new, field, expected):
    catalog = load(tmp_path, CONDITION.replace(old, new))

    problem = only_problem(catalog)
    assert (problem.kind, problem.name, problem.field) == ("AlertCondition", "fast-burn-condition", field)
    assert expected in problem.message


def test_an_inline_condition_problem_names_its_path_inside_the_slo(tmp_path):
    policy = """\
    - kind: AlertPolicy
      metadata: {name: slow-burn}
      spec:
        conditions:
          - kind: AlertCondition
            metadata: {name: slow}
            spec:
              severity: ticket
              condition: {kind: burnrate, op: gt, threshold: 2, lookbackWindow: 7d}
    """
    problem = only_problem(load(tmp_path, with_policies(policy)))

    assert (problem.name, problem.field) == (
        "checkout-availability",
        "spec.alertPolicies[0].spec.conditions[0].spec.condition.lookbackWindow",
    )


def test_a_policy_with_two_conditions_is_a_problem_as_openslo_allows_one(tmp_path):
    policy = POLICY.replace(
        "    - conditionRef: fast-burn-condition\n",
        "    - conditionRef: fast-burn-condition\n    - conditionRef: fast-burn-condition\n",
    )

    problem = only_problem(load(tmp_path, policy, CONDITION))

    assert (problem.kind, problem.field) == ("AlertPolicy", "spec.conditions")
    assert "exactly one condition" in problem.message


def test_tier_annotations_beside_alert_policies_are_a_problem(tmp_path):
    text = with_policies("- alertPolicyRef: fast-burn\n", '{"reliability-dashboard/tiers": "1h"}')

    problem = only_problem(load(tmp_path, text, POLICY, CONDITION))

    assert problem.field == "metadata.annotations.reliability-dashboard/tiers"
    assert "names alertPolicies, which are its tiers" in problem.message


def test_two_policies_making_the_same_tier_are_a_problem(tmp_path):
    twin = POLICY.replace("name: fast-burn}", "name: fast-burn-again}")
    text = with_policies("- alertPolicyRef: fast-burn\n- alertPolicyRef: fast-burn-again\n")

    problem = only_problem(load(tmp_path, text, POLICY, twin, CONDITION))

    assert problem.field == "spec.alertPolicies"
    assert 'both make a "page" tier over 2h' in problem.message


def test_an_empty_alert_policies_list_is_a_problem_pointing_at_the_workbook_default(tmp_path):
    problem = only_problem(load(tmp_path, with_policies("[]\n")))

    assert problem.field == "spec.alertPolicies"
    assert "leave it out for the SRE Workbook's four tiers" in problem.message


ODD_PLACES = {
    "urgency annotation": ("metadata: {name: fast-burn-condition}", "metadata: {{name: fast-burn-condition, "
                           "annotations: {{reliability-dashboard/urgency: {value}}}}}"),
    "severity": ("severity: page", "severity: {value}"),
    "op": ("op: gte", "op: {value}"),
    "threshold": ("threshold: 10", "threshold: {value}"),
    "lookbackWindow": ("lookbackWindow: 2h", "lookbackWindow: {value}"),
    "alertAfter": ("alertAfter: 5m", "alertAfter: {value}"),
}  # fmt: skip


@pytest.mark.parametrize("value", ["null", "-5", "[]", "[[1]]", "{a: 1}", "true", "1e999"])
@pytest.mark.parametrize("place", list(ODD_PLACES))
def test_an_odd_value_anywhere_in_a_condition_is_a_problem_and_never_raises(tmp_path, place, value):
    old, new = ODD_PLACES[place]
    condition = CONDITION.replace(old, new.format(value=value))
    assert condition != CONDITION

    catalog = load(tmp_path, condition, OTHER_SLO)

    assert catalog.problems and {problem.kind for problem in catalog.problems} == {"AlertCondition"}
    assert catalog.slo("search-availability") is not None
