"""The SLO burn rules evaluated by a real Prometheus on live samples, and their history read back from ALERTS.

Rules never evaluate over backfilled history, so a small HTTP server in the test exposes counters that grow with
the clock: checkout fails half its requests (good-based SLO), payments one in ten (bad-based SLO), auth none.
Prometheus scrapes it and evaluates the generated rules every second; the tests wait for ALERTS to show the
firing tiers (a deadline, never a fixed sleep), then ask the app's history function.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from data.slo.alert_history import alerts_selector, load_alert_history
from data.slo.alert_rules import burn_rate_rules, rules_yaml
from data.slo.catalog import load_catalog
from data.slo.prometheus import PrometheusSettings, PrometheusSource
from tests.support.servers import prometheus_available, require, start_prometheus, wait_until

REPO = Path(__file__).resolve().parents[3]
CATALOG = load_catalog(REPO / "config" / "slos")
FIRING_DEADLINE_S = 90
# Requests per second by (service, code): checkout 50% errors, payments 10% (503), auth healthy.
RATES = {
    ("checkout", "200"): 50.0,
    ("checkout", "500"): 50.0,
    ("payments", "200"): 90.0,
    ("payments", "503"): 10.0,
    ("auth", "200"): 100.0,
    ("auth", "500"): 0.0,
}


class _Counters(BaseHTTPRequestHandler):
    started = time.monotonic()

    def do_GET(self):
        elapsed = time.monotonic() - self.started
        lines = ["# HELP http_requests_total Requests served.", "# TYPE http_requests_total counter"]
        lines += [
            f'http_requests_total{{service="{service}",code="{code}"}} {int(rate * elapsed)}'
            for (service, code), rate in RATES.items()
        ]
        body = ("\n".join(lines) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep the test output quiet
        pass


@contextlib.contextmanager
def counters_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counters)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def firing_alerts(url: str) -> list[dict]:
    """Alerts firing at the last whole second but one: an instant the history's range query (whole seconds up to
    now) is sure to evaluate, so what fired here is in the history too."""
    source = PrometheusSource(PrometheusSettings(url=url, cache_ttl_seconds=0))
    settled = datetime.fromtimestamp(int(time.time()) - 1, tz=UTC)
    return [
        series["metric"] for series in source.instant('ALERTS{alertname="SLOBurnRate",alertstate="firing"}', settled)
    ]


@pytest.fixture(scope="module")
def burning_prometheus(tmp_path_factory):
    """A Prometheus scraping the live counters every second and evaluating the generated rules every second,
    returned once ALERTS shows checkout's and payments' 1-hour page tier firing."""
    require("prometheus", prometheus_available(), "`prometheus` and `promtool` must be on PATH")
    rules = tmp_path_factory.mktemp("rules") / "slo-burn.yml"
    rules.write_text(rules_yaml(burn_rate_rules(CATALOG.slos, datetime.now(UTC))))
    with (
        counters_server() as address,
        start_prometheus(
            scrape_targets={"app": address}, scrape_interval="1s", rule_files=(rules,), evaluation_interval="1s"
        ) as prometheus,
    ):
        started = datetime.now(UTC) - timedelta(seconds=5)

        def both_page():
            firing = {(a["slo"], a["long_window"]) for a in firing_alerts(prometheus.url)}
            return {("checkout-availability", "1h"), ("payments-availability", "1h")} <= firing

        wait_until(
            both_page,
            timeout_s=FIRING_DEADLINE_S,
            what="ALERTS firing for checkout and payments",
            log=prometheus.log_path,
            interval_s=0.5,
        )
        yield prometheus, started


def history_now(url: str, started: datetime):
    source = PrometheusSource(PrometheusSettings(url=url, cache_ttl_seconds=0))
    return load_alert_history(source, CATALOG.slos, started, datetime.now(UTC), step=timedelta(seconds=1))


def test_the_history_has_the_firing_page_tier_of_the_burning_slos(burning_prometheus):
    prometheus, started = burning_prometheus
    history = history_now(prometheus.url, started)
    assert history.notice is None and not history.computed
    firing = {
        (i.key.slo, i.key.severity, i.key.long_window, i.key.short_window) for i in history.intervals if i.ended is None
    }
    assert {("checkout-availability", "page", "1h", "5m"), ("payments-availability", "page", "1h", "5m")} <= firing
    checkout = next(i for i in history.intervals if i.key.slo == "checkout-availability" and i.key.long_window == "1h")
    assert checkout.key.service == "checkout"
    assert started <= checkout.started <= history.last_evaluation


def test_every_tier_of_a_burning_slo_fires_and_the_healthy_slo_has_none(burning_prometheus):
    prometheus, started = burning_prometheus
    wait_until(
        lambda: len([a for a in firing_alerts(prometheus.url) if a["slo"] == "checkout-availability"]) == 4,
        timeout_s=FIRING_DEADLINE_S,
        what="all four checkout tiers firing",
        log=prometheus.log_path,
        interval_s=0.5,
    )
    history = history_now(prometheus.url, started)
    checkout_tiers = {
        (i.key.severity, i.key.long_window) for i in history.intervals if i.key.slo == "checkout-availability"
    }
    assert checkout_tiers == {("page", "1h"), ("page", "6h"), ("ticket", "1d"), ("ticket", "3d")}
    assert not [i for i in history.intervals if i.key.service == "auth"]


def test_every_catalog_slo_has_its_rules_loaded(burning_prometheus):
    prometheus, started = burning_prometheus
    assert history_now(prometheus.url, started).slos_without_rules == ()


def test_a_service_filter_reads_only_that_service(burning_prometheus):
    prometheus, started = burning_prometheus
    source = PrometheusSource(PrometheusSettings(url=prometheus.url, cache_ttl_seconds=0))
    history = load_alert_history(
        source, CATALOG.slos, started, datetime.now(UTC), services=["payments"], step=timedelta(seconds=1)
    )
    assert history.intervals and {i.key.service for i in history.intervals} == {"payments"}


def test_odd_service_names_make_a_query_prometheus_accepts(burning_prometheus):
    prometheus, _ = burning_prometheus
    source = PrometheusSource(PrometheusSettings(url=prometheus.url, cache_ttl_seconds=0))
    assert source.instant(alerts_selector(["pay.ments", 'quo"te', "a b", "(x|y)*"]), datetime.now(UTC)) == []


@pytest.fixture(scope="module")
def prometheus_without_rules():
    require("prometheus", prometheus_available(), "`prometheus` and `promtool` must be on PATH")
    with start_prometheus() as prometheus:
        yield prometheus


def test_without_rules_the_history_says_so_plainly(prometheus_without_rules):
    source = PrometheusSource(PrometheusSettings(url=prometheus_without_rules.url))
    now = datetime.now(UTC)
    history = load_alert_history(source, CATALOG.slos, now - timedelta(days=90), now)
    assert history.intervals == ()
    assert history.notice == (
        f"no SLO burn alert rules are loaded in {source.description}: generate them with `python cli.py slo-rules`"
    )
    assert history.query_count == 1 + 12  # the rules API, then 90 days of minutes in pieces under 11,000 points


def test_the_cli_says_no_rules_are_loaded_and_exits_1(prometheus_without_rules):
    completed = subprocess.run(
        [
            sys.executable,
            "cli.py",
            "alerts",
            "history",
            "--prometheus-url",
            prometheus_without_rules.url,
            "--format",
            "json",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    assert json.loads(completed.stdout)["intervals"] == []
    assert "no SLO burn alert rules are loaded in Prometheus" in completed.stderr
    assert "python cli.py slo-rules" in completed.stderr
