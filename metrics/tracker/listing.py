"""The item list in the order a person asks for, one page at a time.

A tracker of thousands of items is read a page at a time: the browser is sent one page of rows (a table of 5,000 rows
is a megabyte on every load and kept Chromium busy for up to two minutes), and the order is chosen before paging so
that the first page holds what the order puts first, not the first hundred item numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from metrics.paging import ListPage
from metrics.paging import list_page as page_of
from metrics.tracker.aging import ItemAge
from metrics.tracker.rules import priority

ITEMS_PER_PAGE = 100


class ItemOrder(StrEnum):
    """How the list is sorted before it is paged; the value is what the list shows and its link carries (?sort=)."""

    NUMBER = "item number"
    PRIORITY = "priority"
    OLDEST = "oldest first"
    UNREVIEWED = "longest unreviewed"
    OVERDUE = "most overdue"
    REVISIT = "next revisit"


def order_items(items: Sequence, item_ages: Mapping[int, ItemAge], order: ItemOrder) -> list:
    """``items`` (anything with ``id``, ``impact``, ``urgency``, ``revisit_on``) in ``order``; ties by item number."""

    def key(item):
        age = item_ages[item.id]
        if order is ItemOrder.PRIORITY:
            return (priority(item.impact, item.urgency), item.id)
        if order is ItemOrder.OLDEST:
            return (-age.age_days, item.id)
        if order is ItemOrder.UNREVIEWED:
            never = age.days_since_review is None
            return (not never, -(age.days_since_review or 0), item.id)
        if order is ItemOrder.OVERDUE:
            return (-age.overdue_days, item.id)
        if order is ItemOrder.REVISIT:
            return (item.revisit_on is None, item.revisit_on or 0, item.id)
        return (item.id,)

    return sorted(items, key=key)


def list_page(count: int, asked: int | None, per_page: int = ITEMS_PER_PAGE) -> ListPage:
    """The page ``asked`` for (1-based) of the item list, held within the pages there are (``metrics.paging``)."""
    return page_of(count, asked, per_page, noun="items")
