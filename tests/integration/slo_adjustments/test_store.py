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
