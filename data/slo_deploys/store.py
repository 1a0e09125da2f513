"""Deploys in the store (migration 0016): appended, never changed (the table's triggers refuse UPDATE and DELETE),
each with its audit line in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from data.store.appends import append_once
from data.store.engine import shared_engine, sqlite_file
from data.store.models import Base
from data.store.types import UTCDateTime
from metrics.access import Actor
from metrics.slo.deploys import Deploy

ENTITY = "slo_deploy"


class SloDeployRow(Base):
    __tablename__ = "slo_deploys"
    __table_args__ = (
        sa.Index("ix_slo_deploys_service_deployed_at", "service", "deployed_at"),
        sa.Index("uq_slo_deploys_submission_key", "submission_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    service: Mapped[str] = mapped_column(sa.String(200))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    entered_by: Mapped[str] = mapped_column(sa.String(200))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)


_TABLE = SloDeployRow.__table__


class AlreadyRecorded(Exception):
    """This form submission was stored before (a double click): nothing new was written."""

    def __init__(self, deploy: Deploy) -> None:
        super().__init__(
            f"already recorded: deploy {deploy.id} of {deploy.service} ({deploy.label}, entered by "
            f"{deploy.entered_by}); nothing was added twice"
        )
        self.deploy = deploy


def _deploy(row: Any) -> Deploy:
    return Deploy(
        service=row.service,
        deployed_at=row.deployed_at,
        version=row.version,
        description=row.description,
        entered_by=row.entered_by,
        entered_at=row.entered_at,
        id=row.id,
    )


def insert_deploy(engine: sa.Engine, deploy: Deploy, *, actor: Actor, submission_key: str | None = None) -> Deploy:
    """Append the deploy and its audit line in one transaction; ``AlreadyRecorded`` for a repeated submission."""
    row = {
        "service": deploy.service,
        "deployed_at": deploy.deployed_at,
        "version": deploy.version,
        "description": deploy.description,
        "entered_by": deploy.entered_by,
        "entered_at": deploy.entered_at,
    }
    new_id = append_once(
        engine,
        _TABLE,
        row,
        submission_key=submission_key,
        actor=actor,
        entity=ENTITY,
        at=deploy.entered_at,
        details={
            "service": deploy.service,
            "deployed_at": deploy.deployed_at.isoformat(),
            "version": deploy.version,
            "description": deploy.description,
        },
        repeated=lambda first: AlreadyRecorded(_deploy(first)),
    )
    return Deploy(**{**deploy.__dict__, "id": new_id})


def list_deploys(
    engine: sa.Engine,
    *,
    services: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Deploy]:
    """Deploys (of some services, within [since, until]), newest first."""
    query = sa.select(_TABLE).order_by(_TABLE.c.deployed_at.desc(), _TABLE.c.id.desc())
    if services is not None:
        query = query.where(_TABLE.c.service.in_(services))
    if since is not None:
        query = query.where(_TABLE.c.deployed_at >= since)
    if until is not None:
        query = query.where(_TABLE.c.deployed_at <= until)
    with engine.connect() as connection:
        return [_deploy(row) for row in connection.execute(query)]


def deploys_stored(database_url) -> bool:
    """Whether the store exists and has the deploys table (a SQLite file is not created by asking)."""
    path = sqlite_file(database_url)
    if path is not None and not path.exists():
        return False
    return sa.inspect(shared_engine(database_url)).has_table(_TABLE.name)
