"""The rules of SLO reviews, pure: an SLO is reviewed on a cadence (is the target still right, is the SLI still
what users feel), each review is kept, and each SLO is in one state.

- Cadence: 90 days, or what the SLO's ``reliability-dashboard/review-every`` annotation says (``30d``, ``6w``).
- Next due: the newest review's time plus the cadence. An SLO never reviewed counts from when the store first saw it
  (the local midnight of its oldest daily rollup); with no rollup at all it has no due date yet.
- States: overdue (now is past the next due), to review (never reviewed, or due within 14 days), reviewed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from metrics.status import CRITICAL, OK, WARN, StatusStyle

DEFAULT_REVIEW_CADENCE = timedelta(days=90)
DUE_SOON = timedelta(days=14)
MAX_REVIEW_CADENCE_DAYS = 3650
NOTES_MAX_LENGTH = 2000


class ReviewOutcome(StrEnum):
    """What a review decided; the value is what the store, the CLI (``--outcome``) and the documents hold."""

    KEEP = "keep"
    CHANGE_TARGET = "change-target"
    CHANGE_SLI = "change-sli"
    RETIRE = "retire"

    @property
    def label(self) -> str:
        return {"keep": "keep", "change-target": "change target", "change-sli": "change SLI", "retire": "retire"}[
            self.value
        ]

    @classmethod
    def parse(cls, text: str) -> ReviewOutcome:
        wanted = text.strip().lower().replace(" ", "-").replace("_", "-")
        try:
            return cls(wanted)
        except ValueError:
            choices = ", ".join(outcome.value for outcome in cls)
            raise ReviewError(f"outcome: {text!r} is not an outcome ({choices})") from None


class ReviewState(StrEnum):
    OVERDUE = "overdue"
    TO_REVIEW = "to review"
    REVIEWED = "reviewed"

    @property
    def style(self) -> StatusStyle:
        """The status palette's colour and shape, with the state's own word."""
        base = {ReviewState.OVERDUE: CRITICAL, ReviewState.TO_REVIEW: WARN, ReviewState.REVIEWED: OK}[self]
        return StatusStyle(base.key, base.symbol, self.value, base.color, base.fill)

    @property
    def badge(self) -> str:
        return self.style.badge

    @property
    def rank(self) -> int:
        """The urgent first: overdue, then to review, then reviewed."""
        return (ReviewState.OVERDUE, ReviewState.TO_REVIEW, ReviewState.REVIEWED).index(self)


class ReviewError(ValueError):
    """A review that cannot be recorded as given; the message names the field. Nothing was stored."""


def parse_review_cadence(text: str) -> timedelta:
    """``30d`` or ``6w`` as a cadence; ``ValueError`` with what to write instead."""
    value = text.strip()
    number, unit = value[:-1], value[-1:]
    if unit not in ("d", "w") or not number.isascii() or not number.isdigit():
        raise ValueError(f'{value!r} is not a review cadence: give whole days or weeks, like "30d" or "6w"')
    days = int(number) * (7 if unit == "w" else 1)
    if not 1 <= days <= MAX_REVIEW_CADENCE_DAYS:
        raise ValueError(f"{value!r} is not a review cadence: it must be 1 to {MAX_REVIEW_CADENCE_DAYS} days")
    return timedelta(days=days)


def format_cadence(cadence: timedelta) -> str:
    days = cadence.days
    return f"{days // 7} weeks" if days % 7 == 0 and days >= 14 else f"{days} days"


@dataclass(frozen=True)
class SloReview:
    """One review as stored: never changed, a later one supersedes it."""

    slo: str
    reviewed_at: datetime
    reviewer: str
    outcome: ReviewOutcome
    notes: str
    target: float  # the SLO's target when it was reviewed
    id: int | None = None


@dataclass(frozen=True)
class ReviewStatus:
    """Where one SLO stands at ``at``."""

    slo: str
    service: str
    target: float
    cadence: timedelta
    state: ReviewState
    last_review: SloReview | None
    next_due: datetime | None  # None: never reviewed and never seen by the store
    at: datetime

    @property
    def days_until_due(self) -> int | None:
        """Whole days left (negative: overdue by that many)."""
        if self.next_due is None:
            return None
        return (self.next_due - self.at) // timedelta(days=1)


def validate_review(outcome: str | ReviewOutcome, notes: str, known_slos: Iterable[str], slo: str) -> ReviewOutcome:
    """The outcome, once the SLO is in the catalog and the notes fit; ``ReviewError`` naming the field otherwise."""
    if slo not in set(known_slos):
        raise ReviewError(f"slo: {slo!r} is not an SLO of the catalog")
    chosen = outcome if isinstance(outcome, ReviewOutcome) else ReviewOutcome.parse(outcome)
    if len(notes) > NOTES_MAX_LENGTH:
        raise ReviewError(f"notes: at most {NOTES_MAX_LENGTH} characters")
    if "\x00" in notes:
        raise ReviewError("notes: contains a NUL character, which no database stores as text")
    if chosen is not ReviewOutcome.KEEP and not notes.strip():
        raise ReviewError(f"notes: say what should change and why ({chosen.label})")
    return chosen


def review_status(
    slo: str,
    service: str,
    target: float,
    cadence: timedelta | None,
    reviews: Sequence[SloReview],
    first_seen: datetime | None,
    at: datetime,
) -> ReviewStatus:
    """The SLO's state at ``at``, from its reviews recorded up to then (see the module docstring)."""
    cadence = cadence or DEFAULT_REVIEW_CADENCE
    before = [review for review in reviews if review.slo == slo and review.reviewed_at <= at]
    last = max(before, key=lambda review: (review.reviewed_at, review.id or 0), default=None)
    start = last.reviewed_at if last is not None else first_seen
    next_due = None if start is None else start + cadence
    if next_due is not None and at >= next_due:
        state = ReviewState.OVERDUE
    elif last is None or next_due - at <= DUE_SOON:
        state = ReviewState.TO_REVIEW
    else:
        state = ReviewState.REVIEWED
    return ReviewStatus(slo, service, target, cadence, state, last, next_due, at)


