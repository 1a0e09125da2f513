"""The managers' weekly review of one ISO week, assembled from data already read: pure, so the page, the Markdown
and HTML exports and ``cli.py weekly-report`` show the very same figures.

Every figure the review shows is formatted here once (``metrics.formatting``), and the page and both exports print
those strings: nothing is rounded twice in two places. "No data" stays "no data"; it never becomes 0.

Sections: headline figures with deltas against the previous week; SLOs breached (missed the week's objective), at
risk (at the week's end — or now, for the current week — budget remaining under 25 % or an alert tier firing) and
recovered (missed the previous week, met this one); top offenders by budget burned; the week's incidents with time
to acknowledge and to resolve; the database fleet at the week's end and what changed since the previous week's end;
tracker items that came due and the reviews recorded; the week's notes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from metrics.databases.checks import worst
from metrics.databases.forecast import FORECAST_WINDOW_DAYS, CapacityForecast, forecast_text
from metrics.formatting import (
    NO_DATA,
    format_count,
    format_duration,
    format_percent,
    format_sli,
    format_target,
)
from metrics.incidents.rules import Incident, RecoveryStats, recovery_stats
from metrics.slo.alert_history import FiringInterval, interval_rows
from metrics.slo.alerts import Urgency
from metrics.slo_policy.rules import BudgetReading, Decision, Policy, decision_line, format_share, service_states
from metrics.trends.aggregate import MET, MISSED, fleet_periods, parse_iso_week, period_label, slo_periods
from metrics.trends.aggregate import NO_DATA as NO_DATA_STATUS
from metrics.trends.rollups import RollupOrigin, local_midnight

AT_RISK_BUDGET = 0.25  # budget remaining under this share at the week's end puts an SLO at risk
FIRING_STATES = ("page", "ticket")
TOP_OFFENDERS = 5


# --- weeks -------------------------------------------------------------------------------------------------------


def previous_week(week: str) -> str:
    monday, _ = parse_iso_week(week)
    return period_label(monday - timedelta(days=7), "week")


def last_complete_week(now: datetime, time_zone: str) -> str:
    """The newest ISO week whose Sunday has ended in the team's time zone: the default week to review."""
    today = now.astimezone(ZoneInfo(time_zone)).date()
    return period_label(today - timedelta(days=today.weekday() + 7), "week")


def week_status(week: str, now: datetime, time_zone: str) -> str:
    """ "complete", "current" (under way: figures so far) or "future"; ``ValueError`` for a malformed week."""
    monday, sunday = parse_iso_week(week)
    today = now.astimezone(ZoneInfo(time_zone)).date()
    if today > sunday:
        return "complete"
    return "current" if today >= monday else "future"


# --- inputs the data layer gathers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SloReading:
    """An SLO at the week's end (or now): budget remaining over its period and its most severe firing tier."""

    slo: str
    service: str
    budget_remaining: float | None
    alert_state: str  # "page", "ticket", "ok", "no data"


@dataclass(frozen=True)
class DatabaseStatus:
    database: str
    status: str  # ok, warn, critical, no data
    taken_at: datetime


@dataclass(frozen=True)
class DatabaseForecastLine:
    """A database's capacity forecast at the week's end: the resource that runs out first, or the disk's trend."""

    database: str
    status: str
    runs_out: str  # "64 d 7 h (disk)", "not growing", "not enough history"
    outlook: str  # the disk's words: "runs out in 64 d 7 h (+8.3 GB/week, 84% used)", then each tablespace's
    days_left: float | None


def database_forecast_line(forecast: CapacityForecast) -> DatabaseForecastLine:
    soonest = forecast.soonest
    resources = forecast.resources
    return DatabaseForecastLine(
        database=forecast.database,
        status=worst(forecast.status_of(r) for r in resources),
        runs_out=forecast.runs_out_text(),
        outlook="; ".join(
            [forecast_text(forecast.disk)] + [f"tablespace {t.name}: {forecast_text(t)}" for t in forecast.tablespaces]
        ),
        days_left=None if soonest is None else soonest.days_left,
    )


@dataclass(frozen=True)
class TrackerEvent:
    """An item that came due, or a review recorded, during the week."""

    item_id: int
    title: str
    kind: str  # "came due" or "reviewed"
    at: datetime
    actor: str
    detail: str  # why it came due, or the review's outcome and what changed


