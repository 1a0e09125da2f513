"""Slices and evaluated points as the counts of an SLO (OpenSLO Timeslices, RatioTimeslices, thresholdMetric).

Every budget figure of the app is computed from ``EventCounts`` (total and bad) per window. An SLO that does not
count events of counters gets its counts in other units, so the same budget, burn-rate and alert math applies:

- Timeslices: the window is cut into slices of ``timeSliceWindow``, aligned on multiples of it since the epoch
  (so on whole minutes, hours and days). A slice is good when its ratio meets ``timeSliceTarget``. total = slices
  with data, bad = slices below the slice target. SLI = good slices / slices with data; the budget is
  (1 - target) × slices; a window's burn rate is its bad-slice share / (1 - target).
- RatioTimeslices: the same slices; the SLI is the average of their ratios. total = slices with data, bad = the sum
  of (1 - ratio) over them, so bad/total = 1 - the average ratio.
- A threshold metric budgeted by Occurrences: each evaluated point is good when it meets the threshold; total =
  points evaluated, bad = points that did not.

A slice without traffic (no events of the total counter, or no point of a threshold metric) has no ratio: it counts
neither as good nor as bad, and is not one of the window's slices. Only whole slices count: a window holds the most
recent whole slices that fit in it (a 1-hour window, twelve 5-minute slices ending at the last slice boundary), the
slice still under way waits for its end, and a window shorter than a slice holds none (no data).

A budget adjustment takes out of a window the slices (or points) that end inside it, in (start, end]: a slice is
counted whole or not at all, so an adjustment that covers part of a slice takes it out only if the slice ends
inside the adjustment.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from metrics.slo.definitions import BudgetingMethod, EventCounts, Op, SloDefinition, parse_duration


def slice_ratio(good: float | None, total: float | None) -> float | None:
    """A slice's ratio, good/total clamped into [0, 1]; ``None`` when the slice had no traffic."""
    if good is None or total is None or not math.isfinite(total) or not math.isfinite(good) or total <= 0:
        return None
    return min(max(good / total, 0.0), 1.0)


def point_share(values: Iterable[float], op: Op, threshold: float) -> float | None:
    """The share of a slice's points that meet ``op threshold``; ``None`` when it has no point."""
    points = [value for value in values if math.isfinite(value)]
    if not points:
        return None
    return sum(1 for value in points if op.holds(value, threshold)) / len(points)


def slice_counts(
    ratios: Sequence[float | None], method: BudgetingMethod, slice_target: float | None = None
) -> EventCounts | None:
    """The counts of a window from its slices' ratios (``None``: a slice without traffic, left out); ``None``
    when no slice had any. With Occurrences the "ratios" are points, 1 (met) or 0 (missed)."""
    with_data = [ratio for ratio in ratios if ratio is not None]
    if not with_data:
        return None
    if method is BudgetingMethod.TIMESLICES:
        if slice_target is None:
            raise ValueError("Timeslices needs a slice target")
        good = sum(1 for ratio in with_data if ratio >= slice_target)
        return EventCounts(total=float(len(with_data)), bad=float(len(with_data) - good))
    return EventCounts(total=float(len(with_data)), bad=float(len(with_data)) - math.fsum(with_data))


def slices_in(window: timedelta, slice_length: timedelta) -> int:
    """How many whole slices a window holds: the most recent ones that fit in it."""
    return int(window.total_seconds() // slice_length.total_seconds())


def slice_ends(at: datetime, window: timedelta, slice_length: timedelta) -> list[datetime]:
    """The ends of the slices a window counts at ``at``, oldest first: the ``slices_in(window)`` most recent whole
    slices, aligned on multiples of the slice length since the epoch, the slice under way at ``at`` left out. A
    calendar period starts on a slice boundary, so its slices are exactly those from its start to the last one."""
    step = int(slice_length.total_seconds())
    at_seconds = math.floor(at.timestamp())
    last = at_seconds - at_seconds % step
    count = slices_in(window, slice_length)
    return [datetime.fromtimestamp(last - step * back, tz=UTC) for back in range(count - 1, -1, -1)]


def counted_unit(slo: SloDefinition) -> timedelta:
    """The time between the things an SLO that does not count events counts: its slices, or its threshold metric's
    evaluated points (Occurrences)."""
    if slo.budgeting_method is BudgetingMethod.OCCURRENCES:
        return parse_duration(slo.indicator.step)
    return parse_duration(slo.time_slices.window)


def counted_since(at: datetime, window: timedelta, unit: timedelta) -> datetime:
    """The instant after which the slices a window counts at ``at`` end (``slice_ends``): its slices end in
    (counted_since, at]."""
    step = int(unit.total_seconds())
    at_seconds = math.floor(at.timestamp())
    return datetime.fromtimestamp(at_seconds - at_seconds % step - step * slices_in(window, unit), tz=UTC)


def ends_outside(ends: Sequence[float], intervals: Iterable) -> list[bool]:
    """For each slice end (Unix seconds), whether no interval (``metrics.slo.adjustments.Interval``) holds it in
    (start, end]: the slices a budget adjustment leaves counted."""
    spans = [(interval.start.timestamp(), interval.end.timestamp()) for interval in intervals]
    return [not any(start < end_at <= end for start, end in spans) for end_at in ends]
