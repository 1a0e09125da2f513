"""Assembling the weekly review on constructed data: breached, at risk, recovered, deltas, top offenders."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from metrics.incidents.rules import Incident
from metrics.trends.aggregate import daily_frame
from metrics.weekly.review import (
    DatabaseStatus,
    ReviewInputs,
    SloReading,
    build_weekly_review,
    last_complete_week,
    previous_week,
    week_status,
)

W46, W47 = date(2026, 11, 9), date(2026, 11, 16)  # Mondays
DAY, PERIOD = 86_400, 30 * 86_400
NOW = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)


def week_rows(
    slo: str, monday: date, bad: float, total: float = 1000.0, target: float = 0.99, service: str | None = None
) -> list[dict]:
    return [
        {
            "day": monday + timedelta(days=n),
            "slo": slo,
            "service": service or slo.split("-")[0],
            "target": target,
            "period_seconds": PERIOD,
            "day_seconds": DAY,
            "total": total,
            "bad": bad,
            "latency_buckets": None,
        }
        for n in range(7)
    ]


def review(rows: list[dict], **inputs):
    values = {
        "week": "2026-W47",
        "time_zone": "Europe/Berlin",
        "source": "test",
        "generated_at": NOW,
        "daily": daily_frame(rows),
        "incidents": [],
        **inputs,
    }
    return build_weekly_review(ReviewInputs(**values))


def figure(weekly, label: str):
    return next(f for f in weekly.headline if f.label == label)


# a missed W47 after a met W46; b recovered; c met both weeks
MIXED = (
    week_rows("a-availability", W46, 0)
    + week_rows("a-availability", W47, 20)
    + week_rows("b-availability", W46, 20)
    + week_rows("b-availability", W47, 5)
    + week_rows("c-availability", W46, 1)
    + week_rows("c-availability", W47, 1)
)


def test_an_slo_that_missed_the_weeks_objective_is_breached():
    assert [line.slo for line in review(MIXED).breached] == ["a-availability"]


def test_an_slo_that_missed_last_week_and_met_this_week_recovered():
    assert [line.slo for line in review(MIXED).recovered] == ["b-availability"]


def test_a_recovered_slo_shows_last_weeks_sli_beside_this_weeks():
    line = review(MIXED).recovered[0]
    assert (line.sli, line.previous_sli) == ("99.5%", "98.0%")


def test_budget_under_a_quarter_puts_an_slo_at_risk():
    weekly = review(
        MIXED, readings=[SloReading("a-availability", "a", 0.20, "ok"), SloReading("c-availability", "c", 0.90, "ok")]
    )
    assert [(r.slo, r.budget_remaining, r.why) for r in weekly.at_risk] == [
        ("a-availability", "20.0%", "budget under 25%")
    ]


def test_a_firing_tier_puts_an_slo_at_risk_whatever_its_budget():
    weekly = review(MIXED, readings=[SloReading("c-availability", "c", 0.90, "ticket")])
    assert [(r.slo, r.why) for r in weekly.at_risk] == [("c-availability", "ticket tier firing")]


def test_an_slo_without_a_reading_is_not_at_risk():
    weekly = review(MIXED, readings=[SloReading("c-availability", "c", None, "no data")])
    assert weekly.at_risk == ()


def test_top_offenders_are_ordered_by_budget_burned():
    rows = (
        week_rows("a-availability", W47, 2)
        + week_rows("b-availability", W47, 8)
        + week_rows("c-availability", W47, 5)
        + week_rows("d-availability", W47, 0)
    )
    weekly = review(rows)
    assert [line.slo for line in weekly.top_offenders] == ["b-availability", "c-availability", "a-availability"]


def test_budget_burned_is_the_share_of_the_period_budget():
    # 1% errors against a 1% budget for 7 of 30 days: 7/30 of the budget
    weekly = review(week_rows("a-availability", W47, 10))
    assert weekly.top_offenders[0].budget_burned == "23.3%"


def test_slos_met_and_compliance_deltas_compare_with_the_previous_week():
    rows = (
        week_rows("a-availability", W46, 20)
        + week_rows("a-availability", W47, 0)
        + week_rows("b-availability", W46, 0)
        + week_rows("b-availability", W47, 0)
    )
    weekly = review(rows)
    assert (figure(weekly, "SLOs met").value, figure(weekly, "SLOs met").delta) == ("2 of 2", "+1")
    assert (figure(weekly, "Compliance").value, figure(weekly, "Compliance").delta) == ("100%", "+50 pts")


def test_requests_delta_is_relative():
    rows = week_rows("a-availability", W46, 0, total=1000) + week_rows("a-availability", W47, 0, total=1100)
    requests = figure(review(rows), "Requests")
    assert (requests.value, requests.delta) == ("7,700", "+10.0%")


def test_a_week_without_rollups_shows_no_data_not_zero():
    weekly = review(week_rows("a-availability", W46, 0))
    assert figure(weekly, "SLOs met").value == "no data"
    assert figure(weekly, "Requests").value == "no data"
    assert not weekly.has_slo_data


def incident(reference: str, started: datetime, ack_minutes: int | None, resolve_minutes: int | None) -> Incident:
    return Incident(
        reference,
        "checkout",
        "SEV2",
        started,
        acknowledged=None if ack_minutes is None else started + timedelta(minutes=ack_minutes),
        resolved=None if resolve_minutes is None else started + timedelta(minutes=resolve_minutes),
    )


def test_incidents_of_the_week_count_and_compare_with_last_week():
    tuesday = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    incidents = [
        incident("INC-1", tuesday, 10, 60),
        incident("INC-2", tuesday + timedelta(days=1), 20, 180),
        incident("INC-0", tuesday - timedelta(days=7), 5, 30),
    ]
    weekly = review(MIXED, incidents=incidents)
    assert [line.reference for line in weekly.incidents] == ["INC-1", "INC-2"]
    assert (figure(weekly, "Incidents").value, figure(weekly, "Incidents").delta) == ("2", "+1")


def test_mtta_and_mttr_show_mean_and_median_with_the_change_of_the_mean():
    tuesday = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    incidents = [
        incident("INC-1", tuesday, 10, 60),
        incident("INC-2", tuesday, 20, 180),
        incident("INC-3", tuesday, 60, None),
        incident("INC-0", tuesday - timedelta(days=7), 5, 30),
    ]
    weekly = review(MIXED, incidents=incidents)
    assert (figure(weekly, "MTTA").full_value, figure(weekly, "MTTA").delta) == ("30 min (median 20 min)", "+25 min")
    assert (figure(weekly, "MTTR").full_value, figure(weekly, "MTTR").delta) == ("2 h (median 2 h)", "+1 h 30 min")


def test_an_open_incident_has_no_time_to_resolve():
    weekly = review(MIXED, incidents=[incident("INC-1", datetime(2026, 11, 17, 9, tzinfo=UTC), 5, None)])
    assert weekly.incidents[0].time_to_resolve == "open"


def test_an_incident_belongs_to_the_week_of_its_local_start():
    sunday_night_utc = datetime(2026, 11, 15, 23, 30, tzinfo=UTC)  # Monday 00:30 in Berlin
    weekly = review(MIXED, incidents=[incident("INC-1", sunday_night_utc, 5, 10)])
    assert [line.reference for line in weekly.incidents] == ["INC-1"]


def test_without_snapshots_the_database_section_is_none():
    assert review(MIXED, databases_now=None).databases is None


def test_database_changes_list_only_statuses_that_moved():
    at = datetime(2026, 11, 22, 22, 0, tzinfo=UTC)
    weekly = review(
        MIXED,
        databases_now=[
            DatabaseStatus("orders", "warn", at),
            DatabaseStatus("users", "ok", at),
            DatabaseStatus("billing", "ok", at),
        ],
        databases_before=[DatabaseStatus("orders", "ok", at), DatabaseStatus("users", "ok", at)],
    )
    assert [(c.database, c.before, c.after) for c in weekly.database_changes] == [
        ("billing", "not monitored", "ok"),
        ("orders", "ok", "warn"),
    ]


def test_the_previous_week_crosses_the_year_boundary():
    assert previous_week("2027-W01") == "2026-W53"


def test_the_last_complete_week_ends_on_the_last_local_sunday():
    assert last_complete_week(NOW, "Europe/Berlin") == "2026-W47"


def test_on_sunday_evening_utc_the_week_has_already_ended_in_seoul():
    sunday_evening = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # Monday 01:00 in Seoul
    assert last_complete_week(sunday_evening, "Asia/Seoul") == "2026-W47"
    assert last_complete_week(sunday_evening, "Europe/Berlin") == "2026-W46"


@pytest.mark.parametrize(
    ("week", "status"), [("2026-W47", "complete"), ("2026-W48", "current"), ("2026-W49", "future")]
)
def test_week_status(week, status):
    assert week_status(week, NOW, "Europe/Berlin") == status


# --- alerts that fired, and deltas judged better or worse -----------------------------------------------------------

BERLIN_W47_START = datetime(2026, 11, 15, 23, 0, tzinfo=UTC)  # Monday 00:00 in Berlin (CET, UTC+1)
BERLIN_W47_END = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)


def firing(severity: str, started: datetime, ended: datetime | None, slo: str = "inventory-availability"):
    from metrics.slo.alert_history import AlertKey, FiringInterval
    from metrics.slo.alerts import Urgency

    windows = ("1h", "5m") if severity == "page" else ("1d", "2h")
    key = AlertKey(slo, slo.split("-")[0], severity, *windows, Urgency(severity))
    return FiringInterval(key, started, ended, False)


def renamed(interval, severity: str):
    """The same firing under the team's own name for its severity ("P1" for a page)."""
    from dataclasses import replace

    return replace(interval, key=replace(interval.key, severity=severity))


