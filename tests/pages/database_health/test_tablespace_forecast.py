"""Tablespace forecasts on the database pages (AppTest): the fleet's "runs out in" column names the tablespace that
fills first, the drill-down lists every tablespace, and a MariaDB drill-down says once that it has none."""

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
from metrics.databases.checks import ProbeData, TablespaceSize, build_health, check_up
from metrics.databases.forecast import days_text
from pages.database_health.widgets import NO_TABLESPACES_NOTE
from tests.support.actors import admin

ROOT = Path(__file__).resolve().parents[3]
PAGE = str(ROOT / "pages" / "database_health" / "page.py")
NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
GB = 10**9
# (days ago, database size, fast_ssd size): the database's disk is far from full, fast_ssd's is not
HISTORY = [(21, 300 * GB, 150 * GB), (14, 302 * GB, 162 * GB), (7, 303 * GB, 170 * GB), (1, 305 * GB, 184 * GB)]


def expected_fast_ssd_days() -> float:
    slope, intercept = numpy.polyfit([-d for d, _, _ in HISTORY], [t for _, _, t in HISTORY], 1)
    return (250 * GB - intercept) / slope


@pytest.fixture(autouse=True)
def fleet_with_tablespaces(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith(("DB_DSN_", "PROMETHEUS_", "DATABASES_CONFIG", "RELIABILITY_")):
            monkeypatch.delenv(name)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(store)
    intervals = "[database.record_intervals]\nbackup_verified = 0\nrestore_drill = 0\nfailover_test = 0\n"
    config = tmp_path / "databases.toml"
    config.write_text(
        '[[database]]\nname = "orders"\nengine = "postgresql"\ndisk_size = "2 TB"\n'
        'tablespace_disk_size = { fast_ssd = "250 GB" }\n' + intervals + '[[database]]\nname = "shop"\n'
        'engine = "mariadb"\ndisk_size = "1 TB"\n' + intervals
    )
    for days, size, fast in HISTORY:
        probe = ProbeData(
            engine="postgresql",
            version="PostgreSQL 16.4",
            database_size_bytes=size,
            tablespaces=[TablespaceSize("fast_ssd", fast), TablespaceSize("pg_default", 40 * GB)],
        )
        health = build_health("orders", "postgresql", [check_up(probe)], NOW, probe=probe)
        save_health_snapshots(store, [health], NOW - timedelta(days=days), actor=admin())
    monkeypatch.setenv("DATABASE_URL", store)
    monkeypatch.setenv("DATABASES_CONFIG", str(config))
    monkeypatch.setenv("DB_DSN_ORDERS", "postgresql://monitor@127.0.0.1:1/orders")
    monkeypatch.setenv("DB_DSN_SHOP", "mysql://monitor@127.0.0.1:1/shop")
    monkeypatch.setenv("RELIABILITY_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("RELIABILITY_NOW", NOW.isoformat())
    answers = {
        "postgresql": ProbeData(
            engine="postgresql",
            version="PostgreSQL 16.4",
            database_size_bytes=305 * GB,
            tablespaces=[TablespaceSize("fast_ssd", 185 * GB), TablespaceSize("pg_default", 40 * GB)],
        ),
        "mariadb": ProbeData(engine="mariadb", version="11.4.2-MariaDB", database_size_bytes=GB),
    }
    monkeypatch.setattr(fleet, "run_probe", lambda target, *args, **kwargs: answers[target.engine])


def run(query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_the_fleet_column_names_the_tablespace_that_fills_first():
    frame = run().dataframe[0].value
    runs_out = dict(zip(frame["database"], frame["runs out in"]))
    assert runs_out["orders"] == f"{days_text(round(expected_fast_ssd_days(), 2))} (tablespace fast_ssd)"


def test_the_drilldown_lists_every_tablespace_with_its_outlook():
    app = run({"database": "orders"})
    forecast = app.dataframe[1].value
    rows = {(r["resource"], r["name"]): r for r in forecast.to_dict("records")}
    assert set(rows) == {("disk", "disk"), ("tablespace", "fast_ssd"), ("tablespace", "pg_default")}
    fast = rows[("tablespace", "fast_ssd")]
    assert fast["runs out in"] == days_text(round(expected_fast_ssd_days(), 2)) and fast["snapshots"] == 4
    assert rows[("tablespace", "pg_default")]["outlook"].startswith("not growing")
    assert not any(NO_TABLESPACES_NOTE in c.value for c in app.caption)


def test_a_mariadb_drilldown_says_once_that_it_has_no_tablespaces():
    app = run({"database": "shop"})
    assert [c.value for c in app.caption].count(NO_TABLESPACES_NOTE) == 1
