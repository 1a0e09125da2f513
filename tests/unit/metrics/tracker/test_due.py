"""Why each item in the due queue is due (moved from tests/unit/data/tracker/test_signals.py with the queue)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from metrics.tracker.due import due_queue
from metrics.tracker.items import TrackerItem
from metrics.tracker.triggers import Readings, SloTriggerReading, due_reasons, trigger_from_dict

AT = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)
BUDGET = {"kind": "slo_budget_below", "slo": "checkout-availability", "threshold": 0.25}


def item(**overrides) -> TrackerItem:
    values = dict(
        id=1,
        title="Failover",
        problem_statement="",
        state="parked",
        owner_role="DBA",
        owner="",
        impact="high",
        urgency="medium",
        why_parked_category="vendor",
        why_parked="",
        workaround="",
        workaround_holds=None,
        root_cause_confidence="known",
        decided_by="",
        decided_on=None,
        revisit_on=None,
        cadence_days=None,
        last_reviewed_at=None,
        resolution_code=None,
        external_reference="",
        triggers=[BUDGET],
        created_at=AT,
        updated_at=AT,
    )
    values.update(overrides)
    return TrackerItem(**values)


def readings(budget: float) -> Readings:
    return Readings(at=AT, slo_source="demo data", slos={"checkout-availability": SloTriggerReading(budget, {})})


def test_a_due_item_still_firing_shows_the_live_reading_once():
    fired = due_reasons(None, [trigger_from_dict(BUDGET)], readings(0.10), TODAY)[0]
    [entry] = due_queue([item(state="due", due_reason=fired.to_dict())], readings(0.05), TODAY)
    assert [reason.value for reason in entry.reasons] == [0.05]


def test_a_due_item_whose_signal_recovered_keeps_the_reading_that_fired_it():
    fired = due_reasons(None, [trigger_from_dict(BUDGET)], readings(0.10), TODAY)[0]
    [entry] = due_queue([item(state="due", due_reason=fired.to_dict())], readings(0.60), TODAY)
    assert [(reason.value, reason.source) for reason in entry.reasons] == [(0.10, "demo data")]


def test_a_parked_item_without_a_reason_is_not_in_the_queue():
    assert due_queue([item(revisit_on=date(2027, 1, 1))], readings(0.60), TODAY) == []


def test_items_to_mark_takes_parked_items_with_a_live_reason_at_their_evaluated_version():
    from metrics.tracker.due import items_to_mark

    fired = item(id=2, version=3)
    already_due = item(id=3, state="due", due_reason={"kind": "by hand", "text": "x"})
    entries = due_queue([fired, already_due], readings(0.10), TODAY)
    marks = items_to_mark(entries)
    assert list(marks) == [2]
    assert marks[2][0] == 3 and marks[2][1][0].value == 0.10
