"""The Prometheus source against a hostile server (tests/support/hostile_http.py): a real HTTP server on 127.0.0.1
that sends 200 MB, trickles a byte a second, or answers with the wrong shape or no JSON at all.

What is asserted is sizes, counts, exit codes and messages; times only as generous bounds on hanging.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from data.slo.catalog import load_catalog
from data.slo.prometheus import DEFAULT_MAX_ANSWER_BYTES, PrometheusSettings, PrometheusSource
from data.slo.service import load_history, load_report
from data.slo.sources import SourceError
from tests.integration.conftest import HISTORY_END
from tests.support.hostile_http import (
    HUGE_ANSWER_BYTES,
    PARTIAL_WARNING,
    start_hostile_prometheus,
    threads_besides_the_server,
)

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]
CATALOG = load_catalog(REPO / "config" / "slos")
MEMORY_BOUND_MB = 500
CLI_TIMEOUT_S = 2
EXIT_MARGIN_S = 10  # a bound on hanging, not a timing assertion
# Runs the CLI as its only child and writes the child's peak RSS (kB) to the file named first.
PEAK_RSS_WRAPPER = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); sys.exit(code)"
)


@pytest.fixture(scope="module")
def hostile():
    with start_hostile_prometheus() as server:
        yield server


def source(url: str, **overrides) -> PrometheusSource:
    return PrometheusSource(PrometheusSettings(url=url, cache_ttl_seconds=0, **overrides))


def cli_environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    """The environment without any configured Prometheus, plus ``variables``."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PROMETHEUS_")}
    environment["RELIABILITY_SECRETS_FILE"] = str(tmp_path / "no-secrets.toml")
    environment["DATABASE_URL"] = f"sqlite:///{tmp_path / 'store.db'}"
    return {**environment, **variables}


