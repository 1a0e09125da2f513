"""The one status palette, as pure data: what every page (``pages.common.theme``) and the exported weekly review
(``data.weekly.export``) colour their statuses and series with.

Colours are the Okabe-Ito set, which stays distinguishable with the common colour-vision deficiencies; every status
also carries a symbol and a word, so nothing is told by colour alone (nor lost in a black-and-white printout).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StatusStyle:
    key: str
    symbol: str
    label: str
    color: str  # solid colour for lines, markers and text
    fill: str  # translucent colour for shaded areas (the status's background)

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

# Series colours (not statuses): Okabe-Ito without the status colours' most alarming hues first.
SERIES_COLORS = ("#0072B2", "#56B4E9", "#009E73", "#CC79A7", "#E69F00", "#D55E00", "#000000")
TARGET_COLOR = "#333333"  # objective and threshold lines
GRID_COLOR = "#E5E5E5"
AXIS_COLOR = "#BBBBBB"
# A period beside the one before it (the weekly review's "this week" and "last week" bars).
CURRENT_PERIOD_COLOR, PREVIOUS_PERIOD_COLOR = SERIES_COLORS[0], AXIS_COLOR
# A change since the period before, judged: better or worse (the weekly review's deltas); with a sign and a word too.
BETTER_COLOR, WORSE_COLOR = OK.color, CRITICAL.color
