"""The weekly review's "SLO reviews overdue" headline figure: the count at the week's end against the week before."""

from __future__ import annotations

from metrics.weekly.review import Verdict
from tests.unit.metrics.weekly.test_review import MIXED, figure, review


def test_the_headline_counts_overdue_slo_reviews_against_the_week_before():
    shown = figure(review(MIXED, slo_reviews_overdue=(3, 1)), "SLO reviews overdue")

    assert (shown.value, shown.delta, shown.change) == ("3", "+2", 2.0)
    assert shown.verdict is Verdict.WORSE


def test_fewer_overdue_reviews_is_better():
    shown = figure(review(MIXED, slo_reviews_overdue=(0, 2)), "SLO reviews overdue")

    assert (shown.value, shown.verdict) == ("0", Verdict.BETTER)


def test_without_the_store_the_figure_says_no_data():
    shown = figure(review(MIXED), "SLO reviews overdue")

    assert (shown.value, shown.delta, shown.verdict) == ("no data", "no data", Verdict.NOT_COMPARED)
