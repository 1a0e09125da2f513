"""What every chart shares: one Plotly template and toolbar, downsampling before the browser, local wall-clock times,
and the placeholder that says why a chart is empty."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from pages.common.theme import register_template

TEMPLATE = register_template()
MAX_POINTS = 1500
# The toolbar of every chart: no Plotly logo, no selection tools (nothing on a page reads a selection).
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}

_AGGREGATIONS = ("max", "min", "last", "mean")


def downsample(
    frame: pd.DataFrame, max_points: int = MAX_POINTS, how: str = "max", time_column: str = "time"
) -> pd.DataFrame:
    """At most ``max_points`` rows: consecutive rows are grouped into equal buckets, each stamped with its last time.

    ``how`` picks the value kept per bucket and column: ``max`` for burn rates (peaks survive), ``min`` for SLIs
    (dips survive), ``last`` for running totals such as the budget burn-down, ``mean`` when nothing else fits.
    A bucket with no value at all stays NaN, so a gap in the data stays a gap in the chart.
    """
    if how not in _AGGREGATIONS:
        raise ValueError(f"how must be one of {', '.join(_AGGREGATIONS)}, got {how!r}")
    if max_points < 1:
        raise ValueError("max_points must be at least 1")
    frame = frame.sort_values(time_column).reset_index(drop=True)
    if len(frame) <= max_points:
        return frame
    size = int(np.ceil(len(frame) / max_points))
    groups = np.arange(len(frame)) // size
    grouped = frame.groupby(groups, sort=True)
    values = frame.columns.drop(time_column)
    if how == "last":
        reduced = grouped[list(values)].last()  # last non-NaN value in the bucket
    else:
        reduced = grouped[list(values)].agg(how)
    reduced.insert(0, time_column, grouped[time_column].last())
    return reduced.reset_index(drop=True)[list(frame.columns)]


def local_times(times: pd.Series, timezone: str) -> pd.Series:
    """Naive wall-clock times in ``timezone``: what Plotly should print on the axis."""
    return pd.to_datetime(times, utc=True).dt.tz_convert(timezone).dt.tz_localize(None)


def empty_figure(message: str, height: int = 300) -> go.Figure:
    """A chart-sized placeholder that says why there is nothing to draw."""
    figure = go.Figure()
    figure.add_annotation(
        text=message, showarrow=False, font=dict(size=14, color="#666666"), xref="paper", yref="paper", x=0.5, y=0.5
    )
    figure.update_layout(template=TEMPLATE, height=height, xaxis=dict(visible=False), yaxis=dict(visible=False))
    return figure
