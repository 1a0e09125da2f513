"""Sloth prometheus/v1 specs read into importable SLOs, one construct per test; refused constructs are named."""

from __future__ import annotations

import textwrap

import yaml

from data.slo.importers.sloth import convert_sloth
from metrics.slo.imports import (
    ALERT_ANNOTATIONS_ANNOTATION,
    ALERT_NAME_ANNOTATION,
    PAGE_LABELS_ANNOTATION,
    SPLIT_BY_ANNOTATION,
    TICKET_DISABLED_ANNOTATION,
    TICKET_LABELS_ANNOTATION,
    EventKind,
)

FILE = "specs/api.yaml"


def convert(text: str, window: str = "30d"):
    documents = [(n, d) for n, d in enumerate(yaml.safe_load_all(textwrap.dedent(text)), start=1) if d is not None]
    return convert_sloth(documents, FILE, window)


def spec(slo_body: str, top: str = "") -> str:
    """A spec of service "api" with one SLO named "requests" whose body (indented under it) is ``slo_body``."""
    body = textwrap.indent(textwrap.dedent(slo_body).strip(), "    ")
    return f'version: "prometheus/v1"\nservice: "api"\n{top}slos:\n  - name: "requests"\n{body}\n'


EVENTS = """
objective: 99.9
sli:
  events:
    error_query: sum(rate(http_requests_total{job="api",code=~"5.."}[{{.window}}]))
    total_query: sum(rate(http_requests_total{job="api"}[{{.window}}]))
"""


def only_slo(text: str, window: str = "30d"):
    conversion = convert(text, window)
    assert conversion.refusals == []
    (slo,) = conversion.slos
    return slo


def only_refusal(text: str):
    conversion = convert(text)
    assert conversion.slos == []
    (refusal,) = conversion.refusals
    return refusal


def test_events_queries_become_bad_and_total_selectors():
    slo = only_slo(spec(EVENTS))
    assert slo.events is EventKind.BAD
    assert slo.events_selector == 'http_requests_total{job="api",code=~"5.."}'
    assert slo.total_selector == 'http_requests_total{job="api"}'


def test_the_name_is_sloths_id_service_dash_name_and_the_service_is_kept():
    slo = only_slo(spec(EVENTS))
    assert (slo.name, slo.service, slo.display_name) == ("api-requests", "api", None)


def test_a_name_that_is_not_a_dns_label_is_slugged_and_kept_as_display_name():
    slo = only_slo(spec(EVENTS).replace('service: "api"', 'service: "Public API"'))
    assert slo.name == "public-api-requests"
    assert slo.display_name == "Public API-requests"


def test_the_objective_is_carried_as_the_percent_written():
    assert only_slo(spec(EVENTS.replace("99.9", "99.95"))).target_percent == 99.95


def test_the_window_is_sloths_default_30d_unless_given():
    assert only_slo(spec(EVENTS)).window == "30d"
    assert only_slo(spec(EVENTS), window="28d").window == "28d"


def test_spec_labels_merge_with_slo_labels_the_slos_winning():
    text = spec(EVENTS + "labels:\n  tier: '0'\n", top="labels:\n  team: web\n  tier: '1'\n")
    assert only_slo(text).labels == {"team": "web", "tier": "0"}


def test_the_description_is_carried():
    assert only_slo(spec(EVENTS + "description: Requests that succeed.\n")).description == "Requests that succeed."


def test_increase_and_spaces_in_the_window_template_are_read_like_rate():
    text = spec(EVENTS.replace("rate(", "increase(").replace("{{.window}}", "{{ .window }}"))
    assert only_slo(text).events_selector == 'http_requests_total{job="api",code=~"5.."}'


def test_sum_by_becomes_the_split_by_annotation():
    text = spec(EVENTS.replace("sum(rate(", "sum by (route, method) (rate("))
    slo = only_slo(text)
    assert slo.annotations[SPLIT_BY_ANNOTATION] == "route,method"
    assert slo.total_selector == 'http_requests_total{job="api"}'


def test_by_after_the_sum_is_read_too():
    text = spec(EVENTS.replace("]))", "])) by (route)"))
    assert only_slo(text).annotations[SPLIT_BY_ANNOTATION] == "route"


def test_queries_grouped_by_different_labels_are_refused():
    text = spec(EVENTS.replace("]))\n    total", "])) by (route)\n    total"))
    refusal = only_refusal(text)
    assert (refusal.slo, refusal.construct) == ("requests", "sli.events")


def test_total_minus_fast_requests_becomes_good_events():
    body = """
    objective: 99
    sli:
      events:
        error_query: |
          (
            sum(rate(latency_seconds_count{job="api"}[{{.window}}]))
            -
            sum(rate(latency_seconds_bucket{job="api",le="0.25"}[{{.window}}]))
          )
        total_query: sum(rate(latency_seconds_count{job="api"}[{{.window}}]))
    """
    slo = only_slo(spec(body))
    assert slo.events is EventKind.GOOD
    assert slo.events_selector == 'latency_seconds_bucket{job="api",le="0.25"}'
    assert slo.total_selector == 'latency_seconds_count{job="api"}'


