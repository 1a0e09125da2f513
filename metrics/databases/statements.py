"""Statement history: what each statement cost over a window, from stored snapshots of cumulative counters.

``pg_stat_statements`` and ``events_statements_summary_by_digest`` only count up from their last reset. Stored
snapshots of them turn into per-interval deltas here; a counter that went down, or a reset time the server reports
(``pg_stat_statements_info.stats_reset``, the digest's ``FIRST_SEEN``) that moved, means the statistics were reset
(or the server restarted) in between, so the delta is the new value itself, counted from zero, and a reset loses
nothing. Pure code: no store, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from metrics.formatting import NO_DATA, format_duration

WINDOWS = {"1d": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}
WINDOW_WORDS = {"1d": "day", "7d": "7 days", "30d": "30 days"}
DEFAULT_WINDOW = "7d"


@dataclass(frozen=True)
class StatementReading:
    """One statement's cumulative counters in one stored snapshot."""

    taken_at: datetime
    statement_key: str
    query_text: str
    calls: int
    total_time_ms: float
    rows: int
    counted_since: str | None = None  # when the server began counting (its reset time), None where it does not say


@dataclass(frozen=True)
class StatementDelta:
    """What one statement did between a snapshot and the one before it (``at`` is the later snapshot)."""

    at: datetime
    statement_key: str
    query_text: str
    calls: int
    total_time_ms: float
    rows: int
    after_reset: bool


@dataclass(frozen=True)
class StatementUsage:
    """One statement's calls, time and rows summed over a window."""

    statement_key: str
    query_text: str
    calls: int
    total_time_ms: float
    rows: int

    @property
    def mean_time_ms(self) -> float | None:
        return self.total_time_ms / self.calls if self.calls else None


class StatementTrend(Enum):
    """How a statement in the window compares with the window before it."""

    NEW = "new"  # no calls in the previous window
    SEEN = "seen"  # ran in both windows


class StatementRanking(Enum):
    """What the statements are ranked by, biggest first."""

    TOTAL_TIME_CHANGE = "change"
    TOTAL_TIME = "total"
    CALLS = "calls"
    MEAN_TIME = "mean"


@dataclass(frozen=True)
class StatementChange:
    """A statement's usage in the window against the previous window of the same length."""

    current: StatementUsage
    previous: StatementUsage | None
    trend: StatementTrend

    @property
    def statement_key(self) -> str:
        return self.current.statement_key

    @property
    def total_time_change_ms(self) -> float:
        return self.current.total_time_ms - (self.previous.total_time_ms if self.previous else 0.0)

    @property
    def mean_time_ratio(self) -> float | None:
        """Current mean time over the previous one; None when new or the previous mean was zero."""
        before = self.previous.mean_time_ms if self.previous else None
        now = self.current.mean_time_ms
        return None if not before or now is None else now / before

    @property
    def calls_ratio(self) -> float | None:
        if self.previous is None or not self.previous.calls:
            return None
        return self.current.calls / self.previous.calls


def counter_delta(previous: float, current: float) -> float:
    """A cumulative counter's growth; one that went down was reset, so it counts from zero: the new value."""
    return current if current < previous else current - previous


def _counting_restarted(before: str | None, now: str | None) -> bool:
    """The server's own reset time moved: a reset whose counters have since climbed past the old values."""
    return before is not None and now is not None and before != now


def statement_deltas(readings: Iterable[StatementReading]) -> list[StatementDelta]:
    """Per-interval deltas between consecutive snapshots, oldest first.

    The oldest snapshot is the baseline (nobody knows since when it counted). A statement absent from every earlier
    snapshot counts from zero: it is new, or was reset, or just climbed into the stored top N."""
    by_snapshot: dict[datetime, list[StatementReading]] = {}
    for reading in readings:
        by_snapshot.setdefault(reading.taken_at, []).append(reading)
    last_seen: dict[str, StatementReading] = {}
    deltas = []
    for index, taken_at in enumerate(sorted(by_snapshot)):
        for reading in by_snapshot[taken_at]:
            before = last_seen.get(reading.statement_key)
            last_seen[reading.statement_key] = reading
            if index == 0:
                continue
            reset = before is not None and (
                reading.calls < before.calls
                or reading.total_time_ms < before.total_time_ms
                or reading.rows < before.rows
                or _counting_restarted(before.counted_since, reading.counted_since)
            )
            base = None if before is None or reset else before
            deltas.append(
                StatementDelta(
                    at=taken_at,
                    statement_key=reading.statement_key,
                    query_text=reading.query_text,
                    calls=reading.calls - (base.calls if base else 0),
                    total_time_ms=reading.total_time_ms - (base.total_time_ms if base else 0.0),
                    rows=reading.rows - (base.rows if base else 0),
                    after_reset=reset,
                )
            )
    return deltas


