"""DataSource documents and metricSourceRef: each SLO reads from the source its metricSources name, or from the
default source when they name none. A bad DataSource, an unknown or mixed reference, and a secret in the catalog
are each a problem naming the file, the document and the field; the rest of the catalog still loads."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from data.slo.catalog import Catalog, CatalogProblem, DataSource, EngineKind, load_catalog


@pytest.fixture(autouse=True)
def _inside_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def data_source(name: str = "eu-mimir", type_: str = "Prometheus", details: str | None = None) -> str:
    details = details or "{url: 'http://mimir.eu:8080/prometheus/', headers: {X-Scope-OrgID: team-a}}"
    return textwrap.dedent(
        f"""\
        apiVersion: openslo/v1
        kind: DataSource
        metadata: {{name: {name}, displayName: EU Mimir}}
        spec:
          type: {type_}
          connectionDetails: {details}
        """
    )


def metric_source(query: str, ref: str | None) -> str:
    if ref is None:
        return f"{{metricSource: {{type: Prometheus, spec: {{query: '{query}'}}}}}}"
    return f"{{metricSource: {{metricSourceRef: {ref}, spec: {{query: '{query}'}}}}}}"


GOOD_QUERY = 'http_requests_total{code="200"}'


def slo(name: str = "checkout-availability", good_ref: str | None = "eu-mimir", total_ref: str | None = "eu-mimir"):
    return textwrap.dedent(
        f"""\
        apiVersion: openslo/v1
        kind: SLO
        metadata: {{name: {name}}}
        spec:
          service: checkout
          budgetingMethod: Occurrences
          objectives: [{{target: 0.999}}]
          indicator:
            metadata: {{name: {name}-sli}}
            spec:
              ratioMetric:
                counter: true
                good: {metric_source(GOOD_QUERY, good_ref)}
                total: {metric_source("http_requests_total", total_ref)}
        """
    )


def load(tmp_path: Path, *documents: str, filename: str = "catalog.yaml") -> Catalog:
    (tmp_path / filename).write_text("---\n".join(documents), encoding="utf-8")
    return load_catalog(tmp_path / filename)


def only_problem(catalog: Catalog) -> CatalogProblem:
    assert len(catalog.problems) == 1, [str(p) for p in catalog.problems]
    return catalog.problems[0]


def test_a_datasource_document_is_read_with_its_url_path_prefix_and_plain_headers(tmp_path):
    catalog = load(tmp_path, data_source())

    assert (catalog.problems, catalog.notices) == ([], [])
    assert catalog.data_sources == {
        "eu-mimir": DataSource(
            name="eu-mimir",
            url="http://mimir.eu:8080/prometheus",
            display_name="EU Mimir",
            headers=(("X-Scope-OrgID", "team-a"),),
            place="catalog.yaml, document 1",
        )
    }


def test_the_datasource_type_is_read_whatever_its_case(tmp_path):
    assert "eu-mimir" in load(tmp_path, data_source(type_="prometheus")).data_sources


def test_an_slo_whose_metric_sources_name_a_datasource_reads_from_it_without_giving_a_type(tmp_path):
    catalog = load(tmp_path, slo(), data_source())

    assert catalog.problems == []
    assert catalog.slo("checkout-availability").data_source == "eu-mimir"


def test_a_datasource_in_another_file_read_later_is_found(tmp_path):
    (tmp_path / "a-slos.yaml").write_text(slo())
    (tmp_path / "z-sources.yaml").write_text(data_source())

    catalog = load_catalog(tmp_path)

    assert catalog.problems == []
    assert catalog.slo("checkout-availability").data_source == "eu-mimir"


def test_an_slo_without_metric_source_ref_keeps_the_default_source(tmp_path):
    catalog = load(tmp_path, data_source(), slo(good_ref=None, total_ref=None))

    assert catalog.problems == []
    assert catalog.slo("checkout-availability").data_source is None


def test_an_sli_document_naming_a_datasource_gives_it_to_the_slos_that_refer_to_it(tmp_path):
    sli = textwrap.dedent(
        f"""\
        apiVersion: openslo/v1
        kind: SLI
        metadata: {{name: p99-latency}}
        spec:
          thresholdMetric: {metric_source("histogram_quantile(0.99, rate(x_bucket[5m]))", "eu-mimir")}
        """
    )
    document = textwrap.dedent(
        """\
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: checkout-latency}
        spec:
          service: checkout
          budgetingMethod: Timeslices
          indicatorRef: p99-latency
          objectives: [{op: lte, value: 0.3, target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: 5m}]
        """
    )

    catalog = load(tmp_path, document, sli, data_source())

    assert catalog.problems == []
    assert catalog.slo("checkout-latency").data_source == "eu-mimir"


def test_an_unknown_reference_is_a_problem_naming_the_field_and_the_known_datasources(tmp_path):
    catalog = load(tmp_path, data_source(), slo("other", good_ref=None, total_ref=None), slo(total_ref="us-mimir"))

    problem = only_problem(catalog)
    assert (problem.file, problem.document, problem.name) == ("catalog.yaml", 3, "checkout-availability")
    assert problem.field == "spec.indicator.spec.ratioMetric.total.metricSource.metricSourceRef"
    assert 'no DataSource named "us-mimir"' in problem.message and 'known: "eu-mimir"' in problem.message
    assert [s.name for s in catalog.slos] == ["other"]


def test_metric_sources_naming_different_datasources_are_a_problem_naming_the_field(tmp_path):
    catalog = load(tmp_path, data_source(), data_source("us-mimir"), slo(total_ref="us-mimir"))

    problem = only_problem(catalog)
    assert (problem.document, problem.name) == (3, "checkout-availability")
    assert problem.field == "spec.indicator.spec.ratioMetric.total.metricSource.metricSourceRef"
    assert "must name the same DataSource" in problem.message
    assert catalog.slos == []


def test_a_metric_source_without_a_reference_beside_one_with_it_is_a_problem(tmp_path):
    catalog = load(tmp_path, data_source(), slo(total_ref=None))

    problem = only_problem(catalog)
    assert problem.field == "spec.indicator.spec.ratioMetric.total.metricSource"
    assert "must name the same DataSource" in problem.message


def test_a_datasource_of_another_type_is_a_problem_naming_the_type(tmp_path):
    catalog = load(tmp_path, data_source(type_="Datadog"), slo("other", good_ref=None, total_ref=None))

    problem = only_problem(catalog)
    assert (problem.file, problem.document, problem.name, problem.field) == (
        "catalog.yaml",
        1,
        "eu-mimir",
        "spec.type",
    )
    assert "unsupported DataSource type" in problem.message
    assert catalog.data_sources == {} and [s.name for s in catalog.slos] == ["other"]


def test_an_slo_naming_a_datasource_with_problems_says_so(tmp_path):
    catalog = load(tmp_path, data_source(type_="Datadog"), slo())

    assert [(p.document, p.field) for p in catalog.problems] == [
        (1, "spec.type"),
        (2, "spec.indicator.spec.ratioMetric.good.metricSource.metricSourceRef"),
        (2, "spec.indicator.spec.ratioMetric.total.metricSource.metricSourceRef"),
    ]
    assert "has problems of its own" in catalog.problems[1].message


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ("{url: 'http://mimir:8080', bearerToken: s3cr3t-t0ken}", "spec.connectionDetails.bearerToken"),
        ("{url: 'http://mimir:8080', password: s3cr3t-t0ken}", "spec.connectionDetails.password"),
        ("{url: 'http://mimir:8080', apiKey: s3cr3t-t0ken}", "spec.connectionDetails.apiKey"),
        ("{url: 'http://mimir:8080', token: s3cr3t-t0ken}", "spec.connectionDetails.token"),
        ("{url: 'http://reader:s3cr3t-t0ken@mimir:8080'}", "spec.connectionDetails.url"),
        (
            "{url: 'http://mimir:8080', headers: {Authorization: s3cr3t-t0ken}}",
            "spec.connectionDetails.headers.Authorization",
        ),
    ],
)
def test_a_secret_in_the_catalog_is_refused_pointing_to_the_environment_and_never_quoted(tmp_path, details, field):
    catalog = load(tmp_path, data_source(details=details))

    problem = only_problem(catalog)
    assert (problem.file, problem.document, problem.name, problem.field) == ("catalog.yaml", 1, "eu-mimir", field)
    assert "set it in the environment" in problem.message and "PROMETHEUS_SOURCE_EU_MIMIR_TOKEN" in problem.message
    assert "s3cr3t-t0ken" not in str(problem)
    assert catalog.data_sources == {}


@pytest.mark.parametrize("url", ["ftp://mimir:21", "mimir:8080", ""])
def test_a_url_that_is_not_http_is_a_problem(tmp_path, url):
    problem = only_problem(load(tmp_path, data_source(details=f"{{url: '{url}'}}")))
    assert problem.field == "spec.connectionDetails.url"


def test_a_datasource_without_connection_details_is_a_problem(tmp_path):
    text = "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: eu-mimir}\nspec: {type: Prometheus}\n"

    assert only_problem(load(tmp_path, text)).field == "spec.connectionDetails"


def test_a_datasource_is_no_longer_a_notice(tmp_path):
    catalog = load(tmp_path, data_source())

    assert catalog.notices == []


# --- engines: what speaks the Prometheus HTTP API -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "kind"),
    [
        ("VictoriaMetrics", EngineKind.VICTORIAMETRICS),
        ("thanos", EngineKind.THANOS),
        ("Mimir", EngineKind.MIMIR),
        ("CORTEX", EngineKind.CORTEX),
        ("Prometheus", EngineKind.PROMETHEUS),
    ],
)
def test_a_datasource_of_any_engine_speaking_the_prometheus_api_is_read_with_its_kind(tmp_path, type_, kind):
    catalog = load(tmp_path, data_source(type_=type_), slo())

    assert catalog.problems == []
    assert catalog.data_sources["eu-mimir"].kind is kind


def test_a_mimir_datasource_without_its_api_prefix_is_a_problem_saying_which_prefix(tmp_path):
    catalog = load(tmp_path, data_source(type_="Mimir", details="{url: 'http://mimir.eu:8080'}"), slo())

    problem = catalog.problems[0]
    assert problem.field == "spec.connectionDetails.url"
    assert "http://mimir.eu:8080/prometheus" in problem.message


def test_a_datasource_type_no_engine_has_names_the_kinds_it_reads(tmp_path):
    catalog = load(tmp_path, data_source(type_="Datadog"), slo("other", good_ref=None, total_ref=None))

    assert "Prometheus, VictoriaMetrics, Thanos, Mimir, Cortex" in only_problem(catalog).message


def test_messages_about_a_datasource_name_its_engine(tmp_path):
    from data.slo.named_sources import source_name

    catalog = load(tmp_path, data_source(type_="VictoriaMetrics"), slo())

    assert source_name(catalog.data_sources["eu-mimir"]) == "VictoriaMetrics EU Mimir [eu-mimir]"
