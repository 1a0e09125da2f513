"""When the SLO burn tiers fired: runs of firing evaluations turned into intervals.

Both sources of a firing history reduce to the same input, the evaluation instants at which a tier was firing,
one step apart: Prometheus's ``ALERTS`` series read by a range query (a point wherever the alert was firing), and
the demo, whose tiers are evaluated on its own burn-rate series (``metrics.slo.timeseries.rolling_burn_rates``).

A run is a sequence of firing points each one step after the previous one; one missing step ends it, because at
that evaluation the tier was not firing. A run ends at the first evaluation that did not fire (last point + one
step), so a single firing evaluation lasts one step. A run whose last point is the range's last evaluation is
still firing (``ended`` is ``None``); one whose first point is the range's first evaluation may have started
earlier (``started_before_range``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from metrics.formatting import format_duration
from metrics.slo.alerts import DEFAULT_TIERS, AlertTier, Urgency
from metrics.slo.definitions import TimeWindow, parse_duration
from metrics.slo.periods import current_period
from metrics.slo.timeseries import tier_firing_mask
from metrics.trends.rollups import local_midnight

# Points within this share of a step of the next expected evaluation count as "one step later" (float seconds).
_STEP_TOLERANCE = 0.5


@dataclass(frozen=True, order=True)
class AlertKey:
    """What identifies one tier of one SLO: the labels the generated rules put on every alert."""

    slo: str
    service: str
    severity: str  # the team's name for it: "page", "ticket", or its own ("P1")
    long_window: str
    short_window: str
    urgency: Urgency = field(compare=False)  # what that severity means: a page or a ticket

    @classmethod
    def for_tier(cls, slo: str, service: str, tier: AlertTier) -> AlertKey:
        return cls(slo, service, tier.severity, tier.long_window, tier.short_window, tier.urgency)


@dataclass(frozen=True)
class FiringInterval:
    key: AlertKey
    started: datetime  # the first evaluation that fired (aware, UTC)
    ended: datetime | None  # the first evaluation that no longer fired; None: still firing at the range's end
    started_before_range: bool  # fired at the range's first evaluation: it may have started earlier

    def duration(self, until: datetime) -> timedelta:
        """How long it fired; a run still firing counts up to ``until`` (the range's end)."""
        return (self.ended or until) - self.started

    def to_dict(self, until: datetime) -> dict:
        return {
            "slo": self.key.slo,
            "service": self.key.service,
            "severity": self.key.severity,
            "urgency": self.key.urgency.value,
            "long_window": self.key.long_window,
            "short_window": self.key.short_window,
            "started": self.started.isoformat(),
            "ended": None if self.ended is None else self.ended.isoformat(),
            "still_firing": self.ended is None,
            "started_before_range": self.started_before_range,
            "duration_seconds": self.duration(until).total_seconds(),
        }


def intervals_from_points(
    points: Mapping[AlertKey, Iterable[datetime]],
    step: timedelta,
    first_evaluation: datetime,
    last_evaluation: datetime,
) -> list[FiringInterval]:
    """Firing intervals from the instants each key fired at, evaluated every ``step`` from ``first_evaluation`` to
    ``last_evaluation``; newest first. Duplicate instants (the same alert from two Prometheus replicas) count once."""
    if step <= timedelta(0):
        raise ValueError("the step must be longer than zero")
    tolerance = step * _STEP_TOLERANCE
    intervals: list[FiringInterval] = []
    for key, moments in points.items():
        ordered = sorted(set(moments))
        if not ordered:
            continue
        run_start = previous = ordered[0]
        for moment in ordered[1:] + [None]:
            if moment is not None and moment - previous <= step + tolerance:
                previous = moment
                continue
            still_firing = previous + step > last_evaluation + tolerance
            intervals.append(
                FiringInterval(
                    key=key,
                    started=run_start,
                    ended=None if still_firing else previous + step,
                    started_before_range=run_start - step < first_evaluation - tolerance,
                )
            )
            if moment is not None:
                run_start = previous = moment
    return sorted(intervals, key=lambda interval: (interval.started, interval.key), reverse=True)


def tier_firing_times(
    burn_rates: pd.DataFrame,
    period_length: timedelta,
    tiers: Sequence[AlertTier] = DEFAULT_TIERS,
    events: pd.DataFrame | None = None,
) -> dict[AlertTier, list[datetime]]:
    """The instants of a burn-rate series (``metrics.slo.timeseries.rolling_burn_rates``) at which each tier's rule
    held: long AND short window past the threshold scaled to the period, and for a guarded tier enough events in the
    long window (``events``: ``metrics.slo.timeseries.rolling_window_events``). Missing values never fire."""
    frame = burn_rates.sort_values("time").reset_index(drop=True)
    times = pd.to_datetime(frame["time"], utc=True)
    firing_times = {}
    for tier in tiers:
        firing = tier_firing_mask(frame, tier, tier.threshold(period_length), events)
        firing_times[tier] = [moment.to_pydatetime() for moment in times[firing.to_numpy(dtype=bool)]]
    return firing_times


def tier_firing_times_by_period(
    burn_rates: pd.DataFrame,
    window: TimeWindow,
    tiers: Sequence[AlertTier] = DEFAULT_TIERS,
    events: pd.DataFrame | None = None,
) -> dict[AlertTier, list[datetime]]:
    """``tier_firing_times`` with each instant judged by the thresholds of the period it falls in, as the SLO burn
    page judges "now": a calendar month of 31 days pages at 14.88, one of 28 days at 13.44."""
    frame = burn_rates.sort_values("time").reset_index(drop=True)
    if window.is_rolling or frame.empty:
        return tier_firing_times(frame, parse_duration(window.duration), tiers, events)
    times = pd.to_datetime(frame["time"], utc=True)
    firing_times: dict[AlertTier, list[datetime]] = {tier: [] for tier in tiers}
    position = 0
    while position < len(frame):
        period = current_period(window, times.iloc[position].to_pydatetime())
        chunk_end = max(int(times.searchsorted(pd.Timestamp(period.end).tz_convert("UTC"), side="left")), position + 1)
        chunk = frame.iloc[position:chunk_end].reset_index(drop=True)
        for tier, moments in tier_firing_times(chunk, period.length, tiers, events).items():
            firing_times[tier].extend(moments)
        position = chunk_end
    return firing_times


def interval_rows(intervals: Iterable[FiringInterval], time_zone: str, until: datetime) -> list[dict[str, str]]:
    """The history as people read it, the same on the page and in ``cli.py alerts history --format table``: times
    in the team's zone, "still firing", "≤" before a start that may lie before the range."""
    zone = ZoneInfo(time_zone)

    def local(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    return [
        {
            "service": interval.key.service,
            "SLO": interval.key.slo,
            "severity": interval.key.severity,
            "tier": f"{interval.key.long_window} / {interval.key.short_window}",
            "started": ("≤ " if interval.started_before_range else "") + local(interval.started),
            "ended": "still firing" if interval.ended is None else local(interval.ended),
            "duration": ("≥ " if interval.started_before_range else "") + format_duration(interval.duration(until)),
        }
        for interval in intervals
    ]


def evaluation_range(start: datetime, end: datetime, step: timedelta) -> tuple[datetime, datetime]:
    """The first and last evaluation instants in [start, end] on the grid of whole steps since the epoch, so every
    viewer in the same minute asks the same query (and shares its cached answer)."""
    seconds = step.total_seconds()
    first = -(-start.timestamp() // seconds) * seconds
    last = end.timestamp() // seconds * seconds
    return (datetime.fromtimestamp(first, tz=UTC), datetime.fromtimestamp(max(first, last), tz=UTC))


def firing_range(
    now: datetime, team_timezone: str, span: timedelta, first_day: date | None = None, last_day: date | None = None
) -> tuple[datetime, datetime]:
    """[start, end) of a firing history: from local midnight of ``first_day`` (default: ``span`` before ``now``)
    to the end of ``last_day`` (default, and at most: ``now``), days in the team's zone. Raises ``ValueError``
    when the range is empty."""
    start = local_midnight(first_day, team_timezone) if first_day else now - span
    end = min(now, local_midnight(last_day + timedelta(days=1), team_timezone)) if last_day else now
    if start >= end:
        raise ValueError(f"the range is empty: it starts {start.isoformat()} and ends {end.isoformat()}")
    return start, end
