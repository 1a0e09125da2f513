"""Weekly and monthly reliability trends from daily rollups: per SLO, per service, for the fleet.

Everything is event-weighted: a week's error ratio is the week's bad events over its events (summed from the days),
never an average of daily ratios, so a quiet Sunday weighs what its traffic weighs. Weeks are ISO weeks and months
calendar months of the team's time zone: the daily rows already are local days (``metrics.trends.rollups``), so a week
is Monday..Sunday local, daylight-saving days included with their real 23 or 25 hours.

Frames use NaN for "no data" (no events, or no series); it is never turned into 0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from metrics.trends.rollups import add_buckets, histogram_quantile

GRAINS = ("week", "month")
MET, MISSED, NO_DATA = "met", "missed", "no data"
DAILY_COLUMNS = (
    "day",
    "slo",
    "service",
    "target",
    "period_seconds",
    "day_seconds",
    "total",
    "bad",
    "latency_buckets",
    "counted",
)
_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


# --- calendar periods --------------------------------------------------------------------------------------------


def period_label(day: date, grain: str) -> str:
    """ "2026-W47" (ISO week: the year the week's Thursday falls in) or "2026-11"."""
    if grain == "week":
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if grain == "month":
        return f"{day.year:04d}-{day.month:02d}"
    raise ValueError(f"grain must be one of {', '.join(GRAINS)}, got {grain!r}")


def parse_iso_week(text: str) -> tuple[date, date]:
    """First (Monday) and last (Sunday) day of an ISO week written ``2026-W47``; ``ValueError`` says why not."""
    match = _ISO_WEEK.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not an ISO week like 2026-W47")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
        return monday, monday + timedelta(days=6)
    except OverflowError:
        raise ValueError(f"{text!r} is not an ISO week this calendar can hold: it ends after {date.max}") from None
    except ValueError:
        if not date.min.year <= year <= date.max.year:
            raise ValueError(f"{text!r} is not an ISO week: years run from 1 to {date.max.year}") from None
        weeks = date(year, 12, 28).isocalendar()[1]
        raise ValueError(f"{text!r} is not an ISO week: {year} has weeks 1 to {weeks}") from None


def period_bounds(label: str, grain: str) -> tuple[date, date]:
    """First and last day of a period label."""
    if grain == "week":
        return parse_iso_week(label)
    match = _MONTH.match(label.strip())
    if grain != "month" or not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{label!r} is not a {grain} label like " + ("2026-W47" if grain == "week" else "2026-11"))
    first = date(int(match.group(1)), int(match.group(2)), 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


MAX_RANGE_DAYS = 5 * 366  # five years of weekly columns is already more than a table can show
EARLIEST_DAY = date(1970, 1, 1)  # no SLO data is older than the Unix epoch (pandas ends at 1677 anyway)


def earliest_first(last: date) -> date:
    """The earliest first day of a range ending on ``last``: a link or an option asking for more (``?from=0001-01-01``)
    would otherwise build a column for every week since year 1."""
    if (last - EARLIEST_DAY).days < MAX_RANGE_DAYS:
        return EARLIEST_DAY
    return last - timedelta(days=MAX_RANGE_DAYS - 1)


def periods_between(first: date, last: date, grain: str) -> list[str]:
    """Labels of every period touching [first, last], oldest first."""
    labels: list[str] = []
    day = first
    while day <= last:
        label = period_label(day, grain)
        if not labels or labels[-1] != label:
            labels.append(label)
        day = period_bounds(label, grain)[1] + timedelta(days=1)
    return labels


# --- per SLO -----------------------------------------------------------------------------------------------------


def daily_frame(rows: Sequence[dict] | pd.DataFrame) -> pd.DataFrame:
    """Daily rows (dicts as the store returns them, or ``DailyRollup.as_row()``) as a typed frame."""
    if isinstance(rows, pd.DataFrame):
        frame = rows.copy()
    else:
        frame = (
            pd.DataFrame(list(rows), columns=list(DAILY_COLUMNS)) if rows else pd.DataFrame(columns=list(DAILY_COLUMNS))
        )
    for column in ("total", "bad", "target", "period_seconds", "day_seconds"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    if "latency_buckets" not in frame:
        frame["latency_buckets"] = None
    frame["counted"] = frame["counted"].fillna("events") if "counted" in frame else "events"
    return frame


def _ratios(frame: pd.DataFrame) -> pd.DataFrame:
    """error ratio, SLI, met, burn rate and budget consumed from summed counts; NaN when there were no events."""
    total, bad = frame["total"].to_numpy(float), frame["bad"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ratio = np.where(total > 0, np.clip(bad, 0, None) / total, np.nan)
        ratio = np.minimum(ratio, 1.0)
        budget = 1.0 - frame["target"].to_numpy(float)
        burn = np.where(budget > 0, ratio / budget, np.nan)
        consumed = burn * frame["seconds"].to_numpy(float) / frame["period_seconds"].to_numpy(float)
    frame["error_ratio"] = ratio
    frame["sli"] = 1.0 - ratio
    frame["burn_rate"] = burn
    frame["budget_consumed"] = consumed
    frame["status"] = np.where(np.isnan(ratio), NO_DATA, np.where(1.0 - ratio >= frame["target"], MET, MISSED))
    return frame


def slo_periods(daily: pd.DataFrame, grain: str) -> pd.DataFrame:
    """One row per SLO and period: summed events, SLI, status (met / missed / no data), budget consumed, latency
    percentiles from the summed histogram, and ``days`` with data out of ``days_in_period``."""
    columns = [
        "period",
        "period_start",
        "slo",
        "service",
        "target",
        "period_seconds",
        "days",
        "days_in_period",
        "total",
        "bad",
        "counted",
        "seconds",
        "error_ratio",
        "sli",
        "burn_rate",
        "budget_consumed",
        "status",
        "latency_p50",
        "latency_p95",
        "latency_p99",
    ]
    if daily.empty:
        return pd.DataFrame(columns=columns)
    frame = daily.copy()
    frame["period"] = [period_label(day, grain) for day in frame["day"]]
    has_data = frame["total"].notna()
    frame["seconds"] = np.where(has_data, frame["day_seconds"], 0.0)
    frame["days"] = has_data.astype(int)
    grouped = frame.groupby(["period", "slo"], sort=True)
    result = grouped.agg(
        service=("service", "last"),
        target=("target", "last"),
        period_seconds=("period_seconds", "last"),
        counted=("counted", "last"),
        days=("days", "sum"),
        seconds=("seconds", "sum"),
    ).reset_index()
    result["total"] = grouped["total"].sum(min_count=1).to_numpy()  # all days without series: NaN, not 0
    result["bad"] = grouped["bad"].sum(min_count=1).to_numpy()
    histograms = [add_buckets(list(values)) for _, values in grouped["latency_buckets"]]
    result = _ratios(result)
    for quantile, name in ((0.5, "latency_p50"), (0.95, "latency_p95"), (0.99, "latency_p99")):
        result[name] = [_quantile(quantile, h) for h in histograms]
    bounds = {label: period_bounds(label, grain) for label in result["period"].unique()}
    result["period_start"] = [bounds[label][0] for label in result["period"]]
    result["days_in_period"] = [(bounds[label][1] - bounds[label][0]).days + 1 for label in result["period"]]
    return result[columns].sort_values(["period_start", "slo"], ignore_index=True)


def _quantile(quantile: float, histogram) -> float:
    value = histogram_quantile(quantile, histogram)
    return np.nan if value is None else value


# --- per service and for the fleet -------------------------------------------------------------------------------


def _status_counts(per_slo: pd.DataFrame) -> pd.DataFrame:
    """``per_slo`` with 0/1 columns ``_with_data``, ``_met`` and ``_missed`` from its statuses, to sum per group."""
    status = per_slo["status"]
    return per_slo.assign(
        _with_data=(status != NO_DATA).astype(int),
        _met=(status == MET).astype(int),
        _missed=(status == MISSED).astype(int),
    )


def service_periods(per_slo: pd.DataFrame) -> pd.DataFrame:
    """One row per service and period. A service met its objectives when every SLO with data met its own; it
    missed when any missed; no data when none had events. Volume is the busiest SLO's events (a service's SLOs
    usually count the same requests, so summing them would count requests twice), among the SLOs counting events:
    a Timeslices SLO's slices are not requests; budget consumed is the worst."""
    columns = [
        "period",
        "period_start",
        "service",
        "slos",
        "slos_with_data",
        "slos_met",
        "status",
        "volume",
        "worst_budget_consumed",
        "worst_slo",
    ]
    if per_slo.empty:
        return pd.DataFrame(columns=columns)
    frame = _status_counts(per_slo).assign(
        _consumed=per_slo["budget_consumed"].where(per_slo["status"] != NO_DATA),
        _events=per_slo["total"].where(per_slo["counted"] == "events"),
    )
    result = (
        frame.groupby(["period", "service"], sort=True)
        .agg(
            period_start=("period_start", "first"),
            slos=("slo", "count"),
            slos_with_data=("_with_data", "sum"),
            slos_met=("_met", "sum"),
            _missed=("_missed", "sum"),
            volume=("_events", "max"),
            worst_budget_consumed=("_consumed", "max"),
        )
        .reset_index()
    )
    worst = (
        frame[frame["_consumed"].notna()]
        .sort_values("_consumed", ascending=False, kind="stable")
        .drop_duplicates(["period", "service"])
        .set_index(["period", "service"])["slo"]
    )
    result["worst_slo"] = [worst.get((p, s), "") for p, s in zip(result["period"], result["service"])]
    result["status"] = np.select([result["slos_with_data"] == 0, result["_missed"] > 0], [NO_DATA, MISSED], MET)
    return result[columns].sort_values(["period_start", "service"], ignore_index=True)


def fleet_periods(per_slo: pd.DataFrame) -> pd.DataFrame:
    """One row per period: how many SLOs had data and met their objective (compliance = met / with data)."""
    columns = ["period", "period_start", "slos", "slos_with_data", "slos_met", "slos_missed", "compliance"]
    if per_slo.empty:
        return pd.DataFrame(columns=columns)
    frame = _status_counts(per_slo)
    result = (
        frame.groupby(["period", "period_start"], sort=True)
        .agg(
            slos=("slo", "count"),
            slos_with_data=("_with_data", "sum"),
            slos_met=("_met", "sum"),
            slos_missed=("_missed", "sum"),
        )
        .reset_index()
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        result["compliance"] = np.where(
            result["slos_with_data"] > 0, result["slos_met"] / result["slos_with_data"].clip(lower=1), np.nan
        )
    return result[columns].sort_values("period_start", ignore_index=True)


def compliance_matrix(per_service: pd.DataFrame, periods: Sequence[str], services: Sequence[str]) -> pd.DataFrame:
    """Service × period of met / missed / no data; a period with no row at all is no data too."""
    if per_service.empty:
        return pd.DataFrame(NO_DATA, index=list(services), columns=list(periods))
    pivot = per_service.pivot(index="service", columns="period", values="status")
    matrix = pivot.reindex(index=list(services), columns=list(periods)).astype(object)
    return matrix.where(matrix.notna(), NO_DATA).rename_axis(index=None, columns=None)


# --- what got better, what got worse -----------------------------------------------------------------------------


def complete_periods(per_slo: pd.DataFrame) -> list[str]:
    """Periods for which some SLO has a row for every day: the ones worth comparing."""
    if per_slo.empty:
        return []
    covered = per_slo[per_slo["days"] == per_slo["days_in_period"]]
    return list(dict.fromkeys(covered.sort_values("period_start")["period"]))


MIN_CHANGE = 0.05  # burn-rate change below which a period-over-period difference counts as unchanged


def rank_changes(per_slo: pd.DataFrame, current: str, previous: str, min_change: float = MIN_CHANGE) -> pd.DataFrame:
    """SLOs with data in both periods, ranked by how much faster they burn their budget in ``current`` than in
    ``previous``: regressions first (largest increase of the burn rate), then improvements (largest decrease).

    The burn rate (error ratio / error budget) puts SLOs with different targets on one scale; a change from met to
    missed is a regression (and a change from missed to met an improvement) whatever its size; other changes
    smaller than ``min_change`` (in burn rate: 0.05 = 5 % of the budget's pace) are "unchanged".
    """
    columns = [
        "slo",
        "service",
        "target",
        "previous_sli",
        "current_sli",
        "previous_burn_rate",
        "current_burn_rate",
        "change",
        "previous_status",
        "current_status",
        "direction",
    ]
    before = per_slo[per_slo["period"] == previous].set_index("slo")
    after = per_slo[per_slo["period"] == current].set_index("slo")
    rows = []
    for slo in sorted(set(before.index) & set(after.index)):
        old, new = before.loc[slo], after.loc[slo]
        if np.isnan(old["burn_rate"]) or np.isnan(new["burn_rate"]):
            continue
        change = float(new["burn_rate"] - old["burn_rate"])
        newly_missed = old["status"] == MET and new["status"] == MISSED
        newly_met = old["status"] == MISSED and new["status"] == MET
        if newly_missed or (change >= min_change and not newly_met):
            direction = "regression"
        elif newly_met or change <= -min_change:
            direction = "improvement"
        else:
            direction = "unchanged"
        rows.append(
            {
                "slo": slo,
                "service": new["service"],
                "target": new["target"],
                "previous_sli": old["sli"],
                "current_sli": new["sli"],
                "previous_burn_rate": old["burn_rate"],
                "current_burn_rate": new["burn_rate"],
                "change": change,
                "previous_status": old["status"],
                "current_status": new["status"],
                "direction": direction,
            }
        )
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        return frame
    newly_missed = (frame["previous_status"] == MET) & (frame["current_status"] == MISSED)
    order = np.where(frame["direction"] == "regression", 0, np.where(frame["direction"] == "improvement", 2, 1))
    frame = frame.assign(_order=order, _newly=~newly_missed, _size=-frame["change"].abs())
    return frame.sort_values(["_order", "_newly", "_size", "slo"], ignore_index=True).drop(
        columns=["_order", "_newly", "_size"]
    )


# --- one view, shared by the trends page and ``cli.py trends`` ---------------------------------------------------


@dataclass(frozen=True)
class TrendsView:
    """Every figure of the trends page for one range, grain and service selection."""

    grain: str
    first: date
    last: date
    services: tuple[str, ...]  # the services shown (all the catalog's when none was picked)
    periods: tuple[str, ...]  # every period touching [first, last], oldest first
    per_slo: pd.DataFrame
    per_service: pd.DataFrame
    fleet: pd.DataFrame
    compliance: pd.DataFrame  # service × period: met / missed / no data
    daily: pd.DataFrame  # the daily rows in range (for the latency and volume charts)
    current: str | None  # the newest complete period, compared with ``previous``
    previous: str | None
    changes: pd.DataFrame
    partial_periods: tuple[str, ...] = ()  # cut by the range, or not every day collected

    @property
    def has_data(self) -> bool:
        return not self.daily.empty

    def to_dict(self) -> dict:
        """JSON-ready: NaN (no data) and infinities (a broken source) become null, dates become ISO text."""

        def records(frame: pd.DataFrame) -> list[dict]:
            clean = frame.drop(columns=[c for c in ("latency_buckets",) if c in frame])
            return [{key: _plain(value) for key, value in record.items()} for record in clean.to_dict("records")]

        return {
            "grain": self.grain,
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "services": list(self.services),
            "periods": list(self.periods),
            "fleet": records(self.fleet),
            "services_by_period": records(self.per_service),
            "slos_by_period": records(self.per_slo),
            "compliance": {service: dict(row) for service, row in self.compliance.iterrows()},
            "compared": {"current": self.current, "previous": self.previous},
            "changes": records(self.changes),
            "partial_periods": list(self.partial_periods),
        }


def _plain(value):
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def build_trends(daily: pd.DataFrame, grain: str, first: date, last: date, services: Sequence[str]) -> TrendsView:
    """The trends of ``services`` over [first, last]: rows outside the range or of other services are ignored.

    Compared periods: the newest period that is complete (every day collected) against the one before it."""
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {', '.join(GRAINS)}, got {grain!r}")
    in_range = daily[(daily["day"] >= first) & (daily["day"] <= last) & daily["service"].isin(list(services))]
    per_slo = slo_periods(in_range, grain)
    per_service = service_periods(per_slo)
    periods = periods_between(first, last, grain)
    complete = [
        p
        for p in complete_periods(per_slo)
        if period_bounds(p, grain)[0] >= first and period_bounds(p, grain)[1] <= last
    ]
    current, previous = (complete[-1], complete[-2]) if len(complete) >= 2 else (None, None)
    changes = rank_changes(per_slo, current, previous) if current else rank_changes(per_slo.iloc[0:0], "", "")
    return TrendsView(
        grain,
        first,
        last,
        tuple(services),
        tuple(periods),
        per_slo,
        per_service,
        fleet_periods(per_slo),
        compliance_matrix(per_service, periods, services),
        in_range.reset_index(drop=True),
        current,
        previous,
        changes,
        tuple(p for p in periods if p not in complete),
    )
