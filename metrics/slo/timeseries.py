"""Drill-down series for one SLO, computed from event buckets (columns ``time``, ``total``, ``bad``; each row
counts the events of the ``step`` that ends at ``time``).

Charts need gaps where there is no traffic, so these frames carry NaN for "no data" in their value columns; the
headline figures never do (they come from ``metrics.slo.definitions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from metrics.slo.alerts import DEFAULT_TIERS, AlertTier
from metrics.slo.budget import error_budget
from metrics.slo.definitions import BURN_WINDOWS, parse_duration
from metrics.slo.periods import Period

RECENT_STEP = timedelta(minutes=5)
RECENT_SPAN = timedelta(days=6)  # 3 days shown, plus 3 days so the 3-day rolling window is full from the start
SHOWN_RECENT_SPAN = timedelta(days=3)


def period_step(period: Period) -> timedelta:
    """Hourly buckets for periods up to ~6 weeks, coarser for quarters and years (about 1,000 points at most)."""
    hours = max(1, int(np.ceil(period.length / timedelta(hours=1) / 1000)))
    return timedelta(hours=hours)


def sli_series(buckets: pd.DataFrame) -> pd.DataFrame:
    """SLI per bucket; NaN where the bucket saw no events."""
    total = buckets["total"].astype(float)
    bad = buckets["bad"].astype(float).clip(lower=0)
    ratio = (bad.clip(upper=total) / total).where(total > 0)
    return pd.DataFrame({"time": buckets["time"], "sli": 1.0 - ratio, "total": total, "bad": bad})


def budget_burn_down(buckets: pd.DataFrame, period: Period, at: datetime, target: float) -> pd.DataFrame:
    """Budget remaining through the period, ending exactly at the report's figure for ``at``.

    Each point is 1 − (bad events so far) / (budget × all events of the period up to ``at``); the ideal line
    spends the budget evenly from the period's start to its end.
    """
    budget = error_budget(target)
    period_start = pd.Timestamp(period.start).tz_convert("UTC")
    frame = buckets[(buckets["time"] > period_start) & (buckets["time"] <= at)].sort_values("time")
    total = float(frame["total"].clip(lower=0).sum())
    if total <= 0 or budget <= 0:
        remaining = pd.Series(np.nan, index=frame.index)
    else:
        bad = frame["bad"].clip(lower=0).cumsum()
        remaining = 1.0 - bad / (budget * total)
    start_row = pd.DataFrame({"time": [period_start], "budget_remaining": [1.0 if total > 0 else np.nan]})
    actual = pd.concat(
        [start_row, pd.DataFrame({"time": frame["time"], "budget_remaining": remaining})], ignore_index=True
    )
    length = period.length.total_seconds()
    elapsed = (pd.to_datetime(actual["time"], utc=True) - period_start).dt.total_seconds()
    actual["ideal_remaining"] = 1.0 - elapsed / length
    return actual


def rolling_burn_rates(
    buckets: pd.DataFrame, target: float, step: timedelta = RECENT_STEP, windows: tuple[str, ...] = BURN_WINDOWS
) -> pd.DataFrame:
    """Burn rate over each window at every bucket end; NaN until the window is full or when it saw no events."""
    budget = error_budget(target)
    frame = buckets.sort_values("time").reset_index(drop=True)
    result = pd.DataFrame({"time": frame["time"]})
    total = frame["total"].astype(float).clip(lower=0)
    bad = frame["bad"].astype(float).clip(lower=0)
    for label in windows:
        size = max(1, int(parse_duration(label) / step))
        window_total = total.rolling(size, min_periods=size).sum()
        window_bad = bad.rolling(size, min_periods=size).sum()
        ratio = (window_bad.clip(upper=window_total) / window_total).where(window_total > 0)
        result[label] = ratio / budget if budget > 0 else np.nan
    return result


def rolling_window_events(
    buckets: pd.DataFrame, windows: tuple[str, ...], step: timedelta = RECENT_STEP
) -> pd.DataFrame:
    """Events and bad events over each window at every bucket end (columns ``events <w>``, ``bad <w>``), what a
    tier's minimum-traffic guard judges; NaN until the window is full."""
    frame = buckets.sort_values("time").reset_index(drop=True)
    result = pd.DataFrame({"time": frame["time"]})
    total = frame["total"].astype(float).clip(lower=0)
    bad = frame["bad"].astype(float).clip(lower=0)
    for label in windows:
        size = max(1, int(parse_duration(label) / step))
        result[f"events {label}"] = total.rolling(size, min_periods=size).sum()
        result[f"bad {label}"] = bad.rolling(size, min_periods=size).sum()
    return result


