"""The tracker's list in a chosen order, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from metrics.tracker.aging import ItemAge
from metrics.tracker.listing import ITEMS_PER_PAGE, ItemOrder, list_page, order_items


@dataclass(frozen=True)
class Item:
    id: int
    impact: str = "low"
    urgency: str = "low"
    revisit_on: date | None = None


def age(age_days=0, days_since_review=None, overdue_days=0) -> ItemAge:
    return ItemAge(age_days, days_since_review, overdue_days, 0)


def ids(items) -> list[int]:
    return [item.id for item in items]


def test_priority_order_puts_p1_first_and_breaks_ties_by_item_number():
    items = [Item(1), Item(2, "critical", "critical"), Item(3, "medium", "high"), Item(4, "critical", "high")]
    ages = {item.id: age() for item in items}
    assert ids(order_items(items, ages, ItemOrder.PRIORITY)) == [2, 4, 3, 1]


def test_oldest_first_orders_by_age_in_days():
    items = [Item(1), Item(2), Item(3)]
    ages = {1: age(age_days=10), 2: age(age_days=400), 3: age(age_days=90)}
    assert ids(order_items(items, ages, ItemOrder.OLDEST)) == [2, 3, 1]


def test_longest_since_review_puts_never_reviewed_items_first():
    items = [Item(1), Item(2), Item(3)]
    ages = {1: age(days_since_review=5), 2: age(days_since_review=None), 3: age(days_since_review=60)}
    assert ids(order_items(items, ages, ItemOrder.UNREVIEWED)) == [2, 3, 1]


def test_next_revisit_first_puts_items_without_a_date_last():
    items = [Item(1), Item(2, revisit_on=date(2027, 3, 1)), Item(3, revisit_on=date(2027, 1, 10))]
    ages = {item.id: age() for item in items}
    assert ids(order_items(items, ages, ItemOrder.REVISIT)) == [3, 2, 1]


def test_most_overdue_first():
    items = [Item(1), Item(2), Item(3)]
    ages = {1: age(overdue_days=0), 2: age(overdue_days=3), 3: age(overdue_days=40)}
    assert ids(order_items(items, ages, ItemOrder.OVERDUE)) == [3, 2, 1]


def test_the_last_page_holds_the_rest():
    rows = list_page(250, 3)
    assert (rows.number, rows.pages, rows.start, rows.end) == (3, 3, 200, 250)
    assert rows.caption == "items 201–250 of 250"


def test_a_page_past_the_end_shows_the_last_page_and_one_before_the_first_shows_the_first():
    assert list_page(250, 9).number == 3
    assert list_page(250, -2).number == 1 and list_page(250, None).number == 1


def test_a_list_that_fits_is_one_page():
    rows = list_page(ITEMS_PER_PAGE, 2)
    assert (rows.number, rows.pages, rows.start, rows.end) == (1, 1, 0, ITEMS_PER_PAGE)
