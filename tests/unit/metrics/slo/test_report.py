"""The report: one status per SLO from window counts, sorted most urgent first, in the CLI's JSON shape."""

from datetime import UTC, datetime, timedelta

import pytest

from metrics.slo.definitions import BURN_WINDOWS, EventCounts, RatioIndicator, SloDefinition, TimeWindow
from metrics.slo.report import PERIOD_KEY, build_report, build_status, requested_windows

AT = datetime(2026, 11, 1, tzinfo=UTC)


def slo(name="checkout-availability", target=0.999, window="30d", rolling=True):
    return SloDefinition(
        name=name,
        service="checkout",
        target=target,
        time_window=TimeWindow(window, is_rolling=rolling),
        indicator=RatioIndicator(total_query="t_total", bad_query="b_total"),
    )


def counts(period_bad, window_bad=None, total=1_000_000.0, window_total=10_000.0):
    result = {
        w: EventCounts(total=window_total, bad=window_bad if window_bad is not None else 0.0) for w in BURN_WINDOWS
    }
    result[PERIOD_KEY] = EventCounts(total=total, bad=period_bad)
    return result


def test_requested_windows_are_the_burn_windows_and_the_period():
    windows = requested_windows(slo(window="28d"), AT)
    assert list(windows) == [*BURN_WINDOWS, PERIOD_KEY]
    assert windows[PERIOD_KEY] == timedelta(days=28)


def test_status_carries_sli_budget_and_burn_rates():
    status = build_status(slo(), AT, counts(period_bad=250, window_bad=5))
    assert status.sli == pytest.approx(0.99975)
    assert status.budget_remaining == pytest.approx(0.75)
    assert status.burn_rates["1h"] == pytest.approx(0.5)
    assert status.alert_state == "ok"


def test_status_projects_exhaustion_at_the_one_hour_burn_rate():
    status = build_status(slo(), AT, counts(period_bad=500, window_bad=100))  # burn 10x, half the budget left
    assert status.time_to_exhaustion == timedelta(days=30) * 0.5 / 10


def test_fast_burn_pages():
    status = build_status(slo(), AT, counts(period_bad=100, window_bad=200))  # 2% errors: burn 20x
    assert status.alert_state == "page"
    assert [a.firing for a in status.alerts] == [True, True, True, True]


def test_an_slo_without_counts_is_no_data():
    status = build_status(slo(), AT, {})
    assert status.alert_state == "no data" and status.sli is None and status.time_to_exhaustion is None


def test_report_sorts_by_budget_remaining_with_no_data_last():
    report = build_report(
        [slo("a"), slo("b"), slo("c")],
        AT,
        {"a": counts(period_bad=100), "b": counts(period_bad=900), "c": {}},
    )
    assert [s.slo.name for s in report.statuses] == ["b", "a", "c"]


def short_spike(period_bad, one_hour_rate, slow_rate=0.5):
    """Counts of a target-99.9% SLO whose last hour burns at ``one_hour_rate`` while every longer and shorter
    window burns at ``slow_rate``: no tier fires (each needs two windows over its threshold)."""
    result = {w: EventCounts(total=10_000.0, bad=10_000.0 * 0.001 * slow_rate) for w in BURN_WINDOWS}
    result["1h"] = EventCounts(total=10_000.0, bad=10_000.0 * 0.001 * one_hour_rate)
    result[PERIOD_KEY] = EventCounts(total=1_000_000.0, bad=period_bad)  # budget: 1,000 bad events
    return result


def test_a_paging_slo_sorts_first_whatever_its_budget():
    report = build_report(
        [slo("quiet"), slo("paging")],
        AT,
        {"quiet": counts(period_bad=950), "paging": counts(period_bad=10, window_bad=200)},
    )
    assert [(s.slo.name, s.attention) for s in report.statuses] == [("paging", "page"), ("quiet", "ok")]


def test_a_rolling_slo_burning_over_1x_with_its_budget_gone_within_the_window_is_at_risk():
    status = build_status(slo(), AT, short_spike(period_bad=900, one_hour_rate=2.0))
    assert status.alert_state == "ok"
    assert status.time_to_exhaustion == timedelta(days=30) * 0.1 / 2.0  # 1 d 12 h
    assert status.attention == "at risk"


def test_a_rolling_slo_burning_under_1x_is_not_at_risk_however_little_budget_is_left():
    status = build_status(slo(), AT, short_spike(period_bad=990, one_hour_rate=0.5))
    assert status.time_to_exhaustion is not None and status.attention == "ok"


