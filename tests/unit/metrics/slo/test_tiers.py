"""Tiers a team can tune: which tiers an SLO has, what it calls their severities, and the minimum-traffic guard.

Every expected value is worked out by hand in the test's docstring or comments: a 99.9% SLO has a budget of 0.1%,
so an error ratio e burns at e / 0.001; over 30 days the Workbook's 1-hour page tier fires above 14.4.
"""

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from metrics.slo.alerts import (
    DEFAULT_TIERS,
    AlertTier,
    Op,
    Urgency,
    alert_state,
    evaluate_tiers,
    guard_allows,
)
from metrics.slo.definitions import (
    BURN_WINDOWS,
    EventCounts,
    RatioIndicator,
    SloDefinition,
    TimeWindow,
    short_window_for,
)
from metrics.slo.report import PERIOD_KEY, build_status, requested_windows
from metrics.slo.timeseries import rolling_burn_rates, rolling_window_events, tier_firing_mask

AT = datetime(2026, 11, 1, tzinfo=UTC)
THIRTY_DAYS = timedelta(days=30)
PAGE_1H = DEFAULT_TIERS[0]  # page, 1h / 5m, 2% of the budget: 14.4 over 30 days


def slo(tiers=DEFAULT_TIERS, target=0.999) -> SloDefinition:
    return SloDefinition(
        name="checkout-availability",
        service="checkout",
        target=target,
        time_window=TimeWindow("30d"),
        indicator=RatioIndicator(total_query="t_total", bad_query="b_total"),
        tiers=tiers,
    )


def guarded(tier: AlertTier = PAGE_1H, min_events=None, min_bad_events=None) -> AlertTier:
    return AlertTier(
        tier.urgency,
        tier.long_window,
        tier.short_window,
        tier.budget_fraction,
        min_events=min_events,
        min_bad_events=min_bad_events,
    )


def same_counts_everywhere(total: float, bad: float, windows=BURN_WINDOWS) -> dict[str, EventCounts]:
    counts = {window: EventCounts(total=total, bad=bad) for window in windows}
    counts[PERIOD_KEY] = EventCounts(total=total * 100, bad=bad)
    return counts


# -- the minimum-traffic guard ----------------------------------------------------------------------------------------


def test_a_tier_without_a_guard_fires_on_any_traffic():
    assert guard_allows(PAGE_1H, EventCounts(total=3, bad=3))


def test_the_guard_holds_back_a_tier_whose_long_window_saw_fewer_events_than_it_needs():
    assert not guard_allows(guarded(min_events=100), EventCounts(total=99, bad=50))


def test_the_guard_lets_a_tier_fire_at_exactly_the_events_it_needs():
    assert guard_allows(guarded(min_events=100), EventCounts(total=100, bad=50))


def test_the_bad_event_guard_needs_that_many_bad_events_in_the_long_window():
    tier = guarded(min_bad_events=5)
    assert not guard_allows(tier, EventCounts(total=10_000, bad=4))
    assert guard_allows(tier, EventCounts(total=10_000, bad=5))


def test_both_guards_must_hold_when_both_are_set():
    tier = guarded(min_events=100, min_bad_events=5)
    assert not guard_allows(tier, EventCounts(total=1000, bad=4))
    assert not guard_allows(tier, EventCounts(total=99, bad=50))
    assert guard_allows(tier, EventCounts(total=100, bad=5))


def test_a_guarded_tier_never_fires_when_its_long_window_has_no_counts():
    assert not guard_allows(guarded(min_events=1), None)


def test_a_quiet_hour_with_a_few_failures_pages_without_the_guard_and_not_with_it():
    """60 requests in the hour, 6 failed: e = 0.1, burn 100 in both windows, far over 14.4. The guard asks for 100
    events in the hour, so the same numbers page only without it."""
    counts = same_counts_everywhere(total=60, bad=6)

    plain = build_status(slo(), AT, counts)
    quiet = build_status(slo(tiers=(guarded(min_events=100),)), AT, counts)

    assert plain.alert_state == "page"
    assert quiet.alert_state == "ok"
    assert quiet.alerts[0].held_back and not quiet.alerts[0].firing
    assert quiet.burn_rates["1h"] == pytest.approx(100.0)  # the burn is still reported as it is


def test_a_busy_hour_with_the_same_error_ratio_pages_through_the_guard():
    """6,000 requests, 600 failed: the same burn of 100, now with enough events."""
    status = build_status(slo(tiers=(guarded(min_events=100),)), AT, same_counts_everywhere(total=6000, bad=600))

    assert status.alert_state == "page"
    assert status.alerts[0].long_counts == EventCounts(total=6000, bad=600)


def test_the_report_json_says_a_tier_was_held_back_by_the_guard():
    status = build_status(slo(tiers=(guarded(min_events=100),)), AT, same_counts_everywhere(total=60, bad=6))

    alert = status.to_dict()["alerts"][0]

    assert (alert["min_events"], alert["long_events"], alert["long_bad_events"]) == (100, 60, 6)
    assert alert["held_back_by_traffic_guard"] is True and alert["firing"] is False


# -- which tiers, and what they are called ----------------------------------------------------------------------------


def test_an_slo_with_every_tier_off_is_ok_while_it_has_numbers_however_fast_it_burns():
    status = build_status(slo(tiers=()), AT, same_counts_everywhere(total=6000, bad=600))

    assert (status.alerts, status.alert_state) == ([], "ok")


