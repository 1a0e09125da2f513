"""Collecting daily rollups: per SLO and local day, the events, the bad events and the latency histogram.

How a day is read, exactly. Local days last 23, 24 or 25 hours, so the days are grouped into runs of consecutive days of
equal length (``metrics.trends.rollups.day_runs``: a year in a zone with summer time gives a handful of runs). One run
is one range query whose step and window both equal the day's length, evaluated at the local midnights that close the
days: ``sum(increase(<counter>[86400s]))`` at each midnight counts exactly that day's events, with the same boundary
handling Prometheus applies to any window, and no day is counted twice. (Summing 24 hourly increases instead would
extrapolate 24 times per day and cost 24 times the points.) Every query is batched across SLOs like
``PrometheusSource.window_counts``: three queries per run (total, bad, latency buckets) plus one that checks each SLO's
counter existed at the day's first midnight, whatever the number of SLOs.

A day is stored only when complete: it ended (plus ``SETTLE`` for late scrapes) and the SLO's counter existed when
it began. A day before the counter existed (before Prometheus's retention, or the demo history's start) would count
only part of its events, so it is not stored at all and is retried on the next run.

Latency comes from the bucket family of a latency SLO's good query (``x_bucket{..., le="0.25"}`` gives
``sum by (le) (increase(x_bucket{...}[1d]))``); the day's bucket counts are stored, and p50/p95/p99 are computed
with Prometheus's ``histogram_quantile`` algorithm (``metrics.trends.rollups``), so weekly percentiles come from summed
buckets rather than from averaged daily percentiles.

The demo goes through the same run splitting and row building, reading ``DemoSource.event_buckets``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from data.slo.promql import SLO_LABEL, Matcher, SelectorError, SeriesSelector, batched_queries, parse_selector
from metrics.access import Actor, Role, require
from metrics.slo.definitions import RatioIndicator, SloDefinition, format_prometheus_duration
from metrics.slo.periods import period_length
from metrics.trends.rollups import (
    DailyRollup,
    LocalDay,
    counted_fingerprint,
    day_runs,
    last_complete_day,
    local_days,
    local_midnight,
)

SETTLE = timedelta(minutes=10)  # a day counts as complete this long after its closing midnight
DEFAULT_BACKFILL_DAYS = 90
DEMO_HISTORY_DAYS = 190  # ~6 months of demo history for the trends page

# (day, slo) -> (total, bad, latency buckets); a pair missing from ``counts`` had no series
DayKey = tuple[date, str]


@dataclass
class RunCounts:
    counts: dict[DayKey, tuple[float | None, float | None]] = field(default_factory=dict)
    buckets: dict[DayKey, dict[str, float]] = field(default_factory=dict)
    covered: set[DayKey] = field(default_factory=set)  # the SLO's counter existed when the day began
    errors: dict[str, str] = field(default_factory=dict)  # SLO -> why its source could not be read (a DataSource)


@dataclass
class CollectionSummary:
    first: date
    last: date
    days_stored: int = 0
    rows_stored: int = 0
    already_collected: int = 0  # (day, SLO) pairs found in the store and not queried again
    incomplete: list[DayKey] = field(default_factory=list)  # not stored: the counter did not exist all day
    errors: dict[str, str] = field(default_factory=dict)  # SLO -> why its query was refused
    queries: int = 0
    source: str = ""  # the description of the source read ("demo data" for the demo)


def bucket_family(good_query: str | None) -> str | None:
    """``x_bucket{a="b"}`` for a good query ``x_bucket{a="b",le="0.25"}``; None when it is not a histogram bucket."""
    if not good_query:
        return None
    try:
        selector = parse_selector(good_query)
    except SelectorError:
        return None
    if not (selector.metric or "").endswith("_bucket") or not any(
        m.label == "le" and m.op == "=" for m in selector.matchers
    ):
        return None
    return str(SeriesSelector(selector.metric, tuple(m for m in selector.matchers if m.label != "le")))


def latency_family(slo: SloDefinition) -> str | None:
    """The histogram whose buckets a day's latency percentiles come from: that of a ratio SLO's good query."""
    return bucket_family(slo.indicator.good_query) if isinstance(slo.indicator, RatioIndicator) else None


def presence_query(slo: SloDefinition) -> str:
    """What must have series at a day's start for the day to count as covered: the SLO's total counter, or its
    threshold metric's query."""
    indicator = slo.indicator
    return indicator.total_query if isinstance(indicator, RatioIndicator) else indicator.query


def slo_period_seconds(slo: SloDefinition, at: datetime) -> int:
    return int(period_length(slo.time_window, at).total_seconds())


