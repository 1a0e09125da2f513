"""The SLO burn tiers' firing history beside the incidents: the cached loader, the table and the timeline.

The history is cached like the SLO report (60 s, keyed on the catalog, the source and the minute), so everyone
looking during the same minute shares one set of range queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data.settings import Settings
from data.slo.alert_history import AlertHistory
from data.slo.catalog import Catalog
from data.slo.service import firing_history
from data.slo.sources import SloSource
from metrics.formatting import format_duration
from metrics.incidents.rules import Incident
from metrics.slo.alert_history import AlertKey, interval_rows
from pages.common import loaders
from pages.common.charts import empty_figure
from pages.common.theme import CRITICAL, INFO, WARN, alert_state_badge, register_template

TEMPLATE = register_template()
# One lane per kind within each service's row, top to bottom: incidents, then page, then ticket firings.
LANES = (("incident", -0.27, INFO, "circle"), ("page", 0.0, CRITICAL, "square"), ("ticket", 0.27, WARN, "triangle-up"))
LANE_WIDTH = 0.24


@st.cache_data(ttl=loaders.DATA_TTL_SECONDS, show_spinner=False, max_entries=16)
def _cached_history(
    catalog_key: str, source_key: str, at: datetime, team_timezone: str, _source: SloSource, _catalog: Catalog
) -> AlertHistory:
    return firing_history(_source, _catalog, at, team_timezone)


def history(settings: Settings, catalog: Catalog, at: datetime) -> AlertHistory:
    """The last 90 days up to ``at`` (whole minutes), as ``alerts history`` prints them; raises
    ``data.slo.sources.SourceError``."""
    source = loaders.source(settings, at)
    key = loaders.data_key(settings, source, at)
    return _cached_history(key.catalog, key.source, key.at, settings.team_timezone, source, catalog)


def clear() -> None:
    _cached_history.clear()


def history_frame(alert_history: AlertHistory, time_zone: str) -> pd.DataFrame:
    """``metrics.slo.alert_history.interval_rows`` with the severity as a badge ("■ page", "▲ ticket")."""
    rows = interval_rows(alert_history.intervals, time_zone, alert_history.last_evaluation)
    frame = pd.DataFrame(rows, columns=["service", "SLO", "severity", "tier", "started", "ended", "duration"])
    frame["severity"] = [severity_badge(interval.key) for interval in alert_history.intervals]
    return frame


def severity_badge(key: AlertKey) -> str:
    """ "■ page", or "■ page (P1)" for a severity the team named itself: the badge is the urgency's."""
    badge = alert_state_badge(key.urgency.value)
    return badge if key.severity == key.urgency.value else f"{badge} ({key.severity})"


def _local(moment: datetime, time_zone: str) -> pd.Timestamp:
    return pd.Timestamp(moment).tz_convert(time_zone).tz_localize(None)


Span = tuple[str, datetime, datetime, str]  # service, start, end, hover text


def timeline_figure(alert_history: AlertHistory, incidents: Sequence[Incident], time_zone: str) -> go.Figure:
    """One row per service: its incidents (start to resolution, or now while open) and its page and ticket firings,
    each kind in its own lane, with a marker at every start so a five-minute firing still shows on 90 days."""
    spans = _timeline_spans(alert_history, incidents)
    services = sorted({span[0] for kind in spans.values() for span in kind})
    if not services:
        return empty_figure("No incidents and no SLO burn alerts in this range", height=200)
    row = {service: index for index, service in enumerate(services)}
    figure = go.Figure()
    for kind, offset, style, symbol in LANES:
        if spans[kind]:
            lanes = [row[service] + offset for service, *_ in spans[kind]]
            _add_lane(figure, kind, spans[kind], lanes, (style, symbol), time_zone)
    figure.update_layout(
        template=TEMPLATE,
        title="Incidents and SLO burn alerts per service",
        hovermode="closest",
        barmode="overlay",
        height=140 + 60 * len(services),
        xaxis=dict(type="date", title=f"time ({time_zone})", range=_time_range(alert_history, spans, time_zone)),
        yaxis=dict(
            tickvals=list(range(len(services))),
            ticktext=services,
            autorange="reversed",
            range=[len(services) - 0.5, -0.5],
            showgrid=False,
        ),
    )
    return figure


def _timeline_spans(alert_history: AlertHistory, incidents: Sequence[Incident]) -> dict[str, list[Span]]:
    """Per lane kind ("incident", "page", "ticket"), what the timeline draws; open ones end at the last evaluation."""
    until = alert_history.last_evaluation
    spans: dict[str, list[Span]] = {kind: [] for kind, *_ in LANES}
    for incident in incidents:
        ended = incident.resolved or until
        spans["incident"].append(
            (
                incident.service,
                incident.started,
                ended,
                f"{incident.reference} · {incident.severity} · {incident.service}"
                + ("" if incident.resolved else " · open")
                + f" · {format_duration(ended - incident.started)}",
            )
        )
    for interval in alert_history.intervals:
        key = interval.key
        spans[key.urgency.value].append(
            (
                key.service,
                interval.started,
                interval.ended or until,
                f"{key.slo} · {key.severity} {key.long_window} / {key.short_window} · "
                + ("still firing · " if interval.ended is None else "")
                + format_duration(interval.duration(until)),
            )
        )
    return spans


def _add_lane(figure: go.Figure, kind: str, items: list[Span], lanes: list[float], look: tuple, time_zone: str) -> None:
    """One kind's bars (start to end) and a marker at each start, in the kind's colour and marker shape (``look``)."""
    style, symbol = look
    starts = [_local(started, time_zone) for _, started, _, _ in items]
    lengths = [max((ended - started).total_seconds(), 0.0) * 1000 for _, started, ended, _ in items]
    name = "incident" if kind == "incident" else f"{alert_state_badge(kind)} alert"
    # The bar and the marker at its start are one item: same lane, legend entry and hover text.
    shared = dict(
        y=lanes,
        name=name,
        legendgroup=kind,
        customdata=[text for *_, text in items],
        hovertemplate="%{customdata}<extra></extra>",
    )
    figure.add_trace(
        go.Bar(
            x=lengths,
            base=starts,
            orientation="h",
            width=LANE_WIDTH,
            marker=dict(color=style.color, line=dict(color=style.color, width=1)),
            opacity=0.55,
            **shared,
        )
    )
    figure.add_trace(
        go.Scatter(
            x=starts,
            mode="markers",
            showlegend=False,
            marker=dict(symbol=symbol, size=9, color=style.color, line=dict(color="white", width=1)),
            **shared,
        )
    )


def _time_range(alert_history: AlertHistory, spans: dict, time_zone: str) -> list[pd.Timestamp]:
    """From a little before the first thing drawn to a little after the range's end, so a lone firing is not a
    sliver on 90 empty days and markers at "now" are not cut in half (the chart still zooms out)."""
    first = max(alert_history.first_evaluation, min(span[1] for kind in spans.values() for span in kind))
    until = alert_history.last_evaluation
    margin = max((until - first) * 0.04, timedelta(hours=1))
    start = max(alert_history.first_evaluation, first - margin)
    return [_local(start, time_zone), _local(until + margin, time_zone)]
