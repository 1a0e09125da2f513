"""Sequence values kept with each health snapshot, for the capacity forecast (issue 13, item 6).

- ``db_sequence_values``: per snapshot, the fullest sequences' (AUTO_INCREMENT's) last value and maximum, so a
  least-squares line over the last 28 days says when each runs out. Database sizes were already stored
  (``db_health_snapshots.size_bytes``); sequences were only judged, never kept.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from data.store.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "db_sequence_values",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("taken_at", UTCDateTime(), nullable=False),
        sa.Column("database", sa.String(200), nullable=False),
        sa.Column("sequence_name", sa.String(400), nullable=False),
        sa.Column("column_name", sa.String(400), nullable=True),
        sa.Column("last_value", sa.Float(), nullable=False),
        sa.Column("max_value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_db_sequence_values"),
        sa.UniqueConstraint(
            "taken_at", "database", "sequence_name", name="uq_db_sequence_values_taken_at_database_sequence_name"
        ),
    )
    op.create_index("ix_db_sequence_values_database_taken_at", "db_sequence_values", ["database", "taken_at"])


def downgrade() -> None:
    op.drop_index("ix_db_sequence_values_database_taken_at", table_name="db_sequence_values")
    op.drop_table("db_sequence_values")
