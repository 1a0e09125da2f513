"""The trends feature's steps, run by the trends page and by ``cli.py collect rollups`` / ``cli.py trends`` alike:
collecting the daily rollups into the store, reading them back (or the demo's, computed in memory), and the view
every figure of the page and the CLI comes from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from data.settings import Settings
from data.trends.rollups import (
    CollectionSummary,
    ProgressCallback,
    collect_daily_rollups,
    default_trends_range,
    demo_daily_rollups,
    demo_source,
    rollups_frame,
    stored_trend_rows,
)
from metrics.access import Actor
from metrics.slo.adjustments import Adjustment, adjusted_counts, clip, covering, expand
from metrics.slo.definitions import EventCounts, SloDefinition
from metrics.trends.aggregate import TrendsView, build_trends
from metrics.trends.rollups import RollupOrigin, local_midnight

STALE_AFTER_DAYS = 1  # the newest stored day may lag the last complete day by this much before it counts as stale


@dataclass(frozen=True)
class TrendRows:
    """Daily rollups for a range, where they came from, and how fresh the stored ones are."""

    daily: pd.DataFrame
    origin: RollupOrigin
    newest_day: date | None  # the newest day with a row
    collected_at: datetime | None = None  # when the newest rows were stored (None for the demo)
    adjustments_note: str | None = None  # why budget adjustments could not be applied (the rows are then raw)

    @property
    def is_demo(self) -> bool:
        return self.origin is RollupOrigin.DEMO

    def days_behind(self, last_complete: date) -> int | None:
        """How many days the newest stored row lags ``last_complete``, when that is more than one day (stale);
        None when fresh, computed in memory (the demo) or nothing is stored."""
        if self.is_demo or self.newest_day is None:
            return None
        lag = (last_complete - self.newest_day).days
        return lag if lag > STALE_AFTER_DAYS else None


def demo_trend_rows(slos: Sequence[SloDefinition], now: datetime, time_zone: str) -> TrendRows:
    """The demo's ~6 months of rollups, whatever the range (the page caches them once a day)."""
    daily = rollups_frame(demo_daily_rollups(slos, now, time_zone))
    return TrendRows(daily, RollupOrigin.DEMO, daily["day"].max() if not daily.empty else None)


def stored_trend_rows_between(
    engine: sa.Engine, first: date, last: date, services: Sequence[str] | None = None
) -> TrendRows:
    """The store's rollups for ``first`` .. ``last`` and the services, with the newest day and collection time."""
    from data.trends.store import last_collected_at, rollup_day_range

    day_range = rollup_day_range(engine)
    return TrendRows(
        stored_trend_rows(engine, first, last, None if services is None else list(services)),
        RollupOrigin.STORE,
        day_range[1] if day_range else None,
        last_collected_at(engine),
    )


def trend_rows(
    settings: Settings,
    slos: Sequence[SloDefinition],
    engine: sa.Engine | None,
    first: date,
    last: date,
    services: Sequence[str] | None = None,
    adjustments: Sequence[Adjustment] | None = None,
) -> TrendRows:
    """Daily rows for the range: the demo's (``engine`` unused) or the store's, without the events inside the budget
    adjustments covering ``slos`` (default: those in force); raises the store's and the source's errors."""
    if settings.is_demo:
        rows = demo_trend_rows(slos, settings.now(), settings.team_timezone)
    elif engine is None:
        raise ValueError("reading stored rollups needs the store's engine")
    else:
        rows = stored_trend_rows_between(engine, first, last, services)
    if adjustments is None:
        from data.slo_adjustments.service import adjustments_in_force

        adjustments = adjustments_in_force(settings) if slos else []
    return adjusted_trend_rows(settings, slos, rows, adjustments)


