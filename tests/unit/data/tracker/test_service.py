"""The tracker service on a throwaway SQLite store: the due queue at an instant (reads only) and the revisit check
(the one write), as the page and ``cli.py tracker due`` / ``collect tracker-due`` run them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from data.tracker.service import REVISIT_CHECK_ACTOR, check_revisits, read_due_queue
from data.tracker.store import audit_trail, change_state, create_item, get_item, record_review, update_item
from metrics.tracker.rules import KnownNames
from metrics.tracker.triggers import Readings, SloTriggerReading
from tests.support.actors import editor

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
TODAY = NOW.date()
KNOWN = KnownNames(slos={"checkout-availability"}, services={"checkout"}, databases={"orders-db"})
BUDGET = {"kind": "slo_budget_below", "slo": "checkout-availability", "threshold": 0.25}


def parked(engine, revisit_on: date | None = None, **values):
    item = create_item(
        engine, {"title": "Failover", "owner_role": "DBA", **values}, actor=editor(), now=NOW, today=TODAY, known=KNOWN
    )
    return change_state(
        engine, item.id, item.version, "parked", actor=editor(), now=NOW, today=TODAY, revisit_on=revisit_on
    )


def no_readings(names):
    return Readings(at=NOW)


def test_read_due_queue_lists_a_parked_item_whose_date_came_without_storing_due(engine):
    item = parked(engine, revisit_on=TODAY)
    queue = read_due_queue(engine, no_readings, TODAY)
    assert [entry.item.id for entry in queue.entries] == [item.id]
    assert get_item(engine, item.id).state == "parked"


def test_read_due_queue_asks_for_readings_of_the_databases_open_triggers_read(engine):
    parked(engine, triggers=[{"kind": "database_check", "database": "orders-db", "check": None, "level": "warn"}])
    asked = []
    read_due_queue(engine, lambda names: asked.append(set(names)) or Readings(at=NOW), TODAY)
    assert asked == [{"orders-db"}]


def test_check_revisits_stores_due_with_the_reading_that_fired(engine):
    item = parked(engine, slos=["checkout-availability"], triggers=[BUDGET])
    low = Readings(at=NOW, slo_source="demo data", slos={"checkout-availability": SloTriggerReading(0.1, {})})
    queue, marked = check_revisits(engine, lambda names: low, TODAY, NOW)
    assert marked == [item.id]
    stored = get_item(engine, item.id)
    assert (stored.state, stored.due_reason["value"]) == ("due", 0.1)
    assert [entry.item.state for entry in queue.entries] == ["due"]


def test_check_revisits_records_the_automatic_check_as_the_actor(engine):
    item = parked(engine, revisit_on=TODAY)
    check_revisits(engine, no_readings, TODAY, NOW)
    assert audit_trail(engine, item.id)[-1]["actor"] == REVISIT_CHECK_ACTOR.name


def test_check_revisits_marks_nothing_the_second_time(engine):
    parked(engine, revisit_on=TODAY)
    check_revisits(engine, no_readings, TODAY, NOW)
    assert check_revisits(engine, no_readings, TODAY, NOW)[1] == []


def test_check_revisits_leaves_an_item_that_is_no_longer_parked(engine):
    item = parked(engine, revisit_on=TODAY)
    change_state(engine, item.id, item.version, "in_progress", actor=editor(), now=NOW, today=TODAY)
    assert check_revisits(engine, no_readings, TODAY, NOW)[1] == []
    assert get_item(engine, item.id).state == "in_progress"


def test_check_revisits_keeps_an_edit_saved_after_the_check_read_the_item(engine):
    item = parked(engine, revisit_on=TODAY)

    def edit_while_reading(names):
        update_item(
            engine, item.id, item.version, {"owner": "bob"}, actor=editor("bob"), now=NOW, today=TODAY, known=KNOWN
        )
        return Readings(at=NOW)

    assert check_revisits(engine, edit_while_reading, TODAY, NOW)[1] == []
    stored = get_item(engine, item.id)
    assert (stored.state, stored.owner) == ("parked", "bob")


def test_link_names_without_a_catalog_know_only_the_configured_databases(tmp_path):
    from pathlib import Path

    from data.settings import load_settings
    from data.tracker.service import link_names

    databases = tmp_path / "databases.toml"
    databases.write_text('[[database]]\nname = "orders-db"\n', encoding="utf-8")
    settings = load_settings({"DATABASES_CONFIG": str(databases)}, Path("/nonexistent/secrets.toml"))
    known = link_names(settings, None)
    assert (set(known.slos), set(known.services), set(known.databases)) == (set(), set(), {"orders-db"})


def budget(value: float) -> Readings:
    return Readings(at=NOW, slo_source="demo data", slos={"checkout-availability": SloTriggerReading(value, {})})


def keep_parked(engine, item_id: int, readings: Readings) -> None:
    record_review(
        engine,
        item_id,
        reviewer=editor("dan"),
        outcome="keep_parked",
        what_changed="vendor fix not out yet",
        next_revisit_on=date(2027, 1, 10),
        now=NOW,
        today=TODAY,
        readings=readings,
    )


def test_check_revisits_leaves_parked_an_item_whose_firing_trigger_a_review_acknowledged(engine):
    item = parked(engine, slos=["checkout-availability"], triggers=[BUDGET])
    check_revisits(engine, lambda names: budget(0.1), TODAY, NOW)
    keep_parked(engine, item.id, budget(0.1))
    queue, marked = check_revisits(engine, lambda names: budget(0.1), TODAY, NOW)
    assert marked == [] and get_item(engine, item.id).state == "parked" and queue.entries == []


def test_check_revisits_marks_an_acknowledged_item_due_once_its_trigger_gets_worse(engine):
    item = parked(engine, slos=["checkout-availability"], triggers=[BUDGET])
    keep_parked(engine, item.id, budget(0.1))
    _, marked = check_revisits(engine, lambda names: budget(-0.05), TODAY, NOW)
    assert marked == [item.id] and get_item(engine, item.id).due_reason["value"] == -0.05
