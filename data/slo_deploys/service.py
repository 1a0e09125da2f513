"""The deploys' steps, run by the SLO burn drill-down's form and ``cli.py slo-deploys`` alike: entering one (editors
only, in the audit trail, once per form submission) and listing them, for the annotations of the SLO and trends
charts: the entered ones, merged with those read from the series ``SLO_DEPLOY_SERIES`` names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from data.settings import Settings
from data.slo_deploys.store import AlreadyRecorded, deploys_stored, insert_deploy, list_deploys
from data.store.engine import shared_engine
from metrics.access import Actor, Role, require, require_role
from metrics.slo.definitions import SloDefinition
from metrics.slo.deploys import Deploy, DeployError, merge_deploys, validate_deploy

__all__ = ["AlreadyRecorded", "DeployError", "DeployRead", "add_deploy", "all_deploys", "deploys", "series_deploys"]

WRITE = "enter deploys"


def add_deploy(
    settings: Settings,
    catalog: Sequence[SloDefinition],
    *,
    actor: Actor,
    service: str,
    deployed_at: datetime | None,
    version: str = "",
    description: str = "",
    submission_key: str | None = None,
) -> Deploy:
    """Store a deploy under the actor's name. Editors only (``PermissionDenied`` before anything is looked at);
    ``DeployError`` names a bad field; ``AlreadyRecorded`` for a repeated submission."""
    require_role(actor, Role.EDITOR, WRITE)
    now = settings.now()
    name, when, text_version, text_description = validate_deploy(
        service=service,
        deployed_at=deployed_at,
        version=version,
        description=description,
        now=now,
        known_services=[slo.service for slo in catalog],
    )
    entered_by = require(actor, Role.EDITOR, WRITE)
    deploy = Deploy(
        service=name,
        deployed_at=when,
        version=text_version,
        description=text_description,
        entered_by=entered_by,
        entered_at=now,
    )
    return insert_deploy(shared_engine(settings.database_url), deploy, actor=actor, submission_key=submission_key)


def deploys(
    settings: Settings,
    *,
    services: Sequence[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Deploy]:
    """The stored deploys (of ``services``, within [since, until]), newest first. None in a store that was never
    created or migrated to 0016 (reading it must not create it); the store's errors otherwise."""
    if not deploys_stored(settings.database_url):
        return []
    return list_deploys(
        shared_engine(settings.database_url),
        services=None if services is None else list(services),
        since=since,
        until=until,
    )


@dataclass(frozen=True)
class DeployRead:
    deploys: list[Deploy]  # newest first, entered and read from the series together
    notes: list[str] = field(default_factory=list)  # what could not be read, and why


def series_deploys(
    settings: Settings, start: datetime, end: datetime, services: Sequence[str] | None = None, source=None
) -> DeployRead:
    """The deploys the ``SLO_DEPLOY_SERIES`` series shows over [start, end] (none when it is not set), read from
    ``source`` (the page's shared one, whose answer cache serves every viewer) or the configured Prometheus. A
    source that cannot answer leaves them out with a note; it never raises."""
    from data.slo.prometheus import PrometheusSource, QueryError
    from data.slo.sources import SourceError
    from data.slo_deploys.series import read_series_deploys

    series = settings.deploy_series
    if series is None:
        return DeployRead([])
    if settings.prometheus is None:
        return DeployRead(
            [], [f"No deploys from {series.selector}: SLO_DEPLOY_SERIES needs a Prometheus (PROMETHEUS_URL)."]
        )
    if source is None or getattr(source, "is_demo", False):
        source = PrometheusSource(settings.prometheus)
    try:
        found = read_series_deploys(source, series, services, start, end, settings.now())
    except (SourceError, QueryError) as error:
        return DeployRead(
            [],
            [
                f"The deploys from {series.selector} could not be read ({error}); only the deploys entered by hand "
                "are shown."
            ],
        )
    return DeployRead(found)


def all_deploys(
    settings: Settings, start: datetime, end: datetime, services: Sequence[str] | None = None, source=None
) -> DeployRead:
    """The entered deploys and the series' over [start, end], merged newest first; a store or source that cannot be
    read leaves its own deploys out with a note, never the other's."""
    notes: list[str] = []
    try:
        entered = deploys(settings, services=services, since=start, until=end)
    except Exception as error:  # a store error of any kind: the series' deploys still show
        entered = []
        notes.append(f"The deploys entered by hand could not be read from the store ({type(error).__name__}).")
    read = series_deploys(settings, start, end, services, source)
    return DeployRead(merge_deploys(entered, read.deploys), notes + read.notes)
