"""Revisit tracker store: items with a version column (optimistic locking), an append-only review log, and every
change attributed in the shared ``audit_log``.

Why the shared audit log and not a table of our own: it already exists for exactly this (who changed what, when),
and one trail for the whole app is what a weekly review or an auditor reads. Each tracker entry records
``entity="tracker_item"``, the item id, the action, and ``details = {"version": n, "changes": {field: [old, new]}}``.

Rules come from ``metrics.tracker.rules``; every write validates first and runs in one transaction, so a refused write
stores nothing. There is no function to update or delete a review, and the migration adds database triggers that
refuse it too (``0003_tracker``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from data.store.audit import audit_row, record_audit, record_audits
from data.store.lookups import existing_values
from data.store.models import AuditLogEntry, Base
from data.store.types import UTCDateTime
from metrics.access import Actor, Role, require
from metrics.tracker.acknowledgements import Acknowledgement, acknowledge_fired
from metrics.tracker.due import parsed_triggers
from metrics.tracker.items import (
    EDITABLE_FIELDS,
    FIELD_DEFAULTS,
    ITEM_FIELDS,
    REVIEW_FIELDS,
    Review,
    TrackerItem,
    checked_item,
)
from metrics.tracker.merge import MergeResult, merge_edits
from metrics.tracker.rules import (
    DUE,
    NEW,
    OUTCOME_EFFECTS,
    PARKED,
    KnownNames,
    TrackerRuleError,
    default_resolution,
    parking_problems,
    review_problems,
    state_change_problems,
)
from metrics.tracker.triggers import DUE_BY_HAND, DueReason, Readings

AUDIT_ENTITY = "tracker_item"


class TrackerItemRow(Base):
    __tablename__ = "tracker_items"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    problem_statement: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[str] = mapped_column(sa.String(20), index=True)
    owner_role: Mapped[str] = mapped_column(sa.String(10))
    owner: Mapped[str] = mapped_column(sa.String(200), default="")
    impact: Mapped[str] = mapped_column(sa.String(10))
    urgency: Mapped[str] = mapped_column(sa.String(10))
    why_parked_category: Mapped[str] = mapped_column(sa.String(20))
    why_parked: Mapped[str] = mapped_column(sa.Text, default="")
    workaround: Mapped[str] = mapped_column(sa.Text, default="")
    workaround_holds: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    root_cause_confidence: Mapped[str] = mapped_column(sa.String(20))
    decided_by: Mapped[str] = mapped_column(sa.String(200), default="")
    decided_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    revisit_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    cadence_days: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    last_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolution_code: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    external_reference: Mapped[str] = mapped_column(sa.String(500), default="")
    services: Mapped[list[str]] = mapped_column(sa.JSON)
    slos: Mapped[list[str]] = mapped_column(sa.JSON)
    databases: Mapped[list[str]] = mapped_column(sa.JSON)
    triggers: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    due_reason: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(sa.Integer)


class TrackerReviewRow(Base):
    """One look at an item. Append-only: the migration's triggers refuse UPDATE and DELETE."""

    __tablename__ = "tracker_reviews"
    __table_args__ = (sa.Index("ix_tracker_reviews_item_id_reviewed_at", "item_id", "reviewed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("tracker_items.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewer: Mapped[str] = mapped_column(sa.String(200))
    outcome: Mapped[str] = mapped_column(sa.String(20))
    what_changed: Mapped[str] = mapped_column(sa.Text, default="")
    next_revisit_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    state_before: Mapped[str] = mapped_column(sa.String(20))
    state_after: Mapped[str] = mapped_column(sa.String(20))


class TrackerAcknowledgementRow(Base):
    """A fired trigger a review kept the item parked over (``metrics.tracker.acknowledgements``)."""

    __tablename__ = "tracker_acknowledgements"
    __table_args__ = (sa.Index("ix_tracker_acknowledgements_item_id_acknowledged_at", "item_id", "acknowledged_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("tracker_items.id"))
    review_id: Mapped[int] = mapped_column(sa.Integer)  # no foreign key: see migration 0008
    trigger: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    reading: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
    worse_level: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_on: Mapped[date] = mapped_column(sa.Date)
    until_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    reviewer: Mapped[str] = mapped_column(sa.String(200))


class TrackerSubmissionRow(Base):
    """One form submission's idempotency key, stored with its write: unique, so a double click stores once."""

    __tablename__ = "tracker_submissions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    submission_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    entity_id: Mapped[int] = mapped_column(sa.Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SubmissionKind(StrEnum):
    """What a form submission stored; the value is the stored ``kind``."""

    ITEM = "item"
    REVIEW = "review"


class AlreadySaved(Exception):
    """This form submission was stored before (a second click of the same form): nothing more was stored."""

    def __init__(self, kind: SubmissionKind, entity_id: int) -> None:
        self.kind = kind
        self.entity_id = entity_id
        super().__init__(f"this {kind.value} was already saved (#{entity_id}); nothing more was stored")


class ItemNotFound(LookupError):
    pass


@dataclass(frozen=True)
class FieldConflict:
    field: str
    changed_by: str
    their_value: Any
    your_value: Any
    base_value: Any = None


class EditConflict(Exception):
    """The item changed since the person loaded it; nothing was stored.

    For an edit made from a known base (``update_item`` with ``base``), ``conflicts`` lists only the fields both
    sides changed to different values, and ``merge`` holds the three-way merge (every other field already takes
    the side that changed it). Otherwise it lists every field others changed since ``base_version``, with their
    value and yours (what the person submitted, or the value they started from)."""

    def __init__(
        self,
        current: TrackerItem,
        base_version: int,
        conflicts: list[FieldConflict],
        merge: MergeResult | None = None,
    ) -> None:
        self.current = current
        self.base_version = base_version
        self.conflicts = conflicts
        self.merge = merge
        names = ", ".join(c.field for c in conflicts) or "its state"
        super().__init__(
            f"item {current.id} was changed by someone else since version {base_version} "
            f"(now version {current.version}: {names}); nothing was saved"
        )


# --- helpers --------------------------------------------------------------------------------------------------------

_ITEMS = TrackerItemRow.__table__
_REVIEWS = TrackerReviewRow.__table__
_ACKNOWLEDGEMENTS = TrackerAcknowledgementRow.__table__
_SUBMISSIONS = TrackerSubmissionRow.__table__
_AUDIT = AuditLogEntry.__table__
_ITEM_COLUMNS = ITEM_FIELDS
_REVIEW_COLUMNS = REVIEW_FIELDS


def _item(row: Mapping[str, Any]) -> TrackerItem:
    values = {name: row[name] for name in _ITEM_COLUMNS}
    for name in ("services", "slos", "databases", "triggers"):
        values[name] = list(values[name] or [])
    return TrackerItem(**values)


def _review(row: Mapping[str, Any]) -> Review:
    return Review(**{name: row[name] for name in _REVIEW_COLUMNS})


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return json.loads(json.dumps(value, default=str)) if isinstance(value, (list, dict)) else value


def _audit(
    connection: sa.Connection,
    *,
    item_id: int,
    actor: Actor,
    action: str,
    at: datetime,
    version: int,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    **extra: Any,
) -> None:
    details: dict[str, Any] = {"version": version, **{k: _jsonable(v) for k, v in extra.items()}}
    if changes:
        details["changes"] = {name: [_jsonable(old), _jsonable(new)] for name, (old, new) in changes.items()}
    record_audit(connection, actor=actor, action=action, entity=AUDIT_ENTITY, entity_id=item_id, at=at, details=details)


def _normalise(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    if "title" in cleaned and isinstance(cleaned["title"], str):
        cleaned["title"] = cleaned["title"].strip()
    if cleaned.get("resolution_code") == "":
        cleaned["resolution_code"] = None
    return cleaned


def _check_item(values: Mapping[str, Any], known: KnownNames, check_links: bool) -> dict[str, Any]:
    checked, problems = checked_item(values, known, check_links=check_links)
    if problems:
        raise TrackerRuleError(problems)
    return checked


def _select_item(connection: sa.Connection, item_id: int, for_update: bool = False) -> TrackerItem:
    query = sa.select(_ITEMS).where(_ITEMS.c.id == item_id)
    if for_update and connection.dialect.name != "sqlite":
        query = query.with_for_update()
    row = connection.execute(query).mappings().first()
    if row is None:
        raise ItemNotFound(f"there is no tracker item {item_id}")
    return _item(row)


def _save_version(
    connection: sa.Connection,
    current: TrackerItem,
    values: Mapping[str, Any],
    *,
    actor: Actor,
    action: str,
    now: datetime,
    **extra: Any,
) -> bool:
    """Store ``values`` as the item's next version, with the audit entry naming what changed. False (nothing
    stored) when another version was saved since ``current`` was read."""
    version = current.version + 1
    result = connection.execute(
        sa.update(_ITEMS)
        .where(_ITEMS.c.id == current.id, _ITEMS.c.version == current.version)
        .values({**values, "updated_at": now, "version": version})
    )
    if result.rowcount != 1:
        return False
    changes = {
        name: (getattr(current, name), value) for name, value in values.items() if getattr(current, name) != value
    }
    _audit(
        connection, item_id=current.id, actor=actor, action=action, at=now, version=version, changes=changes, **extra
    )
    return True


def _changed_by(connection: sa.Connection, item_id: int, base_version: int) -> dict[str, str]:
    """Who last changed each field after ``base_version``, from the audit trail."""
    changed_by: dict[str, str] = {}
    entries = connection.execute(
        sa.select(_AUDIT.c.actor, _AUDIT.c.details)
        .where(_AUDIT.c.entity == AUDIT_ENTITY, _AUDIT.c.entity_id == str(item_id))
        .order_by(_AUDIT.c.id)
    )
    for actor, details in entries:
        if (details or {}).get("version", 0) > base_version:
            for name in (details or {}).get("changes", {}):
                changed_by[name] = actor
    return changed_by


def _merge_conflict(
    connection: sa.Connection, current: TrackerItem, base_version: int, merge: MergeResult
) -> EditConflict:
    changed_by = _changed_by(connection, current.id, base_version)
    conflicts = [
        FieldConflict(c.field, changed_by.get(c.field, "someone else"), c.theirs, c.yours, c.base)
        for c in merge.conflicts
    ]
    return EditConflict(current, base_version, conflicts, merge)


def _conflict(
    connection: sa.Connection, item_id: int, base_version: int, submitted: Mapping[str, Any], base: TrackerItem | None
) -> EditConflict:
    current = _select_item(connection, item_id)
    changed_by = _changed_by(connection, item_id, base_version)
    conflicts = []
    for name, actor in changed_by.items():
        if name not in _ITEM_COLUMNS:
            continue
        yours = submitted[name] if name in submitted else (getattr(base, name) if base else None)
        conflicts.append(FieldConflict(name, actor, getattr(current, name), yours))
    return EditConflict(current, base_version, conflicts)


def _previous_submission(connection: sa.Connection, submission: str) -> AlreadySaved | None:
    row = connection.execute(
        sa.select(_SUBMISSIONS.c.kind, _SUBMISSIONS.c.entity_id).where(_SUBMISSIONS.c.submission_key == submission)
    ).first()
    return None if row is None else AlreadySaved(SubmissionKind(row.kind), row.entity_id)


def _refuse_repeated(engine: sa.Engine, submission: str | None) -> None:
    """Raise ``AlreadySaved`` when this submission's key is already stored."""
    if submission is None:
        return
    with engine.connect() as connection:
        previous = _previous_submission(connection, submission)
    if previous is not None:
        raise previous


def _claim_submission(
    connection: sa.Connection, submission: str | None, kind: SubmissionKind, entity_id: int, now: datetime
) -> None:
    """Store the submission's key with its write, in the write's transaction: a second one with the same key
    fails on the unique key and rolls back everything it wrote."""
    if submission is not None:
        connection.execute(
            sa.insert(_SUBMISSIONS).values(
                submission_key=submission, kind=kind.value, entity_id=entity_id, submitted_at=now
            )
        )


def _already_saved_instead(engine: sa.Engine, submission: str | None, error: sa.exc.IntegrityError) -> Exception:
    """A write that failed on a unique key: ``AlreadySaved`` when its submission's key is now stored (another
    click of the same form won the race), else the error itself."""
    if submission is not None:
        with engine.connect() as connection:
            previous = _previous_submission(connection, submission)
        if previous is not None:
            return previous
    return error


# --- reads ----------------------------------------------------------------------------------------------------------


def get_item(engine: sa.Engine, item_id: int) -> TrackerItem | None:
    with engine.connect() as connection:
        try:
            return _select_item(connection, item_id)
        except ItemNotFound:
            return None


def has_items(engine: sa.Engine) -> bool:
    with engine.connect() as connection:
        return connection.execute(sa.select(_ITEMS.c.id).limit(1)).first() is not None


def list_items(engine: sa.Engine) -> list[TrackerItem]:
    """Every item, oldest first (by id)."""
    with engine.connect() as connection:
        return [_item(row) for row in connection.execute(sa.select(_ITEMS).order_by(_ITEMS.c.id)).mappings()]


def reviews_for(engine: sa.Engine, item_id: int) -> list[Review]:
    """An item's review log, oldest first."""
    query = sa.select(_REVIEWS).where(_REVIEWS.c.item_id == item_id).order_by(_REVIEWS.c.reviewed_at, _REVIEWS.c.id)
    with engine.connect() as connection:
        return [_review(row) for row in connection.execute(query).mappings()]


def all_reviews(engine: sa.Engine) -> dict[int, list[Review]]:
    """Every review by item id, oldest first: for exports."""
    query = sa.select(_REVIEWS).order_by(_REVIEWS.c.item_id, _REVIEWS.c.reviewed_at, _REVIEWS.c.id)
    reviews: dict[int, list[Review]] = {}
    with engine.connect() as connection:
        for row in connection.execute(query).mappings():
            reviews.setdefault(row["item_id"], []).append(_review(row))
    return reviews


def review_counts(engine: sa.Engine) -> dict[int, int]:
    """How many times each item has been reviewed (items never reviewed are absent)."""
    query = sa.select(_REVIEWS.c.item_id, sa.func.count()).group_by(_REVIEWS.c.item_id)
    with engine.connect() as connection:
        return {item_id: count for item_id, count in connection.execute(query)}


def _acknowledgement(row: Mapping[str, Any]) -> Acknowledgement:
    return Acknowledgement(
        trigger=dict(row["trigger"]),
        reading=row["reading"],
        acknowledged_at=row["acknowledged_at"],
        acknowledged_on=row["acknowledged_on"],
        until=row["until_on"],
        worse_level=row["worse_level"],
        reviewer=row["reviewer"],
        review_id=row["review_id"],
    )


def acknowledgements_by_item(
    engine: sa.Engine, item_ids: Sequence[int] | None = None
) -> dict[int, list[Acknowledgement]]:
    """Acknowledged triggers by item id (only ``item_ids`` when given), oldest first."""
    query = sa.select(_ACKNOWLEDGEMENTS).order_by(_ACKNOWLEDGEMENTS.c.item_id, _ACKNOWLEDGEMENTS.c.id)
    if item_ids is not None:
        query = query.where(_ACKNOWLEDGEMENTS.c.item_id.in_(list(item_ids)))
    found: dict[int, list[Acknowledgement]] = {}
    with engine.connect() as connection:
        for row in connection.execute(query).mappings():
            found.setdefault(row["item_id"], []).append(_acknowledgement(row))
    return found


def audit_trail(engine: sa.Engine, item_id: int) -> list[dict[str, Any]]:
    """Every recorded change of an item, oldest first: at, actor, action, details."""
    query = (
        sa.select(_AUDIT.c.at, _AUDIT.c.actor, _AUDIT.c.action, _AUDIT.c.details)
        .where(_AUDIT.c.entity == AUDIT_ENTITY, _AUDIT.c.entity_id == str(item_id))
        .order_by(_AUDIT.c.id)
    )
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


# --- writes ---------------------------------------------------------------------------------------------------------


def create_item(
    engine: sa.Engine,
    values: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
    today: date,
    known: KnownNames,
    submission: str | None = None,
) -> TrackerItem:
    """A new item (state "new" unless ``values`` says "parked" or "assessing"); raises ``TrackerRuleError``.

    ``submission`` is the form submission's idempotency key: a second create with the same key stores nothing and
    raises ``AlreadySaved`` naming the item the first one created."""
    require(actor, Role.EDITOR, "create tracker items")
    _refuse_repeated(engine, submission)
    unknown = set(values) - set(EDITABLE_FIELDS) - {"state"}
    if unknown:
        raise TrackerRuleError({name: "not a field of a tracker item" for name in sorted(unknown)})
    full = _normalise({**FIELD_DEFAULTS, "state": NEW, **values})
    problems: dict[str, str] = {}
    if full["state"] not in (NEW, "assessing", PARKED):
        problems["state"] = "a new item starts as new, assessing or parked"
    elif full["state"] == PARKED:
        problems.update(parking_problems(full.get("revisit_on"), len(full.get("triggers") or []), today))
    try:
        full = _check_item(full, known, check_links=True)
    except TrackerRuleError as error:
        problems = {**error.problems, **problems}
    if problems:
        raise TrackerRuleError(problems)
    row = {**full, "created_at": now, "updated_at": now, "version": 1, "last_reviewed_at": None, "due_reason": None}
    try:
        with engine.begin() as connection:
            item_id = connection.execute(sa.insert(_ITEMS).values(row)).inserted_primary_key[0]
            _audit(
                connection,
                item_id=item_id,
                actor=actor,
                action="created",
                at=now,
                version=1,
                changes={name: (None, full[name]) for name in ("title", "state", "owner_role", "owner")},
            )
            _claim_submission(connection, submission, SubmissionKind.ITEM, item_id, now)
            return _select_item(connection, item_id)
    except sa.exc.IntegrityError as error:
        raise _already_saved_instead(engine, submission, error) from None


def update_item(
    engine: sa.Engine,
    item_id: int,
    base_version: int,
    changes: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
    today: date,
    known: KnownNames,
    base: TrackerItem | None = None,
) -> TrackerItem:
    """Save an edit made on ``base_version``; ``TrackerRuleError`` when a field is invalid. Unchanged fields are
    ignored.

    When someone saved in between and ``base`` (the item at ``base_version``, as the form opened it) is given, the
    edit is merged three ways (``metrics.tracker.merge``): the fields only you changed are saved on top of theirs,
    and only fields you both changed to different values refuse the save with ``EditConflict`` (its ``merge``
    says what else stands). Without ``base``, any save in between refuses it. A refused save stores nothing.

    A linked SLO or database that was configured once and is no longer may stay on the item; only newly added
    names must be known."""
    require(actor, Role.EDITOR, "edit tracker items")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TrackerRuleError({name: "cannot be edited here" for name in sorted(unknown)})
    with engine.begin() as connection:
        current = _select_item(connection, item_id, for_update=True)
        if current.version != base_version:
            if base is None or base.version != base_version:
                raise _conflict(connection, item_id, base_version, changes, base)
            merge = merge_edits(
                base.as_fields(), current.as_fields(), _normalise({**base.as_fields(), **changes}), EDITABLE_FIELDS
            )
            if merge.conflicts:
                raise _merge_conflict(connection, current, base_version, merge)
            changes = {name: merge.merged[name] for name in merge.from_yours}
        merged = _normalise({**current.as_fields(), **changes})
        kept = KnownNames(
            slos=set(known.slos) | set(current.slos) | {t.get("slo") for t in current.triggers if t.get("slo")},
            services=set(known.services) | set(current.services),
            databases=set(known.databases)
            | set(current.databases)
            | {t.get("database") for t in current.triggers if t.get("database")},
        )
        checked = _check_item({name: merged[name] for name in (*EDITABLE_FIELDS, "state")}, kept, check_links=True)
        if current.state == PARKED and (
            checked["revisit_on"] != current.revisit_on or checked["triggers"] != current.triggers
        ):
            problems = parking_problems(checked["revisit_on"], len(checked["triggers"]), today)
            if problems:
                raise TrackerRuleError(problems)
        differences = {
            name: (getattr(current, name), checked[name])
            for name in EDITABLE_FIELDS
            if checked[name] != getattr(current, name)
        }
        if not differences:
            return current
        values = {name: new for name, (_, new) in differences.items()}
        if not _save_version(connection, current, values, actor=actor, action="edited", now=now):
            raise _conflict(connection, item_id, base_version, changes, base)
        return _select_item(connection, item_id)


def change_state(
    engine: sa.Engine,
    item_id: int,
    base_version: int,
    target: str,
    *,
    actor: Actor,
    now: datetime,
    today: date,
    resolution_code: str | None = None,
    revisit_on: date | None = None,
    due_reason: DueReason | None = None,
    note: str = "",
) -> TrackerItem:
    """Move an item to ``target`` if the rules allow it. Parking may set the revisit date in the same step.

    Entering a finished state records its resolution code (implied for duplicate and risk accepted); returning to
    an open state clears it. Becoming due records why (by hand unless ``due_reason`` says otherwise)."""
    name = require(actor, Role.EDITOR, "change the state of tracker items")
    resolution_code = resolution_code or default_resolution(target)
    with engine.begin() as connection:
        current = _select_item(connection, item_id, for_update=True)
        if current.version != base_version:
            raise _conflict(connection, item_id, base_version, {"state": target}, None)
        new_revisit = revisit_on if revisit_on is not None else current.revisit_on
        problems = state_change_problems(
            current.state,
            target,
            revisit_on=new_revisit,
            trigger_count=len(current.triggers),
            resolution_code=resolution_code,
            today=today,
        )
        if problems:
            raise TrackerRuleError(problems)
        values: dict[str, Any] = {
            "state": target,
            "resolution_code": resolution_code
            if target in ("resolved", "closed", "duplicate", "risk_accepted", "cancelled")
            else None,
        }
        if target == PARKED:
            values["revisit_on"] = new_revisit
        if target == DUE:
            reason = due_reason or DueReason(
                DUE_BY_HAND, f"marked due by {name}" + (f": {note}" if note else ""), at=now, source=name
            )
            values["due_reason"] = reason.to_dict()
        else:
            values["due_reason"] = None
        extra = {"note": note} if note else {}
        if not _save_version(connection, current, values, actor=actor, action="state_changed", now=now, **extra):
            raise _conflict(connection, item_id, base_version, {"state": target}, None)
        return _select_item(connection, item_id)


def record_review(
    engine: sa.Engine,
    item_id: int,
    *,
    reviewer: Actor,
    outcome: str,
    what_changed: str,
    next_revisit_on: date | None,
    now: datetime,
    today: date,
    readings: Readings | None = None,
    submission: str | None = None,
) -> Review:
    """Append one review and apply its outcome to the item (state, resolution, next revisit, last reviewed).
    Keeping an item parked without a next revisit date uses the item's cadence when it has one.

    A review that leaves the item parked acknowledges each trigger firing in ``readings`` (what the reviewer
    saw), so the revisit check does not mark it due again until the next revisit date or a worse reading.
    ``submission`` is the form submission's idempotency key: a second review with the same key stores nothing and
    raises ``AlreadySaved``.

    Reviews never conflict with edits: they are appended, and the item's state follows from the state it has at
    the moment of saving."""
    reviewer_name = require(reviewer, Role.EDITOR, "record tracker reviews")
    _refuse_repeated(engine, submission)
    try:
        with engine.begin() as connection:
            return _record_review(
                connection,
                item_id,
                reviewer=reviewer,
                reviewer_name=reviewer_name,
                outcome=outcome,
                what_changed=what_changed,
                next_revisit_on=next_revisit_on,
                now=now,
                today=today,
                readings=readings,
                submission=submission,
            )
    except sa.exc.IntegrityError as error:
        raise _already_saved_instead(engine, submission, error) from None


def _record_review(
    connection: sa.Connection,
    item_id: int,
    *,
    reviewer: Actor,
    reviewer_name: str,
    outcome: str,
    what_changed: str,
    next_revisit_on: date | None,
    now: datetime,
    today: date,
    readings: Readings | None,
    submission: str | None,
) -> Review:
    current = _select_item(connection, item_id, for_update=True)
    if outcome == "keep_parked" and next_revisit_on is None and current.cadence_days:
        next_revisit_on = today + timedelta(days=current.cadence_days)  # the item's own review cadence
    problems = review_problems(
        current.state, outcome, next_revisit_on=next_revisit_on, trigger_count=len(current.triggers), today=today
    )
    if problems:
        raise TrackerRuleError(problems)
    target, resolution = OUTCOME_EFFECTS[outcome]
    review_id = connection.execute(
        sa.insert(_REVIEWS).values(
            item_id=item_id,
            reviewed_at=now,
            reviewer=reviewer_name,
            outcome=outcome,
            what_changed=what_changed or "",
            next_revisit_on=next_revisit_on,
            state_before=current.state,
            state_after=target,
        )
    ).inserted_primary_key[0]
    acknowledged = (
        acknowledge_fired(
            parsed_triggers(current), readings, today, at=now, until=next_revisit_on, reviewer=reviewer_name
        )
        if target == PARKED and readings is not None
        else []
    )
    if acknowledged:
        connection.execute(
            sa.insert(_ACKNOWLEDGEMENTS),
            [
                {
                    "item_id": item_id,
                    "review_id": review_id,
                    "trigger": dict(ack.trigger),
                    "reading": ack.reading,
                    "worse_level": ack.worse_level,
                    "acknowledged_at": ack.acknowledged_at,
                    "acknowledged_on": ack.acknowledged_on,
                    "until_on": ack.until,
                    "reviewer": ack.reviewer,
                }
                for ack in acknowledged
            ],
        )
    values: dict[str, Any] = {"state": target, "last_reviewed_at": now, "resolution_code": resolution}
    if target == PARKED or next_revisit_on is not None:
        values["revisit_on"] = next_revisit_on
    if target != DUE:
        values["due_reason"] = None
    extra: dict[str, Any] = {"acknowledged": [dict(ack.trigger) for ack in acknowledged]} if acknowledged else {}
    saved = _save_version(
        connection,
        current,
        values,
        actor=reviewer,
        action="reviewed",
        now=now,
        review_id=review_id,
        outcome=outcome,
        **extra,
    )
    if not saved:
        raise _conflict(connection, item_id, current.version, {}, current)
    _claim_submission(connection, submission, SubmissionKind.REVIEW, review_id, now)
    row = connection.execute(sa.select(_REVIEWS).where(_REVIEWS.c.id == review_id)).mappings().one()
    return _review(row)


def mark_due(
    engine: sa.Engine, reasons_by_item: Mapping[int, tuple[int, Sequence[DueReason]]], *, actor: Actor, now: datetime
) -> list[int]:
    """Move parked items to due, keeping the first reason (with its reading). ``reasons_by_item`` maps an item id to
    (the version that was evaluated, its reasons). An item someone changed meanwhile is skipped: the next
    evaluation sees its new state. Returns the ids that became due.

    ``data.tracker.service`` calls it as ``REVISIT_CHECK_ACTOR``: coming due is the app applying the item's own
    rule, whoever looks."""
    require(actor, Role.EDITOR, "mark tracker items due")
    marked = []
    for item_id, (version, reasons) in reasons_by_item.items():
        if not reasons:
            continue
        with engine.begin() as connection:
            reason = reasons[0]
            result = connection.execute(
                sa.update(_ITEMS)
                .where(_ITEMS.c.id == item_id, _ITEMS.c.version == version, _ITEMS.c.state == PARKED)
                .values(state=DUE, due_reason=reason.to_dict(), updated_at=now, version=version + 1)
            )
            if result.rowcount != 1:
                continue
            _audit(
                connection,
                item_id=item_id,
                actor=actor,
                action="became_due",
                at=now,
                version=version + 1,
                changes={"state": (PARKED, DUE)},
                reason=reason.to_dict(),
            )
            marked.append(item_id)
    return marked


def _imported_row(values: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """An imported item's row: defaults for what the file left out, its id only when it has one."""
    row = {
        **FIELD_DEFAULTS,
        "version": 1,
        "due_reason": None,
        "last_reviewed_at": None,
        "created_at": now,
        "updated_at": now,
        **values,
    }
    return {name: value for name, value in row.items() if name in _ITEM_COLUMNS and (name != "id" or value is not None)}


def _insert_rows(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in order; their ids, in order. Rows are sent as one plain executemany (psycopg pipelines it:
    the statement is parsed once) whenever their ids are known first: given in the file, or, on PostgreSQL, drawn
    from the table's sequence in one query. Only the other engines' rows without an id use INSERT … RETURNING,
    whose many-values batches psycopg would re-parse, thousands of placeholders at a time (60 s for 100,000 rows).
    One statement takes one set of columns, so a run of rows with other columns (an explicit id) gets its own."""
    ids: list[int] = []
    for _, group in itertools.groupby(rows, key=lambda row: tuple(row)):
        run = list(group)
        if "id" not in run[0] and connection.dialect.name == "postgresql":
            drawn = connection.execute(
                sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :rows)"),
                {"table": table.name, "rows": len(run)},
            ).scalars()
            run = [{**row, "id": row_id} for row, row_id in zip(run, sorted(drawn))]
        if "id" in run[0]:
            connection.execute(sa.insert(table), run)
            ids.extend(row["id"] for row in run)
        else:
            statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids.extend(connection.execute(statement, run).scalars())
    return ids


def _review_row(review: Mapping[str, Any]) -> dict[str, Any]:
    """An imported review's columns; the store gives it a new id."""
    return {name: value for name, value in review.items() if name in _REVIEW_COLUMNS and name != "id"}


def insert_items(
    engine: sa.Engine,
    items: Sequence[Mapping[str, Any]],
    *,
    actor: Actor,
    now: datetime,
    reviews: Sequence[Mapping[str, Any]] = (),
) -> list[int]:
    """Store already-validated items as they are, ids included when given, in one transaction. An item's
    ``reviews`` (dicts of review fields) are appended under its id; ``reviews`` adds entries naming ``item_id``.

    For imports and the demo seed: ``data.tracker.transfer`` validates every row first. Returns the ids stored."""
    require(actor, Role.ADMIN, "import tracker items")
    rows = [_imported_row(values, now) for values in items]
    with engine.begin() as connection:
        stored = _insert_rows(connection, _ITEMS, rows)
        record_audits(
            connection,
            [
                audit_row(
                    actor=actor,
                    action="imported",
                    entity=AUDIT_ENTITY,
                    entity_id=item_id,
                    at=now,
                    details={"version": row["version"]},
                )
                for item_id, row in zip(stored, rows)
            ],
        )
        review_rows = [
            {**_review_row(review), "item_id": item_id}
            for item_id, values in zip(stored, items)
            for review in values.get("reviews") or ()
        ]
        _insert_rows(connection, _REVIEWS, [*review_rows, *(_review_row(review) for review in reviews)])
        if connection.dialect.name == "postgresql":  # explicit ids leave the sequence behind: move it past them
            connection.execute(
                sa.text(
                    "SELECT setval(pg_get_serial_sequence('tracker_items', 'id'), "
                    "GREATEST((SELECT COALESCE(MAX(id), 0) FROM tracker_items), 1), "
                    "(SELECT COUNT(*) > 0 FROM tracker_items))"
                )
            )
    return stored


def existing_ids(engine: sa.Engine, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    with engine.connect() as connection:
        return existing_values(connection, _ITEMS.c.id, ids)


__all__ = [
    "EDITABLE_FIELDS",
    "FIELD_DEFAULTS",
    "AlreadySaved",
    "EditConflict",
    "FieldConflict",
    "ItemNotFound",
    "Review",
    "SubmissionKind",
    "TrackerItem",
    "acknowledgements_by_item",
    "all_reviews",
    "audit_trail",
    "change_state",
    "create_item",
    "existing_ids",
    "get_item",
    "insert_items",
    "list_items",
    "mark_due",
    "record_review",
    "review_counts",
    "reviews_for",
    "update_item",
]
