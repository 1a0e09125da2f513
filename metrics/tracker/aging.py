"""How long problems have been living with the team: age, days since the last look, overdue revisits, times
revisited, and the open items by age bracket and owner role for the aging chart."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics.tracker.rules import OPEN_STATES, OWNER_ROLES

# Upper bounds in days (exclusive) and labels, youngest first.
AGE_BRACKETS: tuple[tuple[int | None, str], ...] = (
    (30, "< 1 month"),
    (90, "1–3 months"),
    (180, "3–6 months"),
    (365, "6–12 months"),
    (None, "> 1 year"),
)


@dataclass(frozen=True)
class ItemAge:
    age_days: int
    days_since_review: int | None  # None: never reviewed
    overdue_days: int  # days past the revisit date, 0 when not past it
    times_revisited: int


def item_age(
    created_on: date, last_reviewed_on: date | None, revisit_on: date | None, state: str, review_count: int, today: date
) -> ItemAge:
    """Aging figures of one item; an item that is no longer open is never overdue."""
    overdue = 0
    if state in OPEN_STATES and revisit_on is not None and revisit_on < today:
        overdue = (today - revisit_on).days
    return ItemAge(
        age_days=max((today - created_on).days, 0),
        days_since_review=None if last_reviewed_on is None else max((today - last_reviewed_on).days, 0),
        overdue_days=overdue,
        times_revisited=review_count,
    )


def age_bracket(age_days: int) -> str:
    for upper, label in AGE_BRACKETS:
        if upper is None or age_days < upper:
            return label
    return AGE_BRACKETS[-1][1]


def aging_frame(items: Iterable[tuple[str, str, int]]) -> pd.DataFrame:
    """Open items counted by age bracket and owner role, from (state, owner role, age in days).

    Every bracket and role is present (zeros included) so the chart's axes do not jump between views."""
    counts = {(label, role): 0 for _, label in AGE_BRACKETS for role in OWNER_ROLES}
    for state, role, age_days in items:
        if state in OPEN_STATES and role in OWNER_ROLES:
            counts[(age_bracket(age_days), role)] += 1
    rows = [{"age": label, "owner role": role, "open items": count} for (label, role), count in counts.items()]
    return pd.DataFrame(rows, columns=["age", "owner role", "open items"])
