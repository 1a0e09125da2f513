"""Custom SQL checks against real PostgreSQL and MariaDB servers.

Each engine gets a database of its own with a ``widgets`` table of known rows, and a databases.toml with a good value
check, a good rows check, and checks that fail (a syntax error), write (INSERT, CREATE TABLE) or sleep past the
probe's 1-second statement timeout. One probe through ``probe_fleet`` reads them all, as the page and the CLI do;
each test states one thing about that probe. What the good checks should find is derived from the rows the test
inserted, not from the probe.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import psycopg
import pymysql
import pytest
from sqlalchemy.engine import make_url

from data.databases.config import load_database_config
from data.databases.fleet import probe_fleet
from data.databases.probes.mysql import probe_mysql
from data.databases.probes.postgres import probe_postgres
from data.settings import load_settings
from metrics.databases.checks import CHECK_IDS, DatabaseHealth, ProbeState, Thresholds
from metrics.databases.custom import CustomCheck

pytestmark = pytest.mark.integration
NAME = "under-test"
WIDGETS = ["spare-bolt", "gear", "spare-nut", "axle", "spare-pin", "lever", "spring"]
SPARES = [w for w in WIDGETS if w.startswith("spare")]
WRITTEN = "written by a check"


@dataclass(frozen=True)
class Engine:
    name: str
    create_table: str
    slow_sql: str
    insert_sql: str


ENGINES = {
    "postgresql": Engine(
        "postgresql",
        "CREATE TABLE widgets (id serial PRIMARY KEY, name text NOT NULL)",
        "SELECT pg_sleep(5)",
        f"INSERT INTO widgets (name) VALUES ('{WRITTEN}') RETURNING id",
    ),
    "mariadb": Engine(
        "mariadb",
        "CREATE TABLE widgets (id int AUTO_INCREMENT PRIMARY KEY, name varchar(100) NOT NULL) ENGINE=InnoDB",
        "SELECT SLEEP(5)",
        f"INSERT INTO widgets (name) VALUES ('{WRITTEN}')",
    ),
}


class Target:
    """One engine's test database: its SQLAlchemy URL and a superuser connection for setup and for looking."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine, self.url = engine, url
        if engine.name == "postgresql":
            self.connection = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
        else:
            parsed = make_url(url)
            self.connection = pymysql.connect(
                host=parsed.host, port=parsed.port, user=parsed.username, database=parsed.database, autocommit=True
            )

    def execute(self, statement: str) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(statement)

    def scalar(self, statement: str):
        with self.connection.cursor() as cursor:
            cursor.execute(statement)
            return cursor.fetchone()[0]

    def table_exists(self, table: str) -> bool:
        schema = "current_schema()" if self.engine.name == "postgresql" else "DATABASE()"
        return bool(
            self.scalar(
                f"SELECT count(*) FROM information_schema.tables WHERE table_schema = {schema} "
                f"AND table_name = '{table}'"
            )
        )


def config_text(engine: Engine, probe: str = "statement_timeout_seconds = 1\ndeadline_seconds = 20") -> str:
    """The fleet of one database, with shared [[checks]] of its engine and one [[database.checks]] of its own."""
    return f"""
[probe]
{probe}

[[checks]]
name = "widget-count"
title = "Widgets in stock"
engine = "{engine.name}"
sql = "SELECT count(*) FROM widgets"
unit = "widgets"
description = "Widgets on the shelf"
action = "Ship some widgets"
warn = 5
critical = {len(WIDGETS)}

[[checks]]
name = "broken"
engine = "{engine.name}"
sql = "SELEC count(*) FROM widgets"
description = "A check with a typo"

[[checks]]
name = "inserts"
engine = "{engine.name}"
sql = "{engine.insert_sql}"
description = "A check that tries to write a row"

[[checks]]
name = "creates"
engine = "{engine.name}"
sql = "CREATE TABLE made_by_a_check (id int)"
description = "A check that tries to create a table"

[[checks]]
name = "sleeps"
engine = "{engine.name}"
sql = "{engine.slow_sql}"
description = "A check slower than the probe's statement timeout"

[[database]]
name = "{NAME}"
engine = "{engine.name}"

[[database.checks]]
name = "spare-parts"
sql = "SELECT id, name FROM widgets WHERE name LIKE 'spare%' ORDER BY id"
kind = "rows"
description = "Spare parts listed"
warn = 1
critical = 100
"""


def health_of(url: str, text: str, directory) -> DatabaseHealth:
    path = directory / "databases.toml"
    path.write_text(text)
    config = load_database_config(path)
    assert config.problems == []
    settings = load_settings({"DB_DSN_UNDER_TEST": url}, secrets_file=directory / "no-secrets.toml")
    [health] = probe_fleet(settings, config, with_store=False)
    return health


