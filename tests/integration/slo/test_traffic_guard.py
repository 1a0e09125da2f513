"""The minimum-traffic guard against a real Prometheus: a quiet service whose few requests fail does not page once
its SLO asks for enough events in the long window, and does page without the guard.

The history is four hours of one request a minute, every other one failing (e = 0.5, burn 500 on a 99.9% SLO),
so every window holds at most 240 events: a guard of 1,000 events holds every tier back. The same SLO through
the generated rules is checked with Prometheus's own rule engine (``promtool test rules``)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from data.slo.alert_rules import burn_rate_rules, rules_yaml
from data.slo.catalog import load_catalog
from data.slo.prometheus import PrometheusSettings, PrometheusSource
from data.slo.service import load_report
from tests.integration.conftest import HISTORY_END
from tests.support.servers import PrometheusServer, make_backfilled_prometheus, prometheus_available, require

MINUTES = 4 * 60

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: {name}
  annotations: {annotations}
spec:
  service: quiet
  indicator:
    metadata: {{name: quiet-non-5xx}}
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource: {{type: Prometheus, spec: {{query: 'quiet_requests_total{{service="quiet",code="500"}}'}}}}
        total: {{metricSource: {{type: Prometheus, spec: {{query: 'quiet_requests_total{{service="quiet"}}'}}}}}}
  timeWindow:
    - {{duration: 30d, isRolling: true}}
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
"""


def _write_quiet_history(path: Path) -> None:
    """One request a minute over the four hours before HISTORY_END; the odd ones fail."""
    end = int(HISTORY_END.timestamp())
    stamps = [end - 60 * (MINUTES - i) for i in range(MINUTES + 1)]
    with path.open("w", encoding="utf-8") as out:
        out.write("# TYPE quiet_requests counter\n")
        for code, count in (("200", lambda i: i - i // 2), ("500", lambda i: i // 2)):
            for i, stamp in enumerate(stamps):
                out.write(f'quiet_requests_total{{code="{code}",service="quiet"}} {count(i)} {stamp}\n')
        out.write("# EOF\n")


@pytest.fixture(autouse=True)
def promtool():
    require("promtool", prometheus_available(), "`promtool` (Debian package prometheus) must be on PATH")


@pytest.fixture(scope="module")
def quiet_prometheus() -> Iterator[PrometheusServer]:
    with make_backfilled_prometheus(_write_quiet_history, f"quiet-guard-v1-{MINUTES}") as server:
        yield server


@pytest.fixture
def catalog(tmp_path):
    path = tmp_path / "quiet.yaml"
    path.write_text(
        SLO.format(name="quiet-unguarded", annotations="{}")
        + "---\n"
        + SLO.format(name="quiet-guarded", annotations='{"reliability-dashboard/min-events": "1000"}')
    )
    loaded = load_catalog(path)
    assert loaded.problems == [], [str(p) for p in loaded.problems]
    return loaded


def test_a_quiet_slo_with_few_events_pages_without_the_guard_and_not_with_it(quiet_prometheus, catalog):
    source = PrometheusSource(PrometheusSettings(url=quiet_prometheus.url))

    report = load_report(source, catalog.slos, HISTORY_END)

    assert not report.errors
    unguarded, guarded = report.status("quiet-unguarded"), report.status("quiet-guarded")
    assert unguarded.counts["1h"].total == pytest.approx(60, abs=2)  # one request a minute
    assert unguarded.burn_rates["1h"] == pytest.approx(500, rel=0.05)  # half of them fail: e = 0.5 / 0.001
    assert unguarded.alert_state == "page"
    assert guarded.burn_rates["1h"] == pytest.approx(unguarded.burn_rates["1h"])  # the same burn, reported as is
    assert guarded.alert_state == "ok"
    assert all(e.held_back for e in guarded.alerts)


def test_prometheus_fires_the_generated_rule_only_for_the_unguarded_slo(tmp_path, catalog):
    """The rule file on the same traffic, evaluated by Prometheus's rule engine at the end of the four hours."""
    (tmp_path / "rules.yml").write_text(rules_yaml(burn_rate_rules(catalog.slos, HISTORY_END)))
    unit_test = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {"series": 'quiet_requests_total{service="quiet",code="200"}', "values": f"0+0.5x{MINUTES}"},
                    {"series": 'quiet_requests_total{service="quiet",code="500"}', "values": f"0+0.5x{MINUTES}"},
                ],
                "alert_rule_test": [
                    {
                        "eval_time": f"{MINUTES - 10}m",
                        "alertname": "SLOBurnRate",
                        "exp_alerts": _unguarded_page_alerts(tmp_path / "rules.yml"),
                    }
                ],
            }
        ],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(unit_test, sort_keys=False, allow_unicode=True))

    completed = subprocess.run(
        ["promtool", "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr


def _unguarded_page_alerts(rules_file: Path) -> list[dict]:
    """Every tier of the unguarded SLO fires (burn 500 passes each threshold); none of the guarded one does."""
    groups = yaml.safe_load(rules_file.read_text())["groups"]
    (group,) = [g for g in groups if g["name"] == "slo-burn-quiet-unguarded"]
    return [
        {
            "exp_labels": rule["labels"],
            "exp_annotations": {
                name: text.replace("{{ $value | humanizePercentage }}", "50%")
                for name, text in rule["annotations"].items()
            },
        }
        for rule in group["rules"]
    ]


def test_the_guarded_rule_file_passes_promtool_check_rules(tmp_path, catalog):
    (tmp_path / "rules.yml").write_text(rules_yaml(burn_rate_rules(catalog.slos, HISTORY_END)))

    completed = subprocess.run(
        ["promtool", "check", "rules", "rules.yml"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "SUCCESS: 8 rules found" in completed.stdout
    assert "  >= 1000\n" in (tmp_path / "rules.yml").read_text()


def test_a_policy_window_costs_the_same_queries_for_all_the_slos_that_use_it(quiet_prometheus, catalog):
    """A 12-hour policy reads 12h and 1h (1h is a burn window already): one window more, read in the same
    queries for one SLO or forty, and the 12h counts hold the four hours of traffic (240 events, half bad)."""
    from dataclasses import replace

    from data.slo.prometheus import PARALLEL_QUERIES
    from metrics.slo.alerts import AlertTier, Urgency

    policy = (AlertTier(Urgency.TICKET, "12h", "1h", burn_rate=2.0, severity_name="sev3"),)
    one = [replace(catalog.slos[0], tiers=policy)]
    forty = [replace(one[0], name=f"quiet-{index}") for index in range(40)]
    counts = []
    for slos in (one, forty):
        source = PrometheusSource(PrometheusSettings(url=quiet_prometheus.url))
        report = load_report(source, slos, HISTORY_END)
        counts.append(source.query_count)
        assert not report.errors

    assert counts[0] == counts[1] <= PARALLEL_QUERIES
    status = report.statuses[0]
    assert status.counts["12h"].total == pytest.approx(240, abs=2)
    assert status.counts["12h"].bad == pytest.approx(120, abs=2)
    assert status.alerts[0].firing and status.alert_state == "ticket"
