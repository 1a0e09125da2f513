"""Statement history: the top statements' cumulative counters kept with each health snapshot (issue 13, item 3).

- ``db_statement_snapshots``: per snapshot, the top statements by total time from ``pg_stat_statements`` or
  ``performance_schema.events_statements_summary_by_digest`` (queryid or digest, normalised text, calls, total
  time, rows) and the server's reset time for them (``counted_since``, text: ``pg_stat_statements_info.stats_reset``
  or the digest's ``FIRST_SEEN``). The counters only grow until a reset, so the deltas between snapshots say what
  each statement cost in a window; the slow statements check only ever saw the totals since the last reset.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from data.store.types import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "db_statement_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("taken_at", UTCDateTime(), nullable=False),
        sa.Column("database", sa.String(200), nullable=False),
        sa.Column("statement_key", sa.String(100), nullable=False),
        sa.Column("query_text", sa.Text(), nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.Column("total_time_ms", sa.Float(), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("counted_since", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_db_statement_snapshots"),
        sa.UniqueConstraint(
            "taken_at",
            "database",
            "statement_key",
            name="uq_db_statement_snapshots_taken_at_database_statement_key",
        ),
    )
    op.create_index("ix_db_statement_snapshots_database_taken_at", "db_statement_snapshots", ["database", "taken_at"])


def downgrade() -> None:
    op.drop_index("ix_db_statement_snapshots_database_taken_at", table_name="db_statement_snapshots")
    op.drop_table("db_statement_snapshots")
