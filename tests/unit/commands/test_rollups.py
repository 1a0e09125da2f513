"""``cli.py collect rollups`` and ``cli.py trends`` on the demo data: idempotent collection, the page's figures,
and one-line errors for bad input. (The collection itself goes through data.trends.rollups; metrics does the math.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from data.slo.catalog import load_catalog
from data.trends.rollups import default_trends_range, demo_daily_rollups, rollups_frame
from metrics.trends.aggregate import build_trends

REPO = Path(__file__).resolve().parents[3]
NOW = "2026-11-24T14:05:00Z"
ZONE = "Europe/Berlin"


def run_cli(*args: str, store: Path, **extra_env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PROMETHEUS_", "SLO_", "TEAM_", "DATABASE_", "RELIABILITY_"))
    }
    environment.update(
        TEAM_TIMEZONE=ZONE,
        RELIABILITY_NOW=NOW,
        DATABASE_URL=f"sqlite:///{store}",
        RELIABILITY_SECRETS_FILE=str(store.parent / "no-secrets.toml"),
        **extra_env,
    )
    return subprocess.run(
        [sys.executable, "cli.py", *args], cwd=REPO, capture_output=True, text=True, timeout=120, env=environment
    )


def test_collecting_the_demo_twice_stores_each_day_once(tmp_path):
    store = tmp_path / "store.db"
    first = run_cli("collect", "rollups", "--demo", "--since", "2026-11-01", store=store)
    again = run_cli("collect", "rollups", "--demo", "--since", "2026-11-01", store=store)
    assert first.returncode == 0, first.stderr
    assert "207 rows stored for 23 days" in first.stdout  # 1 .. 23 Nov, 9 SLOs
    assert "0 rows stored for 0 days, 207 already collected" in again.stdout


def test_trends_json_carries_the_figures_the_page_computes(tmp_path):
    completed = run_cli("trends", "--demo", "--service", "inventory", "--format", "json", store=tmp_path / "s.db")
    assert completed.returncode == 0, completed.stderr
    payload = json.loads(completed.stdout)
    now = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)
    first, last = default_trends_range(now, ZONE)
    slos = load_catalog(REPO / "config" / "slos").slos
    view = build_trends(rollups_frame(demo_daily_rollups(slos, now, ZONE)), "week", first, last, ["inventory"])
    outage_week = next(row for row in payload["slos_by_period"] if row["period"] == "2026-W46")
    expected = view.per_slo.set_index("period").loc["2026-W46"]
    assert outage_week["status"] == "missed"
    assert outage_week["budget_consumed"] == pytest.approx(expected["budget_consumed"], rel=1e-12)
    assert payload["compared"] == {"current": "2026-W47", "previous": "2026-W46"}


def test_trends_table_says_no_data_for_a_service_without_traffic(tmp_path):
    completed = run_cli("trends", "--demo", "--service", "reporting", "--from", "2026-11-16", store=tmp_path / "s.db")
    line = next(line for line in completed.stdout.splitlines() if line.startswith("2026-W47"))
    assert "no data" in line and "0 " in line.replace("0/7", "")


def test_an_unknown_service_is_refused_with_a_suggestion(tmp_path):
    completed = run_cli("trends", "--service", "checkot", store=tmp_path / "s.db")
    assert completed.returncode == 2
    assert completed.stderr.strip() == "error: --service 'checkot' is not in the catalog; did you mean 'checkout'?"


def test_a_malformed_date_is_refused_in_one_line(tmp_path):
    completed = run_cli("collect", "rollups", "--demo", "--since", "2026-02-30", store=tmp_path / "s.db")
    assert (completed.returncode, completed.stderr.strip()) == (
        2,
        "error: --since '2026-02-30' is not a date like 2026-11-24",
    )


def test_a_reversed_range_is_refused(tmp_path):
    completed = run_cli("trends", "--demo", "--from", "2026-11-10", "--to", "2026-11-01", store=tmp_path / "s.db")
    assert completed.returncode == 2 and "--from 2026-11-10 is after --to 2026-11-01" in completed.stderr


def test_a_range_from_year_one_is_refused_with_the_earliest_start(tmp_path):
    completed = run_cli("trends", "--demo", "--from", "0001-01-01", "--to", "2026-11-01", store=tmp_path / "s.db")
    assert completed.returncode == 2
    assert "--from 0001-01-01: a range covers at most 1,830 days; start at 2021-10-29 or later" in completed.stderr


def test_an_empty_store_names_the_collect_command(tmp_path):
    # With Prometheus configured, trends read the store (and query nothing): empty here.
    completed = run_cli("trends", store=tmp_path / "s.db", PROMETHEUS_URL="http://127.0.0.1:9")
    assert completed.returncode == 1
    assert "run `python cli.py collect rollups --since" in completed.stderr


def _store_collected_day(store: Path, volume: float) -> None:
    """One collected (not demo) rollup: inventory-availability on 2026-11-18, ``volume`` events, none bad."""
    from data.store import engine_for
    from data.store.migrate import migrate
    from data.trends.store import save_daily_rollups
    from metrics.access import Actor, Role

    url = f"sqlite:///{store}"
    migrate(url)
    engine = engine_for(url)
    day_row = {
        "day": datetime(2026, 11, 18).date(),
        "slo": "inventory-availability",
        "service": "inventory",
        "target": 0.999,
        "period_seconds": 30 * 86400,
        "day_seconds": 86400,
        "total": volume,
        "bad": 0.0,
        "error_ratio": 0.0,
        "sli": 1.0,
        "met_objective": True,
        "budget_consumed": 0.0,
        "source": "Prometheus (http://127.0.0.1:9)",
        "collected_at": datetime(2026, 11, 19, 0, 30, tzinfo=UTC),
    }
    save_daily_rollups(engine, [day_row], actor=Actor("collector", Role.ADMIN, "test"))
    engine.dispose()


def test_trends_on_the_demo_says_when_the_store_holds_collected_rollups(tmp_path):
    store = tmp_path / "s.db"
    _store_collected_day(store, 4321.0)
    completed = run_cli("trends", "--service", "inventory", store=store)
    assert completed.returncode == 0, completed.stderr
    assert "from demo data" in completed.stdout
    assert "the store holds collected rollups for 2026-11-18 .. 2026-11-18" in completed.stderr
    assert "--store" in completed.stderr


def test_trends_store_reads_the_collected_rollups_without_prometheus(tmp_path):
    store = tmp_path / "s.db"
    _store_collected_day(store, 4321.0)
    completed = run_cli(
        "trends",
        "--store",
        "--service",
        "inventory",
        "--from",
        "2026-11-16",
        "--to",
        "2026-11-22",
        "--format",
        "json",
        store=store,
    )
    assert completed.returncode == 0, completed.stderr
    payload = json.loads(completed.stdout)
    assert payload["source"] == "the store"
    assert [row["volume"] for row in payload["services_by_period"]] == [4321.0]


def test_trends_demo_and_store_together_are_refused(tmp_path):
    completed = run_cli("trends", "--demo", "--store", store=tmp_path / "s.db")
    assert completed.returncode == 2 and "not allowed with" in completed.stderr


def test_trends_from_the_store_opens_on_the_first_stored_week(tmp_path):
    store = tmp_path / "s.db"
    _store_collected_day(store, 4321.0)  # Wednesday 2026-11-18
    completed = run_cli("trends", "--store", "--format", "json", store=store)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["from"] == "2026-11-16"
