"""Catalogs of many SLOs over the demo history, for the tests and benchmarks that need size."""

from __future__ import annotations

from dataclasses import replace

from metrics.slo.definitions import SloDefinition


def narrowed(query: str | None, matcher: str) -> str | None:
    """``query`` (a series selector) with one more matcher."""
    if query is None:
        return None
    return query[:-1] + f",{matcher}}}" if query.endswith("}") else query + f"{{{matcher}}}"


def copies_with_distinct_selectors(slos: list[SloDefinition], count: int) -> list[SloDefinition]:
    """``count`` SLOs cycling over ``slos``, each under a new name and with a matcher of its own in every selector
    (an ``instance`` no series has, excluded): every copy's query text differs, yet it selects its original's
    series, so its figures must equal its original's."""
    copies = []
    for number in range(count):
        slo = slos[number % len(slos)]
        own = f'instance!="copy-{number}"'
        indicator = replace(
            slo.indicator,
            total_query=narrowed(slo.indicator.total_query, own),
            good_query=narrowed(slo.indicator.good_query, own),
            bad_query=narrowed(slo.indicator.bad_query, own),
        )
        copies.append(replace(slo, name=f"{slo.name}-{number}", indicator=indicator))
    return copies


# An SLO on a precomputed success ratio (OpenSLO ratioMetric.raw), as a catalog file holds it.
RAW_RATIO_SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout-raw}
spec:
  service: checkout
  budgetingMethod: Occurrences
  timeWindow: [{duration: 1d, isRolling: true}]
  objectives: [{target: 0.99}]
  indicator:
    metadata: {name: checkout-success-ratio}
    spec:
      ratioMetric:
        rawType: success
        raw: {metricSource: {type: Prometheus, spec: {query: 'job:success:ratio_rate5m{job="checkout"}'}}}
"""
