"""Acknowledged triggers: a keep-parked review silences what it saw until the revisit date or a worse reading."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from metrics.tracker.acknowledgements import (
    BUDGET_STEP,
    BURN_RATE_FACTOR,
    acknowledge_fired,
    describe_acknowledgement,
    worse_level,
)
from metrics.tracker.due import due_queue, evaluate_item
from metrics.tracker.items import TrackerItem
from metrics.tracker.triggers import Readings, SloTriggerReading, trigger_from_dict

AT = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)
REVISIT = date(2027, 1, 10)
BUDGET = {"kind": "slo_budget_below", "slo": "checkout-availability", "threshold": 0.25}
BURN = {"kind": "slo_burn_rate_above", "slo": "checkout-availability", "window": "1h", "threshold": 6.0}
DATABASE = {"kind": "database_check", "database": "orders-db", "check": None, "level": "warn"}


def item(triggers=(BUDGET,), **overrides) -> TrackerItem:
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
        revisit_on=REVISIT,
        cadence_days=None,
        last_reviewed_at=None,
        resolution_code=None,
        external_reference="",
        triggers=list(triggers),
        created_at=AT,
        updated_at=AT,
    )
    values.update(overrides)
    return TrackerItem(**values)


def readings(budget: float | None = None, burn_1h: float | None = None, database: str | None = None) -> Readings:
    slos = {"checkout-availability": SloTriggerReading(budget, {"1h": burn_1h})}
    databases = {("orders-db", None): database} if database else {}
    return Readings(at=AT, slo_source="demo data", slos=slos, databases=databases, database_source="probes")


def acknowledged_at(triggers, reading: Readings, until=REVISIT):
    parsed = [trigger_from_dict(t) for t in triggers]
    return acknowledge_fired(parsed, reading, TODAY, at=AT, until=until, reviewer="ann")


def test_a_review_acknowledges_only_the_triggers_firing_then_with_their_reading():
    [ack] = acknowledged_at([BUDGET, BURN], readings(budget=0.12, burn_1h=2.0))
    assert (ack.trigger, ack.reading, ack.until, ack.acknowledged_on) == (BUDGET, 0.12, REVISIT, TODAY)


def test_an_acknowledged_budget_trigger_fires_again_ten_points_below_the_reading():
    assert worse_level(trigger_from_dict(BUDGET), 0.12) == pytest.approx(0.12 - BUDGET_STEP)


def test_an_acknowledged_burn_rate_fires_again_above_twice_the_reading():
    assert worse_level(trigger_from_dict(BURN), 8.0) == 8.0 * BURN_RATE_FACTOR


def test_an_acknowledged_warn_fires_again_at_critical_and_critical_has_nothing_worse():
    trigger = trigger_from_dict(DATABASE)
    assert (worse_level(trigger, "warn"), worse_level(trigger, "critical")) == ("critical", None)


def test_an_acknowledged_trigger_does_not_make_a_parked_item_due_at_the_same_reading():
    acks = acknowledged_at([BUDGET], readings(budget=0.12))
    assert due_queue([item()], readings(budget=0.12), TODAY, {1: acks}) == []


def test_without_the_acknowledgement_the_same_reading_makes_the_item_due():
    [entry] = due_queue([item()], readings(budget=0.12), TODAY)
    assert entry.live_reasons[0].trigger == BUDGET


def test_a_reading_still_above_the_worse_level_stays_acknowledged():
    acks = acknowledged_at([BUDGET], readings(budget=0.12))
    assert due_queue([item()], readings(budget=0.03), TODAY, {1: acks}) == []


def test_a_reading_past_the_worse_level_makes_the_item_due_again():
    acks = acknowledged_at([BUDGET], readings(budget=0.12))
    [entry] = due_queue([item()], readings(budget=0.01), TODAY, {1: acks})
    assert entry.live_reasons[0].value == 0.01


def test_a_database_trigger_acknowledged_at_warn_fires_again_at_critical():
    acks = acknowledged_at([DATABASE], readings(database="warn"))
    triggered = item(triggers=(DATABASE,))
    assert due_queue([triggered], readings(database="warn"), TODAY, {1: acks}) == []
    [entry] = due_queue([triggered], readings(database="critical"), TODAY, {1: acks})
    assert entry.live_reasons[0].value == "critical"


def test_the_acknowledgement_ends_on_the_next_revisit_date():
    acks = acknowledged_at([BUDGET], readings(budget=0.12))
    entry = evaluate_item(item(), readings(budget=0.12), REVISIT, acks)
    assert entry.acknowledged == [] and any(reason.trigger == BUDGET for reason in entry.live_reasons)


def test_an_acknowledgement_of_another_threshold_does_not_silence_the_trigger():
    acks = acknowledged_at([{**BUDGET, "threshold": 0.5}], readings(budget=0.12))
    [entry] = due_queue([item()], readings(budget=0.12), TODAY, {1: acks})
    assert entry.live_reasons[0].trigger == BUDGET


def test_the_items_entry_lists_the_acknowledgement_that_silences_a_trigger():
    [ack] = acknowledged_at([BUDGET], readings(budget=0.12))
    entry = evaluate_item(item(), readings(budget=0.12), TODAY, [ack])
    assert entry.acknowledged == [ack] and entry.live_reasons == []


def test_the_newest_acknowledgement_of_a_trigger_decides():
    [old] = acknowledged_at([BUDGET], readings(budget=0.20))
    [new] = acknowledge_fired(
        [trigger_from_dict(BUDGET)], readings(budget=0.05), TODAY, at=AT.replace(hour=6), until=REVISIT
    )
    # the old one would fire again below 10%, the new one only below -5%
    assert due_queue([item()], readings(budget=0.04), TODAY, {1: [old, new]}) == []


def test_the_description_names_trigger_reading_date_revisit_and_the_worse_level():
    [ack] = acknowledged_at([BUDGET], readings(budget=0.12))
    assert describe_acknowledgement(ack) == (
        "checkout-availability budget remaining < 25.0% acknowledged at budget remaining 12.0% on 2026-11-24 "
        "by ann until 2027-01-10; fires again below 2.0%"
    )


def test_a_burn_rate_description_says_above():
    [ack] = acknowledged_at([BURN], readings(burn_1h=8.0))
    assert describe_acknowledgement(ack).endswith(
        "acknowledged at burn rate 8.00× on 2026-11-24 by ann until 2027-01-10; fires again above 16.0×"
    )
