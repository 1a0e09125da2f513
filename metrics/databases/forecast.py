"""Capacity forecast: when a database's disk fills, when a PostgreSQL tablespace's disk fills and when a sequence
runs out, from its stored snapshots.

A least-squares line through the readings of the last ``FORECAST_WINDOW_DAYS`` days (x: days, y: bytes or the
sequence's last value); the day the line reaches the limit (the disk size from databases.toml, a tablespace's
``tablespace_disk_size``, the sequence's maximum) is when it runs out. A line needs ``MIN_SNAPSHOTS`` readings on at
least two instants; a line that does not rise says "not growing", never a date. Growth per week is the line's slope
times seven.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from metrics.databases.checks import CRITICAL, INFO, OK, UNKNOWN, WARN, CheckResult, worst
from metrics.formatting import format_bytes, format_count, format_duration, format_percent

FORECAST_WINDOW_DAYS = 28
MIN_SNAPSHOTS = 3
CAPACITY_CHECK = "capacity_forecast"
SEQUENCE_ITEMS_SHOWN = 10


class ForecastState(StrEnum):
    """What a resource's history says, from most to least to act on."""

    RUNS_OUT = "runs out"  # rising, with a known limit: a day is forecast
    GROWING = "growing"  # rising, no limit known (no disk_size set)
    NOT_GROWING = "not growing"  # flat or shrinking over the window
    NOT_ENOUGH_HISTORY = "not enough history"  # fewer than MIN_SNAPSHOTS readings
    NO_DATA = "no data"  # no reading at all


class ResourceKind(StrEnum):
    DISK = "disk"
    TABLESPACE = "tablespace"
    SEQUENCE = "sequence"


@dataclass(frozen=True)
class Reading:
    at: datetime
    value: float


@dataclass(frozen=True)
class Trend:
    """A least-squares line: its slope per day and its value at the instant it was fitted for."""

    slope_per_day: float
    value_now: float


def linear_trend(readings: Sequence[Reading], now: datetime) -> Trend | None:
    """The least-squares line through ``readings`` (x in days from ``now``); None with fewer than two instants."""
    if len(readings) < 2:
        return None
    xs = [(r.at - now) / timedelta(days=1) for r in readings]
    ys = [float(r.value) for r in readings]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread
    return Trend(slope_per_day=slope, value_now=mean_y - slope * mean_x)  # the line at x = 0, i.e. now


@dataclass(frozen=True)
class Forecast:
    """One resource's outlook: ``days_left`` is set only when it ``RUNS_OUT`` (0: the line is past the limit)."""

    kind: ResourceKind
    name: str
    state: ForecastState
    snapshots: int
    current: float | None = None  # the newest reading
    limit: float | None = None
    growth_per_week: float | None = None
    days_left: float | None = None
    column: str | None = None  # a sequence's owning table.column

    def runs_out_on(self, now: datetime) -> datetime | None:
        return None if self.days_left is None else now + timedelta(days=self.days_left)


def forecast_resource(
    kind: ResourceKind,
    name: str,
    readings: Sequence[Reading],
    limit: float | None,
    now: datetime,
    *,
    window_days: int = FORECAST_WINDOW_DAYS,
    min_snapshots: int = MIN_SNAPSHOTS,
    column: str | None = None,
) -> Forecast:
    """The forecast of one resource from its readings (any order; those older than the window are left out)."""
    since = now - timedelta(days=window_days)
    kept = sorted((r for r in readings if since <= r.at <= now), key=lambda r: r.at)
    current = kept[-1].value if kept else None
    base = {"kind": kind, "name": name, "snapshots": len(kept), "current": current, "limit": limit, "column": column}
    if not kept:
        return Forecast(state=ForecastState.NO_DATA, **base)
    trend = linear_trend(kept, now) if len(kept) >= min_snapshots else None
    if trend is None:
        return Forecast(state=ForecastState.NOT_ENOUGH_HISTORY, **base)
    growth = trend.slope_per_day * 7
    if trend.slope_per_day <= 0:
        return Forecast(state=ForecastState.NOT_GROWING, growth_per_week=growth, **base)
    if limit is None:
        return Forecast(state=ForecastState.GROWING, growth_per_week=growth, **base)
    days = max((limit - trend.value_now) / trend.slope_per_day, 0.0)
    return Forecast(state=ForecastState.RUNS_OUT, growth_per_week=growth, days_left=days, **base)