def _rollups_for_day(day: LocalDay, slos: Sequence[SloDefinition], read: RunCounts) -> list[DailyRollup]:
    rows = []
    for slo in slos:
        key = (day.day, slo.name)
        if key not in read.covered:
            continue
        total, bad = read.counts.get(key, (None, None))
        rows.append(
            DailyRollup(
                day=day.day,
                slo=slo.name,
                service=slo.service,
                target=slo.target,
                period_seconds=slo_period_seconds(slo, day.start),
                day_seconds=day.seconds,
                total=total,
                bad=None if total is None else bad,
                latency_buckets=read.buckets.get(key),
                counted=slo.unit,
                fingerprint=counted_fingerprint(slo),
            )
        )
    return rows


# --- readers: one run of equal-length days, every SLO at once ----------------------------------------------------


class PrometheusDailyReader:
    """Batched range queries against a Prometheus-compatible server (see the module docstring)."""

    def __init__(self, source) -> None:
        self.source = source

    def read(self, slos: Sequence[SloDefinition], run: Sequence[LocalDay]) -> RunCounts:
        from data.slo.prometheus import PARALLEL_QUERIES, QueryError
        from data.slo.promql import counted_expressions

        step = timedelta(seconds=run[0].seconds)
        window = format_prometheus_duration(step)
        by_end = {day.end.timestamp(): day.day for day in run}
        by_start = {day.start.timestamp(): day.day for day in run}
        result = RunCounts()
        expressions = {slo.name: counted_expressions(slo, step) for slo in slos}
        families = {s.name: latency_family(s) for s in slos}
        limit = self.source.settings.max_query_bytes
        texts = {
            "total": ({n: e["total"] for n, e in expressions.items()}, run[0].end),
            "bad": ({n: e["bad"] for n, e in expressions.items()}, run[0].end),
            "present": ({s.name: f"count({presence_query(s)})" for s in slos}, run[0].start),
        }
        histogram_queries = {
            name: f"sum by (le) (increase({family}[{window}]))" for name, family in families.items() if family
        }
        if histogram_queries:
            texts["histograms"] = (histogram_queries, run[0].end)
        # each kind's batch, cut into queries under the source's length limit
        queries = [
            (kind, query, start) for kind, (by_slo, start) in texts.items() for query in batched_queries(by_slo, limit)
        ]

        def ask(item):  # a run's queries are independent: sent side by side, like window_counts
            _, query, start = item
            return self.source.range(query, start, start + step * (len(run) - 1), step)

        try:
            with ThreadPoolExecutor(max_workers=PARALLEL_QUERIES) as pool:
                pieces = list(pool.map(ask, queries))
        except QueryError as error:
            raise RejectedQuery(str(error)) from None
        answers: dict[str, list[dict]] = {kind: [] for kind in texts}
        for (kind, _, _), piece in zip(queries, pieces):
            answers[kind].extend(piece)
        totals, bads, present = answers["total"], answers["bad"], answers["present"]
        histograms = answers.get("histograms", [])
        total_values = _points(totals, by_end)
        bad_values = _points(bads, by_end)
        for key, total in total_values.items():
            result.counts[key] = (total, bad_values.get(key))
        result.covered = set(_points(present, by_start))
        for series in histograms:
            name, le = series["metric"].get(SLO_LABEL, ""), series["metric"].get("le")
            for stamp, value in series["values"]:
                day = by_end.get(float(stamp))
                if day is not None and le is not None:
                    result.buckets.setdefault((day, name), {})[le] = float(value)
        return result


class RejectedQuery(Exception):
    """The source refused a batched query: some SLO's selector is broken."""


def _points(answer: list[dict], days_by_stamp: dict[float, date]) -> dict[DayKey, float]:
    points = {}
    for series in answer:
        name = series["metric"].get(SLO_LABEL, "")
        for stamp, value in series["values"]:
            day = days_by_stamp.get(float(stamp))
            number = float(value)
            if day is not None and number == number and abs(number) != float("inf"):
                points[(day, name)] = number
    return points


