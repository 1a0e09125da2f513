"""Aging figures of tracker items and the open items by age and role."""

from __future__ import annotations

from datetime import date

from metrics.tracker.aging import AGE_BRACKETS, age_bracket, aging_frame, item_age

TODAY = date(2026, 11, 24)


def test_an_item_knows_its_age_days_since_review_overdue_days_and_times_revisited():
    age = item_age(date(2025, 11, 24), date(2026, 10, 25), date(2026, 11, 20), "due", 4, TODAY)
    assert (age.age_days, age.days_since_review, age.overdue_days, age.times_revisited) == (365, 30, 4, 4)


def test_an_item_never_reviewed_has_no_days_since_review():
    assert item_age(TODAY, None, None, "new", 0, TODAY).days_since_review is None


def test_a_finished_item_is_never_overdue():
    assert item_age(date(2025, 1, 1), None, date(2026, 1, 1), "closed", 0, TODAY).overdue_days == 0


def test_age_brackets_have_exclusive_upper_bounds():
    assert age_bracket(29) == "< 1 month" and age_bracket(30) == "1–3 months" and age_bracket(400) == "> 1 year"


def test_the_aging_frame_counts_open_items_only_and_keeps_empty_cells():
    frame = aging_frame([("parked", "DBA", 400), ("due", "DBA", 500), ("closed", "SRE", 10), ("new", "TPM", 5)])
    assert len(frame) == len(AGE_BRACKETS) * 3
    counts = {(row["age"], row["owner role"]): row["open items"] for _, row in frame.iterrows()}
    assert counts[("> 1 year", "DBA")] == 2
    assert counts[("< 1 month", "TPM")] == 1
    assert counts[("< 1 month", "SRE")] == 0
