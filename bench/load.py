"""Benchmark: many viewers. Does the load on Prometheus stay flat when 25 people watch instead of one?

Starts a real Prometheus 2.42 backfilled with the demo history (35 days ending 2026-11-01 00:00 UTC), stores daily
rollups in a fresh SQLite store with ``cli.py collect rollups`` against it (so the weekly review has its weeks), and
serves the app as ``make run`` does, pointed at that Prometheus with ``RELIABILITY_NOW`` at the history's end. Then:

- phase 1: one viewer (one Chromium context) loads the SLO burn page (``/?at=2026-11-01T00:00:00Z``: the SLO
  figures as they stood at the end of the history, a shared link) and the weekly review (``/weekly-review``: the last
  complete week, 2026-W43) alternately, each a full navigation, for ``--minutes``;
- phase 2: ``--viewers`` contexts of one headless Chromium do the same at the same time, for ``--minutes``.
Before a phase's clock starts, each of its viewers opens a browser context of its own and loads both pages once
(not measured): the phase measures people who have the dashboard open and reload it, not cold browser profiles
compiling Streamlit's JavaScript all at once.

Prints one line per phase:
    load: viewers=<n> minutes=<d> loads=<n> render_median_s=<s> render_p95_s=<s> prometheus_queries_per_min=<q>
          (one viewer: <q>) app_rss_mb=<end> app_rss_peak_mb=<peak>

render: from the navigation's start (the browser's ``performance.now()``, measured in the page, so the bench's own
scheduling does not count) until the page is done: Streamlit's ``stApp`` reports ``data-test-script-state`` =
``notRunning`` (the script run that drew the page has finished and every element has reached the browser), the
running indicator (``stStatusWidget``) is gone, and the page's main content is in the DOM (SLO burn: the four
headline metrics and the SLO table; weekly review: the seven headline metrics and the drawn budget chart).
prometheus_queries_per_min: ``prometheus_http_requests_total{handler=~"/api/v1/query.*"}`` read from Prometheus's
own /metrics before and after the phase (every query any client sent; reading /metrics is not such a query),
divided by the phase's minutes. Each page's figures are one cache entry shared by every viewer (a fixed instant,
TTL 60 s), so a phase of T seconds may cost at most (what one cold load of both pages sends, measured as the first
viewer opens them) × (T // 60 + 1) queries whatever the number of viewers; more is reported as a missed target
(exit code 1). Within that bound the count per phase moves by one evaluation (one reading of the catalog) with
where the TTL windows fall, so compare phases of several minutes.
app_rss_mb: VmRSS of the Streamlit process and any children, from /proc, sampled every 0.5 s: at the end of the
phase, and its peak during the phase. On stderr: each page's figures, and the CPU seconds the app and the browsers
used per load (on a 2-core machine running its own 25 browsers, the browsers' share tells how much of the render
time is the app's).
Then (``--replicas``, default 2) the same viewers on one app process, and then spread over that many processes,
all on one PostgreSQL store sharing their Prometheus answers (``data.slo.shared_answers``):
    load: replicas=<n> viewers=<n> minutes=<d> loads=<n> prometheus_queries_per_min=<q> ratio_to_one_replica=<r>
Target: the replicas send at most 10 % more queries per minute than one process.
Each viewer waits ``--pause-seconds`` between loads, like a person reading. A load that does not finish within
``--load-timeout`` seconds is counted as failed and reported.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from data.slo import demo  # noqa: E402
from tests.support.prometheus_metrics import settled_queries_answered  # noqa: E402
from tests.support.servers import (  # noqa: E402
    CHROMIUM_ARGS,
    build_tsdb,
    chromium_executable,
    start_app,
    start_postgres,
    start_prometheus,
)

# pages/common/loaders.py's DATA_TTL_SECONDS, which the weekly review's readings use too (importing pages here would
# set up Streamlit's caches outside a runtime, with a warning per cached function).
DATA_TTL_SECONDS = 60
HISTORY_END = datetime(2026, 11, 1, tzinfo=UTC)
NOW = "2026-11-01T00:00:00Z"  # the app's clock: the history's end, so "the last complete week" has data
TIME_ZONE = "Europe/Berlin"
ROLLUPS_SINCE, ROLLUPS_UNTIL = "2026-09-28", "2026-10-31"  # the history's whole local days

PAGES = {
    "slo_burn": "/?at=2026-11-01T00:00:00Z",
    "weekly_review": "/weekly-review",
}
# Truthy (the page's own clock, ms since the navigation started) once the page is done; see the module docstring.
_DONE = """(content) => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid=stStatusWidget]')) return false;
  if (!(CONTENT)) return false;
  return performance.now();
}"""
DONE = {
    "slo_burn": _DONE.replace(
        "CONTENT",
        "document.querySelectorAll('[data-testid=stMetric]').length >= 4 && "
        "document.querySelector('[data-testid=stDataFrame]')",
    ),
    "weekly_review": _DONE.replace(
        "CONTENT",
        "document.querySelectorAll('[data-testid=stMetric]').length >= 7 && "
        "document.querySelector('.js-plotly-plot .main-svg')",
    ),
}


# --- the app's memory -----------------------------------------------------------------------------------------------


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def tree_rss_mb(pid: int) -> float:
    """RSS of a process and all its descendants, in MiB."""
    return sum(_rss_kib(p) for p in [pid, *_descendants(pid)]) / 1024


class MemorySampler:
    """Samples a process tree's RSS every ``interval_s`` in a thread; ``peak_mb`` since the last ``reset``."""

    def __init__(self, pid: int, interval_s: float = 0.5) -> None:
        self.pid, self.interval_s = pid, interval_s
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))

    def reset(self) -> None:
        self.peak_mb = tree_rss_mb(self.pid)

    def __enter__(self) -> MemorySampler:
        self.reset()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# --- viewers --------------------------------------------------------------------------------------------------------


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used so far (those still alive)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except (OSError, IndexError, ValueError):
            continue
    return total / ticks


