"""The SLO vocabulary shared by every layer: definitions from the catalog, durations, event counts.

Formulas follow the SRE Workbook (see DESIGN.md, "SLO reference"). Every function returns ``None`` for "no data"
instead of 0 or NaN, so a quiet window can never pass for a perfect one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from functools import cached_property, lru_cache

# Windows over which burn rates are reported, shortest first. Labels are Prometheus durations.
BURN_WINDOWS: tuple[str, ...] = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


@lru_cache(maxsize=1024)
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


class Urgency(Enum):
    """What a firing tier asks of people, whatever the team calls its severity: wake someone, or file a ticket."""

    PAGE = "page"
    TICKET = "ticket"


class Op(Enum):
    """How a tier compares its burn rates with its threshold (OpenSLO ``AlertCondition`` ``op``)."""

    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"

    def holds(self, value, threshold: float):
        """``value op threshold``; element by element for a pandas Series or numpy array."""
        if self is Op.GT:
            return value > threshold
        if self is Op.GTE:
            return value >= threshold
        if self is Op.LT:
            return value < threshold
        return value <= threshold

    @property
    def symbol(self) -> str:
        """The operator as PromQL writes it."""
        return {Op.GT: ">", Op.GTE: ">=", Op.LT: "<", Op.LTE: "<="}[self]


def burn_rate_threshold(budget_fraction: float, period: timedelta, long_window: timedelta) -> float:
    return budget_fraction * period.total_seconds() / long_window.total_seconds()


def short_window_for(long_window: str) -> str:
    """The SRE Workbook's short window: 1/12 of the long one (1h -> 5m, 6h -> 30m, 1d -> 2h, 3d -> 6h)."""
    return format_prometheus_duration(parse_duration(long_window) / 12)


@dataclass(frozen=True)
class AlertTier:
    """One multiwindow burn-rate alert of an SLO (SRE Workbook, chapter 5; see ``metrics.slo.alerts``).

    The threshold is either the Workbook's budget fraction scaled to the period (``budget_fraction``: 2 % in 1 h of a
    30-day period is 14.4) or a burn rate as an OpenSLO ``AlertCondition`` states it (``burn_rate``). ``severity`` is
    the name the team uses (``P1``; by default the urgency's own word), ``urgency`` what the app does with it.
    The minimum-traffic guard: the tier fires only when its long window holds at least ``min_events`` events and at
    least ``min_bad_events`` bad ones (``None``: no such guard).
    """

    urgency: Urgency
    long_window: str
    short_window: str
    budget_fraction: float | None = None  # share of the period's budget this tier guards, e.g. 0.02
    burn_rate: float | None = None  # a fixed threshold, as an AlertCondition writes it
    severity_name: str | None = None
    op: Op = Op.GT
    min_events: int | None = None
    min_bad_events: int | None = None
    alert_after: str | None = None  # how long the condition must hold before Prometheus alerts (rules' ``for:``)
    policy: str | None = None  # the AlertPolicy it comes from; None: one of the Workbook's tiers

    def __post_init__(self) -> None:
        if (self.budget_fraction is None) == (self.burn_rate is None):
            raise ValueError("an alert tier needs exactly one of budget_fraction and burn_rate")

    @property
    def severity(self) -> str:
        return self.severity_name or self.urgency.value

    @property
    def guarded(self) -> bool:
        return self.min_events is not None or self.min_bad_events is not None

    def threshold(self, period: timedelta) -> float:
        if self.burn_rate is not None:
            return self.burn_rate
        return burn_rate_threshold(self.budget_fraction, period, parse_duration(self.long_window))

    def budget_share(self, period: timedelta) -> float:
        """The share of the period's budget spent over the long window at the threshold's burn rate."""
        if self.budget_fraction is not None:
            return self.budget_fraction
        return self.burn_rate * parse_duration(self.long_window) / period


# The SRE Workbook's four tiers; a tier is named by its long window in the tiers annotation.
DEFAULT_TIERS: tuple[AlertTier, ...] = (
    AlertTier(Urgency.PAGE, "1h", "5m", 0.02),
    AlertTier(Urgency.PAGE, "6h", "30m", 0.05),
    AlertTier(Urgency.TICKET, "1d", "2h", 0.10),
    AlertTier(Urgency.TICKET, "3d", "6h", 0.10),
)


@dataclass(frozen=True)
class RatioIndicator:
    """A ratio SLI over raw counters, or over already-rated series. Exactly one of ``good_query`` and ``bad_query``
    is set.

    Queries are series selectors (``http_requests_total{service="checkout"}``); the tool applies the windows, so the
    same definition serves every window and every source. With ``counter`` (OpenSLO ``counter: true``) they name
    counters, and a window's events are their increase. Without (``counter: false``) they name series that already
    hold a per-second rate, such as a recording rule's ``job:http_requests:rate5m``, and a window's events are the
    rate integrated over it: its average over the window times the window's seconds.
    """

    total_query: str
    good_query: str | None = None
    bad_query: str | None = None
    counter: bool = True

    def __post_init__(self) -> None:
        if (self.good_query is None) == (self.bad_query is None):
            raise ValueError("a ratio indicator needs exactly one of good and bad")


@dataclass(frozen=True)
class ThresholdIndicator:
    """A metric compared with a threshold (OpenSLO ``thresholdMetric`` and the objective's ``op`` and ``value``).

    ``query`` is a PromQL expression (``histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))``), evaluated
    every ``step``: a point is good when ``value op threshold`` holds. Every series the query returns counts its
    points, so a query meant as one figure should aggregate to one series.
    """

    query: str
    op: Op
    threshold: float
    step: str = "1m"

    @property
    def condition(self) -> str:
        return f"{self.op.symbol} {self.threshold:g}"


