"""Deploys entered by hand (issue 14, item 2): the deploy annotations on the SLO and trends charts.

- ``slo_deploys``: one row per deploy: the service, when it happened, the version and a description, who entered it
  and when. Append-only on every engine as 0013 guards the policy's decisions (UPDATE and DELETE triggers, a BEFORE
  INSERT trigger against SQLite's ``INSERT OR REPLACE``, a TRUNCATE trigger on PostgreSQL, and on MariaDB/MySQL an
  empty ``slo_deploy_guards`` table whose foreign key makes ``TRUNCATE`` refuse): a deploy entered by mistake is
  corrected by entering the right one, and what was on the charts can always be told. ``submission_key`` is the
  form submission's idempotency key (unique): a double click records one deploy. Every entry is also in the audit
  trail.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from data.store.types import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLE = "slo_deploys"
MESSAGE = "slo_deploys is append-only: enter a new deploy instead of changing one"


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
        "slo_deploy_guards",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("deploy_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["deploy_id"], [f"{TABLE}.id"], name="fk_slo_deploy_guards_deploy_id"),
        sa.PrimaryKeyConstraint("id", name="pk_slo_deploy_guards"),
    )


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service", sa.String(200), nullable=False),
        sa.Column("deployed_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(200), nullable=False),
        sa.Column("entered_at", UTCDateTime(), nullable=False),
        sa.Column("submission_key", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_slo_deploys"),
    )
    op.create_index("ix_slo_deploys_service_deployed_at", TABLE, ["service", "deployed_at"])
    op.create_index("uq_slo_deploys_submission_key", TABLE, ["submission_key"], unique=True)
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
            op.drop_table("slo_deploy_guards")
        names = [f"{TABLE}_no_update", f"{TABLE}_no_delete"]
        if dialect == "sqlite":
            names.append(f"{TABLE}_no_replace")
        for name in names:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("uq_slo_deploys_submission_key", table_name=TABLE)
    op.drop_index("ix_slo_deploys_service_deployed_at", table_name=TABLE)
    op.drop_table(TABLE)