class DemoDailyReader:
    """The demo history through ``DemoSource.event_buckets``; a day is covered when the history had begun."""

    def __init__(self, source) -> None:
        self.source = source
        self.query_count = 0

    def read(self, slos: Sequence[SloDefinition], run: Sequence[LocalDay]) -> RunCounts:
        step = timedelta(seconds=run[0].seconds)
        history_start = self.source.history.start
        result = RunCounts()
        for slo in slos:
            frame = self.source.event_buckets(slo, run[0].end, run[-1].end, step)
            if frame.empty:
                continue
            for day, (total, bad) in zip(run, frame[["total", "bad"]].itertuples(index=False)):
                if day.start >= history_start:
                    result.covered.add((day.day, slo.name))
                result.counts[(day.day, slo.name)] = (float(total), float(bad))
            family = latency_family(slo)
            if family:
                for le in self._bounds(family):
                    frame = self.source.event_buckets(_bucket_probe(slo, family, le), run[0].end, run[-1].end, step)
                    for day, total in zip(run, frame["total"]):
                        result.buckets.setdefault((day.day, slo.name), {})[le] = float(total)
        return result

    def _bounds(self, family: str) -> list[str]:
        selector = parse_selector(family)
        return sorted(
            {
                series.labels["le"]
                for series in self.source.history.series
                if "le" in series.labels and selector.matches(series.metric, series.labels)
            }
        )


def _bucket_probe(slo: SloDefinition, family: str, le: str) -> SloDefinition:
    """An SLO whose "total" is one bucket of the family: how to read a bucket through ``event_buckets``."""
    selector = parse_selector(family)
    query = str(SeriesSelector(selector.metric, selector.matchers + (Matcher("le", "=", le),)))
    return replace(slo, indicator=RatioIndicator(total_query=query, bad_query=query))


class RoutedDailyReader:
    """Each SLO's days from the source it reads (``data.slo.routed.RoutedSource``): one reader per source, each
    batching its own SLOs. A DataSource that cannot answer costs its own SLOs their days (an error each, retried on
    the next run); the others are stored."""

    def __init__(self, source) -> None:
        self.source = source

    def read(self, slos: Sequence[SloDefinition], run: Sequence[LocalDay]) -> RunCounts:
        from data.slo.sources import SourceError

        result = RunCounts()
        groups, result.errors = self.source.partition(slos)
        for own, mine in groups:
            try:
                read = reader_for(own).read(mine, run)
            except SourceError as error:
                if own is self.source.default:
                    raise  # the default source down: the collection stops, as with one source
                result.errors.update({slo.name: f"{own.description}: {error}" for slo in mine})
                continue
            result.counts.update(read.counts)
            result.buckets.update(read.buckets)
            result.covered |= read.covered
            result.errors.update(read.errors)
        return result


def reader_for(source):
    if hasattr(source, "source_for"):
        return RoutedDailyReader(source)
    return DemoDailyReader(source) if getattr(source, "is_demo", False) else PrometheusDailyReader(source)


# --- computing and collecting ------------------------------------------------------------------------------------


def _read_isolating(
    reader, slos: Sequence[SloDefinition], run: Sequence[LocalDay], errors: dict[str, str]
) -> RunCounts:
    """Read a run; when the batch is refused, find which SLOs' queries are broken and read the others."""
    healthy = [slo for slo in slos if slo.name not in errors]
    if not healthy:
        return RunCounts()
    try:
        read = reader.read(healthy, run)
        errors.update(read.errors)
        return read
    except RejectedQuery:
        pass
    for slo in healthy:
        try:
            reader.read([slo], run[:1])
        except RejectedQuery as error:
            errors[slo.name] = f"Prometheus rejected the query of SLO {slo.name!r}: {error}"
    healthy = [slo for slo in healthy if slo.name not in errors]
    read = reader.read(healthy, run) if healthy else RunCounts()
    errors.update(read.errors)
    return read


def compute_daily_rollups(
    source, slos: Sequence[SloDefinition], first: date, last: date, time_zone: str
) -> list[DailyRollup]:
    """Every complete (day, SLO) between ``first`` and ``last`` without touching the store: the demo's trends."""
    reader = reader_for(source)
    rows: list[DailyRollup] = []
    errors: dict[str, str] = {}
    for run in day_runs(local_days(first, last, time_zone)):
        read = _read_isolating(reader, slos, run, errors)
        for day in run:
            rows.extend(_rollups_for_day(day, slos, read))
    return rows


ProgressCallback = Callable[[int, int, date], None]  # (days done, days to do, day just stored)


