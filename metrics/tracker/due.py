"""The due queue: which items are due at an instant and why, from their stored state and the readings given.

Pure: the items and the readings come in (``data.tracker.service`` reads them); storing "due" is the service's
write, fed by ``items_to_mark``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from metrics.tracker.acknowledgements import Acknowledgement, silenced_triggers
from metrics.tracker.items import TrackerItem
from metrics.tracker.rules import DUE, OPEN_STATES, PARKED, PRIORITIES, priority
from metrics.tracker.triggers import (
    DueReason,
    Readings,
    Trigger,
    TriggerError,
    TriggerEvaluation,
    becomes_due,
    due_reasons,
    due_sort_key,
    evaluate_trigger,
    trigger_from_dict,
)


@dataclass(frozen=True)
class DueEntry:
    """An item in the due queue: why it is due now (live), why it became due (stored), every trigger's current
    reading so the page can show each next to its threshold, and the fired triggers a review acknowledged (they
    make no live reason while the acknowledgement holds)."""

    item: TrackerItem
    live_reasons: list[DueReason]
    stored_reason: DueReason | None
    evaluations: list[TriggerEvaluation]
    acknowledged: list[Acknowledgement] = field(default_factory=list)

    @property
    def reasons(self) -> list[DueReason]:
        """What to show: every live reason (the current reading), then the stored one when its signal has since
        recovered (the reading that fired it is then the only trace of why the item came due)."""
        live = {_identity(reason) for reason in self.live_reasons}
        stored = [self.stored_reason] if self.stored_reason and _identity(self.stored_reason) not in live else []
        return list(self.live_reasons) + stored

    def to_dict(self) -> dict:
        item = self.item
        return {
            "id": item.id,
            "title": item.title,
            "state": item.state,
            "owner_role": item.owner_role,
            "owner": item.owner,
            "priority": priority(item.impact, item.urgency),
            "revisit_on": None if item.revisit_on is None else item.revisit_on.isoformat(),
            "reasons": [reason.to_dict() for reason in self.reasons],
            "triggers": [evaluation.to_dict() for evaluation in self.evaluations],
        }


def _identity(reason: DueReason) -> tuple:
    """Same cause, whatever its reading: the revisit date, or one trigger."""
    trigger = tuple(sorted((reason.trigger or {}).items()))
    return (reason.kind, trigger, reason.threshold if not trigger else None)


def parsed_triggers(item: TrackerItem) -> list[Trigger]:
    """An item's stored triggers; one that no longer parses is skipped (the item page lists it as unreadable)."""
    triggers = []
    for data in item.triggers:
        try:
            triggers.append(trigger_from_dict(data))
        except TriggerError:
            continue
    return triggers


def wanted_databases(items: Iterable[TrackerItem]) -> set[str]:
    """Databases that open items' triggers read: the only ones worth probing for the tracker."""
    return {t.database for item in items if item.state in OPEN_STATES for t in parsed_triggers(item) if t.database}


def evaluate_item(
    item: TrackerItem, readings: Readings, today: date, acknowledgements: Sequence[Acknowledgement] = ()
) -> DueEntry:
    """An item's triggers against ``readings``; a fired trigger that one of ``acknowledgements`` (the item's)
    still silences is listed as acknowledged instead of as a reason to be due."""
    triggers = parsed_triggers(item)
    silenced = silenced_triggers(triggers, acknowledgements, readings, today)
    live_triggers = [trigger for position, trigger in enumerate(triggers) if position not in silenced]
    return DueEntry(
        item=item,
        live_reasons=due_reasons(item.revisit_on, live_triggers, readings, today),
        stored_reason=DueReason.from_dict(item.due_reason) if item.due_reason else None,
        evaluations=[evaluate_trigger(trigger, readings, today) for trigger in triggers],
        acknowledged=list(silenced.values()),
    )


def due_queue(
    items: Iterable[TrackerItem],
    readings: Readings,
    today: date,
    acknowledgements: Mapping[int, Sequence[Acknowledgement]] | None = None,
) -> list[DueEntry]:
    """Items due now: those already due, and parked ones whose date or trigger has come (a trigger a review
    acknowledged does not count while the acknowledgement holds). Date-due first, then signal-due, then due by
    hand; higher priority first within each. ``acknowledgements`` maps an item id to its acknowledgements."""
    acknowledgements = acknowledgements or {}
    entries = []
    for item in items:
        if item.state not in (DUE, PARKED):
            continue
        entry = evaluate_item(item, readings, today, acknowledgements.get(item.id, ()))
        if item.state == DUE or becomes_due(item.state, entry.live_reasons):
            entries.append(entry)
    return sorted(
        entries,
        key=lambda e: due_sort_key(
            e.reasons, PRIORITIES.index(priority(e.item.impact, e.item.urgency)), e.item.revisit_on
        ),
    )


def items_to_mark(entries: Iterable[DueEntry]) -> dict[int, tuple[int, Sequence[DueReason]]]:
    """Parked items of the queue whose date or trigger has come: id -> (the version evaluated, its live reasons).
    Items already due keep the reason they came due with."""
    return {
        entry.item.id: (entry.item.version, entry.live_reasons)
        for entry in entries
        if entry.item.state == PARKED and entry.live_reasons
    }
