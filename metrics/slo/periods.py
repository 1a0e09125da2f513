"""Where an SLO's budget period starts and ends at a given instant: rolling windows and calendar periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from metrics.slo.definitions import TimeWindow, parse_duration

CALENDAR_UNITS = ("d", "w", "M", "Q", "Y")
_MONTHS_PER_UNIT = {"M": 1, "Q": 3, "Y": 12}


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # for rolling windows the evaluation instant; for calendar ones the period's end

    @property
    def length(self) -> timedelta:
        """Elapsed time, not wall-clock time: a week across the end of summer time lasts 7 d 1 h.

        (Python subtracts two datetimes that share a tzinfo by their wall clocks, hence the UTC conversion.)
        """
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)


def parse_calendar_duration(text: str) -> tuple[int, str]:
    text = text.strip()
    if len(text) < 2 or text[-1] not in CALENDAR_UNITS or not text[:-1].isdigit() or int(text[:-1]) <= 0:
        raise ValueError(f"{text!r} is not a calendar duration like 1w, 1M, 1Q or 1Y")
    return int(text[:-1]), text[-1]


def current_period(window: TimeWindow, at: datetime) -> Period:
    """The budget period that contains ``at``. ``at`` must be timezone-aware."""
    if window.is_rolling:
        return Period(start=at - parse_duration(window.duration), end=at)
    count, unit = parse_calendar_duration(window.duration)
    zone = ZoneInfo(window.time_zone or "UTC")
    anchor = (window.calendar_start or datetime(2000, 1, 3, tzinfo=zone)).astimezone(zone).replace(tzinfo=None)
    local_at = at.astimezone(zone).replace(tzinfo=None)
    if unit in ("d", "w"):
        step = timedelta(days=count * (7 if unit == "w" else 1))
        periods = (local_at - anchor) // step
        start = anchor + periods * step
        end = start + step
    else:
        months = count * _MONTHS_PER_UNIT[unit]
        elapsed = (local_at.year - anchor.year) * 12 + (local_at.month - anchor.month)
        periods = elapsed // months
        start = _add_months(anchor, periods * months)
        if start > local_at:
            start = _add_months(anchor, (periods - 1) * months)
        end = _add_months(start, months)
    return Period(start=start.replace(tzinfo=zone), end=end.replace(tzinfo=zone))


def period_length(window: TimeWindow, at: datetime) -> timedelta:
    """The length that scales budgets and alert thresholds: the full period, also mid-way through a calendar one."""
    return current_period(window, at).length


def _add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, _days_in_month(year, month))
    return moment.replace(year=year, month=month, day=day)


def _days_in_month(year: int, month: int) -> int:
    following = datetime(year + (month == 12), month % 12 + 1, 1)
    return (following - timedelta(days=1)).day
