"""Assemble the SLO burn report from event counts: one status per SLO, the urgent first (``sort_key``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from metrics.formatting import format_percent
from metrics.slo.adjustments import Adjustment, describe_window
from metrics.slo.alerts import (
    AT_RISK,
    ATTENTION_STATES,
    AlertEvaluation,
    AlertTier,
    alert_state,
    evaluate_tiers,
)
from metrics.slo.budget import budget_remaining, burn_rate, sli, time_to_exhaustion
from metrics.slo.definitions import EventCounts, SloDefinition, parse_duration
from metrics.slo.long_windows import StoredWindowUse
from metrics.slo.periods import Period, current_period

PERIOD_KEY = "period"
# Time to exhaustion is projected at the 1-hour burn rate: recent enough to reflect an incident in progress,
# long enough not to swing with every 5-minute blip.
EXHAUSTION_WINDOW = "1h"


def requested_windows(slo: SloDefinition, at: datetime) -> dict[str, timedelta]:
    """Every window a source must count for ``slo`` at ``at``: the burn windows, its tiers' own windows (an
    AlertPolicy's lookbackWindow and its short window) and the period so far."""
    windows = {label: parse_duration(label) for label in slo.windows}
    windows[PERIOD_KEY] = at - current_period(slo.time_window, at).start
    return windows


@dataclass(frozen=True)
class SloStatus:
    slo: SloDefinition
    at: datetime
    period: Period
    counts: dict[str, EventCounts | None]
    sli: float | None
    budget_remaining: float | None
    burn_rates: dict[str, float | None]
    alerts: list[AlertEvaluation]
    alert_state: str
    time_to_exhaustion: timedelta | None
    error: str | None = None
    # Budget adjustments: the ones covering this SLO within its period, and its status from the raw counts (before
    # the events inside them were taken out); None when no adjustment changed any of its windows.
    adjustments: tuple[Adjustment, ...] = ()
    raw: SloStatus | None = None

    @property
    def adjusted(self) -> bool:
        """Some budget adjustment took events out of its figures."""
        return self.raw is not None

    @property
    def has_data(self) -> bool:
        return self.sli is not None

    @property
    def budget_runs_out_in_period(self) -> bool:
        """At the current burn rate the budget is gone before the period is over. A calendar period keeps every bad
        event until it ends: gone when now + time to exhaustion falls before the end. A rolling window drops its
        oldest events as it moves, so a rate below 1× never empties it; above 1× it does, within one window."""
        if self.time_to_exhaustion is None or self.budget_remaining is None:
            return False
        if self.slo.time_window.is_rolling:
            rate = self.burn_rates.get(EXHAUSTION_WINDOW)
            return rate is not None and rate > 1.0 and self.time_to_exhaustion <= self.period.length
        return self.at + self.time_to_exhaustion <= self.period.end

    @property
    def attention(self) -> str:
        """What the overview shows and sorts by: the firing tier ("page", "ticket"); "at risk" when no tier fires but
        the budget runs out within the period at this rate (no one should read "ok" next to "gone in 2 days");
        otherwise "ok" or "no data"."""
        if self.alert_state == "ok" and self.budget_runs_out_in_period:
            return AT_RISK
        return self.alert_state

    @property
    def note(self) -> str | None:
        """Why an SLO without an error shows no data, and what to do about it."""
        if self.error is not None or self.has_data:
            return None
        period_counts = self.counts.get(PERIOD_KEY)
        where = f" in {self.slo.source}" if self.slo.source else ""
        if period_counts is None:
            return (
                f"no series match the queries of SLO {self.slo.name!r}: check the metric names and labels"
                f"{where} against what the source has"
            )
        return f"SLO {self.slo.name!r} saw no events in its period so far: a quiet service, or traffic has stopped"

    def to_dict(self, raw: bool = False) -> dict:
        """The CLI's JSON shape; ``raw``: with the figures before budget adjustments under ``raw``."""
        shown = self._figures()
        if raw:
            shown["raw"] = (self.raw or self)._figures(core_only=True)
        return shown

    def _figures(self, core_only: bool = False) -> dict:
        period_counts = self.counts.get(PERIOD_KEY)
        if core_only:
            return {
                "sli": self.sli,
                "budget_remaining": self.budget_remaining,
                "events_total": None if period_counts is None else period_counts.total,
                "events_bad": None if period_counts is None else period_counts.bad,
                "burn_rates": dict(self.burn_rates),
                "alert_state": self.alert_state,
                "time_to_exhaustion_seconds": None
                if self.time_to_exhaustion is None
                else self.time_to_exhaustion.total_seconds(),
            }
        return {
            "slo": self.slo.name,
            "service": self.slo.service,
            "display_name": self.slo.display_name,
            "target": self.slo.target,
            "period": self.slo.time_window.label,
            "period_defaulted": self.slo.time_window.defaulted,  # no timeWindow in the catalog: 28 days rolling
            "budgeting_method": self.slo.budgeting_method.value,
            "method": self.slo.method_label,  # "Timeslices, 5m slices at 95 %"
            "counted": self.slo.unit,  # what events_total and events_bad count: events, slices or points
            "period_start": self.period.start.isoformat(),
            "period_end": self.period.end.isoformat(),
            "sli": self.sli,
            "error_budget": round(self.slo.error_budget, 12),
            "budget_remaining": self.budget_remaining,
            "events_total": None if period_counts is None else period_counts.total,
            "events_bad": None if period_counts is None else period_counts.bad,
            "burn_rates": dict(self.burn_rates),
            "alert_state": self.alert_state,
            "attention": self.attention,
            "alerts": [
                {
                    "severity": e.tier.severity,
                    "urgency": e.tier.urgency.value,
                    "policy": e.tier.policy,
                    "long": e.tier.long_window,
                    "short": e.tier.short_window,
                    "threshold": round(e.threshold, 6),
                    "long_burn_rate": e.long_burn_rate,
                    "short_burn_rate": e.short_burn_rate,
                    "op": e.tier.op.value,
                    "min_events": e.tier.min_events,
                    "min_bad_events": e.tier.min_bad_events,
                    "long_events": None if e.long_counts is None else e.long_counts.total,
                    "long_bad_events": None if e.long_counts is None else e.long_counts.bad,
                    "held_back_by_traffic_guard": e.held_back,
                    "firing": e.firing,
                }
                for e in self.alerts
            ],
            "time_to_exhaustion_seconds": None
            if self.time_to_exhaustion is None
            else self.time_to_exhaustion.total_seconds(),
            "error": self.error,
            "note": self.note,
            "source": self.slo.source,  # where it is defined: "file.yaml, document 3"
            "data_source": self.slo.data_source,  # the catalog DataSource it reads; None: the default source
            "budget_adjusted": self.adjusted,
            "adjustments": [
                {"id": a.id, "category": a.category.value, "reason": a.reason, "window": describe_window(a)}
                for a in self.adjustments
            ],
        }


