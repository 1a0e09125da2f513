"""Benchmark: how fast is every page in Chromium, and what do fragments save on an interaction?

Serves the app as ``make run`` does (``tests/support/servers.start_app``: a fresh migrated SQLite store, demo data,
``RELIABILITY_NOW`` fixed at 2026-11-24 14:05 UTC, ``REFRESH_SECONDS=0`` so no auto-refresh lands inside a timing)
and drives it with headless Chromium. Prints four tables:

1. Every page: first load (a fresh browser context: no cache, no session) and warm load (a reload in the same
   context), medians over ``--runs``.
2. Interactions, the same action on two servers side by side: ``PAGE_FRAGMENTS=true`` (the default: the SLO
   overview's and the database fleet's filters rerun only their fragment) and ``PAGE_FRAGMENTS=false`` (every
   interaction reruns the whole page, as before fragments); the ratio is fragment ÷ full. Where the page has no
   fragment for that action (trends' week/month, the tracker's search) both servers run the same whole page, and
   the ratio shows only noise. Each run opens the page fresh (not timed), then times the action.
3. The revisit tracker with 10 and with 5,000 items (imported with ``cli.py tracker import``): in each of
   ``--tracker-loads`` fresh contexts, the time until its first table is in the page; both, and the ratio.

A load is timed in the page (``performance.now()`` since the navigation started) until it is done: Streamlit's
``stApp`` is connected and its script run is over (``data-test-script-state`` = ``notRunning``), the running
indicator is gone, no element is stale from an earlier run, and the page's own content is there (its title, and its
first table or chart where it has one). An interaction is timed from the action until the same, plus the action's
answer (the filter in the address) and one more finished run than before it (a fragment's run counts as one).

    python bench/pages.py [--runs 5] [--tracker-loads 10] [--tracker-only]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support.browser import watch_runs  # noqa: E402
from tests.support.servers import CHROMIUM_ARGS, chromium_executable, start_app  # noqa: E402

NOW = "2026-11-24T14:05:00Z"
BASE_ENV = {"RELIABILITY_NOW": NOW, "REFRESH_SECONDS": "0", "TEAM_TIMEZONE": "UTC"}
LOAD_TIMEOUT_MS = 180_000  # the issue saw 80-110 s tracker loads at 5,000 items: report them, do not give up

_DONE = """(content) => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid=stStatusWidget]')) return false;
  if (document.querySelector('[data-testid=stElementContainer][data-stale=true]')) return false;
  if (document.querySelector('[data-testid=stSkeleton], [data-testid=stAppSkeleton]')) return false;
  const title = [...document.querySelectorAll('h1')].some((h) => h.textContent.includes(content.title));
  if (!title) return false;
  if (content.table && !document.querySelector('[data-testid=stDataFrame] canvas')) return false;
  if (content.chart && !document.querySelector('.js-plotly-plot .main-svg')) return false;
  if (content.runs !== undefined && (window.__finishedRuns || 0) <= content.runs) return false;
  if (content.url && !location.search.includes(content.url)) return false;
  return performance.now();
}"""

_FIRST_TABLE = """() => document.querySelector('[data-testid=stDataFrame] canvas') ? performance.now() : false"""

# path, what "done" needs
PAGES: dict[str, tuple[str, dict]] = {
    "SLO burn overview": ("/", {"title": "SLO burn", "table": True}),
    "SLO burn drill-down": ("/slo-burn?slo=checkout-availability", {"title": "SLO burn", "chart": True}),
    "Reliability trends": ("/trends", {"title": "Reliability trends", "table": True}),
    "Incidents": ("/incidents", {"title": "Incidents"}),
    "Weekly review": ("/weekly-review", {"title": "Weekly review", "chart": True}),
    "Database health": ("/database-health", {"title": "Database health", "table": True}),
    "DBA records": ("/dba-records", {"title": "DBA records"}),
    "Revisit tracker": ("/revisit-tracker", {"title": "Revisit tracker", "table": True}),
    "Audit trail": ("/audit-trail", {"title": "Audit trail"}),
}


def median_s(samples: list[float]) -> str:
    return f"{statistics.median(samples):.2f}" if samples else "failed"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Plain aligned text: the first column left, the others right."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]

    def line(cells) -> str:
        return "  ".join(
            str(cell).ljust(width) if i == 0 else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths))
        )

    return "\n".join([line(headers), "  ".join("-" * width for width in widths), *(line(row) for row in rows)])


# --- the browser ----------------------------------------------------------------------------------------------------


def fresh_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(LOAD_TIMEOUT_MS)
    watch_runs(context)
    return context.new_page()


def load(page, url: str, content: dict, reload: bool = False) -> float:
    """Seconds from the navigation's start until the page is done (measured by the page's own clock)."""
    if reload:
        page.reload(wait_until="commit")
    else:
        page.goto(url, wait_until="commit")
    handle = page.wait_for_function(_DONE, arg=content, timeout=LOAD_TIMEOUT_MS, polling="raf")
    return handle.json_value() / 1000


def interaction(page, act: Callable[[], None], content: dict) -> float:
    """Seconds from ``act`` until the run it started has finished and its answer (``content['url']``) is there."""
    runs = page.evaluate("() => window.__finishedRuns || 0")
    started = page.evaluate("() => performance.now()")
    act()
    handle = page.wait_for_function(_DONE, arg={**content, "runs": runs}, timeout=LOAD_TIMEOUT_MS, polling="raf")
    return (handle.json_value() - started) / 1000


def choose(page, label: str, option: str) -> Callable[[], None]:
    """A multiselect choice as a person makes it: open the box, type, Enter."""

    def act() -> None:
        page.get_by_test_id("stMultiSelect").filter(has_text=label).click()
        page.keyboard.type(option)
        page.keyboard.press("Enter")

    return act


def click_segment(page, name: str) -> Callable[[], None]:
    return lambda: page.get_by_role("radio", name=name, exact=True).click()


def search(page, words: str) -> Callable[[], None]:
    def act() -> None:
        box = page.get_by_role("textbox", name="Search")
        box.fill(words)
        box.press("Enter")

    return act


# (page, action name, how to do it, what its answer is, whether a fragment reruns instead of the page)
INTERACTIONS = [
    ("SLO burn overview", "filter service", lambda page: choose(page, "Service", "payments"), "service=payments", True),
    (
        "Database health",
        "filter environment",
        lambda page: choose(page, "Environment", "production"),
        "environment=production",
        True,
    ),
    ("Reliability trends", "week → month", lambda page: click_segment(page, "month"), "grain=month", False),
    ("Revisit tracker", "search", lambda page: search(page, "inventory"), "search=inventory", False),
]


def measure_loads(browser, url: str, runs: int) -> dict[str, tuple[list[float], list[float]]]:
    results = {}
    for name, (path, content) in PAGES.items():
        first, warm = [], []
        for _ in range(runs):
            page = fresh_page(browser)
            try:
                first.append(load(page, url + path, content))
                warm.append(load(page, url + path, content, reload=True))
            finally:
                page.context.close()
        results[name] = (first, warm)
        print(f"  {name}: first {median_s(first)} s, warm {median_s(warm)} s", file=sys.stderr)
    return results


def measure_interactions(browser, url: str, runs: int) -> dict[str, list[float]]:
    results = {}
    for name, action, make, answer, _ in INTERACTIONS:
        path, content = PAGES[name]
        samples = []
        for _ in range(runs):
            page = fresh_page(browser)
            try:
                load(page, url + path, content)
                samples.append(interaction(page, make(page), {**content, "url": answer}))
            finally:
                page.context.close()
        results[f"{name}: {action}"] = samples
        print(f"  {name}, {action}: {median_s(samples)} s", file=sys.stderr)
    return results


# --- the tracker at size --------------------------------------------------------------------------------------------

ROLES, SERVICES = ("TPM", "SRE", "DBA"), ("checkout", "payments", "auth", "inventory", "search")


def tracker_csv(count: int) -> str:
    """``count`` valid items in the import format: open ones in every state a list shows, on several services."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["title", "problem_statement", "state", "owner_role", "owner", "impact", "urgency",
                     "why_parked_category", "why_parked", "services", "revisit_on"])  # fmt: skip
    states = ("new", "assessing", "parked", "in_progress")
    for n in range(count):
        state = states[n % len(states)]
        writer.writerow([
            f"Long-standing problem {n + 1}: {SERVICES[n % 5]} slows down under batch load",
            f"Item {n + 1} of a bench: what goes wrong, when, and what it costs.",
            state, ROLES[n % 3], f"owner{n % 17}", ("low", "medium", "high")[n % 3], ("low", "medium")[n % 2],
            ("vendor", "cost", "tooling")[n % 3], "beyond the team for now" if state == "parked" else "",
            SERVICES[n % 5], f"2027-0{1 + n % 9}-{10 + n % 18}" if state == "parked" else "",
        ])  # fmt: skip
    return out.getvalue()


