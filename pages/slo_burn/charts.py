"""Plotly figure builders for the SLO drill-down: pure functions of DataFrames, testable without Streamlit.

Every builder
- draws times as wall-clock time in the team time zone (Plotly has no time zones: it gets naive local times and the
  axis title names the zone),
- puts the exact, formatted value (``metrics.formatting``) in the hover text,
- downsamples to at most ``MAX_POINTS`` points per series before anything reaches the browser, keeping the worst
  value of each bucket, so a short spike or dip never disappears from the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from metrics.formatting import format_burn_rate, format_percent, format_sli, format_target, target_decimals
from metrics.slo.alerts import AlertEvaluation, Op
from metrics.slo.periods import Period
from pages.common.charts import (  # noqa: F401  (drawn on the drill-down)
    MAX_POINTS,
    TEMPLATE,
    add_annotations,
    annotation_hover,
    downsample,
    empty_figure,
    local_times,
)
from pages.common.theme import TARGET_COLOR, alert_state_style

# Burn rates of 0 (no bad events) cannot sit on a log axis; they are drawn at this floor, the hover keeps the truth.
LOG_FLOOR = 0.01
# Burn-rate windows drawn from the start; the short ones are one legend click away (they are noisy and the per-tier
# chart shows each next to its long window).
PROMINENT_WINDOWS = ("1h", "6h", "1d", "3d")
FIRING_VIEW_HOURS = 6  # while a tier fires, the burn-rate chart opens on the last hours
WINDOW_COLORS = {
    "5m": "#C6DBEF",
    "30m": "#9ECAE1",
    "1h": "#4292C6",
    "2h": "#6A51A3",
    "6h": "#2171B5",
    "1d": "#08519C",
    "3d": "#08306B",
}


def _local_instant(moment: datetime, timezone: str) -> pd.Timestamp:
    return pd.Timestamp(moment).tz_convert(timezone).tz_localize(None)


def _time_axis_title(timezone: str) -> str:
    return f"time ({timezone})"


def _texts(values: pd.Series, formatter) -> list[str]:
    return [formatter(None if pd.isna(value) else float(value)) for value in values]


def firing_intervals(
    times: pd.Series, long_rate: pd.Series, short_rate: pd.Series, threshold: float, op: Op = Op.GT
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Runs where both windows pass ``threshold`` by ``op`` (the tier's burn-rate rule, before any minimum-traffic
    guard), as (first, last) point times.

    A run ends at the next point after its last firing one, so a one-point run still has a visible width. Missing
    values never fire, as in ``metrics.slo.alerts.is_firing``.
    """
    firing = op.holds(long_rate, threshold) & op.holds(short_rate, threshold) & long_rate.notna() & short_rate.notna()
    flags = firing.to_numpy(dtype=bool)
    stamps = list(pd.to_datetime(times))
    intervals = []
    start = None
    for index, fires in enumerate(flags):
        if fires and start is None:
            start = index
        if not fires and start is not None:
            intervals.append((stamps[start], stamps[index]))
            start = None
    if start is not None:
        intervals.append((stamps[start], stamps[-1]))
    return intervals


def _tier_label(evaluation: AlertEvaluation) -> str:
    return f"{evaluation.tier.severity} {format_burn_rate(evaluation.threshold)}"


def _threshold_line(
    figure: go.Figure, evaluation: AlertEvaluation, row: int | None = None, label: str | None = None
) -> None:
    """A dashed line at the tier's threshold, labelled "page 14.4×" at its left end, in the tier's status colour.

    The label is a separate annotation: on a log axis Plotly places annotations by log10 of the value (shapes by the
    value itself), which ``add_hline(annotation=...)`` gets wrong.
    """
    style = alert_state_style(evaluation.tier.urgency.value)
    figure.add_hline(
        y=evaluation.threshold, line=dict(color=style.color, dash="dash", width=1.5), row=row, col=1 if row else None
    )
    suffix = "" if row in (None, 1) else str(row)
    figure.add_annotation(
        text=label or _tier_label(evaluation),
        xref=f"x{suffix} domain",
        yref=f"y{suffix}",
        x=0.005,
        y=float(np.log10(evaluation.threshold)),
        xanchor="left",
        yanchor="bottom",
        showarrow=False,
        font=dict(color=style.color, size=11),
        bgcolor="rgba(255,255,255,0.85)",
    )


_LOG_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)


def _log_axis(value_range: list[float], dense: bool = True) -> dict:
    """A log y axis over ``value_range`` (log10 units) with ticks at 1-2-5 steps labelled "0.5×", "10×"."""
    low, high = 10 ** value_range[0], 10 ** value_range[1]
    ticks = [tick for tick in _LOG_TICKS if low <= tick <= high and (dense or np.log10(tick).is_integer())]
    return dict(type="log", range=value_range, tickvals=ticks, ticktext=[f"{tick:g}×" for tick in ticks])


_RANGE_BUTTONS = dict(
    buttons=[
        dict(count=6, label="6 h", step="hour", stepmode="backward"),
        dict(count=1, label="1 d", step="day", stepmode="backward"),
        dict(step="all", label="3 d"),
    ],
    x=0,
    y=1.02,
    xanchor="left",
    yanchor="bottom",
    font=dict(size=11),
)