def review_detail(outcome: str, what_changed: str | None, next_revisit_on: date | None) -> str:
    """A review as its weekly event reads: "keep_parked: vendor silent (next look 2027-01-10)"."""
    detail = outcome + (f": {what_changed}" if what_changed else "")
    return detail + (f" (next look {next_revisit_on})" if next_revisit_on else "")


@dataclass(frozen=True)
class WeeklyNote:
    week: str
    text: str
    version: int
    author: str
    saved_at: datetime


@dataclass(frozen=True)
class ReviewInputs:
    """Everything the review reads, for the week and the week before it."""

    week: str
    time_zone: str
    source: RollupOrigin  # where the daily rollups came from (printed as its words)
    generated_at: datetime
    daily: pd.DataFrame  # daily rollups (``metrics.trends.aggregate.daily_frame``) covering both weeks
    incidents: Sequence[Incident]  # started during either week
    incidents_note: str | None = None  # said above the incidents: the demo's, not the team's
    readings: Sequence[SloReading] = ()  # at the week's end (now, for the current week)
    readings_at: datetime | None = None
    readings_error: str | None = None
    databases_now: Sequence[DatabaseStatus] | None = None  # None: no database snapshots stored at all
    databases_before: Sequence[DatabaseStatus] = ()
    databases_note: str | None = None  # said above the fleet: the demo's, not the team's snapshots
    database_forecasts: Sequence[DatabaseForecastLine] = ()  # at the week's end, from the stored snapshots
    database_forecasts_note: str | None = None  # why the forecast could not be read
    tracker_events: Sequence[TrackerEvent] | None = None  # None: the tracker could not be read
    tracker_note: str | None = None  # said above the tracker's events: the demo items', not the team's
    note: WeeklyNote | None = None
    partial: bool = False  # the current week, still under way
    alerts: Sequence[FiringInterval] | None = None  # the tiers' firings over both weeks; None: could not be read
    alerts_until: datetime | None = None  # the firing history's last evaluation: "still firing" counts up to it
    alerts_note: str | None = None  # where the firings came from, or why they could not be read
    # SLO reviews overdue at the week's end (now, for the current week) and at the previous week's end; None: unread
    slo_reviews_overdue: tuple[int, int] | None = None
    # The error-budget policies (None: the store could not say) and the decisions taken before the week's end
    policies: Sequence[Policy] | None = None
    policy_decisions: Sequence[Decision] = ()


# --- what the review shows ---------------------------------------------------------------------------------------


class Verdict(Enum):
    """Whether a headline figure moved the right way since last week: what its colour says on the page and in the
    documents."""

    BETTER = "better"
    WORSE = "worse"
    UNCHANGED = "unchanged"
    NOT_COMPARED = "not compared"  # no data on one side, or a figure that is neither good nor bad (requests)


@dataclass(frozen=True)
class Figure:
    """One headline number: its label, this week's value and the change against last week, both as text.

    ``change`` is the delta as shown (rounded like its text); ``higher_is_better`` says which way is good, ``None``
    for a figure that is neither."""

    label: str
    value: str  # short enough for a headline card: "7 min", "3"
    delta: str  # "+1", "−3.2 pts", "no data last week", ...
    help: str = ""
    change: float | None = None
    higher_is_better: bool | None = None
    detail: str = ""  # what qualifies the value, said beside it: "median 5 min", "2 page, 1 ticket"

    @property
    def full_value(self) -> str:
        """The value with its detail, as the documents print it: "7 min (median 5 min)"."""
        return f"{self.value} ({self.detail})" if self.detail else self.value

    @property
    def verdict(self) -> Verdict:
        if self.change is None or np.isnan(self.change) or self.higher_is_better is None:
            return Verdict.NOT_COMPARED
        if self.change == 0:
            return Verdict.UNCHANGED
        return Verdict.BETTER if (self.change > 0) == self.higher_is_better else Verdict.WORSE


@dataclass(frozen=True)
class SloLine:
    slo: str
    service: str
    target: str
    sli: str
    budget_burned: str
    budget_burned_value: float  # NaN = no data
    previous_sli: str = NO_DATA
    previous_budget_burned: str = NO_DATA
    previous_budget_burned_value: float = float("nan")


@dataclass(frozen=True)
class RiskLine:
    slo: str
    service: str
    budget_remaining: str
    alert_state: str
    why: str


