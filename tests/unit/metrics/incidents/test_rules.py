"""Incident rules, CSV parsing with row- and field-named problems, and recovery times (metrics.incidents.rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from metrics.incidents.rules import (
    Incident,
    IncidentError,
    incident_problems,
    parse_incidents_csv,
    recovery_stats,
    stats_by_week,
)

UTC = UTC
SERVICES = ["checkout", "search"]
HEADER = "id,service,severity,started,detected,acknowledged,resolved,summary,postmortem\n"


def at(hour: int, minute: int = 0, day: int = 16) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def incident(**changes) -> Incident:
    values = dict(
        reference="INC-1",
        service="checkout",
        severity="SEV2",
        started=at(10),
        detected=at(10, 5),
        acknowledged=at(10, 12),
        resolved=at(11),
    )
    values.update(changes)
    return Incident(**values)


def test_time_to_acknowledge_runs_from_detection():
    assert incident().time_to_acknowledge == timedelta(minutes=7)


def test_time_to_acknowledge_falls_back_to_the_start_without_detection():
    assert incident(detected=None).time_to_acknowledge == timedelta(minutes=12)


def test_time_to_resolve_runs_from_the_start():
    assert incident().time_to_resolve == timedelta(hours=1)


def test_an_open_incident_has_no_time_to_resolve():
    assert incident(resolved=None).time_to_resolve is None


def test_acknowledged_before_detected_is_named():
    assert incident_problems(incident(acknowledged=at(10, 1)), SERVICES) == ["acknowledged: before detected"]


def test_a_service_outside_the_catalog_is_named():
    assert incident_problems(incident(service="billing"), SERVICES)[0].startswith("service: 'billing' is not in")


def test_csv_rows_become_incidents_with_naive_times_in_the_team_zone():
    text = HEADER + "INC-7,search,sev3,2026-11-16T10:00,,2026-11-16T10:30,,slow,\n"
    parsed = parse_incidents_csv(text, "Asia/Seoul", SERVICES)
    assert parsed[0].started == datetime(2026, 11, 16, 1, 0, tzinfo=UTC)
    assert parsed[0].severity == "SEV3"


def test_csv_problems_name_the_row_and_the_field():
    text = HEADER + "INC-1,checkout,SEV1,2026-11-16T10:00,,,,ok,\n" + "INC-2,search,SEV9,noon,,,,bad,ftp://x\n"
    with pytest.raises(IncidentError) as raised:
        parse_incidents_csv(text, "UTC", SERVICES)
    assert raised.value.problems == [
        "row 3, started: 'noon' is not a time like 2026-11-24T14:05 or 2026-11-24T14:05:00+09:00",
        "row 3, severity: 'SEV9' is not one of SEV1, SEV2, SEV3, SEV4",
        "row 3, postmortem: not an http(s) link",
    ]


def test_a_csv_without_a_required_column_is_refused_by_its_header():
    with pytest.raises(IncidentError, match="header: missing column 'severity'"):
        parse_incidents_csv("id,service,started\nINC-1,checkout,2026-11-16T10:00\n", "UTC", SERVICES)


def test_a_repeated_id_in_one_file_is_named_with_its_first_row():
    text = HEADER + "INC-1,checkout,SEV1,2026-11-16T10:00,,,,,\n" * 2
    with pytest.raises(IncidentError, match="row 3, id: 'INC-1' already on row 2"):
        parse_incidents_csv(text, "UTC", SERVICES)


def test_recovery_stats_give_mean_and_median():
    stats = recovery_stats([incident(resolved=at(11)), incident(resolved=at(12)), incident(resolved=at(16))], "w")
    assert (stats.ttr_mean, stats.ttr_median) == (timedelta(hours=3), timedelta(hours=2))


def test_open_incidents_count_but_have_no_recovery_time():
    stats = recovery_stats([incident(resolved=None)], "w")
    assert (stats.count, stats.open, stats.ttr_mean) == (1, 1, None)


def test_an_incident_belongs_to_the_local_iso_week_it_started_in():
    sunday_night_utc = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # Monday 08:30 in Seoul
    weeks = stats_by_week(
        [incident(started=sunday_night_utc, detected=None, acknowledged=None, resolved=None)],
        "Asia/Seoul",
        ["2026-W47", "2026-W48"],
    )
    assert [w.count for w in weeks] == [0, 1]
