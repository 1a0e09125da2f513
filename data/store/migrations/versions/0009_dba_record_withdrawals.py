"""DBA records that can be taken back without being erased (issue 11, item 1).

- ``dba_record_withdrawals``: a mistaken record (the wrong database, a double entry) is withdrawn by a row here
  saying who, when and why; the record itself stays, shown struck through, and no longer counts for its kind's
  staleness. One withdrawal per record (unique ``record_id``).
- ``dba_records.submission_key``: the idempotency key of the form submission that stored the record, unique, so a
  double click of "Add record" stores one row and the second submit is answered "already recorded".

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from data.store.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("dba_records", sa.Column("submission_key", sa.String(64), nullable=True))
    op.create_index("uq_dba_records_submission_key", "dba_records", ["submission_key"], unique=True)
    op.create_table(
        "dba_record_withdrawals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=False),
        sa.Column("withdrawn_by", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["dba_records.id"], name="fk_dba_record_withdrawals_record_id_dba_records"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_dba_record_withdrawals"),
        sa.UniqueConstraint("record_id", name="uq_dba_record_withdrawals_record_id"),
    )


def downgrade() -> None:
    op.drop_table("dba_record_withdrawals")
    op.drop_index("uq_dba_records_submission_key", table_name="dba_records")
    with op.batch_alter_table("dba_records") as batch:
        batch.drop_column("submission_key")
