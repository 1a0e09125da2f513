"""Benchmark: this app's cold SLO overview side by side with google/slo-generator on the same real Prometheus, the
same 31 days of 1-minute samples and the same SLOs, in one run.

slo-generator (pinned in bench/peer-requirements.txt, with its Prometheus extra) is installed into a virtual
environment of its own, var/cache/peer-venv, so it never shares the app's dependencies; bench/peer_driver.py runs
its ``compute()`` there. Its Prometheus backend sends no evaluation time, so Prometheus answers at "now": the
history ends at the current minute and the app evaluates at that minute too. Both compute the same windows (the
app's burn windows 5m to 3d and the 30-day period) of the same SLOs (``lw_requests_total{slo="s0042"}``, bad:
``code="500"``; slo-generator's good: ``code="200"``).

The app is timed cold (a fresh source, empty caches) with its long windows summed from stored daily rollups
(collected first, as cron would) and without them; slo-generator as its own run over every SLO config. The queries
and Prometheus's own evaluation time are read from Prometheus's /metrics around each, the same way for both.

Prints one line per size:
    peer: N=<n> app_queries=<n> peer_queries=<n> app_cold_s=<s> app_direct_cold_s=<s> peer_s=<s>
        app_prometheus_s=<s> peer_prometheus_s=<s> ratio=<peer ÷ app with rollups>
        ratio_direct=<peer ÷ app without rollups> max_sli_diff=<largest |app SLI - peer SLI| over the 30 days>
Times are medians of 5 app and 3 slo-generator runs after a warm-up; the queries and Prometheus's time, the mean
over all of them.
Target: ratio >= 20 at 200 SLOs. ``--sizes 7,200`` (the default) picks the sizes, each on a history of its own.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.long_windows import DAYS, TIME_ZONE, catalog, timed, write_history  # noqa: E402
from bench.long_windows import RUNS as APP_RUNS  # noqa: E402
from data.slo.long_windows import StoredDays  # noqa: E402
from data.slo.prometheus import PrometheusSettings, PrometheusSource  # noqa: E402
from data.store import engine_for, migrate  # noqa: E402
from data.trends.rollups import collect_daily_rollups  # noqa: E402
from metrics.access import Actor, Role  # noqa: E402
from metrics.slo.definitions import BURN_WINDOWS, SloDefinition, parse_duration  # noqa: E402
from tests.support.servers import build_tsdb, start_prometheus  # noqa: E402

PEER_VENV = REPO / "var" / "cache" / "peer-venv"
PEER_REQUIREMENTS = REPO / "bench" / "peer-requirements.txt"
PEER_DRIVER = REPO / "bench" / "peer_driver.py"
RUNS = 3
STEP_S = 60
HISTORY_DAYS = DAYS + 1  # the 30 whole days before today's midnight, whatever the hour, and the hours ahead
QUERY_HANDLERS = ('handler="/api/v1/query"', 'handler="/api/v1/query_range"')


def peer_python() -> Path:
    """slo-generator's interpreter, installed from the pinned requirements when missing or changed."""
    python = PEER_VENV / "bin" / "python"
    wanted = hashlib.sha256(PEER_REQUIREMENTS.read_bytes()).hexdigest()
    stamp = PEER_VENV / ".requirements-sha256"
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    shutil.rmtree(PEER_VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(PEER_REQUIREMENTS)],
        check=True,
    )
    stamp.write_text(wanted)
    return python


def prometheus_own(url: str) -> tuple[float, float]:
    """(queries answered, seconds spent evaluating them) from Prometheus's own /metrics."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=30) as response:
        lines = response.read().decode().splitlines()
    queries = sum(
        float(line.rsplit(" ", 1)[1])
        for line in lines
        if line.startswith("prometheus_http_requests_total{") and any(h in line for h in QUERY_HANDLERS)
    )
    seconds = sum(
        float(line.rsplit(" ", 1)[1])
        for line in lines
        if line.startswith("prometheus_engine_query_duration_seconds_sum{") and 'slice="inner_eval"' in line
    )
    return queries, seconds


def write_peer_configs(folder: Path, slos: list[SloDefinition], prometheus_url: str) -> Path:
    """slo-generator's config (the backend and one policy step per window the app computes) and one SLO file each."""
    windows = [*BURN_WINDOWS, "30d"]
    steps = [
        {
            "name": "period" if window == "30d" else window,
            "window": int(parse_duration(window).total_seconds()),
            "burn_rate_threshold": 1,
            "alert": False,
            "message_alert": "burning",
            "message_ok": "ok",
        }
        for window in windows
    ]
    config = {
        "backends": {"prometheus": {"url": prometheus_url}},
        "error_budget_policies": {"default": {"steps": steps}},
    }
    config_path = folder / "config.yaml"
    config_path.write_text(json.dumps(config))  # JSON is YAML
    slo_folder = folder / "slos"
    slo_folder.mkdir()
    for slo in slos:
        selector = slo.indicator.total_query
        document = {
            "apiVersion": "sre.google.com/v2",
            "kind": "ServiceLevelObjective",
            "metadata": {"name": slo.name, "labels": {"service_name": slo.service, "slo_name": slo.name}},
            "spec": {
                "description": slo.name,
                "backend": "prometheus",
                "method": "good_bad_ratio",
                "exporters": [],
                "service_level_indicator": {
                    "filter_good": selector.replace("}", ',code="200"}'),
                    "filter_valid": selector,
                },
                "goal": slo.target,
            },
        }
        (slo_folder / f"{slo.name}.yaml").write_text(json.dumps(document))
    return config_path


