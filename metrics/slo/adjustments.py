"""SLO budget adjustments (issue 14, item 1): windows whose events count neither as good nor as bad.

An adjustment is a window (``start`` to ``end``), optionally repeated by an RFC 5545 RRULE whose every occurrence
starts at a time the rule yields (its DTSTART is ``start``) and lasts as long as the first window; a category, a
reason, who entered it, and the SLOs it covers (by name, by service, or by a label selector over the SLO's labels).

Everything here is pure: expanding adjustments into merged UTC intervals clipped to a range, which SLOs an
adjustment covers, validating a new one, and taking the excluded events out of a window's counts. Expanding is
bounded: at most ``MAX_OCCURRENCES`` occurrences of one adjustment in one range (a ``FREQ=MINUTELY`` rule over a
30-day period would be 43,200), and the expansion says when it stopped there.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from dateutil.rrule import rrule, rrulestr

from metrics.slo.definitions import EventCounts, SloDefinition

MAX_OCCURRENCES = 1000  # of one adjustment within one expanded range; beyond it the expansion is cut and says so
MAX_SCANNED = 50_000  # occurrences a rule is walked through from its start (a quarter of a second); then cut
MAX_PAST = timedelta(days=30)  # how far back an adjustment may start when it is entered or changed
MAX_REASON_LENGTH = 2000


class AdjustmentCategory(enum.Enum):
    MAINTENANCE = "maintenance"
    DEPLOY = "deploy"
    LOAD_TEST = "load test"
    OUTSIDE_BUSINESS_HOURS = "outside business hours"
    OTHER = "other"

    @classmethod
    def parse(cls, text: str | AdjustmentCategory) -> AdjustmentCategory:
        if isinstance(text, AdjustmentCategory):
            return text
        wanted = str(text).strip().lower().replace("_", " ").replace("-", " ")
        for category in cls:
            if category.value == wanted:
                return category
        choices = ", ".join(category.value for category in cls)
        raise AdjustmentError("category", f"{text!r} is not a category ({choices})")


class AdjustmentError(ValueError):
    """A field of an adjustment is wrong; ``field`` names it and the message says why."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


class Interval(NamedTuple):
    """[start, end) in UTC."""

    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class LabelMatch:
    """``label=value`` (the SLO has that value among its label's values) or ``label!=value`` (it has not)."""

    label: str
    value: str
    negated: bool = False

    def matches(self, labels: dict[str, tuple[str, ...]]) -> bool:
        found = self.value in labels.get(self.label, ())
        return not found if self.negated else found

    def __str__(self) -> str:
        return f"{self.label}{'!=' if self.negated else '='}{self.value}"


_LABEL_MATCH = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_./-]*)\s*(!=|=)\s*(.*?)\s*$")


def parse_label_selector(text: str) -> tuple[LabelMatch, ...]:
    """``team=payments, tier!=batch``: every match must hold. Empty text is no selector."""
    matches = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        found = _LABEL_MATCH.match(part)
        if not found or not found.group(3):
            raise AdjustmentError(
                "selector", f"{part.strip()!r} is not label=value or label!=value (several joined by commas)"
            )
        matches.append(LabelMatch(found.group(1), found.group(3).strip("\"'"), found.group(2) == "!="))
    return tuple(matches)


@dataclass(frozen=True)
class Scope:
    """Which SLOs an adjustment covers: any SLO named, any SLO of a service named, any SLO the selector matches."""

    slos: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    selector: tuple[LabelMatch, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.slos or self.services or self.selector)

    def covers(self, slo: SloDefinition) -> bool:
        if slo.name in self.slos or slo.service in self.services:
            return True
        return bool(self.selector) and all(match.matches(slo.labels) for match in self.selector)

    @property
    def selector_text(self) -> str:
        return ", ".join(str(match) for match in self.selector)

    def describe(self) -> str:
        parts = []
        if self.slos:
            parts.append("SLOs " + ", ".join(self.slos))
        if self.services:
            parts.append("services " + ", ".join(self.services))
        if self.selector:
            parts.append("labels " + self.selector_text)
        return "; ".join(parts)


