"""Daily rollups: what one SLO did during one local day, and the calendar arithmetic that defines the days.

A day is a day of the team's time zone: it starts at local midnight and lasts 23, 24 or 25 hours (daylight-saving
changes). Rollups keep the raw event counts (and histogram bucket counts for latency), so every weekly or monthly
figure is computed from summed events (``metrics.trends.aggregate``), never from an average of daily ratios.

Budget consumed (of a day, week or month W, for an SLO with error budget B = 1 − target over a period P):

    consumed(W) = bad(W) / (B × total(W) × P / length(W))  =  burn_rate(W) × length(W) / P

the share of the SLO's period budget that W's bad events used, counting the budget at W's own traffic: a day spent
exactly at the objective (burn rate 1) consumes 1/30 of a 30-day budget; a 30-day stretch at the objective, 100 %.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from metrics.slo.budget import burn_rate, error_ratio, sli
from metrics.slo.definitions import EventCounts, SloDefinition

LATENCY_QUANTILES: tuple[float, ...] = (0.5, 0.95, 0.99)


class RollupOrigin(StrEnum):
    """Where a set of daily rollups came from; the value is the words the pages, documents and CLI print."""

    DEMO = "demo data"  # computed in memory from the demo history (or stored by ``collect rollups --demo``)
    STORE = "the store"  # collected from Prometheus into the store


def counted_fingerprint(slo: SloDefinition) -> str:
    """What an SLO's stored days count, in 16 hex digits: its indicator (queries, counter kind) and unit. A day
    stored under another fingerprint counted other queries, so it is collected again and no window sums it."""
    text = repr((slo.indicator, slo.unit, slo.time_slices))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class LocalDay:
    """One calendar day of a time zone, with its exact UTC boundaries and elapsed length."""

    day: date
    start: datetime  # UTC, local midnight that opens the day
    end: datetime  # UTC, local midnight that closes it

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


def local_midnight(day: date, time_zone: str) -> datetime:
    """The instant (UTC) local midnight starts ``day``; a zone that skips midnight starts the day at the first
    existing minute (zoneinfo resolves the gap forward)."""
    local = datetime.combine(day, time(0), tzinfo=ZoneInfo(time_zone))
    return local.astimezone(UTC)


def local_day(day: date, time_zone: str) -> LocalDay:
    return LocalDay(day, local_midnight(day, time_zone), local_midnight(day + timedelta(days=1), time_zone))


def local_days(first: date, last: date, time_zone: str) -> list[LocalDay]:
    """Every day from ``first`` to ``last`` inclusive."""
    return [local_day(first + timedelta(days=offset), time_zone) for offset in range((last - first).days + 1)]


def local_date(moment: datetime, time_zone: str) -> date:
    return moment.astimezone(ZoneInfo(time_zone)).date()


def last_complete_day(now: datetime, time_zone: str, settle: timedelta = timedelta(0)) -> date:
    """The newest local day that ended at least ``settle`` before ``now`` (scrapes arrive a little late)."""
    return local_date(now - settle, time_zone) - timedelta(days=1)


def day_runs(days: Iterable[LocalDay], max_days: int = 31) -> list[list[LocalDay]]:
    """Consecutive days of the same length, at most ``max_days`` each.

    One run is one range query with step = window = the day's length, evaluated at each day's closing midnight:
    exact, since every window is exactly one local day. Days of a daylight-saving change (23 or 25 h) form runs of
    their own.
    """
    runs: list[list[LocalDay]] = []
    for current in sorted(days, key=lambda d: d.day):
        if (
            runs
            and len(runs[-1]) < max_days
            and runs[-1][-1].end == current.start
            and runs[-1][-1].seconds == current.seconds
        ):
            runs[-1].append(current)
        else:
            runs.append([current])
    return runs


# --- latency -----------------------------------------------------------------------------------------------------


def histogram_quantile(quantile: float, buckets: Mapping[float | str, float] | None) -> float | None:
    """Prometheus's ``histogram_quantile`` over cumulative bucket counts {upper bound: count}; ``None`` without
    observations or without the ``+Inf`` bucket.

    The same algorithm as Prometheus (linear interpolation inside the bucket; a rank in the ``+Inf`` bucket answers
    the highest finite bound), so a weekly percentile from summed daily buckets equals Prometheus's answer over the
    week.
    """
    if not buckets:
        return None
    points = sorted((float(bound), float(count)) for bound, count in buckets.items())
    if len(points) < 2 or not math.isinf(points[-1][0]):
        return None
    counts, running = [], 0.0
    for _, count in points:  # scrapes a moment apart can make a bucket dip below the previous one
        running = max(running, count)
        counts.append(running)
    observations = counts[-1]
    if observations <= 0:
        return None
    rank = quantile * observations
    index = next(i for i, count in enumerate(counts) if count >= rank)
    if index == len(points) - 1:
        return points[-2][0]
    if index == 0 and points[0][0] <= 0:
        return points[0][0]
    lower = points[index - 1][0] if index > 0 else 0.0
    below = counts[index - 1] if index > 0 else 0.0
    in_bucket = counts[index] - below
    if in_bucket <= 0:
        return points[index][0]
    return lower + (points[index][0] - lower) * ((rank - below) / in_bucket)  # fraction first: no overflow


def add_buckets(histograms: Iterable[Mapping[str, float] | None]) -> dict[str, float] | None:
    """Bucket counts summed across days; ``None`` when no day had a histogram."""
    total: dict[str, float] = {}
    seen = False
    for histogram in histograms:
        if not histogram:
            continue
        seen = True
        for bound, count in histogram.items():
            total[bound] = total.get(bound, 0.0) + float(count)
    return total if seen else None


# --- the daily figures -------------------------------------------------------------------------------------------


def budget_consumed(
    counts: EventCounts | None, target: float, window_seconds: float, period_seconds: float
) -> float | None:
    """Share of the SLO's period budget the window's bad events used (see the module docstring)."""
    rate = burn_rate(counts, target)
    if rate is None or period_seconds <= 0:
        return None
    return rate * window_seconds / period_seconds


@dataclass(frozen=True)
class DailyRollup:
    """One SLO over one local day. ``total is None``: the source had no series for it (no data, never 0)."""

    day: date
    slo: str
    service: str
    target: float
    period_seconds: int  # the SLO's budget period, which scales budget consumed
    day_seconds: int  # 82800, 86400 or 90000
    total: float | None
    bad: float | None
    latency_buckets: dict[str, float] | None = field(default=None, hash=False, compare=False)
    counted: str = "events"  # what total and bad count: events, slices or points (``SloDefinition.unit``)
    fingerprint: str | None = field(default=None, compare=False)  # ``counted_fingerprint`` of the SLO when collected

    @property
    def counts(self) -> EventCounts | None:
        return None if self.total is None or self.bad is None else EventCounts(total=self.total, bad=self.bad)

    @property
    def error_ratio(self) -> float | None:
        return error_ratio(self.counts)

    @property
    def sli(self) -> float | None:
        return sli(self.counts)

    @property
    def met_objective(self) -> bool | None:
        value = self.sli
        return None if value is None else value >= self.target

    @property
    def budget_consumed(self) -> float | None:
        return budget_consumed(self.counts, self.target, self.day_seconds, self.period_seconds)

    def latency(self, quantile: float) -> float | None:
        return histogram_quantile(quantile, self.latency_buckets)

    def as_row(self) -> dict:
        """The stored form: raw counts plus the derived figures, so SQL readers need no code of ours."""
        return {
            "day": self.day,
            "slo": self.slo,
            "service": self.service,
            "target": self.target,
            "period_seconds": self.period_seconds,
            "day_seconds": self.day_seconds,
            "total": self.total,
            "bad": self.bad,
            "error_ratio": self.error_ratio,
            "sli": self.sli,
            "met_objective": self.met_objective,
            "budget_consumed": self.budget_consumed,
            "latency_p50": self.latency(0.5),
            "latency_p95": self.latency(0.95),
            "latency_p99": self.latency(0.99),
            "latency_buckets": self.latency_buckets,
            "counted": self.counted,
            "fingerprint": self.fingerprint,
        }
