"""The weekly review's steps, run by the Weekly review page and by ``cli.py weekly-report`` alike: assembling one ISO
week's review from the store and the SLO source, and exporting it as Markdown or self-contained HTML."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa

from data.incidents.service import incidents_or_demo
from data.settings import Settings
from data.slo.alert_history import AlertHistory, load_alert_history
from data.slo.service import make_source
from data.trends.service import TrendRows, trend_rows
from data.weekly.export import to_html, to_markdown
from data.weekly.review import (
    database_statuses,
    previous_week_start,
    slo_readings,
    tracker_events,
    week_bounds,
)
from metrics.slo.definitions import SloDefinition
from metrics.slo.report import SloReport
from metrics.trends.aggregate import parse_iso_week
from metrics.weekly.review import (
    DatabaseForecastLine,
    DatabaseStatus,
    ReviewInputs,
    SloReading,
    WeeklyReview,
    build_weekly_review,
    database_forecast_line,
    week_status,
)


class DocumentFormat(StrEnum):
    MARKDOWN = "markdown"
    HTML = "html"


def load_weekly_review(
    settings: Settings,
    slos: list[SloDefinition],
    engine: sa.Engine,
    week: str,
    rows: TrendRows | None = None,
    slo_report: Callable[[datetime], SloReport] | None = None,
    alert_history: Callable[[datetime, datetime], AlertHistory] | None = None,
) -> WeeklyReview:
    """The review of ``week``; ``ValueError`` for a malformed week or one that has not started.

    ``rows``: the daily rollups of the week and the week before (the page passes its cached ones; read here when
    None). ``slo_report(at)``: how to read the SLOs at the week's end (the page: its cache, falling back on the last
    good report); the readings are dated by the report's own instant. ``alert_history(start, end)``: the burn tiers'
    firings over both weeks (the page: its cache; read from the settings' source when None)."""
    from data.weekly.notes import get_note

    now = settings.now()
    time_zone = settings.team_timezone
    status = week_status(week, now, time_zone)
    if status == "future":
        raise ValueError(f"{week} has not started yet in {time_zone}")
    start, end = week_bounds(week, time_zone)
    if rows is None:
        monday, sunday = parse_iso_week(week)
        rows = trend_rows(settings, slos, engine, monday - timedelta(days=7), sunday)
    reading_at = min(end, now)
    readings, readings_at, readings_error = _readings(settings, slos, reading_at, slo_report)
    history_start = previous_week_start(week, time_zone)
    history = _alert_history(settings, slos, history_start, reading_at, alert_history)
    incidents, incidents_note = incidents_or_demo(settings, engine, history_start, end)
    events, events_note = _tracker_events(settings, engine, start, end)
    forecasts, forecasts_note = _database_forecasts(settings, reading_at)
    databases_now, databases_before, databases_note = _database_statuses(settings, engine, start, reading_at)
    return build_weekly_review(
        ReviewInputs(
            week=week,
            time_zone=time_zone,
            source=rows.origin,
            generated_at=now,
            daily=rows.daily,
            incidents=incidents,
            incidents_note=incidents_note,
            readings=readings,
            readings_at=readings_at,
            readings_error=readings_error,
            databases_now=databases_now,
            databases_before=databases_before,
            databases_note=databases_note,
            database_forecasts=forecasts,
            database_forecasts_note=forecasts_note,
            tracker_events=events,
            tracker_note=events_note,
            note=get_note(engine, week),
            partial=status == "current",
            alerts=None if isinstance(history, str) else history.intervals,
            alerts_until=None if isinstance(history, str) else history.last_evaluation,
            alerts_note=history if isinstance(history, str) else alerts_note(history),
            slo_reviews_overdue=_slo_reviews_overdue(settings, slos, reading_at, start),
            **_policy_inputs(settings, end),
        )
    )


def _database_statuses(
    settings: Settings, engine: sa.Engine, start: datetime, at: datetime
) -> tuple[list[DatabaseStatus] | None, list[DatabaseStatus], str | None]:
    """The fleet at the week's end and at its start: the stored snapshots'; in demo mode while none is stored, the
    demo fleet's (``data.databases.demo``), with the note that says so, never stored."""
    stored_now = database_statuses(engine, at)
    if stored_now is not None or not settings.is_demo:
        return stored_now, database_statuses(engine, start) or [], None
    from data.databases import service as databases
    from data.databases.demo import DEMO_WEEKLY_NOTE, demo_fleet

    config = databases.load_config(settings)
    now = [DatabaseStatus(h.database, h.status, at) for h in demo_fleet(settings, config, at)]
    before = [DatabaseStatus(h.database, h.status, start) for h in demo_fleet(settings, config, start)]
    return (now, before, DEMO_WEEKLY_NOTE) if now else (None, [], None)


def _database_forecasts(settings: Settings, at: datetime) -> tuple[list[DatabaseForecastLine], str | None]:
    """Each configured database with stored history, forecast as at ``at`` (the week's end); in demo mode while none
    has any, the demo fleet's, with the note that says so. A config or store problem leaves the section empty with
    the reason, the review goes on."""
    from data.databases import service as databases

    try:
        config = databases.load_config(settings)
        forecasts = databases.capacity_forecasts(settings, config, now=at)
    except Exception as error:  # a store or config error of any kind: the section says so
        return [], f"The capacity forecast could not be read: {type(error).__name__}"
    lines = [database_forecast_line(f) for f in forecasts.values() if f.disk.snapshots or f.sequences]
    if lines or not settings.is_demo:
        return lines, None
    from data.databases.demo import DEMO_FORECAST_NOTE, demo_forecasts

    demo = [database_forecast_line(f) for f in demo_forecasts(settings, config, at)]
    return demo, DEMO_FORECAST_NOTE if demo else None


def _slo_reviews_overdue(
    settings: Settings, slos: list[SloDefinition], week_end: datetime, week_start: datetime
) -> tuple[int, int] | None:
    """SLO reviews overdue at the week's end and at the previous week's end; None when the store cannot say (the
    review goes on without the figure)."""
    from data.slo_reviews.service import review_statuses
    from metrics.slo_reviews.rules import overdue_count

    try:
        return (
            overdue_count(review_statuses(settings, slos, week_end)),
            overdue_count(review_statuses(settings, slos, week_start)),
        )
    except Exception:  # a store error of any kind: the figure says "no data", the review goes on
        return None


def _policy_inputs(settings: Settings, week_end: datetime) -> dict:
    """The error-budget policies and the decisions taken before the week's end; ``policies`` None when the store
    cannot say (the section says so, the review goes on)."""
    from data.slo_policy.service import decisions, policies

    try:
        return {"policies": policies(settings), "policy_decisions": decisions(settings, until=week_end)}
    except Exception:  # a store error of any kind: the section says the policies could not be read
        return {"policies": None, "policy_decisions": ()}


def _tracker_events(settings: Settings, engine: sa.Engine, start: datetime, end: datetime):
    """The tracker's events of [start, end): the store's; in demo mode while the tracker holds no item, the demo
    items' (``data.tracker.demo``), with the note that says so."""
    from data.tracker.demo import DEMO_TRACKER_NOTE, demo_tracker_events
    from data.tracker.store import has_items

    stored = tracker_events(engine, start, end)
    if stored or not settings.is_demo or has_items(engine):
        return stored, None
    shown = [e for e in demo_tracker_events(settings.now(), settings.team_timezone) if start <= e.at < end]
    return shown, DEMO_TRACKER_NOTE if shown else None


def _alert_history(
    settings: Settings,
    slos: list[SloDefinition],
    start: datetime,
    end: datetime,
    alert_history: Callable[[datetime, datetime], AlertHistory] | None,
) -> AlertHistory | str:
    """The firings over [start, end], or why they could not be read (the review goes on without them)."""
    try:
        if alert_history is not None:
            return alert_history(start, end)
        return load_alert_history(make_source(settings, demo_end=settings.now(), slos=slos), slos, start, end)
    except Exception as error:  # a source error of any kind: the section says so, the review goes on
        return f"The alert history could not be read: {type(error).__name__}: {error}"


def alerts_note(history: AlertHistory) -> str:
    """Where the week's firings come from, in the words the incidents page uses."""
    if history.notice:
        return history.notice
    if history.computed:
        return "Computed from the demo history: each tier's rule judged every 5 minutes, as the SLO burn page does."
    missing = len(history.slos_without_rules)
    return f"From {history.source}'s ALERTS series" + (
        f"; {missing} SLO(s) have no burn-rate rule loaded, so they cannot show here" if missing else ""
    )


def _readings(
    settings: Settings,
    slos: list[SloDefinition],
    reading_at: datetime,
    slo_report: Callable[[datetime], SloReport] | None,
) -> tuple[list[SloReading], datetime, str | None]:
    """(readings, their instant, error or None) at ``reading_at``; a source error of any kind leaves the section
    empty with the reason, the review goes on."""
    readings_at = reading_at
    try:
        report = slo_report(reading_at) if slo_report is not None else None
        if report is not None:
            readings_at = report.at  # a last good report, shown while the source fails, carries its own instant
        readings, error = slo_readings(settings, slos, readings_at, report)
    except Exception as error:  # a source error of any kind: the section says so, the review goes on
        return [], readings_at, f"{type(error).__name__}: {error}"
    return readings, readings_at, error


def export_document(review: WeeklyReview, document_format: DocumentFormat | str) -> str:
    """The review as Markdown (pastes into chat and wikis) or one self-contained HTML file: what the page's
    downloads and ``cli.py weekly-report --format`` give."""
    if DocumentFormat(document_format) is DocumentFormat.MARKDOWN:
        return to_markdown(review)
    return to_html(review)
