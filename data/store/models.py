"""SQLAlchemy 2 models of the store. Change them only together with a new Alembic migration."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from data.store.types import UTCDateTime

# Stable constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: sa.JSON()}


class SloSnapshot(Base):
    """One SLO's computed state at one moment; (taken_at, slo) is unique so re-collecting is harmless."""

    __tablename__ = "slo_snapshots"
    __table_args__ = (
        sa.UniqueConstraint("taken_at", "slo"),
        sa.Index("ix_slo_snapshots_slo_taken_at", "slo", "taken_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    slo: Mapped[str] = mapped_column(sa.String(200))
    service: Mapped[str] = mapped_column(sa.String(200))
    target: Mapped[float] = mapped_column(sa.Float)
    period: Mapped[str] = mapped_column(sa.String(50))
    sli: Mapped[float | None] = mapped_column(sa.Float)
    budget_remaining: Mapped[float | None] = mapped_column(sa.Float)
    burn_rates: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    alert_state: Mapped[str] = mapped_column(sa.String(20))
    source: Mapped[str] = mapped_column(sa.String(200))


class AuditLogEntry(Base):
    """Who changed what, when. Append-only by convention: never update or delete rows."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(sa.String(200))
    action: Mapped[str] = mapped_column(sa.String(50))
    entity: Mapped[str] = mapped_column(sa.String(50))
    entity_id: Mapped[str] = mapped_column(sa.String(200))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
