"""Long windows from stored days: a window that spans whole local days is those days' stored counts plus its two
partial edges, the part before its first midnight and the part after its last.

Why: a cold report otherwise makes the source read every sample of the 30-day (and 3-day) windows again. The daily
rollups (``metrics.trends.rollups``) already hold each local day's events, counted with the same boundary handling
as any window (a day is the window from one local midnight to the next), so

    events(start, end] = events(start, first midnight] + Σ stored days + events(last midnight, end]

and the source reads only the edges, each shorter than a day. On Prometheus 2.x (closed ranges) and VictoriaMetrics
(no extrapolation), with samples on the minute and instants on the minute, the parts add up exactly; otherwise each
part's edge extrapolation differs from the whole window's by at most a scrape interval's worth of events.

A window counts from stored days only when every one of its whole days is stored; otherwise it is read directly, and
the report says which SLOs and which days (``StoredWindowUse``), so nothing is silently estimated.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from metrics.slo.adjustments import Interval
from metrics.slo.definitions import EventCounts, parse_duration
from metrics.trends.rollups import local_date, local_day


@dataclass(frozen=True)
class WindowSplit:
    """A window (start, end] as its partial edges and the whole local days between them."""

    head: Interval | None  # (start, first midnight]; None when the window starts at a midnight
    days: tuple[date, ...]  # the whole local days, oldest first
    tail: Interval | None  # (last midnight, end]; None when the window ends at a midnight

    @property
    def edges(self) -> tuple[Interval, ...]:
        return tuple(part for part in (self.head, self.tail) if part is not None)


@functools.lru_cache(maxsize=256)
def split_window(start: datetime, end: datetime, time_zone: str) -> WindowSplit | None:
    """``(start, end]`` as edges and whole days of ``time_zone``; None when it holds no whole day (nothing to save).
    Cached: a thousand SLOs share a handful of windows at one instant."""
    first = local_date(start, time_zone)
    if local_day(first, time_zone).start < start:
        first += timedelta(days=1)
    days: list[date] = []
    current = first
    while local_day(current, time_zone).end <= end:
        days.append(current)
        current += timedelta(days=1)
    if not days:
        return None
    opened, closed = local_day(days[0], time_zone).start, local_day(days[-1], time_zone).end
    head = Interval(start, opened) if opened > start else None
    tail = Interval(closed, end) if end > closed else None
    return WindowSplit(head, tuple(days), tail)


def split_at_midnight(start: datetime, end: datetime, time_zone: str) -> WindowSplit | None:
    """``(start, end]`` cut at the last local midnight inside it, with no whole day: for a day-long window, whose
    part after midnight is the very read every long window's tail already makes, so only the part before midnight
    costs a read of its own. None when no midnight falls inside."""
    midnight = local_day(local_date(end, time_zone), time_zone).start
    if not start < midnight < end:
        return None
    return WindowSplit(Interval(start, midnight), (), Interval(midnight, end))


def combined_counts(
    days: Sequence[date], stored: Mapping[date, EventCounts | None], edges: EventCounts | None
) -> EventCounts | None:
    """A window's events: its stored days' (None: a day without series) plus its edges' (None: no series). None
    when no part had series, as a direct read of such a window answers nothing; ``KeyError`` for a day not stored."""
    parts = [stored[day] for day in days]
    parts = [part for part in [*parts, edges] if part is not None]
    if not parts:
        return None
    return EventCounts(total=math.fsum(p.total for p in parts), bad=math.fsum(p.bad for p in parts))


@dataclass(frozen=True)
class StoredWindowUse:
    """Which windows came from stored days and which were read directly, and why: what the report says."""

    time_zone: str
    from_days: dict[str, tuple[str, ...]] = field(default_factory=dict)  # SLO -> window keys summed from days
    direct: dict[str, str] = field(default_factory=dict)  # SLO -> why its long windows were read directly
    missing_days: tuple[date, ...] = ()  # days some window needed and the store does not hold
    days_read: int = 0  # stored (day, SLO) rows summed

    @property
    def windows_from_days(self) -> int:
        return sum(len(keys) for keys in self.from_days.values())

    def summary(self) -> str:
        """One line for the page and the CLI."""
        from metrics.slo.report import PERIOD_KEY  # the report module holds this one's result type

        parts = []
        if self.from_days:
            keys = {key for keys in self.from_days.values() for key in keys}
            named = (["the period"] if PERIOD_KEY in keys else []) + sorted(keys - {PERIOD_KEY}, key=parse_duration)
            listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
            parts.append(
                f"{listed} windows of {len(self.from_days)} SLO(s) summed from {self.days_read:,} stored "
                f"daily rollups ({self.time_zone} days); the source read only their partial first and last days"
            )
        if self.missing_days:
            shown = ", ".join(day.isoformat() for day in self.missing_days[:5])
            more = f" and {len(self.missing_days) - 5} more" if len(self.missing_days) > 5 else ""
            parts.append(
                f"{len(self.direct)} SLO(s) read whole: day(s) {shown}{more} not stored (collect rollups stores "
                "each complete day whose counters existed when it began)"
            )
        elif self.direct:
            parts.append(f"{len(self.direct)} SLO(s) read whole")
        return "; ".join(parts) if parts else "every window read directly"

    def to_dict(self) -> dict:
        return {
            "time_zone": self.time_zone,
            "from_days": {name: list(keys) for name, keys in self.from_days.items()},
            "direct": dict(self.direct),
            "missing_days": [day.isoformat() for day in self.missing_days],
            "days_read": self.days_read,
            "summary": self.summary(),
        }