def alerts_review(intervals, **inputs):
    rows = week_rows("inventory-availability", W46, 1) + week_rows("inventory-availability", W47, 1)
    return review(rows, alerts=intervals, alerts_until=NOW, **inputs)


def test_the_alerts_section_lists_each_firing_that_overlaps_the_week_oldest_first():
    hour = timedelta(hours=1)
    weekly = alerts_review(
        [
            firing("page", BERLIN_W47_START + 50 * hour, BERLIN_W47_START + 51 * hour),
            firing("page", BERLIN_W47_START - 2 * hour, BERLIN_W47_START + hour),  # began the Sunday before
            firing("ticket", BERLIN_W47_END - hour, None),  # still firing at the history's end
            firing("page", BERLIN_W47_START - 5 * hour, BERLIN_W47_START),  # ended as the week began: not in it
            firing("page", BERLIN_W47_END, BERLIN_W47_END + hour),  # began as the week ended: not in it
        ]
    )
    assert [(a.severity, a.started, a.ended) for a in weekly.alerts] == [
        ("page", "2026-11-15 22:00", "2026-11-16 01:00"),
        ("page", "2026-11-18 02:00", "2026-11-18 03:00"),
        ("ticket", "2026-11-22 23:00", "still firing"),
    ]
    assert weekly.alerts[1].tier == "1h / 5m" and weekly.alerts[1].duration == "1 h"