def adjusted_trend_rows(
    settings: Settings, slos: Sequence[SloDefinition], rows: TrendRows, adjustments: Sequence[Adjustment]
) -> TrendRows:
    """The rows with each adjusted (day, SLO) less the events inside its adjustments that day (local days in the
    team's zone), clamped at zero. The rollups stay raw in the store, so an adjustment entered, changed or removed
    after the day was collected applies at once; the excluded events are read from the rollups' source in two
    batched queries (``interval_counts``). Latency buckets are not adjusted."""
    daily = rows.daily
    if not adjustments or daily.empty:
        return rows
    zone = settings.team_timezone
    parts: dict[str, dict[str, list]] = {}
    for slo in slos:
        mine = covering(adjustments, slo)
        days = sorted(set(daily.loc[daily["slo"] == slo.name, "day"]))
        if not mine or not days:
            continue
        whole = expand(mine, local_midnight(days[0], zone), local_midnight(days[-1] + timedelta(days=1), zone))
        for day in days:
            inside = clip(whole.intervals, local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone))
            if inside:
                parts.setdefault(slo.name, {})[day.isoformat()] = inside
    if not parts:
        return rows
    from data.slo.sources import SourceError

    try:
        touched = [slo for slo in slos if slo.name in parts]
        excluded = rollup_source(settings, touched).interval_counts(touched, parts)
    except SourceError as error:  # the stored rows still show, raw, and say why
        return replace(rows, adjustments_note=f"Budget adjustments are not applied: {error}")
    adjusted = daily.copy()
    for index, row in adjusted.iterrows():
        removed = excluded.get((row["slo"], row["day"].isoformat()))
        if removed is None or row["total"] != row["total"]:
            continue
        counts = adjusted_counts(EventCounts(row["total"], 0.0 if row["bad"] != row["bad"] else row["bad"]), removed)
        adjusted.at[index, "total"] = counts.total
        adjusted.at[index, "bad"] = counts.bad
    return replace(rows, daily=adjusted)


def trends_view(rows: TrendRows, grain: str, first: date, last: date, services: Sequence[str]) -> TrendsView:
    """Every figure of the trends page and of ``cli.py trends``: per SLO, service and fleet, and what changed."""
    return build_trends(rows.daily, grain, first, last, services)


def trends_range(now: datetime, time_zone: str, oldest_day: date | None = None) -> tuple[date, date]:
    """The default range: the last 26 ISO weeks up to the last complete day, or from the Monday of the week of the
    oldest stored rollup when the history is shorter (five weeks of data open on five weeks, not twenty columns of
    "no data")."""
    first, last = default_trends_range(now, time_zone)
    if oldest_day is not None and first < oldest_day <= last:
        first = oldest_day - timedelta(days=oldest_day.weekday())
    return first, last


def oldest_rollup_day(engine: sa.Engine) -> date | None:
    """The first day the store holds collected rollups for, or None."""
    from data.trends.store import rollup_day_range

    day_range = rollup_day_range(engine)
    return day_range[0] if day_range else None


def rollup_source(settings: Settings, slos: Sequence[SloDefinition] = ()):
    """What the collector (and the weekly review's SLO readings) read: the demo history ending at today's local
    midnight, or the configured Prometheus; with each SLO of ``slos`` that names a DataSource read from it."""
    from data.slo.service import make_source, with_data_sources

    if settings.is_demo:
        return with_data_sources(demo_source(settings.now(), settings.team_timezone), settings, slos=slos)
    return make_source(settings, slos=slos)


def collect_rollups(
    settings: Settings,
    slos: Sequence[SloDefinition],
    engine: sa.Engine,
    *,
    actor: Actor,
    first: date | None = None,
    last: date | None = None,
    progress: ProgressCallback | None = None,
) -> CollectionSummary:
    """Store the complete days still missing (default: the last 90), from the settings' source; the page's Collect
    button and ``cli.py collect rollups`` (from cron) both run this. Raises ``SourceError`` when the source cannot
    answer (the days stored before stay) and ``PermissionDenied`` for non-admins."""
    return collect_daily_rollups(
        rollup_source(settings, slos),
        slos,
        engine,
        time_zone=settings.team_timezone,
        now=settings.now(),
        first=first,
        last=last,
        actor=actor,
        progress=progress,
    )


@dataclass(frozen=True)
class TrendAnnotations:
    annotations: list  # metrics.slo.annotations.Annotation, oldest first
    notes: list[str]  # why a kind is missing


