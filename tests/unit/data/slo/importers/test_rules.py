"""The pure conversion rules: Sloth's query shape, names, percent targets, Prometheus windows."""

from __future__ import annotations

import pytest

from metrics.slo.imports import NotCarried, RateQuery, Refusal, openslo_name, percent_target, rate_query, rolling_window


def test_rate_query_returns_the_selector_inside_sum_rate_window():
    found = rate_query('sum(rate(x_total{a="b"}[{{.window}}]))', "q")
    assert found == RateQuery('x_total{a="b"}')


def test_rate_query_keeps_brackets_inside_label_values():
    assert rate_query('sum(rate(x_total{code=~"[45].."}[{{.window}}]))', "q").selector == 'x_total{code=~"[45].."}'


def test_rate_query_drops_wrapping_parentheses_and_reads_the_grouping():
    assert rate_query("((sum by (a, b) (rate(x[{{.window}}]))))", "q") == RateQuery("x", ("a", "b"))


@pytest.mark.parametrize(
    "query",
    [
        "rate(x[{{.window}}])",  # no sum: Sloth would divide series by series
        "sum(rate(x[5m]))",  # a fixed range instead of the window
        "sum(rate(x[{{.window}}])) / 2",
        "sum without (a) (rate(x[{{.window}}]))",
        "max(rate(x[{{.window}}]))",
    ],
)
def test_rate_query_refuses_other_shapes(query):
    with pytest.raises(NotCarried):
        rate_query(query, "q")


def test_openslo_name_keeps_a_valid_name_and_slugs_others():
    assert openslo_name("api-requests") == "api-requests"
    assert openslo_name("API  Requests_v2.") == "api-requests-v2"
    assert len(openslo_name("a" * 80)) == 63


def test_openslo_name_refuses_text_without_letters_or_digits():
    with pytest.raises(NotCarried):
        openslo_name("--")


def test_percent_target_reads_numbers_and_percent_text():
    assert percent_target(99.9, "t") == 99.9
    assert percent_target("99.95", "t") == 99.95
    assert percent_target("99", "t") == 99


@pytest.mark.parametrize("value", [100, "100", -1, "abc", True, None, float("nan")])
def test_percent_target_refuses_what_leaves_no_budget_or_is_not_a_percent(value):
    with pytest.raises(NotCarried):
        percent_target(value, "t")


@pytest.mark.parametrize(
    ("window", "expected"), [("28d", "28d"), ("2w", "2w"), ("14d", "14d"), ("1d12h", "36h"), ("2h30m", "150m")]
)
def test_rolling_window_keeps_simple_durations_and_converts_mixed_ones_exactly(window, expected):
    assert rolling_window(window, "w") == expected


@pytest.mark.parametrize("window", ["90s", "500ms", "", "soon", "0d"])
def test_rolling_window_refuses_what_is_not_whole_minutes(window):
    with pytest.raises(NotCarried):
        rolling_window(window, "w")


def test_a_refusal_line_is_clipped_whatever_the_input_holds():
    line = str(Refusal("f.yaml", "n" * 5000, "objective", "objective " + "1" * 5000 + " is not a percentage"))
    assert len(line) < 520 and line.startswith("f.yaml, SLO 'nnn") and line.endswith("...")


def test_a_reason_that_starts_with_its_construct_is_not_prefixed_twice():
    line = str(Refusal("f.yaml", "api", "spec.window", "spec.window '90s' is not a whole number of minutes"))
    assert line == "f.yaml, SLO 'api': spec.window '90s' is not a whole number of minutes"
