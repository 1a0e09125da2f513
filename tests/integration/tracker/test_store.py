"""The tracker store on SQLite, a real PostgreSQL and a real MariaDB: items, optimistic locking, the append-only
review log, the audit trail, due marking, and the import/export round trip through an empty store."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from data.store import engine_for, migrate
from data.tracker.service import mark_due_items
from data.tracker.store import (
    EditConflict,
    audit_trail,
    change_state,
    create_item,
    get_item,
    list_items,
    mark_due,
    record_review,
    reviews_for,
    update_item,
)
from data.tracker.transfer import ImportFailed, export_items, import_items
from metrics.tracker.due import due_queue
from metrics.tracker.rules import KnownNames, TrackerRuleError
from metrics.tracker.triggers import Readings, SloTriggerReading
from tests.support.actors import admin, editor

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
TODAY = NOW.date()
KNOWN = KnownNames(slos={"checkout-availability"}, services={"checkout"}, databases={"orders-db"})


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    server = request.getfixturevalue({"postgresql": "postgres_server", "mariadb": "mariadb_server"}[request.param])
    return server.create_database(f"tracker_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def engine(database_url):
    migrate(database_url)
    engine = engine_for(database_url)
    yield engine
    engine.dispose()


def new_item(engine, actor=editor("ann"), **values):
    fields = {
        "title": "Failover takes 9 minutes on the vendor's version",
        "owner_role": "DBA",
        "databases": ["orders-db"],
        "slos": ["checkout-availability"],
        **values,
    }
    return create_item(engine, fields, actor=actor, now=NOW, today=TODAY, known=KNOWN)


def park(engine, item, revisit_on=date(2026, 12, 1), actor=editor("ann")):
    return change_state(
        engine, item.id, item.version, "parked", actor=actor, now=NOW, today=TODAY, revisit_on=revisit_on
    )


def test_a_created_item_reads_back_with_version_1_and_an_audit_entry(engine):
    item = new_item(engine, problem_statement="Läuft **langsam** <script>x</script>")
    stored = get_item(engine, item.id)
    assert stored == item and stored.version == 1 and stored.state == "new"
    assert stored.problem_statement == "Läuft **langsam** <script>x</script>"
    [entry] = audit_trail(engine, item.id)
    assert (entry["actor"], entry["action"], entry["details"]["version"]) == ("ann", "created", 1)


def test_an_invalid_item_stores_nothing(engine):
    with pytest.raises(TrackerRuleError) as refused:
        new_item(engine, title="", slos=["nope"])
    assert set(refused.value.problems) == {"title", "slos"}
    assert list_items(engine) == []


def test_an_edit_bumps_the_version_and_records_old_and_new_values(engine):
    item = new_item(engine)
    edited = update_item(
        engine,
        item.id,
        1,
        {"title": "Failover: 9 min", "impact": "high"},
        actor=editor("bob"),
        now=NOW,
        today=TODAY,
        known=KNOWN,
    )
    assert edited.version == 2 and edited.title == "Failover: 9 min"
    entry = audit_trail(engine, item.id)[-1]
    assert entry["actor"] == "bob" and entry["details"]["changes"]["impact"] == ["medium", "high"]


def test_the_second_save_on_the_same_version_is_refused_showing_what_changed(engine):
    item = new_item(engine)
    update_item(engine, item.id, 1, {"title": "Theirs"}, actor=editor("bob"), now=NOW, today=TODAY, known=KNOWN)
    with pytest.raises(EditConflict) as conflict:
        update_item(
            engine,
            item.id,
            1,
            {"title": "Mine", "owner": "cat"},
            actor=editor("cat"),
            now=NOW,
            today=TODAY,
            known=KNOWN,
            base=item,
        )
    [field] = conflict.value.conflicts
    assert (field.field, field.changed_by, field.their_value, field.your_value) == ("title", "bob", "Theirs", "Mine")
    assert conflict.value.current.version == 2
    assert get_item(engine, item.id).title == "Theirs" and get_item(engine, item.id).owner == ""


def test_a_state_change_on_a_stale_version_is_refused(engine):
    item = new_item(engine)
    update_item(engine, item.id, 1, {"owner": "bob"}, actor=editor("bob"), now=NOW, today=TODAY, known=KNOWN)
    with pytest.raises(EditConflict):
        park(engine, item)


def test_parking_without_a_date_or_trigger_is_refused(engine):
    item = new_item(engine)
    with pytest.raises(TrackerRuleError) as refused:
        change_state(engine, item.id, 1, "parked", actor=editor("ann"), now=NOW, today=TODAY)
    assert "revisit_on" in refused.value.problems
    assert get_item(engine, item.id).state == "new"


def test_a_review_is_appended_and_moves_the_item(engine):
    item = park(engine, new_item(engine))
    review = record_review(
        engine,
        item.id,
        reviewer=editor("dan"),
        outcome="start_work",
        what_changed="new DBA knows it",
        next_revisit_on=None,
        now=NOW + timedelta(days=1),
        today=TODAY,
    )
    assert (review.state_before, review.state_after) == ("parked", "in_progress")
    stored = get_item(engine, item.id)
    assert stored.state == "in_progress" and stored.last_reviewed_at == NOW + timedelta(days=1)
    assert [r.what_changed for r in reviews_for(engine, item.id)] == ["new DBA knows it"]


@pytest.mark.parametrize(
    "statement", ["UPDATE tracker_reviews SET reviewer = 'mallory'", "DELETE FROM tracker_reviews"]
)
def test_the_database_refuses_to_change_or_delete_a_review(engine, statement):
    item = park(engine, new_item(engine))
    record_review(
        engine,
        item.id,
        reviewer=editor("dan"),
        outcome="start_work",
        what_changed="",
        next_revisit_on=None,
        now=NOW,
        today=TODAY,
    )
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with engine.begin() as connection:
            connection.execute(sa.text(statement))
    assert [r.reviewer for r in reviews_for(engine, item.id)] == ["dan"]


def test_the_review_log_has_no_update_or_delete_function():
    import data.tracker.store as store

    assert not [name for name in dir(store) if "review" in name and name.startswith(("update", "delete", "edit"))]


def test_a_parked_item_whose_date_came_becomes_due_with_the_reason(engine):
    item = park(engine, new_item(engine), revisit_on=date(2026, 11, 30))
    later = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    entries = due_queue(list_items(engine), Readings(at=later), later.date())
    assert mark_due_items(engine, entries, later) == [item.id]
    stored = get_item(engine, item.id)
    assert stored.state == "due" and stored.due_reason["text"] == "revisit date 2026-11-30 reached (1 d ago)"
    assert audit_trail(engine, item.id)[-1]["action"] == "became_due"


def test_a_fired_trigger_records_the_reading_that_fired_it(engine):
    item = new_item(engine, triggers=[{"kind": "slo_budget_below", "slo": "checkout-availability", "threshold": 0.25}])
    item = change_state(engine, item.id, 1, "parked", actor=editor("ann"), now=NOW, today=TODAY)
    readings = Readings(at=NOW, slo_source="demo data", slos={"checkout-availability": SloTriggerReading(0.1, {})})
    mark_due_items(engine, due_queue(list_items(engine), readings, TODAY), NOW)
    reason = get_item(engine, item.id).due_reason
    assert (reason["value"], reason["threshold"], reason["source"], reason["at"]) == (
        0.1,
        0.25,
        "demo data",
        NOW.isoformat(),
    )


def test_marking_due_skips_an_item_changed_since_it_was_evaluated(engine):
    item = park(engine, new_item(engine), revisit_on=TODAY)
    update_item(engine, item.id, item.version, {"owner": "bob"}, actor=editor("bob"), now=NOW, today=TODAY, known=KNOWN)
    entries = due_queue([item], Readings(at=NOW), TODAY)
    assert mark_due_items(engine, entries, NOW) == []
    assert get_item(engine, item.id).state == "parked"


def test_export_import_into_an_empty_store_export_is_identical(engine, tmp_path, database_url):
    hard = 'Commas, "quotes",\nnew lines, 한국어, <script>alert(1)</script>, =SUM(A1) ' + "x" * 5000
    first = park(engine, new_item(engine, problem_statement=hard, owner="-lead", workaround="@weekly"))
    record_review(
        engine,
        first.id,
        reviewer=editor("dan"),
        outcome="keep_parked",
        what_changed="vendor silent",
        next_revisit_on=date(2027, 1, 10),
        now=NOW,
        today=TODAY,
    )
    new_item(engine, title="Batch job breaks its SLO every month end", owner_role="TPM", databases=[])
    for export_format in ("csv", "json"):
        exported = export_items(engine, export_format)
        empty_url = f"sqlite:///{tmp_path / f'empty-{export_format}.db'}"
        migrate(empty_url)
        empty = engine_for(empty_url)
        import_items(empty, exported, export_format, known=KnownNames(), actor=admin("importer"), now=NOW)
        assert export_items(empty, export_format) == exported
        empty.dispose()


def test_import_into_the_same_backend_keeps_ids_and_new_items_get_fresh_ones(engine):
    text = "id,title,state,owner_role\n40,Table cannot be partitioned online,parked,DBA\n"
    assert import_items(engine, text, "csv", known=KNOWN, actor=admin("imp"), now=NOW) == [40]
    assert new_item(engine).id == 41


def test_an_import_with_one_bad_row_stores_nothing(engine):
    text = "title,state,owner_role\nGood one,new,SRE\n,new,SRE\n"
    with pytest.raises(ImportFailed) as failure:
        import_items(engine, text, "csv", known=KNOWN, actor=admin("imp"), now=NOW)
    assert failure.value.lines() == ["row 2, title: a title is required"]
    assert list_items(engine) == []


def test_importing_an_id_already_in_the_store_is_refused(engine):
    item = new_item(engine)
    with pytest.raises(ImportFailed) as failure:
        import_items(
            engine,
            f"id,title,state,owner_role\n{item.id},Again,new,SRE\n",
            "csv",
            known=KNOWN,
            actor=admin("imp"),
            now=NOW,
        )
    assert failure.value.lines() == [f"row 1, id: {item.id} is already in the store (import only adds items)"]


def test_mark_due_is_a_no_op_without_reasons(engine):
    item = park(engine, new_item(engine))
    assert mark_due(engine, {item.id: (item.version, [])}, actor=editor("x"), now=NOW) == []


def test_keeping_an_item_parked_without_a_date_uses_its_cadence(engine):
    item = park(engine, new_item(engine, cadence_days=90))
    review = record_review(
        engine,
        item.id,
        reviewer=editor("dan"),
        outcome="keep_parked",
        what_changed="",
        next_revisit_on=None,
        now=NOW,
        today=TODAY,
    )
    assert review.next_revisit_on == date(2027, 2, 22)
    assert get_item(engine, item.id).revisit_on == date(2027, 2, 22)


def test_a_json_import_restores_the_review_log(engine, tmp_path):
    item = park(engine, new_item(engine))
    record_review(
        engine,
        item.id,
        reviewer=editor("dan"),
        outcome="keep_parked",
        what_changed="vendor silent",
        next_revisit_on=date(2027, 1, 10),
        now=NOW,
        today=TODAY,
    )
    empty_url = f"sqlite:///{tmp_path / 'restored.db'}"
    migrate(empty_url)
    restored = engine_for(empty_url)
    import_items(restored, export_items(engine, "json"), "json", known=KnownNames(), actor=admin("importer"), now=NOW)
    [review] = reviews_for(restored, item.id)
    assert (review.reviewer, review.what_changed, review.state_before) == ("dan", "vendor silent", "parked")
    restored.dispose()
