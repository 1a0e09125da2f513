"""An import or a collector that fails midway leaves nothing half-stored, and the next run completes it.

The failure is real: a trigger the test installs in the store (SQLite and PostgreSQL) makes the database refuse one
row in the middle of the write, after the rows before it were sent. The tracker and incidents imports are one
transaction (no row of the file stays); ``collect rollups`` is one transaction per day (the days before the
refused one stay, complete, and the next run adds exactly the missing days); ``collect db-health`` is one
transaction per collection (no database's snapshot stays)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from data.store import engine_for
from tests.support.stores import SETTINGS_PREFIXES, fresh_store, run_cli

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
NOW = "2026-11-24T05:00:00Z"
MESSAGE = "interrupted by the test"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    return fresh_store(request, tmp_path, "interrupt")


def execute(url: str, *statements: str) -> None:
    engine = engine_for(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
    finally:
        engine.dispose()


def refuse_inserts(url: str, table: str, condition: str) -> None:
    """From now on the database refuses an INSERT into ``table`` whose row matches ``condition`` (on NEW)."""
    if url.startswith("sqlite"):
        execute(
            url,
            f"CREATE TRIGGER interrupt_{table} BEFORE INSERT ON {table} WHEN {condition} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        )
    else:
        execute(
            url,
            f"CREATE FUNCTION interrupt_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF {condition} THEN RAISE EXCEPTION '{MESSAGE}'; END IF; RETURN NEW; END $$",
            f"CREATE TRIGGER interrupt_{table} BEFORE INSERT ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION interrupt_{table}()",
        )


def accept_inserts_again(url: str, table: str) -> None:
    if url.startswith("sqlite"):
        execute(url, f"DROP TRIGGER interrupt_{table}")
    else:
        execute(url, f"DROP TRIGGER interrupt_{table} ON {table}", f"DROP FUNCTION interrupt_{table}()")


def count(url: str, table: str, where: str = "1 = 1") -> int:
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(f"SELECT COUNT(*) FROM {table} WHERE {where}")).scalar_one()
    finally:
        engine.dispose()


def environment(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "RELIABILITY_NOW": NOW,
        "TEAM_TIMEZONE": "UTC",
        "RELIABILITY_SECRETS_FILE": str(tmp_path / "no-secrets.toml"),
    }


# --- imports: the whole file or nothing ----------------------------------------------------------------------------


def test_a_tracker_import_refused_midway_stores_nothing_and_the_next_run_stores_all(
    store_url, tmp_path, monkeypatch, capsys
):
    items = [{"title": title, "state": "new", "owner_role": "SRE"} for title in ("first", "boom", "third")]
    path = tmp_path / "items.json"
    path.write_text(json.dumps({"items": items}), encoding="utf-8")
    env = environment(store_url, tmp_path)
    refuse_inserts(store_url, "tracker_items", "NEW.title = 'boom'")
    code, _, err = run_cli(monkeypatch, capsys, env, "tracker", "import", "--file", str(path), "--as", "t")
    assert code == 2 and "Traceback" not in err, err
    assert (count(store_url, "tracker_items"), count(store_url, "audit_log")) == (0, 0)

    accept_inserts_again(store_url, "tracker_items")
    code, _, err = run_cli(monkeypatch, capsys, env, "tracker", "import", "--file", str(path), "--as", "t")
    assert code == 0, err
    assert (count(store_url, "tracker_items"), count(store_url, "audit_log")) == (3, 3)


def test_an_incidents_import_refused_midway_stores_nothing_and_the_next_run_stores_all(
    store_url, tmp_path, monkeypatch, capsys
):
    path = tmp_path / "incidents.csv"
    path.write_text(
        "id,service,severity,started,summary\n"
        "INC-1,checkout,SEV2,2026-11-20T10:00,first\n"
        "INC-2,checkout,SEV3,2026-11-21T10:00,boom\n"
        "INC-3,search,SEV4,2026-11-22T10:00,third\n",
        encoding="utf-8",
    )
    env = environment(store_url, tmp_path)
    refuse_inserts(store_url, "incidents", "NEW.summary = 'boom'")
    code, _, err = run_cli(monkeypatch, capsys, env, "incidents", "import", "--csv", str(path))
    assert code == 2 and "Traceback" not in err, err
    assert count(store_url, "incidents") == 0

    accept_inserts_again(store_url, "incidents")
    code, _, err = run_cli(monkeypatch, capsys, env, "incidents", "import", "--csv", str(path))
    assert code == 0, err
    assert count(store_url, "incidents") == 3


# --- collectors: whole days, whole collections ------------------------------------------------------------------


def collect(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """The collector as cron runs it: its own process."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_PREFIXES)}
    return subprocess.run(
        [sys.executable, "cli.py", "collect", *args],
        cwd=REPO,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def rollup_rows(url: str) -> list[tuple]:
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            return [
                (str(row[0]), *row[1:])
                for row in connection.execute(
                    sa.text(
                        "SELECT day, slo, total, bad, sli, budget_consumed, source "
                        "FROM slo_daily_rollups ORDER BY day, slo"
                    )
                )
            ]
    finally:
        engine.dispose()


def test_collect_rollups_refused_midway_keeps_whole_days_and_the_next_run_adds_the_rest(store_url, tmp_path):
    env = environment(store_url, tmp_path)
    days = ("--demo", "--since", "2026-11-01", "--until", "2026-11-05")
    refuse_inserts(store_url, "slo_daily_rollups", "NEW.day = '2026-11-03'")
    interrupted = collect(env, "rollups", *days)
    assert interrupted.returncode == 2 and "Traceback" not in interrupted.stderr, interrupted.stderr
    assert "the store refused a write" in interrupted.stderr
    assert "nothing of the refused one was stored" in interrupted.stderr
    per_day = {
        day: count(store_url, "slo_daily_rollups", f"day = '{day}'")
        for day in ("2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05")
    }
    slos = per_day["2026-11-01"]
    assert slos > 0 and per_day == {
        "2026-11-01": slos,
        "2026-11-02": slos,
        "2026-11-03": 0,
        "2026-11-04": 0,
        "2026-11-05": 0,
    }
    kept = rollup_rows(store_url)

    accept_inserts_again(store_url, "slo_daily_rollups")
    resumed = collect(env, "rollups", *days)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{2 * slos} already collected" in resumed.stdout
    rows = rollup_rows(store_url)
    assert rows[: len(kept)] == kept and len(rows) == 5 * slos

    clean = f"sqlite:///{tmp_path / 'clean.db'}"  # one uninterrupted run stores exactly the same rows
    assert collect(environment(clean, tmp_path), "rollups", *days).returncode == 0
    assert rollup_rows(clean) == rows


def test_collect_db_health_refused_for_one_database_stores_no_snapshot_of_any(store_url, tmp_path):
    config = tmp_path / "databases.toml"
    config.write_text(
        '[[database]]\nname = "alpha"\nengine = "postgresql"\n[[database]]\nname = "beta"\nengine = "mariadb"\n',
        encoding="utf-8",
    )
    # A Prometheus named (never asked by this command): outside demo mode, so the two databases without a DSN are
    # stored as "not configured" rather than shown as the demo fleet, which is never stored.
    env = {
        **environment(store_url, tmp_path),
        "DATABASES_CONFIG": str(config),
        "PROMETHEUS_URL": "http://127.0.0.1:9",
    }
    refuse_inserts(store_url, "db_health_snapshots", "NEW.database = 'beta'")
    interrupted = collect(env, "db-health")
    assert interrupted.returncode == 2 and "Traceback" not in interrupted.stderr, interrupted.stderr
    assert count(store_url, "db_health_snapshots") == 0

    accept_inserts_again(store_url, "db_health_snapshots")
    collect(env, "db-health")  # exit 2 too: neither database has a DSN, so neither answered
    assert count(store_url, "db_health_snapshots") == 2