def usage_between(deltas: Iterable[StatementDelta], start: datetime, end: datetime) -> dict[str, StatementUsage]:
    """Each statement's deltas whose later snapshot falls in (start, end], summed; statements with no calls left
    out."""
    sums: dict[str, StatementUsage] = {}
    for delta in deltas:
        if not start < delta.at <= end:
            continue
        so_far = sums.get(delta.statement_key)
        sums[delta.statement_key] = StatementUsage(
            statement_key=delta.statement_key,
            query_text=delta.query_text,
            calls=delta.calls + (so_far.calls if so_far else 0),
            total_time_ms=delta.total_time_ms + (so_far.total_time_ms if so_far else 0.0),
            rows=delta.rows + (so_far.rows if so_far else 0),
        )
    return {key: usage for key, usage in sums.items() if usage.calls > 0}


def _rank_value(change: StatementChange, ranking: StatementRanking) -> float:
    if ranking is StatementRanking.TOTAL_TIME_CHANGE:
        return change.total_time_change_ms
    if ranking is StatementRanking.TOTAL_TIME:
        return change.current.total_time_ms
    if ranking is StatementRanking.CALLS:
        return float(change.current.calls)
    return change.current.mean_time_ms or 0.0


def rank_statements(
    readings: Iterable[StatementReading],
    end: datetime,
    window: timedelta,
    ranking: StatementRanking = StatementRanking.TOTAL_TIME_CHANGE,
) -> list[StatementChange]:
    """The statements that ran in (end - window, end], each against (end - 2 window, end - window], biggest first
    by ``ranking`` (ties: more total time first, then the key)."""
    deltas = statement_deltas(readings)
    current = usage_between(deltas, end - window, end)
    previous = usage_between(deltas, end - 2 * window, end - window)
    changes = [
        StatementChange(usage, previous.get(key), StatementTrend.SEEN if key in previous else StatementTrend.NEW)
        for key, usage in current.items()
    ]
    return sorted(changes, key=lambda c: (-_rank_value(c, ranking), -c.current.total_time_ms, c.statement_key))


def format_milliseconds(value_ms: float | None) -> str:
    """Statement times: "0.42 ms", "12 ms", "3.5 s", and from a minute on the app's "3 h 12 min"."""
    if value_ms is None:
        return NO_DATA
    if value_ms >= 60_000:
        return format_duration(timedelta(milliseconds=value_ms))
    if value_ms >= 1000:
        return f"{value_ms / 1000:.1f} s"
    if value_ms >= 10:
        return f"{value_ms:.0f} ms"
    return f"{value_ms:.2f} ms"


def mean_time_change_text(change: StatementChange, window_key: str) -> str:
    """ "3.0× slower than the previous 7 days", "new", or "as fast as ..."."""
    if change.trend is StatementTrend.NEW:
        return "new"
    ratio = change.mean_time_ratio
    previous = f"the previous {WINDOW_WORDS.get(window_key, window_key)}"
    if ratio is None:  # no measurable time before
        return f"as fast as {previous}" if not change.current.mean_time_ms else f"slower than {previous} (was 0 ms)"
    if round(ratio, 1) == 1.0:
        return f"as fast as {previous}"
    if ratio > 1:
        return f"{ratio:.1f}× slower than {previous}"
    return f"{1 / ratio:.1f}× faster than {previous}"


def change_row(change: StatementChange, window_key: str) -> dict:
    """One ranked statement as the CLI's JSON and the page's table show it (numbers raw, text separately)."""
    previous = change.previous
    return {
        "statement_key": change.statement_key,
        "trend": change.trend.value,
        "calls": change.current.calls,
        "total_time_ms": round(change.current.total_time_ms, 3),
        "mean_time_ms": None if change.current.mean_time_ms is None else round(change.current.mean_time_ms, 3),
        "rows": change.current.rows,
        "previous_calls": previous.calls if previous else None,
        "previous_total_time_ms": round(previous.total_time_ms, 3) if previous else None,
        "previous_mean_time_ms": None
        if previous is None or previous.mean_time_ms is None
        else round(previous.mean_time_ms, 3),
        "total_time_change_ms": round(change.total_time_change_ms, 3),
        "mean_time_ratio": None if change.mean_time_ratio is None else round(change.mean_time_ratio, 3),
        "change": mean_time_change_text(change, window_key),
        "query_text": change.current.query_text,
    }
