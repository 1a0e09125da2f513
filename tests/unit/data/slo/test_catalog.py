"""Specifications of the OpenSLO v1 catalog loader (data/slo/catalog.py) and of the example catalog in config/slos/."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from data.slo.catalog import (
    Catalog,
    CatalogError,
    CatalogProblem,
    SelectorError,
    Service,
    load_catalog,
    parse_selector,
)
from metrics.slo.definitions import RatioIndicator, TimeWindow

EXAMPLE_CATALOG = Path(__file__).resolve().parents[4] / "config" / "slos"

GOOD = 'http_requests_total{service="demo",code!~"5.."}'
TOTAL = 'http_requests_total{service="demo"}'


def source(query: str) -> dict[str, Any]:
    return {"metricSource": {"type": "Prometheus", "spec": {"query": query}}}


def ratio(good: str | None = GOOD, total: str = TOTAL, bad: str | None = None) -> dict[str, Any]:
    metric: dict[str, Any] = {"counter": True}
    if good is not None:
        metric["good"] = source(good)
    if bad is not None:
        metric["bad"] = source(bad)
    metric["total"] = source(total)
    return {"ratioMetric": metric}


def slo(name: str = "demo-availability", **spec: Any) -> dict[str, Any]:
    """A valid SLO document; keyword arguments replace (or, set to None, remove) fields of its spec."""
    body: dict[str, Any] = {
        "service": "demo",
        "indicator": {"metadata": {"name": f"{name}-sli"}, "spec": ratio()},
        "timeWindow": [{"duration": "30d", "isRolling": True}],
        "budgetingMethod": "Occurrences",
        "objectives": [{"target": 0.999}],
    }
    for key, value in spec.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return {"apiVersion": "openslo/v1", "kind": "SLO", "metadata": {"name": name}, "spec": body}


def sli(name: str, **kwargs: Any) -> dict[str, Any]:
    return {"apiVersion": "openslo/v1", "kind": "SLI", "metadata": {"name": name}, "spec": ratio(**kwargs)}


def service(name: str, display_name: str = "Demo", description: str = "A demo service.") -> dict[str, Any]:
    return {
        "apiVersion": "openslo/v1",
        "kind": "Service",
        "metadata": {"name": name, "displayName": display_name},
        "spec": {"description": description},
    }


def write(directory: Path, filename: str, *documents: dict[str, Any]) -> Path:
    path = directory / filename
    path.write_text(yaml.safe_dump_all([copy.deepcopy(d) for d in documents], sort_keys=False), encoding="utf-8")
    return path


def load_one(tmp_path: Path, *documents: dict[str, Any]) -> Catalog:
    return load_catalog(write(tmp_path, "catalog.yaml", *documents))


def only_problem(catalog: Catalog) -> CatalogProblem:
    assert len(catalog.problems) == 1, [str(p) for p in catalog.problems]
    return catalog.problems[0]


@pytest.fixture(autouse=True)
def _inside_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run each test from its tmp_path so that problems name files relative to it."""
    monkeypatch.chdir(tmp_path)


# -- the example catalog -----------------------------------------------------------------------------------------


def test_example_catalog_loads_nine_slos_without_problems():
    catalog = load_catalog(EXAMPLE_CATALOG)

    assert catalog.problems == []
    assert sorted(s.name for s in catalog.slos) == sorted(
        [
            "checkout-availability",
            "checkout-latency",
            "payments-availability",
            "search-availability",
            "search-latency",
            "auth-availability",
            "inventory-availability",
            "notifications-delivery",
            "reporting-availability",
        ]
    )


def test_example_catalog_declares_a_service_document_for_every_slo_service():
    catalog = load_catalog(EXAMPLE_CATALOG)

    assert set(catalog.services) == {
        "checkout",
        "payments",
        "search",
        "auth",
        "inventory",
        "notifications",
        "reporting",
    }
    assert {s.service for s in catalog.slos} == set(catalog.services)
    assert all(s.display_name and s.description for s in catalog.services.values())