def import_items(server, count: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as file:
        file.write(tracker_csv(count))
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "cli.py", "tracker", "import", "--file", file.name, "--as", "bench"],
        cwd=REPO,
        env=server.env,
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    )
    os.unlink(file.name)
    return time.monotonic() - started


def tracker_first_tables(browser, url: str, loads: int) -> list[float]:
    samples = []
    for _ in range(loads):
        page = fresh_page(browser)
        try:
            page.goto(url + "/revisit-tracker", wait_until="commit")
            samples.append(page.wait_for_function(_FIRST_TABLE, timeout=LOAD_TIMEOUT_MS).json_value() / 1000)
        finally:
            page.context.close()
    return samples


# --- main -----------------------------------------------------------------------------------------------------------


def machine() -> str:
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{os.cpu_count()} cores ({model}), {system}"


def load_average() -> str:
    """The machine's load average now (other work on a shared machine slows every figure)."""
    try:
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load average unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure; medians are printed (default 5)")
    parser.add_argument("--tracker-loads", type=int, default=10, help="fresh loads per tracker size (default 10)")
    parser.add_argument("--tracker-items", type=int, default=5000)
    parser.add_argument("--tracker-only", action="store_true", help="only the tracker at two sizes (table 3)")
    args = parser.parse_args()
    executable = chromium_executable()
    if executable is None:
        print("no Chromium found (apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    print(f"bench/pages.py on {machine()}; medians of {args.runs} runs, seconds; {load_average()}", flush=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            if not args.tracker_only:
                loads, with_fragments, whole_page = pages_and_interactions(browser, args.runs)
            sizes = {}
            for count in (10, args.tracker_items):
                with start_app(BASE_ENV) as server:
                    imported = import_items(server, count)
                    print(f"tracker with {count} items (import {imported:.1f} s):", file=sys.stderr)
                    sizes[count] = (imported, tracker_first_tables(browser, server.url, args.tracker_loads))
        finally:
            browser.close()

    print(f"finished; {load_average()}")
    if not args.tracker_only:
        print_pages_and_interactions(loads, with_fragments, whole_page)
    print_tracker(sizes, args)
    return 0


def pages_and_interactions(browser, runs: int):
    with start_app(BASE_ENV) as server:
        import_items(server, 10)  # the tracker's list and search have items to show
        print("pages (fragments on):", file=sys.stderr)
        loads = measure_loads(browser, server.url, runs)
        with_fragments = measure_interactions(browser, server.url, runs)
    with start_app({**BASE_ENV, "PAGE_FRAGMENTS": "false"}) as server:
        import_items(server, 10)
        print("interactions (fragments off):", file=sys.stderr)
        whole_page = measure_interactions(browser, server.url, runs)
    return loads, with_fragments, whole_page


def print_pages_and_interactions(loads, with_fragments, whole_page) -> None:
    print("\nPage loads")
    print(table(["page", "first load", "warm load"], [[n, median_s(f), median_s(w)] for n, (f, w) in loads.items()]))

    print("\nInteractions: fragment rerun vs. whole-page rerun (PAGE_FRAGMENTS=false)")
    rows = []
    for name, action, _, _, has_fragment in INTERACTIONS:
        key = f"{name}: {action}"
        fragment, full = with_fragments[key], whole_page[key]
        ratio = (
            f"{statistics.median(fragment) / statistics.median(full):.2f}"
            if fragment and full and statistics.median(full)
            else "—"
        )
        rows.append([key, median_s(fragment) if has_fragment else "— (none)", median_s(full),
                     ratio if has_fragment else f"({ratio})"])  # fmt: skip
    print(table(["interaction", "fragment", "whole page", "fragment/whole"], rows))
    every = [sample for samples in with_fragments.values() for sample in samples]
    print(f"median of every interaction (as served by default): {median_s(every)} s")


def print_tracker(sizes, args) -> None:
    print(f"\nRevisit tracker: first table in each of {args.tracker_loads} fresh loads")
    small, large = sizes[10][1], sizes[args.tracker_items][1]
    print(
        table(
            ["items", "import", "median", "max", "every load"],
            [
                [
                    str(count),
                    f"{imported:.1f}",
                    median_s(samples),
                    f"{max(samples):.2f}",
                    " ".join(f"{s:.2f}" for s in samples),
                ]  # fmt: skip
                for count, (imported, samples) in sizes.items()
            ],
        )
    )
    print(
        f"ratio {args.tracker_items}/10: median {statistics.median(large) / statistics.median(small):.2f}, "
        f"slowest {max(large) / statistics.median(small):.2f} (the slowest {args.tracker_items}-item load over the "
        "10-item median)"
    )


if __name__ == "__main__":
    sys.exit(main())
