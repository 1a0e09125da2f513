"""Property-based check of the catalog loader: whatever text a file holds, loading never raises; it yields SLOs
and problems."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.slo.catalog import load_catalog

VALID = """apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindow:
    - duration: 30d
      isRolling: true
  objectives:
    - target: 0.999
  indicator:
    metadata:
      name: checkout-ratio
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: http_requests_total{service="checkout",code!~"5.."}
        total:
          metricSource:
            type: Prometheus
            spec:
              query: http_requests_total{service="checkout"}
"""


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises(tmp_path, text):
    (tmp_path / "any.yaml").write_text(text, encoding="utf-8")
    catalog = load_catalog(tmp_path)
    assert isinstance(catalog.problems, list)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=len(VALID) - 1), st.text(min_size=1, max_size=8))
def test_a_mutated_valid_document_never_raises(tmp_path, position, insertion):
    (tmp_path / "slo.yaml").write_text(VALID[:position] + insertion + VALID[position:], encoding="utf-8")
    catalog = load_catalog(tmp_path)
    assert len(catalog.slos) + len(catalog.problems) >= 1
