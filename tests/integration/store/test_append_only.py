"""The review log and the audit trail cannot be rewritten on any engine, by any statement that changes or removes
rows (issue 16, item 4), and ``cli.py store check`` reports a guard that is gone, orphans and gaps."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa

from data.store import engine_for, migrate
from data.tracker.demo import seed_demo_items
from metrics.access import VIA_CLI, Actor, Role
from tests.support.stores import run_cli

pytestmark = pytest.mark.integration

NOW = "2026-11-24T05:00:00Z"
ADMIN = Actor("Ann (cli)", Role.ADMIN, VIA_CLI)
HISTORY = ("tracker_reviews", "audit_log")
FIRST = "(SELECT MIN(id) FROM {t})"

# Every statement that would change or remove a history row, by engine. {t} is the history table.
REWRITES = {
    "sqlite": [
        "UPDATE {t} SET id = id",
        "DELETE FROM {t}",
        "INSERT OR REPLACE INTO {t} SELECT * FROM {t} WHERE id = " + FIRST,
        "REPLACE INTO {t} SELECT * FROM {t} WHERE id = " + FIRST,
        "INSERT INTO {t} SELECT * FROM {t} WHERE id = " + FIRST + " ON CONFLICT (id) DO UPDATE SET id = excluded.id",
    ],
    "postgresql": [
        "UPDATE {t} SET id = id",
        "DELETE FROM {t}",
        "TRUNCATE {t}",
        "TRUNCATE tracker_items, {t} CASCADE",
        "INSERT INTO {t} SELECT * FROM {t} WHERE id = " + FIRST + " ON CONFLICT (id) DO UPDATE SET id = excluded.id",
    ],
    "mariadb": [
        "UPDATE {t} SET id = id",
        "DELETE FROM {t}",
        "TRUNCATE {t}",
        "REPLACE INTO {t} SELECT * FROM {t} WHERE id = 1",
        "INSERT INTO {t} SELECT * FROM {t} WHERE id = 1 ON DUPLICATE KEY UPDATE id = VALUES(id)",
    ],
}
# Deleting the reviews' parent with the foreign keys switched off, as a plain shell session may.
PARENT_DELETES = {
    "sqlite": ["PRAGMA foreign_keys = OFF", "DELETE FROM tracker_items"],
    "postgresql": ["DELETE FROM tracker_items"],
    "mariadb": ["SET foreign_key_checks = 0", "DELETE FROM tracker_items"],
}


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"], scope="module")
def seeded(request, tmp_path_factory):
    """A migrated store holding the demo tracker items, their review logs and the audit trail of their writing."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('append_only') / 'store.db'}"
    else:
        server = request.getfixturevalue({"postgresql": "postgres_server", "mariadb": "mariadb_server"}[request.param])
        url = server.create_database(f"append_only_{uuid.uuid4().hex[:12]}")
    migrate(url)
    engine = engine_for(url)
    seed_demo_items(engine, actor=ADMIN, now=datetime.fromisoformat(NOW), team_timezone="UTC")
    yield request.param, url, engine
    engine.dispose()


def _env(url: str, tmp_path_factory) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "RELIABILITY_NOW": NOW,
        "RELIABILITY_SECRETS_FILE": str(tmp_path_factory.getbasetemp() / "none.toml"),
    }


def rows(engine: sa.Engine, table: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(f"SELECT * FROM {table} ORDER BY id"))]


def history(engine: sa.Engine) -> dict[str, list[tuple]]:
    return {table: rows(engine, table) for table in (*HISTORY, "tracker_items")}


# What a guard says when it refuses; MariaDB's TRUNCATE is refused by the guard table's foreign keys. Anything
# else (a syntax error) would be a test that proves nothing.
REFUSALS = "append-only|Cannot truncate a table referenced in a foreign key constraint"


