"""The SLO vocabulary shared by every layer: definitions from the catalog, event counts, and the math over them.

Formulas follow the SRE Workbook (see DESIGN.md, "SLO reference"). Every function returns ``None`` for "no data"
instead of 0 or NaN, so a quiet window can never pass for a perfect one.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Windows over which burn rates are reported, shortest first. Labels are Prometheus durations.
BURN_WINDOWS: tuple[str, ...] = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
MAX_PROJECTION = timedelta(days=3650)

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> timedelta:
    """Parse a simple Prometheus-style duration such as ``5m``, ``6h``, ``28d`` or ``1w``."""
    text = text.strip()
    if len(text) < 2 or text[-1] not in _UNIT_SECONDS or not text[:-1].isdigit() or int(text[:-1]) <= 0:
        raise ValueError(f"{text!r} is not a duration like 5m, 6h, 28d or 1w")
    return timedelta(seconds=int(text[:-1]) * _UNIT_SECONDS[text[-1]])


def format_prometheus_duration(duration: timedelta) -> str:
    """The shortest exact Prometheus duration for ``duration`` (``30d``, ``90m``, ``3723s``)."""
    seconds = int(duration.total_seconds())
    if seconds <= 0:
        raise ValueError("a window must be longer than zero seconds")
    for unit in ("w", "d", "h", "m"):
        if seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True)
class RatioIndicator:
    """A ratio SLI over raw counters. Exactly one of ``good_query`` and ``bad_query`` is set.

    Queries are series selectors naming counters (``http_requests_total{service="checkout"}``); the tool applies
    the windows, so the same definition serves every window and every source.
    """

    total_query: str
    good_query: str | None = None
    bad_query: str | None = None

    def __post_init__(self) -> None:
        if (self.good_query is None) == (self.bad_query is None):
            raise ValueError("a ratio indicator needs exactly one of good and bad")


@dataclass(frozen=True)
class TimeWindow:
    """The SLO period: rolling (last ``duration``) or calendar-aligned (the current week, month, ...)."""

    duration: str  # OpenSLO duration text: "30d", "28d", "1w" rolling; "1w", "1M", "1Q", "1Y" calendar
    is_rolling: bool = True
    calendar_start: datetime | None = None  # aware; the first period starts here
    time_zone: str | None = None

    @property
    def label(self) -> str:
        return self.duration if self.is_rolling else f"{self.duration} calendar"


@dataclass(frozen=True)
class SloDefinition:
    name: str
    service: str
    target: float  # in [0, 1)
    time_window: TimeWindow
    indicator: RatioIndicator
    display_name: str | None = None
    description: str | None = None
    indicator_name: str | None = None
    budgeting_method: str = "Occurrences"
    source: str = ""  # "file.yaml, document 3": where to go to change it
    labels: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def error_budget(self) -> float:
        return error_budget(self.target)


@dataclass(frozen=True)
class EventCounts:
    """Events counted over one window: how many in all and how many were bad."""

    total: float
    bad: float

    @classmethod
    def from_good(cls, total: float, good: float) -> "EventCounts":
        return cls(total=total, bad=total - good)


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
