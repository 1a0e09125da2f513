"""The CLI imports refuse a file over the import limit before reading it, name the limit, and store nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from data.incidents.store import incidents_between
from data.store import engine_for, migrate
from metrics.import_limits import MAX_IMPORT_BYTES


def oversized(path, header: str, row: str):
    path.write_text(header + row * (MAX_IMPORT_BYTES // len(row) + 1), encoding="utf-8")
    return path


def test_tracker_import_of_an_oversized_file_is_refused_and_stores_nothing(run_cli, store_env, tmp_path):
    big = oversized(tmp_path / "items.csv", "title,state,owner_role\n", "Failover takes 9 minutes,new,DBA\n")
    completed = run_cli(store_env, "import", "--file", str(big))
    assert completed.returncode == 2
    assert completed.stderr.strip().startswith(f"error: --file {big} is ")
    assert "imports are limited to 5 MB" in completed.stderr and "nothing was imported" in completed.stderr
    assert json.loads(run_cli(store_env, "export", "--format", "json").stdout)["items"] == []


def test_incidents_import_of_an_oversized_file_is_refused_and_stores_nothing(run_cli, store_env, tmp_path):
    big = oversized(
        tmp_path / "incidents.csv", "id,service,severity,started\n", "INC-1,checkout,SEV2,2026-11-24T10:00\n"
    )
    completed = run_cli(store_env, "import", "--csv", str(big), command="incidents")
    assert completed.returncode == 2
    assert "imports are limited to 5 MB" in completed.stderr and "nothing was imported" in completed.stderr
    engine = engine_for(store_env["DATABASE_URL"])
    try:
        migrate(store_env["DATABASE_URL"])
        assert incidents_between(engine, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)) == []
    finally:
        engine.dispose()