def time_app(settings: PrometheusSettings, slos, at: datetime, stored: StoredDays | None) -> dict:
    """bench/long_windows.py's timing (a warm-up, then its 5 fresh sources), with Prometheus's own count of
    queries and evaluation time per view, read from its /metrics as for slo-generator."""
    asked_before, spent_before = prometheus_own(settings.url)
    figures = timed(settings, slos, stored, at)
    asked_after, spent_after = prometheus_own(settings.url)
    views = APP_RUNS + 1
    return {
        **figures,
        "queries": (asked_after - asked_before) / views,
        "prometheus_s": (spent_after - spent_before) / views,
    }


def time_peer(python: Path, folder: Path, url: str, count: int) -> dict:
    """slo-generator over every SLO config: a warm-up run, then ``RUNS`` timed ones, as for the app."""
    asked_before, spent_before = prometheus_own(url)
    run = subprocess.run(
        [str(python), str(PEER_DRIVER), str(folder / "slos"), str(folder / "config.yaml"), str(RUNS + 1)],
        check=True,
        capture_output=True,
        text=True,
    )
    asked_after, spent_after = prometheus_own(url)
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["reports"] == count * (len(BURN_WINDOWS) + 1), result["reports"]
    views = RUNS + 1
    return {
        "seconds": statistics.median(result["seconds"][1:]),
        "queries": (asked_after - asked_before) / views,
        "prometheus_s": (spent_after - spent_before) / views,
        "slis": result["slis"],
    }


def measure(python: Path, size: int) -> dict:
    """Both tools on a history of ``size`` SLOs of its own (the app asks per metric, so a larger history would make
    it read series of SLOs it was not asked about), its rollups collected first."""
    # samples until two hours ahead, so "now" stays inside the history for the whole run; Prometheus reads none
    # after the instant it evaluates
    history_end = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=2)
    cache_key = f"bench-peer-{size}x{HISTORY_DAYS}d-until-{history_end:%Y%m%dT%H%M}"
    tsdb = build_tsdb(write_history(size, STEP_S, history_end, HISTORY_DAYS), cache_key)
    slos = catalog(size)
    try:
        with start_prometheus(tsdb) as prometheus, tempfile.TemporaryDirectory() as directory:
            settings = PrometheusSettings(url=prometheus.url, timeout_seconds=300)
            at = datetime.now(UTC).replace(second=0, microsecond=0)  # the minute Prometheus's "now" falls in
            url = f"sqlite:///{directory}/store.db"
            migrate(url)
            engine = engine_for(url)
            today = at.astimezone(ZoneInfo(TIME_ZONE)).date()
            collect_daily_rollups(
                PrometheusSource(settings),
                slos,
                engine,
                time_zone=TIME_ZONE,
                now=at,
                actor=Actor("bench", Role.ADMIN),
                first=today - timedelta(days=DAYS - 1),
                last=today - timedelta(days=1),
            )
            with_rollups = time_app(settings, slos, at, StoredDays(engine, TIME_ZONE))
            direct = time_app(settings, slos, at, None)
            engine.dispose()
            with tempfile.TemporaryDirectory() as folder:
                write_peer_configs(Path(folder), slos, prometheus.url)
                peer = time_peer(python, Path(folder), prometheus.url, size)
    finally:
        shutil.rmtree(tsdb, ignore_errors=True)  # a history ending at this minute serves no other run
    differences = [
        abs(status.sli - peer["slis"][status.slo.name])
        for status in with_rollups["report"].statuses
        if status.sli is not None and peer["slis"].get(status.slo.name) is not None
    ]
    assert len(differences) == size, f"{size - len(differences)} SLOs without an SLI from one of the two"
    return {
        "app_queries": with_rollups["queries"],
        "peer_queries": peer["queries"],
        "app_cold_s": with_rollups["cold_s"],
        "app_direct_cold_s": direct["cold_s"],
        "peer_s": peer["seconds"],
        "app_prometheus_s": with_rollups["prometheus_s"],
        "peer_prometheus_s": peer["prometheus_s"],
        "max_sli_diff": max(differences),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="7,200")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(
        f"# machine: {platform.machine()} {platform.processor() or ''} python={platform.python_version()}",
        file=sys.stderr,
    )
    python = peer_python()
    version = subprocess.run([str(python), "-m", "pip", "show", "slo-generator"], capture_output=True, text=True)
    print(
        f"# peer: {next(line for line in version.stdout.splitlines() if line.startswith('Version'))}", file=sys.stderr
    )
    failures = []
    for size in sizes:
        figures = measure(python, size)
        ratio = figures["peer_s"] / figures["app_cold_s"]
        print(
            f"peer: N={size} app_queries={figures['app_queries']:.0f} "
            f"peer_queries={figures['peer_queries']:.0f} app_cold_s={figures['app_cold_s']:.3f} "
            f"app_direct_cold_s={figures['app_direct_cold_s']:.3f} peer_s={figures['peer_s']:.3f} "
            f"app_prometheus_s={figures['app_prometheus_s']:.3f} "
            f"peer_prometheus_s={figures['peer_prometheus_s']:.3f} ratio={ratio:.1f} "
            f"ratio_direct={figures['peer_s'] / figures['app_direct_cold_s']:.1f} "
            f"max_sli_diff={figures['max_sli_diff']:.1e}",
            flush=True,
        )
        if size >= 200 and ratio < 20:
            failures.append(f"N={size}: only {ratio:.1f}x faster than slo-generator")
    for failure in failures:
        print(f"# target missed: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
