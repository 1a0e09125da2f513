"""The command line on the demo source: formats, exit codes, and one-line errors instead of tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
AT = "2026-11-01T00:00:00Z"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PROMETHEUS_", "SLO_", "TEAM_"))}
    environment["RELIABILITY_NOW"] = AT  # the demo history ends at the app's now; --at AT reads it there
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "cli.py", *args], cwd=REPO, capture_output=True, text=True, timeout=120, env=environment
    )


def test_slo_report_json_has_every_slo_with_burn_rates_and_alerts():
    completed = run_cli("slo-report", "--at", AT, "--format", "json")
    assert completed.returncode == 0, completed.stderr
    payload = json.loads(completed.stdout)
    assert payload["at"] == "2026-11-01T00:00:00+00:00"
    assert len(payload["slos"]) == 9
    checkout = next(row for row in payload["slos"] if row["slo"] == "checkout-availability")
    assert checkout["alert_state"] == "page"
    assert set(checkout["burn_rates"]) == {"5m", "30m", "1h", "2h", "6h", "1d", "3d"}
    assert [a["threshold"] for a in checkout["alerts"]] == [14.4, 6.0, 3.0, 1.0]


def test_slo_report_table_lists_no_data_as_such():
    completed = run_cli("slo-report", "--at", AT, "--format", "table")
    assert completed.returncode == 0
    reporting = next(line for line in completed.stdout.splitlines() if "reporting-availability" in line)
    assert reporting.startswith("no data") and "no data" in reporting[20:]


def test_catalog_problems_exit_2_and_the_valid_slos_still_report(tmp_path):
    for name in ("commerce.yaml", "platform.yaml"):
        (tmp_path / name).write_text((REPO / "config" / "slos" / name).read_text())
    (tmp_path / "broken.yaml").write_text("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: [oops\n")
    completed = run_cli("slo-report", "--catalog", str(tmp_path), "--at", AT, "--format", "json")
    assert completed.returncode == 2
    assert "broken.yaml" in completed.stderr and "line" in completed.stderr
    assert len(json.loads(completed.stdout)["slos"]) == 7


def test_a_missing_catalog_exits_2_with_one_line():
    completed = run_cli("slo-report", "--catalog", "/nonexistent/slos")
    assert completed.returncode == 2
    assert "/nonexistent/slos" in completed.stderr and "Traceback" not in completed.stderr


def test_a_malformed_instant_exits_2():
    completed = run_cli("slo-report", "--at", "yesterday")
    assert completed.returncode == 2 and "--at" in completed.stderr


def test_invalid_settings_exit_2_naming_the_setting():
    completed = run_cli("slo-report", env={"TEAM_TIMEZONE": "Mars/Olympus"})
    assert completed.returncode == 2
    assert "TEAM_TIMEZONE" in completed.stderr and "Traceback" not in completed.stderr


def test_slo_history_reproduces_the_drill_down_figures():
    report = json.loads(run_cli("slo-report", "--at", AT, "--format", "json").stdout)
    expected = next(row for row in report["slos"] if row["slo"] == "checkout-availability")
    completed = run_cli("slo-history", "--slo", "checkout-availability", "--at", AT)
    assert completed.returncode == 0, completed.stderr
    history = json.loads(completed.stdout)
    assert history["budget_remaining_last"] == pytest.approx(expected["budget_remaining"], abs=0.01)
    assert history["burn_rates_last"]["1h"] == pytest.approx(expected["burn_rates"]["1h"], rel=0.02)
    fast_page = history["tiers"][0]
    assert fast_page["firing"] and fast_page["firing_since"] is not None


def test_slo_history_csv_has_one_column_per_window():
    completed = run_cli("slo-history", "--slo", "payments-availability", "--at", AT, "--format", "csv")
    assert completed.stdout.splitlines()[0] == "time,5m,30m,1h,2h,6h,1d,3d"


def test_slo_history_of_an_unknown_slo_lists_the_known_ones():
    completed = run_cli("slo-history", "--slo", "nope", "--at", AT)
    assert completed.returncode == 2 and "checkout-availability" in completed.stderr


def test_demo_openmetrics_writes_a_file_promtool_can_read(tmp_path):
    target = tmp_path / "history.om"
    completed = run_cli("demo-openmetrics", "--end", AT, "--days", "1", "--output", str(target))
    assert completed.returncode == 0
    assert target.read_text().endswith("# EOF\n")


def test_collect_slo_snapshots_is_idempotent_for_the_same_minute(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}"}
    assert run_cli("migrate", env=env).returncode == 0
    first = run_cli("collect", "slo-snapshots", "--at", AT, env=env)
    second = run_cli("collect", "slo-snapshots", "--at", AT, env=env)
    assert "stored 9 new" in first.stdout and "stored 0 new" in second.stdout


def test_db_health_table_shows_each_databases_checks_under_a_header_with_what_to_do_below_a_failing_one():
    from commands.db_health import _table
    from metrics.databases.checks import OK, WARN, CheckResult, build_health

    checks = [
        CheckResult("up", OK, None, "answered"),
        CheckResult("connections", WARN, 0.9, "90% in use", "Raise max_connections", [{"user": "app", "count": 80}]),
    ]
    health = build_health("orders", "postgresql", checks, None, environment="prod")
    assert _table([health]).splitlines() == [
        "orders (postgresql, prod): WARN",
        "status  check        detail",
        "------  -----------  -----------------------",
        "ok      up           answered",
        "warn    connections  90% in use",
        "                     - user=app, count=80",
        "                     → Raise max_connections",
    ]


def test_db_records_list_prints_a_table_with_a_header(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}", "RELIABILITY_NOW": "2026-11-24T14:05:00Z"}
    assert run_cli("migrate", env=env).returncode == 0
    added = run_cli(
        "db-records", "add", "--database", "orders-primary", "--kind", "backup_verified", "--by", "kim", env=env
    )
    assert added.returncode == 0, added.stderr
    lines = run_cli("db-records", "list", env=env).stdout.splitlines()
    assert lines[0].split() == ["id", "done", "on", "database", "kind", "outcome", "by", "notes", "withdrawn"]
    assert lines[2].split() == ["1", "2026-11-24", "orders-primary", "backup_verified", "ok", "kim"]


def test_db_records_withdraw_keeps_the_record_marked_with_the_reason(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}", "RELIABILITY_NOW": "2026-11-24T14:05:00Z"}
    assert run_cli("migrate", env=env).returncode == 0
    run_cli("db-records", "add", "--database", "orders-primary", "--kind", "backup_verified", "--by", "kim", env=env)
    withdrawn = run_cli("db-records", "withdraw", "--id", "1", "--reason", "wrong database", env=env)
    assert withdrawn.returncode == 0, withdrawn.stderr
    [record] = json.loads(run_cli("db-records", "list", "--format", "json", env=env).stdout)["records"]
    assert record["id"] == 1 and record["withdrawn"]["reason"] == "wrong database"
    again = run_cli("db-records", "withdraw", "--id", "1", "--reason", "again", env=env)
    assert again.returncode == 2 and "already withdrawn" in again.stderr


def test_slo_report_without_at_evaluates_at_reliability_now():
    completed = run_cli("slo-report", "--format", "json", env={"RELIABILITY_NOW": "2026-11-03T04:05:00Z"})
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["at"] == "2026-11-03T04:05:00+00:00"


def test_slo_report_table_heads_with_the_instant_it_evaluated():
    completed = run_cli("slo-report", "--format", "table", env={"RELIABILITY_NOW": "2026-11-03T04:05:00Z"})
    assert completed.stdout.startswith("SLO report at 2026-11-03T04:05:00+00:00 from ")


def test_in_demo_mode_a_past_instant_reads_the_past_of_the_history_now_shows():
    """The demo's checkout outage began 50 minutes before now: two hours earlier it had not happened yet, so that
    instant must not page (it used to, when the history was rebuilt to end at every instant asked for)."""
    now = {"RELIABILITY_NOW": "2026-11-24T14:00:00Z"}
    states = {}
    for at in ("2026-11-24T14:00:00Z", "2026-11-24T12:00:00Z"):
        report = json.loads(run_cli("slo-report", "--at", at, "--format", "json", env=now).stdout)
        states[at] = next(row for row in report["slos"] if row["slo"] == "checkout-availability")["alert_state"]
    assert states == {"2026-11-24T14:00:00Z": "page", "2026-11-24T12:00:00Z": "ok"}


def test_slo_history_says_what_a_slice_slo_counts():
    env = {"SLO_CATALOG": "config/slo-examples"}
    completed = run_cli("slo-history", "--slo", "checkout-good-minutes", "--at", AT, env=env)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["counted"] == "slices"


def split_catalog(tmp_path) -> dict[str, str]:
    from tests.pages.slo_burn.test_split_slos import SPLIT_SLO

    (tmp_path / "api.yaml").write_text(textwrap.dedent(SPLIT_SLO))
    return {"SLO_CATALOG": str(tmp_path)}


def test_slo_history_of_one_split_value_ends_at_that_values_budget_in_the_report(tmp_path):
    """Two ways to the same figure: the report splits the batched counts by label, the history narrows the SLO's
    counters to the one value and buckets them."""
    env = split_catalog(tmp_path)
    report = json.loads(run_cli("slo-report", "--at", AT, "--format", "json", env=env).stdout)
    (row,) = report["slos"]
    value = next(split for split in row["split"] if split["values"] == {"service": "checkout"})

    completed = run_cli("slo-history", "--slo", "api-availability", "--split", "service:checkout", "--at", AT, env=env)

    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["budget_remaining_last"] == pytest.approx(value["budget_remaining"], abs=0.01)


def test_slo_history_split_of_an_slo_not_split_is_one_line_and_exit_2():
    completed = run_cli("slo-history", "--slo", "checkout-availability", "--split", "service:checkout", "--at", AT)
    assert completed.returncode == 2 and "is not split by a label" in completed.stderr
