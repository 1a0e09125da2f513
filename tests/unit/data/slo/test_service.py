"""One timeout for all of a panel's reads: ``within_timeout`` runs them in parallel and waits once."""

from __future__ import annotations

import threading

import pytest

from data.slo.demo import DemoSource
from data.slo.prometheus import PrometheusSettings, PrometheusSource
from data.slo.service import source_timeout, within_timeout
from data.slo.sources import SourceError, SourceTimeout


def test_results_come_back_in_the_order_of_the_calls():
    assert within_timeout([lambda: "period", lambda: "recent"], 5, "history") == ["period", "recent"]


def test_a_call_still_running_at_the_deadline_fails_all_of_it_naming_the_timeout():
    release = threading.Event()
    try:
        with pytest.raises(SourceError) as raised:
            within_timeout([lambda: "period", release.wait], 0.2, "Prometheus did not send the history")
    finally:
        release.set()  # the abandoned call ends on its own, as a request would on its own timeout
    assert str(raised.value).startswith("Prometheus did not send the history within 0.2 s (the timeout for all")


def test_the_first_failure_is_raised_without_waiting_for_the_deadline():
    release = threading.Event()

    def unreachable():
        raise SourceError("Prometheus is unreachable")

    try:
        with pytest.raises(SourceError, match="unreachable"):
            within_timeout([release.wait, unreachable], 600, "history")  # would block for 10 min otherwise
    finally:
        release.set()


def test_prometheus_has_its_configured_timeout_and_the_demo_none():
    assert source_timeout(PrometheusSource(PrometheusSettings(url="http://prom:9090", timeout_seconds=2.5))) == 2.5
    assert source_timeout(DemoSource()) is None


def test_a_request_that_ran_out_of_time_is_reported_as_the_panels_timeout():
    def timed_out():
        raise SourceTimeout("Prometheus did not answer within 1 s")

    with pytest.raises(SourceError) as raised:
        within_timeout([timed_out, lambda: "recent"], 1, "Prometheus did not send the history")
    assert str(raised.value).startswith("Prometheus did not send the history within 1 s (the timeout for all")