def urgent_first(statuses: Iterable[ReviewStatus]) -> list[ReviewStatus]:
    """Overdue first, then to review, then reviewed; the soonest due first within each, no due date last."""
    return sorted(
        statuses,
        key=lambda s: (s.state.rank, s.next_due is None, s.next_due or datetime.max.replace(tzinfo=s.at.tzinfo), s.slo),
    )


def overdue_count(statuses: Iterable[ReviewStatus]) -> int:
    return sum(status.state is ReviewState.OVERDUE for status in statuses)


# --- target what-if ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayCounts:
    """One SLO's events over one local day, as the daily rollups hold them; ``total is None``: no data."""

    day: date
    total: float | None
    bad: float | None


@dataclass(frozen=True)
class Period:
    label: str  # "2026-W47", "2026-11"
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class WhatIfRow:
    """One period judged at the current target and at the what-if one. ``None``: no data (no events that period)."""

    period: Period
    days_with_data: int
    total: float | None
    bad: float | None
    sli: float | None
    budget_remaining_current: float | None
    budget_remaining_what_if: float | None
    met_current: bool | None
    met_what_if: bool | None


def validate_target(target: float) -> float:
    """A target as a fraction in (0, 1): 99.9 % is 0.999; ``ReviewError`` otherwise."""
    if not isinstance(target, (int, float)) or target != target or not 0 < target < 1:
        raise ReviewError("target: give a target above 0 % and below 100 %, like 99.5")
    return float(target)


def budget_remaining(error_ratio: float, target: float) -> float:
    """The share of a period's error budget left after its bad events: 1 − e/(1 − target); negative when overspent."""
    return 1.0 - error_ratio / (1.0 - target)


def recent_periods(today: date, weeks: int = 12, months: int = 3) -> tuple[list[Period], list[Period]]:
    """The last ``weeks`` complete ISO weeks and ``months`` complete calendar months before ``today``, oldest
    first."""
    this_monday = today - timedelta(days=today.weekday())
    week_list = []
    for back in range(weeks, 0, -1):
        monday = this_monday - timedelta(weeks=back)
        year, week, _ = monday.isocalendar()
        week_list.append(Period(f"{year:04d}-W{week:02d}", monday, monday + timedelta(days=6)))
    month_list = []
    first_of_month = today.replace(day=1)
    for back in range(months, 0, -1):
        index = first_of_month.year * 12 + first_of_month.month - 1 - back
        first = date(index // 12, index % 12 + 1, 1)
        following = date((index + 1) // 12, (index + 1) % 12 + 1, 1)
        month_list.append(Period(f"{first.year:04d}-{first.month:02d}", first, following - timedelta(days=1)))
    return week_list, month_list


def what_if(
    days: Sequence[DayCounts], periods: Sequence[Period], current_target: float, what_if_target: float
) -> list[WhatIfRow]:
    """Each period's SLI from its summed events (never an average of daily ratios), its budget remaining and whether
    it met the objective at both targets."""
    validate_target(what_if_target)
    rows = []
    for period in periods:
        inside = [d for d in days if period.first <= d.day <= period.last and d.total is not None and d.bad is not None]
        total = sum(d.total for d in inside)
        bad = sum(max(d.bad, 0.0) for d in inside)
        if not inside or total <= 0:
            rows.append(WhatIfRow(period, len(inside), total if inside else None, None, None, None, None, None, None))
            continue
        ratio = min(bad / total, 1.0)
        sli = 1.0 - ratio
        rows.append(
            WhatIfRow(
                period=period,
                days_with_data=len(inside),
                total=total,
                bad=bad,
                sli=sli,
                budget_remaining_current=budget_remaining(ratio, current_target),
                budget_remaining_what_if=budget_remaining(ratio, what_if_target),
                met_current=sli >= current_target,
                met_what_if=sli >= what_if_target,
            )
        )
    return rows


def group_by_slo(reviews: Iterable[SloReview]) -> Mapping[str, list[SloReview]]:
    grouped: dict[str, list[SloReview]] = {}
    for review in reviews:
        grouped.setdefault(review.slo, []).append(review)
    return grouped
