"""Budget adjustments on the real Prometheus, backfilled with the demo history: the adjusted budget equals the budget
computed from the raw samples with the adjusted minutes removed (a one-off window over an incident, a recurring one,
one across a day boundary), and the events inside adjustments cost a bounded number of queries, whatever the
number of SLOs."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from data.slo.catalog import load_catalog
from data.slo.demo import generate_history
from data.slo.prometheus import PARALLEL_QUERIES, PrometheusSettings, PrometheusSource
from data.slo.service import load_report
from metrics.slo.adjustments import Adjustment, AdjustmentCategory, Interval, Scope
from metrics.slo.definitions import BURN_WINDOWS
from tests.integration.conftest import HISTORY_END

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
CATALOG = load_catalog(REPO / "config" / "slos")
H = timedelta(hours=1)


@pytest.fixture(scope="module")
def history():
    return generate_history(HISTORY_END)


def source(url):
    return PrometheusSource(PrometheusSettings(url=url))


def adjustment(start, end, scope, recurrence=None, id=1):
    return Adjustment(
        AdjustmentCategory.MAINTENANCE, "planned", start, end, scope, "kim", HISTORY_END, recurrence, id=id
    )


def counted(history, metric, labels, start, end):
    """The increase of every series of ``metric`` whose labels include ``labels`` (a predicate on the labels),
    between two instants, read straight off the generated samples."""
    stamps = history.timestamps
    at_end = np.searchsorted(stamps, end.timestamp(), side="right") - 1
    at_start = np.searchsorted(stamps, start.timestamp(), side="right") - 1
    return sum(
        float(s.values[at_end] - s.values[at_start]) for s in history.series if s.metric == metric and labels(s.labels)
    )


def budget_without(history, total, bad, target, period_start, removed):
    """1 − (bad / total) / budget over [period_start, end) with the ``removed`` windows' events left out."""
    spans = [(period_start, HISTORY_END)]
    sign = [1.0] + [-1.0] * len(removed)
    spans += removed
    all_events = sum(s * counted(history, *total, a, b) for s, (a, b) in zip(sign, spans))
    bad_events = sum(s * counted(history, *bad, a, b) for s, (a, b) in zip(sign, spans))
    return 1 - bad_events / all_events / (1 - target)


def requests(service, bad=False):
    return (
        "http_requests_total",
        lambda labels: labels["service"] == service and (not bad or labels["code"].startswith("5")),
    )


def test_a_two_hour_maintenance_over_an_incident_restores_exactly_the_budget_it_burned(demo_prometheus, history):
    window = (HISTORY_END - 6 * 24 * H - 3 * H, HISTORY_END - 6 * 24 * H - H)  # two hours of search's incident
    slo = CATALOG.slo("search-availability")
    report = load_report(
        source(demo_prometheus.url), CATALOG.slos, HISTORY_END, [adjustment(*window, Scope(slos=(slo.name,)))]
    )
    status = report.status(slo.name)
    period_start = HISTORY_END - 28 * 24 * H
    adjusted = budget_without(history, requests("search"), requests("search", True), 0.995, period_start, [window])
    raw = budget_without(history, requests("search"), requests("search", True), 0.995, period_start, [])
    assert status.budget_remaining == pytest.approx(adjusted, abs=1e-6)
    assert status.raw.budget_remaining == pytest.approx(raw, abs=1e-6)
    assert status.budget_remaining - status.raw.budget_remaining == pytest.approx(adjusted - raw, abs=1e-6)


def test_a_daily_recurring_adjustment_removes_every_occurrence_in_the_period(demo_prometheus, history):
    first = HISTORY_END - 20 * 24 * H + 2 * H
    rule = adjustment(first, first + H, Scope(services=("inventory",)), "FREQ=DAILY")
    report = load_report(source(demo_prometheus.url), CATALOG.slos, HISTORY_END, [rule])
    removed = [(first + day * 24 * H, first + day * 24 * H + H) for day in range(20)]
    expected = budget_without(
        history, requests("inventory"), requests("inventory", True), 0.999, HISTORY_END - 30 * 24 * H, removed
    )
    assert report.status("inventory-availability").budget_remaining == pytest.approx(expected, abs=1e-6)


