"""The incidents service on a throwaway SQLite store: what the Incidents page and ``cli.py incidents`` both run."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from data.incidents.service import (
    ImportResult,
    import_incidents,
    incident_report,
    incidents_in_days,
    recent_incidents,
    record_incident,
)
from metrics.access import PermissionDenied
from metrics.incidents.rules import Incident, IncidentError
from tests.support.actors import admin, editor

ZONE = "Europe/Berlin"
SERVICES = ["checkout", "search"]
T0 = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)  # a Tuesday of 2026-W47
CSV = (
    "id,service,severity,started,detected,acknowledged,resolved,summary,postmortem\n"
    "INC-1,checkout,SEV2,2026-11-17T10:00,,2026-11-17T10:10,2026-11-17T12:00,card errors,\n"
    "INC-2,search,SEV3,2026-11-18T10:00,,,,slow queries,\n"
)


def incident(reference: str = "INC-9", started: datetime = T0, **fields) -> Incident:
    return Incident(reference, fields.pop("service", "checkout"), fields.pop("severity", "SEV2"), started, **fields)


def test_recording_a_new_incident_says_it_was_added(engine):
    assert record_incident(engine, incident(), services=SERVICES, actor=editor(), recorded_at=T0) is True


def test_recording_an_existing_id_updates_it(engine):
    record_incident(engine, incident(), services=SERVICES, actor=editor(), recorded_at=T0)
    assert (
        record_incident(engine, incident(summary="fixed"), services=SERVICES, actor=editor(), recorded_at=T0) is False
    )


def test_an_incident_of_an_unknown_service_is_refused_and_not_stored(engine):
    with pytest.raises(IncidentError):
        record_incident(engine, incident(service="nope"), services=SERVICES, actor=editor(), recorded_at=T0)
    assert recent_incidents(engine, T0) == []


def test_a_csv_is_stored_whole(engine):
    result = import_incidents(engine, CSV, time_zone=ZONE, services=SERVICES, actor=admin(), recorded_at=T0)
    assert result == ImportResult(added=2, updated=0)


def test_a_csv_with_one_bad_row_stores_nothing(engine):
    broken = CSV.replace("INC-2,search", "INC-2,nope")
    with pytest.raises(IncidentError):
        import_incidents(engine, broken, time_zone=ZONE, services=SERVICES, actor=admin(), recorded_at=T0)
    assert recent_incidents(engine, T0 + timedelta(days=2)) == []


def test_importing_is_for_admins(engine):
    with pytest.raises(PermissionDenied):
        import_incidents(engine, CSV, time_zone=ZONE, services=SERVICES, actor=editor(), recorded_at=T0)


def test_local_days_include_an_incident_that_started_before_utc_midnight(engine):
    late = datetime(2026, 11, 16, 23, 30, tzinfo=UTC)  # 00:30 on Tuesday 17 November in Berlin
    record_incident(engine, incident(started=late), services=SERVICES, actor=editor(), recorded_at=late)
    found = incidents_in_days(engine, date(2026, 11, 17), date(2026, 11, 17), ZONE)
    assert [i.reference for i in found] == ["INC-9"]


def test_the_report_lists_every_week_but_tables_only_those_with_incidents():
    report = incident_report([incident()], ZONE, date(2026, 11, 9), date(2026, 11, 22))
    assert ([w.key for w in report.weeks], [w.key for w in report.weeks_with_incidents]) == (
        ["2026-W46", "2026-W47"],
        ["2026-W47"],
    )


def test_the_report_groups_by_service():
    report = incident_report([incident(), incident("INC-10", service="search")], ZONE, T0.date(), T0.date())
    assert sorted((s.key, s.count) for s in report.services) == [("checkout", 1), ("search", 1)]
