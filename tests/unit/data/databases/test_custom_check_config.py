"""Custom checks in databases.toml: shared [[checks]] per engine, a database's own [[database.checks]], and every
problem naming the file, the check and the field while the databases and the other checks still load."""

from __future__ import annotations

from pathlib import Path

from data.databases.config import parse_database_config
from data.settings import DEFAULT_DATABASES_CONFIG
from metrics.databases.custom import CustomCheck

FLEET = """
[[database]]
name = "orders"
engine = "postgresql"

[[database]]
name = "billing"
engine = "postgresql"

[[database]]
name = "catalog"
engine = "mariadb"
"""

PENDING = """
[[checks]]
name = "pending-orders"
engine = "postgresql"
sql = "SELECT count(*) FROM orders WHERE state = 'pending'"
description = "Orders waiting for payment"
"""


def checks_of(config, database: str) -> list[str]:
    return [c.name for c in config.database(database).checks]


def test_a_shared_check_applies_to_every_database_of_its_engine():
    config = parse_database_config(FLEET + PENDING, "databases.toml")
    assert config.problems == []
    assert [checks_of(config, name) for name in ("orders", "billing", "catalog")] == [
        ["pending-orders"],
        ["pending-orders"],
        [],
    ]


def test_every_field_of_a_check_is_read():
    config = parse_database_config(
        FLEET
        + """
[[checks]]
name = "replicas"
title = "Replicas attached"
engine = "postgresql"
sql = "SELECT client_addr FROM pg_stat_replication"
kind = "rows"
unit = "replicas"
description = "Streaming replicas connected to the primary"
action = "Check the replicas' logs"
warn = 1
critical = 0
direction = "below"
"""
    )
    assert config.problems == []
    assert config.database("orders").checks == (
        CustomCheck(
            name="replicas",
            engine="postgresql",
            sql="SELECT client_addr FROM pg_stat_replication",
            description="Streaming replicas connected to the primary",
            title="Replicas attached",
            action="Check the replicas' logs",
            kind="rows",
            unit="replicas",
            warn=1.0,
            critical=0.0,
            direction="below",
        ),
    )


def test_a_shared_check_limited_to_some_databases_applies_to_those_only():
    config = parse_database_config(FLEET + PENDING + 'databases = ["billing"]\n')
    assert config.problems == []
    assert (checks_of(config, "orders"), checks_of(config, "billing")) == ([], ["pending-orders"])


def test_a_database_check_comes_after_the_shared_ones_and_takes_the_databases_engine():
    text = (
        PENDING
        + FLEET
        + """
[[database.checks]]
name = "big-tables"
sql = "SELECT table_name FROM information_schema.TABLES WHERE DATA_LENGTH > 1e9"
kind = "rows"
description = "Tables over 1 GB"
"""
    )
    config = parse_database_config(text)
    assert config.problems == []
    [check] = config.database("catalog").checks
    assert (check.name, check.engine, check.kind) == ("big-tables", "mariadb", "rows")
    assert checks_of(config, "orders") == ["pending-orders"]


def test_an_unknown_field_names_the_file_the_check_and_suggests_the_field():
    config = parse_database_config(FLEET + PENDING + "warning = 10\n", "databases.toml")
    assert config.problems == ["databases.toml check 'pending-orders': unknown field 'warning'; did you mean 'warn'?"]
    assert checks_of(config, "orders") == []


def test_a_bad_check_is_skipped_alone_and_the_other_checks_and_databases_still_load():
    bad = '[[checks]]\nname = "broken"\nengine = "postgresql"\nsql = "SELECT 1"\ndescription = "x"\nwarn = "ten"\n'
    config = parse_database_config(FLEET + bad + PENDING, "databases.toml")
    assert config.problems == ["databases.toml check 'broken'.warn: must be a number, got 'ten'"]
    assert [d.name for d in config.databases] == ["orders", "billing", "catalog"]
    assert checks_of(config, "orders") == ["pending-orders"]


def test_a_bad_database_check_names_the_database_and_keeps_the_database():
    text = FLEET + '[[database.checks]]\nname = "x"\nsql = "SELECT 1; SELECT 2"\ndescription = "two"\n'
    config = parse_database_config(text, "databases.toml")
    assert config.problems == [
        "databases.toml database 'catalog' check 'x'.sql: holds 2 statements; a check is one query "
        "(one statement, no ';' between)"
    ]
    assert checks_of(config, "catalog") == []


