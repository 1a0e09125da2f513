"""The SLO review log: one row per review, never updated or deleted (the database refuses it: migration 0010).

A review carries the form submission's idempotency key, unique, so a double click stores one row and the second
submit is answered "already recorded".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from data.store.appends import append_once
from data.store.models import Base
from data.store.types import UTCDateTime
from metrics.access import Actor
from metrics.slo_reviews.rules import ReviewOutcome, SloReview


class SloReviewRow(Base):
    """One review of one SLO, with the target it had then. Append-only."""

    __tablename__ = "slo_reviews"
    __table_args__ = (
        sa.Index("ix_slo_reviews_slo_reviewed_at", "slo", "reviewed_at"),
        sa.Index("uq_slo_reviews_submission_key", "submission_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    slo: Mapped[str] = mapped_column(sa.String(200))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[str] = mapped_column(sa.String(200))
    outcome: Mapped[str] = mapped_column(sa.String(20))
    notes: Mapped[str] = mapped_column(sa.Text)
    target: Mapped[float] = mapped_column(sa.Double)
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)


_TABLE = SloReviewRow.__table__


class AlreadyRecorded(Exception):
    """This form submission was stored before (a double click): nothing new was written."""

    def __init__(self, review: SloReview) -> None:
        super().__init__(
            f"already recorded: the review of {review.slo} by {review.reviewer} (review {review.id}); nothing was "
            "added twice"
        )
        self.review = review


def _review(row: Any) -> SloReview:
    return SloReview(
        slo=row.slo,
        reviewed_at=row.reviewed_at,
        reviewer=row.reviewed_by,
        outcome=ReviewOutcome(row.outcome),
        notes=row.notes,
        target=row.target,
        id=row.id,
    )


def insert_review(
    engine: sa.Engine, review: SloReview, *, actor: Actor, submission_key: str | None = None
) -> SloReview:
    """Append the review and its audit line in one transaction; ``AlreadyRecorded`` for a repeated submission."""
    row = {
        "slo": review.slo,
        "reviewed_at": review.reviewed_at,
        "reviewed_by": review.reviewer,
        "outcome": review.outcome.value,
        "notes": review.notes,
        "target": review.target,
    }
    review_id = append_once(
        engine,
        _TABLE,
        row,
        submission_key=submission_key,
        actor=actor,
        entity="slo_review",
        at=review.reviewed_at,
        details={"slo": review.slo, "outcome": review.outcome.value, "target": review.target},
        repeated=lambda first: AlreadyRecorded(_review(first)),
    )
    return SloReview(**{**review.__dict__, "id": review_id})


def list_reviews(engine: sa.Engine, slo: str | None = None) -> list[SloReview]:
    """Every review (of one SLO), newest first."""
    query = sa.select(_TABLE).order_by(_TABLE.c.reviewed_at.desc(), _TABLE.c.id.desc())
    if slo is not None:
        query = query.where(_TABLE.c.slo == slo)
    with engine.connect() as connection:
        return [_review(row) for row in connection.execute(query)]


def reviews_between(engine: sa.Engine, slos: Sequence[str], start: datetime, end: datetime) -> list[SloReview]:
    """The reviews of ``slos`` recorded in [start, end], oldest first, in one query whatever their number."""
    if not slos:
        return []
    query = (
        sa.select(_TABLE)
        .where(_TABLE.c.slo.in_(list(slos)), _TABLE.c.reviewed_at >= start, _TABLE.c.reviewed_at <= end)
        .order_by(_TABLE.c.reviewed_at, _TABLE.c.id)
    )
    with engine.connect() as connection:
        return [_review(row) for row in connection.execute(query)]


def first_rollup_days(engine: sa.Engine, slos: Sequence[str]) -> dict[str, date]:
    """Each SLO's oldest stored daily rollup (the demo's stored rows excluded): when the store first saw it."""
    from data.trends.store import DEMO_SOURCE, DailyRollupRow

    rollups = DailyRollupRow.__table__
    if not slos:
        return {}
    query = (
        sa.select(rollups.c.slo, sa.func.min(rollups.c.day))
        .where(rollups.c.slo.in_(list(slos)), rollups.c.source != DEMO_SOURCE)
        .group_by(rollups.c.slo)
    )
    with engine.connect() as connection:
        return {slo: day for slo, day in connection.execute(query)}