def test_example_catalog_queries_name_only_series_the_demo_generator_produces():
    produced = {
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "http_request_duration_seconds_count",
        "notifications_sent_total",
        "notifications_failed_total",
    }
    catalog = load_catalog(EXAMPLE_CATALOG)

    queries = [
        q for s in catalog.slos for q in (s.indicator.total_query, s.indicator.good_query, s.indicator.bad_query) if q
    ]
    assert {parse_selector(q).metric for q in queries} <= produced


def test_example_catalog_spells_out_the_agreed_definitions():
    catalog = load_catalog(EXAMPLE_CATALOG)

    payments = catalog.slo("payments-availability")
    assert payments.target == 0.9995
    assert payments.indicator == RatioIndicator(
        total_query='http_requests_total{service="payments"}',
        bad_query='http_requests_total{service="payments",code=~"5.."}',
    )
    search = catalog.slo("search-availability")
    assert (search.indicator_name, search.target, search.time_window.duration) == ("search-non-5xx-ratio", 0.995, "28d")
    notifications = catalog.slo("notifications-delivery")
    assert notifications.time_window.calendar_start == datetime(2026, 1, 5, tzinfo=ZoneInfo("Europe/Berlin"))
    assert notifications.time_window.calendar_start.weekday() == 0


# -- objectives ----------------------------------------------------------------------------------------------------


def test_target_is_taken_as_the_objective_ratio(tmp_path):
    catalog = load_one(tmp_path, slo(objectives=[{"target": 0.995}]))

    assert catalog.problems == []
    assert catalog.slos[0].target == 0.995


def test_target_percent_is_turned_into_a_ratio(tmp_path):
    catalog = load_one(tmp_path, slo(objectives=[{"targetPercent": 99.95}]))

    assert catalog.problems == []
    assert catalog.slos[0].target == 0.9995


def test_target_and_target_percent_together_are_a_problem(tmp_path):
    catalog = load_one(tmp_path, slo(objectives=[{"target": 0.999, "targetPercent": 99.9}]))

    assert catalog.slos == []
    problem = only_problem(catalog)
    assert (problem.field, problem.message) == ("spec.objectives[0]", "give target or targetPercent, not both")


def test_target_of_one_is_a_problem_that_names_file_document_slo_and_field(tmp_path):
    catalog = load_one(tmp_path, service("demo"), slo("checkout-availability", objectives=[{"target": 1.0}]))

    assert catalog.slos == []
    assert str(only_problem(catalog)) == (
        'catalog.yaml, document 2 (SLO "checkout-availability"), field '
        "spec.objectives[0].target: must be in [0, 1), got 1.0"
    )


def test_more_than_one_objective_makes_one_slo_per_objective(tmp_path):
    catalog = load_one(tmp_path, slo(objectives=[{"target": 0.99}, {"target": 0.999}]))

    assert catalog.problems == []
    assert [(s.name, s.target) for s in catalog.slos] == [("demo-availability/0", 0.99), ("demo-availability/1", 0.999)]


# -- structure -----------------------------------------------------------------------------------------------------


def test_unknown_field_is_a_problem_naming_file_document_and_field_with_a_suggestion(tmp_path):
    typo = slo("typo-availability")
    typo["metadata"] = {"nmae": "typo-availability", "name": "typo-availability"}
    catalog = load_one(tmp_path, slo("fine-availability"), typo)

    problem = only_problem(catalog)
    assert (problem.file, problem.document, problem.field) == ("catalog.yaml", 2, "metadata.nmae")
    assert "did you mean name?" in problem.message
    assert [s.name for s in catalog.slos] == ["fine-availability"]


def test_unknown_field_deep_in_an_indicator_is_a_problem(tmp_path):
    indicator = {"metadata": {"name": "x"}, "spec": ratio()}
    indicator["spec"]["ratioMetric"]["total"]["metricSource"]["spec"]["qeury"] = TOTAL
    catalog = load_one(tmp_path, slo(indicator=indicator))

    fields = {p.field: p.message for p in catalog.problems}
    assert (
        "unknown field (did you mean query?)" == fields["spec.indicator.spec.ratioMetric.total.metricSource.spec.qeury"]
    )