# --- (1) SLI over the period ----------------------------------------------------------------------------------------


def sli_figure(sli: pd.DataFrame, target: float, timezone: str, title: str = "SLI over the period") -> go.Figure:
    """SLI per bucket (``metrics.slo.timeseries.sli_series``) against the target line; buckets without events are
    gaps."""
    frame = downsample(sli[["time", "sli", "total", "bad"]], how="min")
    decimals = target_decimals(target) + 1
    hover = [
        f"{format_sli(None if pd.isna(value) else float(value), target)}"
        + ("" if pd.isna(value) or pd.isna(total) else f" ({int(bad):,} bad of {int(total):,})")
        for value, total, bad in zip(frame["sli"], frame["total"], frame["bad"])
    ]
    figure = go.Figure(
        _line(frame["time"], frame["sli"], timezone, hover, "SLI", line=dict(width=1.8), connectgaps=False)
    )
    figure.add_hline(
        y=target,
        line=dict(color=TARGET_COLOR, dash="dash", width=1.5),
        annotation=dict(text=f"target {format_target(target)}", font=dict(size=11), bgcolor="rgba(255,255,255,0.8)"),
        annotation_position="bottom left",
    )
    known = frame["sli"].dropna()
    low = min(float(known.min()) if len(known) else target, target)
    span = max(1.0 - low, 1.0 - target)
    figure.update_layout(
        template=TEMPLATE,
        title=title,
        showlegend=False,
        height=340,
        xaxis_title=_time_axis_title(timezone),
        yaxis=dict(title="SLI", tickformat=f".{decimals}%", range=[max(0.0, low - 0.1 * span), 1.0 + 0.05 * span]),
    )
    return figure


# --- (2) error-budget burn-down -------------------------------------------------------------------------------------


def burn_down_figure(
    burn_down: pd.DataFrame, period: Period, at: datetime, timezone: str, title: str = "Error budget remaining"
) -> go.Figure:
    """Budget remaining (``metrics.slo.timeseries.budget_burn_down``) against the even-spend ideal, 0 % emphasised.

    The x axis covers the whole period, so a calendar period shows how much of it is still ahead.
    """
    frame = downsample(burn_down[["time", "budget_remaining"]], how="last")
    hover = _texts(frame["budget_remaining"], format_percent)
    start, end = _local_instant(period.start, timezone), _local_instant(period.end, timezone)
    now = _local_instant(at, timezone)
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=[start, end],
            y=[1.0, 0.0],
            name="ideal (even spend)",
            mode="lines",
            line=dict(color=TARGET_COLOR, dash="dot", width=1.5),
            hoverinfo="skip",
        )
    )
    figure.add_trace(
        _line(frame["time"], frame["budget_remaining"], timezone, hover, "budget remaining", line=dict(width=2.2))
    )
    figure.add_hline(
        y=0,
        line=dict(color=alert_state_style("page").color, width=2),
        annotation=dict(text="budget spent", font=dict(size=11)),
        annotation_position="bottom right",
    )
    if end > now:
        figure.add_vrect(
            x0=now,
            x1=end,
            fillcolor="rgba(0,0,0,0.04)",
            line_width=0,
            annotation=dict(text="rest of the period", font=dict(size=11)),
            annotation_position="top left",
        )
    known = frame["budget_remaining"].dropna()
    low = min(float(known.min()) if len(known) else 0.0, 0.0)
    figure.update_layout(
        template=TEMPLATE,
        title=title,
        height=340,
        xaxis_title=_time_axis_title(timezone),
        xaxis=dict(range=[start, end]),
        yaxis=dict(title="budget remaining", tickformat=".0%", range=[low - 0.08, 1.08]),
        # Entries of a set width: sized from the text, they ran into each other and were cut in a half-width column.
        legend=dict(orientation="h", entrywidth=170, entrywidthmode="pixels"),
    )
    return figure


# --- (3) burn rate per window ---------------------------------------------------------------------------------------


def _line(times: pd.Series, values: pd.Series, timezone: str, hover: list[str], label: str, **style) -> go.Scatter:
    """A line over the team's local times; hovering a point shows its text from ``hover`` and ``label``."""
    style.setdefault("name", label)
    return go.Scatter(
        x=local_times(times, timezone),
        y=values,
        mode="lines",
        customdata=hover,
        hovertemplate=f"%{{customdata}}<extra>{label}</extra>",
        **style,
    )


def _rate_trace(frame: pd.DataFrame, window: str, timezone: str, **style) -> go.Scatter:
    values = frame[window]
    return _line(
        frame["time"], values.clip(lower=LOG_FLOOR), timezone, _texts(values, format_burn_rate), window, **style
    )


