"""PromQL the app writes: escaped label values and batched queries."""

from datetime import timedelta

from data.slo.promql import (
    batched,
    counter_expressions,
    escape_label_value,
    parse_selector,
    tagged,
    windowed_increase,
)
from metrics.slo.definitions import RatioIndicator


def test_label_values_escape_quotes_backslashes_and_newlines():
    assert escape_label_value('a"b\\c\nd') == 'a\\"b\\\\c\\nd'


def test_an_escaped_value_parses_back_to_the_original():
    value = 'we"ird\\name'
    selector = parse_selector(f'm{{slo="{escape_label_value(value)}"}}')
    assert selector.matchers[0].value == value


def test_windowed_increase_applies_the_window_to_the_selector():
    assert windowed_increase('x_total{a="b"}', timedelta(hours=6)) == 'sum(increase(x_total{a="b"}[6h]))'


def test_tagged_attaches_the_slo_label():
    assert tagged("sum(x)", 'a"b') == 'label_replace(sum(x), "slo", "a\\"b", "", "")'


def test_batched_joins_every_slo_with_or():
    query = batched({"a": "sum(x)", "b": "sum(y)"})
    assert query == 'label_replace(sum(x), "slo", "a", "", "") or label_replace(sum(y), "slo", "b", "", "")'


def test_counter_expressions_count_bad_events_with_the_bad_selector():
    indicator = RatioIndicator(total_query="requests_total", bad_query='requests_total{code="500"}')
    assert counter_expressions(indicator, timedelta(hours=1)) == {
        "total": "sum(increase(requests_total[1h]))",
        "bad": 'sum(increase(requests_total{code="500"}[1h]))',
    }


def test_counter_expressions_count_bad_events_as_total_minus_good():
    indicator = RatioIndicator(total_query="requests_total", good_query='requests_total{code="200"}')
    assert counter_expressions(indicator, timedelta(minutes=5))["bad"] == (
        '(sum(increase(requests_total[5m])) - sum(increase(requests_total{code="200"}[5m])))'
    )


def test_already_rated_series_count_events_as_the_rate_integrated_over_the_window():
    indicator = RatioIndicator(
        total_query="job:requests:rate5m", bad_query='job:errors:rate5m{code="500"}', counter=False
    )
    assert counter_expressions(indicator, timedelta(hours=1)) == {
        "total": "(sum(avg_over_time(job:requests:rate5m[1h])) * 3600)",
        "bad": '(sum(avg_over_time(job:errors:rate5m{code="500"}[1h])) * 3600)',
    }


def test_already_rated_good_series_give_bad_events_as_total_minus_good():
    indicator = RatioIndicator(total_query="job:requests:rate5m", good_query="job:ok:rate5m", counter=False)
    assert counter_expressions(indicator, timedelta(days=1))["bad"] == (
        "((sum(avg_over_time(job:requests:rate5m[1d])) * 86400) - (sum(avg_over_time(job:ok:rate5m[1d])) * 86400))"
    )
