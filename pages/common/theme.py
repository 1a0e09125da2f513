"""One status palette and one Plotly template for every page.

Colours are the Okabe-Ito set, which stays distinguishable with the common colour-vision deficiencies; every status
also carries a symbol and a word, so nothing is told by colour alone (nor lost in a black-and-white printout).
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio


@dataclass(frozen=True)
class StatusStyle:
    key: str
    symbol: str
    label: str
    color: str  # solid colour for lines, markers and text
    fill: str  # translucent colour for shaded areas

    @property
    def badge(self) -> str:
        """Symbol and word, e.g. "■ critical": what tables and headlines show."""
        return f"{self.symbol} {self.label}"


OK = StatusStyle("ok", "✓", "ok", "#009E73", "rgba(0, 158, 115, 0.12)")
INFO = StatusStyle("info", "ℹ", "info", "#0072B2", "rgba(0, 114, 178, 0.12)")
WARN = StatusStyle("warn", "▲", "warn", "#E69F00", "rgba(230, 159, 0, 0.18)")
CRITICAL = StatusStyle("critical", "■", "critical", "#D55E00", "rgba(213, 94, 0, 0.18)")
NO_DATA = StatusStyle("no data", "○", "no data", "#8C8C8C", "rgba(140, 140, 140, 0.15)")

STATUSES: dict[str, StatusStyle] = {style.key: style for style in (OK, INFO, WARN, CRITICAL, NO_DATA)}

# SLO alert states (metrics.slo.alerts.ALERT_STATES) on the shared palette. The label stays the alert state's own word
# ("page", "ticket"), because that is what an SRE acts on; the symbol and colour come from the palette.
_ALERT_STATE_STATUS = {"page": CRITICAL, "ticket": WARN, "ok": OK, "no data": NO_DATA}


def alert_state_style(state: str) -> StatusStyle:
    """The palette entry for an SLO alert state or a tier severity; unknown states look like "no data"."""
    status = _ALERT_STATE_STATUS.get(state, NO_DATA)
    return StatusStyle(state, status.symbol, state, status.color, status.fill)


def alert_state_badge(state: str) -> str:
    """ "■ page", "▲ ticket", "✓ ok", "○ no data"."""
    return alert_state_style(state).badge


# --- Plotly ---------------------------------------------------------------------------------------------------------

TEMPLATE_NAME = "reliability"
# Series colours (not statuses): Okabe-Ito without the status colours' most alarming hues first.
SERIES_COLORS = ("#0072B2", "#56B4E9", "#009E73", "#CC79A7", "#E69F00", "#D55E00", "#000000")
TARGET_COLOR = "#333333"
GRID_COLOR = "#E5E5E5"
FONT_FAMILY = "Source Sans Pro, Source Sans 3, sans-serif"


def _template() -> go.layout.Template:
    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.update(
        colorway=list(SERIES_COLORS),
        font=dict(family=FONT_FAMILY, size=13, color="#262730"),
        title=dict(font=dict(size=15), x=0, xanchor="left"),
        hovermode="x unified",
        hoverlabel=dict(font=dict(family=FONT_FAMILY, size=12)),
        margin=dict(l=60, r=20, t=50, b=40),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0, title=None),
        xaxis=dict(gridcolor=GRID_COLOR, zeroline=False, showline=True, linecolor="#BBBBBB"),
        yaxis=dict(gridcolor=GRID_COLOR, zeroline=False, showline=True, linecolor="#BBBBBB"),
    )
    return template


def register_template() -> str:
    """Register the dashboard's Plotly template (idempotent) and return its name for ``template=``."""
    if TEMPLATE_NAME not in pio.templates:
        pio.templates[TEMPLATE_NAME] = _template()
    return TEMPLATE_NAME


register_template()
