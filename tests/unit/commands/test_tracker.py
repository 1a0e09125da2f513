"""`cli.py tracker ...` on a throwaway SQLite store: export/import round trips, the due list, the demo seed, and
refusals as one-line errors. Commands run in-process through ``cli.main`` (a subprocess per call costs seconds);
one test runs the real ``cli.py`` to prove the wiring."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
NOW = "2026-11-24T05:00:00Z"


def test_the_real_cli_runs_the_tracker_commands(store_env):
    completed = subprocess.run(
        [sys.executable, "cli.py", "tracker", "export", "--format", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env=store_env,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["items"] == []


def test_seed_demo_stores_a_dozen_items_once(run_cli, store_env):
    assert run_cli(store_env, "seed-demo").stdout.strip() == "stored 12 demo items"
    assert "left as it is" in run_cli(store_env, "seed-demo").stdout


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_export_then_import_into_an_empty_store_then_export_is_identical(run_cli, store_env, tmp_path, export_format):
    run_cli(store_env, "seed-demo")
    first = run_cli(store_env, "export", "--format", export_format)
    assert first.returncode == 0, first.stderr
    exported = tmp_path / f"items.{export_format}"
    exported.write_text(first.stdout, encoding="utf-8", newline="")
    empty_env = {**store_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    imported = run_cli(empty_env, "import", "--file", str(exported))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == f"imported 12 item(s) from {exported}"
    assert run_cli(empty_env, "export", "--format", export_format).stdout == first.stdout


def test_an_invalid_import_lists_every_problem_and_stores_nothing(run_cli, store_env, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "title,state,owner_role,revisit_on\nFine,new,SRE,\n,new,SRE,\nDated,new,CEO,tomorrow\n", encoding="utf-8"
    )
    completed = run_cli(store_env, "import", "--file", str(bad))
    assert completed.returncode == 2
    assert completed.stderr.splitlines() == [
        "error: row 2, title: a title is required",
        "error: row 3, owner_role: must be one of TPM, SRE, DBA, not 'CEO'",
        "error: row 3, revisit_on: must be a date like 2026-12-01, not 'tomorrow'",
        f"error: nothing imported from {bad} (3 problem(s))",
    ]
    assert json.loads(run_cli(store_env, "export", "--format", "json").stdout)["items"] == []


def test_a_missing_import_file_is_one_line(run_cli, store_env, tmp_path):
    completed = run_cli(store_env, "import", "--file", str(tmp_path / "nope.csv"))
    assert completed.returncode == 2 and completed.stderr.strip().endswith("nope.csv: no such file")


def test_due_json_lists_due_items_with_their_reasons(run_cli, store_env):
    run_cli(store_env, "seed-demo")
    completed = run_cli(store_env, "due", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    payload = json.loads(completed.stdout)
    assert payload["at"] == "2026-11-24T05:00:00+00:00"
    by_title = {entry["title"]: entry for entry in payload["due"]}
    failover = by_title["Database failover takes 9 minutes on the vendor's current version"]
    assert failover["reasons"][0]["kind"] == "date"
    assert failover["reasons"][0]["text"] == "revisit date 2026-11-21 reached (3 d ago)"
    assert [entry["reasons"][0]["kind"] for entry in payload["due"]] == sorted(
        (entry["reasons"][0]["kind"] for entry in payload["due"]), key=["date", "signal", "by hand"].index
    )


def test_due_at_an_earlier_instant_lists_fewer_items(run_cli, store_env):
    run_cli(store_env, "seed-demo")
    now = json.loads(run_cli(store_env, "due", "--format", "json").stdout)["due"]
    earlier = json.loads(run_cli(store_env, "due", "--at", "2026-11-01T00:00:00Z", "--format", "json").stdout)["due"]
    assert len(earlier) < len(now)


def test_due_table_says_why_each_item_is_due(run_cli, store_env):
    run_cli(store_env, "seed-demo")
    completed = run_cli(store_env, "due", "--format", "table")
    assert completed.stdout.startswith("Tracker items due at 2026-11-24T05:00:00+00:00:")
    assert "revisit date 2026-11-21 reached (3 d ago)" in completed.stdout


def test_due_with_a_bad_instant_is_one_line(run_cli, store_env):
    completed = run_cli(store_env, "due", "--at", "yesterday")
    assert completed.returncode == 2
    assert completed.stderr.strip() == "error: --at 'yesterday' is not an ISO 8601 instant like 2026-11-24T14:05:00Z"


def test_collect_tracker_due_stores_due_on_parked_items_whose_date_came(run_cli, store_env):
    run_cli(store_env, "seed-demo")
    parked_before = [
        item
        for item in json.loads(run_cli(store_env, "export", "--format", "json").stdout)["items"]
        if item["state"] == "parked"
    ]
    completed = run_cli(store_env, "tracker-due", command="collect")
    assert completed.returncode == 0, completed.stderr
    assert "came due" in completed.stdout and not completed.stdout.startswith("0 ")
    items = {item["id"]: item for item in json.loads(run_cli(store_env, "export", "--format", "json").stdout)["items"]}
    failover = next(item for item in items.values() if item["title"].startswith("Database failover takes 9 minutes"))
    assert failover["state"] == "due"
    assert any(items[item["id"]]["state"] == "due" for item in parked_before)


def test_collect_tracker_due_twice_marks_nothing_the_second_time(run_cli, store_env):
    run_cli(store_env, "seed-demo")
    run_cli(store_env, "tracker-due", command="collect")
    assert run_cli(store_env, "tracker-due", command="collect").stdout.startswith("0 item(s) came due")


def test_a_lone_carriage_return_in_a_cell_survives_import_and_export(run_cli, store_env, tmp_path):
    source = tmp_path / "items.csv"
    source.write_bytes(b'title,state,owner_role,workaround\r\nSlow failover,new,SRE,"restart\rthen wait"\r\n')
    imported = run_cli(store_env, "import", "--file", str(source))
    assert imported.returncode == 0, imported.stderr
    exported = json.loads(run_cli(store_env, "export", "--format", "json").stdout)["items"]
    assert [item["workaround"] for item in exported] == ["restart\rthen wait"]
