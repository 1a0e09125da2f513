"""Plotly figures and tables of the trends page: pure functions of ``metrics.trends.aggregate`` frames.

Statuses use the shared palette with a symbol in every cell (✓ met, ■ missed, ○ no data), so the heatmap reads
without colour. Daily series are downsampled (``pages.common.charts.downsample``) before they reach the browser.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from metrics.formatting import format_count, format_sli, format_target, target_decimals
from metrics.status import AXIS_COLOR, SERIES_COLORS
from metrics.trends.aggregate import MET, MISSED, NO_DATA
from pages.common.charts import downsample, empty_figure
from pages.common.theme import CRITICAL, OK, TARGET_COLOR, WARN, register_template
from pages.common.theme import NO_DATA as NO_DATA_STYLE

TEMPLATE = register_template()
STATUS_STYLES = {MET: OK, MISSED: CRITICAL, NO_DATA: NO_DATA_STYLE}
STATUS_LABELS = {MET: "met", MISSED: "missed", NO_DATA: "no data"}
DIRECTION_BADGES = {
    "regression": f"{WARN.symbol} worse",
    "improvement": f"{OK.symbol} better",
    "unchanged": "– unchanged",
}
MAX_SLI_PANELS = 12


def status_badge(status: str) -> str:
    style = STATUS_STYLES.get(status, NO_DATA_STYLE)
    return f"{style.symbol} {STATUS_LABELS.get(status, status)}"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


NO_DATA_CELL = "#A6A6A6"  # dark enough for the white ○ to show


def _add_status_legend(figure: go.Figure) -> None:
    """A legend of met / missed / no data: heatmaps have none for categories."""
    for status in (MET, MISSED, NO_DATA):
        style = STATUS_STYLES[status]
        figure.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=status_badge(status),
                marker=dict(symbol="square", size=12, color=style.color if status != NO_DATA else NO_DATA_CELL),
            )
        )


def compliance_figure(matrix: pd.DataFrame, grain: str, partial: tuple[str, ...] = ()) -> go.Figure:
    """Service × period heatmap of met / missed / no data, with the symbol written in each cell; partial periods
    are marked * on the axis."""
    if matrix.empty:
        return empty_figure("No services selected")
    codes = {MET: 0, MISSED: 1, NO_DATA: 2}
    z = matrix.replace(codes).astype(float).to_numpy()
    scale = [
        [0.0, OK.color],
        [0.333, OK.color],
        [0.334, CRITICAL.color],
        [0.666, CRITICAL.color],
        [0.667, NO_DATA_CELL],
        [1.0, NO_DATA_CELL],
    ]
    text = [[STATUS_STYLES[s].symbol for s in row] for row in matrix.to_numpy()]
    hover = [
        [f"{service} · {period}: {status_badge(s)}" for period, s in zip(matrix.columns, row)]
        for service, row in zip(matrix.index, matrix.to_numpy())
    ]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=list(matrix.columns),
            y=list(matrix.index),
            zmin=0,
            zmax=2,
            colorscale=scale,
            showscale=False,
            text=text,
            texttemplate="%{text}",
            textfont=dict(size=13, color="white"),
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    _add_status_legend(figure)
    figure.update_layout(
        template=TEMPLATE,
        title=f"SLO compliance per service and {grain}",
        hovermode="closest",
        height=max(170, 90 + 34 * len(matrix.index)),
        showlegend=True,
        xaxis=dict(
            type="category",
            showgrid=False,
            title=None,
            tickangle=-45 if len(matrix.columns) > 12 else 0,
            tickvals=list(matrix.columns),
            ticktext=[f"{p}*" if p in partial else p for p in matrix.columns],
        ),
        yaxis=dict(type="category", showgrid=False, autorange="reversed", title=None),
    )
    return figure


def _add_sli_panel(figure: go.Figure, index: int, slo: str, frame: pd.DataFrame) -> None:
    """Panel ``index``: one SLO's SLI per period, its objective dashed, its y range fitted to both."""
    target = float(frame["target"].iloc[-1])
    colours = [STATUS_STYLES[s].color for s in frame["status"]]
    symbols = ["square" if s == MISSED else "circle" for s in frame["status"]]
    counted = frame["counted"] if "counted" in frame else ["events"] * len(frame)
    hover = [
        f"{p}: SLI {format_sli(None if _missing(v) else float(v), target)} · {status_badge(s)} · "
        f"{format_count(t)} {unit}"
        for p, v, s, t, unit in zip(frame["period"], frame["sli"], frame["status"], frame["total"], counted)
    ]
    figure.add_trace(
        go.Scatter(
            x=frame["period"],
            y=frame["sli"],
            mode="lines+markers",
            name=slo,
            showlegend=False,
            line=dict(width=1.5, color=SERIES_COLORS[0]),
            marker=dict(color=colours, symbol=symbols, size=8),
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            connectgaps=False,
        ),
        row=index,
        col=1,
    )
    figure.add_hline(y=target, line=dict(color=TARGET_COLOR, dash="dash", width=1), row=index, col=1)
    known = frame["sli"].dropna()
    if known.empty:
        figure.add_annotation(
            text="no events in this range: no data",
            showarrow=False,
            font=dict(color="#666666"),
            xref=f"x{index if index > 1 else ''} domain",
            yref=f"y{index if index > 1 else ''} domain",
            x=0.5,
            y=0.6,
        )
    low = min(float(known.min()) if len(known) else target, target)
    span = max(1.0 - low, 1.0 - target)
    figure.update_yaxes(
        tickformat=f".{target_decimals(target) + 1}%",
        row=index,
        col=1,
        nticks=4,
        range=[low - 0.15 * span, 1.0 + 0.05 * span],
    )


