"""The README's backup and restore, done for real: SQLite's online backup of a store in use, and pg_dump /
pg_restore of a PostgreSQL store; the restored store, migrated, exports exactly what the original exports, and the
review log is still append-only."""

from __future__ import annotations

import sqlite3
import subprocess
import uuid

import pytest
import sqlalchemy as sa

from data.store import engine_for
from tests.support.stores import run_cli

pytestmark = pytest.mark.integration

NOW = "2026-11-24T05:00:00Z"


@pytest.fixture
def cli(monkeypatch, capsys, tmp_path):
    def run(url: str, *args: str) -> str:
        env = {"DATABASE_URL": url, "RELIABILITY_NOW": NOW, "RELIABILITY_SECRETS_FILE": str(tmp_path / "none.toml")}
        code, out, err = run_cli(monkeypatch, capsys, env, *args)
        assert code == 0, err
        return out

    return run


def store_with_history(cli, url: str) -> str:
    """A store with the demo tracker items and their review logs; returns its JSON export."""
    cli(url, "migrate")
    cli(url, "tracker", "seed-demo")
    return cli(url, "tracker", "export", "--format", "json")


def assert_review_log_refuses_changes(url: str) -> None:
    engine = engine_for(url)
    try:
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(sa.text("UPDATE tracker_reviews SET reviewer = 'someone else'"))
    finally:
        engine.dispose()


def test_sqlite_online_backup_restores_the_same_store(cli, tmp_path):
    live = tmp_path / "var" / "reliability.db"
    exported = store_with_history(cli, f"sqlite:///{live}")
    backup = tmp_path / "var" / "backup.db"
    reader = sqlite3.connect(live)  # the app holds the store open meanwhile: the backup API copies it consistently
    try:
        with sqlite3.connect(backup) as target:
            reader.backup(target)  # what `sqlite3 var/reliability.db ".backup var/backup.db"` does
    finally:
        reader.close()
    with sqlite3.connect(backup) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    restored = f"sqlite:///{backup}"
    cli(restored, "migrate")
    assert cli(restored, "tracker", "export", "--format", "json") == exported
    assert_review_log_refuses_changes(restored)


def test_pg_dump_and_pg_restore_restore_the_same_store(cli, postgres_server, tmp_path):
    live = postgres_server.create_database(f"live_{uuid.uuid4().hex[:10]}")
    exported = store_with_history(cli, live)
    dump = tmp_path / "reliability.dump"
    plain = live.replace("postgresql+psycopg://", "postgresql://")
    subprocess.run(
        [str(postgres_server.bindir / "pg_dump"), "--format=custom", f"--file={dump}", plain],
        check=True,
        capture_output=True,
        timeout=120,
    )
    restored = postgres_server.create_database(f"restored_{uuid.uuid4().hex[:10]}")
    subprocess.run(
        [
            str(postgres_server.bindir / "pg_restore"),
            "--no-owner",
            f"--dbname={restored.replace('postgresql+psycopg://', 'postgresql://')}",
            str(dump),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    cli(restored, "migrate")
    assert cli(restored, "tracker", "export", "--format", "json") == exported
    assert_review_log_refuses_changes(restored)
