"""Deploys of a service, entered by hand (or read from a Prometheus series): when, which version, who entered it.

A deploy is an instant on the SLO charts. The rules here decide what may be stored: a known service, a version or
description, a moment no more than ``MAX_PAST`` back and not in the future (a deploy is entered once it happened).
Deploys read from a series (``DeploySeries``, set in the settings) are found where the series changes, and merged
with the entered ones; each says where it came from (``provenance``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

MAX_PAST = timedelta(days=30)
FUTURE_SLACK = timedelta(minutes=5)  # clocks differ a little between the person's machine and the app's
VERSION_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 2000


class DeployError(ValueError):
    """A field of a deploy entry is not acceptable; the message names it."""


class DeployOrigin(StrEnum):
    ENTERED = "entered"  # by a person, in the store
    SERIES = "series"  # read from the Prometheus series the settings name


@dataclass(frozen=True)
class DeploySeries:
    """Where deploys are read from (``SLO_DEPLOY_SERIES``): a series selector whose value changes at each deploy
    (``deploy_timestamp_seconds``), or, with ``version_label``, whose label of that name does
    (``app_build_info{version=...}``); ``service_label`` names the service."""

    selector: str
    service_label: str = "service"
    version_label: str | None = None

    @property
    def value_is_instant(self) -> bool:
        """A ``*_timestamp_seconds`` value is the deploy's own instant (Prometheus's naming convention)."""
        return self.version_label is None and self.selector.split("{", 1)[0].endswith("_timestamp_seconds")


@dataclass(frozen=True)
class Deploy:
    service: str
    deployed_at: datetime  # aware
    version: str
    description: str
    entered_by: str  # empty for a deploy read from a series
    entered_at: datetime
    id: int | None = None
    origin: DeployOrigin = DeployOrigin.ENTERED
    series: str = ""  # the selector it was read from (``DeployOrigin.SERIES``), or that also shows an entered one

    @property
    def label(self) -> str:
        return " — ".join(part for part in (self.version, self.description) if part)

    @property
    def provenance(self) -> str:
        """ "entered by Dana" or "from deploy_timestamp_seconds": where the mark's hover and the CLI say it came
        from."""
        if self.origin is DeployOrigin.SERIES:
            return f"from {self.series}"
        return f"entered by {self.entered_by}" + (f", also in {self.series}" if self.series else "")


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


def _read(service: str, when: datetime, version: str, series: str, entered_at: datetime) -> Deploy:
    return Deploy(
        service=service,
        deployed_at=when,
        version=version,
        description="",
        entered_by="",
        entered_at=entered_at,
        origin=DeployOrigin.SERIES,
        series=series,
    )


def deploys_from_values(
    service: str,
    points: Sequence[tuple[datetime, float]],
    series: str,
    entered_at: datetime,
    value_is_instant: bool = False,
) -> list[Deploy]:
    """Deploys read from a series whose value changes at each deploy (``deploy_timestamp_seconds``, a version
    number): one deploy at each point whose value differs from the previous point's. The first point is not a
    deploy: what came before it is unknown. ``value_is_instant``: the value is the deploy's Unix time, more exact
    than the point that first shows it, so the deploy is placed there (when it falls between the two points)."""
    found = []
    ordered = sorted(points)
    for (previous, before), (when, value) in zip(ordered, ordered[1:], strict=False):
        if value == before:
            continue
        if value_is_instant:
            stated = datetime.fromtimestamp(value, tz=UTC) if 0 < value < 32_503_680_000 else None
            at = stated if stated is not None and previous < stated <= when else when
            found.append(_read(service, at, "", series, entered_at))
        else:
            found.append(_read(service, when, f"{value:g}", series, entered_at))
    return found


def deploys_from_versions(
    service: str, points: Sequence[tuple[datetime, str]], series: str, entered_at: datetime
) -> list[Deploy]:
    """Deploys read from a label that names the version running (``app_build_info{version="v2"}``): one at each
    point whose version differs from the previous point's (``points``: the version seen at each instant; while two
    run side by side, the newer one). The first point is not a deploy."""
    found = []
    ordered = sorted(points)
    for (_, before), (when, version) in zip(ordered, ordered[1:], strict=False):
        if version != before:
            found.append(_read(service, when, version, series, entered_at))
    return found


def running_versions(series: Sequence[tuple[str, Sequence[datetime]]]) -> list[tuple[datetime, str]]:
    """The version running at each instant, from the instants each version's series is present: where several are
    present at once (a rolling deploy), the one that appeared last."""
    first_seen = {version: min(instants) for version, instants in series if instants}
    present: dict[datetime, list[str]] = {}
    for version, instants in series:
        for instant in instants:
            present.setdefault(instant, []).append(version)
    return [
        (instant, max(versions, key=lambda version: (first_seen[version], version)))
        for instant, versions in sorted(present.items())
    ]


SAME_DEPLOY_WITHIN = timedelta(minutes=15)  # a series' mark this close to an entered one of the same version is it


def merge_deploys(entered: Sequence[Deploy], read: Sequence[Deploy]) -> list[Deploy]:
    """The entered deploys and those read from a series as one list, newest first; at the same instant an entered
    one comes first. A series' deploy of the same service and version as an entered one, within
    ``SAME_DEPLOY_WITHIN`` of it (a series places a deploy up to a step late), is that deploy: one mark, the entered
    one, which names the series too (``series``). Each pairs with at most one, the closest."""
    pairs = sorted(
        (abs(mine.deployed_at - theirs.deployed_at), e, r)
        for e, mine in enumerate(entered)
        for r, theirs in enumerate(read)
        if mine.service == theirs.service
        and mine.version
        and mine.version == theirs.version
        and abs(mine.deployed_at - theirs.deployed_at) <= SAME_DEPLOY_WITHIN
    )
    kept, paired = list(entered), set()
    for _, e, r in pairs:
        if kept[e].series or r in paired:
            continue
        kept[e] = replace(kept[e], series=read[r].series)
        paired.add(r)
    unmatched = [theirs for r, theirs in enumerate(read) if r not in paired]
    return sorted(
        [*kept, *unmatched],
        key=lambda deploy: (deploy.deployed_at, deploy.origin is DeployOrigin.ENTERED, deploy.service),
        reverse=True,
    )
