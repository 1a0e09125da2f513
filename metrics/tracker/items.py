"""A tracker item and a review as callers see them, the item's field lists in one place, and the one check of an
item's fields (with its triggers) that the store, the import and the forms all apply.

Pure: the store (``data.tracker.store``) maps its rows to these dataclasses; nothing here reads or writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from metrics.tracker.rules import KnownNames, validate_item
from metrics.tracker.triggers import validate_triggers


@dataclass(frozen=True)
class TrackerItem:
    id: int
    title: str
    problem_statement: str
    state: str
    owner_role: str
    owner: str
    impact: str
    urgency: str
    why_parked_category: str
    why_parked: str
    workaround: str
    workaround_holds: bool | None
    root_cause_confidence: str
    decided_by: str
    decided_on: date | None
    revisit_on: date | None
    cadence_days: int | None
    last_reviewed_at: datetime | None
    resolution_code: str | None
    external_reference: str
    services: list[str] = field(default_factory=list)
    slos: list[str] = field(default_factory=list)
    databases: list[str] = field(default_factory=list)
    triggers: list[dict[str, Any]] = field(default_factory=list)
    due_reason: dict[str, Any] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 1

    def as_fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Review:
    id: int
    item_id: int
    reviewed_at: datetime
    reviewer: str
    outcome: str
    what_changed: str
    next_revisit_on: date | None
    state_before: str
    state_after: str


# --- the field lists, all in TrackerItem's order ------------------------------------------------------------------

ITEM_FIELDS = tuple(f.name for f in fields(TrackerItem))
REVIEW_FIELDS = tuple(f.name for f in fields(Review))
# Kept by the store itself: state moves through change_state and reviews, the rest follows from writes.
_STORE_KEPT = frozenset({"id", "state", "last_reviewed_at", "due_reason", "created_at", "updated_at", "version"})
# Fields a person edits in the edit form (and an import may set).
EDITABLE_FIELDS = tuple(name for name in ITEM_FIELDS if name not in _STORE_KEPT)
# The edit form's fields: the resolution is set by changing state, not typed.
FORM_FIELDS = tuple(name for name in EDITABLE_FIELDS if name != "resolution_code")
# Export and import columns: every field but the due reason (the revisit check sets it) and the version.
TRANSFER_COLUMNS = tuple(name for name in ITEM_FIELDS if name not in ("due_reason", "version"))

FIELD_DEFAULTS: dict[str, Any] = {
    "problem_statement": "",
    "owner": "",
    "why_parked": "",
    "workaround": "",
    "workaround_holds": None,
    "root_cause_confidence": "unknown",
    "decided_by": "",
    "decided_on": None,
    "revisit_on": None,
    "cadence_days": None,
    "resolution_code": None,
    "external_reference": "",
    "services": [],
    "slos": [],
    "databases": [],
    "triggers": [],
    "why_parked_category": "other",
    "impact": "medium",
    "urgency": "medium",
}


def checked_item(
    values: Mapping[str, Any], known: KnownNames, *, check_links: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """An item's fields with its triggers in their stored form, and every problem by field (empty when valid).

    The one check a create, an edit and an import all run: the fields' rules, then the triggers."""
    problems = validate_item(values, known, check_links=check_links)
    checked = dict(values)
    triggers = values.get("triggers") or []
    if not isinstance(triggers, list):
        problems["triggers"] = "must be a list of triggers"
    else:
        parsed, problem = validate_triggers(triggers, known, check_links=check_links)
        if problem:
            problems["triggers"] = problem
        else:
            checked["triggers"] = [trigger.to_dict() for trigger in parsed]
    return checked, problems


# The store's id column is a 32-bit integer on every engine; a larger number cannot name an item.
MAX_ITEM_ID = 2**31 - 1


def item_id_from_link(text: str | None) -> int | None:
    """The item id a link's ``?item=`` names, or None: ASCII digits only (``"²".isdigit()`` is true, ``int("²")``
    fails) and within the store's range, so no link can overflow a query."""
    if not text or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ITEM_ID else None