def build_status(
    slo: SloDefinition,
    at: datetime,
    counts: dict[str, EventCounts | None],
    error: str | None = None,
    tiers: tuple[AlertTier, ...] | None = None,
    raw_counts: dict[str, EventCounts | None] | None = None,
    adjustments: tuple[Adjustment, ...] = (),
) -> SloStatus:
    """``tiers`` defaults to the SLO's own (``SloDefinition.tiers``). ``counts`` are the adjusted counts when budget
    adjustments apply; ``raw_counts`` the same windows before them (the status keeps both)."""
    period = current_period(slo.time_window, at)
    burn_rates = {label: burn_rate(counts.get(label), slo.target) for label in slo.windows}
    remaining = budget_remaining(counts.get(PERIOD_KEY), slo.target)
    alerts = evaluate_tiers(burn_rates, period.length, slo.tiers if tiers is None else tiers, counts)
    period_sli = sli(counts.get(PERIOD_KEY))
    # An SLO with every tier switched off alerts on nothing: "ok" while it has numbers.
    state = alert_state(alerts) if alerts else ("ok" if period_sli is not None else "no data")
    return SloStatus(
        slo=slo,
        at=at,
        period=period,
        counts=dict(counts),
        sli=period_sli,
        budget_remaining=remaining,
        burn_rates=burn_rates,
        alerts=alerts,
        alert_state=state,
        time_to_exhaustion=time_to_exhaustion(remaining, period.length, burn_rates.get(EXHAUSTION_WINDOW)),
        error=error,
        adjustments=tuple(adjustments),
        raw=None if raw_counts is None else build_status(slo, at, raw_counts, error, tiers),
    )


@dataclass(frozen=True)
class SplitStatus:
    """One value of a split SLO (``SloDefinition.split_by``): its labels' values and its status, computed as any
    SLO's from its own counts, with the SLO's target and tiers."""

    values: tuple[tuple[str, str], ...]  # (("route", "/pay"),)
    status: SloStatus

    @property
    def label(self) -> str:
        return ", ".join(f"{label}={value}" for label, value in self.values)

    @property
    def parameters(self) -> list[str]:
        """How a link names this value: one ``split`` query parameter per label (``?split=route:/pay``)."""
        return [f"{label}:{value}" for label, value in self.values]

    def to_dict(self) -> dict:
        figures = self.status.to_dict()
        kept = ("sli", "budget_remaining", "events_total", "events_bad", "burn_rates", "alert_state", "attention")
        return {"values": dict(self.values), **{name: figures[name] for name in kept}}


def split_named(splits: Sequence[SplitStatus], parameters: Sequence[str]) -> SplitStatus | None:
    """The value a link's ``split`` parameters name (``SplitStatus.parameters``, in any order), or None."""
    wanted = sorted(parameters)
    return next((split for split in splits if sorted(split.parameters) == wanted), None)


