"""The Prometheus source against the demo history in a real Prometheus and, through the same HTTP API, a real
VictoriaMetrics with its default query flags (each test that reads the history runs on both engines)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import requests

from data.slo.catalog import load_catalog
from data.slo.demo import DemoSource, generate_history
from data.slo.prometheus import PARALLEL_QUERIES, PrometheusSettings, PrometheusSource
from data.slo.service import load_history, load_report
from metrics.slo.definitions import BURN_WINDOWS, RatioIndicator
from metrics.slo.timeseries import budget_burn_down, rolling_burn_rates
from tests.integration.conftest import HISTORY_END
from tests.support.catalogs import copies_with_distinct_selectors

REPO = Path(__file__).resolve().parents[3]
CATALOG = load_catalog(REPO / "config" / "slos")


def prometheus_source(url: str, **overrides) -> PrometheusSource:
    return PrometheusSource(PrometheusSettings(url=url, **overrides))


@pytest.fixture(params=["prometheus", "victoriametrics"])
def demo_server(request):
    """The demo history on each engine. VictoriaMetrics' increase() does not extrapolate at a window's edges
    (Prometheus's does): the tolerances below hold for both."""
    return request.getfixturevalue(f"demo_{request.param}")


def assert_close_report(expected, actual):
    for want in expected.statuses:
        got = actual.status(want.slo.name)
        assert got is not None and got.error is None, want.slo.name
        if want.budget_remaining is None:
            assert got.budget_remaining is None, want.slo.name
        else:
            assert got.budget_remaining == pytest.approx(want.budget_remaining, abs=0.01), want.slo.name
        for window in BURN_WINDOWS:
            if want.burn_rates[window] is None:
                assert got.burn_rates[window] is None, (want.slo.name, window)
            else:
                assert got.burn_rates[window] == pytest.approx(want.burn_rates[window], rel=0.02), (
                    want.slo.name,
                    window,
                )
        assert got.alert_state == want.alert_state, want.slo.name


def test_report_through_the_engine_agrees_with_the_demo_source(demo_server):
    through_demo = load_report(DemoSource(end=HISTORY_END), CATALOG.slos, HISTORY_END)
    through_prometheus = load_report(prometheus_source(demo_server.url), CATALOG.slos, HISTORY_END)
    assert not through_prometheus.errors
    assert_close_report(through_demo, through_prometheus)


def _independent_counts(history, metric_filter, start, end):
    """Counter increase between two instants, read straight off the generated samples."""
    stamps = history.timestamps
    end_index = np.searchsorted(stamps, end.timestamp(), side="right") - 1
    start_index = np.searchsorted(stamps, start.timestamp(), side="right") - 1
    return sum(float(s.values[end_index] - s.values[max(start_index, 0)]) for s in history.series if metric_filter(s))


def test_cli_report_on_the_backfilled_engine_matches_figures_computed_from_raw_samples(demo_server):
    completed = subprocess.run(
        [
            sys.executable,
            "cli.py",
            "slo-report",
            "--prometheus-url",
            demo_server.url,
            "--at",
            HISTORY_END.isoformat(),
            "--format",
            "json",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    by_name = {row["slo"]: row for row in json.loads(completed.stdout)["slos"]}
    history = generate_history(HISTORY_END)

    def checkout(series):
        return series.metric == "http_requests_total" and series.labels["service"] == "checkout"

    def checkout_bad(series):
        return checkout(series) and series.labels["code"].startswith("5")

    for window, seconds in (("period", 30 * 86400), ("1h", 3600), ("5m", 300)):
        start = HISTORY_END - timedelta(seconds=seconds)
        total = _independent_counts(history, checkout, start, HISTORY_END)
        bad = _independent_counts(history, checkout_bad, start, HISTORY_END)
        burn = bad / total / 0.001
        row = by_name["checkout-availability"]
        if window == "period":
            assert row["budget_remaining"] == pytest.approx(1 - burn, abs=0.01)
            assert row["sli"] == pytest.approx(1 - bad / total, abs=1e-5)
        else:
            assert row["burn_rates"][window] == pytest.approx(burn, rel=0.02)

    def sent(series):
        return series.metric == "notifications_sent_total"

    def failed(series):
        return series.metric == "notifications_failed_total"

    # Calendar week starting Monday 00:00 Europe/Berlin: 2026-10-26 00:00 CET is 2026-10-25T23:00Z.
    week_start = HISTORY_END.replace(month=10, day=25, hour=23)
    burn = (
        _independent_counts(history, failed, week_start, HISTORY_END)
        / _independent_counts(history, sent, week_start, HISTORY_END)
        / 0.01
    )
    assert by_name["notifications-delivery"]["budget_remaining"] == pytest.approx(1 - burn, abs=0.01)
    assert by_name["checkout-availability"]["alert_state"] == "page"
    assert by_name["payments-availability"]["alert_state"] == "ticket"
    assert by_name["reporting-availability"]["budget_remaining"] is None
    assert by_name["reporting-availability"]["alert_state"] == "no data"


def test_overview_sends_the_same_number_of_queries_for_9_and_90_slos(demo_server):
    many = [replace(slo, name=f"{slo.name}-{copy}") for copy in range(10) for slo in CATALOG.slos]
    few_source = prometheus_source(demo_server.url)
    load_report(few_source, CATALOG.slos, HISTORY_END)
    many_source = prometheus_source(demo_server.url)
    report = load_report(many_source, many, HISTORY_END)
    assert few_source.query_count == many_source.query_count == PARALLEL_QUERIES
    assert len([s for s in report.statuses if s.has_data]) == 80


def test_a_second_overview_within_the_cache_ttl_sends_no_queries(demo_server):
    source = prometheus_source(demo_server.url)
    load_report(source, CATALOG.slos, HISTORY_END)
    first = source.query_count
    load_report(source, CATALOG.slos, HISTORY_END)
    assert source.query_count == first


def test_a_query_prometheus_rejects_names_its_slo_while_the_others_still_report(demo_server):
    broken = replace(
        CATALOG.slo("checkout-availability"),
        name="broken-lookahead",
        # Python's re accepts a lookahead; Prometheus's RE2 does not.
        indicator=RatioIndicator(
            total_query='http_requests_total{code=~"(?=5).*"}', good_query='http_requests_total{code="200"}'
        ),
    )
    report = load_report(prometheus_source(demo_server.url), [*CATALOG.slos, broken], HISTORY_END)
    assert not report.errors
    status = report.status("broken-lookahead")
    assert status.error is not None and "broken-lookahead" in status.error
    assert status.alert_state == "no data"
    assert report.status("checkout-availability").alert_state == "page"


def test_slo_names_are_escaped_in_the_batched_query(demo_server):
    odd = replace(CATALOG.slo("payments-availability"), name='odd "name" \\ with quotes')
    report = load_report(prometheus_source(demo_server.url), [odd], HISTORY_END)
    assert report.status(odd.name).alert_state == "ticket"


def test_a_selector_without_series_is_no_data_not_an_error(demo_server):
    ghost = replace(
        CATALOG.slo("payments-availability"),
        name="ghost",
        indicator=RatioIndicator(total_query="ghost_requests_total", bad_query="ghost_errors_total"),
    )
    report = load_report(prometheus_source(demo_server.url), [ghost], HISTORY_END)
    status = report.status("ghost")
    assert status.error is None
    assert status.alert_state == "no data" and status.budget_remaining is None


def test_drill_down_history_ends_at_the_report_figures(demo_server):
    source = prometheus_source(demo_server.url)
    slo = CATALOG.slo("checkout-availability")
    status = load_report(source, [slo], HISTORY_END).status(slo.name)
    history = load_history(source, slo, HISTORY_END)
    burn_down = budget_burn_down(history.period_buckets, history.period, HISTORY_END, slo.target)
    assert burn_down["budget_remaining"].iloc[-1] == pytest.approx(status.budget_remaining, abs=0.01)
    rates = rolling_burn_rates(history.recent_buckets, slo.target)
    for window in BURN_WINDOWS:
        assert rates[window].iloc[-1] == pytest.approx(status.burn_rates[window], rel=0.02), window


def test_drill_down_history_agrees_between_demo_and_the_engine(demo_server):
    slo = CATALOG.slo("payments-availability")
    from_demo = load_history(DemoSource(end=HISTORY_END), slo, HISTORY_END)
    from_prometheus = load_history(prometheus_source(demo_server.url), slo, HISTORY_END)
    assert len(from_demo.period_buckets) == len(from_prometheus.period_buckets)
    assert list(from_demo.recent_buckets["time"]) == list(from_prometheus.recent_buckets["time"])
    assert from_prometheus.period_buckets["total"].sum() == pytest.approx(
        from_demo.period_buckets["total"].sum(), rel=0.01
    )


def test_an_unreachable_prometheus_gives_one_clear_error_for_the_whole_report():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    report = load_report(prometheus_source(f"http://127.0.0.1:{port}"), CATALOG.slos, HISTORY_END)
    [message] = report.errors.values()
    assert "unreachable" in message and f"127.0.0.1:{port}" in message
    assert all(s.alert_state == "no data" for s in report.statuses)


def test_a_prometheus_that_never_answers_times_out_within_the_configured_timeout():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept_and_hold():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_and_hold, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        started = time.monotonic()
        report = load_report(prometheus_source(url, timeout_seconds=1.0), CATALOG.slos, HISTORY_END)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()
    [message] = report.errors.values()
    assert "did not answer within 1 s" in message
    assert elapsed < 15  # a bound on hanging, not a timing assertion: 16 queries would take 16 s serially


def test_cli_exits_2_with_one_line_and_no_traceback_when_prometheus_is_unreachable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    completed = subprocess.run(
        [
            sys.executable,
            "cli.py",
            "slo-report",
            "--prometheus-url",
            f"http://user:s3cret@127.0.0.1:{port}",
            "--format",
            "json",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    assert "unreachable" in completed.stderr
    assert "Traceback" not in completed.stderr and "s3cret" not in completed.stderr + completed.stdout


def test_a_calendar_period_that_has_just_begun_is_no_data_not_an_error(demo_server):
    auth = CATALOG.slo("auth-availability")  # calendar month, Europe/Berlin
    month_start = HISTORY_END.replace(month=10, day=31, hour=23)  # 1 November 00:00 CET
    report = load_report(prometheus_source(demo_server.url), [auth], month_start)
    status = report.status(auth.name)
    assert not report.errors and status.error is None
    assert status.budget_remaining is None and status.burn_rates["1h"] is not None


def test_a_thousand_slos_with_their_own_selectors_match_their_originals_in_the_same_queries(demo_server):
    few_source = prometheus_source(demo_server.url)
    originals = load_report(few_source, CATALOG.slos, HISTORY_END)
    many_source = prometheus_source(demo_server.url)
    copies = copies_with_distinct_selectors(CATALOG.slos, 1000)
    report = load_report(many_source, copies, HISTORY_END)
    assert not report.errors and many_source.query_count == few_source.query_count
    for number, copy in enumerate(copies):
        original = originals.status(CATALOG.slos[number % len(CATALOG.slos)].name)
        status = report.status(copy.name)
        assert status.error is None, copy.name
        assert status.counts == original.counts, copy.name


def test_victoriametrics_refuses_a_query_over_its_default_length_limit_which_the_app_never_sends(demo_victoriametrics):
    long_query = " or ".join(f'up{{instance="host-{number:05d}"}}' for number in range(800))
    assert len(long_query.encode()) > 16 * 1024
    answer = requests.post(f"{demo_victoriametrics.url}/api/v1/query", data={"query": long_query}, timeout=10)
    assert answer.status_code in (400, 422) and "maxQueryLen" in answer.text
    source = prometheus_source(demo_victoriametrics.url)
    load_report(source, copies_with_distinct_selectors(CATALOG.slos, 1000), HISTORY_END)
    assert source.longest_query_bytes <= 16 * 1024
