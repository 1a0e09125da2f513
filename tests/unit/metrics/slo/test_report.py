"""The report: one status per SLO from window counts, sorted most urgent first, in the CLI's JSON shape."""

from datetime import UTC, datetime, timedelta

import pytest

from metrics.slo.definitions import BURN_WINDOWS, EventCounts, RatioIndicator, SloDefinition, TimeWindow
from metrics.slo.report import PERIOD_KEY, build_report, build_status, requested_windows

AT = datetime(2026, 11, 1, tzinfo=UTC)


def slo(name="checkout-availability", target=0.999, window="30d"):
    return SloDefinition(
        name=name,
        service="checkout",
        target=target,
        time_window=TimeWindow(window),
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
    status = build_status(slo(), AT, counts(period_bad=100, window_bad=200))  # 2 % errors: burn 20x
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
        "long": "1h",
        "short": "5m",
        "threshold": 14.4,
        "long_burn_rate": 0.0,
        "short_burn_rate": 0.0,
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
