"""`cli.py slo-policy ...` on a throwaway SQLite store, the demo data and a two-service catalog where checkout has
overspent its budget: show (states, freeze exits 1), set (editors' policy, a stale --version refused), decide and
decisions, and refusals as one-line errors."""

from __future__ import annotations

import json

import pytest

from tests.support.slo_policy import NORMAL_SERVICE, SPENT_SERVICE, write_spent_catalog

POLICY = [
    "set",
    "--scope",
    "all",
    "--actions",
    "Halt changes but P0 and security fixes",
    "--approver",
    "Lee",
    "--approved-on",
    "2026-11-01",
    "--revisit-on",
    "2027-05-01",
    "--as",
    "Dana",
]


@pytest.fixture
def env(store_env, tmp_path):
    return {**store_env, "SLO_CATALOG": str(write_spent_catalog(tmp_path))}


def cli(run_cli, env, *args):
    return run_cli(env, *args, command="slo-policy")


def shown(run_cli, env) -> tuple[int, dict]:
    completed = cli(run_cli, env, "show", "--format", "json")
    return completed.returncode, json.loads(completed.stdout)


def test_without_a_policy_every_service_reads_no_policy(run_cli, env):
    code, payload = shown(run_cli, env)

    assert code == 0
    assert {s["service"]: s["state"] for s in payload["services"]} == {
        SPENT_SERVICE: "no policy",
        NORMAL_SERVICE: "no policy",
    }


def test_a_spent_budget_reads_freeze_and_show_exits_1(run_cli, env):
    assert cli(run_cli, env, *POLICY).returncode == 0

    code, payload = shown(run_cli, env)

    assert code == 1  # a freeze needs attention
    states = {s["service"]: s for s in payload["services"]}
    assert (states[SPENT_SERVICE]["state"], states[NORMAL_SERVICE]["state"]) == ("freeze", "normal")
    assert states[SPENT_SERVICE]["budget_spent"] > 1.0
    assert payload["freeze"] == 1


def test_set_saves_the_policy_and_says_its_version_and_tracker_item(run_cli, env):
    completed = cli(run_cli, env, *POLICY)

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == (
        "saved the error-budget policy for all services, version 1, by Dana; revisit on 2027-05-01 (tracker item #1)"
    )
    [policy] = shown(run_cli, env)[1]["policies"]
    assert (policy["scope"], policy["approver"], policy["freeze_spent"], policy["tracker_item"]) == ("*", "Lee", 1.0, 1)


def test_set_keeps_the_fields_it_is_not_given(run_cli, env):
    cli(run_cli, env, *POLICY)

    assert cli(run_cli, env, "set", "--scope", "all", "--freeze", "90", "--as", "Kim").returncode == 0

    [policy] = shown(run_cli, env)[1]["policies"]
    assert (policy["freeze_spent"], policy["actions"], policy["version"], policy["updated_by"]) == (
        0.9,
        "Halt changes but P0 and security fixes",
        2,
        "Kim",
    )


def test_set_on_a_stale_version_is_refused_and_stores_nothing(run_cli, env):
    cli(run_cli, env, *POLICY)

    completed = cli(run_cli, env, "set", "--scope", "all", "--freeze", "90", "--version", "0")

    assert completed.returncode == 2
    assert "saved by Dana" in completed.stderr and "nothing was saved" in completed.stderr
    [policy] = shown(run_cli, env)[1]["policies"]
    assert (policy["freeze_spent"], policy["version"]) == (1.0, 1)


def test_set_for_a_service_not_in_the_catalog_names_the_field(run_cli, env):
    completed = cli(run_cli, env, *[("nowhere" if arg == "all" else arg) for arg in POLICY])

    assert completed.returncode == 2
    assert completed.stderr.startswith("error: scope: 'nowhere' is not a service of the catalog")


def test_a_decision_is_recorded_with_the_state_it_was_taken_in_and_listed(run_cli, env):
    cli(run_cli, env, *POLICY)

    decided = cli(
        run_cli, env, "decide", "--service", SPENT_SERVICE, "--kind", "freeze", "--reason", "spent", "--as", "Dana"
    )

    assert decided.returncode == 0, decided.stderr
    assert decided.stdout.strip() == ("recorded decision 1 for checkout: freeze by Dana on 2026-11-24T05:00:00+00:00")
    [decision] = json.loads(cli(run_cli, env, "decisions", "--format", "json").stdout)["decisions"]
    assert (decision["service"], decision["kind"], decision["state_then"], decision["reason"]) == (
        SPENT_SERVICE,
        "freeze",
        "freeze",
        "spent",
    )


def test_show_carries_each_services_latest_decision(run_cli, env):
    cli(run_cli, env, *POLICY)
    cli(run_cli, env, "decide", "--service", SPENT_SERVICE, "--kind", "freeze", "--reason", "spent", "--as", "Dana")

    states = {s["service"]: s for s in shown(run_cli, env)[1]["services"]}

    assert states[SPENT_SERVICE]["latest_decision"]["label"] == "freeze"
    assert states[NORMAL_SERVICE]["latest_decision"] is None


def test_a_postmortem_without_an_incident_is_refused(run_cli, env):
    completed = cli(run_cli, env, "decide", "--service", SPENT_SERVICE, "--kind", "postmortem", "--reason", "big")

    assert completed.returncode == 2
    assert "incident: a postmortem names the incident it is for" in completed.stderr


def test_the_table_reads_freeze_with_its_shape(run_cli, env):
    cli(run_cli, env, *POLICY)

    completed = cli(run_cli, env, "show")

    assert "■ freeze  checkout" in completed.stdout
    assert "1 service(s) in freeze" in completed.stdout


def test_decisions_without_any_says_so(run_cli, env):
    assert cli(run_cli, env, "decisions").stdout.strip() == "no decision recorded"


def test_an_unreachable_source_is_said_and_its_services_read_no_data(run_cli, env):
    cli(run_cli, env, *POLICY)

    completed = cli(run_cli, env, "show", "--prometheus-url", "http://127.0.0.1:9", "--format", "json")

    assert completed.stderr.startswith("error: ") and "no data" in completed.stderr
    assert {s["state"] for s in json.loads(completed.stdout)["services"]} == {"no data"}