@dataclass(frozen=True)
class IncidentLine:
    reference: str
    service: str
    severity: str
    started: str  # local time
    time_to_acknowledge: str
    time_to_resolve: str  # "open" while unresolved
    summary: str
    postmortem_url: str


@dataclass(frozen=True)
class AlertLine:
    """One firing of one SLO burn tier during the week, as people read it (times in the team's zone)."""

    severity: str  # "page" or "ticket"
    tier: str  # "1h / 5m": the long and the short window
    slo: str
    service: str
    started: str  # "≤ ..." when it was already firing where the history starts
    ended: str  # "still firing" at the history's end
    duration: str


@dataclass(frozen=True)
class PolicyLine:
    """One service's error-budget policy state at the week's end (now, for the current week)."""

    service: str
    state: str  # the state's badge: "■ freeze"
    policy: str  # which policy applies: "all services", the service's own, or ""
    worst_slo: str
    budget_spent: str
    latest_decision: str  # the newest decision before the week's end, as a line


@dataclass(frozen=True)
class PolicyDecisionLine:
    """A decision taken under the error-budget policy during the week (times in the team's zone)."""

    when: str
    service: str
    decision: str
    incident: str
    by: str
    why: str


@dataclass(frozen=True)
class DatabaseChange:
    database: str
    before: str
    after: str


@dataclass(frozen=True)
class WeeklyReview:
    week: str
    previous_week: str
    first_day: date
    last_day: date
    time_zone: str
    source: RollupOrigin
    generated_at: datetime
    partial: bool
    headline: tuple[Figure, ...]
    breached: tuple[SloLine, ...]
    at_risk: tuple[RiskLine, ...]
    recovered: tuple[SloLine, ...]
    top_offenders: tuple[SloLine, ...]
    incidents: tuple[IncidentLine, ...]
    incident_stats: RecoveryStats
    readings_note: str  # when and from where "at risk" was read, or why it could not be
    databases: tuple[DatabaseStatus, ...] | None  # None: no snapshots
    database_changes: tuple[DatabaseChange, ...]
    tracker_events: tuple[TrackerEvent, ...] | None
    note: WeeklyNote | None
    has_slo_data: bool
    slo_lines: tuple[SloLine, ...] = field(default=())  # every SLO with its week's figures, for the chart
    alerts: tuple[AlertLine, ...] | None = None  # firings that overlap the week, oldest first; None: not read
    alerts_note: str = ""
    incidents_note: str = ""  # where the incidents come from when they are not the team's own (the demo's)
    database_forecasts: tuple[DatabaseForecastLine, ...] = ()  # the first to run out first
    database_forecasts_note: str = ""
    databases_note: str = ""  # where the fleet's statuses come from when they are not stored snapshots (the demo's)
    tracker_note: str = ""  # where the tracker's events come from when they are not the store's (the demo items')
    policy_states: tuple[PolicyLine, ...] | None = None  # None: the policies could not be read
    policy_decisions: tuple[PolicyDecisionLine, ...] = ()  # the week's, oldest first


def _nan(value) -> float:
    return float("nan") if value is None or pd.isna(value) else float(value)


def _signed(value: float, text: str) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def _count_delta(now: float | None, before: float | None) -> str:
    if now is None or before is None or np.isnan(now) or np.isnan(before):
        return "no data last week" if before is None or np.isnan(before) else NO_DATA
    return _signed(now - before, f"{abs(now - before):.0f}")


def _points_delta(now: float, before: float, decimals: int = 1) -> str:
    if np.isnan(before):
        return "no data last week"
    if np.isnan(now):
        return NO_DATA
    change = (now - before) * 100
    return _signed(round(change, decimals), f"{abs(change):.{decimals}f} pts")


def _relative_delta(now: float, before: float) -> str:
    if np.isnan(before) or before == 0:
        return "no data last week"
    if np.isnan(now):
        return NO_DATA
    change = (now / before - 1) * 100
    return _signed(round(change, 1), f"{abs(change):.1f}%")


def _duration_delta(now: timedelta | None, before: timedelta | None) -> str:
    if now is None:
        return NO_DATA
    if before is None:
        return "no data last week"
    change = (now - before).total_seconds()
    return _signed(change, format_duration(timedelta(seconds=abs(change))))


