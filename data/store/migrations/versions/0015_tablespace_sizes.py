"""Tablespace sizes kept with each health snapshot, for the capacity forecast (issue 13, item 6).

- ``db_tablespace_sizes``: per snapshot, each PostgreSQL tablespace's size (``pg_tablespace_size``; pg_global left
  out), so a least-squares line over the last 28 days says when each tablespace's disk (``tablespace_disk_size`` in
  databases.toml) fills. A tablespace the probe could not measure has no row in that snapshot.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from data.store.types import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "db_tablespace_sizes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("taken_at", UTCDateTime(), nullable=False),
        sa.Column("database", sa.String(200), nullable=False),
        sa.Column("tablespace_name", sa.String(200), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_db_tablespace_sizes"),
        sa.UniqueConstraint(
            "taken_at",
            "database",
            "tablespace_name",
            name="uq_db_tablespace_sizes_taken_at_database_tablespace_name",
        ),
    )
    op.create_index("ix_db_tablespace_sizes_database_taken_at", "db_tablespace_sizes", ["database", "taken_at"])


def downgrade() -> None:
    op.drop_index("ix_db_tablespace_sizes_database_taken_at", table_name="db_tablespace_sizes")
    op.drop_table("db_tablespace_sizes")
