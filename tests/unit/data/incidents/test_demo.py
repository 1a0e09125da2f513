"""The demo's incidents are the demo history's outages, placed where the history places them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from data.incidents.demo import DEMO_REFERENCE_PREFIX, demo_incidents
from data.slo.demo import SERVICES
from metrics.incidents.rules import incident_problems

END = datetime(2026, 11, 24, 5, 0, 30, tzinfo=UTC)  # mid-minute: the history's last sample is 05:00:00


def test_every_injected_outage_is_one_incident():
    outages = sum(len(profile.incidents) for profile in SERVICES)
    assert len(demo_incidents(END)) == outages == 4


def test_an_outage_starts_where_the_history_raises_its_errors():
    [checkout] = [incident for incident in demo_incidents(END) if incident.service == "checkout"]
    assert checkout.started == datetime(2026, 11, 24, 4, 10, tzinfo=UTC)  # 50 minutes before the last sample


def test_an_outage_still_going_at_the_end_is_open_and_an_old_one_resolved():
    by_service = {incident.service: incident for incident in demo_incidents(END)}
    assert by_service["checkout"].resolved is None
    assert by_service["inventory"].resolved == datetime(2026, 11, 14, 5, 0, tzinfo=UTC)  # ten days before
    assert by_service["inventory"].time_to_resolve == timedelta(hours=3)


def test_every_demo_incident_is_valid_and_marked_as_the_demo():
    for incident in demo_incidents(END):
        assert incident.reference.startswith(DEMO_REFERENCE_PREFIX)
        assert incident_problems(incident, [profile.name for profile in SERVICES]) == []
