"""Revisit tracker: items (with a version column for optimistic locking) and the append-only review log.

The review log refuses UPDATE and DELETE in the database itself (triggers on SQLite, PostgreSQL and MySQL/MariaDB),
so not even a hand-written SQL statement can rewrite history: a later review corrects an earlier one.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from data.store.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY_MESSAGE = "tracker_reviews is append-only: record a new review instead of changing one"


def upgrade() -> None:
    op.create_table(
        "tracker_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("problem_statement", sa.Text(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("owner_role", sa.String(10), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("impact", sa.String(10), nullable=False),
        sa.Column("urgency", sa.String(10), nullable=False),
        sa.Column("why_parked_category", sa.String(20), nullable=False),
        sa.Column("why_parked", sa.Text(), nullable=False),
        sa.Column("workaround", sa.Text(), nullable=False),
        sa.Column("workaround_holds", sa.Boolean(), nullable=True),
        sa.Column("root_cause_confidence", sa.String(20), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("revisit_on", sa.Date(), nullable=True),
        sa.Column("cadence_days", sa.Integer(), nullable=True),
        sa.Column("last_reviewed_at", UTCDateTime(), nullable=True),
        sa.Column("resolution_code", sa.String(20), nullable=True),
        sa.Column("external_reference", sa.String(500), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("slos", sa.JSON(), nullable=False),
        sa.Column("databases", sa.JSON(), nullable=False),
        sa.Column("triggers", sa.JSON(), nullable=False),
        sa.Column("due_reason", sa.JSON(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tracker_items"),
    )
    op.create_index("ix_tracker_items_state", "tracker_items", ["state"])

    op.create_table(
        "tracker_reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", UTCDateTime(), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("what_changed", sa.Text(), nullable=False),
        sa.Column("next_revisit_on", sa.Date(), nullable=True),
        sa.Column("state_before", sa.String(20), nullable=False),
        sa.Column("state_after", sa.String(20), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["tracker_items.id"], name="fk_tracker_reviews_item_id_tracker_items"),
        sa.PrimaryKeyConstraint("id", name="pk_tracker_reviews"),
    )
    op.create_index("ix_tracker_reviews_item_id_reviewed_at", "tracker_reviews", ["item_id", "reviewed_at"])

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER tracker_reviews_no_{event.lower()} BEFORE {event} ON tracker_reviews "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION tracker_reviews_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER tracker_reviews_append_only BEFORE UPDATE OR DELETE ON tracker_reviews "
            "FOR EACH ROW EXECUTE FUNCTION tracker_reviews_append_only()"
        )
        op.execute(
            "CREATE TRIGGER tracker_reviews_no_truncate BEFORE TRUNCATE ON tracker_reviews "
            "FOR EACH STATEMENT EXECUTE FUNCTION tracker_reviews_append_only()"
        )
    elif dialect in ("mysql", "mariadb"):
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER tracker_reviews_no_{event.lower()} BEFORE {event} ON tracker_reviews "
                f"FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{APPEND_ONLY_MESSAGE}'"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tracker_reviews_no_truncate ON tracker_reviews")
        op.execute("DROP TRIGGER IF EXISTS tracker_reviews_append_only ON tracker_reviews")
        op.execute("DROP FUNCTION IF EXISTS tracker_reviews_append_only()")
    elif dialect in ("sqlite", "mysql", "mariadb"):
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS tracker_reviews_no_{event}")
    op.drop_index("ix_tracker_reviews_item_id_reviewed_at", table_name="tracker_reviews")
    op.drop_table("tracker_reviews")
    op.drop_index("ix_tracker_items_state", table_name="tracker_items")
    op.drop_table("tracker_items")
