"""Database health: probe snapshots, table sizes, and DBA records (issue 3).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from data.store.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "db_health_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("taken_at", UTCDateTime(), nullable=False),
        sa.Column("database", sa.String(200), nullable=False),
        sa.Column("engine", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("connections_used", sa.Integer(), nullable=True),
        sa.Column("connections_max", sa.Integer(), nullable=True),
        sa.Column("cache_hit_ratio", sa.Float(), nullable=True),
        sa.Column("longest_query_s", sa.Float(), nullable=True),
        sa.Column("replication_lag_s", sa.Float(), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_db_health_snapshots"),
        sa.UniqueConstraint("taken_at", "database", name="uq_db_health_snapshots_taken_at_database"),
    )
    op.create_index("ix_db_health_snapshots_database_taken_at", "db_health_snapshots", ["database", "taken_at"])

    op.create_table(
        "db_table_sizes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("taken_at", UTCDateTime(), nullable=False),
        sa.Column("database", sa.String(200), nullable=False),
        sa.Column("table_name", sa.String(400), nullable=False),
        sa.Column("total_bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_db_table_sizes"),
        sa.UniqueConstraint(
            "taken_at", "database", "table_name", name="uq_db_table_sizes_taken_at_database_table_name"
        ),
    )
    op.create_index("ix_db_table_sizes_database_taken_at", "db_table_sizes", ["database", "taken_at"])

    op.create_table(
        "dba_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("database", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("link", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dba_records"),
    )
    op.create_index("ix_dba_records_database_kind_done_on", "dba_records", ["database", "kind", "done_on"])


def downgrade() -> None:
    op.drop_index("ix_dba_records_database_kind_done_on", table_name="dba_records")
    op.drop_table("dba_records")
    op.drop_index("ix_db_table_sizes_database_taken_at", table_name="db_table_sizes")
    op.drop_table("db_table_sizes")
    op.drop_index("ix_db_health_snapshots_database_taken_at", table_name="db_health_snapshots")
    op.drop_table("db_health_snapshots")