class RawType(Enum):
    """What a raw ratio metric holds (OpenSLO ``rawType``): the share of good events, or of bad ones."""

    SUCCESS = "success"
    FAILURE = "failure"


@dataclass(frozen=True)
class RawRatioIndicator:
    """A ratio already computed by the metric source (OpenSLO ``ratioMetric.raw`` with ``rawType``), such as a
    recording rule's ``job:success:ratio_rate5m``: there are no events to count, so it is read like a threshold
    metric, one point every ``step``. Each point counts as good by its share: the ratio (clamped into [0, 1]) for
    ``success``, one minus it for ``failure``. Occurrences budgets the points (the SLI is the points' average);
    Timeslices and RatioTimeslices average the points of each slice."""

    query: str
    raw_type: RawType
    step: str = "1m"

    @property
    def condition(self) -> str:
        return f"raw {self.raw_type.value} ratio"


PointIndicator = ThresholdIndicator | RawRatioIndicator  # read one point a step, not as events of counters


class BudgetingMethod(Enum):
    """What the SLO counts (OpenSLO ``budgetingMethod``): events or evaluated points (Occurrences), good slices
    among the slices with data (Timeslices), or the average of the slices' ratios (RatioTimeslices)."""

    OCCURRENCES = "Occurrences"
    TIMESLICES = "Timeslices"
    RATIO_TIMESLICES = "RatioTimeslices"


@dataclass(frozen=True)
class TimeSlices:
    """How the window is cut (``timeSliceWindow``) and, for Timeslices, the ratio a slice needs to be good
    (``timeSliceTarget``; ``None`` for RatioTimeslices, which averages the slices' ratios)."""

    window: str
    target: float | None = None


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
    indicator: RatioIndicator | ThresholdIndicator | RawRatioIndicator
    display_name: str | None = None
    description: str | None = None
    indicator_name: str | None = None
    budgeting_method: BudgetingMethod = BudgetingMethod.OCCURRENCES
    time_slices: TimeSlices | None = None  # with Timeslices and RatioTimeslices
    source: str = ""  # "file.yaml, document 3": where to go to change it
    # OpenSLO label values are a string or a list of strings: every value is kept, in the order written.
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    objective_display_name: str | None = None  # the objective's own displayName, when it gives one
    objective_key: str | None = None  # "fast-reads" in "checkout-latency/fast-reads": one SLO of several objectives
    # Its alert tiers: the Workbook's four unless an annotation tunes them or AlertPolicies replace them.
    tiers: tuple[AlertTier, ...] = DEFAULT_TIERS
    # How often people review it (``reliability-dashboard/review-every``); None: the team's default cadence.
    review_every: timedelta | None = None
    # Labels it is split by (``reliability-dashboard/split-by: route``): each value combination is an SLO of its
    # own, computed in the same queries, beside the SLO over all of them.
    split_by: tuple[str, ...] = ()
    # The catalog's DataSource its metricSourceRef names; None: the default source (the settings' Prometheus or
    # the demo). ``source`` above is where the SLO is defined, not where its data comes from.
    data_source: str | None = None

    @cached_property
    def tier_windows(self) -> tuple[str, ...]:
        """The windows its tiers read, beyond ``BURN_WINDOWS``, shortest first (an AlertPolicy's lookbackWindow)."""
        extra = {w for tier in self.tiers for w in (tier.long_window, tier.short_window)} - set(BURN_WINDOWS)
        return tuple(sorted(extra, key=parse_duration))

    @cached_property
    def windows(self) -> tuple[str, ...]:
        """Every window a burn rate is reported over for this SLO: the burn windows and its tiers' own, shortest
        first."""
        return tuple(sorted(BURN_WINDOWS + self.tier_windows, key=parse_duration))

    @property
    def error_budget(self) -> float:
        return 1.0 - self.target

    @property
    def counts_events(self) -> bool:
        """Its counts are events of counters (a ratio SLI budgeted by Occurrences), which every part of the app
        reads; otherwise they are slices or evaluated points, which only the window counts compute."""
        return self.budgeting_method is BudgetingMethod.OCCURRENCES and isinstance(self.indicator, RatioIndicator)

    @property
    def unit(self) -> str:
        """What its counts count, in words: ``events``, ``slices`` or ``points``."""
        if self.budgeting_method is not BudgetingMethod.OCCURRENCES:
            return "slices"
        return "events" if isinstance(self.indicator, RatioIndicator) else "points"

    @property
    def method_label(self) -> str:
        """The budgeting method as people read it: ``Timeslices, 5m slices at 95 %``."""
        if isinstance(self.indicator, ThresholdIndicator):
            what = f"metric {self.indicator.condition}"
            points = f", {what} each {self.indicator.step}"
        elif isinstance(self.indicator, RawRatioIndicator):
            points = f", {self.indicator.condition} each {self.indicator.step}"
        else:
            points = ""
        slices = self.time_slices
        if self.budgeting_method is BudgetingMethod.TIMESLICES and slices is not None:
            return f"Timeslices, {slices.window} slices at {_percent(slices.target)}{points}"
        if self.budgeting_method is BudgetingMethod.RATIO_TIMESLICES and slices is not None:
            return f"RatioTimeslices, average of {slices.window} slices{points}"
        return f"Occurrences{points}"


def _percent(value: float | None) -> str:
    return "?" if value is None else f"{value * 100:.10g} %"


@dataclass(frozen=True)
class EventCounts:
    """Events counted over one window: how many in all and how many were bad."""

    total: float
    bad: float

    @classmethod
    def from_good(cls, total: float, good: float) -> EventCounts:
        return cls(total=total, bad=total - good)
