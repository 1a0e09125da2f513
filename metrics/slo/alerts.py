"""Multiwindow, multi-burn-rate alert tiers (SRE Workbook, chapter 5).

A tier fires when the burn rate over its long window AND over its short window (about 1/12 of the long one) both
exceed its threshold. The threshold is the budget fraction the tier guards, spread over the long window:
``threshold = budget_fraction × period / long_window``. That scaling is why a 28-day SLO pages at 13.44, not 14.4.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from metrics.slo.definitions import parse_duration


@dataclass(frozen=True)
class AlertTier:
    severity: str  # "page" or "ticket"
    long_window: str
    short_window: str
    budget_fraction: float  # share of the period's budget this tier guards, e.g. 0.02

    def threshold(self, period: timedelta) -> float:
        return burn_rate_threshold(self.budget_fraction, period, parse_duration(self.long_window))


DEFAULT_TIERS: tuple[AlertTier, ...] = (
    AlertTier("page", "1h", "5m", 0.02),
    AlertTier("page", "6h", "30m", 0.05),
    AlertTier("ticket", "1d", "2h", 0.10),
    AlertTier("ticket", "3d", "6h", 0.10),
)


def burn_rate_threshold(budget_fraction: float, period: timedelta, long_window: timedelta) -> float:
    return budget_fraction * period.total_seconds() / long_window.total_seconds()


@dataclass(frozen=True)
class AlertEvaluation:
    tier: AlertTier
    threshold: float
    long_burn_rate: float | None
    short_burn_rate: float | None

    @property
    def firing(self) -> bool:
        return is_firing(self.long_burn_rate, self.short_burn_rate, self.threshold)

    @property
    def has_data(self) -> bool:
        return self.long_burn_rate is not None and self.short_burn_rate is not None


def is_firing(long_burn_rate: float | None, short_burn_rate: float | None, threshold: float) -> bool:
    """No data in either window never fires: silence is reported as "no data", not as an alert."""
    if long_burn_rate is None or short_burn_rate is None:
        return False
    return long_burn_rate > threshold and short_burn_rate > threshold


def evaluate_tiers(
    burn_rates: dict[str, float | None], period: timedelta, tiers: tuple[AlertTier, ...] = DEFAULT_TIERS
) -> list[AlertEvaluation]:
    return [
        AlertEvaluation(
            tier=tier,
            threshold=tier.threshold(period),
            long_burn_rate=burn_rates.get(tier.long_window),
            short_burn_rate=burn_rates.get(tier.short_window),
        )
        for tier in tiers
    ]


ALERT_STATES = ("page", "ticket", "ok", "no data")
AT_RISK = "at risk"  # no tier fires, but at this rate the budget is gone before the period ends (SloStatus.attention)
ATTENTION_STATES = ("page", "ticket", AT_RISK, "ok", "no data")  # what the overview shows, most urgent first


def alert_state(evaluations: list[AlertEvaluation]) -> str:
    """The most severe firing tier's severity; "no data" when no tier could be evaluated."""
    if any(e.firing and e.tier.severity == "page" for e in evaluations):
        return "page"
    if any(e.firing and e.tier.severity == "ticket" for e in evaluations):
        return "ticket"
    if not any(e.has_data for e in evaluations):
        return "no data"
    return "ok"