def test_a_calendar_slo_whose_budget_runs_out_before_the_month_ends_is_at_risk_even_under_1x():
    status = build_status(
        slo("monthly", window="1M", rolling=False),
        AT + timedelta(days=10),
        short_spike(period_bad=990, one_hour_rate=0.5),
    )
    assert status.at + status.time_to_exhaustion < status.period.end
    assert status.attention == "at risk"


def test_a_calendar_slo_whose_budget_outlasts_the_month_is_ok():
    status = build_status(
        slo("monthly", window="1M", rolling=False),
        AT + timedelta(days=10),
        short_spike(period_bad=100, one_hour_rate=0.5),
    )
    assert status.attention == "ok"


def test_at_risk_sorts_after_ticketing_and_before_ok():
    report = build_report(
        [slo("fine"), slo("risky"), slo("ticketing")],
        AT,
        {
            "fine": counts(period_bad=980),
            "risky": short_spike(period_bad=500, one_hour_rate=2.0),
            "ticketing": counts(period_bad=10, window_bad=40),  # 4x everywhere: the 3x and 1x tiers fire
        },
    )
    assert [s.attention for s in report.statuses] == ["ticket", "at risk", "ok"]


def test_report_json_has_the_documented_shape():
    report = build_report([slo()], AT, {"checkout-availability": counts(period_bad=250)}, source="demo data")
    payload = report.to_dict()
    assert payload["at"] == "2026-11-01T00:00:00+00:00"
    row = payload["slos"][0]
    assert {"slo", "service", "target", "period", "sli", "budget_remaining", "burn_rates", "alerts"} <= set(row)
    assert row["period"] == "30d" and row["target"] == 0.999
    assert list(row["burn_rates"]) == list(BURN_WINDOWS)
    assert row["alerts"][0] == {
        "severity": "page",
        "urgency": "page",
        "policy": None,
        "long": "1h",
        "short": "5m",
        "threshold": 14.4,
        "op": "gt",
        "long_burn_rate": 0.0,
        "short_burn_rate": 0.0,
        "min_events": None,
        "min_bad_events": None,
        "long_events": 10_000.0,
        "long_bad_events": 0.0,
        "held_back_by_traffic_guard": False,
        "firing": False,
    }


def test_per_slo_errors_are_kept_on_their_row():
    report = build_report([slo()], AT, {}, errors_by_slo={"checkout-availability": "rejected"})
    assert report.statuses[0].error == "rejected"
    assert report.statuses[0].alert_state == "no data"


def test_an_slo_whose_queries_match_nothing_says_so_and_where_to_look():
    definition = slo()
    status = build_status(definition, AT, {PERIOD_KEY: None})
    assert "no series match" in status.note and definition.name in status.note


def test_an_slo_without_events_is_called_quiet():
    status = build_status(slo(), AT, {PERIOD_KEY: EventCounts(total=0, bad=0)})
    assert "no events" in status.note


def test_an_slo_with_data_has_no_note():
    assert build_status(slo(), AT, counts(period_bad=1)).note is None


# --- a split SLO's values, in one line for the overview ----------------------------------------------------------


def split_report(by_value: dict) -> list:
    from dataclasses import replace

    definition = replace(slo(), split_by=("route",))
    return build_report(
        [definition],
        AT,
        {definition.name: counts(0.0)},
        {},
        "test",
        split_counts_by_slo={definition.name: {(route,): value for route, value in by_value.items()}},
    ).splits[definition.name]


def test_the_split_summary_counts_the_values_and_names_the_burning_ones_urgent_first():
    from metrics.slo.report import split_summary

    splits = split_report({"/pay": counts(0.0, window_bad=500.0), "/cart": counts(0.0), "/home": counts(0.0)})

    # /pay: 5 % bad in every window against a 0.1 % budget burns at 50x, so its fast tier pages
    assert split_summary(splits) == "3 values · 1 burning: route=/pay page"


def test_the_split_summary_names_the_value_with_least_budget_when_none_burns():
    from metrics.slo.report import split_summary

    splits = split_report({"/pay": counts(100.0), "/cart": counts(400.0)})

    # 400 bad of 1,000,000 against a budget of 1,000: 60 % left
    assert split_summary(splits) == "2 values · none burning; least budget left: route=/cart 60.0%"