def test_name_engine_sql_and_description_are_required():
    config = parse_database_config(FLEET + "[[checks]]\nkind = 'rows'\n", "databases.toml")
    assert [p.split(":")[0] for p in config.problems] == [
        "databases.toml check #1.name",
        "databases.toml check #1.engine",
        "databases.toml check #1.sql",
        "databases.toml check #1.description",
    ]


def test_a_bad_kind_direction_or_engine_lists_the_choices():
    text = FLEET + PENDING.replace('"postgresql"', '"oracle"') + 'kind = "sum"\ndirection = "up"\n'
    problems = parse_database_config(text, "databases.toml").problems
    assert problems == [
        "databases.toml check 'pending-orders'.engine: 'oracle' is not one of postgresql, mysql, mariadb",
        "databases.toml check 'pending-orders'.kind: 'sum' is not one of value, rows",
        "databases.toml check 'pending-orders'.direction: 'up' is not one of above, below",
    ]


def test_warn_past_critical_in_the_checks_direction_is_a_problem():
    above = parse_database_config(FLEET + PENDING + "warn = 10\ncritical = 5\n").problems
    below = parse_database_config(FLEET + PENDING + 'warn = 1\ncritical = 5\ndirection = "below"\n').problems
    assert "warn (10) is above critical (5)" in above[0]
    assert "warn (1) is below critical (5)" in below[0]


def test_a_check_may_not_take_a_built_in_checks_name():
    config = parse_database_config(FLEET + PENDING.replace("pending-orders", "connections"))
    assert "'connections' is a built-in check" in config.problems[0]


def test_a_name_used_by_a_shared_and_a_database_check_keeps_the_shared_one():
    text = (
        PENDING
        + '[[database]]\nname = "orders"\nengine = "postgresql"\n'
        + '[[database.checks]]\nname = "pending-orders"\nsql = "SELECT 2"\ndescription = "again"\n'
    )
    config = parse_database_config(text, "databases.toml")
    assert config.problems == [
        "databases.toml database 'orders' check 'pending-orders'.name: used twice for this database "
        "(a [[checks]] entry has it too); names must be unique"
    ]
    [check] = config.database("orders").checks
    assert check.description == "Orders waiting for payment"


def test_a_limited_check_naming_a_database_of_another_engine_or_none_is_a_problem():
    text = FLEET + PENDING + 'databases = ["catalog", "nowhere"]\n'
    config = parse_database_config(text, "databases.toml")
    assert config.problems == [
        "databases.toml check 'pending-orders'.databases: not postgresql databases of this file: "
        "'catalog' (mariadb), 'nowhere' (not in this file)"
    ]


def test_a_database_check_on_an_exporter_source_is_refused():
    text = (
        '[[database]]\nname = "orders"\nengine = "postgresql"\nsource = "prometheus"\nselector = \'{job="pg"}\'\n'
        '[[database.checks]]\nname = "x"\nsql = "SELECT 1"\ndescription = "one"\n'
    )
    config = parse_database_config(text, "databases.toml")
    assert config.problems == [
        "databases.toml database 'orders'.checks: custom checks run SQL, so they need source = \"sql\" "
        "(not 'prometheus')"
    ]
    assert config.database("orders").checks == ()


def test_a_shared_check_leaves_out_databases_read_through_an_exporter():
    exporter = (
        '[[database]]\nname = "metrics-only"\nengine = "postgresql"\nsource = "prometheus"\nselector = \'{job="pg"}\'\n'
    )
    config = parse_database_config(FLEET + exporter + PENDING)
    assert config.problems == []
    assert checks_of(config, "metrics-only") == []


def test_the_readme_example_loads_without_problems():
    readme = (Path(__file__).resolve().parents[4] / "README.md").read_text()
    section = readme.split("#### Custom checks", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    config = parse_database_config('[[database]]\nname = "orders-primary"\nengine = "postgresql"\n' + example)
    assert config.problems == []
    assert [(d.name, [c.name for c in d.checks]) for d in config.databases] == [
        ("orders-primary", ["pending-orders"]),
        ("catalog", ["tables-without-primary-key"]),
    ]


def test_the_commented_example_of_the_example_config_loads_once_uncommented():
    text = DEFAULT_DATABASES_CONFIG.read_text()
    block = text.split("\n# [[checks]]\n", 1)[1].split("\n\n", 1)[0]
    uncommented = "[[checks]]\n" + "\n".join(line.removeprefix("# ") for line in block.splitlines())
    config = parse_database_config(text + "\n" + uncommented)
    assert config.problems == []
    assert [c.name for c in config.database("orders-primary").checks] == ["pending-orders"]
