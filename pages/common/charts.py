"""What every chart shares: one Plotly template and toolbar, downsampling before the browser, local wall-clock times,
and the placeholder that says why a chart is empty."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from metrics.slo.annotations import Annotation, AnnotationKind
from pages.common.theme import CRITICAL, INFO, NO_DATA, OK, WARN, register_template

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


def _annotation_instant(moment, timezone: str) -> pd.Timestamp:
    return pd.Timestamp(moment).tz_convert(timezone).tz_localize(None)


# --- annotations ----------------------------------------------------------------------------------------------------

_ANNOTATION_STYLES = {
    AnnotationKind.INCIDENT: (CRITICAL, "triangle-down"),
    AnnotationKind.REVIEW: (INFO, "diamond"),
    AnnotationKind.TARGET: (WARN, "square"),
    AnnotationKind.ADJUSTMENT: (NO_DATA, "hourglass"),
    AnnotationKind.FIRING: (WARN, "triangle-up"),
    AnnotationKind.DEPLOY: (OK, "star"),
}


def annotation_hover(annotation: Annotation, timezone: str) -> str:
    """What and who, and when in the team's time: the text a mark shows on hover."""
    start = _annotation_instant(annotation.start, timezone).strftime("%Y-%m-%d %H:%M")
    when = start
    if annotation.end is not None:
        end = _annotation_instant(annotation.end, timezone).strftime("%Y-%m-%d %H:%M")
        when = f"{start} – {'ongoing' if annotation.ongoing else end}"
    if annotation.provenance:
        who = f"<br>{html.escape(annotation.provenance)}"
    else:
        who = f"<br>by {html.escape(annotation.who)}" if annotation.who else ""
    return f"<b>{html.escape(annotation.kind.singular)}</b> · {when}<br>{html.escape(annotation.title)}{who}"


def add_annotations(figure: go.Figure, annotations: Sequence[Annotation], timezone: str, mark_at: float) -> go.Figure:
    """Shade each interval (an incident) and draw a line at each instant (a review), with a mark at ``mark_at`` on
    the y axis whose hover says what happened and who. One legend entry per kind; clicking it hides that kind's
    marks (the page's filter hides the shading too)."""
    shapes = list(figure.layout.shapes)  # set once at the end: add_vrect per band is quadratic in the bands
    for kind in AnnotationKind:
        shown = [annotation for annotation in annotations if annotation.kind is kind]
        if not shown:
            continue
        style, symbol = _ANNOTATION_STYLES[kind]
        for annotation in shown:
            start = _annotation_instant(annotation.start, timezone)
            if annotation.end is not None:
                shapes.append(
                    dict(
                        type="rect",
                        xref="x",
                        yref="paper",
                        x0=start,
                        x1=_annotation_instant(annotation.end, timezone),
                        y0=0,
                        y1=1,
                        fillcolor=style.fill,
                        line_width=0,
                    )
                )
            else:
                shapes.append(
                    dict(
                        type="line",
                        xref="x",
                        yref="paper",
                        x0=start,
                        x1=start,
                        y0=0,
                        y1=1,
                        line=dict(color=style.color, dash="dot", width=1),
                    )
                )
        figure.add_trace(
            go.Scatter(
                x=[_annotation_instant(annotation.start, timezone) for annotation in shown],
                y=[mark_at] * len(shown),
                mode="markers",
                name=kind.value,
                marker=dict(symbol=symbol, size=11, color=style.color, line=dict(color="white", width=1)),
                hovertext=[annotation_hover(annotation, timezone) for annotation in shown],
                hoverinfo="text",
                showlegend=True,
            )
        )
    figure.update_layout(shapes=shapes)
    return figure
