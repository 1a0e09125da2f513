"""Error budget math over event counts (SRE Workbook; DESIGN.md, "SLO reference").

Every function returns ``None`` for "no data" instead of 0 or NaN, so a quiet window can never pass for a perfect one.
"""

from __future__ import annotations

import math
from datetime import timedelta

from metrics.slo.definitions import EventCounts

MAX_PROJECTION = timedelta(days=3650)


def error_budget(target: float) -> float:
    return 1.0 - target


def error_ratio(counts: EventCounts | None) -> float | None:
    """Bad events over all events; ``None`` when the window saw no events.

    Bad counts are clamped into [0, total]: counters scraped a moment apart (or a good counter running slightly
    ahead of its total) must not produce a negative ratio or one above 1.
    """
    if counts is None or not _finite(counts.total) or not _finite(counts.bad) or counts.total <= 0:
        return None
    return min(max(counts.bad, 0.0), counts.total) / counts.total


def sli(counts: EventCounts | None) -> float | None:
    ratio = error_ratio(counts)
    return None if ratio is None else 1.0 - ratio


def burn_rate(counts: EventCounts | None, target: float) -> float | None:
    """How fast the window spends the budget: 1 means exactly on budget over the whole period."""
    ratio = error_ratio(counts)
    budget = error_budget(target)
    if ratio is None or budget <= 0:
        return None
    return ratio / budget


def budget_remaining(period_counts: EventCounts | None, target: float) -> float | None:
    """Share of the period's error budget left; negative once overspent."""
    rate = burn_rate(period_counts, target)
    return None if rate is None else 1.0 - rate


def time_to_exhaustion(remaining: float | None, period: timedelta, current_burn_rate: float | None) -> timedelta | None:
    """How long the remaining budget lasts at the current burn rate.

    ``timedelta(0)`` when the budget is already spent; ``None`` when it is not being spent (rate 0, or so slowly
    that it would last beyond ``MAX_PROJECTION``) or unknown.
    """
    if remaining is None or current_burn_rate is None:
        return None
    if remaining <= 0:
        return timedelta(0)
    if current_burn_rate <= 0:
        return None
    seconds = remaining * period.total_seconds() / current_burn_rate
    if seconds >= MAX_PROJECTION.total_seconds():
        return None  # a burn so slow the budget outlives any horizon worth showing: "not being spent"
    return timedelta(seconds=seconds)


def _finite(value: float) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)
