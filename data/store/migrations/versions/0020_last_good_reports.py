"""The last good SLO report of each panel (``data.slo.kept_reports``), so a restarted process or another replica
shows it, marked stale, while its source fails: a row per panel with the report's inputs as JSON.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from data.store.types import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "last_good_reports",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("read_at", UTCDateTime(), nullable=False),
        sa.Column("inputs", sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("last_good_reports")
