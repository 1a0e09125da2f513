"""databases.toml: what loads, and every problem naming the file, the database and the field."""

from __future__ import annotations

from data.databases.config import DEFAULT_DEADLINE_S, load_database_config, parse_database_config
from data.settings import DEFAULT_DATABASES_CONFIG
from metrics.databases.checks import Thresholds

MINIMAL = '[[database]]\nname = "orders-primary"\nengine = "postgresql"\n'


def test_the_example_config_loads_without_problems_and_without_any_dsn():
    config = load_database_config(DEFAULT_DATABASES_CONFIG)
    assert config.problems == []
    assert [d.name for d in config.databases] == ["orders-primary", "orders-replica", "catalog", "analytics-staging"]
    assert "://" not in DEFAULT_DATABASES_CONFIG.read_text().split("#")[0]


def test_a_minimal_entry_gets_the_design_defaults():
    [database] = parse_database_config(MINIMAL).databases
    assert (database.role, database.source, database.thresholds) == ("primary", "sql", Thresholds())
    assert database.record_intervals["backup_verified"] == 7
    assert database.dsn_variable == "DB_DSN_ORDERS_PRIMARY"


def test_thresholds_override_per_database_over_the_shared_defaults():
    config = parse_database_config(
        "[defaults.thresholds]\nlong_query_warn_s = 120\nblocked_warn = 2\n"
        + MINIMAL
        + "[database.thresholds]\nlong_query_warn_s = 30\n"
    )
    thresholds = config.databases[0].thresholds
    assert (thresholds.long_query_warn_s, thresholds.blocked_warn, thresholds.long_query_critical_s) == (30, 2, 300)


def test_an_unknown_field_is_an_error_with_a_suggestion():
    config = parse_database_config(MINIMAL + 'enviroment = "prod"\n', "databases.toml")
    assert config.databases == []
    assert config.problems == [
        "databases.toml database 'orders-primary': unknown field 'enviroment'; did you mean 'environment'?"
    ]


def test_an_unknown_threshold_names_the_database_and_the_table():
    config = parse_database_config(MINIMAL + "[database.thresholds]\nconections_warn = 0.5\n", "db.toml")
    assert config.problems[0].startswith(
        "db.toml database 'orders-primary'.thresholds: unknown field "
        "'conections_warn'; did you mean 'connections_warn'?"
    )


def test_a_bad_entry_is_skipped_and_the_others_still_load():
    config = parse_database_config(MINIMAL + '[[database]]\nname = "x"\nengine = "oracle"\n')
    assert [d.name for d in config.databases] == ["orders-primary"]
    assert config.problems == ["databases.toml database 'x'.engine: 'oracle' is not one of postgresql, mysql, mariadb"]


def test_warn_above_critical_is_refused():
    config = parse_database_config(MINIMAL + "[database.thresholds]\nlong_query_warn_s = 600\n")
    assert "long_query_warn_s (600) is above long_query_critical_s (300)" in config.problems[0]


def test_names_must_fit_the_dsn_variable():
    config = parse_database_config('[[database]]\nname = "Orders_Primary"\nengine = "postgresql"\n')
    assert "lower-case letters, digits and '-'" in config.problems[0]


def test_a_name_used_twice_is_refused():
    assert "used twice" in parse_database_config(MINIMAL + MINIMAL).problems[0]


def test_a_prometheus_source_needs_a_selector():
    config = parse_database_config(MINIMAL + 'source = "prometheus"\n')
    assert "selector: required" in config.problems[0]


def test_record_intervals_accept_days_and_zero_turns_one_off():
    config = parse_database_config(MINIMAL + "[database.record_intervals]\nbackup_verified = 1\nrestore_drill = 0\n")
    intervals = config.databases[0].record_intervals
    assert (intervals["backup_verified"], intervals["restore_drill"]) == (1, None)


def test_invalid_toml_is_one_problem_with_the_line():
    config = parse_database_config("[[database]\n", "databases.toml")
    assert config.databases == [] and config.problems[0].startswith("databases.toml: not valid TOML")


def test_a_missing_file_is_an_empty_fleet_not_an_error(tmp_path):
    config = load_database_config(tmp_path / "absent.toml")
    assert (config.databases, config.problems, config.found) == ([], [], False)


def test_probe_options_default_and_validate():
    assert parse_database_config(MINIMAL).probe.deadline_s == DEFAULT_DEADLINE_S
    config = parse_database_config("[probe]\ndeadline_seconds = -1\n" + MINIMAL)
    assert "[probe].deadline_seconds: must be a positive number" in config.problems[0]


def test_a_nan_threshold_is_refused_instead_of_never_firing():
    config = parse_database_config(MINIMAL + "[database.thresholds]\nlong_query_warn_s = nan\n", "db.toml")
    assert config.databases == []
    assert config.problems == [
        "db.toml database 'orders-primary'.thresholds.long_query_warn_s: must be a non-negative number, got nan"
    ]


def test_an_infinite_probe_deadline_is_refused_and_the_default_kept():
    config = parse_database_config("[probe]\ndeadline_seconds = inf\n" + MINIMAL, "db.toml")
    assert config.probe.deadline_s == DEFAULT_DEADLINE_S
    assert config.problems == ["db.toml [probe].deadline_seconds: must be a positive number of seconds, got inf"]


def test_toml_nested_deeper_than_pythons_stack_is_one_problem():
    config = parse_database_config("a = " + "[" * 5000 + "]" * 5000, "db.toml")
    assert (config.databases, config.problems) == ([], ["db.toml: not readable TOML (RecursionError)"])


def test_a_selector_that_smuggles_a_query_in_braces_is_refused():
    smuggled = 'selector = \'{job="pg"} or vector(1) or {a="b"}\'\n'
    config = parse_database_config(MINIMAL + 'source = "prometheus"\n' + smuggled, "db.toml")
    assert config.databases == []
    [problem] = config.problems
    assert problem.startswith("db.toml database 'orders-primary'.selector: PromQL label matchers in braces")


def test_a_selector_of_label_matchers_is_accepted():
    config = parse_database_config(MINIMAL + 'source = "prometheus"\nselector = \'{job="pg", instance=~"db1:.*"}\'\n')
    assert config.problems == [] and config.databases[0].selector == '{job="pg", instance=~"db1:.*"}'