def run_cli(
    arguments: list[str], environment: dict[str, str], rss_file: Path
) -> tuple[subprocess.CompletedProcess, int]:
    """The CLI's completed run and its peak RSS in MB."""
    completed = subprocess.run(
        [sys.executable, "-c", PEAK_RSS_WRAPPER, str(rss_file), sys.executable, "cli.py", *arguments],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return completed, int(rss_file.read_text()) // 1024


def settle_threads(baseline: int, within_s: float = 3.0) -> int:
    """The client's thread count once it is back to ``baseline``, or after ``within_s``."""
    give_up = time.monotonic() + within_s
    while threads_besides_the_server() > baseline and time.monotonic() < give_up:
        time.sleep(0.05)
    return threads_besides_the_server()


def answered(server, behaviour: str) -> list[dict]:
    """The requests ``server`` recorded for ``behaviour``; at least one."""
    requests = [request for request in server.requests if request["path"].startswith(f"/{behaviour}/")]
    assert requests, f"no request reached /{behaviour}: {[request['path'] for request in server.requests]}"
    return requests


# -- size


def test_the_cli_reading_a_200_mb_answer_stays_under_500_mb_and_names_the_cap(hostile, tmp_path):
    completed, peak_mb = run_cli(
        ["slo-report", "--prometheus-url", hostile.url_for("huge")], cli_environment(tmp_path), tmp_path / "rss"
    )
    print(f"peak RSS of the CLI against a {HUGE_ANSWER_BYTES:,}-byte answer: {peak_mb} MB")
    assert completed.returncode == 2
    [line] = completed.stderr.splitlines()
    assert f"more than the {DEFAULT_MAX_ANSWER_BYTES:,} bytes allowed (PROMETHEUS_MAX_ANSWER_BYTES)" in line
    assert peak_mb < MEMORY_BOUND_MB


def test_an_answer_announced_over_the_cap_is_refused_before_reading_it(hostile):
    report = load_report(source(hostile.url_for("huge-declared")), CATALOG.slos, HISTORY_END)
    [message] = report.errors.values()
    assert "(its Content-Length), over the 67,108,864 bytes allowed (PROMETHEUS_MAX_ANSWER_BYTES)" in message


def test_a_gzip_answer_is_capped_on_what_it_decompresses_to(hostile):
    report = load_report(source(hostile.url_for("gzip-bomb"), max_answer_bytes=10_000_000), CATALOG.slos, HISTORY_END)
    [message] = report.errors.values()
    assert "more than the 10,000,000 bytes allowed (PROMETHEUS_MAX_ANSWER_BYTES)" in message


# -- time


def test_the_cli_on_a_trickling_prometheus_exits_2_at_its_configured_deadline_with_one_line(hostile, tmp_path):
    environment = cli_environment(tmp_path, PROMETHEUS_TIMEOUT_SECONDS=str(CLI_TIMEOUT_S))
    started = time.monotonic()
    completed, _ = run_cli(["slo-report", "--prometheus-url", hostile.url_for("trickle")], environment, tmp_path / "r")
    seconds = time.monotonic() - started
    print(f"the CLI against a trickling answer exited after {seconds:.1f} s (timeout {CLI_TIMEOUT_S} s)")
    assert completed.returncode == 2
    [line] = completed.stderr.splitlines()
    # the configured timeout, though the URL is the option's
    assert f"did not answer within {CLI_TIMEOUT_S} s (the timeout for all of a page's queries" in line
    assert seconds < CLI_TIMEOUT_S + EXIT_MARGIN_S


def test_the_cli_on_a_prometheus_trickling_its_headers_exits_2_at_its_deadline(hostile, tmp_path):
    environment = cli_environment(tmp_path, PROMETHEUS_TIMEOUT_SECONDS=str(CLI_TIMEOUT_S))
    started = time.monotonic()
    completed, _ = run_cli(
        ["slo-report", "--prometheus-url", hostile.url_for("trickle-headers")], environment, tmp_path / "r"
    )
    assert completed.returncode == 2
    [line] = completed.stderr.splitlines()
    assert f"did not answer within {CLI_TIMEOUT_S} s (the timeout for all of a page's queries" in line
    assert time.monotonic() - started < CLI_TIMEOUT_S + EXIT_MARGIN_S


def test_collect_on_a_trickling_prometheus_exits_at_its_deadline(hostile, tmp_path):
    environment = cli_environment(
        tmp_path, PROMETHEUS_URL=hostile.url_for("trickle"), PROMETHEUS_TIMEOUT_SECONDS=str(CLI_TIMEOUT_S)
    )
    subprocess.run([sys.executable, "cli.py", "migrate"], cwd=REPO, env=environment, capture_output=True, timeout=120)
    started = time.monotonic()
    completed, _ = run_cli(["collect", "slo-snapshots"], environment, tmp_path / "rss")
    seconds = time.monotonic() - started
    assert f"did not answer within {CLI_TIMEOUT_S} s" in completed.stderr
    assert completed.returncode == 2
    assert seconds < CLI_TIMEOUT_S + EXIT_MARGIN_S


def test_no_worker_thread_outlives_a_trickling_reports_deadline(hostile):
    baseline = threads_besides_the_server()
    report = load_report(source(hostile.url_for("trickle"), timeout_seconds=1), CATALOG.slos, HISTORY_END)
    assert "did not answer within 1 s" in next(iter(report.errors.values()))
    assert settle_threads(baseline) == baseline


def test_no_worker_thread_outlives_a_trickling_historys_deadline(hostile):
    baseline = threads_besides_the_server()
    with pytest.raises(SourceError, match="within 1 s"):
        load_history(source(hostile.url_for("trickle"), timeout_seconds=1), CATALOG.slos[0], HISTORY_END)
    assert settle_threads(baseline) == baseline


def test_no_worker_thread_outlives_a_deadline_on_trickled_headers(hostile):
    baseline = threads_besides_the_server()
    report = load_report(source(hostile.url_for("trickle-headers"), timeout_seconds=1), CATALOG.slos, HISTORY_END)
    assert "did not answer within 1 s" in next(iter(report.errors.values()))
    assert settle_threads(baseline) == baseline


def test_ten_trickling_reports_leave_no_thread_behind(hostile):
    baseline = threads_besides_the_server()
    for _ in range(10):
        load_report(source(hostile.url_for("trickle"), timeout_seconds=0.5), CATALOG.slos, HISTORY_END)
    assert settle_threads(baseline) == baseline


# -- shape


def test_a_matrix_where_a_vector_belongs_is_the_reports_message(hostile):
    report = load_report(source(hostile.url_for("matrix")), CATALOG.slos, HISTORY_END)
    [message] = report.errors.values()
    assert message.endswith("answered with a matrix where a vector was expected")
    assert all(status.alert_state == "no data" for status in report.statuses)


def test_a_vector_where_a_matrix_belongs_is_the_historys_message(hostile):
    with pytest.raises(SourceError, match="answered with a vector where a matrix was expected"):
        load_history(source(hostile.url_for("matrix")), CATALOG.slos[0], HISTORY_END)


def test_series_without_values_are_the_reports_message(hostile):
    report = load_report(source(hostile.url_for("missing-fields")), CATALOG.slos, HISTORY_END)
    [message] = report.errors.values()
    assert message.endswith("answered with a vector whose series have no [time, value] value")


def test_rules_without_groups_are_a_source_error(hostile):
    with pytest.raises(SourceError, match="without a list of rule groups"):
        source(hostile.url_for("matrix")).alerting_rules()


def test_an_answer_that_is_not_json_says_so_not_unreachable(hostile):
    report = load_report(source(hostile.url_for("not-json")), CATALOG.slos, HISTORY_END)
    [message] = report.errors.values()
    assert "answered with something that is not Prometheus JSON" in message
    assert "unreachable" not in message


# -- --prometheus-url keeps the rest of the configuration


def test_prometheus_url_option_keeps_the_configured_token(hostile, tmp_path):
    hostile.requests.clear()
    environment = cli_environment(tmp_path, PROMETHEUS_TOKEN="t0ken-from-settings")
    run_cli(["slo-report", "--prometheus-url", hostile.url_for("empty")], environment, tmp_path / "rss")
    assert {request["headers"].get("Authorization") for request in answered(hostile, "empty")} == {
        "Bearer t0ken-from-settings"
    }


def test_prometheus_url_option_keeps_the_configured_basic_auth(hostile, tmp_path):
    hostile.requests.clear()
    environment = cli_environment(tmp_path, PROMETHEUS_USERNAME="reader", PROMETHEUS_PASSWORD="pa55")
    run_cli(["slo-report", "--prometheus-url", hostile.url_for("empty")], environment, tmp_path / "rss")
    # base64 of "reader:pa55"
    assert {request["headers"].get("Authorization") for request in answered(hostile, "empty")} == {
        "Basic cmVhZGVyOnBhNTU="
    }


# -- engines in front of Prometheus: tenant headers, partial answers


def test_configured_headers_reach_the_engine_with_every_query(hostile, tmp_path):
    hostile.requests.clear()
    environment = cli_environment(tmp_path, PROMETHEUS_HEADERS="X-Scope-OrgID: team-a; X-Proxy-Key: k3y")
    run_cli(["slo-report", "--prometheus-url", hostile.url_for("empty")], environment, tmp_path / "rss")
    sent = answered(hostile, "empty")
    assert sent and all(request["headers"].get("X-Scope-OrgID") == "team-a" for request in sent)
    assert all(request["headers"].get("X-Proxy-Key") == "k3y" for request in sent)


def test_a_partial_answer_keeps_its_figures_and_says_what_the_engine_warned(hostile):
    report = load_report(source(hostile.url_for("partial")), CATALOG.slos, HISTORY_END)
    assert not report.errors
    assert report.warnings == (f"{source(hostile.url_for('partial')).description} answered partly: {PARTIAL_WARNING}",)


def test_the_cli_prints_the_engines_warning_and_puts_it_in_the_json(hostile, tmp_path):
    completed, _ = run_cli(
        ["slo-report", "--prometheus-url", hostile.url_for("partial"), "--format", "json"],
        cli_environment(tmp_path),
        tmp_path / "rss",
    )
    assert "warning: " in completed.stderr and PARTIAL_WARNING in completed.stderr
    assert PARTIAL_WARNING in json.loads(completed.stdout)["warnings"][0]
