"""One timeout for a page's Prometheus work: a real Prometheus behind a deliberately slow TCP proxy.

The proxy relays every request at once and holds each answer back (tests/support/servers.py ``SlowProxy``). No
timing is asserted: the contract is the message naming the timeout for all of a page's queries, and that queries
still queued at the deadline are never sent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from data.slo.catalog import load_catalog
from data.slo.prometheus import PrometheusSettings, PrometheusSource
from data.slo.service import load_history, load_report
from data.slo.sources import SourceError
from tests.integration.conftest import HISTORY_END
from tests.support.servers import start_slow_proxy

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]
CATALOG = load_catalog(REPO / "config" / "slos")
REPORT_QUERIES = 16  # 2 × (7 burn windows + the period), whatever the number of SLOs


def source_behind(url: str, timeout_seconds: float) -> PrometheusSource:
    return PrometheusSource(PrometheusSettings(url=url, timeout_seconds=timeout_seconds, cache_ttl_seconds=0))


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_a_slow_prometheus_fails_the_report_once_naming_the_timeout_for_all_its_queries(demo_prometheus):
    with start_slow_proxy(port_of(demo_prometheus.url), delay_s=60) as proxy:
        report = load_report(source_behind(proxy.url, 1), CATALOG.slos, HISTORY_END)
        sent = proxy.connections
    [message] = report.errors.values()
    assert "did not answer within 1 s (the timeout for all of a page's queries" in message
    assert all(status.alert_state == "no data" for status in report.statuses)
    # 4 at a time: at the deadline the first round is still waiting, and the queued queries are cancelled unsent.
    assert sent < REPORT_QUERIES


def test_a_prometheus_slower_than_usual_but_within_the_timeout_still_answers(demo_prometheus):
    with start_slow_proxy(port_of(demo_prometheus.url), delay_s=0.2) as proxy:
        report = load_report(source_behind(proxy.url, 30), CATALOG.slos, HISTORY_END)
    assert not report.errors
    assert report.status("checkout-availability").alert_state == "page"


def test_a_prometheus_that_never_answers_fails_the_history_naming_the_timeout(demo_prometheus):
    slo = CATALOG.slo("checkout-availability")
    with start_slow_proxy(port_of(demo_prometheus.url), delay_s=None) as proxy:
        with pytest.raises(SourceError) as raised:
            load_history(source_behind(proxy.url, 1), slo, HISTORY_END)
    assert "did not send the history of SLO 'checkout-availability' within 1 s" in str(raised.value)


def test_the_history_through_a_slow_proxy_within_the_timeout_is_complete(demo_prometheus):
    slo = CATALOG.slo("checkout-availability")
    direct = load_history(source_behind(demo_prometheus.url, 30), slo, HISTORY_END)
    with start_slow_proxy(port_of(demo_prometheus.url), delay_s=0.2) as proxy:
        slowed = load_history(source_behind(proxy.url, 30), slo, HISTORY_END)
    assert slowed.period_buckets.equals(direct.period_buckets)
    assert slowed.recent_buckets.equals(direct.recent_buckets)
