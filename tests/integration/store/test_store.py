"""The store on real backends: SQLite (a file), PostgreSQL and MariaDB (throwaway servers)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from data.slo.snapshots import latest_snapshots, save_snapshots, snapshots_between
from data.store import AuditLogEntry, current_revision, engine_for, head_revision, migrate, session_scope
from tests.support.actors import admin

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 29, 0, 30, 15, 123456, tzinfo=UTC)  # microseconds and a DST weekend in Europe


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def database_url(request, tmp_path) -> str:
    """An empty database per test, on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'nested' / 'store.db'}"
    server = request.getfixturevalue({"postgresql": "postgres_server", "mariadb": "mariadb_server"}[request.param])
    return server.create_database(f"store_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def engine(database_url):
    migrate(database_url)
    engine = engine_for(database_url)
    yield engine
    engine.dispose()


def snapshot(taken_at: datetime, slo: str = "checkout-availability", **overrides) -> dict:
    row = {
        "taken_at": taken_at,
        "slo": slo,
        "service": "checkout",
        "target": 0.999,
        "period": "30d",
        "sli": 0.9995,
        "budget_remaining": 0.5,
        "burn_rates": {"5m": 0.2, "1h": 1.5, "6h": 0.9},
        "alert_state": "ok",
        "source": "demo",
    }
    row.update(overrides)
    return row


def test_migrate_is_idempotent_and_reaches_head(database_url):
    assert current_revision(database_url) is None
    migrate(database_url)
    migrate(database_url)
    assert current_revision(database_url) == head_revision()
    engine = engine_for(database_url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"slo_snapshots", "audit_log", "alembic_version"} <= tables


def test_concurrent_migrations_do_not_collide(database_url):
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(migrate, [database_url] * 4))
    assert current_revision(database_url) == head_revision()


def test_save_and_read_back(engine):
    rows = [snapshot(T0 + timedelta(minutes=i), sli=0.999 + i / 10_000) for i in range(5)]
    rows.append(snapshot(T0, slo="search-latency", sli=None, budget_remaining=None, burn_rates={}))
    assert save_snapshots(engine, rows, actor=admin()) == 6

    latest = latest_snapshots(engine, "checkout-availability", limit=2)
    assert [row["taken_at"] for row in latest] == [T0 + timedelta(minutes=4), T0 + timedelta(minutes=3)]
    assert latest[0]["burn_rates"] == {"5m": 0.2, "1h": 1.5, "6h": 0.9}
    assert latest[0]["sli"] == pytest.approx(0.9994)
    assert set(latest[0]) == set(rows[0]) | {"id"}

    between = snapshots_between(engine, "checkout-availability", T0 + timedelta(minutes=1), T0 + timedelta(minutes=3))
    assert [row["taken_at"] for row in between] == [T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)]

    no_data = latest_snapshots(engine, "search-latency", limit=10)
    assert no_data[0]["sli"] is None and no_data[0]["budget_remaining"] is None


def test_duplicate_snapshot_is_ignored(engine):
    assert save_snapshots(engine, [snapshot(T0)], actor=admin()) == 1
    assert save_snapshots(engine, [snapshot(T0, sli=0.5), snapshot(T0 + timedelta(minutes=1))], actor=admin()) == 1
    assert save_snapshots(engine, [snapshot(T0 + timedelta(minutes=2))] * 2, actor=admin()) == 1
    stored = latest_snapshots(engine, "checkout-availability", limit=10)
    assert len(stored) == 3
    assert stored[-1]["sli"] == pytest.approx(0.9995), "the first stored snapshot wins"


def test_aware_datetimes_round_trip_as_utc(engine):
    seoul = timezone(timedelta(hours=9))
    taken_in_seoul = T0.astimezone(seoul)
    save_snapshots(engine, [snapshot(taken_in_seoul)], actor=admin())
    [row] = latest_snapshots(engine, "checkout-availability", limit=1)
    assert row["taken_at"] == T0
    assert row["taken_at"].utcoffset() == timedelta(0)

    # The same instant given in another zone is the same snapshot.
    assert save_snapshots(engine, [snapshot(T0)], actor=admin()) == 0
    assert len(snapshots_between(engine, "checkout-availability", T0.astimezone(seoul), T0 + timedelta(seconds=1))) == 1


def test_naive_datetimes_are_refused(engine):
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        save_snapshots(engine, [snapshot(T0.replace(tzinfo=None))], actor=admin())


def test_audit_log_through_a_session(engine):
    with session_scope(engine) as session:
        session.add(
            AuditLogEntry(
                at=T0,
                actor="dba@example.org",
                action="create",
                entity="tracker_item",
                entity_id="42",
                details={"title": "bloat on orders"},
            )
        )
    with pytest.raises(RuntimeError):
        with session_scope(engine) as session:
            session.add(AuditLogEntry(at=T0, actor="x", action="y", entity="z", entity_id="1", details={}))
            raise RuntimeError("rolled back")
    with session_scope(engine) as session:
        entries = session.scalars(sa.select(AuditLogEntry)).all()
    assert len(entries) == 1
    assert entries[0].at == T0 and entries[0].details == {"title": "bloat on orders"}


def test_target_changes_are_the_snapshots_whose_target_differs_from_the_one_before(engine):
    from data.slo.snapshots import target_changes

    targets = [0.999, 0.999, 0.9995, 0.9995, 0.999, 0.999]
    rows = [snapshot(T0 + timedelta(minutes=i), target=target) for i, target in enumerate(targets)]
    rows.append(snapshot(T0 + timedelta(minutes=3), slo="search-latency", target=0.99))
    save_snapshots(engine, rows, actor=admin())

    changes = target_changes(engine, "checkout-availability", T0, T0 + timedelta(hours=1))
    assert changes == [(T0 + timedelta(minutes=2), 0.999, 0.9995), (T0 + timedelta(minutes=4), 0.9995, 0.999)]
    later = target_changes(engine, "checkout-availability", T0 + timedelta(minutes=3), T0 + timedelta(hours=1))
    assert later == [(T0 + timedelta(minutes=4), 0.9995, 0.999)]  # a change is found against a snapshot before start


def test_target_changes_of_many_slos_come_back_per_slo_in_one_query(engine):
    from data.slo.snapshots import target_changes_of

    rows = [snapshot(T0 + timedelta(minutes=i), target=t) for i, t in enumerate([0.999, 0.9995, 0.9995])]
    rows += [snapshot(T0 + timedelta(minutes=i), slo="search-latency", target=t) for i, t in enumerate([0.99, 0.98])]
    rows.append(snapshot(T0, slo="payments-availability", target=0.999))
    save_snapshots(engine, rows, actor=admin())
    statements = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    changes = target_changes_of(
        engine, ["checkout-availability", "search-latency", "payments-availability"], T0, T0 + timedelta(hours=1)
    )

    assert changes == {
        "checkout-availability": [(T0 + timedelta(minutes=1), 0.999, 0.9995)],
        "search-latency": [(T0 + timedelta(minutes=1), 0.99, 0.98)],
    }
    assert len(statements) == 1
