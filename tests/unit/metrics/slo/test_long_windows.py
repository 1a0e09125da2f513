"""Splitting a window into its partial edges and the whole local days between them, and summing the parts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from metrics.slo.adjustments import Interval
from metrics.slo.definitions import EventCounts
from metrics.slo.long_windows import StoredWindowUse, combined_counts, split_at_midnight, split_window

BERLIN = "Europe/Berlin"


def berlin(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(BERLIN)).astimezone(UTC)


def test_a_rolling_three_days_is_the_rest_of_its_first_day_two_whole_days_and_today_so_far():
    at = berlin(2026, 11, 20, 14, 37)
    split = split_window(at - timedelta(days=3), at, BERLIN)
    assert split.head == Interval(berlin(2026, 11, 17, 14, 37), berlin(2026, 11, 18))
    assert split.days == (date(2026, 11, 18), date(2026, 11, 19))
    assert split.tail == Interval(berlin(2026, 11, 20), at)


def test_a_window_opening_at_midnight_has_no_head():
    at = berlin(2026, 11, 20, 9, 0)
    split = split_window(berlin(2026, 11, 16), at, BERLIN)
    assert split.head is None
    assert split.days[0] == date(2026, 11, 16)
    assert split.edges == (Interval(berlin(2026, 11, 20), at),)


def test_a_window_closing_at_midnight_has_no_tail():
    split = split_window(berlin(2026, 11, 16, 8), berlin(2026, 11, 20), BERLIN)
    assert split.tail is None
    assert split.days[-1] == date(2026, 11, 19)


def test_the_25_hour_day_of_a_clock_change_is_one_whole_day():
    at = berlin(2026, 10, 27, 12)
    split = split_window(at - timedelta(days=3), at, BERLIN)
    assert date(2026, 10, 25) in split.days
    edges = sum((part.length for part in split.edges), timedelta())
    assert edges + timedelta(hours=25 + 24) == timedelta(days=3)


def test_a_day_long_window_off_midnight_holds_no_whole_day():
    at = berlin(2026, 11, 20, 14, 37)
    assert split_window(at - timedelta(days=1), at, BERLIN) is None


def test_the_parts_tile_the_window_without_overlap():
    at = berlin(2026, 11, 20, 3, 5)
    start = at - timedelta(days=30)
    split = split_window(start, at, BERLIN)
    assert split.head.end == berlin(*split.days[0].timetuple()[:3])
    assert split.tail.start == berlin(*(split.days[-1] + timedelta(days=1)).timetuple()[:3])
    assert len(split.days) == 29


def test_counts_add_the_stored_days_and_the_edges():
    days = (date(2026, 11, 18), date(2026, 11, 19))
    stored = {days[0]: EventCounts(100, 1), days[1]: EventCounts(200, 2)}
    assert combined_counts(days, stored, EventCounts(50, 5)) == EventCounts(350, 8)


def test_a_day_without_series_adds_nothing_and_edges_without_series_add_nothing():
    days = (date(2026, 11, 18), date(2026, 11, 19))
    assert combined_counts(days, {days[0]: None, days[1]: EventCounts(10, 1)}, None) == EventCounts(10, 1)


def test_a_window_whose_parts_all_lack_series_has_no_data():
    days = (date(2026, 11, 18),)
    assert combined_counts(days, {days[0]: None}, None) is None


def test_a_day_not_stored_cannot_be_summed():
    with pytest.raises(KeyError):
        combined_counts((date(2026, 11, 18),), {}, EventCounts(1, 0))


def test_the_summary_names_the_days_not_stored():
    use = StoredWindowUse(BERLIN, direct={"checkout": "2 day(s) not stored"}, missing_days=(date(2026, 11, 3),))
    assert "2026-11-03 not stored" in use.summary()
    assert "1 SLO(s) read whole" in use.summary()


def test_the_summary_names_the_windows_summed_from_days():
    use = StoredWindowUse(BERLIN, from_days={"checkout": ("period", "3d")}, days_read=31)
    assert use.summary().startswith("the period and 3d windows of 1 SLO(s) summed from 31 stored daily rollups")


def test_a_day_long_window_is_cut_at_the_midnight_inside_it():
    at = berlin(2026, 11, 20, 14, 37)
    split = split_at_midnight(at - timedelta(days=1), at, BERLIN)
    assert split.head == Interval(at - timedelta(days=1), berlin(2026, 11, 20))
    assert split.days == ()
    assert split.tail == Interval(berlin(2026, 11, 20), at)


def test_a_window_without_a_midnight_inside_is_not_cut():
    at = berlin(2026, 11, 20, 14, 37)
    assert split_at_midnight(at - timedelta(hours=6), at, BERLIN) is None
