"""The deploys' steps, run by the SLO burn drill-down's form and ``cli.py slo-deploys`` alike: entering one (editors
only, in the audit trail, once per form submission) and listing them, for the annotations of the SLO and trends
charts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from data.settings import Settings
from data.slo_deploys.store import AlreadyRecorded, deploys_stored, insert_deploy, list_deploys
from data.store.engine import shared_engine
from metrics.access import Actor, Role, require, require_role
from metrics.slo.definitions import SloDefinition
from metrics.slo.deploys import Deploy, DeployError, validate_deploy

__all__ = ["AlreadyRecorded", "DeployError", "add_deploy", "deploys"]

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
