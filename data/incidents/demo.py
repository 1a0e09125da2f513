"""The demo's incidents: the outages the demo SLO history injects (``data.slo.demo.SERVICES``), as a team would have
recorded them, so the weekly review of a fresh install shows what its incident section is for.

Never stored. Shown only in demo mode, and only while the store holds no incident for the weeks shown: the first
incident someone records replaces them. Placed relative to the demo history's end, as the outages themselves are,
so an incident and the burn it caused always line up."""

from __future__ import annotations

from datetime import datetime, timedelta

from data.slo.demo import SERVICES, history_end
from metrics.incidents.rules import Incident

DEMO_REFERENCE_PREFIX = "DEMO-"
DEMO_INCIDENTS_NOTE = (
    "Demo incidents: the outages in the demo history, as a team would record them; not stored. "
    "The first incident recorded on the Incidents page replaces them."
)
_DETECTED_AFTER = timedelta(minutes=4)
_ACKNOWLEDGED_AFTER = timedelta(minutes=11)


def _severity(error_ratio: float) -> str:
    if error_ratio >= 0.05:
        return "SEV1"
    if error_ratio >= 0.01:
        return "SEV2"
    return "SEV3"


def demo_incidents(end: datetime) -> list[Incident]:
    """One incident per injected outage of the demo history ending at ``end``; an outage still going is open."""
    last_sample = history_end(end)
    incidents = []
    for profile in SERVICES:
        for number, outage in enumerate(profile.incidents, start=1):
            started = last_sample - outage.starts_before
            resolved = None if outage.ends_before == timedelta(0) else last_sample - outage.ends_before
            slow = f" and {outage.slow_share:.0%} of requests slow" if outage.slow_share else ""
            incidents.append(
                Incident(
                    reference=f"{DEMO_REFERENCE_PREFIX}{profile.name}-{number}",
                    service=profile.name,
                    severity=_severity(outage.error_ratio),
                    started=started,
                    detected=started + _DETECTED_AFTER,
                    acknowledged=min(started + _ACKNOWLEDGED_AFTER, resolved or end),
                    resolved=resolved,
                    summary=f"{outage.error_ratio:.2%} of {profile.name} requests failing{slow}",
                )
            )
    return sorted(incidents, key=lambda incident: (incident.started, incident.reference))