def test_an_adjustment_across_midnight_counts_both_days_part(demo_prometheus, history):
    window = (HISTORY_END - 2 * 24 * H - H, HISTORY_END - 2 * 24 * H + H)  # 23:00 to 01:00 UTC
    slo = CATALOG.slo("notifications-delivery")  # a calendar week from Monday 00:00 Europe/Berlin
    report = load_report(
        source(demo_prometheus.url), CATALOG.slos, HISTORY_END, [adjustment(*window, Scope(slos=(slo.name,)))]
    )
    week_start = HISTORY_END.replace(month=10, day=25, hour=23)
    sent = ("notifications_sent_total", lambda labels: True)
    failed = ("notifications_failed_total", lambda labels: True)
    expected = budget_without(history, sent, failed, 0.99, week_start, [window])
    assert report.status(slo.name).budget_remaining == pytest.approx(expected, abs=1e-6)
    assert report.status(slo.name).raw.budget_remaining != pytest.approx(expected, abs=1e-6)


def test_adjustments_at_most_double_the_queries_whatever_the_number_of_slos(demo_prometheus):
    many = [replace(slo, name=f"{slo.name}-{copy}") for copy in range(10) for slo in CATALOG.slos]
    every_service = Scope(services=tuple({slo.service for slo in CATALOG.slos}))
    adjustments = [
        adjustment(HISTORY_END - 3 * H, HISTORY_END - H, every_service),
        adjustment(HISTORY_END - 10 * 24 * H, HISTORY_END - 10 * 24 * H + H, every_service, "FREQ=DAILY", id=2),
    ]
    counts = []
    for slos in (CATALOG.slos, many):
        prometheus = source(demo_prometheus.url)
        report = load_report(prometheus, slos, HISTORY_END, adjustments)
        assert not report.errors
        counts.append(prometheus.query_count)
    without = 2 * (len(BURN_WINDOWS) + 1)  # the windows' queries (test_prometheus_source holds this count)
    assert counts[0] == counts[1] <= 2 * without


ROLLUP_DAYS = {
    "2026-10-20": [Interval(HISTORY_END - 12 * 24 * H, HISTORY_END - 12 * 24 * H + 2 * H)],
    "2026-10-29": [
        Interval(HISTORY_END - 3 * 24 * H, HISTORY_END - 3 * 24 * H + H),
        Interval(HISTORY_END - 3 * 24 * H + 5 * H, HISTORY_END - 3 * 24 * H + 6 * H),
    ],
}


def assert_interval_counts_match_the_samples(got, history):
    for name, service in (("search-availability", "search"), ("payments-availability", "payments")):
        for key, intervals in ROLLUP_DAYS.items():
            total = sum(counted(history, *requests(service), i.start, i.end) for i in intervals)
            bad = sum(counted(history, *requests(service, True), i.start, i.end) for i in intervals)
            assert (got[(name, key)].total, got[(name, key)].bad) == (pytest.approx(total), pytest.approx(bad))


def test_interval_counts_for_the_rollups_match_the_samples_in_the_batched_queries(demo_prometheus, history):
    prometheus = source(demo_prometheus.url)
    slos = [CATALOG.slo("search-availability"), CATALOG.slo("payments-availability")]

    got = prometheus.interval_counts(slos, {slo.name: ROLLUP_DAYS for slo in slos})

    assert prometheus.query_count == PARALLEL_QUERIES
    assert_interval_counts_match_the_samples(got, history)


def test_interval_counts_are_cut_into_queries_under_the_length_cap(demo_prometheus, history):
    prometheus = PrometheusSource(PrometheusSettings(url=demo_prometheus.url, max_query_bytes=600))
    slos = [CATALOG.slo("search-availability"), CATALOG.slo("payments-availability")]

    got = prometheus.interval_counts(slos, {slo.name: ROLLUP_DAYS for slo in slos})

    assert prometheus.query_count > PARALLEL_QUERIES
    assert prometheus.longest_query_bytes <= 600
    assert_interval_counts_match_the_samples(got, history)
