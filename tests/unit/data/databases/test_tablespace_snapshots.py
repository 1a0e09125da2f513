"""Tablespace sizes stored with each snapshot, read back as the capacity forecast: days until each tablespace's disk
fills equal a least-squares fit written out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from data.databases.capacity import capacity_forecasts
from data.databases.config import parse_database_config
from data.databases.store import save_health_snapshots, tablespace_readings
from data.store import migrate
from metrics.databases.checks import ProbeData, TablespaceSize, build_health, check_up
from metrics.databases.forecast import ForecastState
from tests.support.actors import admin

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
GB = 10**9
# (days before NOW, fast_ssd bytes, pg_default bytes)
HISTORY = [(21, 200 * GB, 50 * GB), (15, 214 * GB, 50 * GB), (8, 221 * GB, 49 * GB), (3, 236 * GB, 49 * GB)]
CONFIG = (
    '[[database]]\nname = "orders"\nengine = "postgresql"\n'
    'tablespace_disk_size = { fast_ssd = "300 GB", pg_default = "1 TB" }\n'
)


def hand_fit_days_left(points: list[tuple[float, float]], limit: float) -> float:
    """Least squares written out: slope Σ(x − x̄)(y − ȳ) / Σ(x − x̄)², line through (x̄, ȳ), solved for ``limit``."""
    xs, ys = [x for x, _ in points], [y for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x in xs)
    return mx + (limit - my) / slope


def health_at(tablespaces: list[TablespaceSize]):
    probe = ProbeData(engine="postgresql", version="PostgreSQL 16", database_size_bytes=GB, tablespaces=tablespaces)
    return build_health("orders", "postgresql", [check_up(probe)], NOW, probe=probe)


@pytest.fixture
def store(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(url)
    for days, fast, default in HISTORY:
        sizes = [TablespaceSize("fast_ssd", fast), TablespaceSize("pg_default", default)]
        save_health_snapshots(url, [health_at(sizes)], NOW - timedelta(days=days), actor=admin())
    return url


def test_days_until_each_tablespaces_disk_fills_equal_a_hand_fit_over_the_stored_snapshots(store):
    [target] = parse_database_config(CONFIG).databases
    forecast = capacity_forecasts(store, [target], NOW)["orders"]
    by_name = {t.name: t for t in forecast.tablespaces}
    assert set(by_name) == {"fast_ssd", "pg_default"}
    fast = by_name["fast_ssd"]
    assert (fast.state, fast.snapshots, fast.limit, fast.current) == (ForecastState.RUNS_OUT, 4, 300 * GB, 236 * GB)
    expected = hand_fit_days_left([(-d, f) for d, f, _ in HISTORY], 300 * GB)
    assert fast.days_left == pytest.approx(expected, abs=1e-6)  # about 32.4 days
    assert by_name["pg_default"].state is ForecastState.NOT_GROWING
    assert forecast.soonest is fast


def test_a_tablespace_the_probe_could_not_measure_stores_no_point(store):
    unmeasured = [TablespaceSize("fast_ssd", None, "<insufficient privilege>"), TablespaceSize("pg_default", 49 * GB)]
    save_health_snapshots(store, [health_at(unmeasured)], NOW - timedelta(days=1), actor=admin())
    readings = tablespace_readings(store, ["orders"], NOW - timedelta(days=28))["orders"]
    assert (len(readings["fast_ssd"]), len(readings["pg_default"])) == (4, 5)


def test_collecting_twice_in_the_same_minute_stores_each_tablespace_once(store):
    at = NOW - timedelta(days=3, seconds=-20)  # the same minute as the last snapshot
    save_health_snapshots(store, [health_at([TablespaceSize("fast_ssd", 999 * GB)])], at, actor=admin())
    readings = tablespace_readings(store, ["orders"], NOW - timedelta(days=28))["orders"]
    assert [size for _, size in readings["fast_ssd"]][-1] == 236 * GB
