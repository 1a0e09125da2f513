"""Settings from the environment and secrets.toml; problems named by the setting, secrets never quoted."""

from pathlib import Path

import pytest

from data.settings import DEFAULT_DATABASE_URL, SettingsError, load_settings

NO_SECRETS = Path("/nonexistent/secrets.toml")


def test_defaults_are_demo_data_and_sqlite_under_var():
    settings = load_settings({}, NO_SECRETS)
    assert settings.is_demo
    assert settings.database_url.reveal() == DEFAULT_DATABASE_URL and "/var/" in DEFAULT_DATABASE_URL
    assert settings.team_timezone == "UTC"


def test_environment_configures_prometheus_with_a_token():
    settings = load_settings(
        {"PROMETHEUS_URL": "https://prom:9090", "PROMETHEUS_TOKEN": "t0ken", "PROMETHEUS_TIMEOUT_SECONDS": "5"},
        NO_SECRETS,
    )
    assert settings.prometheus.url == "https://prom:9090"
    assert settings.prometheus.bearer_token == "t0ken"
    assert settings.prometheus.timeout_seconds == 5.0


def test_secrets_file_is_read_and_environment_wins(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[prometheus]\nurl = "http://a:9090"\nname = "prod"\n[app]\nteam_timezone = "Asia/Seoul"\n')
    settings = load_settings({"PROMETHEUS_URL": "http://b:9090"}, secrets)
    assert settings.prometheus.url == "http://b:9090"
    assert settings.prometheus.name == "prod"
    assert settings.team_timezone == "Asia/Seoul"


def test_credentials_in_the_url_move_to_basic_auth_and_leave_the_url(tmp_path):
    settings = load_settings({"PROMETHEUS_URL": "http://me:pa55@prom:9090"}, NO_SECRETS)
    assert settings.prometheus.url == "http://prom:9090"
    assert (settings.prometheus.username, settings.prometheus.password) == ("me", "pa55")


def test_every_problem_is_reported_at_once_by_name():
    with pytest.raises(SettingsError) as raised:
        load_settings(
            {"PROMETHEUS_URL": "ftp://x", "TEAM_TIMEZONE": "Mars/Olympus", "PROMETHEUS_TIMEOUT_SECONDS": "soon"},
            NO_SECRETS,
        )
    text = str(raised.value)
    assert "PROMETHEUS_URL" in text and "TEAM_TIMEZONE" in text
    assert len(raised.value.problems) == 2  # the timeout is not read for a URL that is already wrong


def test_a_bad_timeout_is_named():
    with pytest.raises(SettingsError, match="PROMETHEUS_TIMEOUT_SECONDS"):
        load_settings({"PROMETHEUS_URL": "http://x:9090", "PROMETHEUS_TIMEOUT_SECONDS": "-3"}, NO_SECRETS)


def test_an_unknown_key_in_secrets_is_an_error(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[prometheus]\nurll = "http://a:9090"\n')
    with pytest.raises(SettingsError, match="unknown key 'urll'"):
        load_settings({}, secrets)


def test_malformed_secrets_toml_is_named(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[prometheus\nurl = "x"\n')
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings({}, secrets)


def test_streamlit_auth_section_is_left_to_streamlit(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\n')
    assert load_settings({}, secrets).is_demo


def test_a_password_never_appears_in_a_settings_error(tmp_path):
    with pytest.raises(SettingsError) as raised:
        load_settings({"PROMETHEUS_URL": "gopher://me:hunter2@x", "PROMETHEUS_PASSWORD": "hunter2"}, NO_SECRETS)
    assert "hunter2" not in str(raised.value)


def test_a_missing_catalog_is_named(tmp_path):
    with pytest.raises(SettingsError, match="SLO_CATALOG"):
        load_settings({"SLO_CATALOG": str(tmp_path / "nope")}, NO_SECRETS)


def test_the_committed_secrets_example_is_valid():
    example = Path(__file__).resolve().parents[3] / ".streamlit" / "secrets.toml.example"
    settings = load_settings({}, example)
    assert settings.prometheus.name == "prod"


def test_database_dsns_come_from_the_environment_and_secrets(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[databases]\norders-primary = "postgresql://a@h/db"\n')
    settings = load_settings({"DB_DSN_BILLING_REPLICA": "mysql://b@h/db"}, secrets)
    assert settings.dsn_for("orders-primary").reveal() == "postgresql://a@h/db"
    assert settings.dsn_for("billing-replica").reveal() == "mysql://b@h/db"
    assert "postgresql://a@h/db" not in repr(settings)


def test_the_clock_can_be_set_for_demos_and_tests():
    settings = load_settings({"RELIABILITY_NOW": "2026-12-01T09:00:00Z"}, NO_SECRETS)
    assert settings.now().isoformat() == "2026-12-01T09:00:00+00:00"


def test_a_malformed_clock_is_named():
    with pytest.raises(SettingsError, match="RELIABILITY_NOW"):
        load_settings({"RELIABILITY_NOW": "tomorrow"}, NO_SECRETS)


def test_request_headers_are_name_value_pairs_separated_by_semicolons():
    settings = load_settings(
        {"PROMETHEUS_URL": "http://mimir:8080/prometheus", "PROMETHEUS_HEADERS": "X-Scope-OrgID: team-a; X-A: b:c"},
        NO_SECRETS,
    )
    assert settings.prometheus.headers == (("X-Scope-OrgID", "team-a"), ("X-A", "b:c"))
    assert settings.prometheus.url == "http://mimir:8080/prometheus"


@pytest.mark.parametrize(
    ("headers", "problem"),
    [
        ("X-Scope-OrgID team-s3cret", "header 1 is not 'Name: value'"),
        ("Bad Name: s3cret", "header 1 is not 'Name: value'"),
        ("X-A: 1; Authorization: Bearer s3cret", "Authorization is set by the app"),
    ],
)
def test_a_malformed_header_is_named_without_its_value(headers, problem):
    with pytest.raises(SettingsError) as refused:
        load_settings({"PROMETHEUS_URL": "http://x:9090", "PROMETHEUS_HEADERS": headers}, NO_SECRETS)
    assert problem in str(refused.value) and "PROMETHEUS_HEADERS" in str(refused.value)
    assert "s3cret" not in str(refused.value)


def test_header_values_never_appear_in_the_settings_repr():
    settings = load_settings({"PROMETHEUS_URL": "http://x:9090", "PROMETHEUS_HEADERS": "X-Key: s3cret"}, NO_SECRETS)
    assert "s3cret" not in repr(settings.prometheus) and "X-Key" in repr(settings.prometheus)


def test_a_query_length_limit_below_1_kb_is_refused():
    with pytest.raises(SettingsError, match="PROMETHEUS_MAX_QUERY_BYTES"):
        load_settings({"PROMETHEUS_URL": "http://x:9090", "PROMETHEUS_MAX_QUERY_BYTES": "100"}, NO_SECRETS)


def test_the_split_cap_is_a_setting_and_a_bad_one_is_named():
    settings = load_settings({"PROMETHEUS_URL": "http://x:9090", "PROMETHEUS_MAX_SPLIT_VALUES": "2_000"}, NO_SECRETS)
    assert settings.prometheus.max_split_values == 2000
    with pytest.raises(SettingsError, match="PROMETHEUS_MAX_SPLIT_VALUES"):
        load_settings({"PROMETHEUS_URL": "http://x:9090", "PROMETHEUS_MAX_SPLIT_VALUES": "0"}, NO_SECRETS)


def test_the_deploy_series_and_its_labels_are_read_from_the_environment():
    settings = load_settings(
        {
            "SLO_DEPLOY_SERIES": 'app_build_info{env="prod"}',
            "SLO_DEPLOY_SERVICE_LABEL": "job",
            "SLO_DEPLOY_VERSION_LABEL": "version",
        },
        NO_SECRETS,
    )
    assert (settings.deploy_series.selector, settings.deploy_series.service_label) == (
        'app_build_info{env="prod"}',
        "job",
    )
    assert settings.deploy_series.version_label == "version"


def test_the_deploy_series_defaults_to_the_service_label_and_no_version_label(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[app]\ndeploy_series = "deploy_timestamp_seconds"\n')
    series = load_settings({}, secrets).deploy_series
    assert (series.selector, series.service_label, series.version_label) == (
        "deploy_timestamp_seconds",
        "service",
        None,
    )


def test_no_deploy_series_by_default():
    assert load_settings({}, NO_SECRETS).deploy_series is None


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SLO_DEPLOY_SERIES", "sum(rate(x[5m]))", "SLO_DEPLOY_SERIES: 'sum(rate(x[5m]))' is not a metric name"),
        (
            "SLO_DEPLOY_SERVICE_LABEL",
            "service-name",
            "SLO_DEPLOY_SERVICE_LABEL: 'service-name' is not a Prometheus label",
        ),
    ],
)
def test_a_bad_deploy_series_setting_is_named(variable, value, message):
    environ = {"SLO_DEPLOY_SERIES": "deploy_timestamp_seconds", variable: value}
    with pytest.raises(SettingsError) as raised:
        load_settings(environ, NO_SECRETS)
    assert any(problem.startswith(message) for problem in raised.value.problems)
