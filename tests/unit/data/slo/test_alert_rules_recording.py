"""``slo-rules --recording``: each SLO's group records the error ratio of every window its tiers read, named as
Sloth and Pyrra name it, and its alerts read those recordings instead of the raw counters."""

from dataclasses import replace
from datetime import UTC, datetime

from data.slo.alert_rules import burn_rate_rules
from metrics.slo.alerts import DEFAULT_TIERS
from metrics.slo.definitions import RatioIndicator, SloDefinition, TimeWindow

AT = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)
CHECKOUT = SloDefinition(
    name="checkout-availability",
    service="checkout",
    target=0.999,
    time_window=TimeWindow("30d"),
    indicator=RatioIndicator(
        total_query='http_requests_total{service="checkout"}',
        bad_query='http_requests_total{service="checkout",code=~"5.."}',
    ),
)


def group_rules(slo: SloDefinition, recording: bool = True) -> list[dict]:
    return burn_rate_rules([slo], AT, recording=recording)["groups"][0]["rules"]


def test_every_window_of_the_workbook_tiers_is_recorded_once_shortest_first():
    records = [rule["record"] for rule in group_rules(CHECKOUT) if "record" in rule]
    assert records == [
        "slo:sli_error:ratio_rate5m",
        "slo:sli_error:ratio_rate30m",
        "slo:sli_error:ratio_rate1h",
        "slo:sli_error:ratio_rate2h",
        "slo:sli_error:ratio_rate6h",
        "slo:sli_error:ratio_rate1d",
        "slo:sli_error:ratio_rate3d",
    ]


def test_a_recording_is_the_event_weighted_ratio_labelled_with_the_slo_and_service():
    five_minutes = next(rule for rule in group_rules(CHECKOUT) if rule.get("record") == "slo:sli_error:ratio_rate5m")
    assert five_minutes["expr"] == (
        'sum(increase(http_requests_total{service="checkout",code=~"5.."}[5m])) / '
        'sum(increase(http_requests_total{service="checkout"}[5m]))'
    )
    assert five_minutes["labels"] == {"slo": "checkout-availability", "service": "checkout"}


def test_the_recordings_come_before_the_alerts_so_an_alert_reads_this_evaluations_ratio():
    kinds = ["record" if "record" in rule else "alert" for rule in group_rules(CHECKOUT)]
    assert kinds == ["record"] * 7 + ["alert"] * len(DEFAULT_TIERS)


def test_with_recording_the_alerts_read_the_recorded_ratios_not_the_counters():
    alerts = [rule for rule in group_rules(CHECKOUT) if "alert" in rule]
    page = next(rule for rule in alerts if rule["labels"]["long_window"] == "1h")
    assert "increase(" not in page["expr"]
    assert 'slo:sli_error:ratio_rate1h{slo="checkout-availability"}' in page["expr"]
    assert 'slo:sli_error:ratio_rate5m{slo="checkout-availability"}' in page["expr"]


def test_only_the_windows_of_the_tiers_switched_on_are_recorded():
    only_page = replace(CHECKOUT, tiers=(DEFAULT_TIERS[0],))
    records = [rule["record"] for rule in group_rules(only_page) if "record" in rule]
    assert records == ["slo:sli_error:ratio_rate5m", "slo:sli_error:ratio_rate1h"]


def test_a_traffic_guard_on_recorded_ratios_joins_on_no_labels():
    guarded = replace(CHECKOUT, tiers=(replace(DEFAULT_TIERS[0], min_events=100),))
    alert = next(rule for rule in group_rules(guarded) if "alert" in rule)
    assert 'and on()\n(\n  sum(increase(http_requests_total{service="checkout"}[1h]))\n  >= 100\n)' in alert["expr"]


def test_without_recording_the_file_has_no_recording_rules():
    assert all("record" not in rule for rule in group_rules(CHECKOUT, recording=False))
