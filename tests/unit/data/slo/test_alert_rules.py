"""The SLO burn tiers as Prometheus alerting rules: structure, thresholds, expressions and escaping."""

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import yaml

from data.slo.alert_rules import ALERT_NAME, burn_rate_rules, rules_yaml, template_literal, tier_expression
from data.slo.catalog import load_catalog
from metrics.slo.alerts import DEFAULT_TIERS, AlertTier, Op, Urgency
from metrics.slo.definitions import RatioIndicator, SloDefinition, TimeWindow

REPO = Path(__file__).resolve().parents[4]
CATALOG = load_catalog(REPO / "config" / "slos")
AT = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)


def slo(name="checkout-availability", window=TimeWindow("30d"), target=0.999, **indicator) -> SloDefinition:
    queries = indicator or {
        "total_query": 'http_requests_total{service="checkout"}',
        "bad_query": 'http_requests_total{service="checkout",code=~"5.."}',
    }
    return SloDefinition(
        name=name, service="checkout", target=target, time_window=window, indicator=RatioIndicator(**queries)
    )


def thresholds(definition: SloDefinition, at: datetime = AT) -> list[str]:
    """The threshold factor of each tier's ``> threshold * budget``, as written in the expression."""
    rules = burn_rate_rules([definition], at)["groups"][0]["rules"]
    found = []
    for rule in rules:
        limits = set(re.findall(r"> ([0-9.]+) \* ([0-9.]+)", rule["expr"]))
        assert len(limits) == 1  # the long and the short window share the limit
        found.append(limits.pop()[0])
    return found


def test_one_group_per_slo_with_one_rule_per_tier_named_slo_burn_rate():
    groups = burn_rate_rules(CATALOG.slos, AT)["groups"]
    assert [group["name"] for group in groups] == [f"slo-burn-{s.name}" for s in CATALOG.slos]
    assert all(len(group["rules"]) == 4 for group in groups)
    assert {rule["alert"] for group in groups for rule in group["rules"]} == {ALERT_NAME}


def test_rules_carry_the_slo_service_severity_and_both_windows_as_labels():
    rules = burn_rate_rules([slo()], AT)["groups"][0]["rules"]
    assert [rule["labels"] for rule in rules] == [
        {
            "slo": "checkout-availability",
            "service": "checkout",
            "severity": tier.severity,
            "urgency": tier.urgency.value,
            "long_window": tier.long_window,
            "short_window": tier.short_window,
        }
        for tier in DEFAULT_TIERS
    ]


def test_no_rule_waits_with_for():
    rules = burn_rate_rules(CATALOG.slos, AT)["groups"]
    assert not any("for" in rule for group in rules for rule in group["rules"])


def test_thresholds_for_a_30_day_period_are_14_4_6_3_1():
    assert thresholds(slo(window=TimeWindow("30d"))) == ["14.4", "6", "3", "1"]


def test_thresholds_for_a_28_day_period_are_13_44_5_6_2_8_0_933():
    assert thresholds(slo(window=TimeWindow("28d"))) == ["13.44", "5.6", "2.8", "0.933333333333"]


def test_a_calendar_month_takes_the_thresholds_of_the_month_it_is_generated_in():
    month = TimeWindow("1M", is_rolling=False, calendar_start=datetime(2026, 1, 1, tzinfo=UTC), time_zone="UTC")
    assert thresholds(slo(window=month), datetime(2027, 2, 10, tzinfo=UTC))[0] == "13.44"  # 28 days
    assert thresholds(slo(window=month), datetime(2026, 11, 10, tzinfo=UTC))[0] == "14.4"  # 30 days


def test_the_limit_is_the_threshold_times_the_error_budget_without_float_noise():
    rule = burn_rate_rules([slo(target=0.9995)], AT)["groups"][0]["rules"][0]
    assert "> 14.4 * 0.0005" in rule["expr"]


