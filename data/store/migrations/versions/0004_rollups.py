"""Daily SLO rollups (issue 5): one row per local day and SLO, the history the trends page reads.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from data.store.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slo_daily_rollups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slo", sa.String(200), nullable=False),
        sa.Column("service", sa.String(200), nullable=False),
        sa.Column("target", sa.Double(), nullable=False),
        sa.Column("period_seconds", sa.Integer(), nullable=False),
        sa.Column("day_seconds", sa.Integer(), nullable=False),
        sa.Column("total", sa.Double(), nullable=True),
        sa.Column("bad", sa.Double(), nullable=True),
        sa.Column("error_ratio", sa.Double(), nullable=True),
        sa.Column("sli", sa.Double(), nullable=True),
        sa.Column("met_objective", sa.Boolean(), nullable=True),
        sa.Column("budget_consumed", sa.Double(), nullable=True),
        sa.Column("latency_p50", sa.Double(), nullable=True),
        sa.Column("latency_p95", sa.Double(), nullable=True),
        sa.Column("latency_p99", sa.Double(), nullable=True),
        sa.Column("latency_buckets", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("collected_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_slo_daily_rollups"),
        sa.UniqueConstraint("day", "slo", name="uq_slo_daily_rollups_day_slo"),
    )
    op.create_index("ix_slo_daily_rollups_service_day", "slo_daily_rollups", ["service", "day"])


def downgrade() -> None:
    op.drop_index("ix_slo_daily_rollups_service_day", table_name="slo_daily_rollups")
    op.drop_table("slo_daily_rollups")