def trend_annotations(
    settings: Settings,
    slos: Sequence[SloDefinition],
    services: Sequence[str],
    first: date,
    last: date,
    source=None,
    from_series=None,
    firings: TrendFirings | None = None,
) -> TrendAnnotations:
    """What the trends charts mark over the local days [first, last] for ``services``: the incidents recorded in
    the store, the budget adjustments, the reviews and target changes of their SLOs (one query each, whatever the
    number of SLOs), the deploys entered and those read from the ``SLO_DEPLOY_SERIES`` series
    (through ``source``, the page's shared one, or the configured Prometheus; ``from_series``: that read done
    already, by a page that caches it apart from the store's kinds), and ``firings`` (``trend_firings``, read by
    the caller, which caches it: the tiers' firings need a range read of ``ALERTS``). A kind that cannot be read
    is left out with the reason."""
    from data.incidents.service import incidents_in_days
    from data.slo.snapshots import target_changes_of
    from data.slo_adjustments.service import adjustments_in_force
    from data.slo_deploys.service import deploys
    from data.slo_reviews.store import reviews_between
    from data.store.engine import shared_engine
    from metrics.slo.annotations import service_annotations
    from metrics.slo.deploys import merge_deploys

    zone = settings.team_timezone
    start, end = local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)
    notes: list[str] = []

    def read(what: str, reader):
        try:
            return reader()
        except Exception as error:  # a store error of any kind: that kind is left out, the charts still draw
            notes.append(f"The {what} could not be read from the store ({type(error).__name__}).")
            return []

    incidents = read("incidents", lambda: incidents_in_days(shared_engine(settings.database_url), first, last, zone))
    adjustments = read("budget adjustments", lambda: adjustments_in_force(settings))
    entered = read("deploys", lambda: deploys(settings, services=list(services), since=start, until=end))
    names = [slo.name for slo in slos if slo.service in set(services)]
    engine = shared_engine(settings.database_url)
    reviews = read("SLO reviews", lambda: reviews_between(engine, names, start, end))
    changes = read("target changes", lambda: target_changes_of(engine, names, start, end)) or {}
    if from_series is None:
        from_series = trend_series_deploys(settings, services, first, last, source)
    notes += from_series.notes
    found = service_annotations(
        services,
        slos,
        incidents=incidents,
        adjustments=adjustments,
        deploys=merge_deploys(entered, from_series.deploys),
        start=start,
        end=end,
        reviews=reviews,
        target_changes=changes,
        firings=firings.intervals if firings is not None else (),
    )
    if firings is not None:
        notes += firings.notes
    return TrendAnnotations(found, notes)


@dataclass(frozen=True)
class TrendFirings:
    intervals: tuple  # metrics.slo.alert_history.FiringInterval
    notes: list[str]


def trend_firings(
    settings: Settings, slos: Sequence[SloDefinition], services: Sequence[str], first: date, last: date, source
) -> TrendFirings:
    """When the paging alert tiers of the SLOs of ``services`` fired over the local days [first, last] (up to now),
    as the incidents page reads them from ``source`` (``ALERTS``, or the demo history's own tiers); never raises, a
    failure is a note. Ticket tiers are left to the SLO's drill-down: their long windows fire for days and would
    shade weeks of a months-long volume chart."""
    from data.slo.alert_history import load_alert_history
    from data.slo.sources import SourceError
    from metrics.slo.alerts import Urgency

    zone = settings.team_timezone
    start, end = local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)
    end = max(start, min(end, settings.now()))
    try:
        history = load_alert_history(source, slos, start, end, services=list(services))
    except SourceError as error:
        return TrendFirings((), [f"The tier firings could not be read ({error})."])
    paged = tuple(interval for interval in history.intervals if interval.key.urgency is Urgency.PAGE)
    return TrendFirings(paged, [history.notice] if history.notice else [])


def trend_series_deploys(settings: Settings, services: Sequence[str], first: date, last: date, source=None):
    """The deploys of ``services`` the ``SLO_DEPLOY_SERIES`` series shows over the local days [first, last] (up to
    now), as ``data.slo_deploys.service.series_deploys`` reads them: never raises, a failure is a note."""
    from data.slo_deploys.service import series_deploys

    zone = settings.team_timezone
    start, end = local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)
    return series_deploys(settings, start, max(start, min(end, settings.now())), list(services), source)
