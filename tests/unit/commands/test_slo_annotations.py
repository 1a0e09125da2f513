"""`cli.py slo-annotations --slo NAME` on a throwaway SQLite store, demo data: the same marks the drill-down draws."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from data.incidents.demo import demo_incidents

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # the store_env fixture's clock


def annotations(run_cli, env) -> dict:
    completed = run_cli(env, "--slo", "checkout-availability", "--format", "json", command="slo-annotations")
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_the_demo_incidents_of_the_slos_service_in_its_period_are_listed(run_cli, store_env):
    expected = [
        incident.reference
        for incident in demo_incidents(NOW)
        if incident.service == "checkout" and (incident.resolved or NOW) >= NOW - timedelta(days=30)
    ]
    shown = annotations(run_cli, store_env)
    assert [a["title"].split(" · ")[0] for a in shown["annotations"] if a["kind"] == "incidents"] == expected
    assert shown["notes"] and shown["notes"][0].startswith("Demo incidents")


def test_a_recorded_review_is_listed_with_who_recorded_it(run_cli, store_env):
    recorded = run_cli(
        store_env,
        "record",
        "--slo",
        "checkout-availability",
        "--outcome",
        "keep",
        "--notes",
        "still right",
        "--by",
        "Dana",
        command="slo-reviews",
    )
    assert recorded.returncode == 0, recorded.stderr
    (review,) = [a for a in annotations(run_cli, store_env)["annotations"] if a["kind"] == "reviews"]
    assert (review["title"], review["who"], review["start"]) == (
        "review: keep — still right",
        "Dana",
        "2026-11-24T05:00:00+00:00",
    )


def test_an_unknown_slo_is_one_line_and_exit_2(run_cli, store_env):
    completed = run_cli(store_env, "--slo", "nope", command="slo-annotations")
    assert completed.returncode == 2 and "no SLO named 'nope'" in completed.stderr


def test_by_service_it_lists_the_trends_marks_of_its_slos_over_the_days_given(run_cli, store_env):
    run_cli(
        {**store_env, "RELIABILITY_NOW": "2026-11-20T10:00:00Z"},
        "record",
        "--slo",
        "checkout-availability",
        "--outcome",
        "keep",
        "--by",
        "Dana",
        command="slo-reviews",
    )
    completed = run_cli(
        store_env,
        "--service",
        "checkout",
        "--from",
        "2026-11-17",
        "--to",
        "2026-11-23",
        "--format",
        "json",
        command="slo-annotations",
    )
    assert completed.returncode == 0, completed.stderr
    shown = json.loads(completed.stdout)
    assert (shown["first_day"], shown["last_day"]) == ("2026-11-17", "2026-11-23")
    (review,) = [a for a in shown["annotations"] if a["kind"] == "reviews"]
    assert (review["title"], review["who"]) == ("checkout · checkout-availability · review: keep", "Dana")


def test_by_service_an_unknown_service_is_one_line_and_exit_2(run_cli, store_env):
    completed = run_cli(store_env, "--service", "nope", command="slo-annotations")
    assert completed.returncode == 2 and "no SLO of service(s) nope" in completed.stderr
