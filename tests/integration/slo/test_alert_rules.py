"""The generated rule file against the real promtool: it checks, and Prometheus's own rule engine fires exactly
the tiers whose threshold the error ratio crosses (``promtool test rules`` on synthetic series: no clock)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from data.slo.alert_rules import burn_rate_rules, rules_yaml
from data.slo.catalog import load_catalog
from tests.support.servers import prometheus_available, require

REPO = Path(__file__).resolve().parents[3]
CATALOG = load_catalog(REPO / "config" / "slos")
AT = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def promtool():
    require("promtool", prometheus_available(), "`promtool` (Debian package prometheus) must be on PATH")


def promtool_run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def test_the_cli_rule_file_passes_promtool_check_rules(tmp_path):
    output = tmp_path / "slo-burn.yml"
    completed = subprocess.run(
        [sys.executable, "cli.py", "slo-rules", "--output", str(output)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    checked = promtool_run("check", "rules", str(output), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 36 rules found" in checked.stdout


ODD_NAME = "Checkout {{ .Labels }} and {{ unclosed"


def test_template_delimiters_in_a_display_name_pass_promtool_and_would_break_it_unescaped(tmp_path):
    slo = replace(CATALOG.slos[0], display_name=ODD_NAME)
    escaped = tmp_path / "escaped.yml"
    escaped.write_text(rules_yaml(burn_rate_rules([slo], AT)))
    assert promtool_run("check", "rules", str(escaped), cwd=tmp_path).returncode == 0
    raw = burn_rate_rules([slo], AT)
    raw["groups"][0]["rules"][0]["annotations"]["summary"] = ODD_NAME  # what escaping prevents
    unescaped = tmp_path / "unescaped.yml"
    unescaped.write_text(rules_yaml(raw))
    assert promtool_run("check", "rules", str(unescaped), cwd=tmp_path).returncode != 0


def _expected(slo_name: str, tiers: list[tuple[str, str, str]], rules: dict, value: str) -> list[dict]:
    """exp_alerts for the given (severity, long, short) tiers, annotations rendered as Prometheus would."""
    group = next(g for g in rules["groups"] if g["name"] == f"slo-burn-{slo_name}")
    expected = []
    for rule in group["rules"]:
        if "alert" not in rule:  # a recording rule (``--recording``)
            continue
        labels = rule["labels"]
        if (labels["severity"], labels["long_window"], labels["short_window"]) in tiers:
            annotations = {
                name: text.replace("{{ $value | humanizePercentage }}", value)
                for name, text in rule["annotations"].items()
            }
            expected.append({"exp_labels": dict(labels), "exp_annotations": annotations})
    return expected


def test_prometheus_fires_exactly_the_tiers_whose_threshold_the_error_ratio_crosses(tmp_path):
    """checkout (99.9%, 30 d, good-based) fails 1.4% of requests: above 6 × 0.1% but under 14.4 × 0.1%, so
    every tier but the 1-hour page fires. payments (99.95%, bad-based) fails 0.06%: 1.2× its budget, so only the
    3-day ticket tier (threshold 1) fires."""
    rules = burn_rate_rules(CATALOG.slos, AT)
    (tmp_path / "slo-burn.yml").write_text(rules_yaml(rules))
    checkout_tiers = [("page", "6h", "30m"), ("ticket", "1d", "2h"), ("ticket", "3d", "6h")]
    unit_test = {
        "rule_files": ["slo-burn.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
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
                        "exp_alerts": (
                            _expected("checkout-availability", checkout_tiers, rules, "1.4%")
                            + _expected("payments-availability", [("ticket", "3d", "6h")], rules, "0.06%")
                        ),
                    }
                ],
            }
        ],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(unit_test, sort_keys=False, allow_unicode=True))
    completed = promtool_run("test", "rules", "test.yml", cwd=tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_a_display_name_with_template_delimiters_renders_verbatim_in_the_alert(tmp_path):
    slo = replace(CATALOG.slos[0], display_name=ODD_NAME)
    rules = burn_rate_rules([slo], AT)
    (tmp_path / "slo-burn.yml").write_text(rules_yaml(rules))
    expected = _expected(
        slo.name,
        [("page", "1h", "5m"), ("page", "6h", "30m"), ("ticket", "1d", "2h"), ("ticket", "3d", "6h")],
        rules,
        "50%",
    )
    for alert in expected:
        alert["exp_annotations"] = {
            name: text.replace('{{ "{{" }}', "{{") for name, text in alert["exp_annotations"].items()
        }
    assert expected[0]["exp_annotations"]["summary"].startswith(ODD_NAME + " burns its error budget")
    unit_test = {
        "rule_files": ["slo-burn.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {"series": 'http_requests_total{service="checkout",code="200"}', "values": "0+10x90"},
                    {"series": 'http_requests_total{service="checkout",code="500"}', "values": "0+10x90"},
                ],
                "alert_rule_test": [{"eval_time": "80m", "alertname": "SLOBurnRate", "exp_alerts": expected}],
            }
        ],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(unit_test, sort_keys=False, allow_unicode=True))
    completed = promtool_run("test", "rules", "test.yml", cwd=tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_a_budget_adjustment_silences_the_tiers_until_their_long_window_has_passed_it(tmp_path):
    """checkout fails half its requests throughout; a maintenance from 60 to 120 minutes (promtool's clock starts at
    the epoch) keeps every tier quiet at 100 minutes, and at 200 minutes only the 1-hour tier, whose window has
    moved past the maintenance, fires again."""
    from datetime import timedelta

    from metrics.slo.adjustments import Adjustment, AdjustmentCategory, Scope

    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    slo = CATALOG.slo("checkout-availability")
    maintenance = Adjustment(
        AdjustmentCategory.MAINTENANCE,
        "failover drill",
        epoch + timedelta(minutes=60),
        epoch + timedelta(minutes=120),
        Scope(slos=(slo.name,)),
        "kim",
        epoch,
        id=1,
    )
    rules = burn_rate_rules([slo], epoch, adjustments=[maintenance])
    (tmp_path / "slo-burn.yml").write_text(rules_yaml(rules))
    one_hour = _expected(slo.name, [("page", "1h", "5m")], rules, "50%")
    unit_test = {
        "rule_files": ["slo-burn.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {"series": 'http_requests_total{service="checkout",code="200"}', "values": "0+10x300"},
                    {"series": 'http_requests_total{service="checkout",code="500"}', "values": "0+10x300"},
                ],
                "alert_rule_test": [
                    {"eval_time": "100m", "alertname": "SLOBurnRate", "exp_alerts": []},
                    {"eval_time": "200m", "alertname": "SLOBurnRate", "exp_alerts": one_hour},
                ],
            }
        ],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(unit_test, sort_keys=False, allow_unicode=True))
    checked = promtool_run("check", "rules", "slo-burn.yml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    completed = promtool_run("test", "rules", "test.yml", cwd=tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_a_split_slo_fires_per_value_and_each_alert_names_its_value(tmp_path):
    """checkout split by route: /pay fails half its requests, /cart none. Only /pay's tiers fire, each alert
    carrying route="/pay" and saying so in its summary; recorded or not, the same."""
    slo = replace(CATALOG.slo("checkout-availability"), split_by=("route",))
    every_tier = [("page", "1h", "5m"), ("page", "6h", "30m"), ("ticket", "1d", "2h"), ("ticket", "3d", "6h")]
    for recording in (False, True):
        rules = burn_rate_rules([slo], AT, recording=recording)
        (tmp_path / "slo-burn.yml").write_text(rules_yaml(rules))
        expected = _expected(slo.name, every_tier, rules, "50%")
        for alert in expected:
            alert["exp_labels"]["route"] = "/pay"
            alert["exp_annotations"] = {
                name: text.replace("{{ $labels.route }}", "/pay") for name, text in alert["exp_annotations"].items()
            }
        assert " for route=/pay burns its error budget" in expected[0]["exp_annotations"]["summary"]
        unit_test = {
            "rule_files": ["slo-burn.yml"],
            "evaluation_interval": "1m",
            "tests": [
                {
                    "interval": "1m",
                    "input_series": [
                        {
                            "series": 'http_requests_total{service="checkout",route="/pay",code="200"}',
                            "values": "0+10x90",
                        },
                        {
                            "series": 'http_requests_total{service="checkout",route="/pay",code="500"}',
                            "values": "0+10x90",
                        },
                        {
                            "series": 'http_requests_total{service="checkout",route="/cart",code="200"}',
                            "values": "0+20x90",
                        },
                    ],
                    "alert_rule_test": [{"eval_time": "80m", "alertname": "SLOBurnRate", "exp_alerts": expected}],
                }
            ],
        }
        (tmp_path / "test.yml").write_text(yaml.safe_dump(unit_test, sort_keys=False, allow_unicode=True))
        assert promtool_run("check", "rules", "slo-burn.yml", cwd=tmp_path).returncode == 0
        completed = promtool_run("test", "rules", "test.yml", cwd=tmp_path)
        assert completed.returncode == 0, (recording, completed.stdout + completed.stderr)