def attempt(engine: sa.Engine, statements: list[str]) -> None:
    with engine.connect() as connection:
        try:
            with pytest.raises(sa.exc.DBAPIError, match=REFUSALS):
                for statement in statements:
                    connection.execute(sa.text(statement))
                connection.commit()
        finally:
            connection.rollback()
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")
            elif connection.dialect.name in ("mysql", "mariadb"):
                connection.exec_driver_sql("SET foreign_key_checks = 1")


@pytest.mark.parametrize("table", HISTORY)
@pytest.mark.parametrize("statement_index", range(5))
def test_no_statement_rewrites_the_history(seeded, table, statement_index):
    engine_name, _, engine = seeded
    before = history(engine)
    assert before[table], "the seeded store has history to protect"
    attempt(engine, [REWRITES[engine_name][statement_index].format(t=table)])
    assert history(engine) == before


def test_a_reviewed_item_cannot_be_deleted_even_with_foreign_keys_off(seeded):
    engine_name, _, engine = seeded
    before = history(engine)
    attempt(engine, PARENT_DELETES[engine_name])
    assert history(engine) == before


def test_the_refusal_says_the_log_is_append_only(seeded):
    _, _, engine = seeded
    with pytest.raises(sa.exc.DBAPIError, match="audit_log is append-only"), engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM audit_log"))


def test_store_check_finds_a_seeded_store_healthy(seeded, monkeypatch, capsys, tmp_path_factory):
    _, url, _ = seeded
    code, out, err = run_cli(monkeypatch, capsys, _env(url, tmp_path_factory), "store", "check")
    assert code == 0, err
    assert "append-only guards: all in place" in out and "every review belongs to an item" in out
    assert out.strip().endswith("result: ok")


@pytest.fixture
def sqlite_store(tmp_path, monkeypatch, capsys, tmp_path_factory):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    code, _, err = run_cli(monkeypatch, capsys, _env(url, tmp_path_factory), "tracker", "seed-demo")
    assert code == 0, err
    engine = engine_for(url)
    yield url, engine
    engine.dispose()


def store_check(url, monkeypatch, capsys, tmp_path_factory) -> tuple[int, str]:
    code, out, _ = run_cli(monkeypatch, capsys, _env(url, tmp_path_factory), "store", "check")
    return code, out


def test_store_check_names_a_dropped_guard(sqlite_store, monkeypatch, capsys, tmp_path_factory):
    url, engine = sqlite_store
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER audit_log_no_replace")
    code, out = store_check(url, monkeypatch, capsys, tmp_path_factory)
    assert code == 1
    assert "append-only guards MISSING: audit_log_no_replace" in out and "result: problems found" in out


def test_store_check_reports_reviews_left_without_their_item(sqlite_store, monkeypatch, capsys, tmp_path_factory):
    url, engine = sqlite_store
    with engine.connect() as connection:
        connection.exec_driver_sql("DROP TRIGGER tracker_items_keep_reviewed")
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        item = connection.execute(sa.text("SELECT MIN(item_id) FROM tracker_reviews")).scalar_one()
        orphans = connection.execute(sa.text(f"SELECT id FROM tracker_reviews WHERE item_id = {item}")).scalars().all()
        connection.execute(sa.text(f"DELETE FROM tracker_items WHERE id = {item}"))
        connection.commit()
    code, out = store_check(url, monkeypatch, capsys, tmp_path_factory)
    assert code == 1
    assert f"reviews WITHOUT their item: {', '.join(f'#{i}' for i in sorted(orphans))}" in out


def test_store_check_reports_ids_missing_from_the_audit_trail(sqlite_store, monkeypatch, capsys, tmp_path_factory):
    url, engine = sqlite_store
    with engine.begin() as connection:
        ids = connection.execute(sa.text("SELECT id FROM audit_log ORDER BY id")).scalars().all()
        connection.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        connection.execute(sa.text(f"DELETE FROM audit_log WHERE id IN ({ids[1]}, {ids[2]})"))
    code, out = store_check(url, monkeypatch, capsys, tmp_path_factory)
    assert code == 1
    assert f"audit_log: ids MISSING (rows were removed): {ids[1]}–{ids[2]}" in out