def test_a_difference_whose_first_term_is_not_the_total_is_refused():
    body = """
    objective: 99
    sli:
      events:
        error_query: sum(rate(other_total[{{.window}}])) - sum(rate(fast_bucket{le="1"}[{{.window}}]))
        total_query: sum(rate(latency_seconds_count[{{.window}}]))
    """
    assert only_refusal(spec(body)).construct == "sli.events.error_query"


def test_a_raw_error_ratio_query_is_refused_naming_sli_raw():
    body = "objective: 99\nsli:\n  raw:\n    error_ratio_query: job:errors:ratio_rate{{.window}}\n"
    refusal = only_refusal(spec(body))
    assert (refusal.file, refusal.slo, refusal.construct) == (FILE, "requests", "sli.raw")
    assert "counters" in refusal.reason


def test_an_sli_plugin_is_refused_naming_sli_plugin():
    body = "objective: 99\nsli:\n  plugin:\n    id: sloth-common/availability\n"
    assert only_refusal(spec(body)).construct == "sli.plugin"


def test_a_query_that_is_not_a_sum_of_a_rate_is_refused_naming_the_query():
    refusal = only_refusal(
        spec(EVENTS.replace("sum(rate(http_requests_total{job", "avg(rate(http_requests_total{job", 1))
    )
    assert refusal.construct == "sli.events.error_query"
    assert "sum(rate(SELECTOR[{{.window}}]))" in str(refusal)


def test_a_rate_over_something_other_than_a_selector_is_refused():
    text = spec(EVENTS.replace('http_requests_total{job="api"}[', 'http_requests_total{job="api"} offset 1h['))
    refusal = only_refusal(text)
    assert refusal.construct == "sli.events.total_query" and "series selector" in refusal.reason


def test_a_100_percent_objective_is_refused_naming_the_objective():
    refusal = only_refusal(spec(EVENTS.replace("99.9", "100")))
    assert refusal.construct == "objective" and "no error budget" in refusal.reason


def test_an_unknown_slo_field_is_refused_by_name():
    assert only_refusal(spec(EVENTS + "slo_period: 28d\n")).construct == "slo_period"


def test_alert_name_labels_and_annotations_are_kept_as_annotations():
    body = EVENTS + textwrap.dedent(
        """
        alerting:
          name: ApiErrors
          labels: {category: availability}
          annotations: {runbook: "https://runbooks.example/api"}
          page_alert:
            labels: {severity: pager}
          ticket_alert:
            labels: {severity: chat}
        """
    )
    annotations = only_slo(spec(body)).annotations
    assert annotations[ALERT_NAME_ANNOTATION] == "ApiErrors"
    assert yaml.safe_load(annotations[PAGE_LABELS_ANNOTATION]) == {"category": "availability", "severity": "pager"}
    assert yaml.safe_load(annotations[TICKET_LABELS_ANNOTATION]) == {"category": "availability", "severity": "chat"}
    assert yaml.safe_load(annotations[ALERT_ANNOTATIONS_ANNOTATION]) == {"runbook": "https://runbooks.example/api"}


def test_a_disabled_ticket_alert_is_kept_as_an_annotation():
    body = EVENTS + "alerting:\n  name: ApiErrors\n  ticket_alert:\n    disable: true\n"
    assert only_slo(spec(body)).annotations[TICKET_DISABLED_ANNOTATION] == "true"


def test_one_refused_slo_leaves_the_others_converted():
    text = spec(EVENTS) + '  - name: "raw"\n    objective: 99\n    sli:\n      raw:\n        error_ratio_query: x\n'
    conversion = convert(text)
    assert [slo.name for slo in conversion.slos] == ["api-requests"]
    assert [(r.slo, r.construct) for r in conversion.refusals] == [("raw", "sli.raw")]


def test_the_kubernetes_resource_form_is_read_like_the_plain_spec():
    text = textwrap.dedent(
        """
        apiVersion: sloth.slok.dev/v1
        kind: PrometheusServiceLevel
        metadata: {name: api}
        spec:
          service: api
          slos:
            - name: requests
              objective: 99.9
              sli:
                events:
                  error_query: sum(rate(errors_total[{{.window}}]))
                  total_query: sum(rate(requests_total[{{.window}}]))
        """
    )
    assert only_slo(text).name == "api-requests"


def test_a_document_of_another_version_is_refused_as_a_whole():
    refusal = only_refusal('version: "prometheus/v2"\nservice: api\nslos: []\n')
    assert (refusal.slo, refusal.construct) == (None, "document 1")
    assert "prometheus/v2" in refusal.reason


def test_the_same_grouping_labels_in_another_order_still_split():
    body = """
    objective: 99.9
    sli:
      events:
        error_query: sum by (b, a) (rate(errors_total[{{.window}}]))
        total_query: sum by (a, b) (rate(requests_total[{{.window}}]))
    """
    assert only_slo(spec(body)).annotations[SPLIT_BY_ANNOTATION] == "a,b"
