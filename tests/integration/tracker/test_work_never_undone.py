"""Nothing anyone did is undone (issue 11, item 1), on SQLite, a real PostgreSQL and a real MariaDB: edits from the
same version merge three ways, a keep-parked review acknowledges its firing triggers against the revisit check,
and a form submitted twice stores one record."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from data.store import engine_for, migrate
from data.store.migrate import alembic_config
from data.tracker.service import check_revisits
from data.tracker.store import (
    AlreadySaved,
    EditConflict,
    SubmissionKind,
    acknowledgements_by_item,
    change_state,
    create_item,
    get_item,
    list_items,
    record_review,
    reviews_for,
    update_item,
)
from metrics.tracker.merge import MergeChoice
from metrics.tracker.rules import KnownNames
from metrics.tracker.triggers import Readings, SloTriggerReading
from tests.support.actors import editor

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
TODAY = NOW.date()
REVISIT = date(2027, 1, 10)
KNOWN = KnownNames(slos={"checkout-availability"}, services={"checkout"}, databases={"orders-db"})
BUDGET = {"kind": "slo_budget_below", "slo": "checkout-availability", "threshold": 0.25}


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


def new_item(engine, submission=None, **values):
    fields = {"title": "Failover takes 9 minutes", "owner_role": "DBA", "slos": ["checkout-availability"], **values}
    return create_item(engine, fields, actor=editor("ann"), now=NOW, today=TODAY, known=KNOWN, submission=submission)


def edit(engine, base, changes, who):
    return update_item(
        engine, base.id, base.version, changes, actor=editor(who), now=NOW, today=TODAY, known=KNOWN, base=base
    )


def budget_at(value: float, at: datetime = NOW) -> Readings:
    return Readings(at=at, slo_source="demo data", slos={"checkout-availability": SloTriggerReading(value, {})})


def keep_parked(engine, item, readings, submission=None, reviewer="dan"):
    return record_review(
        engine,
        item.id,
        reviewer=editor(reviewer),
        outcome="keep_parked",
        what_changed="vendor fix not out yet",
        next_revisit_on=REVISIT,
        now=NOW,
        today=TODAY,
        readings=readings,
        submission=submission,
    )


# --- three-way merge ---------------------------------------------------------------------------------------------


def test_b_saving_owner_and_workaround_after_a_changed_the_title_keeps_all_three(engine):
    opened = new_item(engine)
    edit(engine, opened, {"title": "Failover takes 9 min on vendor 4.2"}, "alice")
    saved = edit(engine, opened, {"owner": "bob", "workaround": "switch by hand"}, "bob")
    stored = get_item(engine, opened.id)
    assert (stored.title, stored.owner, stored.workaround) == (
        "Failover takes 9 min on vendor 4.2",
        "bob",
        "switch by hand",
    )
    assert saved == stored and stored.version == 3


def test_a_field_both_changed_refuses_the_save_and_names_only_that_field(engine):
    opened = new_item(engine)
    edit(engine, opened, {"title": "Theirs", "impact": "high"}, "alice")
    with pytest.raises(EditConflict) as refused:
        edit(engine, opened, {"title": "Mine", "owner": "bob"}, "bob")
    [conflict] = refused.value.conflicts
    assert (conflict.field, conflict.changed_by, conflict.base_value, conflict.their_value, conflict.your_value) == (
        "title",
        "alice",
        "Failover takes 9 minutes",
        "Theirs",
        "Mine",
    )
    stored = get_item(engine, opened.id)
    assert (stored.title, stored.owner, stored.version) == ("Theirs", "", 2)


def test_settling_a_conflict_saves_the_choice_over_the_latest_version_keeping_their_other_fields(engine):
    opened = new_item(engine)
    edit(engine, opened, {"title": "Theirs", "impact": "high"}, "alice")
    with pytest.raises(EditConflict) as refused:
        edit(engine, opened, {"title": "Mine", "owner": "bob"}, "bob")
    latest = refused.value.current
    chosen = refused.value.merge.resolved({"title": MergeChoice.YOURS})
    changes = {name: value for name, value in chosen.items() if value != getattr(latest, name)}
    edit(engine, latest, changes, "bob")
    stored = get_item(engine, opened.id)
    assert (stored.title, stored.owner, stored.impact) == ("Mine", "bob", "high")


def test_a_third_save_in_between_is_merged_again_not_overwritten(engine):
    opened = new_item(engine)
    edit(engine, opened, {"title": "Theirs"}, "alice")
    with pytest.raises(EditConflict) as refused:
        edit(engine, opened, {"title": "Mine"}, "bob")
    latest = refused.value.current
    edit(engine, latest, {"title": "Carol's"}, "carol")
    with pytest.raises(EditConflict) as again:
        edit(engine, latest, {"title": "Mine"}, "bob")
    assert [(c.changed_by, c.their_value) for c in again.value.conflicts] == [("carol", "Carol's")]
    assert get_item(engine, opened.id).title == "Carol's"


# --- acknowledged triggers ---------------------------------------------------------------------------------------


def parked_with_budget_trigger(engine):
    item = new_item(engine, triggers=[BUDGET])
    return change_state(engine, item.id, item.version, "parked", actor=editor(), now=NOW, today=TODAY)


def test_keeping_a_firing_item_parked_is_not_undone_by_the_revisit_check(engine):
    item = parked_with_budget_trigger(engine)
    check_revisits(engine, lambda names: budget_at(0.12), TODAY, NOW)
    assert get_item(engine, item.id).state == "due"
    keep_parked(engine, get_item(engine, item.id), budget_at(0.12))
    _, marked = check_revisits(engine, lambda names: budget_at(0.12), TODAY, NOW)
    assert marked == [] and get_item(engine, item.id).state == "parked"


def test_the_acknowledgement_is_stored_with_the_reading_the_review_saw(engine):
    item = parked_with_budget_trigger(engine)
    review = keep_parked(engine, item, budget_at(0.12))
    [ack] = acknowledgements_by_item(engine)[item.id]
    assert (ack.trigger, ack.reading, ack.until, ack.reviewer, ack.review_id) == (
        BUDGET,
        pytest.approx(0.12),
        REVISIT,
        "dan",
        review.id,
    )
    assert ack.worse_level == pytest.approx(0.02)


def test_an_acknowledged_trigger_past_its_worse_level_marks_the_item_due_again(engine):
    item = parked_with_budget_trigger(engine)
    keep_parked(engine, item, budget_at(0.12))
    later = NOW + timedelta(hours=2)
    _, marked = check_revisits(engine, lambda names: budget_at(0.01, later), TODAY, later)
    stored = get_item(engine, item.id)
    assert marked == [item.id] and stored.state == "due" and stored.due_reason["value"] == pytest.approx(0.01)


def test_a_review_that_starts_work_acknowledges_nothing(engine):
    item = parked_with_budget_trigger(engine)
    record_review(
        engine,
        item.id,
        reviewer=editor("dan"),
        outcome="start_work",
        what_changed="",
        next_revisit_on=None,
        now=NOW,
        today=TODAY,
        readings=budget_at(0.12),
    )
    assert acknowledgements_by_item(engine) == {}


# --- one record per submission -----------------------------------------------------------------------------------


def test_a_review_submitted_twice_is_stored_once(engine):
    item = parked_with_budget_trigger(engine)
    first = keep_parked(engine, item, budget_at(0.5), submission="review-token-1")
    with pytest.raises(AlreadySaved) as repeated:
        keep_parked(engine, get_item(engine, item.id), budget_at(0.5), submission="review-token-1")
    assert (repeated.value.kind, repeated.value.entity_id) == (SubmissionKind.REVIEW, first.id)
    assert [review.id for review in reviews_for(engine, item.id)] == [first.id]


def test_a_new_item_submitted_twice_is_stored_once(engine):
    first = new_item(engine, submission="create-token-1")
    with pytest.raises(AlreadySaved) as repeated:
        new_item(engine, submission="create-token-1")
    assert (repeated.value.kind, repeated.value.entity_id) == (SubmissionKind.ITEM, first.id)
    assert [item.id for item in list_items(engine)] == [first.id]


def test_two_submissions_with_different_keys_store_two_reviews(engine):
    item = parked_with_budget_trigger(engine)
    keep_parked(engine, item, budget_at(0.5), submission="review-token-1")
    keep_parked(engine, get_item(engine, item.id), budget_at(0.5), submission="review-token-2")
    assert len(reviews_for(engine, item.id)) == 2


def test_a_second_click_racing_past_the_check_is_refused_by_the_unique_key_and_stores_nothing(engine, monkeypatch):
    """Two clicks that both pass the early check (in flight together): the store's unique key refuses the second,
    and its transaction (the item and its audit entry) is rolled back."""
    first = new_item(engine, submission="create-token-1")
    monkeypatch.setattr("data.tracker.store._refuse_repeated", lambda engine, submission: None)
    with pytest.raises(AlreadySaved) as repeated:
        new_item(engine, submission="create-token-1")
    assert repeated.value.entity_id == first.id
    assert [item.id for item in list_items(engine)] == [first.id]


def test_migration_0008_goes_down_to_0007_and_up_again_keeping_the_reviews(database_url):
    migrate(database_url)
    engine = engine_for(database_url)
    try:
        item = parked_with_budget_trigger(engine)
        keep_parked(engine, item, budget_at(0.12), submission="review-token-1")
        with engine.connect() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0007")
            connection.commit()
            assert not {"tracker_acknowledgements", "tracker_submissions"} & set(
                sa.inspect(connection).get_table_names()
            )
            command.upgrade(config, "head")
            connection.commit()
        assert len(reviews_for(engine, item.id)) == 1 and acknowledgements_by_item(engine) == {}
    finally:
        engine.dispose()
