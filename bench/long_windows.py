"""Benchmark: the cold SLO overview with its long windows summed from stored daily rollups, side by side with the
same overview reading every window whole, in one run, against a real Prometheus.

Every SLO has series of its own (``lw_requests_total{slo="s0042", code="200"|"500"}``), 31 days of samples every
minute, so a whole 30-day window makes Prometheus read every sample of every SLO's series again: the case a team
with many SLOs meets on every cold view. The rollups are collected first (the collector's own time is printed too),
in the team zone Europe/Berlin, at an instant that is not a midnight, so every window has both partial edges.

Prints one line per size:
    long_windows: N=<n> queries=<n> direct_queries=<n> cold_s=<s> direct_cold_s=<s> prometheus_s=<s>
        direct_prometheus_s=<s> ratio_cold=<direct ÷ with rollups> max_rel_diff=<largest relative SLI difference>
        collect_s=<s to collect the 30 days>
Each time is the median of ``RUNS`` fresh sources (empty caches) after one warm-up. Targets: the same number of
queries with and without rollups and at every size; ratio_cold >= 5; max_rel_diff <= 1e-6.
``--sizes 200,1000`` picks the sizes (the default), ``--step 300`` the seconds between samples (default 60). The
histories are built once and cached under var/cache/tsdb/: at 1,000 SLOs a minute apart that is 90 million samples,
about 5 minutes and 5 GB of temporary text the first time.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from data.slo.long_windows import StoredDays  # noqa: E402
from data.slo.prometheus import PrometheusSettings, PrometheusSource  # noqa: E402
from data.slo.service import load_report  # noqa: E402
from data.store import engine_for, migrate  # noqa: E402
from data.trends.rollups import collect_daily_rollups  # noqa: E402
from metrics.access import Actor, Role  # noqa: E402
from metrics.slo.definitions import RatioIndicator, SloDefinition, TimeWindow  # noqa: E402
from tests.support.servers import build_tsdb, start_prometheus  # noqa: E402

HISTORY_END = datetime(2026, 11, 1, tzinfo=UTC)
DAYS = 31
STEP_S = 60  # one sample a minute, as most scrape configurations; ``--step`` changes it
AT = HISTORY_END - timedelta(hours=7, minutes=15)  # on the sample grid (of any step dividing 5 min), 16:45 Berlin
TIME_ZONE = "Europe/Berlin"
RUNS = 5


def write_history(size: int, step_s: int, history_end: datetime = HISTORY_END, days: int = DAYS):
    def write(path: Path) -> None:
        end = int(history_end.timestamp())
        stamps = list(range(end - days * 86400, end + 1, step_s))
        with path.open("w", encoding="utf-8") as out:
            out.write("# TYPE lw_requests counter\n")
            for slo in range(size):
                for code, per_step in (("200", 600 + slo % 50), ("500", 1 + slo % 7)):
                    labels = f'lw_requests_total{{slo="s{slo:04d}",code="{code}"}}'
                    out.writelines(f"{labels} {per_step * n + (n * n) % 17} {t}\n" for n, t in enumerate(stamps))
            out.write("# EOF\n")

    return write


def catalog(size: int) -> list[SloDefinition]:
    return [
        SloDefinition(
            name=f"lw-{slo:04d}",
            service=f"svc{slo % 40:02d}",
            target=0.995,
            time_window=TimeWindow("30d"),
            indicator=RatioIndicator(
                total_query=f'lw_requests_total{{slo="s{slo:04d}"}}',
                bad_query=f'lw_requests_total{{slo="s{slo:04d}",code="500"}}',
            ),
        )
        for slo in range(size)
    ]


def timed(settings: PrometheusSettings, slos, stored: StoredDays | None, at: datetime = AT) -> dict[str, float]:
    load_report(PrometheusSource(settings), slos, at, stored_days=stored)  # warm-up: Prometheus's page cache
    colds, servers, queries = [], [], []
    for _ in range(RUNS):
        source = PrometheusSource(settings)
        started = time.perf_counter()
        report = load_report(source, slos, at, stored_days=stored)
        colds.append(time.perf_counter() - started)
        assert not report.errors and all(s.error is None for s in report.statuses), report.errors
        servers.append(source.server_seconds)
        queries.append(source.query_count)
    if stored is not None:
        assert len(report.long_windows.from_days) == len(slos), report.long_windows.summary()
    return {
        "cold_s": statistics.median(colds),
        "prometheus_s": statistics.median(servers),
        "queries": max(queries),
        "report": report,
    }


def measure(size: int, step_s: int) -> dict[str, float]:
    tsdb = build_tsdb(write_history(size, step_s), f"bench-long-windows-{size}x{DAYS}d-{step_s}s")
    slos = catalog(size)
    with start_prometheus(tsdb) as prometheus, tempfile.TemporaryDirectory() as directory:
        settings = PrometheusSettings(url=prometheus.url, collect_server_timings=True, timeout_seconds=300)
        url = f"sqlite:///{directory}/store.db"
        migrate(url)
        engine = engine_for(url)
        started = time.perf_counter()
        collect_daily_rollups(
            PrometheusSource(settings),
            slos,
            engine,
            time_zone=TIME_ZONE,
            now=AT,
            actor=Actor("bench", Role.ADMIN),
            first=date(2026, 10, 1),
            last=date(2026, 10, 31),
        )
        collect_s = time.perf_counter() - started
        with_rollups = timed(settings, slos, StoredDays(engine, TIME_ZONE))
        direct = timed(settings, slos, None)
        engine.dispose()
    differences = [
        abs(got.sli - expected.sli) / expected.sli
        for expected in direct["report"].statuses
        if (got := with_rollups["report"].status(expected.slo.name)).sli is not None and expected.sli
    ]
    return {
        "queries": with_rollups["queries"],
        "direct_queries": direct["queries"],
        "cold_s": with_rollups["cold_s"],
        "direct_cold_s": direct["cold_s"],
        "prometheus_s": with_rollups["prometheus_s"],
        "direct_prometheus_s": direct["prometheus_s"],
        "max_rel_diff": max(differences),
        "collect_s": collect_s,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,1000")
    parser.add_argument("--step", type=int, default=STEP_S, help="seconds between samples (default 60)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(
        f"# machine: {platform.machine()} {platform.processor() or ''} python={platform.python_version()}",
        file=sys.stderr,
    )
    failures = []
    results = {}
    for size in sizes:
        figures = results[size] = measure(size, args.step)
        print(
            f"long_windows: N={size} step={args.step}s queries={figures['queries']} "
            f"direct_queries={figures['direct_queries']} "
            f"cold_s={figures['cold_s']:.3f} direct_cold_s={figures['direct_cold_s']:.3f} "
            f"prometheus_s={figures['prometheus_s']:.3f} direct_prometheus_s={figures['direct_prometheus_s']:.3f} "
            f"ratio_cold={figures['direct_cold_s'] / figures['cold_s']:.1f} "
            f"max_rel_diff={figures['max_rel_diff']:.1e} collect_s={figures['collect_s']:.1f}",
            flush=True,
        )
        if figures["direct_cold_s"] < 5 * figures["cold_s"]:
            failures.append(f"N={size}: with rollups only {figures['direct_cold_s'] / figures['cold_s']:.1f}x faster")
        if figures["queries"] != figures["direct_queries"]:
            failures.append(f"N={size}: {figures['queries']} queries with rollups, {figures['direct_queries']} without")
        if figures["max_rel_diff"] > 1e-6:
            failures.append(f"N={size}: an SLI differs by {figures['max_rel_diff']:.1e} relative")
    if len({figures["queries"] for figures in results.values()}) > 1:
        failures.append("the number of queries grows with the number of SLOs")
    for failure in failures:
        print(f"# target missed: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
