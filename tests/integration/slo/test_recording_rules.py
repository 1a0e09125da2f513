"""``slo-rules --recording`` against the real promtool and Prometheus: the file checks, the alerts that read the
recorded ratios fire exactly the tiers the raw-counter rules fire, and a ratio Prometheus records from live samples
equals the ratio computed here from the raw samples it scraped."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from data.slo.alert_rules import burn_rate_rules, rules_yaml
from data.slo.catalog import load_catalog
from tests.support.servers import prometheus_available, require, start_prometheus, wait_until

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
CATALOG = load_catalog(REPO / "config" / "slos")
AT = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)
RECORDED_DEADLINE_S = 60


@pytest.fixture(autouse=True)
def promtool():
    require("promtool", prometheus_available(), "`promtool` (Debian package prometheus) must be on PATH")


def promtool_run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def test_the_cli_rule_file_with_recording_rules_passes_promtool_check_rules(tmp_path):
    output = tmp_path / "slo-burn.yml"
    completed = subprocess.run(
        [sys.executable, "cli.py", "slo-rules", "--recording", "--output", str(output)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    checked = promtool_run("check", "rules", str(output), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    written = yaml.safe_load(output.read_text())
    rules = [rule for group in written["groups"] for rule in group["rules"]]
    recordings = [rule for rule in rules if "record" in rule]
    assert recordings and f"SUCCESS: {len(rules)} rules found" in checked.stdout
    assert f"({len(recordings)} of them recording rules)" in completed.stdout


def test_alerts_reading_the_recordings_fire_exactly_the_tiers_the_raw_rules_fire(tmp_path):
    """checkout (99.9 %, good-based) fails 1.4 % of requests: every tier but the 1-hour page fires; payments
    (99.95 %, bad-based) fails 0.06 %: only its 3-day ticket tier. The recorded 5-minute ratios are those shares."""
    for recording in (False, True):
        rules = burn_rate_rules(CATALOG.slos, AT, recording=recording)
        (tmp_path / "slo-burn.yml").write_text(rules_yaml(rules))
        (tmp_path / "test.yml").write_text(yaml.safe_dump(_unit_test(rules, recording), sort_keys=False))
        completed = promtool_run("test", "rules", "test.yml", cwd=tmp_path)
        assert completed.returncode == 0, (recording, completed.stdout + completed.stderr)


FIRING = {
    ("checkout-availability", "6h"): "1.4%",
    ("checkout-availability", "1d"): "1.4%",
    ("checkout-availability", "3d"): "1.4%",
    ("payments-availability", "3d"): "0.06%",
}


def _expected_alerts(rules: dict) -> list[dict]:
    """exp_alerts for the ``FIRING`` tiers, annotations rendered as Prometheus renders them."""
    expected = []
    for rule in (rule for group in rules["groups"] for rule in group["rules"] if "alert" in rule):
        value = FIRING.get((rule["labels"]["slo"], rule["labels"]["long_window"]))
        if value is not None:
            annotations = {
                name: text.replace("{{ $value | humanizePercentage }}", value)
                for name, text in rule["annotations"].items()
            }
            expected.append({"exp_labels": dict(rule["labels"]), "exp_annotations": annotations})
    return expected


def _unit_test(rules: dict, recording: bool) -> dict:
    test = {
        "interval": "1m",
        "input_series": [
            {"series": 'http_requests_total{service="checkout",code="200"}', "values": "0+986x300"},
            {"series": 'http_requests_total{service="checkout",code="500"}', "values": "0+14x300"},
            {"series": 'http_requests_total{service="payments",code="200"}', "values": "0+9994x300"},
            {"series": 'http_requests_total{service="payments",code="503"}', "values": "0+6x300"},
            {"series": 'http_requests_total{service="auth",code="200"}', "values": "0+1000x300"},
        ],
        "alert_rule_test": [
            {
                "eval_time": "4h",
                "alertname": "SLOBurnRate",
                "exp_alerts": _expected_alerts(rules),
            }
        ],
    }
    if recording:
        test["promql_expr_test"] = [
            {
                "expr": 'slo:sli_error:ratio_rate5m{slo=~"checkout-availability|payments-availability"}',
                "eval_time": "4h",
                "exp_samples": [
                    {
                        "labels": 'slo:sli_error:ratio_rate5m{slo="checkout-availability",service="checkout"}',
                        "value": 14 / 1000,
                    },
                    {
                        "labels": 'slo:sli_error:ratio_rate5m{slo="payments-availability",service="payments"}',
                        "value": 6 / 10000,
                    },
                ],
            }
        ]
    return {"rule_files": ["slo-burn.yml"], "evaluation_interval": "1m", "tests": [test]}


# --- live: Prometheus records the ratio from samples it scrapes -----------------------------------------------------

# Requests per second by code; the counters start high, so no window reaches back to a zero the engine would
# extrapolate to.
RATES = {"200": 970.0, "500": 30.0}
OFFSET_S = 100_000


class _Counters(BaseHTTPRequestHandler):
    started = time.monotonic()

    def do_GET(self):
        elapsed = OFFSET_S + time.monotonic() - self.started
        lines = ["# TYPE http_requests_total counter"] + [
            f'http_requests_total{{service="checkout",code="{code}"}} {int(rate * elapsed)}'
            for code, rate in RATES.items()
        ]
        body = ("\n".join(lines) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
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


def raw_samples(url: str, selector: str, at: float | None = None) -> list[dict]:
    """The stored samples a range selector picks (an instant query of a range vector answers a matrix)."""
    params = {"query": selector, "time": f"{time.time() if at is None else at:.3f}"}
    with urllib.request.urlopen(f"{url}/api/v1/query?{urllib.parse.urlencode(params)}", timeout=10) as response:
        return json.loads(response.read())["data"]["result"]


def test_a_ratio_recorded_from_live_samples_equals_the_ratio_of_the_raw_samples(tmp_path):
    checkout = next(slo for slo in CATALOG.slos if slo.name == "checkout-availability")
    rules = tmp_path / "slo-burn.yml"
    rules.write_text(rules_yaml(burn_rate_rules([checkout], datetime.now(UTC), recording=True)))
    with (
        counters_server() as address,
        start_prometheus(
            scrape_targets={"app": address}, scrape_interval="1s", rule_files=(rules,), evaluation_interval="1s"
        ) as prometheus,
    ):

        def recorded() -> list[dict]:
            """The raw recorded samples of the last 30 s, once there are a few (each over 5 or more scrapes)."""
            answer = raw_samples(prometheus.url, 'slo:sli_error:ratio_rate5m{slo="checkout-availability"}[30s]')
            return answer if answer and len(answer[0]["values"]) >= 5 else []

        wait_until(
            lambda: bool(recorded()),
            timeout_s=RECORDED_DEADLINE_S,
            what="slo:sli_error:ratio_rate5m recorded",
            log=prometheus.log_path,
            interval_s=0.5,
        )
        series = recorded()[0]
        assert series["metric"] == {
            "__name__": "slo:sli_error:ratio_rate5m",
            "slo": "checkout-availability",
            "service": "checkout",
        }
        stamp, value = series["values"][-1]
        samples = raw_samples(prometheus.url, 'http_requests_total{service="checkout"}[5m]', float(stamp))
        increase = {s["metric"]["code"]: float(s["values"][-1][1]) - float(s["values"][0][1]) for s in samples}
        assert len(increase) == 2 and min(len(s["values"]) for s in samples) >= 2
        expected = increase["500"] / (increase["200"] + increase["500"])
        assert float(value) == pytest.approx(expected, rel=1e-6)
