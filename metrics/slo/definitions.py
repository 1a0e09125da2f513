"""The SLO vocabulary shared by every layer: definitions from the catalog, durations, event counts.

Formulas follow the SRE Workbook (see DESIGN.md, "SLO reference"). Every function returns ``None`` for "no data"
instead of 0 or NaN, so a quiet window can never pass for a perfect one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Windows over which burn rates are reported, shortest first. Labels are Prometheus durations.
BURN_WINDOWS: tuple[str, ...] = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")

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
    defaulted: bool = False  # the SLO states no timeWindow (optional in OpenSLO): this is the catalog's default

    @property
    def label(self) -> str:
        return self.duration if self.is_rolling else f"{self.duration} calendar"

    @property
    def shown_label(self) -> str:
        """The label people read: a window the SLO does not state is marked, so nobody takes it for agreed."""
        return f"{self.label} (default)" if self.defaulted else self.label


DEFAULT_TIME_WINDOW = TimeWindow(duration="28d", is_rolling=True, defaulted=True)


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
    # OpenSLO label values are a string or a list of strings: every value is kept, in the order written.
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    objective_display_name: str | None = None  # the objective's own displayName, when it gives one
    objective_key: str | None = None  # "fast-reads" in "checkout-latency/fast-reads": one SLO of several objectives

    @property
    def error_budget(self) -> float:
        return 1.0 - self.target


@dataclass(frozen=True)
class EventCounts:
    """Events counted over one window: how many in all and how many were bad."""

    total: float
    bad: float

    @classmethod
    def from_good(cls, total: float, good: float) -> EventCounts:
        return cls(total=total, bad=total - good)
