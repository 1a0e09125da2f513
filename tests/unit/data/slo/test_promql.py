"""PromQL the app writes: escaped label values and batched queries."""

from datetime import timedelta

import pytest

from data.slo.promql import (
    CounterRead,
    GroupAnswer,
    SelectorError,
    batched_queries,
    combined_queries,
    combined_text,
    counter_expressions,
    escape_label_value,
    grouped_queries,
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


def test_batched_queries_join_every_slo_with_or_in_one_query_when_it_fits():
    queries = batched_queries({"a": "sum(x)", "b": "sum(y)"})
    assert queries == ['label_replace(sum(x), "slo", "a", "", "") or label_replace(sum(y), "slo", "b", "", "")']


def test_batched_queries_are_cut_so_none_is_longer_than_the_limit():
    expressions = {f"slo-{n}": f'sum(increase(requests_total{{service="s{n}"}}[1h]))' for n in range(300)}
    queries = batched_queries(expressions, max_bytes=4096)
    assert len(queries) > 1 and all(len(query.encode()) <= 4096 for query in queries)
    tagged_parts = [part for query in queries for part in query.split(" or ")]
    assert tagged_parts == [tagged(expression, name) for name, expression in expressions.items()]


def test_batched_queries_fill_each_query_before_starting_the_next():
    expressions = {f"slo-{n}": "sum(x)" for n in range(100)}
    one_part = len(tagged("sum(x)", "slo-10"))
    queries = batched_queries(expressions, max_bytes=10 * one_part + 9 * len(" or "))
    assert [query.count("label_replace") for query in queries][:9] == [10] * 9


def test_an_expression_longer_than_the_limit_goes_alone():
    long_expression = "sum(" + "x" * 5000 + ")"
    queries = batched_queries({"a": "sum(y)", "long": long_expression, "b": "sum(z)"}, max_bytes=1024)
    assert queries == [tagged("sum(y)", "a"), tagged(long_expression, "long"), tagged("sum(z)", "b")]


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


def read(selector: str, window: timedelta = timedelta(hours=1), counter: bool = True) -> CounterRead:
    return CounterRead(parse_selector(selector), window, counter)


def test_reads_of_one_metric_and_window_share_one_query_summed_by_the_labels_they_filter_on():
    reads = [
        read('http_requests_total{job="api",service="checkout"}'),
        read('http_requests_total{job="api",service="checkout",code=~"5.."}'),
        read('http_requests_total{job="api",service="payments"}'),
    ]
    queries, query_of = grouped_queries(reads)
    assert query_of == [0, 0, 0]
    assert queries[0].text == 'sum by (code, service) (increase(http_requests_total{job="api"}[1h]))'


def test_other_metrics_windows_and_kinds_get_queries_of_their_own():
    reads = [
        read("a_total"),
        read("b_total"),
        read("a_total", window=timedelta(hours=6)),
        read("a_total", counter=False),
    ]
    queries, query_of = grouped_queries(reads)
    assert query_of == [0, 1, 2, 3]
    assert queries[3].text == "(sum (avg_over_time(a_total[1h])) * 3600)"


def answer_of(*rows: tuple[dict[str, str], float]) -> GroupAnswer:
    return GroupAnswer(list(rows))


def test_a_reads_events_are_the_sum_of_the_series_its_own_matchers_select():
    reads = [
        read('http_requests_total{service="checkout"}'),
        read('http_requests_total{service="checkout",code=~"5.."}'),
        read('http_requests_total{service="payments"}'),
    ]
    queries, _ = grouped_queries(reads)
    assert queries[0].by_labels == ("code", "service")
    answer = answer_of(
        ({"service": "checkout", "code": "200"}, 900.0),
        ({"service": "checkout", "code": "503"}, 60.0),
        ({"service": "checkout", "code": "500"}, 40.0),
        ({"service": "payments", "code": "500"}, 7.0),
    )
    assert queries[0].events(answer, reads[0].selector) == 1000.0
    assert queries[0].events(answer, reads[1].selector) == 100.0


def test_a_read_that_selects_no_series_has_no_events_rather_than_zero():
    reads = [read('x_total{service="checkout"}'), read('x_total{service="ghost"}')]
    queries, _ = grouped_queries(reads)
    assert queries[0].events(answer_of(({"service": "checkout"}, 5.0)), reads[1].selector) is None


def test_a_series_without_a_label_matches_as_the_empty_string():
    reads = [read('x_total{zone=""}'), read('x_total{zone="a"}')]
    queries, _ = grouped_queries(reads)
    answer = answer_of(({}, 3.0), ({"zone": "a"}, 4.0))
    assert queries[0].events(answer, reads[0].selector) == 3.0


def test_combined_queries_fill_the_pieces_asked_for_and_none_passes_the_limit():
    texts = [f"sum by (service) (increase(metric_{n}_total[1h]))" for n in range(40)]
    pieces = combined_queries(texts, max_bytes=16 * 1024, pieces=4)
    assert len(pieces) == 4 and sorted(p for piece in pieces for p in piece) == list(range(40))
    tight = combined_queries(texts, max_bytes=600, pieces=4)
    assert len(tight) > 4
    for piece in tight:
        assert len(combined_text([grouped_queries([read(f"metric_{n}_total")])[0][0] for n in piece]).encode()) <= 600


def test_a_lookahead_which_prometheus_cannot_run_is_refused_with_its_label():
    with pytest.raises(SelectorError, match="'code'.*lookaround or a backreference"):
        parse_selector('http_requests_total{code=~"(?=5).*"}')


def test_an_escaped_parenthesis_before_a_question_mark_is_a_literal_not_a_lookahead():
    assert parse_selector('x{a=~"\\\\(?=b"}').matchers[0].value == "\\(?=b"


def test_a_split_read_sums_its_series_per_value_of_the_split_labels():
    reads = [read('http_requests_total{code=~"5.."}'), CounterRead(parse_selector("http_requests_total"),
             timedelta(hours=1), split_by=("service",))]  # fmt: skip
    queries, query_of = grouped_queries(reads)
    assert query_of == [0, 0] and queries[0].by_labels == ("code", "service")
    answer = answer_of(
        ({"service": "checkout", "code": "200"}, 900.0),
        ({"service": "checkout", "code": "500"}, 100.0),
        ({"service": "search", "code": "200"}, 50.0),
        ({"code": "200"}, 5.0),
    )
    assert queries[0].events_by(answer, reads[1].selector, ("service",)) == {
        ("checkout",): 1000.0,
        ("search",): 50.0,
        ("",): 5.0,
    }
