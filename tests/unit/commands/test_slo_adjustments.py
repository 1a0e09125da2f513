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


def change(run_cli, env, *extra: str, version: str = "1", actor: str = "Eun"):
    return run_cli(env, "change", "1", "--version", version, *extra, "--as", actor, command="slo-adjustments")


def listed(run_cli, env, include_removed: bool = False) -> list[dict]:
    extra = ("--all",) if include_removed else ()
    completed = run_cli(env, "list", *extra, "--format", "json", command="slo-adjustments")
    return json.loads(completed.stdout)["adjustments"]


def test_a_change_replaces_the_fields_given_and_keeps_the_others(run_cli, store_env):
    add(run_cli, store_env)
    completed = change(run_cli, store_env, "--reason", "failover drill, extended", "--end", "2026-11-24T05:30:00Z")
    assert completed.returncode == 0, completed.stderr
    assert "changed adjustment 1 (now version 2, maintenance)" in completed.stdout
    [after] = listed(run_cli, store_env)
    assert (after["version"], after["reason"], after["start"], after["end"]) == (
        2,
        "failover drill, extended",
        "2026-11-24T03:00:00+00:00",
        "2026-11-24T05:30:00+00:00",
    )
    assert (after["category"], after["slos"], after["entered_by"]) == ("maintenance", ["checkout-availability"], "Dana")


def test_a_duration_with_a_new_start_sets_the_end_from_it(run_cli, store_env):
    add(run_cli, store_env)
    completed = change(run_cli, store_env, "--start", "2026-11-24T01:00:00Z", "--duration", "90m")
    assert completed.returncode == 0, completed.stderr
    [after] = listed(run_cli, store_env)
    assert (after["start"], after["end"]) == ("2026-11-24T01:00:00+00:00", "2026-11-24T02:30:00+00:00")


def test_a_change_replaces_only_the_coverage_list_given(run_cli, store_env):
    add(run_cli, store_env)
    completed = change(run_cli, store_env, "--service", "search", "--slo", "")
    assert completed.returncode == 0, completed.stderr
    [after] = listed(run_cli, store_env)
    assert (after["slos"], after["services"], after["selector"]) == ([], ["search"], "")


def test_a_change_on_a_version_someone_replaced_is_refused_naming_who_and_stores_nothing(run_cli, store_env):
    add(run_cli, store_env)
    change(run_cli, store_env, "--reason", "Eun's reason", actor="Eun")
    completed = change(run_cli, store_env, "--reason", "Kim's reason", actor="Kim")
    assert completed.returncode == EXIT_FAILED
    assert "adjustment 1 was changed by Eun" in completed.stderr and "version 1" in completed.stderr
    assert completed.stderr.strip().count("\n") == 0
    [after] = listed(run_cli, store_env)
    assert (after["version"], after["reason"]) == (2, "Eun's reason")


def test_a_change_of_a_removed_adjustment_is_refused_naming_who_removed_it(run_cli, store_env):
    add(run_cli, store_env)
    run_cli(store_env, "remove", "1", "--as", "Eun", command="slo-adjustments")
    completed = change(run_cli, store_env, "--reason", "too late", actor="Kim")
    assert completed.returncode == EXIT_FAILED
    assert "adjustment 1 was removed by Eun" in completed.stderr


def test_the_change_is_in_the_audit_trail_as_old_and_new_values(run_cli, store_env):
    add(run_cli, store_env)
    change(run_cli, store_env, "--category", "deploy", "--reason", "bad deploy")
    trail = json.loads(run_cli(store_env, "--entity", "slo_adjustment", "--format", "json", command="audit").stdout)[
        "entries"
    ]
    newest = trail[0]
    assert (newest["who"], newest["action"], newest["id"]) == ("Eun", "changed", "1")
    assert newest["details"]["changes"] == {
        "category": ["maintenance", "deploy"],
        "reason": ["primary failover", "bad deploy"],
    }
    table = run_cli(store_env, "--entity", "slo_adjustment", command="audit").stdout
    assert "category changed from maintenance to deploy; reason changed from primary failover to bad deploy" in table


def test_a_change_without_a_field_to_change_is_refused_before_the_store_is_opened(run_cli, store_env):
    completed = change(run_cli, store_env)
    assert completed.returncode == EXIT_FAILED
    assert "nothing to change" in completed.stderr


def test_a_changed_window_is_checked_as_an_entered_one(run_cli, store_env):
    add(run_cli, store_env)
    completed = change(run_cli, store_env, "--end", "2026-11-24T02:00:00Z")
    assert completed.returncode == EXIT_FAILED
    assert "end: " in completed.stderr
    assert listed(run_cli, store_env)[0]["version"] == 1


def test_the_same_change_sent_twice_stores_one_version(run_cli, store_env):
    add(run_cli, store_env)
    change(run_cli, store_env, "--reason", "once")
    again = change(run_cli, store_env, "--reason", "once", version="2")
    assert again.returncode == 0, again.stderr
    assert "nothing was changed" in again.stdout
    assert listed(run_cli, store_env)[0]["version"] == 2


def test_an_adjustment_begun_more_than_30_days_ago_takes_a_new_reason_but_keeps_its_window(run_cli, store_env):
    add(run_cli, store_env)
    later = {**store_env, "RELIABILITY_NOW": "2027-01-05T00:00:00Z"}

    reasoned = change(run_cli, later, "--reason", "primary failover (postmortem PM-12)")
    moved = change(run_cli, later, "--end", "2026-11-24T06:00:00Z", version="2")

    assert reasoned.returncode == 0, reasoned.stderr
    assert moved.returncode == EXIT_FAILED
    assert "started more than 30 days ago" in moved.stderr and "before 2026-12-06" in moved.stderr
    [after] = listed(run_cli, later, include_removed=True)
    assert (after["version"], after["reason"], after["end"]) == (
        2,
        "primary failover (postmortem PM-12)",
        "2026-11-24T05:00:00+00:00",
    )
