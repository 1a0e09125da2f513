"""Daily rollups collected from a real Prometheus backfilled with the demo history, checked against values computed
independently from the generator's raw samples; the store on SQLite, PostgreSQL and MariaDB.

The team time zone is Europe/Berlin: the history (27 Sep .. 1 Nov 2026 UTC) holds the 25-hour day of 25 Oct.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from data.slo.catalog import load_catalog
from data.slo.demo import generate_history
from data.slo.prometheus import PrometheusSettings, PrometheusSource
from data.slo.sources import SourceError
from data.store import engine_for, migrate
from data.trends.rollups import collect_daily_rollups, compute_daily_rollups
from data.trends.store import daily_rollups_between
from metrics.trends.aggregate import daily_frame, slo_periods
from tests.integration.conftest import HISTORY_END
from tests.support.actors import admin

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
CATALOG = load_catalog(REPO / "config" / "slos")
BERLIN = "Europe/Berlin"
NOW = HISTORY_END + timedelta(hours=1)  # 02:00 on 1 Nov in Berlin: 31 Oct is the last complete day
FIRST, LAST = date(2026, 9, 27), date(2026, 10, 31)
HISTORY = generate_history(HISTORY_END)


# --- independent figures from the raw samples ------------------------------------------------------------------------


def counter(metric: str, **labels) -> np.ndarray:
    """The sum of the raw counter series whose labels include ``labels``."""
    return np.sum(
        [
            s.values
            for s in HISTORY.series
            if s.metric == metric and all(s.labels.get(k) == v for k, v in labels.items())
        ],
        axis=0,
    )


def value_at(values: np.ndarray, moment: datetime) -> float:
    index = int(np.searchsorted(HISTORY.timestamps, moment.timestamp(), side="right")) - 1
    assert HISTORY.timestamps[index] == moment.timestamp(), "local midnights fall on samples"
    return float(values[index])


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(BERLIN)).astimezone(UTC)


def increase(values: np.ndarray, first: date, after_last: date) -> float:
    return value_at(values, local_midnight(after_last)) - value_at(values, local_midnight(first))


CHECKOUT_TOTAL = counter("http_requests_total", service="checkout")
CHECKOUT_BAD = CHECKOUT_TOTAL - counter("http_requests_total", service="checkout", code="200")
PAYMENTS_TOTAL = counter("http_requests_total", service="payments")
PAYMENTS_BAD = PAYMENTS_TOTAL - counter("http_requests_total", service="payments", code="200")


@pytest.fixture(scope="module")
def collected(demo_prometheus, tmp_path_factory):
    """Rollups of the whole history in a SQLite store, and the collection's summary."""
    url = f"sqlite:///{tmp_path_factory.mktemp('rollups') / 'store.db'}"
    migrate(url)
    engine = engine_for(url)
    source = PrometheusSource(PrometheusSettings(url=demo_prometheus.url))
    summary = collect_daily_rollups(
        source, CATALOG.slos, engine, time_zone=BERLIN, now=NOW, actor=admin(), first=FIRST, last=LAST
    )
    rows = {(row["day"], row["slo"]): row for row in daily_rollups_between(engine, FIRST, LAST)}
    yield summary, rows
    engine.dispose()


def test_a_day_matches_the_raw_counter_difference_between_local_midnights(collected):
    _, rows = collected
    day = date(2026, 10, 14)
    row = rows[(day, "checkout-availability")]
    assert row["total"] == pytest.approx(increase(CHECKOUT_TOTAL, day, day + timedelta(days=1)), rel=1e-9)
    assert row["bad"] == pytest.approx(increase(CHECKOUT_BAD, day, day + timedelta(days=1)), rel=1e-9, abs=1e-6)


def test_the_25_hour_day_counts_25_hours_of_events(collected):
    _, rows = collected
    day = date(2026, 10, 25)
    row = rows[(day, "payments-availability")]
    assert row["day_seconds"] == 25 * 3600
    assert row["total"] == pytest.approx(increase(PAYMENTS_TOTAL, day, day + timedelta(days=1)), rel=1e-9)
    assert row["bad"] == pytest.approx(increase(PAYMENTS_BAD, day, day + timedelta(days=1)), rel=1e-9, abs=1e-6)


def test_the_old_inventory_outage_day_missed_its_objective(collected):
    _, rows = collected
    outage_day = (HISTORY_END - timedelta(days=10, hours=1)).astimezone(ZoneInfo(BERLIN)).date()
    assert rows[(outage_day, "inventory-availability")]["met_objective"] is False
    assert rows[(outage_day - timedelta(days=2), "inventory-availability")]["met_objective"] is True


def test_a_day_that_began_before_the_history_is_not_stored(collected):
    summary, rows = collected
    assert not any(day == FIRST for day, _ in rows)  # Berlin's 27 Sep began at 22:00 UTC on the 26th
    assert (FIRST, "checkout-availability") in summary.incomplete
    assert len({day for day, _ in rows}) == (LAST - FIRST).days