def test_wrong_type_is_a_problem(tmp_path):
    catalog = load_one(tmp_path, slo(objectives=[{"target": "0.999"}]))

    assert "must be a number" in only_problem(catalog).message


def test_malformed_yaml_is_a_problem_with_its_line_and_other_files_still_load(tmp_path):
    write(tmp_path, "a.yaml", slo("first-availability"))
    (tmp_path / "b.yaml").write_text("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: [broken\n")
    write(tmp_path, "c.yaml", slo("third-availability"))

    catalog = load_catalog(tmp_path)

    problem = only_problem(catalog)
    assert (problem.file, problem.document) == ("b.yaml", None)
    assert "malformed YAML at line 4" in problem.message
    assert [s.name for s in catalog.slos] == ["first-availability", "third-availability"]


def test_non_mapping_document_is_a_problem(tmp_path):
    (tmp_path / "list.yaml").write_text("- just\n- a list\n")

    assert "must be a mapping" in only_problem(load_catalog(tmp_path)).message


def test_empty_documents_are_ignored(tmp_path):
    path = write(tmp_path, "catalog.yaml", slo())
    path.write_text("---\n" + path.read_text() + "---\n")

    catalog = load_catalog(path)

    assert catalog.problems == []
    assert len(catalog.slos) == 1


def test_unknown_api_version_and_kind_are_problems(tmp_path):
    old = slo("old-availability")
    old["apiVersion"] = "openslo/v1alpha"
    odd = slo("odd-availability")
    odd["kind"] = "Slo"

    catalog = load_one(tmp_path, old, odd)

    assert [(p.document, p.field) for p in catalog.problems] == [(1, "apiVersion"), (2, "kind")]
    assert "did you mean SLO?" in catalog.problems[1].message


def test_name_that_is_not_a_dns_label_is_a_problem(tmp_path):
    catalog = load_one(tmp_path, slo("Checkout_Availability"))

    assert only_problem(catalog).field == "metadata.name"


def test_duplicate_key_in_a_mapping_is_a_problem(tmp_path):
    path = write(tmp_path, "catalog.yaml", slo())
    path.write_text(path.read_text().replace("  - target: 0.999\n", "  - target: 0.999\n    target: 0.9\n"))

    assert "duplicate key 'target' at line" in only_problem(load_catalog(path)).message


# -- names and references ------------------------------------------------------------------------------------------


def test_duplicate_slo_name_is_a_problem_and_the_first_wins(tmp_path):
    write(tmp_path, "a.yaml", slo("demo-availability", objectives=[{"target": 0.99}]))
    write(tmp_path, "b.yaml", slo("demo-availability", objectives=[{"target": 0.999}]))

    catalog = load_catalog(tmp_path)

    assert [(s.name, s.target) for s in catalog.slos] == [("demo-availability", 0.99)]
    problem = only_problem(catalog)
    assert (problem.file, problem.document, problem.field) == ("b.yaml", 1, "metadata.name")
    assert "a.yaml, document 1" in problem.message


def test_indicator_ref_resolves_to_an_sli_in_another_file(tmp_path):
    write(tmp_path, "a-slos.yaml", slo(indicator=None, indicatorRef="shared-ratio"))
    write(tmp_path, "b-slis.yaml", sli("shared-ratio", good=None, bad='errors_total{service="demo"}'))

    catalog = load_catalog(tmp_path)

    assert catalog.problems == []
    assert catalog.slos[0].indicator_name == "shared-ratio"
    assert catalog.slos[0].indicator == RatioIndicator(total_query=TOTAL, bad_query='errors_total{service="demo"}')


def test_unknown_indicator_ref_is_a_problem(tmp_path):
    catalog = load_one(tmp_path, sli("shared-ratio"), slo(indicator=None, indicatorRef="shared-ratoi"))

    assert catalog.slos == []
    problem = only_problem(catalog)
    assert problem.field == "spec.indicatorRef"
    assert 'no SLI named "shared-ratoi"' in problem.message and 'did you mean "shared-ratio"?' in problem.message


