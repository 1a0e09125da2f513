"""Inserting rows that may already be there (a collector run twice, a claim two replicas race for), in each backend's
own words: ``ON CONFLICT DO NOTHING`` on PostgreSQL and SQLite, ``INSERT IGNORE`` on MariaDB/MySQL. A duplicate is
skipped inside the statement, so no transaction is lost to an IntegrityError and no lock is held for a failed row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

ROWS_PER_STATEMENT = 500  # well below SQLite's bound-parameter limit with a dozen columns per row


def insert_ignoring_duplicates_statement(dialect_name: str, table: sa.Table, key_columns: Sequence[str]) -> Any:
    if dialect_name in ("postgresql", "sqlite"):
        module = __import__(f"sqlalchemy.dialects.{dialect_name}", fromlist=["insert"])
        return module.insert(table).on_conflict_do_nothing(index_elements=list(key_columns))
    if dialect_name in ("mysql", "mariadb"):
        return sa.insert(table).prefix_with("IGNORE")
    raise NotImplementedError(f"no idempotent insert for {dialect_name}")


def insert_ignoring_duplicates(
    connection: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]], key_columns: Sequence[str]
) -> int:
    """Insert ``rows``, skipping those whose ``key_columns`` (a unique key) are stored already; how many were new."""
    if not rows:
        return 0
    name = connection.dialect.name
    statement = insert_ignoring_duplicates_statement(name, table, key_columns)
    inserted = 0
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = [dict(row) for row in rows[start : start + ROWS_PER_STATEMENT]]
        if name == "postgresql":  # psycopg reports no rowcount for skipped rows: count what RETURNING gives back
            returned = statement.values(chunk).returning(table.c[key_columns[0]])
            inserted += len(connection.execute(returned).all())
        else:
            inserted += max(connection.execute(statement.values(chunk)).rowcount, 0)
    return inserted
