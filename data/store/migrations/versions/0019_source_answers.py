"""Prometheus answers shared by every app process on the store (``data.slo.shared_answers``): a row per (source,
read) for the source's cache TTL, its answer NULL while the process that claimed it asks Prometheus.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from data.store.types import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_answers",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("answer", sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_source_answers_answered_at", "source_answers", ["answered_at"])


def downgrade() -> None:
    op.drop_index("ix_source_answers_answered_at", table_name="source_answers")
    op.drop_table("source_answers")
