"""Benchmark: build the SLO overview for N=20 and N=200 SLOs against a real Prometheus with backfilled history.

Prints one line per size:
    slo_overview: N=<n> queries=<http queries> cold_s=<s> warm_s=<s> prometheus_s=<s>
cold_s: a fresh source (empty cache) builds the whole report; warm_s: the same source rebuilds it from its cache;
prometheus_s: the time Prometheus itself spent executing those queries (its own ``stats`` timings, summed).
Each figure is the median of several runs after one warm-up run. Targets (issue 2): the same number of queries at
both sizes and at most 24; cold_s <= 1.5 x prometheus_s + 0.5; warm_s < 0.05.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from data.slo import demo  # noqa: E402
from data.slo.catalog import load_catalog  # noqa: E402
from data.slo.prometheus import PrometheusSettings, PrometheusSource  # noqa: E402
from data.slo.service import load_report  # noqa: E402
from tests.support.servers import build_tsdb, start_prometheus  # noqa: E402

HISTORY_END = datetime(2026, 11, 1, tzinfo=UTC)
SIZES = (20, 200)
RUNS = 5


def synthetic_catalog(size: int):
    """``size`` SLOs cycling over the example catalog's definitions, each under its own name."""
    base = load_catalog(REPO / "config" / "slos").slos
    return [replace(base[i % len(base)], name=f"{base[i % len(base)].name}-{i:03d}") for i in range(size)]


def measure(url: str, size: int) -> dict[str, float]:
    slos = synthetic_catalog(size)
    settings = PrometheusSettings(url=url, collect_server_timings=True, timeout_seconds=60)
    load_report(PrometheusSource(settings), slos, HISTORY_END)  # warm-up: Prometheus's own page cache
    colds, warms, servers, queries = [], [], [], []
    for _ in range(RUNS):
        source = PrometheusSource(settings)
        started = time.perf_counter()
        report = load_report(source, slos, HISTORY_END)
        colds.append(time.perf_counter() - started)
        assert not report.errors, report.errors
        servers.append(source.server_seconds)
        queries.append(source.query_count)
        started = time.perf_counter()
        load_report(source, slos, HISTORY_END)
        warms.append(time.perf_counter() - started)
        assert source.query_count == queries[-1], "the warm rebuild must not query Prometheus"
    return {
        "queries": max(queries),
        "cold_s": statistics.median(colds),
        "warm_s": statistics.median(warms),
        "prometheus_s": statistics.median(servers),
    }


def main() -> int:
    def write(path: Path) -> None:
        with path.open("w", encoding="utf-8") as out:
            demo.write_openmetrics(demo.generate_history(HISTORY_END), out)

    tsdb = build_tsdb(write, f"demo-{demo.cache_key(HISTORY_END)}")
    print(
        f"# machine: {platform.machine()} {platform.processor() or ''} cores={_cores()} "
        f"python={platform.python_version()}",
        file=sys.stderr,
    )
    failures = []
    with start_prometheus(tsdb) as prometheus:
        results = {size: measure(prometheus.url, size) for size in SIZES}
    for size, figures in results.items():
        print(
            f"slo_overview: N={size} queries={figures['queries']} cold_s={figures['cold_s']:.3f} "
            f"warm_s={figures['warm_s']:.4f} prometheus_s={figures['prometheus_s']:.3f}"
        )
        if figures["queries"] > 24:
            failures.append(f"N={size}: {figures['queries']} queries > 24")
        if figures["cold_s"] > 1.5 * figures["prometheus_s"] + 0.5:
            failures.append(f"N={size}: cold {figures['cold_s']:.3f} s > 1.5 x prometheus_s + 0.5 s")
        if figures["warm_s"] >= 0.05:
            failures.append(f"N={size}: warm {figures['warm_s']:.4f} s >= 50 ms")
    if len({figures["queries"] for figures in results.values()}) != 1:
        failures.append("the number of queries grows with the number of SLOs")
    for failure in failures:
        print(f"# target missed: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _cores() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    sys.exit(main())
