"""Alembic, driven from code: `migrate(url)` is safe to call at every start of the app or CLI."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from data.store.engine import engine_for, sqlite_file

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any constant works; it only has to be the same for every process migrating this database.
ADVISORY_LOCK_KEY = 7_326_410_915
MYSQL_LOCK_NAME = "reliability_dashboard_migrate"
LOCK_TIMEOUT_S = 120


def alembic_config() -> Config:
    """Alembic configuration without an ini file; the connection is handed over in `attributes`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"expected one Alembic head, found {heads}")
    return heads[0]


@contextlib.contextmanager
def _migration_lock(connection: sa.Connection, database_url: str | sa.URL) -> Iterator[None]:
    """Serialize concurrent migrations (two app starts at once): one upgrades, the other then finds head."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        path = sqlite_file(database_url)
        if path is None:  # in-memory: private to this process
            yield
            return
        with open(path.with_name(path.name + ".migrate.lock"), "a+") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
    elif dialect == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        try:
            yield
        finally:
            connection.rollback()
            connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
            connection.commit()
    elif dialect in ("mysql", "mariadb"):
        got = connection.execute(
            sa.text("SELECT GET_LOCK(:name, :timeout)"), {"name": MYSQL_LOCK_NAME, "timeout": LOCK_TIMEOUT_S}
        ).scalar()
        if got != 1:
            raise TimeoutError(f"could not take the migration lock within {LOCK_TIMEOUT_S} s")
        try:
            yield
        finally:
            connection.rollback()
            connection.execute(sa.text("SELECT RELEASE_LOCK(:name)"), {"name": MYSQL_LOCK_NAME})
            connection.commit()
    else:
        yield


def migrate(database_url: str | sa.URL) -> None:
    """Upgrade the database to the newest schema (Alembic `upgrade head`); a no-op when already there."""
    engine = engine_for(database_url)
    try:
        with engine.connect() as connection, _migration_lock(connection, database_url):
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
    finally:
        engine.dispose()


def current_revision(database_url: str | sa.URL) -> str | None:
    """The schema revision the database is at; None before the first migration."""
    engine = engine_for(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