def collect_daily_rollups(
    source,
    slos: Sequence[SloDefinition],
    engine: sa.Engine,
    *,
    time_zone: str,
    now: datetime,
    first: date | None = None,
    last: date | None = None,
    actor: Actor,
    progress: ProgressCallback | None = None,
) -> CollectionSummary:
    """Store every complete day between ``first`` and ``last`` (default: the last 90 complete days) that the
    store lacks, one transaction per day. Raises ``SourceError`` when the source cannot answer at all; what was
    stored before that stays, and the next run continues from there. Admins only (``PermissionDenied``)."""
    from data.trends.store import DEMO_SOURCE, collected_pairs

    require(actor, Role.ADMIN, "collect daily rollups")

    newest = last_complete_day(now, time_zone, SETTLE)
    last = min(last or newest, newest)
    first = first or newest - timedelta(days=DEFAULT_BACKFILL_DAYS - 1)
    is_demo = getattr(source, "is_demo", False)
    summary = CollectionSummary(first=first, last=last, source=DEMO_SOURCE if is_demo else source.description)
    if first > last:
        return summary
    done = collected_pairs(
        engine, first, last, demo=is_demo, fingerprints={s.name: counted_fingerprint(s) for s in slos}
    )
    summary.already_collected = len(done)
    names = {slo.name for slo in slos}
    todo = [day for day in local_days(first, last, time_zone) if any((day.day, n) not in done for n in names)]
    reader = reader_for(source)
    queries_before = getattr(source, "query_count", 0)
    stored_days = 0
    for run in day_runs(todo):
        wanted = [slo for slo in slos if any((day.day, slo.name) not in done for day in run)]
        read = _read_isolating(reader, wanted, run, summary.errors)
        for day in run:
            _store_day(engine, day, wanted, read, done, summary, collected_at=now, actor=actor)
            stored_days += 1
            if progress:
                progress(stored_days, len(todo), day.day)
    summary.queries = getattr(source, "query_count", 0) - queries_before
    return summary


def _store_day(
    engine: sa.Engine,
    day: LocalDay,
    slos: Sequence[SloDefinition],
    read: RunCounts,
    done: set[DayKey],
    summary: CollectionSummary,
    *,
    collected_at: datetime,
    actor: Actor,
) -> None:
    """Write one day's missing rows in one transaction; note the pairs left out as incomplete in ``summary``."""
    from data.trends.store import save_daily_rollups

    rows = [row for row in _rollups_for_day(day, slos, read) if (day.day, row.slo) not in done]
    summary.incomplete.extend(
        (day.day, slo.name)
        for slo in slos
        if (day.day, slo.name) not in done
        and slo.name not in summary.errors
        and (day.day, slo.name) not in read.covered
    )
    stored = save_daily_rollups(
        engine,
        [{**row.as_row(), "source": summary.source, "collected_at": collected_at} for row in rows],
        actor=actor,
    )
    summary.rows_stored += stored
    summary.days_stored += 1 if stored else 0


def demo_daily_rollups(
    slos: Sequence[SloDefinition], now: datetime, time_zone: str, days: int = DEMO_HISTORY_DAYS
) -> list[DailyRollup]:
    """The demo's rollups over ~6 months, computed in memory from a history that ends at today's local midnight.

    Pinning the end to midnight makes the page and ``cli.py trends --demo`` agree all day long (the demo's
    incidents are placed relative to the history's end)."""
    last = last_complete_day(now, time_zone)
    source = demo_source(now, time_zone, days)
    return compute_daily_rollups(source, slos, last - timedelta(days=days - 1), last, time_zone)


def demo_source(now: datetime, time_zone: str, days: int = DEMO_HISTORY_DAYS):
    """The demo history the rollups read: ``days`` complete local days ending at today's local midnight."""
    from data.slo.demo import DemoSource

    today = last_complete_day(now, time_zone) + timedelta(days=1)
    return DemoSource(end=local_midnight(today, time_zone), days=days + 1)


def default_trends_range(now: datetime, time_zone: str, weeks: int = 26) -> tuple[date, date]:
    """The last ``weeks`` ISO weeks up to the last complete day: from a Monday to yesterday."""
    last = last_complete_day(now, time_zone)
    monday = last - timedelta(days=last.weekday())
    return monday - timedelta(weeks=weeks - 1), last


def stored_trend_rows(
    engine: sa.Engine, first: date, last: date, services: Sequence[str] | None = None, demo: bool = False
) -> pd.DataFrame:
    """Daily rows from the store as the frame ``metrics.trends.aggregate`` reads."""
    from data.trends.store import daily_rollups_between
    from metrics.trends.aggregate import daily_frame

    return daily_frame(daily_rollups_between(engine, first, last, services=services, demo=demo))


def rollups_frame(rollups: Sequence[DailyRollup]) -> pd.DataFrame:
    from metrics.trends.aggregate import daily_frame

    return daily_frame([row.as_row() for row in rollups])


__all__ = [
    "CollectionSummary",
    "bucket_family",
    "collect_daily_rollups",
    "compute_daily_rollups",
    "default_trends_range",
    "demo_daily_rollups",
    "demo_source",
    "rollups_frame",
    "stored_trend_rows",
]
