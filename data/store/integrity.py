"""Reads what ``cli.py store check`` needs: the guards installed on this engine, the review log's item ids and the
history tables' ids. The conclusions are metrics.store.integrity's."""

from __future__ import annotations

import sqlalchemy as sa

from metrics.store.integrity import GUARD_TABLES, HISTORY_TABLES, StoreCheck, engine_family, store_check

_GUARD_QUERIES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
    "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal",
    "mysql": "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE()",
}


def installed_guards(connection: sa.Connection) -> set[str]:
    family = engine_family(connection.dialect.name)
    names = (
        {row[0] for row in connection.execute(sa.text(_GUARD_QUERIES[family]))} if family in _GUARD_QUERIES else set()
    )
    if family == "mysql":
        names |= {f"table {table}" for table in GUARD_TABLES if sa.inspect(connection).has_table(table)}
    return names


def check_store(engine: sa.Engine) -> StoreCheck:
    """One read-only transaction over the whole store, so the figures are of one moment."""
    with engine.connect() as connection:
        reviews = dict(connection.execute(sa.text("SELECT id, item_id FROM tracker_reviews")).all())
        items = connection.execute(sa.text("SELECT id FROM tracker_items")).scalars().all()
        history = {
            table: connection.execute(sa.text(f"SELECT id FROM {table}")).scalars().all() for table in HISTORY_TABLES
        }
        return store_check(connection.dialect.name, installed_guards(connection), reviews, items, history)
