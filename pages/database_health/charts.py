"""Plotly figures for a database's history: one template, threshold lines drawn, exact values on hover."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from metrics.formatting import format_bytes, format_percent
from pages.common.charts import downsample, local_times
from pages.common.theme import CRITICAL, SERIES_COLORS, WARN, register_template

TEMPLATE = register_template()


def history_figure(
    history: list[dict],
    column: str,
    title: str,
    timezone: str,
    *,
    kind: str = "number",
    warn: float | None = None,
    critical: float | None = None,
) -> go.Figure:
    """One stored series over time; ``kind`` is "percent", "bytes" or "number" (for the hover text)."""
    frame = pd.DataFrame(history, columns=["taken_at", column]).rename(columns={"taken_at": "time"})
    frame[column] = pd.to_numeric(frame[column], errors="coerce")
    how = "min" if column == "cache_hit_ratio" else "max"
    frame = downsample(frame, how=how)
    formatter = {"percent": lambda v: format_percent(v, 2), "bytes": format_bytes}.get(kind, lambda v: f"{v:g}")
    texts = [formatter(v) if pd.notna(v) else "no data" for v in frame[column]]
    figure = go.Figure(
        go.Scatter(
            x=local_times(frame["time"], timezone),
            y=frame[column],
            mode="lines+markers",
            name=title,
            line=dict(color=SERIES_COLORS[0]),
            text=texts,
            hovertemplate="%{text}<extra></extra>",
        )
    )
    for value, style, label in ((warn, WARN, "warn"), (critical, CRITICAL, "critical")):
        if value is not None:
            figure.add_hline(
                y=value,
                line=dict(color=style.color, dash="dash", width=1),
                annotation_text=f"{label} {formatter(value)}",
                annotation_position="top left",
            )
    figure.update_layout(template=TEMPLATE, title=title, height=280, showlegend=False, xaxis_title=f"time ({timezone})")
    figure.update_xaxes(tickformat="%d %b\n%H:%M")
    if kind == "percent":
        figure.update_yaxes(tickformat=".1%")
    elif kind == "bytes":
        figure.update_yaxes(tickformat=".3s", ticksuffix="B", rangemode="tozero")
    return figure
