"""Benchmark: backfill 90 days of daily rollups for 50 services from a real Prometheus, and compute the trends
page's data for 50 services × 26 weeks from the store.

Prints:
    rollups_backfill: services=50 slos=100 days=90 queries=<n> seconds=<s> rows=<n>
    trends_data: services=50 slos=100 weeks=26 rows=<n> read_s=<s> compute_s=<s> figures_s=<s>
backfill: ``collect_daily_rollups`` into an empty SQLite store, against Prometheus 2.42 backfilled with 95 days of
the demo history (50 services × 2 SLOs, each service's SLOs reading the demo's checkout or search series under its
own name); median of 3 runs. trends_data: 26 weeks of the same 100 SLOs (computed from the demo source and stored
once), then median of 5 runs of reading the rows, ``build_trends`` and building the page's figures.
The TSDB is built once by promtool (a few minutes) and cached in var/cache/tsdb/.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from data.slo import demo  # noqa: E402
from data.slo.catalog import load_catalog  # noqa: E402
from data.slo.prometheus import PrometheusSettings, PrometheusSource  # noqa: E402
from data.store import engine_for, migrate  # noqa: E402
from data.trends.rollups import collect_daily_rollups, compute_daily_rollups, stored_trend_rows  # noqa: E402
from data.trends.store import save_daily_rollups  # noqa: E402
from metrics.access import VIA_CLI, Actor, Role  # noqa: E402
from metrics.trends.aggregate import build_trends  # noqa: E402
from tests.support.servers import build_tsdb, start_prometheus  # noqa: E402

HISTORY_END = datetime(2026, 11, 1, tzinfo=UTC)
HISTORY_DAYS = 95
SERVICES = 50
BACKFILL_DAYS = 90
WEEKS = 26
TIME_ZONE = "Europe/Berlin"
NOW = HISTORY_END + timedelta(hours=1)
BENCH_ACTOR = Actor("bench/rollups.py", Role.ADMIN, VIA_CLI)


def synthetic_slos():
    """Two SLOs (availability and latency) for each of 50 services, over the demo's checkout and search series."""
    base = {slo.name: slo for slo in load_catalog(REPO / "config" / "slos").slos}
    pairs = [("checkout-availability", "checkout-latency"), ("search-availability", "search-latency")]
    slos = []
    for index in range(SERVICES):
        service = f"service-{index:02d}"
        for name in pairs[index % 2]:
            slos.append(replace(base[name], name=f"{service}-{name.split('-')[1]}", service=service))
    return slos


def backfill_once(url: str, slos) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as directory:
        database_url = f"sqlite:///{directory}/store.db"
        migrate(database_url)
        engine = engine_for(database_url)
        source = PrometheusSource(PrometheusSettings(url=url, timeout_seconds=120))
        last = date(2026, 10, 31)
        started = time.perf_counter()
        summary = collect_daily_rollups(
            source,
            slos,
            engine,
            time_zone=TIME_ZONE,
            now=NOW,
            actor=BENCH_ACTOR,
            first=last - timedelta(days=BACKFILL_DAYS - 1),
            last=last,
        )
        elapsed = time.perf_counter() - started
        engine.dispose()
    assert not summary.errors, summary.errors
    return elapsed, summary.queries, summary.rows_stored


def trends_once(engine, first: date, last: date, services: list[str]) -> tuple[float, float, float, int]:
    from pages.trends import charts as trends_charts

    started = time.perf_counter()
    daily = stored_trend_rows(engine, first, last, services)
    read = time.perf_counter() - started
    started = time.perf_counter()
    view = build_trends(daily, "week", first, last, services)
    compute = time.perf_counter() - started
    started = time.perf_counter()
    trends_charts.compliance_figure(view.compliance, "week")
    trends_charts.sli_figure(view.per_slo, "week")
    trends_charts.latency_figure(view.per_slo, "week")
    trends_charts.volume_figure(view.daily)
    trends_charts.budget_table(view.per_slo)
    trends_charts.changes_frame(view.changes)
    figures = time.perf_counter() - started
    return read, compute, figures, len(daily)


def main() -> int:
    def write(path: Path) -> None:
        with path.open("w", encoding="utf-8") as out:
            demo.write_openmetrics(demo.generate_history(HISTORY_END, HISTORY_DAYS), out)

    print(f"# machine: {platform.machine()} cores={os.cpu_count()} python={platform.python_version()}", file=sys.stderr)
    print("# building (or reusing) the 95-day TSDB…", file=sys.stderr)
    tsdb = build_tsdb(write, f"demo-{demo.cache_key(HISTORY_END, HISTORY_DAYS)}")
    slos = synthetic_slos()
    with start_prometheus(tsdb) as prometheus:
        backfill_once(prometheus.url, slos)  # warm-up: Prometheus's page cache
        runs = [backfill_once(prometheus.url, slos) for _ in range(3)]
    seconds = statistics.median(run[0] for run in runs)
    print(
        f"rollups_backfill: services={SERVICES} slos={len(slos)} days={BACKFILL_DAYS} queries={runs[0][1]} "
        f"seconds={seconds:.2f} rows={runs[0][2]}"
    )

    last = date(2026, 10, 31)
    monday = last - timedelta(days=last.weekday())
    first = monday - timedelta(weeks=WEEKS - 1)
    with tempfile.TemporaryDirectory() as directory:
        database_url = f"sqlite:///{directory}/store.db"
        migrate(database_url)
        engine = engine_for(database_url)
        source = demo.DemoSource(end=HISTORY_END, days=(last - first).days + 3)
        rows = compute_daily_rollups(source, slos, first, last, TIME_ZONE)
        save_daily_rollups(
            engine, [{**row.as_row(), "source": "bench", "collected_at": NOW} for row in rows], actor=BENCH_ACTOR
        )
        services = sorted({slo.service for slo in slos})
        trends_once(engine, first, last, services)
        results = [trends_once(engine, first, last, services) for _ in range(5)]
        engine.dispose()
    read, compute, figures = (statistics.median(r[i] for r in results) for i in range(3))
    print(
        f"trends_data: services={SERVICES} slos={len(slos)} weeks={WEEKS} rows={results[0][3]} "
        f"read_s={read:.3f} compute_s={compute:.3f} figures_s={figures:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
