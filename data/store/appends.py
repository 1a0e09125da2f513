"""Appending one record per form submission: the row carries the submission's key (a unique column), and its audit
line lands in the same transaction. A key stored before (a double click, or the browser's copy of a cleared form
sent again) writes nothing and raises the store's own "already recorded" error carrying the first record, also when
the two clicks race: the unique index refuses the second insert and the first one's row is read back.

The SLO reviews, the error-budget policy's decisions, the hand-entered deploys and the budget adjustments append
this way; each keeps its own table, record type and message."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from data.store.audit import audit_row, record_audits
from metrics.access import Actor


def stored_submission(engine: sa.Engine, table: sa.Table, submission_key: str | None) -> sa.Row | None:
    """The row stored under this submission key, if any (None for no key: a write without a form)."""
    if submission_key is None:
        return None
    with engine.connect() as connection:
        return connection.execute(sa.select(table).where(table.c.submission_key == submission_key)).first()


def append_once(
    engine: sa.Engine,
    table: sa.Table,
    values: Mapping[str, Any],
    *,
    submission_key: str | None,
    actor: Actor,
    entity: str,
    at: datetime,
    details: Mapping[str, Any],
    repeated: Callable[[sa.Row], Exception],
) -> int:
    """Insert ``values`` under ``submission_key`` and its "created" audit line (``entity``, the new id, ``details``)
    in one transaction; the new row's id. Raises ``repeated(first_row)`` when the key was stored before."""
    if (first := stored_submission(engine, table, submission_key)) is not None:
        raise repeated(first)
    try:
        with engine.begin() as connection:
            new_id = connection.execute(
                sa.insert(table).values({**values, "submission_key": submission_key})
            ).inserted_primary_key[0]
            record_audits(
                connection,
                [
                    audit_row(
                        actor=actor, action="created", entity=entity, entity_id=new_id, at=at, details=dict(details)
                    )
                ],
            )
    except sa.exc.IntegrityError:
        if (first := stored_submission(engine, table, submission_key)) is not None:  # the other click won the race
            raise repeated(first) from None
        raise
    return new_id