def _mean_median(mean: timedelta | None, median: timedelta | None) -> tuple[str, str]:
    """(the mean, "median …") for a headline card; no data has no median either."""
    if mean is None:
        return NO_DATA, ""
    return format_duration(mean), f"median {format_duration(median)}"


def _slo_line(row, before=None) -> SloLine:
    sli = None if pd.isna(row.sli) else float(row.sli)
    line = SloLine(
        row.slo,
        row.service,
        format_target(row.target),
        format_sli(sli, row.target),
        format_percent(_nan(row.budget_consumed)),
        _nan(row.budget_consumed),
    )
    if before is not None:
        previous_sli = None if pd.isna(before.sli) else float(before.sli)
        line = SloLine(
            line.slo,
            line.service,
            line.target,
            line.sli,
            line.budget_burned,
            line.budget_burned_value,
            format_sli(previous_sli, before.target),
            format_percent(_nan(before.budget_consumed)),
            _nan(before.budget_consumed),
        )
    return line


def _difference(now: float | None, before: float | None, scale: float = 1.0, decimals: int = 0) -> float | None:
    """``now - before`` in the units and rounding its delta text shows, so "±0 pts" is never called worse."""
    if now is None or before is None or np.isnan(now) or np.isnan(before):
        return None
    return round((now - before) * scale, decimals)


def _seconds(duration: timedelta | None) -> float | None:
    return None if duration is None else duration.total_seconds()


def _headline(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    stats: tuple[RecoveryStats, RecoveryStats],
    alerts: tuple[Sequence[FiringInterval], Sequence[FiringInterval]] | None,
    slo_reviews_overdue: tuple[int, int] | None = None,
) -> tuple[Figure, ...]:
    stats_now, stats_before = stats
    fleet = fleet_periods(pd.concat([current, previous]) if not previous.empty else current).set_index("period")

    def fleet_value(frame: pd.DataFrame, column: str) -> float:
        if frame.empty or frame["period"].iloc[0] not in fleet.index:
            return float("nan")
        return float(fleet.loc[frame["period"].iloc[0], column])

    met_now, met_before = fleet_value(current, "slos_met"), fleet_value(previous, "slos_met")
    with_data_now = fleet_value(current, "slos_with_data")
    compliance_now, compliance_before = fleet_value(current, "compliance"), fleet_value(previous, "compliance")
    requests_now = _volume(current)
    requests_before = _volume(previous)
    burned_now, burned_before = _worst_burned(current), _worst_burned(previous)
    met_text = NO_DATA if np.isnan(with_data_now) or with_data_now == 0 else f"{met_now:.0f} of {with_data_now:.0f}"
    return (
        Figure(
            "SLOs met",
            met_text,
            _count_delta(met_now, met_before),
            "SLOs whose week met the objective, of those with events",
            _difference(met_now, met_before),
            higher_is_better=True,
        ),
        Figure(
            "Compliance",
            format_percent(compliance_now, 0),
            _points_delta(compliance_now, compliance_before, 0),
            "SLOs met / SLOs with events",
            _difference(compliance_now, compliance_before, 100),
            higher_is_better=True,
        ),
        Figure(
            "Requests",
            format_count(requests_now),
            _relative_delta(requests_now, requests_before),
            "Events of each service's busiest SLO, summed over services",
        ),
        Figure(
            "Budget burned (worst SLO)",
            format_percent(burned_now[0]),
            _points_delta(burned_now[0], burned_before[0]),
            "Share of its period budget the week's bad events used, for the SLO that burned most"
            + (f" ({burned_now[1]})" if burned_now[1] else ""),
            _difference(burned_now[0], burned_before[0], 100, 1),
            higher_is_better=False,
        ),
        _alerts_figure(alerts),
        Figure(
            "Incidents",
            str(stats_now.count),
            _count_delta(stats_now.count, stats_before.count),
            "Incidents that started this week",
            _difference(stats_now.count, stats_before.count),
            higher_is_better=False,
        ),
        Figure(
            "MTTA",
            _mean_median(stats_now.tta_mean, stats_now.tta_median)[0],
            _duration_delta(stats_now.tta_mean, stats_before.tta_mean),
            "Mean time to acknowledge (median in brackets); the delta compares means",
            _difference(_seconds(stats_now.tta_mean), _seconds(stats_before.tta_mean)),
            higher_is_better=False,
            detail=_mean_median(stats_now.tta_mean, stats_now.tta_median)[1],
        ),
        Figure(
            "MTTR",
            _mean_median(stats_now.ttr_mean, stats_now.ttr_median)[0],
            _duration_delta(stats_now.ttr_mean, stats_before.ttr_mean),
            "Mean time to resolve (median in brackets); open incidents have none yet",
            _difference(_seconds(stats_now.ttr_mean), _seconds(stats_before.ttr_mean)),
            higher_is_better=False,
            detail=_mean_median(stats_now.ttr_mean, stats_now.ttr_median)[1],
        ),
        _slo_reviews_figure(slo_reviews_overdue),
    )


