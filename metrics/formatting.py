"""Numbers formatted for people, the same on every page and in the CLI's tables."""

from __future__ import annotations

import math
from datetime import timedelta

NO_DATA = "no data"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def target_decimals(target: float) -> int:
    """Decimals a percentage needs to tell it apart from its target: 99.95 % needs 2, 99.9 % needs 1."""
    text = f"{target * 100:.6f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def format_percent(value: float | None, decimals: int = 1) -> str:
    if _missing(value):
        return NO_DATA
    return f"{value * 100:.{decimals}f}%"


def format_sli(value: float | None, target: float) -> str:
    """One more decimal than the target has, so 99.949 % never shows as a met 99.95 %."""
    if _missing(value):
        return NO_DATA
    decimals = target_decimals(target) + 1
    text = f"{value * 100:.{decimals}f}"
    if value < target and float(text) / 100 >= target:  # rounding must not turn a miss into a hit
        text = f"{math.floor(value * 100 * 10**decimals) / 10**decimals:.{decimals}f}"
    return f"{text}%"


def format_target(target: float) -> str:
    return f"{target * 100:.{target_decimals(target)}f}%"


def format_burn_rate(value: float | None) -> str:
    if _missing(value):
        return NO_DATA
    if value >= 100:
        return f"{value:.0f}×"
    if value >= 10:
        return f"{value:.1f}×"
    return f"{value:.2f}×"


def format_duration(duration: timedelta | None) -> str:
    """Two units at most: "3 h 12 min", "4 d 6 h", "45 s"."""
    if duration is None:
        return NO_DATA
    seconds = int(duration.total_seconds())
    if seconds < 60:
        return f"{max(seconds, 0)} s"
    minutes, _ = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def format_count(value: float | None) -> str:
    """Counts with the scale named in words ("48.4 million", "1.3 billion"); below ten thousand, every digit with
    separators ("7,698"). A bare "1.3 G" read as gigabytes next to the sizes."""
    if _missing(value):
        return NO_DATA
    for limit, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e4, "thousand")):
        if abs(value) >= limit:
            return f"{value / limit:.1f} {word}"
    return f"{value:,.0f}"


def format_bytes(size: float | None) -> str:
    """Sizes in SI units (1 MB = 1,000,000 bytes), as the tables' byte columns show them, so a database reads the
    same size on the fleet and on its own page (1024-based figures labelled "MB" disagreed by 5 %)."""
    if _missing(size):
        return NO_DATA
    for limit, unit in ((1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")):
        if abs(size) >= limit:
            return f"{size / limit:.0f} {unit}" if abs(size) / limit >= 10 else f"{size / limit:.1f} {unit}"
    return f"{size:.0f} B"
