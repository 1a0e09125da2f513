"""Acknowledged triggers: a review that keeps an item parked while a trigger fires has looked at that reading.

Without this the revisit check marks the item due again in the same second, undoing the review. An acknowledgement
keeps what the reviewer saw (the trigger, its reading, when) and silences that trigger until the next revisit date,
or until the signal crosses a new, worse level than the one acknowledged:

- budget remaining below a threshold: fires again below the acknowledged reading minus ``BUDGET_STEP`` (10 points
  of budget: acknowledged at 12%, fires again below 2%);
- burn rate above a threshold: fires again above ``BURN_RATE_FACTOR`` times the acknowledged rate;
- database check at warn or worse: acknowledged at warn, fires again at critical; at critical nothing is worse;
- a date trigger: nothing is worse; it stays acknowledged until the revisit date.

Pure: the store keeps acknowledgements, the due queue (``metrics.tracker.due``) applies them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from metrics.formatting import format_burn_rate, format_percent
from metrics.tracker.triggers import (
    Readings,
    Trigger,
    TriggerError,
    TriggerEvaluation,
    TriggerKind,
    evaluate_trigger,
    trigger_from_dict,
)

BUDGET_STEP = 0.10
BURN_RATE_FACTOR = 2.0
_STATUS_RANK = {"ok": 0, "info": 0, "warn": 1, "critical": 2}


@dataclass(frozen=True)
class Acknowledgement:
    """One fired trigger a review kept the item parked over: the reading then, and the level that fires again."""

    trigger: Mapping[str, Any]  # the trigger's stored form
    reading: float | str | None
    acknowledged_at: datetime
    acknowledged_on: date  # the review's day in the team's time zone
    until: date | None  # the next revisit date; None: until the signal gets worse
    worse_level: float | str | None  # None: nothing worse to watch for
    reviewer: str = ""
    review_id: int | None = None


def worse_level(trigger: Trigger, reading: float | str | None) -> float | str | None:
    """The level past which an acknowledged trigger fires again, or None when nothing is worse."""
    if reading is None:
        return None
    if trigger.kind is TriggerKind.SLO_BUDGET_BELOW:
        return round(float(reading) - BUDGET_STEP, 10)
    if trigger.kind is TriggerKind.SLO_BURN_RATE_ABOVE:
        return round(float(reading) * BURN_RATE_FACTOR, 10)
    if trigger.kind is TriggerKind.DATABASE_CHECK:
        return "critical" if _STATUS_RANK.get(str(reading), 2) < _STATUS_RANK["critical"] else None
    return None


def _is_worse(trigger: Trigger, value: float | str | None, level: float | str | None) -> bool:
    if value is None or level is None:
        return False
    if trigger.kind is TriggerKind.SLO_BUDGET_BELOW:
        return float(value) < float(level)
    if trigger.kind is TriggerKind.SLO_BURN_RATE_ABOVE:
        return float(value) > float(level)
    if trigger.kind is TriggerKind.DATABASE_CHECK:
        return _STATUS_RANK.get(str(value), -1) >= _STATUS_RANK.get(str(level), 3)
    return False


def acknowledge_fired(
    triggers: Sequence[Trigger],
    readings: Readings,
    today: date,
    *,
    at: datetime,
    until: date | None,
    reviewer: str = "",
) -> list[Acknowledgement]:
    """An acknowledgement for each trigger firing now: what a review keeping the item parked has seen."""
    acknowledgements = []
    for trigger in triggers:
        evaluation = evaluate_trigger(trigger, readings, today)
        if not evaluation.fired:
            continue
        reading = evaluation.value.isoformat() if isinstance(evaluation.value, date) else evaluation.value
        acknowledgements.append(
            Acknowledgement(
                trigger=trigger.to_dict(),
                reading=reading,
                acknowledged_at=at,
                acknowledged_on=today,
                until=until,
                worse_level=worse_level(trigger, reading),
                reviewer=reviewer,
            )
        )
    return acknowledgements


def latest_for(trigger: Trigger, acknowledgements: Sequence[Acknowledgement]) -> Acknowledgement | None:
    """The newest acknowledgement of ``trigger`` (the same trigger, threshold included), if any."""
    stored = trigger.to_dict()
    matching = [ack for ack in acknowledgements if dict(ack.trigger) == stored]
    return max(matching, key=lambda ack: ack.acknowledged_at) if matching else None


def silences(acknowledgement: Acknowledgement, evaluation: TriggerEvaluation, today: date) -> bool:
    """Whether the acknowledgement still keeps this fired trigger from making the item due: before its revisit
    date, and not past the worse level."""
    if acknowledgement.until is not None and today >= acknowledgement.until:
        return False
    return not _is_worse(evaluation.trigger, evaluation.value, acknowledgement.worse_level)


def silenced_triggers(
    triggers: Sequence[Trigger], acknowledgements: Sequence[Acknowledgement], readings: Readings, today: date
) -> dict[int, Acknowledgement]:
    """Positions (in ``triggers``) of fired triggers an acknowledgement silences now, with that acknowledgement."""
    silenced = {}
    for position, trigger in enumerate(triggers):
        acknowledgement = latest_for(trigger, acknowledgements)
        if acknowledgement is None:
            continue
        evaluation = evaluate_trigger(trigger, readings, today)
        if evaluation.fired and silences(acknowledgement, evaluation, today):
            silenced[position] = acknowledgement
    return silenced


_READING_TEXT: dict[TriggerKind, Callable[[Any], str]] = {
    TriggerKind.SLO_BUDGET_BELOW: lambda value: f"budget remaining {format_percent(float(value))}",
    TriggerKind.SLO_BURN_RATE_ABOVE: lambda value: f"burn rate {format_burn_rate(float(value))}",
    TriggerKind.DATABASE_CHECK: lambda value: f"status {value}",
    TriggerKind.DATE: lambda value: str(value),
}
_WORSE_TEXT: dict[TriggerKind, Callable[[Any], str]] = {
    TriggerKind.SLO_BUDGET_BELOW: lambda level: f"fires again below {format_percent(float(level))}",
    TriggerKind.SLO_BURN_RATE_ABOVE: lambda level: f"fires again above {format_burn_rate(float(level))}",
    TriggerKind.DATABASE_CHECK: lambda level: f"fires again at {level}",
    TriggerKind.DATE: lambda level: f"fires again after {level}",
}


def describe_acknowledgement(acknowledgement: Acknowledgement) -> str:
    """ "checkout-availability budget remaining < 25.0% acknowledged at budget remaining 12.0% on 2026-11-24
    until 2027-01-10; fires again below 2.0%"."""
    try:
        trigger = trigger_from_dict(acknowledgement.trigger)
    except TriggerError:
        return f"an unreadable trigger acknowledged on {acknowledgement.acknowledged_on.isoformat()}"
    reading = "no reading" if acknowledgement.reading is None else _READING_TEXT[trigger.kind](acknowledgement.reading)
    until = (
        f"until {acknowledgement.until.isoformat()}" if acknowledgement.until is not None else "with no revisit date"
    )
    if acknowledgement.worse_level is not None:
        again = _WORSE_TEXT[trigger.kind](acknowledgement.worse_level)
    elif acknowledgement.until is not None:
        again = f"fires again on {acknowledgement.until.isoformat()}"
    else:
        again = "nothing worse to watch for"
    by = f" by {acknowledgement.reviewer}" if acknowledgement.reviewer else ""
    return (
        f"{trigger.describe()} acknowledged at {reading} on {acknowledgement.acknowledged_on.isoformat()}{by} "
        f"{until}; {again}"
    )
