"""`cli.py slo-deploys add|list` on a throwaway SQLite store: an entry stored under --as, listed, refused when the
service is unknown, and listed by slo-annotations as a deploy of the SLO's service."""

from __future__ import annotations

import json


def add(run_cli, env, *extra: str):
    return run_cli(env, "add", *extra, command="slo-deploys")


def test_an_added_deploy_is_listed_with_who_entered_it(run_cli, store_env):
    added = add(
        run_cli, store_env, "--service", "checkout", "--version", "v2", "--at", "2026-11-24T03:00:00Z", "--as", "Dana"
    )
    assert added.returncode == 0, added.stderr
    listed = run_cli(store_env, "list", "--format", "json", command="slo-deploys")
    assert [
        (d["service"], d["version"], d["deployed_at"], d["entered_by"]) for d in json.loads(listed.stdout)["deploys"]
    ] == [("checkout", "v2", "2026-11-24T03:00:00+00:00", "Dana")]


def test_a_deploy_of_an_unknown_service_is_one_line_and_exit_2(run_cli, store_env):
    added = add(run_cli, store_env, "--service", "billing", "--version", "v2")
    assert added.returncode == 2 and "service: 'billing' is not in the catalog" in added.stderr


def test_slo_annotations_lists_the_deploy_of_the_slos_service(run_cli, store_env):
    add(
        run_cli,
        store_env,
        "--service",
        "checkout",
        "--version",
        "v2",
        "--description",
        "cart",
        "--at",
        "2026-11-24T03:00:00Z",
        "--as",
        "Dana",
    )
    shown = run_cli(store_env, "--slo", "checkout-availability", "--format", "json", command="slo-annotations")
    deploys = [a for a in json.loads(shown.stdout)["annotations"] if a["kind"] == "deploys"]
    assert [(a["start"], a["title"], a["who"]) for a in deploys] == [
        ("2026-11-24T03:00:00+00:00", "deploy of checkout: v2 — cart", "Dana")
    ]


def test_slo_annotations_lists_tier_firings_as_a_kind(run_cli, store_env):
    shown = run_cli(store_env, "--slo", "checkout-availability", "--format", "json", command="slo-annotations")
    firings = [a for a in json.loads(shown.stdout)["annotations"] if a["kind"] == "tier firings"]
    assert firings and all(a["title"].startswith("tier ") and " · severity " in a["title"] for a in firings)
