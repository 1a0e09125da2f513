"""The database-health service: the steps the page and the CLI share, against a SQLite store and no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from data.databases import service
from data.databases.config import parse_database_config
from data.last_good import LastGoodStore
from data.settings import PrometheusSettings, Settings
from data.store import migrate
from metrics.access import VIA_CLI, Actor, PermissionDenied, Role
from metrics.databases.checks import CRITICAL, OK, UNKNOWN, CheckResult, ProbeData, ProbeState, build_health
from metrics.databases.records import RecordError

NOW = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)
CONFIG = parse_database_config(
    '[[database]]\nname = "orders"\nengine = "postgresql"\n[[database]]\nname = "catalog"\nengine = "mysql"\n'
)
ADMIN = Actor("cron (cli)", Role.ADMIN, VIA_CLI)
WATCHING = PrometheusSettings(url="http://127.0.0.1:9")  # a Prometheus is configured: not demo mode


@pytest.fixture
def settings(tmp_path) -> Settings:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(store)
    return Settings(WATCHING, store, tmp_path / "catalog.yaml", "UTC", now_override=NOW)


def answered(name: str, used: int = 5, most: int = 10):
    probe = ProbeData(engine="postgresql", version="PostgreSQL 16", connections_used=used, connections_max=most)
    return build_health(name, "postgresql", [CheckResult("up", OK, None, "answered")], NOW, probe=probe)


def test_a_database_without_a_dsn_is_not_configured_outside_demo_mode():
    settings = Settings(WATCHING, "sqlite://", "catalog.yaml", "UTC", now_override=NOW)
    healths = service.check_fleet(settings, CONFIG)
    assert [(h.database, h.probe_state, h.status) for h in healths] == [
        ("orders", ProbeState.NOT_CONFIGURED, UNKNOWN),
        ("catalog", ProbeState.NOT_CONFIGURED, UNKNOWN),
    ]


def test_a_database_that_refuses_the_connection_has_a_failed_probe(settings):
    from dataclasses import replace

    with_dsn = replace(settings, database_dsns={"orders": "postgresql://monitor@127.0.0.1:1/orders"})
    [health] = service.check_fleet(with_dsn, CONFIG, 5.0, names=["orders"])
    assert (health.probe_state, health.probe) == (ProbeState.FAILED, None)


def test_collecting_stores_the_given_healths_and_counts_who_answered(settings):
    healths = [answered("orders"), *service.check_fleet(settings, CONFIG, names=["catalog"])]
    collection = service.collect_snapshots(settings, CONFIG, actor=ADMIN, healths=healths, at=NOW)
    assert (collection.stored, collection.answered, collection.total, collection.complete) == (2, 1, 2, False)


def test_collecting_twice_in_the_same_minute_stores_nothing_new(settings):
    service.collect_snapshots(settings, CONFIG, actor=ADMIN, healths=[answered("orders")], at=NOW)
    again = service.collect_snapshots(settings, CONFIG, actor=ADMIN, healths=[answered("orders")], at=NOW)
    assert again.stored == 0


def test_collecting_without_healths_probes_the_fleet_now(settings):
    collection = service.collect_snapshots(settings, CONFIG, actor=ADMIN)
    assert ([h.database for h in collection.healths], collection.at) == (["orders", "catalog"], NOW)


def test_only_an_admin_may_collect(settings):
    with pytest.raises(PermissionDenied):
        service.collect_snapshots(settings, CONFIG, actor=Actor("vic", Role.EDITOR), healths=[answered("orders")])


def test_the_history_carries_the_share_of_connections_in_use(settings):
    for minutes, used in ((10, 2), (5, 5)):
        at = NOW - timedelta(minutes=minutes)
        service.collect_snapshots(settings, CONFIG, actor=ADMIN, healths=[answered("orders", used)], at=at)
    history = service.health_history(settings, "orders", NOW)
    assert [row["connections_share"] for row in history] == [0.2, 0.5]


def test_a_record_for_a_database_not_in_the_config_is_refused(settings):
    with pytest.raises(RecordError, match="not in databases.toml"):
        service.add_record(
            settings,
            CONFIG,
            actor=ADMIN,
            database="billing",
            kind="backup_verified",
            done_on=NOW.date(),
            recorded_by="kim",
        )


def test_an_added_record_is_listed(settings):
    service.add_record(
        settings, CONFIG, actor=ADMIN, database="orders", kind="backup_verified", done_on=NOW.date(), recorded_by="kim"
    )
    assert [(r.database, r.kind, r.recorded_by) for r in service.records(settings)] == [
        ("orders", "backup_verified", "kim")
    ]


def test_record_staleness_covers_only_the_chosen_database():
    rows = service.record_staleness(CONFIG, [], date(2026, 11, 24), database="catalog")
    assert rows and {name for name, _ in rows} == {"catalog"}


def test_sizes_a_week_ago_are_empty_when_the_store_cannot_be_read(tmp_path):
    unmigrated = Settings(None, f"sqlite:///{tmp_path / 'none.db'}", "catalog.yaml", "UTC", now_override=NOW)
    assert service.sizes_7d_ago(unmigrated, ["orders"]) == {}


def test_a_failing_database_falls_back_to_its_last_good_probe(settings):
    store = LastGoodStore()
    service.last_good_of_failing(settings, CONFIG, [answered("orders")], NOW, store)
    down = CheckResult("up", CRITICAL, None, "cannot connect")
    failed = [build_health("orders", "postgresql", [down], NOW, error="cannot connect")]
    stale = service.last_good_of_failing(settings, CONFIG, failed, NOW + timedelta(minutes=1), store)
    assert stale["orders"].value.probe is not None


def test_a_database_not_configured_has_no_last_good_to_fall_back_on(settings):
    store = LastGoodStore()
    not_configured = service.check_fleet(settings, CONFIG)
    assert service.last_good_of_failing(settings, CONFIG, not_configured, NOW, store) == {}
