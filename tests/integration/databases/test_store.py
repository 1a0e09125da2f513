"""The database-health repositories on SQLite, PostgreSQL and MariaDB: snapshots, growth, append-only records."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from data.databases.store import (
    AlreadyRecorded,
    add_record,
    health_history,
    list_records,
    save_health_snapshots,
    sizes_at,
    table_growth,
    withdraw_record,
)
from data.store import migrate
from metrics.access import PermissionDenied
from metrics.databases.checks import ProbeData, SizeSource, TableStats, build_health, check_up
from metrics.databases.records import RecordError
from tests.support.actors import admin, editor, viewer

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 24, 14, 5, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def store(request, tmp_path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        server = request.getfixturevalue({"postgresql": "postgres_server", "mariadb": "mariadb_server"}[request.param])
        url = server.create_database(f"store_{uuid.uuid4().hex[:12]}")
    migrate(url)
    return url


def health(size: int, orders_bytes: int):
    probe = ProbeData(
        engine="postgresql",
        version="PostgreSQL 15",
        database_size_bytes=size,
        connections_used=3,
        connections_max=97,
        tables=[TableStats("public.orders", total_bytes=orders_bytes)],
    )
    return build_health("orders", "postgresql", [check_up(probe)], NOW, probe=probe)


def test_a_snapshot_is_stored_once_per_minute_and_read_back(store):
    assert save_health_snapshots(store, [health(1000, 600)], NOW, actor=admin()) == 1
    assert save_health_snapshots(store, [health(1000, 600)], NOW + timedelta(seconds=20), actor=admin()) == 0
    [row] = health_history(store, "orders", NOW - timedelta(days=1))
    assert (row["taken_at"], row["size_bytes"], row["connections_used"], row["checks"]) == (
        NOW.replace(second=0),
        1000,
        3,
        {"up": "ok"},
    )


def test_growth_compares_table_sizes_with_7_and_30_days_ago(store):
    save_health_snapshots(store, [health(1000, 500)], NOW - timedelta(days=30), actor=admin())
    save_health_snapshots(store, [health(1000, 800)], NOW - timedelta(days=7), actor=admin())
    save_health_snapshots(store, [health(1200, 1000)], NOW, actor=admin())
    assert table_growth(store, "orders", NOW) == [
        {"table": "public.orders", "size_bytes": 1000, "growth_7d_bytes": 200, "growth_30d_bytes": 500}
    ]
    assert sizes_at(store, ["orders"], NOW) == {"orders": 1000}


def test_a_locked_tables_estimated_size_is_not_stored_as_a_growth_point(store):
    save_health_snapshots(store, [health(1000, 800)], NOW - timedelta(days=7), actor=admin())
    locked = health(1200, 5000)
    locked.probe.tables = [
        TableStats("public.orders", 5000, size_source=SizeSource.ESTIMATED, locked=True, locked_by=4242),
        TableStats("public.items", 300),
    ]
    save_health_snapshots(store, [locked], NOW, actor=admin())
    assert [row["table"] for row in table_growth(store, "orders", NOW)] == ["public.items"]


def test_records_are_appended_never_overwritten(store):
    for day in (1, 20):
        backup_record(store, day=day)
    assert [r.done_on.day for r in list_records(store, "orders")] == [20, 1]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "coffee_break", "kind: 'coffee_break' is not one of"),
        ("done_on", date(2026, 11, 25), "date: 2026-11-25 is in the future"),
        ("recorded_by", " ", "by: say who did it"),
        ("link", "javascript:alert(1)", "link: must be an http(s) URL"),
    ],
)
def test_an_invalid_record_names_its_field_and_stores_nothing(store, field, value, message):
    values = {
        "database": "orders",
        "kind": "backup_verified",
        "done_on": date(2026, 11, 24),
        "recorded_by": "kim",
        field: value,
    }
    with pytest.raises(RecordError, match=re.escape(message)):
        add_record(store, actor=editor("kim"), now=NOW, **values)
    assert list_records(store) == []


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"recorded_by": "k" * 201}, "by: at most 200 characters"),
        ({"link": "https://wiki.example/" + "x" * 500}, "link: at most 500 characters"),
        ({"notes": "checked\x00"}, "notes: contains a NUL character"),
    ],
)
def test_a_record_the_columns_cannot_hold_is_a_field_message_not_a_database_error(store, values, message):
    fields = {
        "database": "orders",
        "kind": "backup_verified",
        "done_on": date(2026, 11, 20),
        "recorded_by": "kim",
        **values,
    }
    with pytest.raises(RecordError, match=message):
        add_record(store, actor=editor("kim"), now=NOW, **fields)
    assert list_records(store) == []


def backup_record(store, submission_key=None, day=20):
    return add_record(
        store,
        actor=editor("kim"),
        database="orders",
        kind="backup_verified",
        done_on=date(2026, 11, day),
        recorded_by="kim",
        now=NOW,
        submission_key=submission_key,
    )


def test_a_second_submission_of_the_same_form_stores_one_record(store):
    first = backup_record(store, submission_key="form-1")
    with pytest.raises(AlreadyRecorded) as repeated:
        backup_record(store, submission_key="form-1")
    assert repeated.value.record.id == first.id
    assert [r.id for r in list_records(store)] == [first.id]


def test_a_withdrawn_record_stays_in_the_history_marked_with_who_and_why(store):
    record = backup_record(store)
    withdraw_record(store, actor=editor("lee"), record_id=record.id, reason="wrong database", now=NOW)
    [kept] = list_records(store, "orders")
    assert (kept.id, kept.withdrawn, kept.withdrawn_by, kept.withdrawal_reason) == (
        record.id,
        True,
        "lee",
        "wrong database",
    )


def test_a_record_is_withdrawn_once(store):
    record = backup_record(store)
    withdraw_record(store, actor=editor("lee"), record_id=record.id, reason="entered twice", now=NOW)
    with pytest.raises(RecordError, match="already withdrawn by lee"):
        withdraw_record(store, actor=editor("kim"), record_id=record.id, reason="again", now=NOW)


def test_a_withdrawal_needs_a_reason_and_an_existing_record(store):
    record = backup_record(store)
    with pytest.raises(RecordError, match="reason: say why"):
        withdraw_record(store, actor=editor("lee"), record_id=record.id, reason="  ", now=NOW)
    with pytest.raises(RecordError, match="no DBA record 999"):
        withdraw_record(store, actor=editor("lee"), record_id=999, reason="typo", now=NOW)
    assert not list_records(store)[0].withdrawn


def test_a_viewer_cannot_withdraw_a_record(store):
    record = backup_record(store)
    with pytest.raises(PermissionDenied):
        withdraw_record(store, actor=viewer("ann"), record_id=record.id, reason="typo", now=NOW)
    assert not list_records(store)[0].withdrawn
