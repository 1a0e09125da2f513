"""Database health: probe snapshots and DBA records (issue 3).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Filled in by the database-health work; until then this revision changes nothing."""


def downgrade() -> None:
    """Nothing to undo yet."""
