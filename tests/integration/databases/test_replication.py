"""Streaming replication on real PostgreSQL: a replica made with pg_basebackup from the session's cluster.

A cut-off replica must not look caught up: its WAL receiver stops, and the check says so as critical.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from data.databases.config import load_database_config
from data.databases.fleet import probe_fleet
from data.settings import load_settings
from tests.support.servers import PostgresServer, _as_postgres_user, free_port, running_as_root

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def replica(postgres_server) -> Iterator[PostgresServer]:
    base_dir = Path(tempfile.mkdtemp(prefix="pg-replica-"))
    server = PostgresServer(
        port=free_port(), base_dir=base_dir, bindir=postgres_server.bindir, database=postgres_server.database
    )
    server.socket_dir.mkdir()
    if running_as_root():
        shutil.chown(base_dir, "postgres", "postgres")
        shutil.chown(server.socket_dir, "postgres", "postgres")
    try:
        subprocess.run(
            _as_postgres_user(
                [
                    str(server.bindir / "pg_basebackup"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(postgres_server.port),
                    "-U",
                    "postgres",
                    "-D",
                    str(server.data_dir),
                    "-R",
                    "-X",
                    "stream",
                    "--no-sync",
                    "--checkpoint=fast",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=120,
            cwd=base_dir,
        )
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base_dir, ignore_errors=True)


def replication_check(url: str, role: str, tmp_path):
    path = tmp_path / "databases.toml"
    path.write_text(f'[[database]]\nname = "node"\nengine = "postgresql"\nrole = "{role}"\n')
    settings = load_settings({"DB_DSN_NODE": url}, secrets_file=tmp_path / "none.toml")
    [health] = probe_fleet(settings, load_database_config(path), 10, with_store=False)
    return health.check("replication_lag")


def wait_for(read, statuses: set[str], timeout_s: float = 30, caught_up: bool = False):
    """Until the check is in one of ``statuses`` (and, with ``caught_up``, the replica has replayed all it
    received: WAL the primary writes on its own, a checkpoint or autovacuum, is a moment of lag that passes)."""
    deadline = time.monotonic() + timeout_s
    while True:
        check = read()
        if check.status in statuses and (not caught_up or check.value == 0):
            return check
        if time.monotonic() > deadline:
            raise AssertionError(f"replication_lag stayed {check.status}: {check.detail}")
        time.sleep(0.5)


def test_a_streaming_replica_is_caught_up_and_its_primary_lists_it(replica, postgres_server, tmp_path):
    check = wait_for(lambda: replication_check(replica.url, "replica", tmp_path), {"ok"}, caught_up=True)
    assert check.value == 0 and "behind its primary" in check.detail
    primary = replication_check(postgres_server.url, "primary", tmp_path)
    assert primary.status == "ok" and primary.detail.startswith("1 replica(s) attached")


def test_a_replica_cut_off_from_its_primary_is_critical_not_caught_up_and_recovers(replica, tmp_path):
    admin = psycopg.connect(replica.url.replace("+psycopg", ""), autocommit=True)
    original = admin.execute("SHOW primary_conninfo").fetchone()[0]
    admin.execute(f"ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port={free_port()} user=postgres'")
    admin.execute("SELECT pg_reload_conf()")
    try:
        check = wait_for(lambda: replication_check(replica.url, "replica", tmp_path), {"critical"})
        assert "replication is stopped" in check.detail
    finally:
        admin.execute("ALTER SYSTEM SET primary_conninfo = %s" % psycopg.sql.quote(original))
        admin.execute("SELECT pg_reload_conf()")
        admin.close()
    wait_for(lambda: replication_check(replica.url, "replica", tmp_path), {"ok"})
