"""Engines and sessions for the store: SQLite by default, PostgreSQL (or MySQL) for a team."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.secrets import SecretUrl, as_sqlalchemy_url

SQLITE_BUSY_TIMEOUT_MS = 30_000
STORE_CONNECT_TIMEOUT_S = 5


StoreUrl = str | sa.URL | SecretUrl  # text is read by data.secrets (the password runs to the last "@")


def sqlite_file(database_url: StoreUrl) -> Path | None:
    """The database file of a SQLite URL; None for other backends and in-memory databases."""
    url = as_sqlalchemy_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    """SQLite leaves foreign keys off and fails at once on a lock: turn both into sane defaults."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Readers (the app) do not block the collector's writes. WAL is a property of the file: switch it once;
        # asking again on every connection takes a lock that a concurrent migration may hold.
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:
                pass  # another process holds the lock right now; it will switch the file, or the next one will
    finally:
        cursor.close()


def engine_for(database_url: StoreUrl, **kwargs) -> sa.Engine:
    """Engine for a URL. For SQLite the file's directory is created and foreign keys are enforced.

    Engines hold connection pools: pages and long-lived callers use ``shared_engine``; a one-off command or a test
    that disposes its engine afterwards may call this directly.
    """
    path = sqlite_file(database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    url = as_sqlalchemy_url(database_url)
    if url.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)  # a restarted server leaves dead pooled connections
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        # libpq waits for ever on a server that does not answer: a store that is down must fail a page's write
        # in seconds, with a message, not hang it. The URL's own ?connect_timeout= wins.
        kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", STORE_CONNECT_TIMEOUT_S)
    engine = sa.create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _configure_sqlite_connection)
    return engine


_shared: dict[str, sa.Engine] = {}
_shared_lock = threading.Lock()


def shared_engine(database_url: StoreUrl) -> sa.Engine:
    """The process's one engine (one connection pool) for a store URL, whoever asks: every page, loader and
    repository of the app shares it, so a store never sees more pools than app processes."""
    url = as_sqlalchemy_url(database_url)
    key = url.render_as_string(hide_password=False)
    with _shared_lock:
        engine = _shared.get(key)
        if engine is None:
            engine = _shared[key] = engine_for(database_url)
        return engine


@contextlib.contextmanager
def session_scope(engine: sa.Engine) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