def _slo_reviews_figure(overdue: tuple[int, int] | None) -> Figure:
    """SLOs past their review's due date at the week's end (``metrics.slo_reviews``), against the week before."""
    help_text = "SLOs whose review (every 90 days unless the SLO sets its own cadence) was overdue at the week's end"
    if overdue is None:
        return Figure("SLO reviews overdue", NO_DATA, NO_DATA, help_text)
    now, before = overdue
    return Figure(
        "SLO reviews overdue",
        str(now),
        _count_delta(now, before),
        help_text,
        float(now - before),
        higher_is_better=False,
    )


def _alerts_figure(alerts: tuple[Sequence[FiringInterval], Sequence[FiringInterval]] | None) -> Figure:
    """How many times a burn tier started firing this week (pages, then tickets), against last week's count."""
    help_text = "Times an SLO burn tier started firing this week (page and ticket severities)"
    if alerts is None:
        return Figure("Alerts fired", NO_DATA, NO_DATA, help_text)
    now, before = alerts
    pages = sum(interval.key.urgency is Urgency.PAGE for interval in now)
    return Figure(
        "Alerts fired",
        str(len(now)),
        _count_delta(len(now), len(before)),
        help_text,
        float(len(now) - len(before)),
        higher_is_better=False,
        detail=f"{pages} page, {len(now) - pages} ticket",
    )


def _volume(per_slo: pd.DataFrame) -> float:
    """Requests: each service's busiest SLO (a service's SLOs count the same requests), summed, among the SLOs
    counting events (slices are not requests); NaN without data."""
    if "counted" in per_slo:
        per_slo = per_slo[per_slo["counted"] == "events"]
    if per_slo.empty or per_slo["total"].isna().all():
        return float("nan")
    return float(per_slo.groupby("service")["total"].max().sum())


def _worst_burned(per_slo: pd.DataFrame) -> tuple[float, str]:
    with_data = per_slo[per_slo["budget_consumed"].notna()]
    if with_data.empty:
        return float("nan"), ""
    worst = with_data.sort_values(["budget_consumed", "slo"], ascending=[False, True]).iloc[0]
    return float(worst["budget_consumed"]), str(worst["slo"])


def _risk_lines(readings: Sequence[SloReading]) -> tuple[RiskLine, ...]:
    lines = []
    for reading in sorted(
        readings, key=lambda r: (_nan(r.budget_remaining) if r.budget_remaining is not None else float("inf"), r.slo)
    ):
        reasons = []
        if reading.budget_remaining is not None and reading.budget_remaining < AT_RISK_BUDGET:
            reasons.append(f"budget under {AT_RISK_BUDGET * 100:.0f}%")
        if reading.alert_state in FIRING_STATES:
            reasons.append(f"{reading.alert_state} tier firing")
        if reasons:
            lines.append(
                RiskLine(
                    reading.slo,
                    reading.service,
                    format_percent(reading.budget_remaining),
                    reading.alert_state,
                    " and ".join(reasons),
                )
            )
    return tuple(lines)


def _incident_line(incident: Incident, zone: ZoneInfo) -> IncidentLine:
    return IncidentLine(
        incident.reference,
        incident.service,
        incident.severity,
        incident.started.astimezone(zone).strftime("%a %d %b %H:%M"),
        format_duration(incident.time_to_acknowledge),
        "open" if incident.resolved is None else format_duration(incident.time_to_resolve),
        incident.summary,
        incident.postmortem_url,
    )


