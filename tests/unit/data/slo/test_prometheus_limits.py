"""The limits on what Prometheus may send: the answer cap's setting, the answer's shape, and ``--prometheus-url``
keeping the rest of the configuration. The behaviour against a real hostile server is in
tests/integration/slo/test_hostile_prometheus.py."""

from pathlib import Path

import pytest

from data.settings import SettingsError, load_settings
from data.slo.prometheus import DEFAULT_MAX_ANSWER_BYTES, PrometheusSettings, answer_shape_problem

NO_SECRETS = Path("/nonexistent/secrets.toml")
URL = {"PROMETHEUS_URL": "http://prom:9090"}


def vector(*series) -> dict:
    return {"status": "success", "data": {"resultType": "vector", "result": list(series)}}


def matrix(*series) -> dict:
    return {"status": "success", "data": {"resultType": "matrix", "result": list(series)}}


# -- the setting


def test_the_answer_cap_defaults_to_64_mib():
    assert load_settings(URL, NO_SECRETS).prometheus.max_answer_bytes == DEFAULT_MAX_ANSWER_BYTES == 64 * 1024 * 1024


def test_the_default_cap_holds_1000_slos_of_500_samples_each():
    sample = '{"metric":{"slo":"checkout-availability-eu-west-1"},"value":[1764000000.123,"123456.789"]}'
    assert 1000 * 500 * (len(sample) + 1) < DEFAULT_MAX_ANSWER_BYTES


def test_the_answer_cap_is_read_from_the_environment():
    settings = load_settings({**URL, "PROMETHEUS_MAX_ANSWER_BYTES": "1000000"}, NO_SECRETS)
    assert settings.prometheus.max_answer_bytes == 1_000_000


def test_the_answer_cap_accepts_underscores_between_digits():
    settings = load_settings({**URL, "PROMETHEUS_MAX_ANSWER_BYTES": "8_000_000"}, NO_SECRETS)
    assert settings.prometheus.max_answer_bytes == 8_000_000


def test_the_answer_cap_is_read_from_the_secrets_file_as_a_toml_integer(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[prometheus]\nurl = "http://a:9090"\nmax_answer_bytes = 2000000\n')
    assert load_settings({}, secrets).prometheus.max_answer_bytes == 2_000_000


@pytest.mark.parametrize("text", ["lots", "12.5", "-1", "0", "1023"])
def test_an_answer_cap_that_is_not_a_whole_number_of_at_least_1024_bytes_is_a_problem_by_name(text):
    with pytest.raises(SettingsError) as raised:
        load_settings({**URL, "PROMETHEUS_MAX_ANSWER_BYTES": text}, NO_SECRETS)
    [problem] = raised.value.problems
    assert problem.startswith("PROMETHEUS_MAX_ANSWER_BYTES: must be a whole number of bytes of at least 1024")


def test_the_cap_is_shown_in_the_settings_repr():
    assert "max_answer_bytes=5000" in repr(PrometheusSettings(url="http://p:9090", max_answer_bytes=5000))


# -- --prometheus-url


def test_a_prometheus_url_keeps_the_options_configured_without_a_url():
    environment = {
        "PROMETHEUS_TIMEOUT_SECONDS": "3",
        "PROMETHEUS_TOKEN": "t0ken",
        "PROMETHEUS_VERIFY_TLS": "false",
        "PROMETHEUS_MAX_ANSWER_BYTES": "4096",
    }
    settings = load_settings(environment, NO_SECRETS)
    assert settings.is_demo
    prometheus = settings.with_prometheus_url("http://other:9090/").prometheus
    assert prometheus.url == "http://other:9090"
    assert (prometheus.timeout_seconds, prometheus.bearer_token, prometheus.verify_tls) == (3.0, "t0ken", False)
    assert prometheus.max_answer_bytes == 4096


def test_a_prometheus_url_keeps_the_basic_auth_and_replaces_only_the_url():
    environment = {**URL, "PROMETHEUS_USERNAME": "reader", "PROMETHEUS_PASSWORD": "pa55", "PROMETHEUS_NAME": "prod"}
    settings = load_settings(environment, NO_SECRETS)
    prometheus = settings.with_prometheus_url("http://other:9090").prometheus
    assert (prometheus.url, prometheus.username, prometheus.password, prometheus.name) == (
        "http://other:9090",
        "reader",
        "pa55",
        "prod",
    )


def test_a_prometheus_url_over_settings_built_by_hand_keeps_their_options():
    settings = load_settings({}, NO_SECRETS)
    settings = settings.with_prometheus_url("http://a:9090")
    assert settings.prometheus.timeout_seconds == 10.0
    assert settings.with_prometheus_url("http://b:9090").prometheus.url == "http://b:9090"


# -- the answer's shape


def test_a_vector_with_labels_and_samples_has_no_shape_problem():
    answer = vector({"metric": {"slo": "a"}, "value": [1764000000.5, "12"]}, {"metric": {}, "value": [1, "NaN"]})
    assert answer_shape_problem(answer, "vector") is None


def test_a_matrix_with_labels_and_samples_has_no_shape_problem():
    assert answer_shape_problem(matrix({"metric": {}, "values": [[1, "1"], [2, "+Inf"]]}), "matrix") is None


def test_a_matrix_where_a_vector_belongs_is_named():
    assert answer_shape_problem(matrix(), "vector") == "a matrix where a vector was expected"


def test_a_vector_where_a_matrix_belongs_is_named():
    assert answer_shape_problem(vector(), "matrix") == "a vector where a matrix was expected"


def test_a_missing_result_type_is_named_without_quoting_the_answer():
    answer = {"status": "success", "data": {"resultType": "<b>x</b>", "result": []}}
    assert answer_shape_problem(answer, "vector") == "no resultType where a vector was expected"


def test_an_answer_without_data_is_named():
    assert answer_shape_problem({"status": "success"}, "vector") == (
        "status 'success' and no data where a vector was expected"
    )


def test_an_error_status_is_named():
    assert "status 'error'" in answer_shape_problem({"status": "error", "data": {}}, "vector")


def test_a_result_that_is_not_a_list_is_named():
    answer = {"status": "success", "data": {"resultType": "vector", "result": {"a": 1}}}
    assert answer_shape_problem(answer, "vector") == "a vector without a list of series"


def test_series_without_labels_are_named():
    assert (
        answer_shape_problem(vector({"value": [1, "1"]}), "vector") == "a vector whose series have no labels (metric)"
    )


@pytest.mark.parametrize("value", [None, [], [1], [1, 2], ["1", "1"], [1, "x"], [1, "1", 2], {"time": 1, "value": "1"}])
def test_a_sample_that_is_not_a_time_and_a_numeric_text_is_named(value):
    problem = answer_shape_problem(vector({"metric": {}, "value": value}), "vector")
    assert problem == "a vector whose series have no [time, value] value"


def test_matrix_values_that_are_not_a_list_of_samples_are_named():
    problem = answer_shape_problem(matrix({"metric": {}, "values": [1, "1"]}), "matrix")
    assert problem == "a matrix whose series have no [time, value] values"