@pytest.fixture(scope="module", params=list(ENGINES))
def target(request) -> Target:
    engine = ENGINES[request.param]
    server = request.getfixturevalue("postgres_server" if engine.name == "postgresql" else "mariadb_server")
    target = Target(engine, server.create_database(f"custom_{uuid.uuid4().hex[:10]}"))
    target.execute(engine.create_table)
    for widget in WIDGETS:
        target.execute(f"INSERT INTO widgets (name) VALUES ('{widget}')")
    yield target
    target.connection.close()


@pytest.fixture(scope="module")
def probed(target, tmp_path_factory) -> tuple[Target, DatabaseHealth]:
    """One probe of the database with every custom check, as the page and ``cli.py db-health`` run it."""
    return target, health_of(target.url, config_text(target.engine), tmp_path_factory.mktemp("custom"))


def test_a_value_check_shows_the_count_of_rows_the_test_inserted_and_its_status(probed):
    _, health = probed
    check = health.check("widget-count")
    assert (check.status, check.value, check.title) == ("critical", float(len(WIDGETS)), "Widgets in stock")
    assert check.detail.startswith(f"{len(WIDGETS)} widgets (warn ≥ 5, critical ≥ {len(WIDGETS)}). Widgets on")
    assert check.action == "Ship some widgets"


def test_a_rows_check_counts_the_rows_returned_and_lists_them(probed):
    _, health = probed
    check = health.check("spare-parts")
    assert (check.status, check.value) == ("warn", float(len(SPARES)))
    assert [item["name"] for item in check.items] == SPARES


def test_a_check_with_a_syntax_error_cannot_tell_and_shows_the_servers_reason(probed):
    _, health = probed
    check = health.check("broken")
    assert check.status == "unknown" and check.value is None
    assert check.detail.startswith("cannot tell: ") and "syntax" in check.detail.lower()


def test_an_inserting_check_is_refused_by_the_read_only_transaction_and_the_row_does_not_exist(probed):
    target, health = probed
    check = health.check("inserts")
    assert check.status == "unknown"
    assert "tries to write; the read-only transaction refused it" in check.detail
    assert target.scalar(f"SELECT count(*) FROM widgets WHERE name = '{WRITTEN}'") == 0
    assert target.scalar("SELECT count(*) FROM widgets") == len(WIDGETS)


def test_a_creating_check_is_refused_and_no_table_is_created(probed):
    target, health = probed
    check = health.check("creates")
    assert check.status == "unknown" and "tries to write" in check.detail
    assert not target.table_exists("made_by_a_check")


def test_a_check_slower_than_the_statement_timeout_cannot_tell_and_says_so(probed):
    _, health = probed
    check = health.check("sleeps")
    assert check.status == "unknown"
    assert "the query ran past its statement timeout of 1 s" in check.detail


def test_the_built_in_checks_still_report_beside_the_failing_custom_checks(probed):
    target, health = probed
    assert health.probe_state is ProbeState.ANSWERED and health.error is None
    built_in = {c.id: c for c in health.checks if c.id in CHECK_IDS}
    assert built_in["up"].status == "ok" and built_in["connections"].status == "ok"
    assert {"connections", "cache_hit_ratio", "sequences", "database_size"} <= built_in.keys()
    assert built_in["database_size"].value > 0
    custom = [c.id for c in health.checks if c.id not in CHECK_IDS]
    assert custom == ["widget-count", "broken", "inserts", "creates", "sleeps", "spare-parts"]


def test_the_database_status_is_the_worst_of_its_checks_custom_ones_included(probed):
    _, health = probed
    assert health.status == "critical"
    assert [c.id for c in health.checks if c.status == "critical"] == ["widget-count"]


def test_a_second_statement_that_skips_the_config_check_is_refused_by_the_server(target):
    smuggled = "smuggled by a second statement"
    check = CustomCheck(
        "two", target.engine.name, f"SELECT 1; INSERT INTO widgets (name) VALUES ('{smuggled}')", "two statements"
    )
    probe = probe_postgres if target.engine.name == "postgresql" else probe_mysql
    data = probe(target.url, Thresholds(), statement_timeout_s=2, custom_checks=(check,))
    assert data.custom["two"].error is not None
    assert target.scalar(f"SELECT count(*) FROM widgets WHERE name = '{smuggled}'") == 0


def test_a_slow_check_is_cut_short_so_the_probe_answers_within_the_fleet_deadline(target, tmp_path):
    text = config_text(target.engine, probe="statement_timeout_seconds = 10\ndeadline_seconds = 4")
    started = time.monotonic()
    health = health_of(target.url, text, tmp_path)
    elapsed = time.monotonic() - started
    assert health.probe_state is ProbeState.ANSWERED and health.check("up").status == "ok"
    assert health.check("widget-count").value == float(len(WIDGETS))
    assert health.check("sleeps").status == "unknown"
    assert "ran past its statement timeout" in health.check("sleeps").detail
    assert elapsed < 4
