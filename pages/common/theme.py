"""One status palette and one Plotly template for every page.

The palette itself (statuses with symbol, word, colour and background; series colours) is pure data in
``metrics.status``, shared with the exported weekly review; this module adds the alert-state mapping and the Plotly
template.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from metrics.status import (
    AXIS_COLOR,
    CRITICAL,
    GRID_COLOR,
    INFO,
    NO_DATA,
    OK,
    SERIES_COLORS,
    STATUSES,
    TARGET_COLOR,
    WARN,
    StatusStyle,
)

__all__ = [
    "CRITICAL",
    "GRID_COLOR",
    "INFO",
    "NO_DATA",
    "OK",
    "SERIES_COLORS",
    "STATUSES",
    "TARGET_COLOR",
    "WARN",
    "StatusStyle",
    "alert_state_badge",
    "alert_state_style",
    "register_template",
]

# SLO alert states (metrics.slo.alerts.ALERT_STATES) on the shared palette. The label stays the alert state's own word
# ("page", "ticket"), because that is what an SRE acts on; the symbol and colour come from the palette.
_ALERT_STATE_STYLES = {
    state: StatusStyle(state, status.symbol, state, status.color, status.fill)
    for state, status in {"page": CRITICAL, "ticket": WARN, "ok": OK, "no data": NO_DATA}.items()
}
# "at risk" (no tier fires, the budget runs out within the period) shares the warning colour, with its own shape.
_ALERT_STATE_STYLES["at risk"] = StatusStyle("at risk", "◆", "at risk", WARN.color, WARN.fill)
# Streamlit's Markdown colours for texts that cannot take a hex colour (metric labels), nearest to the palette's.
_MARKDOWN_COLOR = {"page": "red", "ticket": "orange", "at risk": "orange", "ok": "green", "no data": "gray"}


def alert_state_style(state: str) -> StatusStyle:
    """The palette entry for an SLO alert state, "at risk" or a tier severity; unknown states look like "no data"."""
    return _ALERT_STATE_STYLES.get(state) or StatusStyle(state, NO_DATA.symbol, state, NO_DATA.color, NO_DATA.fill)


def alert_state_markdown_color(state: str) -> str:
    """The Markdown colour name (``:red[...]``) nearest the state's palette colour."""
    return _MARKDOWN_COLOR.get(state, "gray")


def alert_state_badge(state: str) -> str:
    """ "■ page", "▲ ticket", "✓ ok", "○ no data"."""
    return alert_state_style(state).badge


# --- Plotly ---------------------------------------------------------------------------------------------------------

TEMPLATE_NAME = "reliability"
FONT_FAMILY = "Source Sans Pro, Source Sans 3, sans-serif"


def _template() -> go.layout.Template:
    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.update(
        colorway=list(SERIES_COLORS),
        font=dict(family=FONT_FAMILY, size=13, color="#262730"),
        title=dict(font=dict(size=15), x=0, xanchor="left"),
        hovermode="x unified",
        hoverlabel=dict(font=dict(family=FONT_FAMILY, size=12)),
        # The legend has its own strip under the x axis (container coordinates): above the plot it ran into the
        # title and cut its own entries ("budget remainir") once a chart was narrow.
        margin=dict(l=60, r=20, t=50, b=96),
        legend=dict(orientation="h", yref="container", y=0.0, yanchor="bottom", xanchor="left", x=0.0, title=None),
        xaxis=dict(gridcolor=GRID_COLOR, zeroline=False, showline=True, linecolor=AXIS_COLOR),
        yaxis=dict(gridcolor=GRID_COLOR, zeroline=False, showline=True, linecolor=AXIS_COLOR),
    )
    return template


def register_template() -> str:
    """Register the dashboard's Plotly template (idempotent) and return its name for ``template=``."""
    if TEMPLATE_NAME not in pio.templates:
        pio.templates[TEMPLATE_NAME] = _template()
    return TEMPLATE_NAME


register_template()