def forecast_status(forecast: Forecast, warn_days: float, critical_days: float) -> str:
    """critical within ``critical_days``, warn within ``warn_days``; info when there is too little to tell."""
    if forecast.state in (ForecastState.NO_DATA, ForecastState.NOT_ENOUGH_HISTORY):
        return INFO
    if forecast.days_left is None:
        return OK
    if forecast.days_left <= critical_days:
        return CRITICAL
    return WARN if forecast.days_left <= warn_days else OK


def days_text(days: float | None) -> str:
    """ "12 d 7 h", "under an hour"; "—" when no day is forecast."""
    if days is None:
        return "—"
    if days * 24 < 1:
        return "under an hour" if days > 0 else "now"
    if days >= 365:
        return f"{days / 365.25:.1f} years"
    return format_duration(timedelta(days=days))


def _amount(forecast: Forecast, value: float | None) -> str:
    if forecast.kind in (ResourceKind.DISK, ResourceKind.TABLESPACE):
        return format_bytes(value)
    return format_count(value)


def forecast_text(forecast: Forecast) -> str:
    """One resource's outlook in words: "runs out in 12 d 7 h (+3.1 GB/week)", "not enough history (2 snapshots)"."""
    if forecast.state is ForecastState.NO_DATA:
        return "no data: no snapshot stored (run `cli.py collect db-health`)"
    if forecast.state is ForecastState.NOT_ENOUGH_HISTORY:
        return f"not enough history ({forecast.snapshots} snapshot(s); needs {MIN_SNAPSHOTS})"
    growth = forecast.growth_per_week or 0.0
    per_week = f"{'+' if growth >= 0 else '−'}{_amount(forecast, abs(growth))}/week"
    if forecast.state is ForecastState.NOT_GROWING:
        return f"not growing ({per_week})"
    if forecast.state is ForecastState.GROWING:
        setting = f"tablespace_disk_size.{forecast.name}" if forecast.kind is ResourceKind.TABLESPACE else "disk_size"
        return f"growing {per_week}; set {setting} in databases.toml to forecast when the disk fills"
    used = "" if not forecast.limit else f", {format_percent((forecast.current or 0) / forecast.limit, 0)} used"
    return f"runs out in {days_text(forecast.days_left)} ({per_week}{used})"


def forecast_item(forecast: Forecast, status: str, now: datetime) -> dict[str, Any]:
    runs_out = forecast.runs_out_on(now)
    return {
        "resource": forecast.kind.value,
        "name": forecast.name,
        "column": forecast.column,
        "state": forecast.state.value,
        "status": status,
        "snapshots": forecast.snapshots,
        "current": forecast.current,
        "limit": forecast.limit,
        "growth_per_week": None if forecast.growth_per_week is None else round(forecast.growth_per_week, 3),
        "days_left": None if forecast.days_left is None else round(forecast.days_left, 2),
        "runs_out_on": None if runs_out is None else runs_out.date().isoformat(),
        "outlook": forecast_text(forecast),
    }


@dataclass(frozen=True)
class CapacityForecast:
    """A database's disk, tablespace (PostgreSQL) and sequence forecasts, judged against its thresholds in days."""

    database: str
    disk: Forecast
    sequences: tuple[Forecast, ...]
    warn_days: float
    critical_days: float
    at: datetime
    tablespaces: tuple[Forecast, ...] = ()

    @property
    def resources(self) -> tuple[Forecast, ...]:
        """Every forecast resource: the disk, the tablespaces, the sequences."""
        return (self.disk, *self.tablespaces, *self.sequences)

    @property
    def soonest(self) -> Forecast | None:
        """The resource that runs out first; None when none does."""
        running_out = [f for f in self.resources if f.days_left is not None]
        return min(running_out, key=lambda f: f.days_left, default=None)

    def status_of(self, forecast: Forecast) -> str:
        return forecast_status(forecast, self.warn_days, self.critical_days)

    def runs_out_text(self) -> str:
        """The fleet column: "12 d 7 h (disk)", "3 d 2 h (tablespace fast_ssd)", else what the disk's history says
        ("not growing")."""
        soonest = self.soonest
        if soonest is not None:
            return f"{days_text(soonest.days_left)} ({resource_label(soonest.kind.value, soonest.name)})"
        return self.disk.state.value


