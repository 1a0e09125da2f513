"""Multiwindow, multi-burn-rate alert tiers (SRE Workbook, chapter 5).

A tier fires when the burn rate over its long window AND over its short window (about 1/12 of the long one) both
exceed its threshold. The Workbook's threshold is the budget fraction the tier guards, spread over the long window:
``threshold = budget_fraction × period / long_window``. That scaling is why a 28-day SLO pages at 13.44, not 14.4.
A tier from an OpenSLO ``AlertCondition`` states its burn rate and its comparison (``op``) itself.

A tier with a minimum-traffic guard fires only when its long window holds at least ``min_events`` events and at
least ``min_bad_events`` bad events: three failures out of four requests in a quiet hour burn fast, but are no
reason to wake anyone. The tier types live in ``metrics.slo.definitions`` (an SLO carries its tiers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from metrics.slo.definitions import (
    DEFAULT_TIERS,
    AlertTier,
    EventCounts,
    Op,
    Urgency,
    burn_rate_threshold,
)

__all__ = [
    "ALERT_STATES",
    "AT_RISK",
    "ATTENTION_STATES",
    "DEFAULT_TIERS",
    "AlertEvaluation",
    "AlertTier",
    "Op",
    "Urgency",
    "alert_state",
    "burn_rate_threshold",
    "evaluate_tiers",
    "guard_allows",
    "is_firing",
]


@dataclass(frozen=True)
class AlertEvaluation:
    tier: AlertTier
    threshold: float
    long_burn_rate: float | None
    short_burn_rate: float | None
    long_counts: EventCounts | None = None  # the long window's events, which the minimum-traffic guard judges

    @property
    def condition_holds(self) -> bool:
        """Both windows past the threshold, before the minimum-traffic guard has its say."""
        return is_firing(self.long_burn_rate, self.short_burn_rate, self.threshold, self.tier.op)

    @property
    def held_back(self) -> bool:
        """The burn-rate condition holds, but the long window saw too little traffic for the tier to fire."""
        return self.condition_holds and not guard_allows(self.tier, self.long_counts)

    @property
    def firing(self) -> bool:
        return self.condition_holds and guard_allows(self.tier, self.long_counts)

    @property
    def has_data(self) -> bool:
        return self.long_burn_rate is not None and self.short_burn_rate is not None


def is_firing(long_burn_rate: float | None, short_burn_rate: float | None, threshold: float, op: Op = Op.GT) -> bool:
    """No data in either window never fires: silence is reported as "no data", not as an alert."""
    if long_burn_rate is None or short_burn_rate is None:
        return False
    return op.holds(long_burn_rate, threshold) and op.holds(short_burn_rate, threshold)


def guard_allows(tier: AlertTier, long_counts: EventCounts | None) -> bool:
    """Whether the long window saw enough traffic for ``tier`` to fire: always without a guard; never with one when
    the window's events are unknown."""
    if not tier.guarded:
        return True
    if long_counts is None:
        return False
    if tier.min_events is not None and long_counts.total < tier.min_events:
        return False
    return tier.min_bad_events is None or long_counts.bad >= tier.min_bad_events


def evaluate_tiers(
    burn_rates: dict[str, float | None],
    period: timedelta,
    tiers: tuple[AlertTier, ...] = DEFAULT_TIERS,
    counts: dict[str, EventCounts | None] | None = None,
) -> list[AlertEvaluation]:
    """Each tier judged on the burn rates by window label; ``counts`` (events by window label) feed the guards."""
    counts = counts or {}
    return [
        AlertEvaluation(
            tier=tier,
            threshold=tier.threshold(period),
            long_burn_rate=burn_rates.get(tier.long_window),
            short_burn_rate=burn_rates.get(tier.short_window),
            long_counts=counts.get(tier.long_window),
        )
        for tier in tiers
    ]


ALERT_STATES = ("page", "ticket", "ok", "no data")
AT_RISK = "at risk"  # no tier fires, but at this rate the budget is gone before the period ends (SloStatus.attention)
ATTENTION_STATES = ("page", "ticket", AT_RISK, "ok", "no data")  # what the overview shows, most urgent first


def alert_state(evaluations: list[AlertEvaluation]) -> str:
    """The most urgent firing tier's urgency ("page", "ticket", whatever the team calls them); "no data" when no tier
    could be evaluated (or there is none), "ok" otherwise."""
    if any(e.firing and e.tier.urgency is Urgency.PAGE for e in evaluations):
        return Urgency.PAGE.value
    if any(e.firing and e.tier.urgency is Urgency.TICKET for e in evaluations):
        return Urgency.TICKET.value
    if not any(e.has_data for e in evaluations):
        return "no data"
    return "ok"
