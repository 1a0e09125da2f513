"""The SLO reviews' steps, run by the SLO reviews page, ``cli.py slo-reviews`` and the weekly review alike: where
each SLO stands, recording a review (editors only), its history, and the target what-if from the daily rollups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from data.settings import Settings
from data.slo_reviews.store import AlreadyRecorded, first_rollup_days, insert_review, list_reviews
from data.store.engine import shared_engine
from metrics.access import Actor, Role, require, require_role
from metrics.slo.definitions import SloDefinition
from metrics.slo_reviews.rules import (
    DayCounts,
    ReviewOutcome,
    ReviewStatus,
    SloReview,
    WhatIfRow,
    recent_periods,
    review_status,
    urgent_first,
    validate_review,
    validate_target,
    what_if,
)
from metrics.trends.rollups import last_complete_day, local_midnight

__all__ = ["AlreadyRecorded", "WhatIf", "record_review", "review_history", "review_statuses", "target_what_if"]


def _first_seen(settings: Settings, slos: Sequence[SloDefinition]) -> dict[str, datetime]:
    """When the store first saw each SLO: its oldest daily rollup's local midnight; in demo mode, the first day of
    the demo history the rollups are computed from."""
    zone = settings.team_timezone
    if settings.is_demo:
        from data.trends.rollups import DEMO_HISTORY_DAYS

        first = last_complete_day(settings.now(), zone) - timedelta(days=DEMO_HISTORY_DAYS - 1)
        return {slo.name: local_midnight(first, zone) for slo in slos}
    days = first_rollup_days(shared_engine(settings.database_url), [slo.name for slo in slos])
    return {name: local_midnight(day, zone) for name, day in days.items()}


def review_statuses(
    settings: Settings, slos: Sequence[SloDefinition], at: datetime | None = None
) -> list[ReviewStatus]:
    """Every SLO of the catalog with its review state at ``at`` (default now), the urgent first."""
    at = at or settings.now()
    reviews = list_reviews(shared_engine(settings.database_url))
    first_seen = _first_seen(settings, slos)
    return urgent_first(
        review_status(slo.name, slo.service, slo.target, slo.review_every, reviews, first_seen.get(slo.name), at)
        for slo in slos
    )


def review_history(settings: Settings, slo: str) -> list[SloReview]:
    """The SLO's reviews, newest first."""
    return list_reviews(shared_engine(settings.database_url), slo)


def record_review(
    settings: Settings,
    slos: Sequence[SloDefinition],
    *,
    actor: Actor,
    slo: str,
    outcome: str | ReviewOutcome,
    notes: str = "",
    submission_key: str | None = None,
) -> SloReview:
    """Append a review under the actor's name, with the SLO's target now. Editors only: ``PermissionDenied`` before
    anything is looked at; ``ReviewError`` names a bad field; ``AlreadyRecorded`` for a repeated submission."""
    require_role(actor, Role.EDITOR, "record SLO reviews")
    by_name = {definition.name: definition for definition in slos}
    chosen = validate_review(outcome, notes, by_name, slo)
    reviewer = require(actor, Role.EDITOR, "record SLO reviews")
    review = SloReview(
        slo=slo,
        reviewed_at=settings.now(),
        reviewer=reviewer,
        outcome=chosen,
        notes=notes.strip(),
        target=by_name[slo].target,
    )
    return insert_review(shared_engine(settings.database_url), review, actor=actor, submission_key=submission_key)


@dataclass(frozen=True)
class WhatIf:
    """The last ISO weeks and calendar months of one SLO at its target and at another."""

    slo: str
    current_target: float
    what_if_target: float
    weeks: list[WhatIfRow]
    months: list[WhatIfRow]
    demo: bool


def target_what_if(settings: Settings, slos: Sequence[SloDefinition], slo: str, what_if_target: float) -> WhatIf:
    """How the last 12 ISO weeks and 3 calendar months would have fared at ``what_if_target``, from the daily
    rollups (the store's, or the demo's computed in memory); raises the store's errors."""
    from data.trends.service import trend_rows

    validate_target(what_if_target)
    definition = next(definition for definition in slos if definition.name == slo)
    today = last_complete_day(settings.now(), settings.team_timezone) + timedelta(days=1)
    weeks, months = recent_periods(today)
    first = min(weeks[0].first, months[0].first)
    engine = None if settings.is_demo else shared_engine(settings.database_url)
    rows = trend_rows(settings, [definition], engine, first, today - timedelta(days=1), [definition.service])
    daily = rows.daily[rows.daily["slo"] == slo] if not rows.daily.empty else rows.daily
    days = [
        DayCounts(row.day, None if row.total != row.total else row.total, None if row.bad != row.bad else row.bad)
        for row in daily.itertuples()
    ]
    return WhatIf(
        slo=slo,
        current_target=definition.target,
        what_if_target=what_if_target,
        weeks=what_if(days, weeks, definition.target, what_if_target),
        months=what_if(days, months, definition.target, what_if_target),
        demo=rows.is_demo,
    )