def test_the_expression_is_long_and_short_window_both_over_the_limit():
    expression = tier_expression(slo(), DEFAULT_TIERS[0], 14.4)
    long_part, short_part = expression.split("\nand\n")
    assert "[1h]" in long_part and "[5m]" not in long_part
    assert "[5m]" in short_part and "[1h]" not in short_part


def test_good_based_slos_count_bad_events_as_total_minus_good():
    definition = slo(total_query="requests_total", good_query='requests_total{code="200"}')
    expression = burn_rate_rules([definition], AT)["groups"][0]["rules"][0]["expr"]
    assert (
        '(sum(increase(requests_total[1h])) - sum(increase(requests_total{code="200"}[1h]))) / '
        "sum(increase(requests_total[1h]))"
    ) in expression


def test_template_delimiters_in_names_are_written_as_literal_text():
    assert template_literal("a {{ b }} c") == 'a {{ "{{" }} b }} c'
    definition = replace(slo(), display_name="Checkout {{ $value }}")
    summary = burn_rate_rules([definition], AT)["groups"][0]["rules"][0]["annotations"]["summary"]
    assert summary.startswith('Checkout {{ "{{" }} $value }} burns its error budget over 14.4×')


def test_the_yaml_reads_back_as_the_same_rules_even_with_quotes_and_newlines_in_labels():
    odd = replace(slo(), name='quote"back\\slash', service="line\nbreak", display_name="Ünïcode: 'x'")
    rule_file = burn_rate_rules([odd, *CATALOG.slos], AT)
    text = rules_yaml(rule_file, "generated\n\nfor a test")
    assert text.startswith("# generated\n#\n# for a test\ngroups:\n")
    assert yaml.safe_load(text) == rule_file


def test_multi_line_expressions_are_literal_blocks():
    text = rules_yaml(burn_rate_rules([slo()], AT))
    assert "expr: |-\n      (\n        sum(increase(" in text


def test_the_annotations_state_the_threshold_budget_and_period():
    annotations = burn_rate_rules([slo(window=TimeWindow("28d"), target=0.99)], AT)["groups"][0]["rules"][3][
        "annotations"
    ]
    assert annotations["summary"].endswith("over 0.93× (3d and 6h)")
    assert "error budget of 1% (target 99% over 28d)" in annotations["description"]
    assert "10% of the period's budget goes in 3d" in annotations["description"]


# -- tiers a team tuned -----------------------------------------------------------------------------------------------


def test_an_slo_with_every_tier_off_gets_no_rule_group():
    assert burn_rate_rules([replace(slo(), tiers=()), slo(name="other")], AT)["groups"][0]["name"] == "slo-burn-other"


def test_a_policy_tier_waits_its_alert_after_and_compares_with_its_own_op_and_burn_rate():
    tier = AlertTier(Urgency.PAGE, "2h", "10m", burn_rate=10.0, op=Op.GTE, alert_after="5m", severity_name="sev1")

    (rule,) = burn_rate_rules([replace(slo(), tiers=(tier,))], AT)["groups"][0]["rules"]

    assert rule["for"] == "5m"
    assert re.findall(r"\[(\w+)\]\)\) / ", rule["expr"]) == ["2h", "10m"]
    assert re.findall(r"(>=|>|<=|<) ([0-9.]+) \* ([0-9.]+)", rule["expr"]) == [(">=", "10", "0.001")] * 2
    assert (rule["labels"]["severity"], rule["labels"]["urgency"]) == ("sev1", "page")


def test_a_bad_event_guard_adds_a_condition_on_the_long_windows_bad_events():
    tier = AlertTier(Urgency.PAGE, "1h", "5m", 0.02, min_bad_events=5)

    (rule,) = burn_rate_rules([replace(slo(), tiers=(tier,))], AT)["groups"][0]["rules"]

    guard = rule["expr"].rsplit("and", 1)[1].split()
    assert guard == ["(", 'sum(increase(http_requests_total{service="checkout",code=~"5.."}[1h]))', ">=", "5", ")"]
    assert "holds at least 5 bad events" in rule["annotations"]["description"]