def burn_rate_figure(
    rates: pd.DataFrame, alerts: Sequence[AlertEvaluation], timezone: str, title: str = "Burn rate per window"
) -> go.Figure:
    """Rolling burn rates (``metrics.slo.timeseries.rolling_burn_rates``) on a log axis, each tier's threshold
    dashed."""
    windows = [column for column in rates.columns if column != "time"]
    frame = downsample(rates, how="max")
    figure = go.Figure()
    for window in windows:
        figure.add_trace(
            _rate_trace(
                frame,
                window,
                timezone,
                line=dict(color=WINDOW_COLORS.get(window), width=2 if window in PROMINENT_WINDOWS else 1.2),
                visible=True if window in PROMINENT_WINDOWS else "legendonly",
            )
        )
    for evaluation in alerts:
        _threshold_line(figure, evaluation, label=f"{_tier_label(evaluation)} ({evaluation.tier.long_window})")
    xaxis = dict(rangeselector=_RANGE_BUTTONS)
    if any(evaluation.firing for evaluation in alerts) and not frame.empty:
        # A live incident is the last hours of three days: open on them (the buttons widen it again).
        newest = _local_instant(frame["time"].max(), timezone)
        xaxis["range"] = [newest - pd.Timedelta(hours=FIRING_VIEW_HOURS), newest]
    figure.update_layout(
        template=TEMPLATE,
        title=title,
        height=400,
        xaxis_title=_time_axis_title(timezone),
        yaxis=dict(title="burn rate", **_log_axis(_log_range(frame[windows], alerts))),
        xaxis=xaxis,
        legend=dict(title=dict(text="window ")),
    )
    return figure


def _log_range(values: pd.DataFrame, alerts: Sequence[AlertEvaluation]) -> list[float]:
    """A log10 axis range spanning the data and every threshold, never narrower than 0.1× to 20×."""
    numbers = values.to_numpy(dtype=float).ravel()
    numbers = numbers[np.isfinite(numbers) & (numbers > 0)]
    thresholds = [evaluation.threshold for evaluation in alerts]
    low = min([0.1, *([numbers.min()] if len(numbers) else [])])
    high = max([20.0, *thresholds, *([numbers.max()] if len(numbers) else [])])
    return [float(np.log10(max(low, LOG_FLOOR))) - 0.1, float(np.log10(high)) + 0.15]


# --- (4) each tier: long and short window against the threshold, firing shaded -------------------------------------


def tier_figure(
    rates: pd.DataFrame,
    alerts: Sequence[AlertEvaluation],
    timezone: str,
    title: str = "Alert tiers: long and short window against the threshold",
) -> go.Figure:
    """One row per tier; firing intervals (both windows above the threshold) shaded in the tier's status colour."""
    figure = make_subplots(
        rows=max(len(alerts), 1),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.07,
        subplot_titles=[
            f"{e.tier.severity}: {e.tier.long_window} and {e.tier.short_window} above {format_burn_rate(e.threshold)}"
            for e in alerts
        ],
    )
    frame = downsample(rates, how="max")
    for row, evaluation in enumerate(alerts, start=1):
        _add_tier_row(figure, row, evaluation, frame, rates, timezone)
    figure.update_layout(template=TEMPLATE, title=title, height=180 * max(len(alerts), 1) + 110, margin=dict(t=90))
    for subplot_title in figure.layout.annotations[: len(alerts)]:  # make_subplots adds the titles first
        subplot_title.update(x=0, xanchor="left", font=dict(size=12))
    figure.update_xaxes(title_text=_time_axis_title(timezone), row=max(len(alerts), 1), col=1)
    return figure


def _add_tier_row(
    figure: go.Figure, row: int, evaluation: AlertEvaluation, frame: pd.DataFrame, rates: pd.DataFrame, timezone: str
) -> None:
    """One tier's subplot: both windows' burn rates (downsampled ``frame``), the firing intervals shaded (from the
    full ``rates``) and the threshold."""
    tier = evaluation.tier
    windows = (
        (tier.long_window, "long", dict(color=WINDOW_COLORS["3d"], width=2)),
        (tier.short_window, "short", dict(color=WINDOW_COLORS["1h"], width=1.2, dash="dot")),
    )
    for window, which, line in windows:
        trace = _rate_trace(
            frame, window, timezone, legendgroup=which, name=f"{which} window", showlegend=row == 1, line=line
        )
        figure.add_trace(trace, row=row, col=1)
    # Shading after the traces: Plotly skips shapes aimed at a subplot that is still empty.
    fill = alert_state_style(tier.urgency.value).fill
    for start, end in firing_intervals(
        rates["time"], rates[tier.long_window], rates[tier.short_window], evaluation.threshold, tier.op
    ):
        figure.add_vrect(
            x0=_local_instant(start, timezone),
            x1=_local_instant(end, timezone),
            fillcolor=fill,
            line_width=0,
            layer="below",
            row=row,
            col=1,
        )
    _threshold_line(figure, evaluation, row=row)
    columns = [tier.long_window, tier.short_window]
    figure.update_yaxes(**_log_axis(_log_range(frame[columns], [evaluation]), dense=False), row=row, col=1)


__all__ = [
    "MAX_POINTS",
    "burn_down_figure",
    "burn_rate_figure",
    "downsample",
    "empty_figure",
    "firing_intervals",
    "local_times",
    "sli_figure",
    "tier_figure",
]