@dataclass(frozen=True)
class Adjustment:
    category: AdjustmentCategory
    reason: str
    start: datetime  # aware, UTC: the first (or only) window's start, and the recurrence's DTSTART
    end: datetime  # the first window's end: every occurrence lasts end − start
    scope: Scope
    entered_by: str
    entered_at: datetime
    recurrence: str | None = None  # an RRULE (without DTSTART)
    id: int | None = None
    version: int = 1
    removed_at: datetime | None = None
    removed_by: str | None = None

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def removed(self) -> bool:
        return self.removed_at is not None

    def covers(self, slo: SloDefinition) -> bool:
        return not self.removed and self.scope.covers(slo)


@dataclass(frozen=True)
class Expansion:
    """Merged intervals, sorted and disjoint, and the adjustments whose occurrences were cut at ``MAX_OCCURRENCES``."""

    intervals: tuple[Interval, ...] = ()
    truncated: tuple[int | None, ...] = field(default=())

    @property
    def seconds(self) -> float:
        return sum(interval.length.total_seconds() for interval in self.intervals)


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_recurrence(text: str, start: datetime) -> rrule:
    """One RRULE (``FREQ=WEEKLY;BYDAY=SA;BYHOUR=2``, with or without the ``RRULE:`` prefix) starting at ``start``;
    ``AdjustmentError`` on the ``recurrence`` field otherwise."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if not body:
        raise AdjustmentError("recurrence", "it is empty")
    if any(ch in body for ch in "\r\n") or re.search(r"\b(DTSTART|EXDATE|RDATE|EXRULE)\b", body, re.I):
        raise AdjustmentError(
            "recurrence", "one RRULE only (its start is the adjustment's start: no DTSTART, RDATE or EXDATE)"
        )
    try:
        rule = rrulestr(body, dtstart=utc(start), forceset=False)
    except (ValueError, TypeError, KeyError, OverflowError) as error:
        raise AdjustmentError("recurrence", f"{body!r} is not an RFC 5545 RRULE ({error})") from None
    if not isinstance(rule, rrule):
        raise AdjustmentError("recurrence", f"{body!r} is not a single RRULE")
    return rule


def occurrences(adjustment: Adjustment, start: datetime, end: datetime) -> tuple[list[Interval], bool]:
    """The adjustment's windows that overlap [start, end), unmerged and unclipped, and whether the list was cut at
    ``MAX_OCCURRENCES`` (or the rule was walked ``MAX_SCANNED`` times before reaching the range's end)."""
    start, end = utc(start), utc(end)
    if adjustment.recurrence is None:
        window = Interval(utc(adjustment.start), utc(adjustment.end))
        return ([window] if window.end > start and window.start < end else []), False
    found, cut = _recurring(adjustment.recurrence, utc(adjustment.start), adjustment.duration, start, end)
    return list(found), cut


@lru_cache(maxsize=256)
def _recurring(
    recurrence: str, first: datetime, duration: timedelta, start: datetime, end: datetime
) -> tuple[tuple[Interval, ...], bool]:
    """Kept for the same range: every SLO an adjustment covers reads the same expansion."""
    rule = parse_recurrence(recurrence, first)
    found: list[Interval] = []
    for scanned, moment in enumerate(rule):
        if moment >= end:
            return tuple(found), False
        if scanned >= MAX_SCANNED or len(found) >= MAX_OCCURRENCES:
            return tuple(found), True
        if moment + duration > start:
            found.append(Interval(moment, moment + duration))
    return tuple(found), False


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint intervals covering exactly what the given ones cover (touching ones are joined)."""
    merged: list[Interval] = []
    for interval in sorted(i for i in intervals if i.end > i.start):
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return merged


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    """The parts of the intervals inside [start, end); empty parts dropped."""
    start, end = utc(start), utc(end)
    clipped = (Interval(max(i.start, start), min(i.end, end)) for i in intervals)
    return [interval for interval in clipped if interval.end > interval.start]


def expand(adjustments: Iterable[Adjustment], start: datetime, end: datetime) -> Expansion:
    """Every window of the adjustments inside [start, end): merged, sorted, disjoint, clipped to the range."""
    windows: list[Interval] = []
    truncated: list[int | None] = []
    for adjustment in adjustments:
        if adjustment.removed:
            continue
        found, cut = occurrences(adjustment, start, end)
        windows.extend(found)
        if cut:
            truncated.append(adjustment.id)
    return Expansion(tuple(clip(merge(windows), start, end)), tuple(truncated))


def covering(adjustments: Iterable[Adjustment], slo: SloDefinition) -> list[Adjustment]:
    """The adjustments, not removed, that cover ``slo``."""
    return [adjustment for adjustment in adjustments if adjustment.covers(slo)]


def exclusions(
    adjustments: Sequence[Adjustment], slo: SloDefinition, windows: dict[str, timedelta], at: datetime
) -> dict[str, Expansion]:
    """Per window key (each window ending at ``at``), what the adjustments covering ``slo`` exclude from it; only
    windows with something excluded are listed. Whole seconds: sources count at second resolution."""
    mine = covering(adjustments, slo)
    if not mine:
        return {}
    at = utc(at).replace(microsecond=0)
    longest = max(windows.values(), default=timedelta(0))
    whole = expand(mine, at - longest, at)
    result = {}
    for key, window in windows.items():
        parts = [
            Interval(i.start.replace(microsecond=0), i.end.replace(microsecond=0))
            for i in clip(whole.intervals, at - window, at)
        ]
        parts = [part for part in parts if part.length >= timedelta(seconds=1)]
        if parts:
            result[key] = Expansion(tuple(parts), whole.truncated)
    return result


def adjusted_counts(raw: EventCounts | None, excluded: EventCounts | None) -> EventCounts | None:
    """The window's counts without the events inside its adjustments, clamped at zero (counters read a moment
    apart can make the excluded part a little larger than what it is taken from)."""
    if raw is None or excluded is None:
        return raw
    total = max(raw.total - max(excluded.total, 0.0), 0.0)
    bad = max(raw.bad - max(excluded.bad, 0.0), 0.0)
    return EventCounts(total=total, bad=min(bad, total))


def validate(
    *,
    category: str | AdjustmentCategory,
    reason: str,
    start: datetime | None,
    end: datetime | None = None,
    duration: timedelta | None = None,
    recurrence: str | None = None,
    scope: Scope,
    now: datetime,
    known_slos: Iterable[str] = (),
    known_services: Iterable[str] = (),
    stored: Adjustment | None = None,
) -> tuple[AdjustmentCategory, str, datetime, datetime, str | None]:
    """(category, reason, start, end, recurrence), checked; ``AdjustmentError`` naming the first bad field.

    ``end`` or ``duration``, one of them: the first window's end. It must come after the start, and the start may be
    at most ``MAX_PAST`` before ``now`` (an adjustment corrects the recent past or plans the future, it does not
    rewrite last quarter). SLO and service names must be known when lists of known ones are given.

    ``stored``: the adjustment this changes. One that started longer ago keeps its start; its category and reason
    may change, and its recurrence and scope only where that leaves what it took out before ``now − MAX_PAST``
    as it was (``unchanged_past``): ending a weekly window from now on is a change, rewriting last quarter is not."""
    chosen = AdjustmentCategory.parse(category)
    text = (reason or "").strip()
    if not text:
        raise AdjustmentError("reason", "say why these events should not count (it is shown wherever it applies)")
    if len(text) > MAX_REASON_LENGTH:
        raise AdjustmentError("reason", f"at most {MAX_REASON_LENGTH} characters")
    if start is None:
        raise AdjustmentError("start", "an adjustment needs a start")
    start = utc(start)
    if (end is None) == (duration is None):
        raise AdjustmentError("end", "give either an end or a duration")
    end = utc(end) if end is not None else start + duration
    if end <= start:
        raise AdjustmentError("end", f"{end.isoformat()} is not after the start {start.isoformat()}")
    keeps_old_start = stored is not None and start == utc(stored.start)
    if start < utc(now) - MAX_PAST and not keeps_old_start:
        raise AdjustmentError(
            "start", f"{start.isoformat()} is more than {MAX_PAST.days} days before now ({utc(now).isoformat()})"
        )
    rule_text = (recurrence or "").strip() or None
    if rule_text is not None:
        parse_recurrence(rule_text, start)
        if rule_text.upper().startswith("RRULE:"):
            rule_text = rule_text[len("RRULE:") :]
    if keeps_old_start and start < utc(now) - MAX_PAST:
        unchanged_past(stored, replace(stored, start=start, end=end, recurrence=rule_text, scope=scope), now)
    if scope.empty:
        raise AdjustmentError("slos", "name the SLOs it covers: by name, by service, or by a label selector")
    known_slo_set, known_service_set = set(known_slos), set(known_services)
    if known_slo_set:
        unknown = [name for name in scope.slos if name not in known_slo_set]
        if unknown:
            raise AdjustmentError("slos", f"unknown SLO(s) {', '.join(unknown)}")
    if known_service_set:
        unknown = [name for name in scope.services if name not in known_service_set]
        if unknown:
            raise AdjustmentError("services", f"unknown service(s) {', '.join(unknown)}")
    return chosen, text, start, end, rule_text


def unchanged_past(stored: Adjustment, changed: Adjustment, now: datetime) -> None:
    """``AdjustmentError`` unless ``changed`` takes out, before ``now − MAX_PAST``, the same windows of the same
    SLOs as ``stored``: figures older than that are settled, and a change may only reach the recent past and on."""
    settled = utc(now) - MAX_PAST
    since = utc(stored.start)
    if expand([changed], since, settled).intervals != expand([stored], since, settled).intervals:
        field = "recurrence" if changed.end - changed.start == stored.end - stored.start else "end"
        raise AdjustmentError(
            field,
            f"this adjustment started more than {MAX_PAST.days} days ago: a change may not move its windows before "
            f"{settled.date().isoformat()} (change its category or reason, or end its recurrence from now on with "
            "UNTIL)",
        )
    if changed.scope != stored.scope:
        raise AdjustmentError(
            "slos",
            f"this adjustment started more than {MAX_PAST.days} days ago, so the SLOs it covers stay as they are "
            "(the figures before then are settled); enter a new adjustment for the others",
        )


def describe_window(adjustment: Adjustment) -> str:
    """``2026-12-01 02:00 → 04:00 UTC`` or ``2 h from 2026-12-01 02:00 UTC, FREQ=WEEKLY;BYDAY=SA``."""
    start = utc(adjustment.start)
    if adjustment.recurrence:
        minutes = int(adjustment.duration.total_seconds() // 60)
        length = f"{minutes // 60} h {minutes % 60} min" if minutes % 60 else f"{minutes // 60} h"
        if minutes < 60:
            length = f"{minutes} min"
        return f"{length} from {start:%Y-%m-%d %H:%M} UTC, {adjustment.recurrence}"
    end = utc(adjustment.end)
    shown_end = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M} → {shown_end} UTC"


def adjust_buckets(buckets, step: timedelta, intervals: Sequence[Interval]):
    """Event buckets (a frame with ``time``, ``total``, ``bad``: the events of (time − step, time]) without the
    events inside ``intervals`` (merged, as ``expand`` gives them): a bucket wholly inside drops to no events; one an
    interval only partly covers loses that share of its events (the bucket does not say when inside it they
    happened, so the share is by time). Clamped at zero like the report's counts."""
    if buckets.empty or not intervals:
        return buckets
    ends = [utc(moment.to_pydatetime()) for moment in buckets["time"]]
    kept = []
    for end in ends:
        start = end - step
        covered = sum(
            max((min(end, interval.end) - max(start, interval.start)).total_seconds(), 0.0) for interval in intervals
        )
        kept.append(max(1.0 - covered / step.total_seconds(), 0.0))
    adjusted = buckets.copy()
    adjusted["total"] = buckets["total"] * kept
    adjusted["bad"] = (buckets["bad"] * kept).clip(lower=0.0)
    return adjusted
