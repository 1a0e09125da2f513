"""What a daily rollup counts (issue 12): ``events`` for SLOs counting requests, ``slices`` for Timeslices and
RatioTimeslices SLOs, ``points`` for a threshold metric budgeted by Occurrences. Rows stored before this revision
counted events (only those SLOs were rolled up), which the column's default says. The trends page sums a service's
volume over the rows counting events only, so a day of 288 slices never reads as 288 requests.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("slo_daily_rollups") as batch:
        batch.add_column(sa.Column("counted", sa.String(10), nullable=False, server_default="events"))


def downgrade() -> None:
    with op.batch_alter_table("slo_daily_rollups") as batch:
        batch.drop_column("counted")
