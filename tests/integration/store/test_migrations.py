"""Migrations run forward on last release's store without loss, on SQLite and PostgreSQL.

The store is built at the previous Alembic head (the revision the newest migration revises, found from the scripts,
so this keeps testing the newest migration as migrations are added), filled with representative rows in every
table, then upgraded by ``data.store.migrate`` exactly as the app does at start. Every row must still be there with
every column it had unchanged (columns a migration adds are not compared), and the app must read it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from data.store import engine_for, head_revision, migrate
from data.store.migrate import alembic_config
from data.tracker.store import list_items, reviews_for
from data.weekly.notes import note_history
from tests.support.stores import fresh_store

pytestmark = pytest.mark.integration

T1 = datetime(2026, 3, 29, 0, 30, 15, 123456, tzinfo=UTC)  # microseconds, a DST weekend in Europe
T2 = datetime(2026, 11, 24, 14, 5, 0, 654321, tzinfo=UTC)
HARD_TEXT = "Quotes ' \" ; -- DROP TABLE x; 한국어 émigré — <b>markup</b>\nsecond line\r\nthird"

# Hand-written rows for the tables the store has today; a column a row leaves out gets a value of its type, and a
# table added later gets two rows of such values, so the test needs no edit when the schema grows.
REPRESENTATIVE: dict[str, list[dict[str, Any]]] = {
    "tracker_items": [
        {
            "id": 1,
            "title": "Failover takes 9 minutes",
            "problem_statement": HARD_TEXT,
            "state": "parked",
            "owner_role": "DBA",
            "owner": "Kim Min-jun",
            "impact": "high",
            "urgency": "low",
            "why_parked_category": "vendor",
            "why_parked": "needs the next major version",
            "workaround": "manual",
            "workaround_holds": True,
            "root_cause_confidence": "suspected",
            "decided_by": "lead",
            "decided_on": date(2025, 3, 1),
            "revisit_on": date(2027, 1, 15),
            "cadence_days": 90,
            "last_reviewed_at": T1,
            "resolution_code": None,
            "external_reference": "VENDOR-1234",
            "services": ["checkout"],
            "slos": ["checkout-availability"],
            "databases": ["orders-primary"],
            "triggers": [{"kind": "slo_budget_below", "slo": "checkout-availability", "threshold": 0.25}],
            "due_reason": None,
            "created_at": T1,
            "updated_at": T2,
            "version": 3,
        },
        {
            "id": 2,
            "title": "Batch job breaks its SLO at month end",
            "problem_statement": "",
            "state": "resolved",
            "owner_role": "TPM",
            "owner": "",
            "impact": "medium",
            "urgency": "medium",
            "why_parked_category": "other",
            "why_parked": "",
            "workaround": "",
            "workaround_holds": None,
            "root_cause_confidence": "known",
            "decided_by": "",
            "decided_on": None,
            "revisit_on": None,
            "cadence_days": None,
            "last_reviewed_at": None,
            "resolution_code": "fixed",
            "external_reference": "",
            "services": [],
            "slos": [],
            "databases": [],
            "triggers": [],
            "due_reason": {"kind": "date", "text": "revisit date 2026-11-01 reached"},
            "created_at": T1,
            "updated_at": T1,
            "version": 1,
        },
    ],
    "tracker_reviews": [
        {
            "id": 1,
            "item_id": 1,
            "reviewed_at": T1,
            "reviewer": "Lee Seo-yeon",
            "outcome": "keep_parked",
            "what_changed": HARD_TEXT,
            "next_revisit_on": date(2027, 1, 15),
            "state_before": "due",
            "state_after": "parked",
        },
        {
            "id": 2,
            "item_id": 2,
            "reviewed_at": T2,
            "reviewer": "Ann",
            "outcome": "resolved",
            "what_changed": "",
            "next_revisit_on": None,
            "state_before": "in_progress",
            "state_after": "resolved",
        },
    ],
    "audit_log": [
        {
            "id": 1,
            "at": T1,
            "actor": "Kim Min-jun",
            "action": "created",
            "entity": "tracker_item",
            "entity_id": "1",
            "details": {"version": 1},
        },
        {
            "id": 2,
            "at": T2,
            "actor": "Ann",
            "action": "edited",
            "entity": "tracker_item",
            "entity_id": "1",
            "details": {"version": 3, "changes": {"title": ["Failover", "Failover takes 9 minutes"]}},
        },
    ],
    "incidents": [
        {
            "id": 1,
            "reference": "INC-2026-041",
            "service": "checkout",
            "severity": "SEV2",
            "started": T1,
            "detected": T1,
            "acknowledged": T2,
            "resolved": T2,
            "summary": HARD_TEXT,
            "postmortem_url": "https://wiki.example/pm/41",
            "recorded_by": "Ann",
            "recorded_at": T2,
        },
        {
            "id": 2,
            "reference": "INC-2026-042",
            "service": "search",
            "severity": "SEV4",
            "started": T2,
            "detected": None,
            "acknowledged": None,
            "resolved": None,
            "summary": "",
            "postmortem_url": "",
            "recorded_by": "Kim",
            "recorded_at": T2,
        },
    ],
    "weekly_notes": [
        {"week": "2026-W47", "text": HARD_TEXT, "version": 2, "updated_by": "Ann", "updated_at": T2},
    ],
    "weekly_note_versions": [
        {"id": 1, "week": "2026-W47", "version": 1, "text": "first draft", "author": "Kim", "saved_at": T1},
        {"id": 2, "week": "2026-W47", "version": 2, "text": HARD_TEXT, "author": "Ann", "saved_at": T2},
    ],
    "slo_daily_rollups": [
        {
            "id": 1,
            "day": date(2026, 3, 29),
            "slo": "checkout-availability",
            "service": "checkout",
            "target": 0.999,
            "period_seconds": 2592000,
            "day_seconds": 82800,
            "total": 123456789.0,
            "bad": 12.5,
            "error_ratio": 1.0125e-07,
            "sli": 0.9999998987,
            "met_objective": True,
            "budget_consumed": 0.000003,
            "latency_p50": None,
            "latency_p95": None,
            "latency_p99": None,
            "latency_buckets": None,
            "source": "Prometheus prod",
            "collected_at": T2,
        },
        {
            "id": 2,
            "day": date(2026, 11, 23),
            "slo": "search-latency",
            "service": "search",
            "target": 0.99,
            "period_seconds": 2419200,
            "day_seconds": 86400,
            "total": None,
            "bad": None,
            "error_ratio": None,
            "sli": None,
            "met_objective": None,
            "budget_consumed": None,
            "latency_p50": 0.12,
            "latency_p95": 0.4,
            "latency_p99": 0.9,
            "latency_buckets": {"0.25": 10.0, "+Inf": 12.0},
            "source": "demo",
            "collected_at": T2,
        },
    ],
    "slo_snapshots": [
        {
            "id": 1,
            "taken_at": T1,
            "slo": "checkout-availability",
            "service": "checkout",
            "target": 0.999,
            "period": "30d",
            "sli": 0.9995,
            "budget_remaining": -0.5,
            "burn_rates": {"5m": 0.2, "1h": None},
            "alert_state": "page",
            "source": "Prometheus prod",
        },
        {
            "id": 2,
            "taken_at": T2,
            "slo": "search-latency",
            "service": "search",
            "target": 0.99,
            "period": "28d",
            "sli": None,
            "budget_remaining": None,
            "burn_rates": {},
            "alert_state": "no data",
            "source": "demo",
        },
    ],
    "db_health_snapshots": [
        {
            "id": 1,
            "taken_at": T2,
            "database": "orders-primary",
            "engine": "postgresql",
            "status": "warn",
            "connections_used": 42,
            "connections_max": 97,
            "cache_hit_ratio": 0.9912,
            "longest_query_s": 61.5,
            "replication_lag_s": None,
            "size_bytes": 13_000_000_000,
            "checks": [{"id": "up", "status": "ok"}],
            "error": None,
        },
        {
            "id": 2,
            "taken_at": T2,
            "database": "catalog",
            "engine": "mariadb",
            "status": "critical",
            "connections_used": None,
            "connections_max": None,
            "cache_hit_ratio": None,
            "longest_query_s": None,
            "replication_lag_s": None,
            "size_bytes": None,
            "checks": [],
            "error": "cannot connect: refused",
        },
    ],
    "db_table_sizes": [
        {
            "id": 1,
            "taken_at": T1,
            "database": "orders-primary",
            "table_name": "public.orders",
            "total_bytes": 9_000_000_000,
        },
        {
            "id": 2,
            "taken_at": T2,
            "database": "orders-primary",
            "table_name": "public.orders",
            "total_bytes": 9_500_000_000,
        },
    ],
    "db_statement_snapshots": [
        {
            "id": 1,
            "taken_at": T1,
            "database": "orders-primary",
            "statement_key": "-7867580849679318082",
            "query_text": HARD_TEXT,
            "calls": 9_000_000_000,
            "total_time_ms": 123_456_789.125,
            "rows": 18_000_000_000,
            "counted_since": "2026-03-01 00:00:00+00",
        },
        {
            "id": 2,
            "taken_at": T2,
            "database": "orders-primary",
            "statement_key": "3f0c9d8e1b2a4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5",
            "query_text": "SELECT * FROM `orders` WHERE `id` = ?",
            "calls": 0,
            "total_time_ms": 0.0,
            "rows": 0,
            "counted_since": None,
        },
    ],
    "dba_records": [
        {
            "id": 1,
            "database": "orders-primary",
            "kind": "restore_drill",
            "done_on": date(2026, 10, 1),
            "recorded_at": T1,
            "recorded_by": "Kim",
            "outcome": "ok",
            "notes": HARD_TEXT,
            "link": "https://wiki.example/drill",
        },
        {
            "id": 2,
            "database": "catalog",
            "kind": "backup_verified",
            "done_on": date(2026, 11, 20),
            "recorded_at": T2,
            "recorded_by": "Lee",
            "outcome": "partial",
            "notes": "",
            "link": "",
        },
    ],
    # One withdrawal per record (unique record_id): each row names its own record.
    "dba_record_withdrawals": [
        {"id": 1, "record_id": 1, "withdrawn_at": T2, "withdrawn_by": "Kim", "reason": "wrong database"},
        {"id": 2, "record_id": 2, "withdrawn_at": T2, "withdrawn_by": "Lee", "reason": HARD_TEXT},
    ],
}


def previous_head() -> str:
    """The revision the newest migration revises: the store of the last release."""
    script = ScriptDirectory.from_config(alembic_config())
    down = script.get_revision(head_revision()).down_revision
    assert isinstance(down, str), f"the newest migration must revise exactly one revision, not {down!r}"
    return down


def upgrade_to(url: str, revision: str) -> None:
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.commit()
    finally:
        engine.dispose()


def value_of_type(column: sa.Column, index: int) -> Any:
    """A plausible value for a column no hand-written row names (a column or table added after this test)."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return index % 2 == 0
    if isinstance(kind, sa.Integer):
        return index + 1
    if isinstance(kind, (sa.Float, sa.Numeric)):
        return 0.25 + index
    if isinstance(kind, sa.DateTime):
        return T2
    if isinstance(kind, sa.Date):
        return date(2026, 11, 23)
    if isinstance(kind, sa.JSON):
        return {"value": index}
    if isinstance(kind, sa.String) and kind.length:
        return f"v{index}"[: kind.length]
    return f"value {index}"


