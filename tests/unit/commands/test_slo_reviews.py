"""`cli.py slo-reviews ...` on a throwaway SQLite store and a two-SLO catalog: the list with states and due dates,
recording a review (a new row under --by), and refusals as one-line errors."""

from __future__ import annotations

import json

import pytest

from tests.unit.data.slo.test_catalog_tiers import SLO

NOW = "2026-11-24T05:00:00Z"  # the store_env fixture's clock; 14:00 in Asia/Seoul
# Demo mode: the store "first saw" every SLO on the demo history's first day, 190 local days ending on the last
# complete day (2026-11-23): 2026-05-18, local midnight in Seoul = 2026-05-17T15:00Z; due one cadence later.
DUE_AFTER_30_DAYS, DUE_AFTER_90_DAYS = "2026-06-16T15:00:00+00:00", "2026-08-15T15:00:00+00:00"


@pytest.fixture
def env(store_env, tmp_path):
    catalog = tmp_path / "slos.yaml"
    monthly = SLO.replace("{ANNOTATIONS}", '{"reliability-dashboard/review-every": "30d"}')
    other = SLO.replace("checkout", "search").replace("{ANNOTATIONS}", "{}")
    catalog.write_text(monthly + "---\n" + other, encoding="utf-8")
    return {**store_env, "SLO_CATALOG": str(catalog)}


def listing(run_cli, env) -> tuple[int, dict]:
    completed = run_cli(env, "list", "--format", "json", command="slo-reviews")
    return completed.returncode, json.loads(completed.stdout)


def test_never_reviewed_slos_are_overdue_from_when_the_store_first_saw_them(run_cli, env):
    code, shown = listing(run_cli, env)

    assert code == 1  # something needs attention
    assert shown["overdue"] == 2
    assert {(s["slo"], s["state"], s["next_due"], s["cadence_days"]) for s in shown["slos"]} == {
        ("checkout-availability", "overdue", DUE_AFTER_30_DAYS, 30),
        ("search-availability", "overdue", DUE_AFTER_90_DAYS, 90),
    }


def test_a_recorded_review_is_listed_with_its_next_due_date(run_cli, env):
    recorded = run_cli(
        env,
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
    assert recorded.stdout.strip() == (
        "recorded review 1 of checkout-availability: keep at target 99.9% by Dana on 2026-11-24T05:00:00+00:00"
    )

    code, shown = listing(run_cli, env)
    by_name = {s["slo"]: s for s in shown["slos"]}
    assert by_name["checkout-availability"] | {"state": None} == {
        "slo": "checkout-availability",
        "service": "checkout",
        "state": None,
        "cadence_days": 30,
        "last_review": "2026-11-24T05:00:00+00:00",
        "last_outcome": "keep",
        "reviewer": "Dana",
        "next_due": "2026-12-24T05:00:00+00:00",  # 30 days on
        "days_until_due": 30,
    }
    assert by_name["checkout-availability"]["state"] == "reviewed"
    assert [s["slo"] for s in shown["slos"]] == ["search-availability", "checkout-availability"]  # overdue first
    assert (code, shown["overdue"]) == (1, 1)

    history = run_cli(env, "history", "--slo", "checkout-availability", "--format", "json", command="slo-reviews")
    [review] = json.loads(history.stdout)["reviews"]
    assert (review["reviewer"], review["outcome"], review["target"], review["notes"]) == (
        "Dana",
        "keep",
        0.999,
        "still right",
    )


def test_the_table_shows_each_state_with_its_shape_and_word(run_cli, env):
    completed = run_cli(env, "list", command="slo-reviews")

    assert completed.stdout.splitlines()[0] == f"SLO reviews at {NOW.replace('Z', '+00:00')}: 2 overdue of 2"
    assert "■ overdue" in completed.stdout
    assert "never" in completed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--slo", "nope", "--outcome", "keep"], "error: slo: 'nope' is not an SLO of the catalog"),
        (["--slo", "search-availability", "--outcome", "retire"], "error: notes: say what should change and why"),
    ],
)
def test_a_refused_review_is_one_line_and_stores_nothing(run_cli, env, args, message):
    completed = run_cli(env, "record", *args, "--by", "Dana", command="slo-reviews")

    assert completed.returncode == 2
    assert completed.stderr.startswith(message)
    assert "Traceback" not in completed.stderr
    history = run_cli(env, "history", "--slo", "search-availability", "--format", "json", command="slo-reviews")
    assert json.loads(history.stdout)["reviews"] == []
