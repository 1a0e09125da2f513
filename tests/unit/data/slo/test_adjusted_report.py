"""The live report with budget adjustments, on the demo source: every figure comes from the counts with the events
inside the adjustments removed, the raw figures stay beside them, and SLOs no adjustment covers are unchanged.
Expected values are read straight off the generated samples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from data.slo.catalog import load_catalog
from data.slo.demo import DemoSource, generate_history
from data.slo.service import load_report
from metrics.slo.adjustments import Adjustment, AdjustmentCategory, Scope

END = datetime(2026, 11, 1, tzinfo=UTC)
CATALOG = load_catalog(Path(__file__).resolve().parents[4] / "config" / "slos")
HISTORY = generate_history(END)
H = timedelta(hours=1)


def adjustment(start, end, slos, recurrence=None, id=1):
    return Adjustment(
        AdjustmentCategory.MAINTENANCE, "planned", start, end, Scope(slos=slos), "kim", END, recurrence, id=id
    )


def samples_between(service, start, end, bad_only):
    """http_requests_total of ``service`` (its 5xx codes with ``bad_only``) between two instants."""
    stamps = HISTORY.timestamps
    at_end = np.searchsorted(stamps, end.timestamp(), side="right") - 1
    at_start = np.searchsorted(stamps, start.timestamp(), side="right") - 1
    return sum(
        float(s.values[at_end] - s.values[at_start])
        for s in HISTORY.series
        if s.metric == "http_requests_total"
        and s.labels["service"] == service
        and (not bad_only or s.labels["code"].startswith("5"))
    )


def expected_budget(service, target, period, removed):
    total = samples_between(service, END - period, END, False)
    bad = samples_between(service, END - period, END, True)
    for start, end in removed:
        total -= samples_between(service, start, end, False)
        bad -= samples_between(service, start, end, True)
    return 1 - bad / total / (1 - target)


def test_a_two_hour_maintenance_restores_exactly_the_budget_those_hours_burned():
    window = (END - 6 * 24 * H - 3 * H, END - 6 * 24 * H - H)  # the first two hours of search's incident
    report = load_report(DemoSource(end=END), CATALOG.slos, END, [adjustment(*window, ("search-availability",))])
    status = report.status("search-availability")
    assert status.budget_remaining == pytest.approx(expected_budget("search", 0.995, 28 * 24 * H, [window]), rel=1e-9)
    assert status.raw.budget_remaining == pytest.approx(expected_budget("search", 0.995, 28 * 24 * H, []), rel=1e-9)
    assert status.budget_remaining > status.raw.budget_remaining


def test_a_maintenance_over_the_last_two_hours_stops_the_page_that_fired_on_them():
    report = load_report(
        DemoSource(end=END), CATALOG.slos, END, [adjustment(END - 2 * H, END, ("checkout-availability",))]
    )
    status = report.status("checkout-availability")
    assert status.raw.alert_state == "page"
    assert status.burn_rates["1h"] is None  # every event of the hour was inside the adjustment: no data, never 0
    assert status.alert_state != "page"


def test_a_daily_recurrence_removes_every_occurrence_inside_the_period():
    first = END - 20 * 24 * H + 2 * H
    occurrences = [(first + day * 24 * H, first + day * 24 * H + H) for day in range(20)]
    report = load_report(
        DemoSource(end=END),
        CATALOG.slos,
        END,
        [adjustment(first, first + H, ("inventory-availability",), "FREQ=DAILY")],
    )
    expected = expected_budget("inventory", 0.999, 30 * 24 * H, occurrences)
    assert report.status("inventory-availability").budget_remaining == pytest.approx(expected, rel=1e-9)


def test_slos_no_adjustment_covers_keep_their_figures_and_have_no_raw_copy():
    plain = load_report(DemoSource(end=END), CATALOG.slos, END)
    adjusted = load_report(
        DemoSource(end=END), CATALOG.slos, END, [adjustment(END - 2 * H, END, ("checkout-availability",))]
    )
    other = adjusted.status("payments-availability")
    assert (other.raw, other.adjusted) == (None, False)
    assert other.budget_remaining == plain.status("payments-availability").budget_remaining


def test_the_json_report_shows_raw_and_adjusted_side_by_side_on_request():
    report = load_report(
        DemoSource(end=END), CATALOG.slos, END, [adjustment(END - 2 * H, END, ("checkout-availability",))]
    )
    row = next(r for r in report.to_dict(raw=True)["slos"] if r["slo"] == "checkout-availability")
    assert row["budget_adjusted"] is True
    assert row["adjustments"][0]["category"] == "maintenance"
    assert row["raw"]["alert_state"] == "page"
    assert row["raw"]["events_total"] - row["events_total"] == pytest.approx(
        samples_between("checkout", END - 2 * H, END, False)
    )
    assert "raw" not in report.to_dict()["slos"][0]


def test_the_drilldown_burn_down_ends_at_the_adjusted_budget_of_the_report():
    from data.slo.service import drilldown_series, load_history

    window = (END - 6 * 24 * H - 3 * H, END - 6 * 24 * H - H)
    adjustments = [adjustment(*window, ("search-availability",))]
    slo = CATALOG.slo("search-availability")
    history = load_history(DemoSource(end=END), slo, END, adjustments)
    burn_down = drilldown_series(history).burn_down
    expected = expected_budget("search", 0.995, 28 * 24 * H, [window])
    assert burn_down["budget_remaining"].iloc[-1] == pytest.approx(expected, rel=1e-9)


def test_recent_buckets_inside_an_adjustment_hold_no_events():
    from data.slo.service import load_history

    slo = CATALOG.slo("checkout-availability")
    history = load_history(DemoSource(end=END), slo, END, [adjustment(END - 2 * H, END, (slo.name,))])
    inside = history.recent_buckets[history.recent_buckets["time"] > END - 2 * H + timedelta(minutes=5)]
    assert len(inside) > 0 and inside["total"].sum() == 0 and inside["bad"].sum() == 0


SLICES = load_catalog(Path(__file__).resolve().parents[4] / "config" / "slo-examples")


def slice_ratio_from_samples(service, end):
    total = samples_between(service, end - timedelta(minutes=5), end, False)
    return None if total <= 0 else 1 - samples_between(service, end - timedelta(minutes=5), end, True) / total


def test_an_adjustment_takes_the_slices_ending_inside_it_out_of_a_timeslices_slo():
    """Checkout's 1-hour window without the slices ending in (11:27:30, 11:47:30]: four of its twelve go."""
    window = (END - timedelta(minutes=32, seconds=30), END - timedelta(minutes=12, seconds=30))
    report = load_report(DemoSource(end=END), SLICES.slos, END, [adjustment(*window, ("checkout-good-minutes",))])
    status = report.status("checkout-good-minutes")

    ends = [END - timedelta(minutes=5 * back) for back in range(12)]
    kept = [end for end in ends if not window[0] < end <= window[1]]
    ratios = [r for r in (slice_ratio_from_samples("checkout", end) for end in kept) if r is not None]
    bad = sum(1 for ratio in ratios if ratio < 0.995)
    assert len(kept) == 8
    assert status.counts["1h"].total == len(ratios)
    assert status.counts["1h"].bad == bad
    assert status.raw.counts["1h"].total == 12
    assert status.adjusted