def sli_figure(per_slo: pd.DataFrame, grain: str) -> go.Figure:
    """One small panel per SLO: the SLI of each period against its objective; missed periods marked ■."""
    slos = list(dict.fromkeys(per_slo["slo"]))[:MAX_SLI_PANELS]
    if not slos:
        return empty_figure("No SLOs with data in this range")
    figure = make_subplots(
        rows=len(slos),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.35 / max(len(slos), 1),
        subplot_titles=[
            f"{slo} · target {format_target(float(per_slo[per_slo['slo'] == slo]['target'].iloc[-1]))}" for slo in slos
        ],
    )
    for index, slo in enumerate(slos, start=1):
        _add_sli_panel(figure, index, slo, per_slo[per_slo["slo"] == slo])
    for annotation in figure.layout.annotations:
        annotation.update(x=0, xanchor="left", font=dict(size=12))
    figure.update_layout(
        template=TEMPLATE,
        height=110 + 130 * len(slos),
        hovermode="closest",
        title=f"SLI per {grain} against the objective (dashed); ■ = objective missed",
    )
    figure.update_xaxes(type="category")
    return figure


def budget_table(per_slo: pd.DataFrame) -> pd.DataFrame:
    """SLO × period of the budget consumed (share of the SLO's period budget), NaN = no data; the newest period
    first, so the week a team is asking about is in view without scrolling."""
    if per_slo.empty:
        return pd.DataFrame()
    table = per_slo.pivot_table(index="slo", columns="period", values="budget_consumed", aggfunc="first", dropna=False)
    return table.reindex(columns=list(dict.fromkeys(per_slo["period"]))[::-1])


def latency_figure(per_slo: pd.DataFrame, grain: str) -> go.Figure:
    """p50, p95 and p99 per period of every SLO with a latency histogram, from summed daily buckets."""
    frame = per_slo[per_slo["latency_p99"].notna() | per_slo["latency_p50"].notna()]
    if frame.empty:
        return empty_figure("No latency histogram among the selected SLOs", height=260)
    figure = go.Figure()
    dashes = {"latency_p50": "dot", "latency_p95": "dash", "latency_p99": "solid"}
    for slo in dict.fromkeys(frame["slo"]):
        rows = per_slo[per_slo["slo"] == slo]
        for column, dash in dashes.items():
            label = column.removeprefix("latency_")
            values = rows[column] * 1000
            figure.add_trace(
                go.Scatter(
                    x=rows["period"],
                    y=values,
                    mode="lines+markers",
                    name=f"{slo} {label}",
                    line=dict(dash=dash, width=1.6),
                    legendgroup=slo,
                    hovertemplate=f"{slo} {label}: %{{y:.0f}} ms<extra></extra>",
                    connectgaps=False,
                )
            )
    figure.update_layout(
        template=TEMPLATE,
        title=f"Latency percentiles per {grain} (ms)",
        height=400,  # the week labels slant: the legend's strip under them needs the room
        hovermode="x unified",
        yaxis=dict(title="ms", rangemode="tozero"),
        xaxis=dict(type="category"),
        margin=dict(b=130),
    )
    return figure


