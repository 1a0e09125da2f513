"""Multiwindow, multi-burn-rate alert tiers (SRE Workbook)."""

from datetime import timedelta

import pytest

from metrics.slo.alerts import DEFAULT_TIERS, alert_state, burn_rate_threshold, evaluate_tiers, is_firing


@pytest.mark.parametrize("days, expected", [(30, [14.4, 6.0, 3.0, 1.0]), (28, [13.44, 5.6, 2.8, 0.9333])])
def test_tier_thresholds_scale_with_the_period(days, expected):
    thresholds = [tier.threshold(timedelta(days=days)) for tier in DEFAULT_TIERS]
    assert thresholds == pytest.approx(expected, abs=1e-4)


def test_threshold_is_budget_fraction_times_period_over_long_window():
    assert burn_rate_threshold(0.02, timedelta(days=30), timedelta(hours=1)) == pytest.approx(14.4)


def test_short_windows_are_about_a_twelfth_of_the_long_ones():
    assert [(t.long_window, t.short_window) for t in DEFAULT_TIERS] == [
        ("1h", "5m"),
        ("6h", "30m"),
        ("1d", "2h"),
        ("3d", "6h"),
    ]
    assert [t.severity for t in DEFAULT_TIERS] == ["page", "page", "ticket", "ticket"]


def test_a_tier_fires_only_when_both_windows_exceed_the_threshold():
    assert is_firing(15.0, 20.0, 14.4)
    assert not is_firing(15.0, 10.0, 14.4)  # the short window says the burn has stopped
    assert not is_firing(10.0, 20.0, 14.4)  # a blip that has not lasted


def test_missing_data_never_fires():
    assert not is_firing(None, 20.0, 14.4)
    assert not is_firing(20.0, None, 14.4)


def rates(**values):
    return {
        "5m": None,
        "30m": None,
        "1h": None,
        "2h": None,
        "6h": None,
        "1d": None,
        "3d": None,
        **{key.replace("_", ""): value for key, value in values.items()},
    }


def test_alert_state_is_page_when_a_page_tier_fires():
    evaluations = evaluate_tiers(rates(**{"_1h": 20, "_5m": 30}), timedelta(days=30))
    assert alert_state(evaluations) == "page"


def test_alert_state_is_ticket_when_only_a_ticket_tier_fires():
    burn = {"5m": 1.5, "30m": 1.5, "1h": 1.5, "2h": 1.5, "6h": 1.5, "1d": 1.5, "3d": 1.5}
    assert alert_state(evaluate_tiers(burn, timedelta(days=30))) == "ticket"


def test_alert_state_is_ok_when_nothing_fires():
    burn = {"5m": 0.5, "30m": 0.5, "1h": 0.5, "2h": 0.5, "6h": 0.5, "1d": 0.5, "3d": 0.5}
    assert alert_state(evaluate_tiers(burn, timedelta(days=30))) == "ok"


def test_alert_state_is_no_data_when_no_tier_has_data():
    assert alert_state(evaluate_tiers(rates(), timedelta(days=30))) == "no data"


def test_a_28_day_slo_pages_at_a_burn_that_a_30_day_slo_does_not():
    burn = {"5m": 14.0, "30m": 0, "1h": 14.0, "2h": 0, "6h": 0, "1d": 0, "3d": 0}
    assert alert_state(evaluate_tiers(burn, timedelta(days=28))) == "page"
    assert alert_state(evaluate_tiers(burn, timedelta(days=30))) == "ok"
