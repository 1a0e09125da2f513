"""Deploys of a service, entered by hand (or read from a Prometheus series): when, which version, who entered it.

A deploy is an instant on the SLO charts. The rules here decide what may be stored: a known service, a version or
description, a moment no more than ``MAX_PAST`` back and not in the future (a deploy is entered once it happened)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_PAST = timedelta(days=30)
FUTURE_SLACK = timedelta(minutes=5)  # clocks differ a little between the person's machine and the app's
VERSION_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 2000


class DeployError(ValueError):
    """A field of a deploy entry is not acceptable; the message names it."""


@dataclass(frozen=True)
class Deploy:
    service: str
    deployed_at: datetime  # aware
    version: str
    description: str
    entered_by: str
    entered_at: datetime
    id: int | None = None
    source: str = "manual"  # "manual", or the Prometheus series it was read from

    @property
    def label(self) -> str:
        return " — ".join(part for part in (self.version, self.description) if part)


def validate_deploy(
    *,
    service: str,
    deployed_at: datetime | None,
    version: str,
    description: str,
    now: datetime,
    known_services: Sequence[str],
) -> tuple[str, datetime, str, str]:
    """(service, when, version, description) cleaned, or ``DeployError`` naming the first bad field."""
    name = (service or "").strip()
    if not name:
        raise DeployError("service: name the service that was deployed")
    if name not in known_services:
        raise DeployError(f"service: {name!r} is not in the catalog (known: {', '.join(sorted(set(known_services)))})")
    if deployed_at is None:
        raise DeployError("when: say when the deploy happened")
    if deployed_at.tzinfo is None:
        raise DeployError("when: the moment needs a time zone")
    if deployed_at > now + FUTURE_SLACK:
        raise DeployError("when: a deploy is entered once it happened, not ahead of time")
    if deployed_at < now - MAX_PAST:
        raise DeployError(f"when: deploys can be entered up to {MAX_PAST.days} days in the past")
    text_version = (version or "").strip()
    text_description = (description or "").strip()
    if not text_version and not text_description:
        raise DeployError("version: give the version deployed or a description")
    if len(text_version) > VERSION_MAX_LENGTH:
        raise DeployError(f"version: at most {VERSION_MAX_LENGTH} characters")
    if len(text_description) > DESCRIPTION_MAX_LENGTH:
        raise DeployError(f"description: at most {DESCRIPTION_MAX_LENGTH} characters")
    return name, deployed_at, text_version, text_description


def deploys_from_values(
    service: str, points: Sequence[tuple[datetime, float]], series: str, entered_at: datetime
) -> list[Deploy]:
    """Deploys read from a series whose value changes at each deploy (``deploy_timestamp_seconds``, a version
    number): one deploy at each point whose value differs from the previous point's. The first point is not a
    deploy: what came before it is unknown."""
    found = []
    ordered = sorted(points)
    for (_, before), (when, value) in zip(ordered, ordered[1:], strict=False):
        if value != before:
            found.append(
                Deploy(
                    service=service,
                    deployed_at=when,
                    version=f"{value:g}",
                    description="",
                    entered_by=series,
                    entered_at=entered_at,
                    source=series,
                )
            )
    return found
