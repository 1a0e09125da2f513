"""The SLO review log on SQLite, PostgreSQL and MariaDB: a review recorded through the service reads back field for
field, a repeated submission stores nothing, viewers are refused, and no statement changes or removes a review."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from data.settings import load_settings
from data.slo.catalog import load_catalog
from data.slo_reviews import service
from data.store import engine_for, migrate
from metrics.access import PermissionDenied
from metrics.slo_reviews.rules import ReviewOutcome, ReviewState
from tests.support.actors import editor, viewer
from tests.support.apptest import SETTINGS_VARIABLES

pytestmark = pytest.mark.integration

NOW = "2026-11-24T05:00:00Z"
CATALOG = load_catalog(Path(__file__).resolve().parents[3] / "config" / "slos").slos
SLO = "checkout-availability"  # target 0.999

REWRITES = {
    "sqlite": [
        "UPDATE slo_reviews SET notes = 'rewritten'",
        "DELETE FROM slo_reviews",
        "INSERT OR REPLACE INTO slo_reviews SELECT * FROM slo_reviews WHERE id = (SELECT MIN(id) FROM slo_reviews)",
        "REPLACE INTO slo_reviews SELECT * FROM slo_reviews WHERE id = (SELECT MIN(id) FROM slo_reviews)",
        "INSERT INTO slo_reviews SELECT * FROM slo_reviews WHERE id = (SELECT MIN(id) FROM slo_reviews) "
        "ON CONFLICT (id) DO UPDATE SET notes = 'rewritten'",
    ],
    "postgresql": [
        "UPDATE slo_reviews SET notes = 'rewritten'",
        "DELETE FROM slo_reviews",
        "TRUNCATE slo_reviews",
        "TRUNCATE slo_reviews CASCADE",
        "INSERT INTO slo_reviews SELECT * FROM slo_reviews WHERE id = (SELECT MIN(id) FROM slo_reviews) "
        "ON CONFLICT (id) DO UPDATE SET notes = 'rewritten'",
    ],
    "mariadb": [
        "UPDATE slo_reviews SET notes = 'rewritten'",
        "DELETE FROM slo_reviews",
        "TRUNCATE slo_reviews",
        "REPLACE INTO slo_reviews SELECT * FROM slo_reviews WHERE id = 1",
        "INSERT INTO slo_reviews SELECT * FROM slo_reviews WHERE id = 1 ON DUPLICATE KEY UPDATE notes = 'rewritten'",
    ],
}
REFUSALS = "append-only|Cannot truncate a table referenced in a foreign key constraint"


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"], scope="module")
def store_url(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('slo_reviews') / 'store.db'}"
    else:
        server = request.getfixturevalue({"postgresql": "postgres_server", "mariadb": "mariadb_server"}[request.param])
        url = server.create_database(f"slo_reviews_{uuid.uuid4().hex[:12]}")
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


def rows(url: str) -> list[tuple]:
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text("SELECT * FROM slo_reviews ORDER BY id"))]
    finally:
        engine.dispose()


def test_a_recorded_review_reads_back_field_for_field_and_a_repeat_stores_nothing(settings, store_url):
    key = uuid.uuid4().hex
    recorded = service.record_review(
        settings,
        CATALOG,
        actor=editor("Dana"),
        slo=SLO,
        outcome="change-sli",
        notes="users feel p99",
        submission_key=key,
    )

    [back] = [r for r in service.review_history(settings, SLO) if r.id == recorded.id]
    assert (back.slo, back.reviewer, back.outcome, back.notes, back.target) == (
        SLO,
        "Dana",
        ReviewOutcome.CHANGE_SLI,
        "users feel p99",
        0.999,
    )
    assert back.reviewed_at == datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    count = len(rows(store_url[1]))
    with pytest.raises(service.AlreadyRecorded):
        service.record_review(
            settings,
            CATALOG,
            actor=editor("Dana"),
            slo=SLO,
            outcome="change-sli",
            notes="users feel p99",
            submission_key=key,
        )
    assert len(rows(store_url[1])) == count
    status = next(s for s in service.review_statuses(settings, CATALOG) if s.slo == SLO)
    assert (status.state, status.last_review.id) == (ReviewState.REVIEWED, recorded.id)


def test_a_viewer_cannot_record_a_review(settings, store_url):
    before = rows(store_url[1])
    with pytest.raises(PermissionDenied):
        service.record_review(settings, CATALOG, actor=viewer("Vic"), slo=SLO, outcome="keep")
    assert rows(store_url[1]) == before


@pytest.mark.parametrize("statement_index", range(5))
def test_no_statement_changes_or_removes_a_review(settings, store_url, statement_index):
    engine_name, url = store_url
    service.record_review(settings, CATALOG, actor=editor("Dana"), slo=SLO, outcome="keep")
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