def browser_pids() -> list[int]:
    """This bench's Chromium processes (the browser and its renderers): descendants named chromium."""
    pids = []
    for pid in _descendants(os.getpid()):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip().startswith(("chromium", "chrome")):
                pids.append(pid)
        except OSError:
            continue
    return pids


@dataclass
class PhaseResult:
    viewers: int
    seconds: float = 0.0
    queries: int = 0
    renders: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in PAGES})
    failures: list[str] = field(default_factory=list)
    warm_up_failures: list[str] = field(default_factory=list)
    opening_queries: int = 0  # what opening the pages sent before the phase's clock started
    rss_end_mb: float = 0.0
    rss_peak_mb: float = 0.0
    app_cpu_s: float = 0.0
    browser_cpu_s: float = 0.0

    @property
    def all_renders(self) -> list[float]:
        return [seconds for values in self.renders.values() for seconds in values]

    @property
    def queries_per_minute(self) -> float:
        return self.queries / (self.seconds / 60)


async def load_once(page, base_url: str, name: str, timeout_s: float) -> float:
    """One full navigation to a page; the seconds until it is done, measured by the page's own clock."""
    await page.goto(base_url + PAGES[name], wait_until="commit", timeout=timeout_s * 1000)
    done = await page.wait_for_function(DONE[name], polling=50, timeout=timeout_s * 1000)
    return float(await done.json_value()) / 1000


def _failure(name: str, error: Exception) -> str:
    return f"{name}: {type(error).__name__}: {(str(error).splitlines() or [''])[0][:160]}"