def resource_label(kind: str, name: str) -> str:
    """ "disk", "tablespace fast_ssd", "sequence orders_id_seq": what ran out, in the fleet's column."""
    return "disk" if kind == ResourceKind.DISK.value else f"{kind} {name}"


def check_capacity(forecast: CapacityForecast, unmeasured: dict[str, str] | None = None) -> CheckResult:
    """The ``capacity_forecast`` check: the worst of the disk's, the tablespaces' and the sequences' forecasts; its
    value is the days until the first resource runs out (None when none does). Every tablespace is an item, whatever
    its history says; sequences only when rising towards their maximum. ``unmeasured``: the tablespaces the probe
    just could not measure, with why: each such item reads "cannot tell" (unknown) and leaves the check's status to
    the others."""
    unmeasured = unmeasured or {}
    disk_status = forecast.status_of(forecast.disk)
    tablespace_status = [(t, forecast.status_of(t)) for t in forecast.tablespaces]
    sequence_status = [(s, forecast.status_of(s)) for s in forecast.sequences]
    running_out = sorted((pair for pair in sequence_status if pair[0].days_left is not None), key=_by_days)
    statuses = [disk_status] + [status for _, status in tablespace_status] + [status for _, status in running_out]
    status = worst(statuses)
    items = [forecast_item(forecast.disk, disk_status, forecast.at)]
    items += [forecast_item(t, st, forecast.at) for t, st in tablespace_status if t.name not in unmeasured]
    items += [cannot_tell_item(name, reason) for name, reason in sorted(unmeasured.items())]
    items += [forecast_item(s, st, forecast.at) for s, st in running_out[:SEQUENCE_ITEMS_SHOWN]]
    parts = [f"disk: {forecast_text(forecast.disk)}"]
    parts += [f"tablespace {t.name}: {forecast_text(t)}" for t in forecast.tablespaces if t.name not in unmeasured]
    parts += [f"tablespace {name}: cannot tell ({reason})" for name, reason in sorted(unmeasured.items())]
    if running_out:
        first, _ = running_out[0]
        parts.append(
            f"{len(running_out)} sequence(s) rising, first to run out {first.name} in {days_text(first.days_left)}"
        )
    elif forecast.sequences:
        parts.append(f"{len(forecast.sequences)} sequence(s), none rising towards its maximum")
    parts.append(f"least-squares line over the snapshots of the last {FORECAST_WINDOW_DAYS} days")
    soonest = forecast.soonest
    action = ""
    if status in (WARN, CRITICAL):
        action = (
            "Add disk or free space (drop unused indexes, archive old partitions, reclaim bloat) before the date"
            if soonest is not None and soonest.kind in (ResourceKind.DISK, ResourceKind.TABLESPACE)
            else "Widen the sequence's column to bigint (ALTER TABLE ... TYPE bigint, ALTER SEQUENCE ... AS bigint)"
        )
    value = None if soonest is None else round(soonest.days_left, 2)
    return CheckResult(CAPACITY_CHECK, status, value, "; ".join(parts), action, items)


def cannot_tell_item(tablespace: str, reason: str) -> dict[str, Any]:
    """A tablespace the probe could not measure this time: that item alone says so."""
    return {
        "resource": ResourceKind.TABLESPACE.value,
        "name": tablespace,
        "column": None,
        "state": "cannot tell",
        "status": UNKNOWN,
        "snapshots": None,
        "current": None,
        "limit": None,
        "growth_per_week": None,
        "days_left": None,
        "runs_out_on": None,
        "outlook": f"cannot tell: {reason}",
    }


def _by_days(pair: tuple[Forecast, str]) -> float:
    return pair[0].days_left if pair[0].days_left is not None else float("inf")
