"""Which of many values a column already holds, in statements every engine accepts.

PostgreSQL's protocol binds at most 65,535 parameters in one statement, so ``column IN (...)`` with the ids of a
large import failed there; SQLite's and MariaDB's limits are higher but finite too. Lookups go in batches."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

LOOKUP_BATCH = 10_000


def existing_values(connection: sa.Connection, column: sa.Column, values: Iterable[Any]) -> set[Any]:
    """The subset of ``values`` found in ``column``, read ``LOOKUP_BATCH`` values per statement."""
    wanted = list(dict.fromkeys(values))
    found: set[Any] = set()
    for start in range(0, len(wanted), LOOKUP_BATCH):
        batch = wanted[start : start + LOOKUP_BATCH]
        found.update(connection.execute(sa.select(column).where(column.in_(batch))).scalars())
    return found
