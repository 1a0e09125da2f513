"""SLO reviews (issue 14, item 4): each review of an SLO (is the target still right, is the SLI still what users
feel) is a new row of ``slo_reviews`` that no statement can change or remove, on every engine, as 0007 guards the
tracker's review log: UPDATE and DELETE triggers everywhere, a BEFORE INSERT trigger against SQLite's
``INSERT OR REPLACE``, a TRUNCATE trigger on PostgreSQL, and on MariaDB/MySQL an empty ``slo_review_guards`` table
whose foreign key makes ``TRUNCATE`` refuse. A later review supersedes an earlier one.

``submission_key`` is the form submission's idempotency key (unique), so a double click records one review.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from data.store.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

MESSAGE = "slo_reviews is append-only: record a new review instead of changing one"


def _sqlite_upgrade() -> None:
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER slo_reviews_no_{event.lower()} BEFORE {event} ON slo_reviews "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    op.execute(
        "CREATE TRIGGER slo_reviews_no_replace BEFORE INSERT ON slo_reviews "
        "WHEN EXISTS (SELECT 1 FROM slo_reviews WHERE id = NEW.id) "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    )


def _postgresql_upgrade() -> None:
    op.execute(
        "CREATE FUNCTION slo_reviews_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
    )
    op.execute(
        "CREATE TRIGGER slo_reviews_append_only BEFORE UPDATE OR DELETE ON slo_reviews "
        "FOR EACH ROW EXECUTE FUNCTION slo_reviews_append_only()"
    )
    op.execute(
        "CREATE TRIGGER slo_reviews_no_truncate BEFORE TRUNCATE ON slo_reviews "
        "FOR EACH STATEMENT EXECUTE FUNCTION slo_reviews_append_only()"
    )


def _mysql_upgrade() -> None:
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER slo_reviews_no_{event.lower()} BEFORE {event} ON slo_reviews "
            f"FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{MESSAGE}'"
        )
    op.create_table(
        "slo_review_guards",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("slo_review_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["slo_review_id"], ["slo_reviews.id"], name="fk_slo_review_guards_slo_review_id"),
        sa.PrimaryKeyConstraint("id", name="pk_slo_review_guards"),
    )


def upgrade() -> None:
    op.create_table(
        "slo_reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("slo", sa.String(200), nullable=False),
        sa.Column("reviewed_at", UTCDateTime(), nullable=False),
        sa.Column("reviewed_by", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("target", sa.Double(), nullable=False),
        sa.Column("submission_key", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_slo_reviews"),
    )
    op.create_index("ix_slo_reviews_slo_reviewed_at", "slo_reviews", ["slo", "reviewed_at"])
    op.create_index("uq_slo_reviews_submission_key", "slo_reviews", ["submission_key"], unique=True)
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_upgrade()
    elif dialect == "postgresql":
        _postgresql_upgrade()
    elif dialect in ("mysql", "mariadb"):
        _mysql_upgrade()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS slo_reviews_no_truncate ON slo_reviews")
        op.execute("DROP TRIGGER IF EXISTS slo_reviews_append_only ON slo_reviews")
        op.execute("DROP FUNCTION IF EXISTS slo_reviews_append_only()")
    else:
        if dialect in ("mysql", "mariadb"):
            op.drop_table("slo_review_guards")
        names = ["slo_reviews_no_update", "slo_reviews_no_delete"]
        if dialect == "sqlite":
            names.append("slo_reviews_no_replace")
        for name in names:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("uq_slo_reviews_submission_key", table_name="slo_reviews")
    op.drop_index("ix_slo_reviews_slo_reviewed_at", table_name="slo_reviews")
    op.drop_table("slo_reviews")