def test_indicator_and_indicator_ref_together_are_a_problem(tmp_path):
    catalog = load_one(tmp_path, sli("shared-ratio"), slo(indicatorRef="shared-ratio"))

    assert "not both" in only_problem(catalog).message


def test_service_documents_are_collected_and_undeclared_services_are_fine(tmp_path):
    catalog = load_one(tmp_path, service("checkout", "Checkout", "Takes orders."), slo(service="undeclared"))

    assert catalog.problems == []
    assert catalog.services == {"checkout": Service("checkout", "Checkout", "Takes orders.")}
    assert catalog.slos[0].service == "undeclared"
    assert catalog.service("undeclared") == Service("undeclared")


# -- time windows and budgeting ----------------------------------------------------------------------------------


def test_rolling_window_is_kept_as_its_duration(tmp_path):
    catalog = load_one(tmp_path, slo(timeWindow=[{"duration": "28d", "isRolling": True}]))

    assert catalog.slos[0].time_window == TimeWindow(duration="28d", is_rolling=True)


def test_rolling_window_in_months_is_a_problem(tmp_path):
    catalog = load_one(tmp_path, slo(timeWindow=[{"duration": "1M", "isRolling": True}]))

    assert only_problem(catalog).field == "spec.timeWindow[0].duration"


def test_calendar_window_start_is_an_aware_time_in_its_zone(tmp_path):
    window = {"duration": "1M", "calendar": {"startTime": "2026-07-01 00:00:00", "timeZone": "Europe/Berlin"}}
    catalog = load_one(tmp_path, slo(timeWindow=[window]))

    parsed = catalog.slos[0].time_window
    assert (parsed.duration, parsed.is_rolling, parsed.time_zone) == ("1M", False, "Europe/Berlin")
    assert parsed.calendar_start == datetime(2026, 7, 1, tzinfo=ZoneInfo("Europe/Berlin"))
    assert parsed.calendar_start.utcoffset() == timedelta(hours=2)  # summer time


def test_invalid_time_zone_is_a_problem(tmp_path):
    window = {"duration": "1w", "calendar": {"startTime": "2026-01-05 00:00:00", "timeZone": "Europe/Berln"}}
    catalog = load_one(tmp_path, slo(timeWindow=[window]))

    assert catalog.slos == []
    problem = only_problem(catalog)
    assert problem.field == "spec.timeWindow[0].calendar.timeZone"
    assert 'did you mean "Europe/Berlin"?' in problem.message


# -- indicators and queries ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "rate(http_requests_total[5m])",
        "sum(http_requests_total)",
        "http_requests_total[5m]",
        'http_requests_total{code="500"} / http_requests_total',
        "http_requests_total offset 1h",
        '{code="500"}',
        'http_requests_total{code="500"',
    ],
)
def test_query_that_is_not_a_series_selector_is_a_problem(tmp_path, query):
    catalog = load_one(tmp_path, slo(indicator={"metadata": {"name": "x"}, "spec": ratio(good=query)}))

    assert catalog.slos == []
    problem = only_problem(catalog)
    assert problem.field == "spec.indicator.spec.ratioMetric.good.metricSource.spec.query"
    assert "the tool applies rate windows itself" in problem.message


def test_selector_with_escaped_quotes_is_accepted(tmp_path):
    query = r'http_requests_total{service="demo",path="/say \"hi\"",__meta=~"a\\.b",}'
    catalog = load_one(tmp_path, slo(indicator={"metadata": {"name": "x"}, "spec": ratio(good=query)}))

    assert catalog.problems == []
    assert catalog.slos[0].indicator.good_query == query
    assert parse_selector(query).matches(
        "http_requests_total", {"service": "demo", "path": '/say "hi"', "__meta": "a.b"}
    )


def test_selector_matches_series_like_prometheus():
    selector = parse_selector('http_requests_total{service="checkout",code!~"5.."}')

    assert selector.matches("http_requests_total", {"service": "checkout", "code": "200"})
    assert not selector.matches("http_requests_total", {"service": "checkout", "code": "503"})
    assert not selector.matches("http_requests_total", {"service": "payments", "code": "200"})
    assert parse_selector('{__name__="up"}').matches("up", {})
    with pytest.raises(SelectorError):
        parse_selector("up{}[5m]")


