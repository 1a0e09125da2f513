"""The capacity forecast on the database pages (AppTest): the fleet's "runs out in" column from the stored
snapshots, and the drill-down's forecast table and each check's meaning, action and documentation page."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy
import pytest
from streamlit.testing.v1 import AppTest

from data.databases import fleet
from data.databases.store import save_health_snapshots
from data.store import migrate
from metrics.databases.checks import ProbeData, build_health, check_up
from tests.support.actors import admin

ROOT = Path(__file__).resolve().parents[3]
PAGE = str(ROOT / "pages" / "database_health" / "page.py")
NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
GB = 10**9
SIZES = [(21, 380 * GB), (14, 395 * GB), (7, 405 * GB), (1, 421 * GB)]  # (days ago, size)


def expected_runs_out_in() -> str:
    """numpy's fit of size on days from now, the days until it reaches 500 GB, written as the page does."""
    slope, intercept = numpy.polyfit([-d for d, _ in SIZES], [s for _, s in SIZES], 1)
    days = (500 * GB - intercept) / slope
    whole, hours = int(days), int((days - int(days)) * 24)
    return f"{whole} d {hours} h (disk)" if hours else f"{whole} d (disk)"


@pytest.fixture(autouse=True)
def fleet_with_history(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith(("DB_DSN_", "PROMETHEUS_", "DATABASES_CONFIG", "RELIABILITY_")):
            monkeypatch.delenv(name)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(store)
    config = tmp_path / "databases.toml"
    config.write_text(
        '[[database]]\nname = "orders"\nengine = "postgresql"\ndisk_size = "500 GB"\n'
        "[database.record_intervals]\nbackup_verified = 0\nrestore_drill = 0\nfailover_test = 0\n"
        '[[database]]\nname = "fresh"\nengine = "postgresql"\n'
        "[database.record_intervals]\nbackup_verified = 0\nrestore_drill = 0\nfailover_test = 0\n"
    )
    for days, size in SIZES:
        probe = ProbeData(engine="postgresql", version="PostgreSQL 16.4", database_size_bytes=size)
        health = build_health("orders", "postgresql", [check_up(probe)], NOW, probe=probe)
        save_health_snapshots(store, [health], NOW - timedelta(days=days), actor=admin())
    monkeypatch.setenv("DATABASE_URL", store)
    monkeypatch.setenv("DATABASES_CONFIG", str(config))
    monkeypatch.setenv("DB_DSN_ORDERS", "postgresql://monitor@127.0.0.1:1/orders")
    monkeypatch.setenv("DB_DSN_FRESH", "postgresql://monitor@127.0.0.1:1/fresh")
    monkeypatch.setenv("RELIABILITY_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("RELIABILITY_NOW", NOW.isoformat())
    answer = ProbeData(engine="postgresql", version="PostgreSQL 16.4", database_size_bytes=422 * GB)
    monkeypatch.setattr(fleet, "run_probe", lambda *args, **kwargs: answer)  # no server: the probe answers this


def run(query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_the_fleet_says_when_each_database_runs_out():
    frame = run().dataframe[0].value
    runs_out = dict(zip(frame["database"], frame["runs out in"]))
    assert runs_out == {"orders": expected_runs_out_in(), "fresh": "no data"}  # no snapshot stored yet


def test_the_drilldown_lists_the_forecast_and_what_every_check_means():
    app = run({"database": "orders"})
    checks = app.dataframe[0].value
    capacity = checks[checks["id"] == "capacity_forecast"].iloc[0]
    assert capacity["value"] == expected_runs_out_in().removesuffix(" (disk)")
    assert (
        capacity["documentation"]
        == "PostgreSQL docs: Determining Disk Usage (disk-usage) · MariaDB docs: AUTO_INCREMENT"
    )
    assert (checks["what it means"] != "").all() and (checks["what a DBA does"] != "").all()
    forecast = app.dataframe[1].value
    [disk] = forecast.to_dict("records")
    assert (disk["resource"], disk["runs out in"], disk["snapshots"]) == (
        "disk",
        expected_runs_out_in().removesuffix(" (disk)"),
        4,
    )
    assert any("Capacity forecast" in e.label for e in app.expander)