def _database_changes(now: Sequence[DatabaseStatus], before: Sequence[DatabaseStatus]) -> tuple[DatabaseChange, ...]:
    old = {d.database: d.status for d in before}
    new = {d.database: d.status for d in now}
    changes = [
        DatabaseChange(name, old.get(name, "not monitored"), new.get(name, "no snapshot"))
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name)
    ]
    return tuple(changes)


def _in_week(incident: Incident, monday: date, zone: ZoneInfo) -> bool:
    return monday <= incident.started.astimezone(zone).date() <= monday + timedelta(days=6)


def _readings_note(inputs: ReviewInputs) -> str:
    """How "at risk" was read: when (now, or at the week's end), or why it could not be."""
    if inputs.readings_error:
        return f"At risk could not be read: {inputs.readings_error}"
    if inputs.readings_at is None:
        return "At risk: no reading"
    moment = inputs.readings_at.astimezone(ZoneInfo(inputs.time_zone)).strftime("%a %d %b %H:%M")
    return (
        f"Budget remaining and alert tiers {'now' if inputs.partial else 'at the week’s end'}, "
        f"{moment} ({inputs.time_zone})"
    )


def build_weekly_review(inputs: ReviewInputs) -> WeeklyReview:
    """The review of ``inputs.week`` (see the module docstring)."""
    monday, sunday = parse_iso_week(inputs.week)
    before = previous_week(inputs.week)
    zone = ZoneInfo(inputs.time_zone)
    previous_monday = monday - timedelta(days=7)
    daily = inputs.daily
    in_weeks = daily[(daily["day"] >= previous_monday) & (daily["day"] <= sunday)] if not daily.empty else daily
    per_slo = slo_periods(in_weeks, "week")
    current = per_slo[per_slo["period"] == inputs.week]
    previous = per_slo[per_slo["period"] == before]
    previous_by_slo = {row.slo: row for row in previous.itertuples()}

    incidents_now = sorted(
        (i for i in inputs.incidents if _in_week(i, monday, zone)), key=lambda i: (i.started, i.reference)
    )
    incidents_before = [i for i in inputs.incidents if _in_week(i, previous_monday, zone)]
    stats_now, stats_before = recovery_stats(incidents_now, inputs.week), recovery_stats(incidents_before, before)
    week_start = local_midnight(monday, inputs.time_zone)
    week_end = local_midnight(sunday + timedelta(days=1), inputs.time_zone)
    previous_start = local_midnight(previous_monday, inputs.time_zone)

    lines = [_slo_line(row, previous_by_slo.get(row.slo)) for row in current.itertuples()]
    by_name = {line.slo: line for line in lines}
    breached = [by_name[row.slo] for row in current.itertuples() if row.status == MISSED]
    recovered = [
        by_name[row.slo]
        for row in current.itertuples()
        if row.status == MET and row.slo in previous_by_slo and previous_by_slo[row.slo].status == MISSED
    ]
    offenders = sorted(
        (line for line in lines if line.budget_burned_value > 0), key=lambda line: (-line.budget_burned_value, line.slo)
    )[:TOP_OFFENDERS]
    return WeeklyReview(
        week=inputs.week,
        previous_week=before,
        first_day=monday,
        last_day=sunday,
        time_zone=inputs.time_zone,
        source=inputs.source,
        generated_at=inputs.generated_at,
        partial=inputs.partial,
        headline=_headline(
            current,
            previous,
            (stats_now, stats_before),
            None
            if inputs.alerts is None
            else (
                _started_between(inputs.alerts, week_start, week_end),
                _started_between(inputs.alerts, previous_start, week_start),
            ),
            inputs.slo_reviews_overdue,
        ),
        breached=tuple(sorted(breached, key=lambda line: (-_zero_nan(line.budget_burned_value), line.slo))),
        at_risk=_risk_lines(inputs.readings),
        recovered=tuple(sorted(recovered, key=lambda line: line.slo)),
        top_offenders=tuple(offenders),
        incidents=tuple(_incident_line(i, zone) for i in incidents_now),
        incident_stats=stats_now,
        readings_note=_readings_note(inputs),
        databases=None
        if inputs.databases_now is None
        else tuple(sorted(inputs.databases_now, key=lambda d: d.database)),
        database_changes=()
        if inputs.databases_now is None
        else _database_changes(inputs.databases_now, inputs.databases_before),
        tracker_events=None
        if inputs.tracker_events is None
        else tuple(sorted(inputs.tracker_events, key=lambda e: (e.at, e.item_id))),
        note=inputs.note,
        has_slo_data=bool((current["status"] != NO_DATA_STATUS).any()) if not current.empty else False,
        slo_lines=tuple(sorted(lines, key=lambda line: line.slo)),
        alerts=None if inputs.alerts is None else _alert_lines(inputs, week_start, week_end),
        alerts_note=inputs.alerts_note or "",
        incidents_note=inputs.incidents_note or "",
        databases_note=inputs.databases_note or "",
        tracker_note=inputs.tracker_note or "",
        policy_states=_policy_lines(inputs),
        policy_decisions=_policy_decision_lines(inputs, week_start, week_end, zone),
        database_forecasts=_forecasts_worst_first(inputs.database_forecasts),
        database_forecasts_note=inputs.database_forecasts_note
        or f"Least-squares line over the snapshots of the {FORECAST_WINDOW_DAYS} days before the week's end.",
    )


