"""Deterministic demo history for the example catalog, and the demo source that serves it.

The same generator writes OpenMetrics text, so the integration tests can backfill a real Prometheus with exactly
the history the demo source answers from, and compare the two reports.

Values are a function of absolute time (a hash of the minute, not a random stream), so the demo's numbers hold
still between refreshes; the injected incidents are placed relative to the end of the history so the demo always
shows them: a fast burn on checkout, a slow burn on payments, an old outage that spent most of inventory's budget,
and a quiet reporting service with no traffic at all.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TextIO

import numpy as np
import pandas as pd

from data.slo.promql import SeriesSelector, parse_selector
from data.slo.sources import CountsResult, Exclusions
from metrics.slo.adjustments import Interval, adjusted_counts
from metrics.slo.definitions import (
    BudgetingMethod,
    EventCounts,
    RawRatioIndicator,
    SloDefinition,
    ThresholdIndicator,
    parse_duration,
)
from metrics.slo.report import requested_windows
from metrics.slo.timeslices import counted_unit, ends_outside, slice_counts, slices_in

GENERATOR_VERSION = 2
DEFAULT_DAYS = 35
FINE_STEP_SECONDS = 60  # 1-minute samples over the recent past, so 5-minute windows hold several samples
COARSE_STEP_SECONDS = 300
FINE_DAYS = 4
LATENCY_BUCKETS = ("0.1", "0.25", "0.5", "1", "+Inf")


@dataclass(frozen=True)
class Incident:
    """Error ratio (and latency share over the SLO thresholds) raised over [end - starts_before, end - ends_before)."""

    starts_before: timedelta
    ends_before: timedelta
    error_ratio: float
    slow_share: float = 0.0


@dataclass(frozen=True)
class ServiceProfile:
    name: str
    requests_per_second: float
    error_ratio: float
    error_codes: tuple[str, ...] = ("500",)
    latency_under: dict[str, float] | None = None  # share of requests at or under each bucket boundary
    incidents: tuple[Incident, ...] = ()
    daily_swing: float = 0.4


SERVICES: tuple[ServiceProfile, ...] = (
    ServiceProfile(
        "checkout",
        120.0,
        0.0003,
        latency_under={"0.1": 0.80, "0.25": 0.995, "0.5": 0.999, "1": 0.9998},
        incidents=(Incident(timedelta(minutes=50), timedelta(0), 0.03, slow_share=0.08),),
    ),
    ServiceProfile(
        "payments",
        40.0,
        0.0001,
        error_codes=("500", "503"),
        incidents=(Incident(timedelta(days=2, hours=12), timedelta(0), 0.0009),),
    ),
    ServiceProfile(
        "search",
        200.0,
        0.002,
        latency_under={"0.1": 0.55, "0.25": 0.90, "0.5": 0.97, "1": 0.995},
        incidents=(Incident(timedelta(days=6, hours=3), timedelta(days=6), 0.05, slow_share=0.3),),
    ),
    ServiceProfile("auth", 80.0, 0.0002),
    ServiceProfile(  # a back-office service with flat traffic: its old outage costs the same at any hour
        "inventory",
        30.0,
        0.0004,
        daily_swing=0.0,
        incidents=(Incident(timedelta(days=10, hours=3), timedelta(days=10), 0.10),),
    ),
    ServiceProfile("reporting", 0.0, 0.0, daily_swing=0.0),
)
NOTIFICATIONS_PER_SECOND = 15.0
NOTIFICATIONS_FAILURE_RATIO = 0.0015


@dataclass(frozen=True)
class DemoSeries:
    metric: str
    labels: dict[str, str]
    values: np.ndarray  # cumulative counter values, one per history timestamp


@dataclass(frozen=True)
class DemoHistory:
    end: datetime
    timestamps: np.ndarray  # int64 Unix seconds, ascending
    series: list[DemoSeries] = field(default_factory=list)

    @property
    def start(self) -> datetime:
        return datetime.fromtimestamp(int(self.timestamps[0]), tz=UTC)


def history_end(end: datetime) -> datetime:
    """The last sample of a history asked to end at ``end``: the whole minute at or before it."""
    return datetime.fromtimestamp(int(end.timestamp()) // FINE_STEP_SECONDS * FINE_STEP_SECONDS, tz=UTC)


def history_timestamps(end: datetime, days: int) -> np.ndarray:
    end_seconds = int(history_end(end).timestamp())
    fine_start = end_seconds - FINE_DAYS * 86400
    coarse_start = (end_seconds - days * 86400) // COARSE_STEP_SECONDS * COARSE_STEP_SECONDS
    coarse = np.arange(coarse_start, fine_start, COARSE_STEP_SECONDS, dtype=np.int64)
    fine = np.arange(fine_start, end_seconds + 1, FINE_STEP_SECONDS, dtype=np.int64)
    return np.concatenate([coarse, fine])


def _noise(seconds: np.ndarray, salt: str) -> np.ndarray:
    """Deterministic noise in [0, 1) from absolute time: the same instant always gets the same value."""
    offset = int(hashlib.sha256(salt.encode()).hexdigest()[:8], 16) % 10_000
    x = np.sin((seconds / 60.0 + offset) * 12.9898) * 43758.5453
    return x - np.floor(x)


def _interval_counts(timestamps: np.ndarray, per_second: np.ndarray) -> np.ndarray:
    """Events between each sample and the one before it (the first sample opens the history with zero)."""
    durations = np.diff(timestamps, prepend=timestamps[0]).astype(float)
    return per_second * durations


def _cumulative(interval_counts: np.ndarray) -> np.ndarray:
    """Whole-event counter values: the floor of the running sum keeps long-run ratios exact."""
    return np.floor(np.cumsum(interval_counts))


def _incident_mask(timestamps: np.ndarray, end_seconds: int, incident: Incident) -> np.ndarray:
    start = end_seconds - incident.starts_before.total_seconds()
    stop = end_seconds - incident.ends_before.total_seconds()
    return (timestamps > start) & (timestamps <= stop)


def generate_history(end: datetime, days: int = DEFAULT_DAYS) -> DemoHistory:
    timestamps = history_timestamps(end, days)
    end_seconds = int(timestamps[-1])
    hours = (timestamps % 86400) / 3600.0
    series: list[DemoSeries] = []
    for profile in SERVICES:
        daily = 1.0 + profile.daily_swing * np.sin(2 * math.pi * (hours - 8.0) / 24.0)
        traffic = profile.requests_per_second * daily * (0.9 + 0.2 * _noise(timestamps, profile.name))
        errors = np.full(timestamps.shape, profile.error_ratio) * (0.5 + _noise(timestamps, profile.name + "/e"))
        slow = np.zeros(timestamps.shape)
        for incident in profile.incidents:
            mask = _incident_mask(timestamps, end_seconds, incident)
            errors = np.where(
                mask, incident.error_ratio * (0.8 + 0.4 * _noise(timestamps, profile.name + "/i")), errors
            )
            slow = np.where(mask, incident.slow_share, slow)
        requests = _interval_counts(timestamps, traffic)
        failed = requests * errors
        per_code = {"200": requests - failed}
        for code in profile.error_codes:
            per_code[code] = failed / len(profile.error_codes)
        for code, counts in per_code.items():
            series.append(
                DemoSeries("http_requests_total", {"service": profile.name, "code": code}, _cumulative(counts))
            )
        if profile.latency_under:
            for le in LATENCY_BUCKETS:
                share = 1.0 if le == "+Inf" else profile.latency_under[le]
                under = share * (1.0 - slow) if le != "+Inf" else np.ones(timestamps.shape)
                series.append(
                    DemoSeries(
                        "http_request_duration_seconds_bucket",
                        {"service": profile.name, "le": le},
                        _cumulative(requests * under),
                    )
                )
            series.append(
                DemoSeries("http_request_duration_seconds_count", {"service": profile.name}, _cumulative(requests))
            )
    sent = _interval_counts(timestamps, NOTIFICATIONS_PER_SECOND * (0.8 + 0.4 * _noise(timestamps, "notify")))
    failure = NOTIFICATIONS_FAILURE_RATIO * (0.5 + _noise(timestamps, "notify/f"))
    series.append(DemoSeries("notifications_sent_total", {"service": "notifications"}, _cumulative(sent)))
    series.append(DemoSeries("notifications_failed_total", {"service": "notifications"}, _cumulative(sent * failure)))
    return DemoHistory(end=datetime.fromtimestamp(end_seconds, tz=UTC), timestamps=timestamps, series=series)


def cache_key(end: datetime, days: int = DEFAULT_DAYS) -> str:
    """Names a built Prometheus TSDB: changes whenever the generator's inputs or its version change."""
    text = f"v{GENERATOR_VERSION}:{int(end.timestamp())}:{days}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_OPENMETRICS_FAMILIES = {
    "http_requests_total": ("http_requests", "counter"),
    "notifications_sent_total": ("notifications_sent", "counter"),
    "notifications_failed_total": ("notifications_failed", "counter"),
    "http_request_duration_seconds_bucket": ("http_request_duration_seconds", "histogram"),
    "http_request_duration_seconds_count": ("http_request_duration_seconds", "histogram"),
}