async def open_viewer(browser, base_url: str, timeout_s: float, failures: list[str]):
    """A person opening the dashboard: a context of their own that loads each page once (not measured), so the
    phase measures viewers who have the app open, not 25 cold browser profiles compiling Streamlit's bundle."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1100})
    page = await context.new_page()
    for name in PAGES:
        try:
            await load_once(page, base_url, name, timeout_s)
        except Exception as error:  # noted; the viewer still takes part
            failures.append(_failure(name, error))
    return context, page


async def keep_loading(
    page, base_url: str, deadline: float, pause_s: float, timeout_s: float, result: PhaseResult, first_page: int
) -> None:
    """Load the two pages alternately until the deadline, pausing between loads like a person reading."""
    names = list(PAGES)
    turn = first_page
    while time.monotonic() < deadline:
        name = names[turn % len(names)]
        turn += 1
        try:
            result.renders[name].append(await load_once(page, base_url, name, timeout_s))
        except Exception as error:  # a timeout or a crashed tab: counted, reported, the viewer goes on
            result.failures.append(_failure(name, error))
        await asyncio.sleep(pause_s)


async def run_phase(browser, apps, prometheus_url: str, viewers: int, args, memory: MemorySampler) -> PhaseResult:
    """``viewers`` people loading the pages for ``--minutes``, spread over ``apps`` (replicas behind a load
    balancer: viewer i on app i mod n)."""
    result = PhaseResult(viewers=viewers)
    urls = [apps[i % len(apps)].url for i in range(viewers)]
    before_opening = settled_queries_answered(prometheus_url)
    opened = await asyncio.gather(
        *(open_viewer(browser, url, args.load_timeout * 2, result.warm_up_failures) for url in urls)
    )
    pids = [app.process.pid for app in apps]
    try:
        browsers = browser_pids()
        queries_before = settled_queries_answered(prometheus_url)
        result.opening_queries = queries_before - before_opening
        app_cpu_before, browser_cpu_before = cpu_seconds(pids), cpu_seconds(browsers)
        memory.reset()
        started = time.monotonic()
        deadline = started + args.minutes * 60
        # Half the viewers start on each page, so both pages are loaded at the same time from the first second.
        await asyncio.gather(
            *(
                keep_loading(page, urls[i], deadline, args.pause_seconds, args.load_timeout, result, first_page=i)
                for i, (_, page) in enumerate(opened)
            )
        )
        result.seconds = time.monotonic() - started  # the last loads may end after the deadline: counted in full
        result.queries = settled_queries_answered(prometheus_url) - queries_before
        result.app_cpu_s = cpu_seconds(pids) - app_cpu_before
        result.browser_cpu_s = cpu_seconds(browsers) - browser_cpu_before
        result.rss_end_mb = sum(tree_rss_mb(pid) for pid in pids)
        result.rss_peak_mb = max(memory.peak_mb, result.rss_end_mb)
    finally:
        await asyncio.gather(*(context.close() for context, _ in opened))
    return result


async def drive(app, prometheus_url: str, args, phases=None) -> list[PhaseResult]:
    """Each phase (apps, viewers) in turn; default: one viewer, then ``--viewers``, on ``app``."""
    from playwright.async_api import async_playwright

    executable = chromium_executable()
    if executable is None:
        raise SystemExit("no Chromium found (/usr/lib/chromium/chromium or /usr/bin/chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            with MemorySampler(app.process.pid) as memory:
                results = []
                for apps, viewers in phases or [([app], 1), ([app], args.viewers)]:
                    print(
                        f"# phase: {viewers} viewer(s) on {len(apps)} app process(es) for {args.minutes:g} min "
                        f"(app RSS before: {tree_rss_mb(app.process.pid):.0f} MiB)…",
                        file=sys.stderr,
                    )
                    results.append(await run_phase(browser, apps, prometheus_url, viewers, args, memory))
                return results
        finally:
            await browser.close()


# --- setup ----------------------------------------------------------------------------------------------------------


def collect_rollups(env: dict[str, str]) -> str:
    """``cli.py collect rollups`` for the history's days, as cron would run it; returns its summary line."""
    for command in (["migrate"], ["collect", "rollups", "--since", ROLLUPS_SINCE, "--until", ROLLUPS_UNTIL]):
        done = subprocess.run(
            [sys.executable, "cli.py", *command],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"cli.py {' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def measure_replicas(env: dict[str, str], prometheus_url: str, args) -> tuple[PhaseResult, PhaseResult]:
    """``--viewers`` on one app process, then on ``--replicas`` processes, all on one PostgreSQL store (its answers
    shared, ``PROMETHEUS_SHARED_ANSWERS``): the queries per minute Prometheus gets each way."""
    with start_postgres() as postgres:
        store_env = {**env, "DATABASE_URL": postgres.create_database("load_replicas")}
        store_env["PROMETHEUS_SHARED_ANSWERS"] = "true"
        print(f"# replicas, on PostgreSQL: {collect_rollups(store_env)}", file=sys.stderr)
        with contextlib.ExitStack() as stack:
            apps = [stack.enter_context(start_app(store_env)) for _ in range(args.replicas)]
            one, several = asyncio.run(
                drive(apps[0], prometheus_url, args, phases=[(apps[:1], args.viewers), (apps, args.viewers)])
            )
    return one, several


def queries_per_evaluation(prometheus_url: str) -> int:
    """HTTP queries one evaluation of the catalog costs (the SLO report; the weekly review's readings are the same
    report at the week's end), counted by a fresh source."""
    from data.slo.catalog import load_catalog
    from data.slo.prometheus import PrometheusSettings, PrometheusSource
    from data.slo.service import load_report

    source = PrometheusSource(PrometheusSettings(url=prometheus_url, timeout_seconds=60))
    load_report(source, load_catalog(REPO / "config" / "slos").slos, HISTORY_END)
    return source.query_count


def query_bound(seconds: float, per_window: int) -> int:
    """The most queries the shared caches allow in ``seconds``, whatever the number of viewers: each page's reads
    are cache entries (a fixed instant), read at most once per TTL window they overlap; ``per_window`` is what one
    cold load of both pages sends (the SLO report for each, and the weekly review's alert history)."""
    return per_window * (int(seconds // DATA_TTL_SECONDS) + 1)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # the figures interleave with the # notes on stderr
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=2.0, help="length of each phase (default 2)")
    parser.add_argument("--viewers", type=int, default=25, help="viewers in the second phase (default 25)")
    parser.add_argument("--pause-seconds", type=float, default=2.0, help="each viewer's pause between loads")
    parser.add_argument("--load-timeout", type=float, default=120.0, help="seconds before a load counts as failed")
    parser.add_argument(
        "--replicas",
        type=int,
        default=2,
        help="then app processes on one PostgreSQL store, against one process on it (default 2; 1: skip)",
    )
    args = parser.parse_args()

    def write(path: Path) -> None:
        with path.open("w", encoding="utf-8") as out:
            demo.write_openmetrics(demo.generate_history(HISTORY_END), out)

    print(
        f"# machine: {platform.machine()} cores={os.cpu_count()} python={platform.python_version()} "
        f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}",
        file=sys.stderr,
    )
    tsdb = build_tsdb(write, f"demo-{demo.cache_key(HISTORY_END)}")
    with start_prometheus(tsdb) as prometheus, tempfile.TemporaryDirectory(prefix="load-store-") as directory:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PROMETHEUS_", "RELIABILITY_"))}
        env.update(
            {
                "PROMETHEUS_URL": prometheus.url,
                "PROMETHEUS_NAME": "Prometheus backfill",
                "TEAM_TIMEZONE": TIME_ZONE,
                "RELIABILITY_NOW": NOW,
                "DATABASE_URL": f"sqlite:///{directory}/store.db",
            }
        )
        print(f"# {collect_rollups(env)}", file=sys.stderr)
        per_evaluation = queries_per_evaluation(prometheus.url)
        print(
            f"# one evaluation of the catalog: {per_evaluation} queries; shared for {DATA_TTL_SECONDS} s",
            file=sys.stderr,
        )
        with start_app(env) as app:
            results = asyncio.run(drive(app, prometheus.url, args))
            log_tail = app.log_path.read_text(errors="replace")[-2000:] if app.log_path.exists() else ""
        replicas = measure_replicas(env, prometheus.url, args) if args.replicas > 1 else None
    one_viewer = results[0].queries_per_minute
    failed = target_missed = False
    for result in results:
        renders = result.all_renders
        if not renders:
            print(f"load: viewers={result.viewers} minutes={args.minutes:g} loads=0 failures={len(result.failures)}")
            failed = True
            continue
        print(
            f"load: viewers={result.viewers} minutes={args.minutes:g} loads={len(renders)} "
            f"render_median_s={statistics.median(renders):.2f} render_p95_s={percentile(renders, 0.95):.2f} "
            f"prometheus_queries_per_min={result.queries_per_minute:.1f} (one viewer: {one_viewer:.1f}) "
            f"app_rss_mb={result.rss_end_mb:.0f} app_rss_peak_mb={result.rss_peak_mb:.0f}"
        )
        for name, values in result.renders.items():
            if values:
                print(
                    f"#   {name}: loads={len(values)} median_s={statistics.median(values):.2f} "
                    f"p95_s={percentile(values, 0.95):.2f}",
                    file=sys.stderr,
                )
        print(
            f"#   queries={result.queries} over {result.seconds:.0f} s; failed loads={len(result.failures)} "
            f"(opening: {len(result.warm_up_failures)}); CPU: app {result.app_cpu_s:.1f} s "
            f"({result.app_cpu_s / len(renders):.2f} s a load), browser {result.browser_cpu_s:.1f} s "
            f"({result.browser_cpu_s / len(renders):.2f} s a load)",
            file=sys.stderr,
        )
        per_window = results[0].opening_queries or len(PAGES) * per_evaluation
        bound = query_bound(result.seconds, per_window)
        within = result.queries <= bound
        print(
            f"#   shared caches allow at most {bound} queries in {result.seconds:.0f} s whatever the number of "
            f"viewers: {'within' if within else 'EXCEEDED'}",
            file=sys.stderr,
        )
        if not within:
            print(
                f"# target missed: {result.viewers} viewers sent {result.queries} queries > {bound}: the load on "
                "Prometheus grows with the number of viewers",
                file=sys.stderr,
            )
        target_missed = target_missed or not within
        for failure in sorted(set(result.failures + result.warm_up_failures))[:5]:
            print(f"#   failed: {failure}", file=sys.stderr)
        failed = failed or bool(result.failures)
    if replicas is not None:
        one, several = replicas
        ratio = several.queries_per_minute / one.queries_per_minute if one.queries_per_minute else float("nan")
        print(
            f"load: replicas=1 viewers={one.viewers} minutes={args.minutes:g} loads={len(one.all_renders)} "
            f"prometheus_queries_per_min={one.queries_per_minute:.1f}"
        )
        print(
            f"load: replicas={args.replicas} viewers={several.viewers} minutes={args.minutes:g} "
            f"loads={len(several.all_renders)} prometheus_queries_per_min={several.queries_per_minute:.1f} "
            f"ratio_to_one_replica={ratio:.2f}"
        )
        if not ratio <= 1.1:
            print(f"# target missed: {args.replicas} replicas send {ratio:.2f}x one replica's queries", file=sys.stderr)
            target_missed = True
        failed = failed or bool(one.failures or several.failures)
    print(f"# load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", file=sys.stderr)
    if failed and log_tail:
        print(f"# app log tail:\n{log_tail}", file=sys.stderr)
    return 1 if failed or target_missed else 0


if __name__ == "__main__":
    sys.exit(main())