def _policy_lines(inputs: ReviewInputs) -> tuple[PolicyLine, ...] | None:
    """Each service's policy state from the readings at the week's end (``metrics.slo_policy``), freeze first, with
    its newest decision taken before then."""
    if inputs.policies is None:
        return None
    readings = [BudgetReading(r.slo, r.service, r.budget_remaining) for r in inputs.readings]
    states = service_states(readings, inputs.policies, inputs.policy_decisions)
    return tuple(
        PolicyLine(
            service=s.service,
            state=s.state.badge,
            policy="" if s.policy is None else s.policy.label,
            worst_slo=s.worst_slo or "",
            budget_spent=format_share(s.budget_spent),
            latest_decision="" if s.latest_decision is None else decision_line(s.latest_decision),
        )
        for s in states
    )


def _policy_decision_lines(
    inputs: ReviewInputs, week_start: datetime, week_end: datetime, zone: ZoneInfo
) -> tuple[PolicyDecisionLine, ...]:
    week = sorted(
        (d for d in inputs.policy_decisions if week_start <= d.decided_at < week_end),
        key=lambda d: (d.decided_at, d.id or 0),
    )
    return tuple(
        PolicyDecisionLine(
            when=d.decided_at.astimezone(zone).strftime("%a %d %b %H:%M"),
            service=d.service,
            decision=d.kind.label,
            incident=d.incident,
            by=d.decided_by,
            why=d.reason,
        )
        for d in week
    )


def _forecasts_worst_first(lines: Sequence[DatabaseForecastLine]) -> tuple[DatabaseForecastLine, ...]:
    rank = {"critical": 0, "warn": 1}
    return tuple(
        sorted(
            lines,
            key=lambda line: (
                rank.get(line.status, 2),
                line.days_left if line.days_left is not None else float("inf"),
                line.database,
            ),
        )
    )


def _started_between(intervals: Sequence[FiringInterval], start: datetime, end: datetime) -> list[FiringInterval]:
    return [interval for interval in intervals if start <= interval.started < end]


def _alert_lines(inputs: ReviewInputs, week_start: datetime, week_end: datetime) -> tuple[AlertLine, ...]:
    """Every firing that overlaps the week (one that began the week before and went on counts too), oldest first."""
    overlapping = sorted(
        (
            interval
            for interval in inputs.alerts or ()
            if interval.started < week_end and (interval.ended is None or interval.ended > week_start)
        ),
        key=lambda interval: (interval.started, interval.key),
    )
    until = inputs.alerts_until or inputs.generated_at
    return tuple(
        AlertLine(
            severity=row["severity"],
            tier=row["tier"],
            slo=row["SLO"],
            service=row["service"],
            started=row["started"],
            ended=row["ended"],
            duration=row["duration"],
        )
        for row in interval_rows(overlapping, inputs.time_zone, until)
    )


def _zero_nan(value: float) -> float:
    return 0.0 if np.isnan(value) else value


def fleet_status_counts(databases: Sequence[DatabaseStatus]) -> Mapping[str, int]:
    """How many databases are in each status, worst first."""
    order = ("critical", "warn", "ok", "no data")
    counts = {status: sum(d.status == status for d in databases) for status in order}
    for database in databases:
        if database.status not in counts:
            counts[database.status] = sum(d.status == database.status for d in databases)
    return {status: count for status, count in counts.items() if count}
