"""Server entries (``discover = true``) against the real PostgreSQL and MariaDB: the listing finds the databases
created here and honours include/exclude, each found database is probed and stored like a listed one, the server's
connection budget holds (counted by the server itself, in pg_stat_activity), a server that cannot be listed is one
row without its password, and a fleet of 40 found databases answers within the deadline."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest

from data.databases import service
from data.databases.config import parse_database_config
from data.databases.fleet import probe_fleet
from data.databases.store import health_history
from data.settings import load_settings
from data.store import migrate
from metrics.databases.checks import ProbeState
from tests.support.actors import admin
from tests.support.servers import free_port
from tests.support.stores import run_cli

pytestmark = pytest.mark.integration
FOUND = 40
PASSWORD = "pw-never-shown-9"


@pytest.fixture(scope="module")
def pg_fleet(postgres_server) -> str:
    """40 databases <prefix>_00.._39 and one <prefix>_skip on the shared server; their common prefix."""
    prefix = f"disc_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(
        host="127.0.0.1", port=postgres_server.port, user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        connection.execute(f'CREATE DATABASE "{prefix}_template"')
        for name in [f"{prefix}_{i:02d}" for i in range(FOUND)] + [f"{prefix}_skip"]:
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{prefix}_template"')
    return prefix


def server_entry(engine: str, prefix: str, extra: str = "") -> str:
    return (
        f'[[database]]\nname = "main"\nengine = "{engine}"\ndiscover = true\nenvironment = "production"\n'
        f'owner = "dba-team"\ninclude = ["{prefix}_*"]\nexclude = ["{prefix}_skip", "{prefix}_template"]\n' + extra
    )


def settings_for(dsn: str, tmp_path, store: str | None = None):
    env = {"DB_DSN_MAIN": dsn}
    if store:
        env["DATABASE_URL"] = store
    return load_settings(env, secrets_file=tmp_path / "none.toml")


def pg_server_dsn(postgres_server) -> str:
    return f"postgresql://postgres:{PASSWORD}@127.0.0.1:{postgres_server.port}/postgres"  # trust ignores it


def test_postgres_discovery_finds_the_created_databases_within_include_and_exclude(postgres_server, pg_fleet, tmp_path):
    config = parse_database_config(
        server_entry("postgresql", pg_fleet).replace(f'["{pg_fleet}_*"]', f'["{pg_fleet}_0*", "{pg_fleet}_skip"]')
    )
    healths = probe_fleet(settings_for(pg_server_dsn(postgres_server), tmp_path), config, 20, with_store=False)
    assert [h.database for h in healths] == [f"main/{pg_fleet}_{i:02d}" for i in range(10)]  # skip: excluded
    assert {h.probe_state for h in healths} == {ProbeState.ANSWERED}
    assert {(h.environment, h.owner, h.server) for h in healths} == {("production", "dba-team", "main")}
    assert healths[0].probe.database_size_bytes > 0  # its own database's size, not the listing database's


def test_found_databases_are_stored_and_read_back_like_listed_ones(postgres_server, pg_fleet, tmp_path):
    store = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(store)
    config = parse_database_config(server_entry("postgresql", pg_fleet).replace("_*", "_0[0-2]"))
    settings = settings_for(pg_server_dsn(postgres_server), tmp_path, store)
    collection = service.collect_snapshots(settings, config, actor=admin(), deadline_s=20)
    assert (collection.stored, collection.answered) == (3, 3)
    name = f"main/{pg_fleet}_01"
    [row] = health_history(store, name, datetime.now(UTC) - timedelta(days=1))
    assert row["size_bytes"] > 0
    assert config.database(name).database_name == f"{pg_fleet}_01"  # the drill-down and the CLI find it by name

    # Store-only reads (no probe, no listing) know the entry's databases from their snapshots.
    found = [f"main/{pg_fleet}_0{i}" for i in range(3)]
    assert [t.name for t in service.stored_targets(settings, config)] == found
    assert list(service.capacity_forecasts(settings, config)) == found
    record = service.add_record(
        settings,
        config,
        actor=admin(),
        database=name,
        kind="backup_verified",
        done_on=date(2026, 11, 20),
        recorded_by="ada",
    )
    assert record.database == name
    staleness = service.record_staleness(
        config, service.records(settings), date(2026, 11, 24), targets=service.stored_targets(settings, config)
    )
    assert {database for database, _ in staleness} == set(found)


def test_the_server_connection_budget_holds_counted_by_the_server(postgres_server, pg_fleet, tmp_path):
    """Each probe's custom check sleeps a little and reads how many probe sessions the server has at that moment:
    never more than max_connections, and more than one (the budget is used, not serialised)."""
    check = (
        '[[database.checks]]\nname = "probe-sessions"\ndescription = "probe sessions on the server"\n'
        'sql = "SELECT count(*) FROM pg_stat_activity, pg_sleep(0.3) WHERE application_name = '
        "'reliability-dashboard-probe'\"\n"
    )
    config = parse_database_config(
        server_entry("postgresql", pg_fleet, "max_connections = 3\n" + check).replace("_*", "_0*")
    )
    assert config.problems == []
    healths = probe_fleet(settings_for(pg_server_dsn(postgres_server), tmp_path), config, 30, with_store=False)
    seen = [h.check("probe-sessions").value for h in healths]
    assert len(seen) == 10 and all(isinstance(v, (int, float)) for v in seen), [h.error for h in healths]
    assert 2 <= max(seen) <= 3


def test_a_server_that_cannot_be_listed_is_one_row_without_its_password(tmp_path):
    config = parse_database_config(server_entry("postgresql", "x"))
    dsn = f"postgresql://monitor:{PASSWORD}@127.0.0.1:{free_port()}/postgres"
    [health] = probe_fleet(settings_for(dsn, tmp_path), config, 5, with_store=False)
    assert health.database == "main" and health.status == "critical"
    assert health.error.startswith("cannot list databases: cannot connect to 127.0.0.1:")
    assert "connection refused" in health.error
    assert PASSWORD not in repr(health.to_dict())


def test_a_fleet_of_40_found_databases_answers_within_the_deadline(postgres_server, pg_fleet, tmp_path):
    config = parse_database_config("[probe]\ndeadline_seconds = 10\n" + server_entry("postgresql", pg_fleet))
    started = time.monotonic()
    healths = probe_fleet(settings_for(pg_server_dsn(postgres_server), tmp_path), config, with_store=False)
    elapsed = time.monotonic() - started
    assert len(healths) == FOUND
    assert [h.error for h in healths if h.probe_state is not ProbeState.ANSWERED] == []
    assert elapsed < 10


def test_mariadb_discovery_finds_the_created_databases_and_leaves_the_system_schemas_out(mariadb_server, tmp_path):
    prefix = f"disc_{uuid.uuid4().hex[:8]}"
    names = [f"{prefix}_a", f"{prefix}_b", f"{prefix}_skip"]
    for name in names:
        mariadb_server.create_database(name)
    dsn = f"mysql://root@127.0.0.1:{mariadb_server.port}/"
    healths = probe_fleet(
        settings_for(dsn, tmp_path), parse_database_config(server_entry("mariadb", prefix)), 20, with_store=False
    )
    assert [h.database for h in healths] == [f"main/{prefix}_a", f"main/{prefix}_b"]
    assert {h.probe_state for h in healths} == {ProbeState.ANSWERED}, [h.error for h in healths]
    assert {h.engine for h in healths} == {"mariadb"}

    everything = parse_database_config('[[database]]\nname = "main"\nengine = "mariadb"\ndiscover = true\n')
    found = {h.database for h in probe_fleet(settings_for(dsn, tmp_path), everything, 20, with_store=False)}
    assert {f"main/{name}" for name in names} <= found
    assert not found & {"main/mysql", "main/information_schema", "main/performance_schema", "main/sys"}


def test_mariadb_include_that_matches_nothing_says_so(mariadb_server, tmp_path):
    dsn = f"mysql://root@127.0.0.1:{mariadb_server.port}/"
    [health] = probe_fleet(
        settings_for(dsn, tmp_path),
        parse_database_config(server_entry("mariadb", "nothing_here")),
        10,
        with_store=False,
    )
    assert health.database == "main" and health.probe_state is ProbeState.NOT_CONFIGURED
    assert health.error.startswith("no database to watch: the server lists")


def test_the_cli_probes_one_found_database_by_its_name(postgres_server, pg_fleet, tmp_path, monkeypatch, capsys):
    path = tmp_path / "databases.toml"
    path.write_text(server_entry("postgresql", pg_fleet))
    env = {
        "DB_DSN_MAIN": pg_server_dsn(postgres_server),
        "DATABASES_CONFIG": str(path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "RELIABILITY_SECRETS_FILE": str(tmp_path / "none.toml"),
    }
    assert run_cli(monkeypatch, capsys, env, "migrate")[0] == 0
    name = f"main/{pg_fleet}_07"
    code, out, err = run_cli(monkeypatch, capsys, env, "db-health", "--database", name, "--format", "json")
    assert code in (0, 1), err
    assert json.loads(out)["database"] == name and json.loads(out)["checks"]
    assert PASSWORD not in out + err

    code, out, err = run_cli(monkeypatch, capsys, env, "db-health", "--database", "main", "--format", "json")
    assert len(json.loads(out)["databases"]) == FOUND  # the server entry: every database it found
