"""What an SLO counted when its day was rolled up (``metrics.trends.rollups.counted_fingerprint``): a long window
sums stored days only when they counted the SLO's queries as they are now, and the collector collects a day stored
under other queries again. Rows stored before this revision keep NULL, read as they were.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("slo_daily_rollups") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("slo_daily_rollups") as batch:
        batch.drop_column("fingerprint")
