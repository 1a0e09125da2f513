"""A catalog DataSource as Prometheus settings: URL and plain headers from the catalog, secrets and a URL override
from ``PROMETHEUS_SOURCE_<NAME>_*`` or ``[sources.<name>]``, the rest (timeout, TLS, caps) from the default
Prometheus settings; and ``make_source`` routing only when the catalog defines DataSources."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from data.settings import SettingsError, load_settings
from data.slo.catalog import Catalog, DataSource
from data.slo.demo import DemoSource
from data.slo.named_sources import SourceOptions, named_settings, named_source_settings
from data.slo.prometheus import PrometheusSettings, PrometheusSource
from data.slo.routed import RoutedSource
from data.slo.service import make_source
from metrics.slo.definitions import RatioIndicator, SloDefinition, TimeWindow

EU = DataSource(
    name="eu-mimir",
    url="http://mimir.eu:8080/prometheus",
    display_name="EU Mimir",
    headers=(("X-Scope-OrgID", "team-a"),),
    place="slos.yaml, document 1",
)
AT = datetime(2026, 11, 1, tzinfo=UTC)


def settings(tmp_path, secrets: str = "", **environ: str):
    path = tmp_path / "secrets.toml"
    path.write_text(secrets)
    return load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}", **environ}, secrets_file=path)


def test_the_environment_keys_of_a_data_source_are_read_under_its_upper_case_name(tmp_path):
    loaded = settings(
        tmp_path,
        PROMETHEUS_SOURCE_EU_MIMIR_TOKEN="tok-eu-123",
        PROMETHEUS_SOURCE_EU_MIMIR_USERNAME="reader",
        PROMETHEUS_SOURCE_EU_MIMIR_PASSWORD="pw-eu-456",
        PROMETHEUS_SOURCE_EU_MIMIR_HEADERS="X-Proxy-Key: key-789",
        PROMETHEUS_SOURCE_EU_MIMIR_URL="https://mimir.other:443/prometheus/",
    )

    assert loaded.source_options["EU_MIMIR"] == SourceOptions(
        url="https://mimir.other:443/prometheus/",
        bearer_token="tok-eu-123",
        username="reader",
        password="pw-eu-456",
        headers=(("X-Proxy-Key", "key-789"),),
    )


def test_the_secrets_file_section_of_a_data_source_is_read_and_the_environment_wins(tmp_path):
    loaded = settings(
        tmp_path,
        '[sources.eu-mimir]\ntoken = "from-file-1"\nusername = "file-user"\n',
        PROMETHEUS_SOURCE_EU_MIMIR_TOKEN="from-env-2",
    )

    options = loaded.source_options["EU_MIMIR"]
    assert (options.bearer_token, options.username) == ("from-env-2", "file-user")


def test_a_data_source_url_that_is_not_http_is_a_settings_problem_naming_the_variable(tmp_path):
    with pytest.raises(SettingsError) as raised:
        settings(tmp_path, PROMETHEUS_SOURCE_EU_MIMIR_URL="ftp://user:hunter2-pw@mimir")

    assert any("PROMETHEUS_SOURCE_EU_MIMIR_URL" in problem for problem in raised.value.problems)
    assert "hunter2-pw" not in " ".join(raised.value.problems)


def test_an_unknown_data_source_key_is_a_settings_problem(tmp_path):
    with pytest.raises(SettingsError, match="PROMETHEUS_SOURCE_EU_MIMIR_TOKN"):
        settings(tmp_path, PROMETHEUS_SOURCE_EU_MIMIR_TOKN="x")


def test_the_catalogs_url_and_headers_with_the_environments_secrets_and_the_defaults_timeout():
    base = PrometheusSettings(url="http://default:9090", bearer_token="default-token", timeout_seconds=3.0)
    options = SourceOptions(bearer_token="eu-token", headers=(("x-scope-orgid", "team-b"), ("X-Key", "k")))

    built = named_settings(EU, options, base)

    assert built.url == "http://mimir.eu:8080/prometheus"
    assert built.bearer_token == "eu-token"  # never the default Prometheus's token
    assert built.timeout_seconds == 3.0
    assert built.headers == (("x-scope-orgid", "team-b"), ("X-Key", "k"))  # the environment's replaces the catalog's
    assert built.name == "EU Mimir [eu-mimir]"


def test_the_environments_url_replaces_the_catalogs():
    built = named_settings(EU, SourceOptions(url="http://mimir.dr:8080/prometheus/"), None)

    assert built.url == "http://mimir.dr:8080/prometheus"


def test_without_environment_options_the_source_has_no_credentials_even_if_the_default_has():
    base = PrometheusSettings(url="http://default:9090", username="u", password="default-pw", headers=(("A", "b"),))

    built = named_settings(EU, None, base)

    assert (built.bearer_token, built.username, built.password) == (None, None, None)
    assert built.headers == (("X-Scope-OrgID", "team-a"),)


def test_options_are_found_by_the_data_sources_name():
    built = named_source_settings({"eu-mimir": EU}, {"EU_MIMIR": SourceOptions(bearer_token="t")}, None)

    assert built["eu-mimir"].bearer_token == "t"


def test_the_options_repr_shows_no_secret():
    options = SourceOptions(bearer_token="tok-abc-1", password="pw-abc-2", headers=(("X-Key", "hdr-abc-3"),))

    assert not any(secret in repr(options) for secret in ("tok-abc-1", "pw-abc-2", "hdr-abc-3"))


def _catalog(data_sources: dict[str, DataSource]) -> Catalog:
    return Catalog(slos=[], services={}, problems=[], data_sources=data_sources)


def test_make_source_without_data_sources_is_the_default_source_as_before(tmp_path):
    loaded = settings(tmp_path)

    assert isinstance(make_source(loaded, AT, catalog=_catalog({})), DemoSource)
    assert isinstance(make_source(loaded, AT), DemoSource)
    configured = settings(tmp_path, PROMETHEUS_URL="http://127.0.0.1:9")
    assert type(make_source(configured, AT, catalog=_catalog({}))) is PrometheusSource


def test_make_source_with_data_sources_routes_over_the_default_and_one_source_each(tmp_path):
    source = make_source(settings(tmp_path), AT, catalog=_catalog({"eu-mimir": EU}))

    assert isinstance(source, RoutedSource) and isinstance(source.default, DemoSource)
    assert list(source.named) == ["eu-mimir"] and source.named["eu-mimir"].settings.url == EU.url
    assert source.is_demo  # what is not SLO-specific is the default's
    assert "demo" in source.description.lower() and "EU Mimir [eu-mimir]" in source.description


def test_an_slo_naming_a_data_source_the_routed_source_lacks_gets_an_error_and_the_others_their_figures(tmp_path):
    loaded = settings(tmp_path)
    source = make_source(loaded, AT, catalog=_catalog({"eu-mimir": EU}))
    indicator = RatioIndicator(
        total_query='http_requests_total{service="checkout"}',
        bad_query='http_requests_total{service="checkout",code=~"5.."}',
    )
    window = TimeWindow(duration="28d", is_rolling=True)
    kept = SloDefinition(name="kept", service="checkout", target=0.99, time_window=window, indicator=indicator)
    gone = SloDefinition(
        name="gone", service="checkout", target=0.99, time_window=window, indicator=indicator, data_source="us"
    )

    result = source.window_counts([kept, gone], AT)

    assert "gone" in result.errors and "'us'" in result.errors["gone"]
    assert "kept" not in result.errors and result.counts["kept"]["period"] is not None
