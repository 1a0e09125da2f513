"""The budget adjustments' steps, run by the SLO pages and ``cli.py slo-adjustments`` alike: entering one, changing
one (on the version read), removing one (editors only, every step in the audit trail), listing them, and the ones in
force that the report, the drill-down and the rollups take out of their counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from data.settings import Settings
from data.slo_adjustments.store import (
    AlreadyRecorded,
    NotFound,
    StaleEdit,
    adjustments_stored,
    get_adjustment,
    insert_adjustment,
    list_adjustments,
    remove_adjustment,
    update_adjustment,
)
from data.store.engine import shared_engine
from metrics.access import Actor, Role, require, require_role
from metrics.slo.adjustments import (
    Adjustment,
    AdjustmentCategory,
    AdjustmentError,
    Scope,
    parse_label_selector,
    validate,
)
from metrics.slo.definitions import SloDefinition

__all__ = [
    "AdjustmentError",
    "AlreadyRecorded",
    "NotFound",
    "StaleEdit",
    "add_adjustment",
    "adjustments",
    "adjustments_in_force",
    "change_adjustment",
    "revise_adjustment",
    "scope_of",
    "withdraw_adjustment",
]

WRITE = "enter, change or remove SLO budget adjustments"


def scope_of(slos: Sequence[str] = (), services: Sequence[str] = (), selector: str = "") -> Scope:
    """The coverage as typed: names and services stripped of blanks and repeats, the selector parsed."""

    def cleaned(names: Sequence[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name.strip() for name in names if name and name.strip()))

    return Scope(cleaned(slos), cleaned(services), parse_label_selector(selector or ""))


def _checked(
    settings: Settings,
    catalog: Sequence[SloDefinition],
    *,
    category: str | AdjustmentCategory,
    reason: str,
    start: datetime | None,
    end: datetime | None,
    duration: timedelta | None,
    recurrence: str | None,
    scope: Scope,
    stored: Adjustment | None = None,
) -> dict:
    chosen, text, first, last, rule = validate(
        category=category,
        reason=reason,
        start=start,
        end=end,
        duration=duration,
        recurrence=recurrence,
        scope=scope,
        now=settings.now(),
        known_slos=[slo.name for slo in catalog],
        known_services=[slo.service for slo in catalog],
        stored=stored,
    )
    return {"category": chosen, "reason": text, "start": first, "end": last, "recurrence": rule, "scope": scope}


def add_adjustment(
    settings: Settings,
    catalog: Sequence[SloDefinition],
    *,
    actor: Actor,
    category: str | AdjustmentCategory,
    reason: str,
    start: datetime | None,
    end: datetime | None = None,
    duration: timedelta | None = None,
    recurrence: str | None = None,
    scope: Scope,
    submission_key: str | None = None,
) -> Adjustment:
    """Store a new adjustment under the actor's name. Editors only (``PermissionDenied`` before anything is looked
    at); ``AdjustmentError`` names a bad field; ``AlreadyRecorded`` for a repeated submission."""
    require_role(actor, Role.EDITOR, WRITE)
    fields = _checked(
        settings,
        catalog,
        category=category,
        reason=reason,
        start=start,
        end=end,
        duration=duration,
        recurrence=recurrence,
        scope=scope,
    )
    name = require(actor, Role.EDITOR, WRITE)
    adjustment = Adjustment(**fields, entered_by=name, entered_at=settings.now())
    return insert_adjustment(
        shared_engine(settings.database_url), adjustment, actor=actor, submission_key=submission_key
    )


def change_adjustment(
    settings: Settings,
    catalog: Sequence[SloDefinition],
    *,
    actor: Actor,
    adjustment_id: int,
    version: int,
    category: str | AdjustmentCategory,
    reason: str,
    start: datetime | None,
    end: datetime | None = None,
    duration: timedelta | None = None,
    recurrence: str | None = None,
    scope: Scope,
) -> Adjustment:
    """Replace an adjustment's fields, if it is still at ``version`` (``StaleEdit`` otherwise). Editors only. One
    that started more than ``MAX_PAST`` ago keeps what it took out before then (``validate``, its ``stored``)."""
    require_role(actor, Role.EDITOR, WRITE)
    engine = shared_engine(settings.database_url)
    current = get_adjustment(engine, adjustment_id)
    fields = _checked(
        settings,
        catalog,
        category=category,
        reason=reason,
        start=start,
        end=end,
        duration=duration,
        recurrence=recurrence,
        scope=scope,
        stored=current,
    )
    require(actor, Role.EDITOR, WRITE)
    return update_adjustment(engine, adjustment_id, version, replace(current, **fields), actor=actor, at=settings.now())


KEPT = object()  # a field ``revise_adjustment`` leaves as stored


def revise_adjustment(
    settings: Settings,
    catalog: Sequence[SloDefinition],
    *,
    actor: Actor,
    adjustment_id: int,
    version: int,
    category: str | AdjustmentCategory | object = KEPT,
    reason: str | object = KEPT,
    start: datetime | object = KEPT,
    end: datetime | object = KEPT,
    duration: timedelta | None = None,
    recurrence: str | None | object = KEPT,
    slos: Sequence[str] | object = KEPT,
    services: Sequence[str] | object = KEPT,
    selector: str | object = KEPT,
) -> Adjustment:
    """``change_adjustment`` for the fields given, every other one as stored (the CLI's ``change``): a new start
    keeps the stored end unless ``duration`` (or ``end``) comes with it; an empty recurrence makes the window a
    one-off; a list of SLOs or services given replaces that list only. Editors only; ``NotFound``, ``StaleEdit``,
    ``AdjustmentError`` as ``change_adjustment``."""
    require_role(actor, Role.EDITOR, WRITE)
    current = get_adjustment(shared_engine(settings.database_url), adjustment_id)

    def given(value, stored):
        return stored if value is KEPT else value

    scope = scope_of(
        given(slos, current.scope.slos),
        given(services, current.scope.services),
        given(selector, current.scope.selector_text),
    )
    return change_adjustment(
        settings,
        catalog,
        actor=actor,
        adjustment_id=adjustment_id,
        version=version,
        category=given(category, current.category),
        reason=given(reason, current.reason),
        start=given(start, current.start),
        end=None if duration is not None else given(end, current.end),
        duration=duration,
        recurrence=given(recurrence, current.recurrence) or None,
        scope=scope,
    )


def withdraw_adjustment(
    settings: Settings, *, actor: Actor, adjustment_id: int, version: int | None = None
) -> Adjustment:
    """Remove an adjustment (a soft delete: the row and its history stay); from now on its events count again.
    ``version``: the one read (``StaleEdit`` if it changed since); None takes the current one. Editors only."""
    require_role(actor, Role.EDITOR, WRITE)
    require(actor, Role.EDITOR, WRITE)
    engine = shared_engine(settings.database_url)
    if version is None:
        version = get_adjustment(engine, adjustment_id).version
    return remove_adjustment(engine, adjustment_id, version, actor=actor, at=settings.now())


def adjustments(settings: Settings, *, include_removed: bool = False) -> list[Adjustment]:
    """Every adjustment, newest window first (the removed ones too on request)."""
    return list_adjustments(shared_engine(settings.database_url), include_removed=include_removed)


def adjustments_in_force(settings: Settings) -> list[Adjustment]:
    """The adjustments the figures take out of their counts: every one not removed. None in a store that was never
    created or migrated to 0013 (nobody can have entered one there; reading it must not create it). Raises the
    store's errors otherwise."""
    if not adjustments_stored(settings.database_url):
        return []
    return list_adjustments(shared_engine(settings.database_url))
