"""databases.toml server entries (``discover = true``): which databases they watch, what those inherit, and every
problem naming the file, the entry and the field."""

from __future__ import annotations

from data.databases.config import DEFAULT_SERVER_CONNECTIONS, parse_database_config

SERVER = '[[database]]\nname = "pg-main"\nengine = "postgresql"\ndiscover = true\n'


def test_a_server_entry_watches_every_database_by_default_with_a_small_connection_budget():
    [server] = parse_database_config(SERVER).databases
    assert server.discover and server.include == () and server.exclude == ()
    assert server.max_connections == DEFAULT_SERVER_CONNECTIONS == 4
    assert server.watches("orders") and server.watches("postgres")


def test_include_and_exclude_are_case_sensitive_glob_patterns_and_exclude_wins():
    [server] = parse_database_config(
        SERVER + 'include = ["orders_*", "billing"]\nexclude = ["*_test", "orders_old?"]\n'
    ).databases
    assert [
        name
        for name in ("orders_eu", "billing", "orders_test", "orders_old1", "Orders_eu", "crm")
        if server.watches(name)
    ] == [
        "orders_eu",
        "billing",
    ]


def test_a_single_pattern_may_be_written_as_text():
    [server] = parse_database_config(SERVER + 'exclude = "template*"\n').databases
    assert server.exclude == ("template*",) and not server.watches("template_x")


def test_a_found_database_is_named_after_its_server_and_inherits_the_entry():
    config = parse_database_config(
        SERVER
        + 'environment = "production"\nrole = "replica"\nowner = "dba-team"\ndisk_size = "2 TB"\n'
        + "[database.thresholds]\nlong_query_warn_s = 30\n[database.record_intervals]\nrestore_drill = 0\n"
        + '[[database.checks]]\nname = "jobs"\nsql = "SELECT 1"\ndescription = "jobs"\n'
    )
    found = config.databases[0].found("orders")
    assert (found.name, found.server, found.database_name) == ("pg-main/orders", "pg-main", "orders")
    assert (found.environment, found.role, found.owner, found.disk_size_bytes) == (
        "production",
        "replica",
        "dba-team",
        2 * 10**12,
    )
    assert found.thresholds.long_query_warn_s == 30 and found.record_intervals["restore_drill"] is None
    assert [c.name for c in found.checks] == ["jobs"]
    assert found.dsn_variable == "DB_DSN_PG_MAIN"  # the server's DSN, with the database name changed
    assert not found.discover


def test_the_config_resolves_a_found_database_by_name_without_asking_the_server():
    config = parse_database_config(SERVER + 'exclude = ["postgres"]\n')
    assert config.database("pg-main/orders").database_name == "orders"
    assert config.database("pg-main/with/slash").database_name == "with/slash"  # PostgreSQL allows it
    assert config.database("pg-main/postgres") is None  # excluded
    assert config.database("pg-main") is not None and config.database("other/orders") is None


def test_a_listed_entry_does_not_resolve_names_below_it():
    config = parse_database_config('[[database]]\nname = "orders"\nengine = "postgresql"\n')
    assert config.database("orders/x") is None


def test_discovery_fields_without_discover_are_refused_naming_the_file_and_field():
    config = parse_database_config(
        '[[database]]\nname = "orders"\nengine = "postgresql"\ninclude = ["a*"]\nmax_connections = 2\n', "dbs.toml"
    )
    assert config.databases == []
    assert config.problems == [
        "dbs.toml database 'orders'.include: only for a server entry; add discover = true to watch its databases",
        "dbs.toml database 'orders'.max_connections: only for a server entry; add discover = true to watch its "
        "databases",
    ]


def test_unknown_fields_of_a_server_entry_are_refused_with_a_suggestion():
    config = parse_database_config(SERVER + 'exclud = ["x"]\n', "dbs.toml")
    assert config.databases == []
    assert config.problems == ["dbs.toml database 'pg-main': unknown field 'exclud'; did you mean 'exclude'?"]


def test_bad_discovery_values_are_each_named():
    config = parse_database_config(
        SERVER + 'include = [1]\nexclude = [""]\nmax_connections = 0\nsource = "prometheus"\nselector = \'{a="b"}\'\n',
        "dbs.toml",
    )
    assert config.databases == []
    where = "dbs.toml database 'pg-main'"
    assert f'{where}.discover: the server lists its databases over SQL, so it needs source = "sql"' in config.problems
    assert any(p.startswith(f"{where}.include: a list of database name patterns") for p in config.problems)
    assert any(p.startswith(f"{where}.exclude: a list of database name patterns") for p in config.problems)
    assert any(p.startswith(f"{where}.max_connections: a whole number from 1 to 64") for p in config.problems)


def test_discover_must_be_true_or_false():
    config = parse_database_config(SERVER.replace("discover = true", 'discover = "all"'), "dbs.toml")
    assert config.problems == [
        "dbs.toml database 'pg-main'.discover: true (watch every database on the server) or false, got 'all'"
    ]


def test_a_server_entry_cannot_name_one_datname():
    config = parse_database_config(SERVER + 'datname = "orders"\n', "dbs.toml")
    assert config.problems == [
        "dbs.toml database 'pg-main'.datname: a server entry watches many databases; datname names one (leave it out)"
    ]


def test_the_fleet_wide_probe_concurrency_is_a_whole_number():
    assert parse_database_config("[probe]\nmax_parallel_probes = 8\n").probe.max_parallel_probes == 8
    assert parse_database_config("").probe.max_parallel_probes == 32
    config = parse_database_config("[probe]\nmax_parallel_probes = 2.5\n", "dbs.toml")
    assert config.problems[0].startswith("dbs.toml [probe].max_parallel_probes: must be a whole number from 1 to 256")