def tier_firing_mask(
    burn_rates: pd.DataFrame, tier: AlertTier, threshold: float, events: pd.DataFrame | None = None
) -> pd.Series:
    """Where ``tier`` fires along a burn-rate series: both windows past the threshold (by the tier's ``op``) and,
    for a guarded tier, enough events in the long window (``events`` from ``rolling_window_events``, matched by
    time; without it a guarded tier never fires). Missing values never fire."""
    long_rate, short_rate = burn_rates[tier.long_window], burn_rates[tier.short_window]
    known = long_rate.notna() & short_rate.notna()
    holds = known & _compare(long_rate, tier, threshold) & _compare(short_rate, tier, threshold)
    if not tier.guarded:
        return holds
    if events is None:
        return pd.Series(False, index=burn_rates.index)
    matched = events.set_index("time").reindex(burn_rates["time"])
    enough = pd.Series(True, index=burn_rates.index)
    if tier.min_events is not None:
        enough &= (matched[f"events {tier.long_window}"] >= tier.min_events).to_numpy()
    if tier.min_bad_events is not None:
        enough &= (matched[f"bad {tier.long_window}"] >= tier.min_bad_events).to_numpy()
    return holds & enough


def _compare(rates: pd.Series, tier: AlertTier, threshold: float) -> pd.Series:
    """``rates`` against the threshold by the tier's ``op``, element by element (NaN compares false either way)."""
    return tier.op.holds(rates.astype(float), threshold)


@dataclass(frozen=True)
class TierHistory:
    tier: AlertTier
    threshold: float
    firing_now: bool
    firing_since: datetime | None  # start of the current firing run; None when not firing
    since_before_range: bool  # the run started before the first point we have: "for more than N"
    firing_share_last_day: float | None  # share of the last 24 hours the tier fired; None without data


def tier_histories(
    burn_rates: pd.DataFrame,
    period_length: timedelta,
    tiers: tuple[AlertTier, ...] = DEFAULT_TIERS,
    since: datetime | None = None,
    events: pd.DataFrame | None = None,
) -> list[TierHistory]:
    """How each tier has behaved over the rolling burn-rate series: firing now, since when, how often today.
    ``events`` (``rolling_window_events``) lets guarded tiers fire."""
    frame = burn_rates.sort_values("time").reset_index(drop=True)
    if since is not None:
        frame = frame[frame["time"] >= since].reset_index(drop=True)
    histories = []
    for tier in tiers:
        threshold = tier.threshold(period_length)
        known = frame[tier.long_window].notna() & frame[tier.short_window].notna()
        firing = tier_firing_mask(frame, tier, threshold, events)
        firing_now = bool(len(firing)) and bool(firing.iloc[-1])
        firing_since, before_range = None, False
        if firing_now:
            quiet = np.flatnonzero(~firing.to_numpy())
            first = int(quiet[-1]) + 1 if len(quiet) else 0
            firing_since = frame["time"].iloc[first].to_pydatetime()
            before_range = first == 0
        last_day = frame["time"] > frame["time"].iloc[-1] - timedelta(days=1) if len(frame) else firing
        day_known = known[last_day]
        share = float(firing[last_day][day_known].mean()) if day_known.any() else None
        histories.append(TierHistory(tier, threshold, firing_now, firing_since, before_range, share))
    return histories
