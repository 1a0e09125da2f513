"""`cli.py slo-adjustments ...` and `slo-report --raw` on a throwaway SQLite store and the demo history: an
adjustment entered after the fact changes the report, the raw figures stay beside the adjusted ones, a removal
brings them back, and bad input is one readable line naming the field."""

from __future__ import annotations

import json

EXIT_FAILED = 2


def add(run_cli, env, *extra: str):
    return run_cli(
        env,
        "add",
        "--category",
        "maintenance",
        "--reason",
        "primary failover",
        "--start",
        "2026-11-24T03:00:00Z",
        "--slo",
        "checkout-availability",
        *(extra or ("--end", "2026-11-24T05:00:00Z")),
        "--as",
        "Dana",
        command="slo-adjustments",
    )


def checkout(run_cli, env, *extra):
    completed = run_cli(env, "--format", "json", *extra, command="slo-report")
    return next(row for row in json.loads(completed.stdout)["slos"] if row["slo"] == "checkout-availability")


def test_an_adjustment_over_the_last_two_hours_stops_the_page_and_raw_shows_what_it_was(run_cli, store_env):
    before = checkout(run_cli, store_env)
    entered = add(run_cli, store_env)
    assert entered.returncode == 0, entered.stderr
    assert "entered adjustment 1 (maintenance)" in entered.stdout

    row = checkout(run_cli, store_env, "--raw")
    assert before["attention"] == "page" and before["budget_adjusted"] is False
    assert row["budget_adjusted"] is True
    assert row["raw"]["alert_state"] == "page"
    assert row["raw"]["budget_remaining"] == before["budget_remaining"]
    assert row["alert_state"] != "page"
    assert row["budget_remaining"] > before["budget_remaining"]


def test_the_table_report_marks_adjusted_slos_and_shows_the_raw_table_on_request(run_cli, store_env):
    add(run_cli, store_env)
    plain = run_cli(store_env, command="slo-report")
    raw = run_cli(store_env, "--show-raw", command="slo-report")
    assert "checkout-availability*" in plain.stdout and "budget adjusted" in plain.stdout
    assert "Before budget adjustments" not in plain.stdout
    assert "Before budget adjustments (raw counts):" in raw.stdout


def test_a_listed_adjustment_is_gone_from_the_report_once_removed(run_cli, store_env):
    add(run_cli, store_env)
    listed = json.loads(run_cli(store_env, "list", "--format", "json", command="slo-adjustments").stdout)
    assert [(a["id"], a["entered_by"], a["slos"]) for a in listed["adjustments"]] == [
        (1, "Dana", ["checkout-availability"])
    ]
    removed = run_cli(store_env, "remove", "1", "--as", "Eun", command="slo-adjustments")
    assert removed.returncode == 0, removed.stderr
    assert checkout(run_cli, store_env)["budget_adjusted"] is False
    kept = json.loads(run_cli(store_env, "list", "--all", "--format", "json", command="slo-adjustments").stdout)
    assert kept["adjustments"][0]["removed_by"] == "Eun"


def test_a_start_more_than_30_days_back_is_refused_in_one_line(run_cli, store_env):
    completed = run_cli(
        store_env,
        "add",
        "--category",
        "deploy",
        "--reason",
        "old",
        "--start",
        "2026-10-01T00:00:00Z",
        "--duration",
        "2h",
        "--service",
        "checkout",
        command="slo-adjustments",
    )
    assert completed.returncode == EXIT_FAILED
    assert completed.stderr.strip().count("\n") == 0
    assert "start: " in completed.stderr and "30 days" in completed.stderr


def test_an_rrule_that_does_not_parse_is_refused_naming_the_recurrence(run_cli, store_env):
    completed = add(run_cli, store_env, "--duration", "1h", "--rrule", "FREQ=SOMETIMES")
    assert completed.returncode == EXIT_FAILED
    assert "recurrence: " in completed.stderr and "FREQ" in completed.stderr


def test_removing_an_unknown_adjustment_says_so(run_cli, store_env):
    completed = run_cli(store_env, "remove", "42", command="slo-adjustments")
    assert completed.returncode == EXIT_FAILED
    assert "there is no adjustment 42" in completed.stderr
