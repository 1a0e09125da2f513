"""An SLO over already-rated series (OpenSLO ``counter: false``) against a real Prometheus: a window's events are the
rate integrated over it, and the SLI, budget and burn rates follow from those counts.

The history is two hours of a recording rule's per-second rates, one sample a minute: 10 requests/s with 0.1 failing
for the first 90 minutes, then 20/s with 0.5 failing. The expected figures are worked out here from those samples:
Prometheus 2.x selects a range's samples in [t − window, t], and a rated series' events over the window are the
mean of those samples times the window's seconds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from data.slo.catalog import load_catalog
from data.slo.prometheus import PrometheusSettings, PrometheusSource
from data.slo.service import load_report
from tests.integration.conftest import HISTORY_END
from tests.support.servers import PrometheusServer, make_backfilled_prometheus

pytestmark = pytest.mark.integration

MINUTES = 120
END = int(HISTORY_END.timestamp())
STAMPS = [END - 60 * (MINUTES - i) for i in range(MINUTES + 1)]


def total_rate(i: int) -> float:
    return 10.0 if i <= 90 else 20.0


def bad_rate(i: int) -> float:
    return 0.1 if i <= 90 else 0.5


SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: rated-checkout}
spec:
  service: checkout
  indicator:
    metadata: {name: rated-checkout-ok}
    spec:
      ratioMetric:
        counter: false
        bad: {metricSource: {type: Prometheus, spec: {query: 'job:checkout_errors:rate1m{service="checkout"}'}}}
        total: {metricSource: {type: Prometheus, spec: {query: 'job:checkout_requests:rate1m{service="checkout"}'}}}
  timeWindow:
    - {duration: 30d, isRolling: true}
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
"""


def _write_rated_history(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for name, rate in (("job:checkout_requests:rate1m", total_rate), ("job:checkout_errors:rate1m", bad_rate)):
            out.write(f"# TYPE {name} gauge\n")
            for i, stamp in enumerate(STAMPS):
                out.write(f'{name}{{service="checkout"}} {rate(i)} {stamp}\n')
        out.write("# EOF\n")


@pytest.fixture(scope="module")
def rated_prometheus() -> Iterator[PrometheusServer]:
    with make_backfilled_prometheus(_write_rated_history, f"rated-series-v1-{MINUTES}") as server:
        yield server


@pytest.fixture(scope="module")
def report(rated_prometheus, tmp_path_factory):
    path = tmp_path_factory.mktemp("rated") / "rated.yaml"
    path.write_text(SLO)
    catalog = load_catalog(path)
    assert (catalog.problems, catalog.notices) == ([], [])
    loaded = load_report(PrometheusSource(PrometheusSettings(url=rated_prometheus.url)), catalog.slos, HISTORY_END)
    assert not loaded.errors
    return loaded.status("rated-checkout")


def events_in(window: timedelta, rate) -> float:
    """The rate integrated over the window ending at HISTORY_END, from the samples Prometheus selects."""
    selected = [rate(i) for i, stamp in enumerate(STAMPS) if END - window.total_seconds() <= stamp <= END]
    return sum(selected) / len(selected) * window.total_seconds()


def test_the_last_hour_counts_the_rate_integrated_over_the_hour(report):
    hour = timedelta(hours=1)
    assert report.counts["1h"].total == pytest.approx(events_in(hour, total_rate), rel=1e-9)
    assert report.counts["1h"].bad == pytest.approx(events_in(hour, bad_rate), rel=1e-9)


def test_the_burn_rate_of_the_last_hour_is_its_error_ratio_over_the_budget(report):
    hour = timedelta(hours=1)
    error_ratio = events_in(hour, bad_rate) / events_in(hour, total_rate)
    assert report.burn_rates["1h"] == pytest.approx(error_ratio / (1 - 0.99), rel=1e-9)


def test_the_period_sli_is_the_share_of_good_events_over_every_sample(report):
    bad, total = sum(bad_rate(i) for i in range(MINUTES + 1)), sum(total_rate(i) for i in range(MINUTES + 1))
    assert report.sli == pytest.approx(1 - bad / total, rel=1e-9)