def test_the_alerts_figure_counts_firings_that_started_in_the_week_against_the_week_before():
    hour = timedelta(hours=1)
    weekly = alerts_review(
        [
            firing("page", BERLIN_W47_START + hour, BERLIN_W47_START + 2 * hour),
            firing("page", BERLIN_W47_START + 30 * hour, BERLIN_W47_START + 31 * hour),
            firing("ticket", BERLIN_W47_START + 60 * hour, BERLIN_W47_START + 62 * hour),
            firing("page", BERLIN_W47_START - 30 * hour, BERLIN_W47_START - 29 * hour),  # in W46
        ]
    )
    alerts = figure(weekly, "Alerts fired")
    assert (alerts.value, alerts.detail, alerts.delta) == ("3", "2 page, 1 ticket", "+2")
    assert alerts.verdict.value == "worse"


def test_the_alerts_figure_counts_renamed_severities_by_their_urgency():
    hour = timedelta(hours=1)
    weekly = alerts_review(
        [
            renamed(firing("page", BERLIN_W47_START + hour, BERLIN_W47_START + 2 * hour), "P1"),
            renamed(firing("ticket", BERLIN_W47_START + 60 * hour, BERLIN_W47_START + 62 * hour), "P3"),
        ]
    )

    assert figure(weekly, "Alerts fired").detail == "1 page, 1 ticket"
    assert [a.severity for a in weekly.alerts] == ["P1", "P3"]  # listed as the team calls them


def test_alerts_that_could_not_be_read_are_no_data_not_zero():
    rows = week_rows("inventory-availability", W47, 1)
    weekly = review(rows, alerts=None, alerts_note="Alerts could not be read: Prometheus is unreachable")
    assert weekly.alerts is None
    assert figure(weekly, "Alerts fired").value == "no data"
    assert weekly.alerts_note.startswith("Alerts could not be read")


def test_fewer_incidents_than_last_week_is_better_and_more_budget_burned_is_worse():
    from metrics.weekly.review import Verdict

    rows = week_rows("checkout-availability", W46, 1) + week_rows("checkout-availability", W47, 3)
    incident = Incident("INC-1", "checkout", "SEV2", datetime(2026, 11, 10, 9, tzinfo=UTC))
    weekly = review(rows, incidents=[incident])
    assert figure(weekly, "Incidents").verdict is Verdict.BETTER
    assert figure(weekly, "Budget burned (worst SLO)").verdict is Verdict.WORSE
    assert figure(weekly, "Requests").verdict is Verdict.NOT_COMPARED


def test_a_delta_that_rounds_to_zero_is_unchanged_not_worse():
    from metrics.weekly.review import Verdict

    rows = week_rows("checkout-availability", W46, 1) + week_rows("checkout-availability", W47, 1.00001)
    burned = figure(review(rows), "Budget burned (worst SLO)")
    assert burned.delta.startswith("±") and burned.verdict is Verdict.UNCHANGED