def write_openmetrics(history: DemoHistory, out: TextIO) -> int:
    """Write the history as OpenMetrics text for ``promtool tsdb create-blocks-from openmetrics``.

    Timestamps are in seconds (milliseconds would be read as seconds and land thousands of years ahead) and the
    text ends with ``# EOF``. Returns the number of samples written.
    """
    written = 0
    by_family: dict[str, list[DemoSeries]] = {}
    for item in history.series:
        by_family.setdefault(_OPENMETRICS_FAMILIES[item.metric][0], []).append(item)
    stamps = [str(int(t)) for t in history.timestamps]
    for family, members in by_family.items():
        out.write(f"# TYPE {family} {_OPENMETRICS_FAMILIES[members[0].metric][1]}\n")
        for item in members:
            label_text = ",".join(f'{k}="{v}"' for k, v in sorted(item.labels.items()))
            prefix = f"{item.metric}{{{label_text}}} "
            out.writelines(f"{prefix}{int(value)} {stamp}\n" for value, stamp in zip(item.values, stamps))
            written += len(stamps)
    out.write("# EOF\n")
    return written


class DemoSource:
    """Answers like the Prometheus source, from the generated history: no network, the same numbers."""

    is_demo = True
    description = "demo data"

    def __init__(self, end: datetime | None = None, days: int = DEFAULT_DAYS) -> None:
        moment = end or datetime.now(UTC)
        self.history = generate_history(moment, days)
        self.query_count = 0

    def _matching(self, selector_text: str) -> np.ndarray | None:
        selector: SeriesSelector = parse_selector(selector_text)
        matched = [s.values for s in self.history.series if selector.matches(s.metric, s.labels)]
        if not matched:
            return None
        return np.sum(matched, axis=0)

    def _matching_by(self, selector_text: str, split_by: tuple[str, ...]) -> dict[tuple[str, ...], np.ndarray]:
        """``_matching`` per value of the ``split_by`` labels (a series without one counts under "")."""
        selector: SeriesSelector = parse_selector(selector_text)
        grouped: dict[tuple[str, ...], list[np.ndarray]] = {}
        for series in self.history.series:
            if selector.matches(series.metric, series.labels):
                grouped.setdefault(tuple(series.labels.get(label, "") for label in split_by), []).append(series.values)
        return {value: np.sum(members, axis=0) for value, members in grouped.items()}

    def _value_at(self, values: np.ndarray, moment: datetime) -> float:
        index = np.searchsorted(self.history.timestamps, moment.timestamp(), side="right") - 1
        return 0.0 if index < 0 else float(values[index])

    def _increase(self, values: np.ndarray, start: datetime, end: datetime) -> float:
        return self._value_at(values, end) - self._value_at(values, start)

    def window_counts(
        self, slos: list[SloDefinition], at: datetime, exclusions: Exclusions | None = None
    ) -> CountsResult:
        result = CountsResult()
        for slo in slos:
            if not slo.counts_events:
                excluded = (exclusions or {}).get(slo.name, {})
                result.counts[slo.name] = self._slice_window_counts(slo, at, excluded)
                if excluded:
                    result.raw[slo.name] = self._slice_window_counts(slo, at, {})
                continue
            total = self._matching(slo.indicator.total_query)
            other = self._matching(slo.indicator.good_query or slo.indicator.bad_query)
            excluded = (exclusions or {}).get(slo.name, {})

            def events(start: datetime, end: datetime, total=total, other=other, slo=slo) -> EventCounts:
                total_increase = self._increase(total, start, end)
                other_increase = self._increase(other, start, end)
                if slo.indicator.good_query:
                    return EventCounts.from_good(total_increase, other_increase)
                return EventCounts(total=total_increase, bad=other_increase)

            counts: dict[str, EventCounts | None] = {}
            raw: dict[str, EventCounts | None] = {}
            for key, window in requested_windows(slo, at).items():
                if total is None or other is None:
                    counts[key] = raw[key] = None
                    continue
                raw[key] = counts[key] = events(at - window, at)
                if key in excluded:
                    inside = [events(interval.start, interval.end) for interval in excluded[key].intervals]
                    removed = EventCounts(sum(c.total for c in inside), sum(c.bad for c in inside))
                    counts[key] = adjusted_counts(raw[key], removed)
            result.counts[slo.name] = counts
            if excluded:
                result.raw[slo.name] = raw
            if slo.split_by:
                result.split[slo.name] = self._split_counts(slo, at, excluded)
        return result

    def _split_counts(self, slo: SloDefinition, at: datetime, excluded) -> dict:
        """A split SLO's counts per value, as ``window_counts`` computes the SLO's own."""
        totals = self._matching_by(slo.indicator.total_query, slo.split_by)
        others = self._matching_by(slo.indicator.good_query or slo.indicator.bad_query, slo.split_by)
        by_value = {}
        for value, total in sorted(totals.items()):
            # a value with total events but no series of the other counter has none of those: 0, not "no data"
            other = others.get(value, np.zeros_like(total))
            counts: dict[str, EventCounts | None] = {}
            for key, window in requested_windows(slo, at).items():

                def events(start: datetime, end: datetime, total=total, other=other) -> EventCounts:
                    total_increase = self._increase(total, start, end)
                    other_increase = self._increase(other, start, end)
                    if slo.indicator.good_query:
                        return EventCounts.from_good(total_increase, other_increase)
                    return EventCounts(total=total_increase, bad=other_increase)

                counts[key] = events(at - window, at)
                if key in excluded:
                    inside = [events(interval.start, interval.end) for interval in excluded[key].intervals]
                    removed = EventCounts(sum(c.total for c in inside), sum(c.bad for c in inside))
                    counts[key] = adjusted_counts(counts[key], removed)
            by_value[value] = counts
        return by_value

    def interval_counts(
        self, slos: list[SloDefinition], parts: dict[str, dict[str, Sequence[Interval]]]
    ) -> dict[tuple[str, str], EventCounts]:
        """Per (SLO, part key): the events inside that part's intervals (the daily rollups' adjusted days)."""
        found: dict[tuple[str, str], EventCounts] = {}
        for slo in slos:
            if not slo.counts_events:
                for key, intervals in parts.get(slo.name, {}).items():
                    found[(slo.name, key)] = self._slices_inside(slo, intervals)
                continue
            total = self._matching(slo.indicator.total_query)
            other = self._matching(slo.indicator.good_query or slo.indicator.bad_query)
            if total is None or other is None:
                continue
            for key, intervals in parts.get(slo.name, {}).items():
                all_events = sum(self._increase(total, i.start, i.end) for i in intervals)
                others = sum(self._increase(other, i.start, i.end) for i in intervals)
                found[(slo.name, key)] = (
                    EventCounts.from_good(all_events, others)
                    if slo.indicator.good_query
                    else EventCounts(total=all_events, bad=others)
                )
        return found

    # -- SLOs counting slices or points (``metrics.slo.timeslices``), as the Prometheus source's subqueries do

    def _unit(self, slo: SloDefinition) -> int:
        return int(counted_unit(slo).total_seconds())

    def _slices_inside(self, slo: SloDefinition, intervals: Sequence[Interval]) -> EventCounts:
        """The slices (points) ending inside the intervals, in (start, end] each."""
        unit = self._unit(slo)
        ends = [
            end
            for interval in intervals
            for end in range(
                (int(interval.start.timestamp()) // unit + 1) * unit, int(interval.end.timestamp()) + 1, unit
            )
        ]
        counted = self._counts_of(slo, self._slice_ratios(slo, np.array(ends, dtype=np.int64))) if ends else None
        return counted or EventCounts(total=0.0, bad=0.0)

    def _slice_ratios(self, slo: SloDefinition, ends: np.ndarray) -> np.ndarray:
        """Each slice's ratio (NaN: no traffic) for slices ending at ``ends`` (Unix seconds); for a threshold metric
        budgeted by Occurrences each "slice" is one point, 1 when it meets the threshold, else 0."""
        unit = self._unit(slo)
        indicator = slo.indicator
        if isinstance(indicator, ThresholdIndicator | RawRatioIndicator):
            value = _threshold_met if isinstance(indicator, ThresholdIndicator) else _raw_point_value
            if slo.budgeting_method is BudgetingMethod.OCCURRENCES:
                return value(indicator, ends).astype(float)
            step = int(parse_duration(indicator.step).total_seconds())
            per_slice = max(unit // step, 1)
            offsets = np.arange(per_slice - 1, -1, -1) * step
            points = ends[:, None] - offsets[None, :]
            return value(indicator, points.ravel()).astype(float).reshape(points.shape).mean(axis=1)
        total = self._matching(indicator.total_query)
        other = self._matching(indicator.good_query or indicator.bad_query)
        if total is None or other is None:
            return np.full(ends.shape, np.nan)
        stamps = self.history.timestamps

        def cumulative_at(values: np.ndarray, seconds: np.ndarray) -> np.ndarray:
            index = np.searchsorted(stamps, seconds, side="right") - 1
            return np.where(index >= 0, values[np.clip(index, 0, None)], 0.0)

        totals = cumulative_at(total, ends) - cumulative_at(total, ends - unit)
        others = cumulative_at(other, ends) - cumulative_at(other, ends - unit)
        good = others if indicator.good_query else totals - others
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(totals > 0, np.clip(good / totals, 0.0, 1.0), np.nan)

    def _counts_of(self, slo: SloDefinition, ratios: np.ndarray) -> EventCounts | None:
        method = BudgetingMethod.OCCURRENCES if slo.time_slices is None else slo.budgeting_method
        target = None if slo.time_slices is None else slo.time_slices.target
        return slice_counts([None if np.isnan(r) else float(r) for r in ratios], method, target)

    def _slice_window_counts(self, slo: SloDefinition, at: datetime, excluded: dict) -> dict[str, EventCounts | None]:
        """Per window, the counts of its slices; ``excluded`` (window key -> ``Expansion``): the slices ending
        inside a budget adjustment are left out."""
        unit = self._unit(slo)
        last = int(at.timestamp()) // unit * unit
        counts: dict[str, EventCounts | None] = {}
        for key, window in requested_windows(slo, at).items():
            count = slices_in(window, timedelta(seconds=unit))
            ends = np.arange(last - unit * (count - 1), last + 1, unit, dtype=np.int64)
            if key in excluded:
                ends = ends[ends_outside(ends.tolist(), excluded[key].intervals)]
            counts[key] = self._counts_of(slo, self._slice_ratios(slo, ends)) if len(ends) else None
        return counts

    def _slice_buckets(self, slo: SloDefinition, start: datetime, end: datetime, step: timedelta) -> pd.DataFrame:
        unit = self._unit(slo)
        ends = pd.date_range(start, end, freq=step, tz="UTC")
        rows = {"time": [], "total": [], "bad": []}
        count = slices_in(step, timedelta(seconds=unit))
        for moment in ends if count else ():
            last = int(moment.timestamp()) // unit * unit
            slice_ends = np.arange(last - unit * (count - 1), last + 1, unit, dtype=np.int64)
            counted = self._counts_of(slo, self._slice_ratios(slo, slice_ends))
            if counted is not None:
                rows["time"].append(moment)
                rows["total"].append(counted.total)
                rows["bad"].append(counted.bad)
        return pd.DataFrame(
            {"time": pd.to_datetime(rows["time"], utc=True), "total": rows["total"], "bad": rows["bad"]}
        )

    def event_buckets(self, slo: SloDefinition, start: datetime, end: datetime, step: timedelta) -> pd.DataFrame:
        """Events per bucket ending at each step from ``start`` to ``end``: columns time, total, bad (slices or
        points for an SLO counting those)."""
        if not slo.counts_events:
            return self._slice_buckets(slo, start, end, step)
        total = self._matching(slo.indicator.total_query)
        other = self._matching(slo.indicator.good_query or slo.indicator.bad_query)
        if total is None or other is None:
            return pd.DataFrame({"time": pd.Series([], dtype="datetime64[ns, UTC]"), "total": [], "bad": []})
        ends = pd.date_range(start, end, freq=step, tz="UTC")
        stamps = self.history.timestamps

        def cumulative_at(values: np.ndarray, seconds: np.ndarray) -> np.ndarray:
            index = np.searchsorted(stamps, seconds, side="right") - 1
            return np.where(index >= 0, values[np.clip(index, 0, None)], 0.0)

        end_seconds = np.array([t.timestamp() for t in ends])
        start_seconds = end_seconds - step.total_seconds()
        total_counts = cumulative_at(total, end_seconds) - cumulative_at(total, start_seconds)
        other_counts = cumulative_at(other, end_seconds) - cumulative_at(other, start_seconds)
        bad_counts = total_counts - other_counts if slo.indicator.good_query else other_counts
        return pd.DataFrame({"time": ends, "total": total_counts, "bad": bad_counts})


DEMO_THRESHOLD_MET_SHARE = 0.98


def _raw_point_value(indicator: RawRatioIndicator, seconds: np.ndarray) -> np.ndarray:
    """How good a raw ratio's point is at each instant, in the demo, which cannot evaluate PromQL: a stand-in success
    ratio per query near 0.999, down to 0.95 from 14:00 to 15:00 UTC on Mondays (as ``_threshold_met``'s slow
    spell); for a failure ratio the query is read as one minus that, so the goodness is the same."""
    noise = _noise(seconds.astype(float), "raw/" + indicator.query)
    hours = (seconds % 86400) / 3600.0
    monday = ((seconds // 86400) + 3) % 7 == 0
    spell = monday & (hours >= 14) & (hours < 15)
    return np.where(spell, 0.95, 0.998 + 0.002 * noise)


def _threshold_met(indicator: ThresholdIndicator, seconds: np.ndarray) -> np.ndarray:
    """Whether a thresholdMetric's point at each instant meets its threshold, in the demo. The demo's history holds
    counters only and cannot evaluate PromQL, so it stands in for the metric with one deterministic series per
    query: met about ``DEMO_THRESHOLD_MET_SHARE`` of the time, and missed from 14:00 to 15:00 UTC on Mondays (a
    weekly slow spell the page can show)."""
    noise = _noise(seconds.astype(float), "threshold/" + indicator.query)
    hours = (seconds % 86400) / 3600.0
    monday = ((seconds // 86400) + 3) % 7 == 0  # 1970-01-01 was a Thursday
    spell = monday & (hours >= 14) & (hours < 15)
    return (noise < DEMO_THRESHOLD_MET_SHARE) & ~spell
