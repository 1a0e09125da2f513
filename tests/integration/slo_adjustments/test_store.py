"""Budget adjustments in the store on SQLite and PostgreSQL: one entered through the service reads back field for
field with its audit line, a repeated submission stores nothing, a change on a stale version is refused, a removal
keeps the row, and viewers are refused every write."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from data.settings import load_settings
from data.slo.catalog import load_catalog
from data.slo_adjustments import service
from data.store import engine_for, migrate
from data.store.audit import audit_entries
from metrics.access import PermissionDenied
from metrics.slo.adjustments import AdjustmentCategory, AdjustmentError
from tests.support.actors import editor, viewer
from tests.support.apptest import SETTINGS_VARIABLES

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
CATALOG = load_catalog(Path(__file__).resolve().parents[3] / "config" / "slos").slos
SLO = "checkout-availability"


@pytest.fixture(params=["sqlite", "postgresql"], scope="module")
def store_url(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('slo_adjustments') / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database(f"slo_adjustments_{uuid.uuid4().hex[:12]}")
    migrate(url)
    return url


@pytest.fixture
def settings(store_url, monkeypatch, tmp_path):
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", store_url)
    monkeypatch.setenv("RELIABILITY_NOW", NOW.isoformat())
    monkeypatch.setenv("RELIABILITY_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv("TEAM_TIMEZONE", "UTC")
    return load_settings()


def row_count(url: str) -> int:
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT COUNT(*) FROM slo_adjustments")).scalar_one()
    finally:
        engine.dispose()


def add(settings, actor=None, key=None, **overrides):
    fields = {
        "category": "maintenance",
        "reason": "primary failover drill",
        "start": NOW - timedelta(hours=4),
        "end": NOW - timedelta(hours=2),
        "scope": service.scope_of(slos=[SLO]),
    }
    return service.add_adjustment(
        settings, CATALOG, actor=actor or editor("Dana"), submission_key=key, **{**fields, **overrides}
    )


def test_an_entered_adjustment_reads_back_field_for_field_with_its_audit_line(settings, store_url):
    stored = add(settings, recurrence="FREQ=WEEKLY;BYDAY=TU", scope=service.scope_of([SLO], ["search"], "team=core"))

    [back] = [a for a in service.adjustments(settings) if a.id == stored.id]
    assert (back.category, back.reason, back.start, back.end, back.recurrence, back.entered_by, back.version) == (
        AdjustmentCategory.MAINTENANCE,
        "primary failover drill",
        NOW - timedelta(hours=4),
        NOW - timedelta(hours=2),
        "FREQ=WEEKLY;BYDAY=TU",
        "Dana",
        1,
    )
    assert (back.scope.slos, back.scope.services, back.scope.selector_text) == ((SLO,), ("search",), "team=core")
    [line] = audit_entries(engine_for(store_url), entity="slo_adjustment", actor="Dana", limit=1)
    assert (line["action"], line["entity_id"], line["details"]["reason"]) == (
        "created",
        str(stored.id),
        "primary failover drill",
    )


def test_a_repeated_submission_stores_one_adjustment(settings, store_url):
    key = uuid.uuid4().hex
    add(settings, key=key)
    count = row_count(store_url)
    with pytest.raises(service.AlreadyRecorded):
        add(settings, key=key)
    assert row_count(store_url) == count


def test_a_change_bumps_the_version_and_a_change_on_the_old_version_is_refused(settings):
    stored = add(settings)
    changed = service.change_adjustment(
        settings,
        CATALOG,
        actor=editor("Eun"),
        adjustment_id=stored.id,
        version=stored.version,
        category="deploy",
        reason="bad deploy, already paid for",
        start=stored.start,
        end=stored.end + timedelta(minutes=30),
        scope=stored.scope,
    )
    assert (changed.version, changed.category, changed.end) == (
        2,
        AdjustmentCategory.DEPLOY,
        stored.end + timedelta(minutes=30),
    )
    with pytest.raises(service.StaleEdit, match="version 1"):
        service.change_adjustment(
            settings,
            CATALOG,
            actor=editor("Dana"),
            adjustment_id=stored.id,
            version=1,
            category="other",
            reason="mine",
            start=stored.start,
            end=stored.end,
            scope=stored.scope,
        )
    [back] = [a for a in service.adjustments(settings) if a.id == stored.id]
    assert back.reason == "bad deploy, already paid for"


def test_a_removed_adjustment_stays_in_the_store_but_is_no_longer_in_force(settings, store_url):
    stored = add(settings)
    removed = service.withdraw_adjustment(settings, actor=editor("Eun"), adjustment_id=stored.id)
    assert (removed.removed_at, removed.removed_by) == (NOW, "Eun")
    assert stored.id not in [a.id for a in service.adjustments_in_force(settings)]
    assert stored.id in [a.id for a in service.adjustments(settings, include_removed=True)]
    [line] = audit_entries(engine_for(store_url), entity="slo_adjustment", actor="Eun", limit=1)
    assert (line["action"], line["entity_id"]) == ("removed", str(stored.id))


def test_a_viewer_can_neither_enter_nor_remove_an_adjustment(settings, store_url):
    stored = add(settings)
    count = row_count(store_url)
    with pytest.raises(PermissionDenied):
        add(settings, actor=viewer("Vic"))
    with pytest.raises(PermissionDenied):
        service.withdraw_adjustment(settings, actor=viewer("Vic"), adjustment_id=stored.id)
    assert row_count(store_url) == count
    assert stored.id in [a.id for a in service.adjustments_in_force(settings)]


def test_an_unknown_slo_is_refused_before_anything_is_stored(settings, store_url):
    count = row_count(store_url)
    with pytest.raises(AdjustmentError, match="^slos: unknown SLO"):
        add(settings, scope=service.scope_of(slos=["no-such-slo"]))
    assert row_count(store_url) == count


def change(settings, stored, actor, version, **overrides):
    fields = {
        "category": stored.category,
        "reason": stored.reason,
        "start": stored.start,
        "end": stored.end,
        "recurrence": stored.recurrence,
        "scope": stored.scope,
    }
    return service.change_adjustment(
        settings, CATALOG, actor=actor, adjustment_id=stored.id, version=version, **{**fields, **overrides}
    )


def test_a_stale_edit_names_who_changed_it_and_when_and_stores_nothing(settings, store_url):
    stored = add(settings)
    change(settings, stored, editor("Eun"), 1, reason="Eun's reason")
    with pytest.raises(service.StaleEdit) as refused:
        change(settings, stored, editor("Kim"), 1, reason="Kim's reason")
    assert (refused.value.changed_by, refused.value.changed_at, refused.value.current.version) == ("Eun", NOW, 2)
    assert (
        f"adjustment {stored.id} was changed by Eun at 2026-11-24 05:00 UTC since you read it (you edited version 1; "
        "it is now at version 2)"
    ) in str(refused.value)
    [back] = [a for a in service.adjustments(settings) if a.id == stored.id]
    assert (back.reason, back.version) == ("Eun's reason", 2)
    assert [
        line["actor"]
        for line in audit_entries(engine_for(store_url), entity="slo_adjustment", entity_id=str(stored.id))
    ] == ["Eun", "Dana"]


def test_an_edit_of_a_removed_adjustment_is_refused_naming_who_removed_it(settings):
    stored = add(settings)
    service.withdraw_adjustment(settings, actor=editor("Eun"), adjustment_id=stored.id)
    with pytest.raises(service.StaleEdit, match=f"adjustment {stored.id} was removed by Eun"):
        change(settings, stored, editor("Kim"), 1, reason="too late")


def test_the_audit_line_of_a_change_lists_each_changed_field_old_and_new(settings, store_url):
    stored = add(settings)
    change(settings, stored, editor("Eun"), 1, category="deploy", end=stored.end + timedelta(minutes=30))
    [line] = audit_entries(engine_for(store_url), entity="slo_adjustment", entity_id=str(stored.id), limit=1)
    assert (line["actor"], line["action"]) == ("Eun", "changed")
    assert line["details"] == {
        "version": 2,
        "changes": {
            "category": ["maintenance", "deploy"],
            "end": [(NOW - timedelta(hours=2)).isoformat(), (NOW - timedelta(hours=1, minutes=30)).isoformat()],
        },
    }


def test_the_same_change_saved_again_on_the_version_it_replaced_stores_nothing_more(settings, store_url):
    stored = add(settings)
    first = change(settings, stored, editor("Eun"), 1, reason="once")
    second = change(settings, stored, editor("Eun"), 1, reason="once")
    assert (first.version, second.version, second.reason) == (2, 2, "once")
    actions = [
        line["action"]
        for line in audit_entries(engine_for(store_url), entity="slo_adjustment", entity_id=str(stored.id))
    ]
    assert actions == ["changed", "created"]


def test_a_viewer_cannot_change_an_adjustment(settings):
    stored = add(settings)
    with pytest.raises(PermissionDenied):
        change(settings, stored, viewer("Vic"), 1, reason="mine")
    [back] = [a for a in service.adjustments(settings) if a.id == stored.id]
    assert (back.reason, back.version) == ("primary failover drill", 1)
