"""The error-budget policy in the store on SQLite, PostgreSQL and MariaDB: a saved policy reads back field for field
with its parked revisit-tracker item, an edit made on an older version is refused and stores nothing, every edit is
in the audit trail, a decision reads back and a repeated submission stores nothing, viewers are refused, and no
statement changes or removes a decision."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from data.settings import load_settings
from data.slo_policy import service
from data.store import engine_for, migrate
from data.store.audit import audit_entries
from data.tracker.store import get_item
from metrics.access import PermissionDenied
from metrics.slo_policy.rules import ALL_SERVICES, DecisionKind
from tests.support.actors import editor, viewer
from tests.support.apptest import SETTINGS_VARIABLES

pytestmark = pytest.mark.integration

NOW = "2026-11-24T05:00:00Z"
SERVICES = ["checkout", "search", "payments", "auth", "inventory", "notifications"]

REWRITES = {
    "sqlite": [
        "UPDATE slo_policy_decisions SET reason = 'rewritten'",
        "DELETE FROM slo_policy_decisions",
        "INSERT OR REPLACE INTO slo_policy_decisions SELECT * FROM slo_policy_decisions "
        "WHERE id = (SELECT MIN(id) FROM slo_policy_decisions)",
        "REPLACE INTO slo_policy_decisions SELECT * FROM slo_policy_decisions "
        "WHERE id = (SELECT MIN(id) FROM slo_policy_decisions)",
        "INSERT INTO slo_policy_decisions SELECT * FROM slo_policy_decisions "
        "WHERE id = (SELECT MIN(id) FROM slo_policy_decisions) ON CONFLICT (id) DO UPDATE SET reason = 'rewritten'",
    ],
    "postgresql": [
        "UPDATE slo_policy_decisions SET reason = 'rewritten'",
        "DELETE FROM slo_policy_decisions",
        "TRUNCATE slo_policy_decisions",
        "TRUNCATE slo_policy_decisions CASCADE",
        "INSERT INTO slo_policy_decisions SELECT * FROM slo_policy_decisions "
        "WHERE id = (SELECT MIN(id) FROM slo_policy_decisions) ON CONFLICT (id) DO UPDATE SET reason = 'rewritten'",
    ],
    "mariadb": [
        "UPDATE slo_policy_decisions SET reason = 'rewritten'",
        "DELETE FROM slo_policy_decisions",
        "TRUNCATE slo_policy_decisions",
        "REPLACE INTO slo_policy_decisions SELECT * FROM slo_policy_decisions WHERE id = 1",
        "INSERT INTO slo_policy_decisions SELECT * FROM slo_policy_decisions WHERE id = 1 "
        "ON DUPLICATE KEY UPDATE reason = 'rewritten'",
    ],
}
REFUSALS = "append-only|Cannot truncate a table referenced in a foreign key constraint"


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"], scope="module")
def store_url(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('slo_policy') / 'store.db'}"
    else:
        server = request.getfixturevalue({"postgresql": "postgres_server", "mariadb": "mariadb_server"}[request.param])
        url = server.create_database(f"slo_policy_{uuid.uuid4().hex[:12]}")
    migrate(url)
    return request.param, url


@pytest.fixture
def settings(store_url, monkeypatch, tmp_path):
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", store_url[1])
    monkeypatch.setenv("RELIABILITY_NOW", NOW)
    monkeypatch.setenv("RELIABILITY_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv("TEAM_TIMEZONE", "UTC")
    return load_settings()


def rows(url: str, table: str = "slo_policy_decisions") -> list[tuple]:
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(f"SELECT * FROM {table} ORDER BY id"))]
    finally:
        engine.dispose()


def save(settings, scope: str, base_version: int, actions: str = "halt changes but P0 and security fixes", **changes):
    values = {
        "actor": editor("Dana"),
        "scope": scope,
        "actions": actions,
        "approver": "Lee (VP Eng)",
        "approved_on": date(2026, 11, 2),
        "revisit_on": date(2027, 5, 1),
        "at_risk_spent": 0.75,
        "freeze_spent": 1.0,
        "postmortem_share": 0.2,
        "base_version": base_version,
    }
    return service.set_policy(settings, SERVICES, **{**values, **changes})


def fresh_scope(settings) -> str:
    """A scope no earlier test of this module saved (the store is shared by the module): * once, then services."""
    taken = {p.scope for p in service.policies(settings)}
    return next(scope for scope in (ALL_SERVICES, *SERVICES) if scope not in taken)


def test_a_saved_policy_reads_back_field_for_field_with_its_parked_tracker_item(settings, store_url):
    scope = fresh_scope(settings)
    saved = save(settings, scope, 0)

    back = service.policy(settings, scope)
    assert (back.actions, back.approver, back.approved_on, back.revisit_on, back.version) == (
        "halt changes but P0 and security fixes",
        "Lee (VP Eng)",
        date(2026, 11, 2),
        date(2027, 5, 1),
        1,
    )
    assert (back.at_risk_spent, back.freeze_spent, back.postmortem_share) == (0.75, 1.0, 0.2)
    assert back.updated_at == datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    engine = engine_for(store_url[1])
    try:
        item = get_item(engine, saved.tracker_item_id)
    finally:
        engine.dispose()
    assert (item.state, item.revisit_on, item.external_reference) == (
        "parked",
        date(2027, 5, 1),
        service.tracker_reference(scope),
    )


def test_a_new_revisit_date_moves_the_same_tracker_item(settings, store_url):
    scope = fresh_scope(settings)
    first = save(settings, scope, 0)
    second = save(settings, scope, first.version, revisit_on=date(2027, 8, 1))

    assert second.tracker_item_id == first.tracker_item_id
    engine = engine_for(store_url[1])
    try:
        assert get_item(engine, second.tracker_item_id).revisit_on == date(2027, 8, 1)
    finally:
        engine.dispose()


def test_an_edit_made_on_an_older_version_is_refused_and_stores_nothing(settings, store_url):
    scope = fresh_scope(settings)
    first = save(settings, scope, 0)
    save(settings, scope, first.version, actions="theirs")
    before = rows(store_url[1], "slo_policies")

    with pytest.raises(service.PolicyConflict, match="saved by Dana .* since you opened version 1; nothing was saved"):
        save(settings, scope, first.version, actions="mine")

    assert rows(store_url[1], "slo_policies") == before
    assert service.policy(settings, scope).actions == "theirs"


def test_every_policy_edit_is_in_the_audit_trail(settings, store_url):
    scope = fresh_scope(settings)
    first = save(settings, scope, 0)
    save(settings, scope, first.version, freeze_spent=0.9)

    engine = engine_for(store_url[1])
    try:
        trail = [e for e in audit_entries(engine, entity="slo_policy") if e["entity_id"] == scope]
    finally:
        engine.dispose()
    assert [e["action"] for e in trail] == ["edited", "created"]
    assert trail[0]["details"]["changes"] == {"freeze_spent": [1.0, 0.9]}
    assert trail[0]["actor"] == "Dana"


def test_a_viewer_cannot_save_a_policy(settings, store_url):
    before = rows(store_url[1], "slo_policies")
    with pytest.raises(PermissionDenied):
        save(settings, "checkout", 0, actor=viewer("Vic"))
    assert rows(store_url[1], "slo_policies") == before


def test_a_recorded_decision_reads_back_and_a_repeat_stores_nothing(settings, store_url):
    key = uuid.uuid4().hex
    recorded = service.record_decision(
        settings,
        SERVICES,
        actor=editor("Dana"),
        service="checkout",
        kind="freeze",
        reason="budget spent",
        state="freeze",
        submission_key=key,
    )

    [back] = [d for d in service.decisions(settings, "checkout") if d.id == recorded.id]
    assert (back.service, back.kind, back.reason, back.decided_by, back.state) == (
        "checkout",
        DecisionKind.FREEZE,
        "budget spent",
        "Dana",
        "freeze",
    )
    assert back.decided_at == datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    count = len(rows(store_url[1]))
    with pytest.raises(service.AlreadyRecorded):
        service.record_decision(
            settings,
            SERVICES,
            actor=editor("Dana"),
            service="checkout",
            kind="freeze",
            reason="budget spent",
            submission_key=key,
        )
    assert len(rows(store_url[1])) == count


def test_a_viewer_cannot_record_a_decision(settings, store_url):
    before = rows(store_url[1])
    with pytest.raises(PermissionDenied):
        service.record_decision(settings, SERVICES, actor=viewer("Vic"), service="checkout", kind="freeze", reason="x")
    assert rows(store_url[1]) == before


@pytest.mark.parametrize("statement_index", range(5))
def test_no_statement_changes_or_removes_a_decision(settings, store_url, statement_index):
    engine_name, url = store_url
    service.record_decision(settings, SERVICES, actor=editor("Dana"), service="search", kind="exception", reason="P0")
    before = rows(url)
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            try:
                with pytest.raises(sa.exc.DBAPIError, match=REFUSALS):
                    connection.execute(sa.text(REWRITES[engine_name][statement_index]))
                    connection.commit()
            finally:
                connection.rollback()
    finally:
        engine.dispose()
    assert rows(url) == before
