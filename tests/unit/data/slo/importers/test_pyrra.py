"""Pyrra ServiceLevelObjectives read into importable SLOs, one construct per test; refused constructs are named."""

from __future__ import annotations

import textwrap

import yaml

from data.slo.importers.pyrra import convert_pyrra
from metrics.slo.imports import (
    ALERT_NAME_ANNOTATION,
    ALERTS_DISABLED_ANNOTATION,
    IMPORTED_FROM_ANNOTATION,
    SPLIT_BY_ANNOTATION,
    EventKind,
)

FILE = "pyrra/web.yaml"

RATIO = """
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: web-errors
  namespace: storefront
spec:
  target: "99.5"
  window: 4w
  indicator:
    ratio:
      errors:
        metric: http_requests_total{job="web",code=~"5.."}
      total:
        metric: http_requests_total{job="web"}
"""

LATENCY = """
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: web-latency
spec:
  target: "95"
  window: 2w
  indicator:
    latency:
      success:
        metric: http_request_duration_seconds_bucket{job="web",le="0.3"}
      total:
        metric: http_request_duration_seconds_count{job="web"}
"""


def convert(text: str, service: str | None = None):
    documents = [(n, d) for n, d in enumerate(yaml.safe_load_all(textwrap.dedent(text)), start=1) if d is not None]
    return convert_pyrra(documents, FILE, service, "web")


def only_slo(text: str, service: str | None = None):
    conversion = convert(text, service)
    assert conversion.refusals == []
    (slo,) = conversion.slos
    return slo


def only_refusal(text: str):
    conversion = convert(text)
    assert conversion.slos == []
    (refusal,) = conversion.refusals
    return refusal


def test_a_ratio_indicator_becomes_bad_and_total_selectors():
    slo = only_slo(RATIO)
    assert slo.events is EventKind.BAD
    assert slo.events_selector == 'http_requests_total{job="web",code=~"5.."}'
    assert slo.total_selector == 'http_requests_total{job="web"}'


def test_name_target_and_window_are_carried_as_written():
    slo = only_slo(RATIO)
    assert (slo.name, slo.target_percent, slo.window) == ("web-errors", 99.5, "4w")


def test_a_whole_number_target_stays_a_whole_number():
    assert only_slo(LATENCY).target_percent == 95 and isinstance(only_slo(LATENCY).target_percent, int)


def test_a_latency_indicator_becomes_good_bucket_and_total_count():
    slo = only_slo(LATENCY)
    assert slo.events is EventKind.GOOD
    assert slo.events_selector == 'http_request_duration_seconds_bucket{job="web",le="0.3"}'
    assert slo.total_selector == 'http_request_duration_seconds_count{job="web"}'


def test_a_latency_success_metric_without_le_is_refused():
    refusal = only_refusal(LATENCY.replace(',le="0.3"', ""))
    assert (refusal.slo, refusal.construct) == ("web-latency", "spec.indicator.latency.success.metric")


def test_grouping_becomes_the_split_by_annotation_joined_by_commas():
    text = RATIO + "      grouping:\n        - route\n        - method\n"
    assert only_slo(text).annotations[SPLIT_BY_ANNOTATION] == "route,method"


def test_the_service_is_the_namespace_else_the_file_name_unless_given():
    assert only_slo(RATIO).service == "storefront"
    assert only_slo(LATENCY).service == "web"
    assert only_slo(RATIO, service="shop").service == "shop"


def test_labels_and_annotations_are_carried_and_the_import_is_recorded():
    text = RATIO.replace(
        "  namespace: storefront\n",
        "  namespace: storefront\n  labels:\n    pyrra.dev/team: shop\n"
        "  annotations:\n    pyrra.dev/runbook: https://runbooks.example/web\n",
    )
    slo = only_slo(text)
    assert slo.labels == {"pyrra.dev/team": "shop"}
    assert slo.annotations["pyrra.dev/runbook"] == "https://runbooks.example/web"
    assert slo.annotations[IMPORTED_FROM_ANNOTATION] == "pyrra"


def test_a_prometheus_window_of_mixed_units_becomes_its_exact_equivalent():
    assert only_slo(RATIO.replace("window: 4w", "window: 1d12h")).window == "36h"
    assert only_slo(RATIO.replace("window: 4w", "window: 1y")).window == "365d"


def test_a_window_of_seconds_is_refused():
    assert only_refusal(RATIO.replace("window: 4w", "window: 90s")).construct == "spec.window"


def test_a_target_of_100_is_refused_naming_spec_target():
    refusal = only_refusal(RATIO.replace('"99.5"', '"100"'))
    assert refusal.construct == "spec.target" and "no error budget" in refusal.reason


def test_a_bool_gauge_is_refused_naming_it():
    text = RATIO.split("  indicator:")[0] + "  indicator:\n    bool_gauge:\n      metric: probe_success{job='x'}\n"
    refusal = only_refusal(text)
    assert (refusal.file, refusal.slo, refusal.construct) == (FILE, "web-errors", "spec.indicator.bool_gauge")


def test_a_native_latency_histogram_is_refused_naming_it():
    text = RATIO.split("  indicator:")[0] + (
        "  indicator:\n    latencyNative:\n      latency: 250ms\n      total:\n        metric: rpc_duration_seconds\n"
    )
    assert only_refusal(text).construct == "spec.indicator.latencyNative"


def test_a_metric_that_is_not_a_series_selector_is_refused_naming_it():
    refusal = only_refusal(RATIO.replace('http_requests_total{job="web"}\n', 'sum(http_requests_total{job="web"})\n'))
    assert refusal.construct == "spec.indicator.ratio.total.metric"


def test_burnrates_off_and_the_alert_name_are_kept_as_annotations():
    annotations = only_slo(RATIO + "  alerting:\n    burnrates: false\n    name: WebBurn\n").annotations
    assert annotations[ALERTS_DISABLED_ANNOTATION] == "true"
    assert annotations[ALERT_NAME_ANNOTATION] == "WebBurn"


def test_an_unknown_spec_field_is_refused_by_name():
    assert only_refusal(RATIO + "  budget: 5\n").construct == "spec.budget"


def test_an_object_of_another_kind_is_refused_and_the_slo_after_it_converts():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n---\n" + textwrap.dedent(RATIO)
    conversion = convert(text)
    assert [slo.name for slo in conversion.slos] == ["web-errors"]
    assert [(r.slo, r.construct) for r in conversion.refusals] == [("other", "apiVersion/kind")]


def test_two_objects_of_one_name_keep_the_first():
    conversion = convert(textwrap.dedent(RATIO) + "---\n" + textwrap.dedent(RATIO).replace('"99.5"', '"99"'))
    assert [slo.target_percent for slo in conversion.slos] == [99.5]
    assert [(r.slo, r.construct) for r in conversion.refusals] == [("web-errors", "name")]