def split_summary(splits: Sequence[SplitStatus], shown: int = 2) -> str:
    """What the overview says of a split SLO's values in one line: how many, and the worst of them, urgent first
    (``12 values · 2 burning: route=/pay page, route=/cart at risk``), or the one with least budget left when none
    burns. Empty for an SLO that is not split."""
    if not splits:
        return ""
    count = f"{len(splits)} value{'s' if len(splits) != 1 else ''}"
    burning = [split for split in splits if split.status.attention not in ("ok", "no data")]
    if burning:
        worst = ", ".join(f"{split.label} {split.status.attention}" for split in burning[:shown])
        more = f" and {len(burning) - shown} more" if len(burning) > shown else ""
        return f"{count} · {len(burning)} burning: {worst}{more}"
    with_budget = [split for split in splits if split.status.budget_remaining is not None]
    if not with_budget:
        return f"{count} · no data"
    least = min(with_budget, key=lambda split: split.status.budget_remaining)
    return f"{count} · none burning; least budget left: {least.label} {format_percent(least.status.budget_remaining)}"


@dataclass(frozen=True)
class SloReport:
    at: datetime
    statuses: list[SloStatus]
    source: str
    errors: dict[str, str] = field(default_factory=dict)  # problems not tied to one SLO, by source name
    # The source answered but said its answer may be partial (a Thanos store or Mimir ingester missing).
    warnings: tuple[str, ...] = ()
    # Each split SLO's values, the urgent first (``sort_key``).
    splits: dict[str, tuple[SplitStatus, ...]] = field(default_factory=dict)
    # Which long windows were summed from stored daily rollups and which read directly (None: every one directly).
    long_windows: StoredWindowUse | None = None

    def to_dict(self, raw: bool = False) -> dict:
        slos = []
        for status in self.statuses:
            figures = status.to_dict(raw)
            if status.slo.split_by:
                figures["split_by"] = list(status.slo.split_by)
                figures["split"] = [split.to_dict() for split in self.splits.get(status.slo.name, ())]
                figures["split_summary"] = split_summary(self.splits.get(status.slo.name, ()))
            slos.append(figures)
        return {
            "at": self.at.isoformat(),
            "source": self.source,
            "slos": slos,
            "errors": dict(self.errors),
            "warnings": list(self.warnings),
            "long_windows": self.long_windows.to_dict() if self.long_windows else None,
        }

    def status(self, slo_name: str) -> SloStatus | None:
        return next((s for s in self.statuses if s.slo.name == slo_name), None)


def sort_key(status: SloStatus) -> tuple:
    """Most urgent first: paging, ticketing, at risk, ok, no data; within each, least budget left first."""
    remaining = status.budget_remaining
    return (
        ATTENTION_STATES.index(status.attention),
        remaining is None,
        remaining if remaining is not None else 0.0,
        status.slo.name,
    )


def build_report(
    slos: list[SloDefinition],
    at: datetime,
    counts_by_slo: dict[str, dict[str, EventCounts | None]],
    errors_by_slo: dict[str, str] | None = None,
    source: str = "",
    errors: dict[str, str] | None = None,
    warnings: Sequence[str] = (),
    raw_counts_by_slo: dict[str, dict[str, EventCounts | None]] | None = None,
    adjustments_by_slo: dict[str, tuple[Adjustment, ...]] | None = None,
    split_counts_by_slo: dict[str, dict[tuple[str, ...], dict[str, EventCounts | None]]] | None = None,
    long_windows: StoredWindowUse | None = None,
) -> SloReport:
    """``counts_by_slo`` adjusted where ``raw_counts_by_slo`` has the SLO's raw counts (budget adjustments);
    ``split_counts_by_slo``: a split SLO's counts per value of its split labels."""
    errors_by_slo = errors_by_slo or {}
    raw_counts_by_slo = raw_counts_by_slo or {}
    adjustments_by_slo = adjustments_by_slo or {}
    statuses = [
        build_status(
            slo,
            at,
            counts_by_slo.get(slo.name, {}),
            errors_by_slo.get(slo.name),
            raw_counts=raw_counts_by_slo.get(slo.name),
            adjustments=adjustments_by_slo.get(slo.name, ()),
        )
        for slo in slos
    ]
    by_name = {slo.name: slo for slo in slos}
    splits = {
        name: tuple(
            sorted(
                (
                    SplitStatus(tuple(zip(by_name[name].split_by, value)), build_status(by_name[name], at, counts))
                    for value, counts in by_value.items()
                ),
                key=lambda split: sort_key(split.status),
            )
        )
        for name, by_value in (split_counts_by_slo or {}).items()
        if name in by_name
    }
    return SloReport(
        at=at,
        statuses=sorted(statuses, key=sort_key),
        source=source,
        errors=dict(errors or {}),
        warnings=tuple(warnings),
        splits=splits,
        long_windows=long_windows,
    )
