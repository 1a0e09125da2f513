"""History that cannot be rewritten (issue 16, item 4): the review log and the audit trail refuse every statement
that changes or removes a row, on every engine.

0003 refused UPDATE and DELETE on the review log. That left ways round it, found by trying them:

- SQLite's ``INSERT OR REPLACE`` / ``REPLACE INTO`` deletes the row it replaces without firing DELETE triggers
  (they fire for REPLACE only with ``PRAGMA recursive_triggers``): a BEFORE INSERT trigger now refuses a row whose
  id is already taken.
- MariaDB's ``TRUNCATE`` fires no trigger, but it refuses to empty a table that a foreign key references:
  ``append_only_guards`` references both logs and stays empty.
- Deleting a tracker item with foreign keys switched off (SQLite's default in a plain shell, MariaDB's
  ``foreign_key_checks = 0``) left its reviews orphaned: a trigger now refuses to delete an item that has reviews.
- The audit trail had no guard at all: it gets the review log's (UPDATE, DELETE, replace, TRUNCATE).

Upserts (``ON CONFLICT DO UPDATE``, ``ON DUPLICATE KEY UPDATE``) go through the UPDATE triggers. An operator with
the database owner's rights can still drop a trigger; ``cli.py store check`` reports a missing guard.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

AUDIT_MESSAGE = "audit_log is append-only: an audit entry is never changed or removed"
REVIEWS_MESSAGE = "tracker_reviews is append-only: record a new review instead of changing one"
PARENT_MESSAGE = "tracker_items with reviews cannot be deleted: the review log is append-only"


def _sqlite_upgrade() -> None:
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
            f"BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END"
        )
    for table, message in (("audit_log", AUDIT_MESSAGE), ("tracker_reviews", REVIEWS_MESSAGE)):
        op.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
    op.execute(
        "CREATE TRIGGER tracker_items_keep_reviewed BEFORE DELETE ON tracker_items "
        "WHEN EXISTS (SELECT 1 FROM tracker_reviews WHERE item_id = OLD.id) "
        f"BEGIN SELECT RAISE(ABORT, '{PARENT_MESSAGE}'); END"
    )


def _postgresql_upgrade() -> None:
    op.execute(
        "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{AUDIT_MESSAGE}'; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
    )
    op.execute(
        "CREATE FUNCTION tracker_items_keep_reviewed() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF EXISTS (SELECT 1 FROM tracker_reviews WHERE item_id = OLD.id) THEN "
        f"RAISE EXCEPTION '{PARENT_MESSAGE}'; END IF; RETURN OLD; END $$"
    )
    op.execute(
        "CREATE TRIGGER tracker_items_keep_reviewed BEFORE DELETE ON tracker_items "
        "FOR EACH ROW EXECUTE FUNCTION tracker_items_keep_reviewed()"
    )


def _mysql_upgrade() -> None:
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
            f"FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{AUDIT_MESSAGE}'"
        )
    op.execute(
        "CREATE TRIGGER tracker_items_keep_reviewed BEFORE DELETE ON tracker_items FOR EACH ROW "
        "BEGIN IF EXISTS (SELECT 1 FROM tracker_reviews WHERE item_id = OLD.id) THEN "
        f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{PARENT_MESSAGE}'; END IF; END"
    )
    op.create_table(
        "append_only_guards",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tracker_review_id", sa.Integer(), nullable=True),
        sa.Column("audit_log_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tracker_review_id"], ["tracker_reviews.id"], name="fk_append_only_guards_tracker_review_id"
        ),
        sa.ForeignKeyConstraint(["audit_log_id"], ["audit_log.id"], name="fk_append_only_guards_audit_log_id"),
        sa.PrimaryKeyConstraint("id", name="pk_append_only_guards"),
    )


def upgrade() -> None:
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
        op.execute("DROP TRIGGER IF EXISTS tracker_items_keep_reviewed ON tracker_items")
        op.execute("DROP FUNCTION IF EXISTS tracker_items_keep_reviewed()")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
        return
    if dialect in ("mysql", "mariadb"):
        op.drop_table("append_only_guards")
    names = ["audit_log_no_update", "audit_log_no_delete", "tracker_items_keep_reviewed"]
    if dialect == "sqlite":
        names += ["audit_log_no_replace", "tracker_reviews_no_replace"]
    for name in names:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