def volume_figure(daily: pd.DataFrame) -> go.Figure:
    """Events per day and service (the busiest SLO's count, as in ``metrics.trends.aggregate.service_periods``;
    SLOs counting slices or points are not requests and stay out)."""
    if "counted" in daily:
        daily = daily[daily["counted"] == "events"]
    if daily.empty or daily["total"].notna().sum() == 0:
        return empty_figure("No request volume in this range", height=260)
    per_day = daily.groupby(["day", "service"])["total"].max().unstack("service").sort_index()
    per_day.index = pd.to_datetime(per_day.index)
    frame = downsample(per_day.reset_index(names="time"), how="mean")
    figure = go.Figure()
    for service in per_day.columns:
        figure.add_trace(
            go.Scatter(
                x=frame["time"],
                y=frame[service],
                name=service,
                mode="lines",
                line=dict(width=1.5),
                customdata=[format_count(None if _missing(v) else float(v)) for v in frame[service]],
                hovertemplate=f"{service}: %{{customdata}} events<extra></extra>",
                connectgaps=False,
            )
        )
    figure.update_layout(
        template=TEMPLATE,
        title="Request volume per day",
        height=320,
        yaxis=dict(title="events per day", rangemode="tozero"),
        xaxis=dict(title="local day"),
    )
    return figure


def changes_frame(changes: pd.DataFrame, link_params: dict | None = None) -> pd.DataFrame:
    """The ranked regressions and improvements, formatted; the SLO links to its burn drill-down and the service
    narrows this page to it."""
    rows = []
    for row in changes.itertuples():
        rows.append(
            {
                "change": DIRECTION_BADGES[row.direction],
                "SLO": "slo-burn?" + urlencode({"slo": row.slo}, quote_via=quote, safe="/"),
                "service": "?" + urlencode({**(link_params or {}), "service": row.service}, quote_via=quote),
                "target": format_target(row.target),
                "SLI before": format_sli(None if _missing(row.previous_sli) else row.previous_sli, row.target),
                "SLI now": format_sli(None if _missing(row.current_sli) else row.current_sli, row.target),
                "burn before": row.previous_burn_rate,
                "burn now": row.current_burn_rate,
                "burn change": row.change,
                "objective": f"{status_badge(row.previous_status)} → {status_badge(row.current_status)}",
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "change",
            "SLO",
            "service",
            "target",
            "SLI before",
            "SLI now",
            "burn before",
            "burn now",
            "burn change",
            "objective",
        ],
    )


def period_table(per_slo: pd.DataFrame) -> pd.DataFrame:
    """Every SLO and period, the figures the CLI prints, for the CSV download."""
    table = per_slo.drop(columns=["period_seconds"]).copy()
    table["status"] = [status_badge(s) for s in table["status"]]
    return table


# --- incidents --------------------------------------------------------------------------------------------------------

SEVERITY_COLORS = {"SEV1": CRITICAL.color, "SEV2": WARN.color, "SEV3": SERIES_COLORS[1], "SEV4": AXIS_COLOR}


def incidents_figure(weekly) -> go.Figure:
    """Incidents per ISO week, stacked by severity (``metrics.incidents.rules.stats_by_week``)."""
    if not any(stats.count for stats in weekly):
        return empty_figure("No incidents recorded in this range", height=220)
    weeks = [stats.key for stats in weekly]
    figure = go.Figure()
    for severity, colour in SEVERITY_COLORS.items():
        figure.add_trace(
            go.Bar(
                x=weeks,
                y=[stats.by_severity[severity] for stats in weekly],
                name=severity,
                marker_color=colour,
                hovertemplate=f"%{{x}}: %{{y}} {severity}<extra></extra>",
            )
        )
    figure.update_layout(
        template=TEMPLATE,
        barmode="stack",
        title="Incidents per week by severity",
        height=300,
        xaxis=dict(type="category"),
        yaxis=dict(title="incidents", dtick=1, rangemode="tozero"),
    )
    return figure


def recovery_table(stats) -> pd.DataFrame:
    """Count, open, and TTA / TTR as mean and median, formatted ("no data" when none was recorded)."""
    from metrics.formatting import format_duration

    return pd.DataFrame(
        [
            {
                "": item.key,
                "incidents": item.count,
                "open": item.open,
                **{severity: item.by_severity[severity] for severity in SEVERITY_COLORS},
                "TTA mean": format_duration(item.tta_mean),
                "TTA median": format_duration(item.tta_median),
                "TTR mean": format_duration(item.ttr_mean),
                "TTR median": format_duration(item.ttr_median),
            }
            for item in stats
        ]
    )