def test_good_and_bad_together_are_a_problem(tmp_path):
    both = ratio(bad='http_requests_total{service="demo",code=~"5.."}')
    catalog = load_one(tmp_path, slo(indicator={"metadata": {"name": "x"}, "spec": both}))

    problem = only_problem(catalog)
    assert (problem.field, problem.message) == ("spec.indicator.spec.ratioMetric", "give good or bad, not both")


def test_counter_false_loads_an_slo_over_already_rated_series(tmp_path):
    gauge = ratio()
    gauge["ratioMetric"]["counter"] = False
    catalog = load_one(tmp_path, slo(indicator={"metadata": {"name": "x"}, "spec": gauge}))

    assert (catalog.problems, catalog.notices) == ([], [])
    (loaded,) = catalog.slos
    assert loaded.indicator.counter is False


def test_counter_true_loads_an_slo_over_counters(tmp_path):
    catalog = load_one(tmp_path, slo(indicator={"metadata": {"name": "x"}, "spec": ratio()}))

    (loaded,) = catalog.slos
    assert loaded.indicator.counter is True


def test_sli_with_problems_makes_the_slos_referring_to_it_problems_too(tmp_path):
    catalog = load_one(
        tmp_path, sli("broken-ratio", good="rate(x[5m])"), slo(indicator=None, indicatorRef="broken-ratio")
    )

    assert catalog.slos == []
    assert [(p.kind, p.document) for p in catalog.problems] == [("SLI", 1), ("SLO", 2)]


# -- paths -----------------------------------------------------------------------------------------------------


def test_missing_path_raises_catalog_error_naming_it(tmp_path):
    with pytest.raises(CatalogError, match="nowhere/slos"):
        load_catalog(tmp_path / "nowhere" / "slos")


def test_empty_directory_is_an_empty_catalog_with_one_problem(tmp_path):
    (tmp_path / "slos").mkdir()
    (tmp_path / "slos" / "README.md").write_text("not YAML")

    catalog = load_catalog(tmp_path / "slos")

    assert (catalog.slos, catalog.services) == ([], {})
    assert "no YAML files" in only_problem(catalog).message and "slos" in only_problem(catalog).message


def test_directory_is_read_recursively_in_sorted_order(tmp_path):
    (tmp_path / "b").mkdir()
    write(tmp_path / "b", "inner.yml", slo("inner-availability"))
    write(tmp_path, "a.yaml", slo("outer-availability"))
    write(tmp_path, "c.yaml", slo("last-availability"))

    catalog = load_catalog(tmp_path)

    assert [(s.name, s.source) for s in catalog.slos] == [
        ("outer-availability", "a.yaml, document 1"),
        ("inner-availability", "b/inner.yml, document 1"),
        ("last-availability", "c.yaml, document 1"),
    ]


# -- robustness --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "42\n",
        "just text\n",
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: [a]\nspec: 5\n",
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec: {service: 5, timeWindow: [5], objectives: [5],"
        " budgetingMethod: 5, indicator: {metadata: 5, spec: {ratioMetric: {counter: 1, good: 5, total: {}}}}}\n",
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x, labels: [a]}\nspec: {timeWindow: [{calendar: 5,"
        " duration: 5}], indicatorRef: [x]}\n",
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec: {timeWindow: [{duration: 1M, calendar:"
        " {startTime: 5, timeZone: 5}}], objectives: [{targetPercent: .nan}]}\n",
        "yes: no\n",
        "a: 2026-02-30\n",
        "a: !!python/object:os.system x\n",
    ],
)
def test_odd_input_becomes_problems_and_never_raises(tmp_path, text):
    (tmp_path / "odd.yaml").write_text(text)
    write(tmp_path, "valid.yaml", slo())

    catalog = load_catalog(tmp_path)

    assert catalog.problems and all(p.file == "odd.yaml" for p in catalog.problems)
    assert [s.name for s in catalog.slos] == ["demo-availability"]
