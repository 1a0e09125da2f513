"""SLO budget adjustments (issue 14, item 1): windows whose events count neither as good nor as bad.

- ``slo_adjustments``: one row per adjustment: its category, reason, first window (``starts_at``, ``ends_at``), an
  optional RFC 5545 RRULE repeating that window, the SLOs it covers (names, services, a label selector), who entered
  it and when. ``version`` grows with every change, so an edit made on a stale copy is refused instead of silently
  overwriting someone else's. Removal is a soft delete (``removed_at``, ``removed_by``): the row stays, so what a
  past figure excluded can always be told. Every add, change and removal also writes the audit trail.
- ``submission_key`` is the form submission's idempotency key (unique), so a double click stores one adjustment.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from data.store.types import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slo_adjustments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("recurrence", sa.String(500), nullable=True),
        sa.Column("slos", sa.JSON(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("selector", sa.String(500), nullable=False),
        sa.Column("entered_by", sa.String(200), nullable=False),
        sa.Column("entered_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("removed_at", UTCDateTime(), nullable=True),
        sa.Column("removed_by", sa.String(200), nullable=True),
        sa.Column("submission_key", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_slo_adjustments"),
    )
    op.create_index("ix_slo_adjustments_removed_at", "slo_adjustments", ["removed_at"])
    op.create_index("uq_slo_adjustments_submission_key", "slo_adjustments", ["submission_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_slo_adjustments_submission_key", table_name="slo_adjustments")
    op.drop_index("ix_slo_adjustments_removed_at", table_name="slo_adjustments")
    op.drop_table("slo_adjustments")
