"""The capacity forecast from a real store: snapshots stored by ``collect db-health`` (and by the repository),
then ``cli.py db-health forecast`` and the fleet's capacity check, against an independent linear fit."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import numpy
import psycopg
import pytest

from data.databases import service
from data.databases.store import save_health_snapshots
from data.settings import load_settings
from metrics.databases.checks import ProbeData, SequenceUsage, build_health, check_up
from tests.support.actors import admin
from tests.support.stores import fresh_store, run_cli

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
GB = 10**9
# (days before NOW, database size, orders_id_seq's last value): irregular days, uneven growth
HISTORY = [(20, 400 * GB, 1_000_000), (13, 409 * GB, 1_400_000), (9, 411 * GB, 1_500_000), (2, 422 * GB, 2_100_000)]
INT_MAX = 2_147_483_647


def expected_days(points: list[tuple[float, float]], limit: float) -> float:
    """numpy's fit of value on days from NOW; the day the line reaches ``limit``."""
    slope, intercept = numpy.polyfit([x for x, _ in points], [y for _, y in points], 1)
    return (limit - intercept) / slope


def health_at(size: int, last_value: int):
    probe = ProbeData(
        engine="postgresql",
        version="PostgreSQL 15",
        database_size_bytes=size,
        sequences=[SequenceUsage("public.orders_id_seq", last_value, INT_MAX, "orders.id", "integer")],
    )
    return build_health("orders", "postgresql", [check_up(probe)], NOW, probe=probe)


@pytest.fixture(params=["sqlite", "postgresql"])
def forecast_env(request, tmp_path) -> tuple[str, dict[str, str]]:
    url = fresh_store(request, tmp_path, "forecast")
    config = tmp_path / "databases.toml"
    config.write_text('[[database]]\nname = "orders"\nengine = "postgresql"\ndisk_size = "500 GB"\n')
    env = {
        "DATABASE_URL": url,
        "DATABASES_CONFIG": str(config),
        "RELIABILITY_SECRETS_FILE": str(tmp_path / "none.toml"),
        "RELIABILITY_NOW": NOW.isoformat(),
    }
    return url, env


def test_the_cli_forecast_equals_an_independent_fit_over_the_stored_snapshots(forecast_env, monkeypatch, capsys):
    url, env = forecast_env
    for days, size, last_value in HISTORY:
        save_health_snapshots(url, [health_at(size, last_value)], NOW - timedelta(days=days), actor=admin())
    code, out, err = run_cli(
        monkeypatch, capsys, env, "db-health", "forecast", "--database", "orders", "--format", "json"
    )
    assert code == 0, err
    payload = json.loads(out)
    disk, sequence = payload["forecasts"]
    assert (disk["resource"], disk["state"], disk["snapshots"]) == ("disk", "runs out", 4)
    disk_days = expected_days([(-d, s) for d, s, _ in HISTORY], 500 * GB)
    assert disk["days_left"] == pytest.approx(disk_days, abs=0.01)
    assert disk["runs_out_on"] == (NOW + timedelta(days=disk_days)).date().isoformat()
    assert (sequence["name"], sequence["column"]) == ("public.orders_id_seq", "orders.id")
    assert sequence["days_left"] == pytest.approx(expected_days([(-d, v) for d, _, v in HISTORY], INT_MAX), abs=0.01)

    code, out, err = run_cli(monkeypatch, capsys, env, "db-health", "forecast")
    assert code == 0, err
    assert "least-squares line over the stored snapshots of the last 28 days" in out
    assert "runs out in" in out and "orders" in out


def test_a_database_with_too_little_history_says_so(forecast_env, monkeypatch, capsys):
    url, env = forecast_env
    save_health_snapshots(url, [health_at(400 * GB, 10)], NOW - timedelta(days=1), actor=admin())
    code, out, _ = run_cli(monkeypatch, capsys, env, "db-health", "forecast", "--format", "json")
    [disk, sequence] = json.loads(out)["forecasts"]
    assert code == 0
    assert (disk["state"], disk["status"], disk["days_left"]) == ("not enough history", "info", None)
    assert disk["outlook"] == "not enough history (1 snapshot(s); needs 3)"


@pytest.fixture
def monitored(postgres_server, tmp_path):
    """A real database with an integer sequence, a databases.toml naming it, and a fresh SQLite store."""
    url = postgres_server.create_database(f"forecast_{uuid.uuid4().hex[:10]}")
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("CREATE TABLE orders (id serial PRIMARY KEY, note text)")
    config = tmp_path / "databases.toml"
    config.write_text(
        '[[database]]\nname = "orders"\nengine = "postgresql"\n'
        "[database.record_intervals]\nbackup_verified = 0\nrestore_drill = 0\nfailover_test = 0\n"
        "[database.thresholds]\nforecast_warn_days = 60\nforecast_critical_days = 20\n"
    )
    env = {
        "DB_DSN_ORDERS": dsn,
        "DATABASES_CONFIG": str(config),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "RELIABILITY_SECRETS_FILE": str(tmp_path / "none.toml"),
    }
    return dsn, env


def test_collected_snapshots_of_a_real_sequence_forecast_its_exhaustion(monitored, monkeypatch, capsys):
    dsn, env = monitored
    assert run_cli(monkeypatch, capsys, env, "migrate")[0] == 0
    points = []
    for days_ago, value in ((14, 1_900_000_000), (7, 1_950_000_000), (1, 2_000_000_000)):
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute("SELECT setval('orders_id_seq', %s)", (value,))
        at = NOW - timedelta(days=days_ago)
        code, _, err = run_cli(monkeypatch, capsys, {**env, "RELIABILITY_NOW": at.isoformat()}, "collect", "db-health")
        assert code == 0, err
        points.append((-days_ago, value))
    days = expected_days(points, INT_MAX)  # about 17 days: under the critical 20
    settings = load_settings({**env, "RELIABILITY_NOW": NOW.isoformat()})
    config = service.load_config(settings)
    [forecast] = service.capacity_forecasts(settings, config).values()
    [sequence] = forecast.sequences
    assert sequence.name.endswith("orders_id_seq") and sequence.snapshots == 3
    assert sequence.days_left == pytest.approx(days, abs=0.01)
    [health] = service.check_fleet(settings, config)
    capacity = health.check("capacity_forecast")
    assert capacity.status == "critical" and capacity.value == pytest.approx(days, abs=0.01)
    assert health.status == "critical"
