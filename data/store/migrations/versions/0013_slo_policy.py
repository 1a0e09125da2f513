"""Error-budget policy (issue 14, item 3): the policies and the decisions taken under them.

- ``slo_policies``: one row per scope (a service, or ``*`` for all services): the agreed actions, the thresholds
  (budget spent for at risk and for freeze, one incident's share of the budget that requires a postmortem), the
  approver, approval and revisit dates, and the revisit-tracker item that brings the policy back on its revisit
  date. ``version`` counts the saves: an edit made on an older version is refused, never merged over.
- ``slo_policy_decisions``: freeze, exception granted, postmortem required, freeze lifted, with who, why, when and
  the service; append-only on every engine as 0010 guards the SLO review log (UPDATE and DELETE triggers, a BEFORE
  INSERT trigger against SQLite's ``INSERT OR REPLACE``, a TRUNCATE trigger on PostgreSQL, and on MariaDB/MySQL an
  empty ``slo_policy_decision_guards`` table whose foreign key makes ``TRUNCATE`` refuse). ``submission_key`` is
  the form submission's idempotency key (unique): a double click records one decision.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from data.store.types import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLE = "slo_policy_decisions"
MESSAGE = "slo_policy_decisions is append-only: record a new decision instead of changing one"


def _sqlite_upgrade() -> None:
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_{event.lower()} BEFORE {event} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    op.execute(
        f"CREATE TRIGGER {TABLE}_no_replace BEFORE INSERT ON {TABLE} "
        f"WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id) "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    )


def _postgresql_upgrade() -> None:
    op.execute(
        f"CREATE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()"
    )
    op.execute(
        f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()"
    )


def _mysql_upgrade() -> None:
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_{event.lower()} BEFORE {event} ON {TABLE} "
            f"FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{MESSAGE}'"
        )
    op.create_table(
        "slo_policy_decision_guards",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["decision_id"], [f"{TABLE}.id"], name="fk_slo_policy_decision_guards_decision_id"),
        sa.PrimaryKeyConstraint("id", name="pk_slo_policy_decision_guards"),
    )


def upgrade() -> None:
    op.create_table(
        "slo_policies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("at_risk_spent", sa.Double(), nullable=False),
        sa.Column("freeze_spent", sa.Double(), nullable=False),
        sa.Column("postmortem_share", sa.Double(), nullable=False),
        sa.Column("approver", sa.String(200), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("revisit_on", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("tracker_item_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_slo_policies"),
        sa.UniqueConstraint("scope", name="uq_slo_policies_scope"),
    )
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("incident", sa.String(200), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("submission_key", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_slo_policy_decisions"),
    )
    op.create_index("ix_slo_policy_decisions_service_decided_at", TABLE, ["service", "decided_at"])
    op.create_index("uq_slo_policy_decisions_submission_key", TABLE, ["submission_key"], unique=True)
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
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
        op.execute(f"DROP FUNCTION IF EXISTS {TABLE}_append_only()")
    else:
        if dialect in ("mysql", "mariadb"):
            op.drop_table("slo_policy_decision_guards")
        names = [f"{TABLE}_no_update", f"{TABLE}_no_delete"]
        if dialect == "sqlite":
            names.append(f"{TABLE}_no_replace")
        for name in names:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("uq_slo_policy_decisions_submission_key", table_name=TABLE)
    op.drop_index("ix_slo_policy_decisions_service_decided_at", table_name=TABLE)
    op.drop_table(TABLE)
    op.drop_table("slo_policies")
