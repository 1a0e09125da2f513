"""Benchmark: build the SLO overview for 20, 200 and 1,000 SLOs against a real Prometheus with backfilled history,
side by side with the way it was read before (one text per SLO, batched with ``or`` under the length limit).

Every SLO has a selector of its own (``tests.support.catalogs.copies_with_distinct_selectors``: the example catalog's
SLOs, each with a matcher that excludes nothing), so nothing is shared by accident. Prints one line per size:
    slo_overview: N=<n> queries=<http queries> cold_s=<s> warm_s=<s> prometheus_s=<s>
        per_slo_queries=<n> per_slo_cold_s=<s> per_slo_prometheus_s=<s> ratio_cold=<per-SLO ÷ grouped>
cold_s: a fresh source (empty cache) builds the whole report; warm_s: the same source rebuilds it from its cache;
prometheus_s: the time Prometheus itself spent executing those queries (its own ``stats`` timings, summed). The
per-SLO figures send the same windows as one ``label_replace``-tagged expression per SLO and counter. Each figure is
the median of several runs after one warm-up run. Targets: the same number of queries at every size; cold_s <= 1.5 x
prometheus_s + 0.5; warm_s < 0.05.

Then the split case (issue 12): 20 SLOs split by ``route`` into 50 values each (1,000 values, each an SLO of its
own), over a synthetic history of its own, side by side with the same 20 SLOs unsplit, in one run:
    slo_overview: split=20x50 values=<n> queries=<n> cold_s=<s> prometheus_s=<s> unsplit_queries=<n>
        unsplit_cold_s=<s> ratio_cold=<split ÷ unsplit>
Target: the split SLOs cost the unsplit ones' number of queries. ``--split-only`` runs that case alone.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from data.slo import demo  # noqa: E402
from data.slo.catalog import load_catalog  # noqa: E402
from data.slo.prometheus import PARALLEL_QUERIES, PrometheusSettings, PrometheusSource  # noqa: E402
from data.slo.promql import batched_queries, counter_expressions  # noqa: E402
from data.slo.service import load_report  # noqa: E402
from metrics.slo.report import requested_windows  # noqa: E402
from tests.support.catalogs import copies_with_distinct_selectors  # noqa: E402
from tests.support.servers import build_tsdb, start_prometheus  # noqa: E402

HISTORY_END = datetime(2026, 11, 1, tzinfo=UTC)
SIZES = (20, 200, 1000)
RUNS = 5


def synthetic_catalog(size: int):
    return copies_with_distinct_selectors(load_catalog(REPO / "config" / "slos").slos, size)


def per_slo_texts(slos) -> list[str]:
    """The queries of the way before: per window and counter kind, one tagged expression per SLO."""
    texts = []
    windows = {slo.name: requested_windows(slo, HISTORY_END) for slo in slos}
    keys = dict.fromkeys(key for by_key in windows.values() for key in by_key)
    for key in keys:
        for kind in ("total", "bad"):
            expressions = {
                slo.name: counter_expressions(slo.indicator, windows[slo.name][key])[kind]
                for slo in slos
                if key in windows[slo.name]
            }
            texts.extend(batched_queries(expressions))
    return texts


def measure_per_slo(settings: PrometheusSettings, slos) -> dict[str, float]:
    texts = per_slo_texts(slos)
    colds, servers = [], []
    for _ in range(RUNS):
        source = PrometheusSource(settings)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=PARALLEL_QUERIES) as pool:
            list(pool.map(source.instant, texts, [HISTORY_END] * len(texts)))
        colds.append(time.perf_counter() - started)
        servers.append(source.server_seconds)
    return {"queries": len(texts), "cold_s": statistics.median(colds), "prometheus_s": statistics.median(servers)}


def measure(url: str, size: int) -> dict[str, float]:
    slos = synthetic_catalog(size)
    settings = PrometheusSettings(url=url, collect_server_timings=True, timeout_seconds=120)
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
    per_slo = measure_per_slo(settings, slos)
    return {
        "queries": max(queries),
        "cold_s": statistics.median(colds),
        "warm_s": statistics.median(warms),
        "prometheus_s": statistics.median(servers),
        **{f"per_slo_{name}": value for name, value in per_slo.items()},
    }


SPLIT_SLOS, SPLIT_VALUES = 20, 50
SPLIT_DAYS, SPLIT_STEP_S = 2, 300


def write_split_history(path: Path) -> None:
    """``bench_requests_total{slo, route, code}``: per SLO and route, 200s and 500s every 5 minutes for two days;
    each route its own error share, so the values' budgets differ."""
    end = int(HISTORY_END.timestamp())
    stamps = range(end - SPLIT_DAYS * 86400, end + 1, SPLIT_STEP_S)
    lines = ["# TYPE bench_requests counter"]
    for slo in range(SPLIT_SLOS):
        for route in range(SPLIT_VALUES):
            for code, per_step in (("200", 1000), ("500", 1 + (slo + route) % 7)):
                labels = f'slo="s{slo:02d}",route="r{route:02d}",code="{code}"'
                lines += [f"bench_requests_total{{{labels}}} {per_step * n} {t}" for n, t in enumerate(stamps)]
    path.write_text("\n".join(lines) + "\n# EOF\n")