def stored_form(value: Any, dialect: str) -> Any:
    """SQLite and MySQL keep naive UTC (the app's UTCDateTime); PostgreSQL keeps timestamptz."""
    if isinstance(value, datetime) and dialect != "postgresql":
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def fill_every_table(engine: sa.Engine) -> dict[str, int]:
    """Rows in every table of the schema as it is now; returns the count per table."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    first_rows: dict[str, dict[str, Any]] = {}
    counts = {}
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = REPRESENTATIVE.get(table.name) or [{}, {}]
            full_rows = []
            for index, given in enumerate(rows):
                row = {}
                for column in table.columns:
                    if column.name in given:
                        row[column.name] = given[column.name]
                    elif column.foreign_keys:
                        target = next(iter(column.foreign_keys)).column
                        row[column.name] = first_rows[target.table.name][target.name]
                    elif column.primary_key and isinstance(column.type, sa.Integer):
                        row[column.name] = index + 1
                    else:
                        row[column.name] = value_of_type(column, index)
                full_rows.append({name: stored_form(value, engine.dialect.name) for name, value in row.items()})
            connection.execute(table.insert(), full_rows)
            first_rows[table.name] = full_rows[0]
            counts[table.name] = len(full_rows)
    return counts


def snapshot(engine: sa.Engine, tables: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    """Every row of ``tables`` with the columns it has now, ordered by primary key."""
    metadata = sa.MetaData()
    metadata.reflect(engine, only=list(tables))
    contents = {}
    with engine.connect() as connection:
        for name in tables:
            table = metadata.tables[name]
            order = list(table.primary_key.columns) or list(table.columns)
            contents[name] = [dict(row) for row in connection.execute(sa.select(table).order_by(*order)).mappings()]
    return contents


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    return fresh_store(request, tmp_path, "last_release", migrated=False)


def test_the_previous_head_is_found_from_the_migration_scripts():
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_revision(head_revision()).down_revision == previous_head()
    assert previous_head() != head_revision()


def test_upgrading_last_releases_store_keeps_every_row_of_every_table(database_url):
    upgrade_to(database_url, previous_head())
    engine = engine_for(database_url)
    try:
        counts = fill_every_table(engine)  # the tables the previous head has (the newest migration may add some)
        assert {"tracker_items", "tracker_reviews", "audit_log"} <= set(counts)
        before = snapshot(engine, counts)
    finally:
        engine.dispose()

    migrate(database_url)  # what the app runs at start

    engine = engine_for(database_url)
    try:
        with engine.connect() as connection:
            assert (
                connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()
            )
        after = snapshot(engine, counts)
        for table, rows in before.items():
            kept = [{name: row[name] for name in rows[0]} for row in after[table]] if rows else after[table]
            assert kept == rows, f"{table}: rows changed by the migration"
        # and the app reads them: the tracker's items and review log, the week's note history
        items = {item.id: item for item in list_items(engine)}
        assert items[1].problem_statement == HARD_TEXT and items[1].triggers[0]["threshold"] == 0.25
        assert items[1].last_reviewed_at == T1 and items[2].resolution_code == "fixed"
        assert [review.reviewer for review in reviews_for(engine, 1)] == ["Lee Seo-yeon"]
        if "weekly_note_versions" in counts:
            assert [note.version for note in note_history(engine, "2026-W47")] == [2, 1]
    finally:
        engine.dispose()


def test_the_review_log_is_still_append_only_after_upgrading(database_url):
    """SQLite alters a table by copying it, which drops its triggers: a migration that touches tracker_reviews
    must create the append-only triggers again."""
    upgrade_to(database_url, previous_head())
    engine = engine_for(database_url)
    try:
        fill_every_table(engine)
    finally:
        engine.dispose()
    migrate(database_url)
    engine = engine_for(database_url)
    try:
        for statement in ("UPDATE tracker_reviews SET reviewer = 'someone else'", "DELETE FROM tracker_reviews"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                with engine.begin() as connection:
                    connection.execute(sa.text(statement))
    finally:
        engine.dispose()
