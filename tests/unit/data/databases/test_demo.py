"""The demo fleet: the example databases of config/databases.toml as the designed probes read them, judged by the
fleet's own checks. Expected figures come from the design's raw inputs (the module docstring), worked out here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from data.databases import service
from data.databases.config import DatabaseTarget, load_database_config
from data.databases.demo import demo_fleet, demo_health, is_demo
from data.settings import PrometheusSettings, Settings
from data.store import migrate
from metrics.access import VIA_CLI, Actor, Role
from metrics.databases.checks import CRITICAL, INFO, OK, WARN, ProbeState

ROOT = Path(__file__).resolve().parents[4]
EXAMPLE = load_database_config(ROOT / "config" / "databases.toml")
NOW = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)
INT_MAX = 2_147_483_647
ADMIN = Actor("cron (cli)", Role.ADMIN, VIA_CLI)


def health(name: str, now: datetime = NOW):
    return demo_health(EXAMPLE.database(name), now)


def not_ok(name: str) -> dict[str, str]:
    return {c.id: c.status for c in health(name).checks if c.status not in (OK, INFO)}


def test_two_readings_at_the_same_instant_are_equal():
    for target in EXAMPLE.databases:
        assert demo_health(target, NOW) == demo_health(target, NOW)


def test_orders_primary_is_critical_for_a_session_waiting_372_s_behind_a_transaction_left_open():
    # long query: 372 s >= 300 s critical; idle in transaction 840 s: warn (300 s) below critical (1800 s);
    # one blocked session: warn (1); orders_id_seq at 82 % of 2^31-1: warn (75 %) below critical (90 %);
    # its replica replays 12 s behind: warn (5 s)
    assert not_ok("orders-primary") == {
        "long_running_queries": CRITICAL,
        "idle_in_transaction": WARN,
        "blocked_sessions": WARN,
        "sequences": WARN,
        "replication_lag": WARN,
    }
    primary = health("orders-primary")
    assert primary.status == CRITICAL
    blocked = primary.check("blocked_sessions")
    assert blocked.value == 1 and blocked.items[0]["pid"] == 4317 and blocked.items[0]["blocked_by"] == [4242]
    [sequence] = primary.check("sequences").items
    assert sequence["sequence"] == "public.orders_id_seq" and sequence["used"] == 0.82
    assert sequence["last_value"] == round(0.82 * INT_MAX) == 1_760_936_591


def test_orders_primary_sequence_runs_out_in_about_203_days_at_1_9_million_a_day():
    # (2^31-1 - 1,760,936,591) / 1,900,000 a day = 203.45 days: past the 45 days that warn on orders-primary;
    # 2026-11-24 14:05 + 203.45 days is just after midnight into 2027-06-16
    capacity = health("orders-primary").check("capacity_forecast")
    assert capacity.status == OK
    sequence = next(item for item in capacity.items if item["resource"] == "sequence")
    assert sequence["days_left"] == pytest.approx((INT_MAX - 1_760_936_591) / 1_900_000, abs=0.01)
    assert sequence["runs_out_on"] == (NOW + timedelta(days=203.45)).date().isoformat() == "2027-06-16"


def test_the_replica_warns_only_about_its_12_s_lag():
    assert not_ok("orders-replica") == {"replication_lag": WARN}
    lag = health("orders-replica").check("replication_lag")
    assert lag.value == 12.0 and "12 s behind its primary" in lag.detail


def test_catalog_is_all_ok():
    catalog = health("catalog")
    assert catalog.status == OK and {c.status for c in catalog.checks} == {OK}


def test_analytics_staging_warns_about_a_table_with_60_percent_dead_rows_and_autovacuum_off():
    assert not_ok("analytics-staging") == {"dead_tuples": WARN}
    [table] = health("analytics-staging").check("dead_tuples").items
    # 2,400,000 dead of 4,000,000 live rows
    assert (table["table"], table["dead_ratio"], table["autovacuum"]) == ("warehouse.events_raw", 0.6, "off")


@pytest.mark.parametrize("now", [NOW, datetime(2027, 3, 1, 8, 30, tzinfo=UTC)])
def test_times_are_counted_back_from_the_given_now(now):
    staging = health("analytics-staging", now)
    [table] = staging.check("dead_tuples").items
    assert table["last_autovacuum"] == (now - timedelta(days=9, hours=3)).isoformat()
    assert staging.probed_at == now
    # orders-primary verifies its backups every 7 days: the demo's record is a third of that, 2 days, old
    records = {item["kind"]: item for item in health("orders-primary", now).check("dba_records").items}
    assert records["backup_verified"]["last"] == (now.date() - timedelta(days=2)).isoformat()
    assert records["restore_drill"]["age_days"] == 30  # every 90 days


def test_every_demo_health_is_marked_demo_and_answered():
    for target in EXAMPLE.databases:
        shown = demo_health(target, NOW)
        assert is_demo(shown) and shown.source == "demo" and shown.probe_state is ProbeState.ANSWERED


def test_a_database_outside_the_design_reads_healthy():
    mine = demo_health(DatabaseTarget(name="billing", engine="mysql", record_intervals={}), NOW)
    assert mine.status == OK and is_demo(mine)


def settings(tmp_path, prometheus: PrometheusSettings | None = None, **dsns: str) -> Settings:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(store)
    return Settings(prometheus, store, ROOT / "config" / "slos", "UTC", now_override=NOW, database_dsns=dsns)


def test_in_demo_mode_the_fleet_shows_the_demo_for_databases_without_a_dsn_and_probes_the_one_with_one(tmp_path):
    demo = settings(tmp_path, **{"catalog": "mysql://monitor@127.0.0.1:1/catalog"})
    healths = {h.database: h for h in service.check_fleet(demo, EXAMPLE, 5.0)}
    assert {name for name, h in healths.items() if is_demo(h)} == {
        "orders-primary",
        "orders-replica",
        "analytics-staging",
    }
    assert healths["catalog"].probe_state is ProbeState.FAILED and not is_demo(healths["catalog"])
    assert healths["orders-primary"].status == CRITICAL
    assert [h.database for h in demo_fleet(demo, EXAMPLE, NOW)] == [
        "orders-primary",
        "orders-replica",
        "analytics-staging",
    ]


def test_outside_demo_mode_a_database_without_a_dsn_stays_not_configured(tmp_path):
    watching = settings(tmp_path, PrometheusSettings(url="http://127.0.0.1:9"))
    healths = service.check_fleet(watching, EXAMPLE)
    assert {h.probe_state for h in healths} == {ProbeState.NOT_CONFIGURED} and not any(map(is_demo, healths))


def test_collecting_in_demo_mode_stores_no_demo_snapshot(tmp_path):
    demo = settings(tmp_path)
    collection = service.collect_snapshots(demo, EXAMPLE, actor=ADMIN)
    assert (collection.stored, collection.total, collection.demo_left_out) == (0, 0, 4)
    for name in ("orders-primary", "catalog"):
        assert service.health_history(demo, name, NOW) == []
    assert service.capacity_forecasts(demo, EXAMPLE)["orders-primary"].disk.snapshots == 0


def test_the_demo_is_never_remembered_as_a_last_good_probe(tmp_path):
    from data.last_good import LastGoodStore

    demo = settings(tmp_path)
    store = LastGoodStore()
    assert service.last_good_of_failing(demo, EXAMPLE, service.check_fleet(demo, EXAMPLE), NOW, store) == {}