def split_catalog(split: bool):
    from dataclasses import replace

    from metrics.slo.definitions import RatioIndicator, SloDefinition, TimeWindow

    return [
        SloDefinition(
            name=f"bench-{slo:02d}",
            service=f"svc{slo:02d}",
            target=0.995,
            time_window=TimeWindow("30d"),
            indicator=RatioIndicator(
                total_query=f'bench_requests_total{{slo="s{slo:02d}"}}',
                bad_query=f'bench_requests_total{{slo="s{slo:02d}",code="500"}}',
            ),
        )
        if not split
        else replace(split_catalog(False)[slo], split_by=("route",))
        for slo in range(SPLIT_SLOS)
    ]


def measure_split(url: str) -> dict[str, float]:
    settings = PrometheusSettings(url=url, collect_server_timings=True, timeout_seconds=120)
    figures: dict[str, float] = {}
    for split in (True, False):
        slos = split_catalog(split)
        load_report(PrometheusSource(settings), slos, HISTORY_END)  # warm-up
        colds, servers, queries = [], [], []
        for _ in range(RUNS):
            source = PrometheusSource(settings)
            started = time.perf_counter()
            report = load_report(source, slos, HISTORY_END)
            colds.append(time.perf_counter() - started)
            assert not report.errors and all(status.error is None for status in report.statuses), report.errors
            servers.append(source.server_seconds)
            queries.append(source.query_count)
        prefix = "" if split else "unsplit_"
        figures |= {f"{prefix}queries": max(queries), f"{prefix}cold_s": statistics.median(colds)}
        figures[f"{prefix}prometheus_s"] = statistics.median(servers)
        if split:
            figures["values"] = sum(len(values) for values in report.splits.values())
    return figures


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
    split_only = "--split-only" in sys.argv[1:]
    results = {}
    if not split_only:
        with start_prometheus(tsdb) as prometheus:
            results = {size: measure(prometheus.url, size) for size in SIZES}
    split_tsdb = build_tsdb(write_split_history, f"bench-split-{SPLIT_SLOS}x{SPLIT_VALUES}-{SPLIT_DAYS}d")
    with start_prometheus(split_tsdb) as prometheus:
        split = measure_split(prometheus.url)
    for size, figures in results.items():
        print(
            f"slo_overview: N={size} queries={figures['queries']} cold_s={figures['cold_s']:.3f} "
            f"warm_s={figures['warm_s']:.4f} prometheus_s={figures['prometheus_s']:.3f} "
            f"per_slo_queries={figures['per_slo_queries']} per_slo_cold_s={figures['per_slo_cold_s']:.3f} "
            f"per_slo_prometheus_s={figures['per_slo_prometheus_s']:.3f} "
            f"ratio_cold={figures['per_slo_cold_s'] / figures['cold_s']:.1f}"
        )
        if figures["cold_s"] > 1.5 * figures["prometheus_s"] + 0.5:
            failures.append(f"N={size}: cold {figures['cold_s']:.3f} s > 1.5 x prometheus_s + 0.5 s")
        if figures["warm_s"] >= 0.05:
            failures.append(f"N={size}: warm {figures['warm_s']:.4f} s >= 50 ms")
    if results and len({figures["queries"] for figures in results.values()}) != 1:
        failures.append("the number of queries grows with the number of SLOs")
    print(
        f"slo_overview: split={SPLIT_SLOS}x{SPLIT_VALUES} values={split['values']} queries={split['queries']} "
        f"cold_s={split['cold_s']:.3f} prometheus_s={split['prometheus_s']:.3f} "
        f"unsplit_queries={split['unsplit_queries']} unsplit_cold_s={split['unsplit_cold_s']:.3f} "
        f"ratio_cold={split['cold_s'] / split['unsplit_cold_s']:.2f}"
    )
    if split["queries"] != split["unsplit_queries"]:
        failures.append("the split SLOs cost more queries than the same SLOs unsplit")
    for failure in failures:
        print(f"# target missed: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _cores() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    sys.exit(main())