def test_an_slo_with_every_tier_off_and_no_events_is_no_data():
    assert build_status(slo(tiers=()), AT, {}).alert_state == "no data"


def test_a_renamed_paging_tier_still_makes_the_slo_page():
    p1 = AlertTier(Urgency.PAGE, "1h", "5m", 0.02, severity_name="P1")

    status = build_status(slo(tiers=(p1,)), AT, same_counts_everywhere(total=6000, bad=600))

    assert status.alert_state == "page"
    assert status.alerts[0].tier.severity == "P1"


def test_a_ticket_tier_called_page_by_the_team_still_only_tickets():
    """The urgency decides, never the name: a ticket tier the team happens to call "page" does not page."""
    odd = AlertTier(Urgency.TICKET, "1h", "5m", 0.02, severity_name="page")

    assert build_status(slo(tiers=(odd,)), AT, same_counts_everywhere(total=6000, bad=600)).alert_state == "ticket"


def test_a_tier_without_a_name_is_called_by_its_urgency():
    assert [tier.severity for tier in DEFAULT_TIERS] == ["page", "page", "ticket", "ticket"]


# -- tiers from an AlertCondition: a stated burn rate, op and windows -------------------------------------------------


def test_a_stated_burn_rate_is_the_threshold_whatever_the_period():
    tier = AlertTier(Urgency.PAGE, "2h", "10m", burn_rate=10.0)

    assert tier.threshold(timedelta(days=28)) == tier.threshold(THIRTY_DAYS) == 10.0


def test_the_budget_share_of_a_stated_burn_rate_is_rate_times_long_window_over_period():
    """Burn 10 for 2 hours of a 30-day (720-hour) period spends 10 × 2 / 720 = 2.78% of the budget."""
    assert AlertTier(Urgency.PAGE, "2h", "10m", burn_rate=10.0).budget_share(THIRTY_DAYS) == pytest.approx(20 / 720)


@pytest.mark.parametrize(("long", "short"), [("1h", "5m"), ("2h", "10m"), ("12h", "1h"), ("1d", "2h"), ("3d", "6h")])
def test_the_short_window_is_a_twelfth_of_the_long_one(long, short):
    assert short_window_for(long) == short


@pytest.mark.parametrize(("op", "fires"), [(Op.GT, False), (Op.GTE, True), (Op.LT, False), (Op.LTE, True)])
def test_the_op_decides_whether_a_burn_exactly_at_the_threshold_fires(op, fires):
    tier = AlertTier(Urgency.PAGE, "1h", "5m", burn_rate=10.0, op=op)

    evaluation = evaluate_tiers({"1h": 10.0, "5m": 10.0}, THIRTY_DAYS, (tier,))[0]

    assert evaluation.firing is fires


def test_a_below_op_never_fires_on_missing_data():
    tier = AlertTier(Urgency.PAGE, "1h", "5m", burn_rate=10.0, op=Op.LT)

    assert alert_state(evaluate_tiers({"1h": None, "5m": 0.0}, THIRTY_DAYS, (tier,))) == "no data"


def test_a_tier_window_outside_the_burn_windows_is_requested_and_reported():
    """A 12-hour policy reads 12h and its short window 1h: 12h is asked of the source beside the burn windows."""
    definition = slo(tiers=(AlertTier(Urgency.TICKET, "12h", "1h", burn_rate=2.0),))

    assert list(requested_windows(definition, AT)) == ["5m", "30m", "1h", "2h", "6h", "12h", "1d", "3d", PERIOD_KEY]
    counts = same_counts_everywhere(total=1000, bad=3, windows=definition.windows)
    status = build_status(definition, AT, counts)
    assert status.burn_rates["12h"] == pytest.approx(3.0)  # e = 0.003 over a budget of 0.001
    assert status.alert_state == "ticket"


# -- the same guard along the drill-down's series ---------------------------------------------------------------------


def buckets(totals: list[float], bads: list[float]) -> pd.DataFrame:
    times = pd.date_range(end=pd.Timestamp(AT), periods=len(totals), freq="5min", tz="UTC")
    return pd.DataFrame({"time": times, "total": totals, "bad": bads})


def test_along_the_series_a_guarded_tier_fires_only_once_the_hour_holds_enough_events():
    """Twelve 5-minute buckets make an hour. 24 buckets: the first 12 with 1 request each (1 bad), the next 12 with
    20 each (2 bad). Burn over the hour is huge throughout, but the hour holds 100 events only from index 16: after
    k busy buckets it holds (12 − k) + 20k = 12 + 19k events, at least 100 first for k = 5 (index 11 + 5)."""
    frame = buckets([1.0] * 12 + [20.0] * 12, [1.0] * 12 + [2.0] * 12)
    tier = guarded(min_events=100)
    rates = rolling_burn_rates(frame, 0.999, windows=("5m", "1h"))
    events = rolling_window_events(frame, ("1h",))

    plain = tier_firing_mask(rates, PAGE_1H, 14.4)
    held = tier_firing_mask(rates, tier, 14.4, events)

    assert plain.tolist() == [False] * 11 + [True] * 13  # from the first full hour on
    assert held.tolist() == [False] * 16 + [True] * 8


def test_along_the_series_a_guarded_tier_without_event_counts_never_fires():
    frame = buckets([20.0] * 12, [2.0] * 12)
    rates = rolling_burn_rates(frame, 0.999, windows=("5m", "1h"))

    assert not tier_firing_mask(rates, guarded(min_events=1), 14.4).any()