def test_a_service_without_traffic_is_stored_as_zero_events_and_no_sli(collected):
    _, rows = collected
    row = rows[(date(2026, 10, 14), "reporting-availability")]
    assert (row["total"], row["sli"], row["met_objective"]) == (0, None, None)


def test_daily_latency_matches_prometheus_histogram_quantile(collected, demo_prometheus):
    _, rows = collected
    day = date(2026, 10, 14)
    source = PrometheusSource(PrometheusSettings(url=demo_prometheus.url))
    query = (
        "histogram_quantile(0.99, sum by (le) (increase(http_request_duration_seconds_bucket"
        '{service="search"}[86400s])))'
    )
    answer = source.instant(query, local_midnight(day + timedelta(days=1)))
    assert rows[(day, "search-latency")]["latency_p99"] == pytest.approx(float(answer[0]["value"][1]), rel=1e-9)


def test_daily_latency_buckets_are_the_raw_bucket_increases(collected):
    _, rows = collected
    day = date(2026, 10, 14)
    bucket = counter("http_request_duration_seconds_bucket", service="checkout", le="0.25")
    stored = rows[(day, "checkout-latency")]["latency_buckets"]["0.25"]
    assert stored == pytest.approx(increase(bucket, day, day + timedelta(days=1)), rel=1e-9)


def test_a_week_is_the_raw_events_from_monday_to_monday_local(collected):
    _, rows = collected
    weeks = slo_periods(daily_frame(list(rows.values())), "week").set_index(["period", "slo"])
    week = weeks.loc[("2026-W41", "checkout-availability")]  # Mon 5 Oct .. Sun 11 Oct
    total = increase(CHECKOUT_TOTAL, date(2026, 10, 5), date(2026, 10, 12))
    bad = increase(CHECKOUT_BAD, date(2026, 10, 5), date(2026, 10, 12))
    assert (week["total"], week["days"]) == (pytest.approx(total, rel=1e-9), 7)
    assert week["error_ratio"] == pytest.approx(bad / total, rel=1e-6)


def test_the_week_of_the_daylight_saving_change_lasts_7_days_and_1_hour(collected):
    _, rows = collected
    weeks = slo_periods(daily_frame(list(rows.values())), "week").set_index(["period", "slo"])
    week = weeks.loc[("2026-W43", "payments-availability")]  # Mon 19 Oct .. Sun 25 Oct
    assert week["seconds"] == 7 * 86400 + 3600
    assert week["total"] == pytest.approx(increase(PAYMENTS_TOTAL, date(2026, 10, 19), date(2026, 10, 26)), rel=1e-9)


def test_collection_batches_all_slos_into_four_queries_per_run_of_equal_days(collected):
    summary, _ = collected
    # runs: 27 Sep .. 24 Oct (28 days), 25 Oct (25 h), 26 .. 31 Oct
    assert summary.queries == 3 * 4


def test_prometheus_and_the_demo_source_give_the_same_rows(collected):
    from data.slo.demo import DemoSource

    _, rows = collected
    demo_rows = compute_daily_rollups(DemoSource(end=HISTORY_END), CATALOG.slos, FIRST, LAST, BERLIN)
    assert len(demo_rows) == len(rows)
    for row in demo_rows:
        stored = rows[(row.day, row.slo)]
        assert stored["total"] == pytest.approx(row.total, rel=1e-9), (row.day, row.slo)
        assert stored["bad"] == pytest.approx(row.bad, rel=1e-9, abs=1e-6), (row.day, row.slo)


# --- the store: idempotent, resumable, on every backend --------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        server = request.getfixturevalue({"postgresql": "postgres_server", "mariadb": "mariadb_server"}[request.param])
        url = server.create_database(f"rollups_{uuid.uuid4().hex[:12]}")
    migrate(url)
    return url


def stored(engine) -> list[dict]:
    return [
        {k: v for k, v in row.items() if k not in ("id", "collected_at")}
        for row in daily_rollups_between(engine, FIRST, LAST)
    ]


def test_collecting_twice_changes_nothing_and_queries_nothing(store_url, demo_prometheus):
    engine = engine_for(store_url)
    try:
        source = PrometheusSource(PrometheusSettings(url=demo_prometheus.url))
        first = collect_daily_rollups(
            source, CATALOG.slos, engine, time_zone=BERLIN, now=NOW, actor=admin(), first=date(2026, 10, 20), last=LAST
        )
        before = stored(engine)
        again = collect_daily_rollups(
            source, CATALOG.slos, engine, time_zone=BERLIN, now=NOW, actor=admin(), first=date(2026, 10, 20), last=LAST
        )
        assert first.rows_stored == 12 * len(CATALOG.slos)
        assert (again.rows_stored, again.queries) == (0, 0)
        assert stored(engine) == before
    finally:
        engine.dispose()


