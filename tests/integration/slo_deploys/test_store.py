"""Deploys entered by hand, on SQLite, PostgreSQL and MariaDB: one entered through the service reads back field for
field with its audit line, a repeated submission stores nothing, viewers are refused, and no statement changes or
removes a deploy."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from data.settings import load_settings
from data.slo.catalog import load_catalog
from data.slo_deploys import service
from data.store import engine_for, migrate
from data.store.audit import audit_entries
from metrics.access import PermissionDenied
from tests.support.actors import editor, viewer
from tests.support.apptest import SETTINGS_VARIABLES

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
CATALOG = load_catalog(Path(__file__).resolve().parents[3] / "config" / "slos").slos
DEPLOYED = NOW - timedelta(hours=2)

REWRITES = {
    "sqlite": [
        "UPDATE slo_deploys SET version = 'rewritten'",
        "DELETE FROM slo_deploys",
        "INSERT OR REPLACE INTO slo_deploys SELECT * FROM slo_deploys WHERE id = (SELECT MIN(id) FROM slo_deploys)",
        "REPLACE INTO slo_deploys SELECT * FROM slo_deploys WHERE id = (SELECT MIN(id) FROM slo_deploys)",
        "INSERT INTO slo_deploys SELECT * FROM slo_deploys WHERE id = (SELECT MIN(id) FROM slo_deploys) "
        "ON CONFLICT (id) DO UPDATE SET version = 'rewritten'",
    ],
    "postgresql": [
        "UPDATE slo_deploys SET version = 'rewritten'",
        "DELETE FROM slo_deploys",
        "TRUNCATE slo_deploys",
        "TRUNCATE slo_deploys CASCADE",
        "INSERT INTO slo_deploys SELECT * FROM slo_deploys WHERE id = (SELECT MIN(id) FROM slo_deploys) "
        "ON CONFLICT (id) DO UPDATE SET version = 'rewritten'",
    ],
    "mariadb": [
        "UPDATE slo_deploys SET version = 'rewritten'",
        "DELETE FROM slo_deploys",
        "TRUNCATE slo_deploys",
        "REPLACE INTO slo_deploys SELECT * FROM slo_deploys WHERE id = 1",
        "INSERT INTO slo_deploys SELECT * FROM slo_deploys WHERE id = 1 ON DUPLICATE KEY UPDATE version = 'rewritten'",
    ],
}
REFUSALS = "append-only|Cannot truncate a table referenced in a foreign key constraint"


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"], scope="module")
def store_url(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('slo_deploys') / 'store.db'}"
    else:
        server = request.getfixturevalue({"postgresql": "postgres_server", "mariadb": "mariadb_server"}[request.param])
        url = server.create_database(f"slo_deploys_{uuid.uuid4().hex[:12]}")
    migrate(url)
    return request.param, url


@pytest.fixture
def settings(store_url, monkeypatch, tmp_path):
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", store_url[1])
    monkeypatch.setenv("RELIABILITY_NOW", NOW.isoformat())
    monkeypatch.setenv("RELIABILITY_SECRETS_FILE", str(tmp_path / "none.toml"))
    monkeypatch.setenv("TEAM_TIMEZONE", "UTC")
    return load_settings()


def rows(url: str) -> list[tuple]:
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text("SELECT * FROM slo_deploys ORDER BY id"))]
    finally:
        engine.dispose()


def enter(settings, key: str | None = None, actor=None):
    return service.add_deploy(
        settings,
        CATALOG,
        actor=actor or editor("Dana"),
        service="checkout",
        deployed_at=DEPLOYED,
        version="v2.14.0",
        description="new cart",
        submission_key=key,
    )


def test_an_entered_deploy_reads_back_field_for_field(settings):
    stored = enter(settings)
    [back] = [d for d in service.deploys(settings, services=["checkout"]) if d.id == stored.id]
    assert (back.service, back.deployed_at, back.version, back.description, back.entered_by, back.entered_at) == (
        "checkout",
        DEPLOYED,
        "v2.14.0",
        "new cart",
        "Dana",
        NOW,
    )


def test_an_entered_deploy_has_its_audit_line(settings):
    stored = enter(settings)
    engine = engine_for(settings.database_url)
    try:
        lines = [e for e in audit_entries(engine, entity="slo_deploy") if e["entity_id"] == str(stored.id)]
    finally:
        engine.dispose()
    assert [(line["action"], line["actor"]) for line in lines] == [("created", "Dana")]


def test_a_repeated_submission_stores_nothing_more(settings, store_url):
    key = uuid.uuid4().hex
    enter(settings, key)
    count = len(rows(store_url[1]))
    with pytest.raises(service.AlreadyRecorded):
        enter(settings, key)
    assert len(rows(store_url[1])) == count


def test_a_viewer_cannot_enter_a_deploy(settings, store_url):
    before = rows(store_url[1])
    with pytest.raises(PermissionDenied):
        enter(settings, actor=viewer("Vic"))
    assert rows(store_url[1]) == before


def test_the_deploys_read_are_those_within_the_range(settings):
    stored = enter(settings)
    shown = service.deploys(settings, services=["checkout"], since=DEPLOYED, until=DEPLOYED)
    assert stored.id in [d.id for d in shown]
    assert service.deploys(settings, services=["checkout"], since=DEPLOYED + timedelta(seconds=1)) == []


@pytest.mark.parametrize("statement_index", range(5))
def test_no_statement_changes_or_removes_a_deploy(settings, store_url, statement_index):
    engine_name, url = store_url
    enter(settings)
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
