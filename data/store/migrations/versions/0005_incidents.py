"""Incidents (issue 5, item 2): entered through a form or imported from CSV; recovery times on the trends page.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from data.store.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        sa.Column("service", sa.String(200), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("started", UTCDateTime(), nullable=False),
        sa.Column("detected", UTCDateTime(), nullable=True),
        sa.Column("acknowledged", UTCDateTime(), nullable=True),
        sa.Column("resolved", UTCDateTime(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("postmortem_url", sa.String(500), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_incidents"),
        sa.UniqueConstraint("reference", name="uq_incidents_reference"),
    )
    op.create_index("ix_incidents_started", "incidents", ["started"])


def downgrade() -> None:
    op.drop_index("ix_incidents_started", table_name="incidents")
    op.drop_table("incidents")