class FailingAfter:
    """A Prometheus source whose range queries fail after ``calls`` of them: a collector interrupted midway."""

    def __init__(self, source: PrometheusSource, calls: int) -> None:
        self.source, self.calls = source, calls
        self.description, self.is_demo, self.settings = source.description, False, source.settings

    @property
    def query_count(self) -> int:
        return self.source.query_count

    def range(self, *args, **kwargs):
        self.calls -= 1
        if self.calls < 0:
            raise SourceError("Prometheus is unreachable")
        return self.source.range(*args, **kwargs)


def test_an_interrupted_collection_keeps_whole_days_and_the_next_run_completes_it(store_url, demo_prometheus):
    engine = engine_for(store_url)
    try:
        source = PrometheusSource(PrometheusSettings(url=demo_prometheus.url))
        with pytest.raises(SourceError):  # the first run (28 days) is stored, the 25-hour day's queries fail
            collect_daily_rollups(
                FailingAfter(source, calls=5),
                CATALOG.slos,
                engine,
                time_zone=BERLIN,
                now=NOW,
                actor=admin(),
                first=FIRST,
                last=LAST,
            )
        partial = {(row["day"], row["slo"]) for row in stored(engine)}
        assert {day for day, _ in partial} == {FIRST + timedelta(days=n) for n in range(1, 28)}
        assert all(len([1 for d, _ in partial if d == day]) == len(CATALOG.slos) for day, _ in partial)
        resumed = collect_daily_rollups(
            source, CATALOG.slos, engine, time_zone=BERLIN, now=NOW, actor=admin(), first=FIRST, last=LAST
        )
        assert resumed.already_collected == len(partial)
        assert len(stored(engine)) == (LAST - FIRST).days * len(CATALOG.slos)
    finally:
        engine.dispose()


def test_a_slo_whose_query_prometheus_rejects_is_named_and_the_others_are_stored(demo_prometheus, tmp_path):
    from dataclasses import replace as replaced

    from metrics.slo.definitions import RatioIndicator

    broken = replaced(
        CATALOG.slos[0],
        name="broken-slo",
        indicator=RatioIndicator(total_query='http_requests_total{code=~"("}', bad_query="up"),
    )
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(url)
    engine = engine_for(url)
    try:
        source = PrometheusSource(PrometheusSettings(url=demo_prometheus.url))
        summary = collect_daily_rollups(
            source,
            [*CATALOG.slos, broken],
            engine,
            time_zone=BERLIN,
            now=NOW,
            actor=admin(),
            first=date(2026, 10, 30),
            last=LAST,
        )
        assert list(summary.errors) == ["broken-slo"]
        assert "rejected the query of SLO 'broken-slo'" in summary.errors["broken-slo"]
        assert summary.rows_stored == 2 * len(CATALOG.slos)
    finally:
        engine.dispose()


SLICE_CATALOG = load_catalog(REPO / "config" / "slo-examples")


def test_slice_and_threshold_slos_are_stored_with_what_they_count_and_agree_with_the_demo(store_url, demo_prometheus):
    """The Timeslices and RatioTimeslices SLOs over the demo counters: Prometheus's subqueries and the demo's own
    slicing give the same days; the threshold SLOs (a PromQL quantile the demo cannot evaluate) are stored as points."""
    from data.slo.demo import DemoSource

    engine = engine_for(store_url)
    try:
        week = (FIRST + timedelta(days=7), FIRST + timedelta(days=13))
        source = PrometheusSource(PrometheusSettings(url=demo_prometheus.url))
        collect_daily_rollups(
            source, SLICE_CATALOG.slos, engine, time_zone=BERLIN, now=NOW, actor=admin(), first=week[0], last=week[1]
        )
        rows = {(row["day"], row["slo"]): row for row in daily_rollups_between(engine, *week)}
    finally:
        engine.dispose()
    counted = {slo: row["counted"] for (_, slo), row in rows.items()}
    assert counted == {
        "checkout-good-minutes": "slices",
        "search-average-slice": "slices",
        "checkout-p99-under-1s": "points",
        "checkout-p99-slices": "slices",
        "search-success-ratio": "points",
    }
    demo = compute_daily_rollups(DemoSource(end=HISTORY_END), SLICE_CATALOG.slos[:2], *week, BERLIN)
    assert {row.slo for row in demo} == {"checkout-good-minutes", "search-average-slice"}
    for row in demo:
        assert rows[(row.day, row.slo)]["total"] == row.total == 288, (row.day, row.slo)
        assert rows[(row.day, row.slo)]["bad"] == pytest.approx(row.bad, rel=1e-9, abs=1e-9), (row.day, row.slo)
