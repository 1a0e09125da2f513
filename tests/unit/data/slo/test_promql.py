"""PromQL the app writes: escaped label values and batched queries."""

from datetime import timedelta

from data.slo.promql import batched, escape_label_value, parse_selector, tagged, windowed_increase


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
