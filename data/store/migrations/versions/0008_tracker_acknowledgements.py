"""Work that is never undone (issue 11, item 1): acknowledged triggers and one record per form submission.

- ``tracker_acknowledgements``: a review that keeps an item parked while a trigger fires keeps what it saw (the
  trigger, its reading, the level that fires again, until when), so the revisit check does not mark the item due
  again in the same second. Written with the review, in its transaction; a later review's acknowledgement of the
  same trigger supersedes it.
- ``tracker_submissions``: the idempotency key of each create or review form submission, unique, stored with the
  write, so a double click stores one record and the second submit is refused as already saved.

The append-only guards of 0003 and 0007 are left as they are. ``review_id`` names the review without a foreign key:
one onto ``tracker_reviews`` would make PostgreSQL refuse ``TRUNCATE tracker_reviews`` for the reference before
the append-only trigger can say why (the review log's own guard must stay the one that answers). The column is
``until_on``, not ``until``: UNTIL is a reserved word in MariaDB.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from data.store.types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tracker_acknowledgements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.JSON(), nullable=False),
        sa.Column("reading", sa.JSON(), nullable=True),
        sa.Column("worse_level", sa.JSON(), nullable=True),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_on", sa.Date(), nullable=False),
        sa.Column("until_on", sa.Date(), nullable=True),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["tracker_items.id"], name="fk_tracker_acknowledgements_item_id_tracker_items"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tracker_acknowledgements"),
    )
    op.create_index(
        "ix_tracker_acknowledgements_item_id_acknowledged_at",
        "tracker_acknowledgements",
        ["item_id", "acknowledged_at"],
    )
    op.create_table(
        "tracker_submissions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("submission_key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tracker_submissions"),
        sa.UniqueConstraint("submission_key", name="uq_tracker_submissions_submission_key"),
    )


def downgrade() -> None:
    op.drop_table("tracker_submissions")
    op.drop_table("tracker_acknowledgements")
