"""Imports of any size work on PostgreSQL (issue 16, item 9): 100,000 rows, more than the 65,535 parameters its
protocol binds in one statement, which the id lookups of both imports used to exceed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from data.incidents.service import import_incidents
from data.store import engine_for, migrate
from data.store.lookups import LOOKUP_BATCH, existing_values
from data.tracker.transfer import ImportFailed, import_items
from metrics.access import VIA_CLI, Actor, Role
from metrics.tracker.rules import KnownNames

pytestmark = pytest.mark.integration

ROWS = 100_000
NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
ADMIN = Actor("Ann (cli)", Role.ADMIN, VIA_CLI)


@pytest.fixture
def engine(postgres_server):
    url = postgres_server.create_database(f"large_{uuid.uuid4().hex[:12]}")
    migrate(url)
    engine = engine_for(url)
    yield engine
    engine.dispose()


def count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def test_a_lookup_of_more_values_than_one_statement_binds_finds_every_stored_one(engine):
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO incidents (reference, service, severity, started, summary, postmortem_url, "
                    "recorded_by, recorded_at) SELECT 'INC-' || n, 'checkout', 'SEV3', now(), '', '', 'seed', now() "
                    "FROM generate_series(1, :rows, 2) AS n"),
            {"rows": ROWS},
        )  # fmt: skip
        table = sa.Table("incidents", sa.MetaData(), autoload_with=connection)
        found = existing_values(connection, table.c.reference, (f"INC-{n}" for n in range(1, ROWS + 1)))
    assert ROWS > 65_535 > LOOKUP_BATCH
    assert found == {f"INC-{n}" for n in range(1, ROWS + 1, 2)}


def test_a_tracker_import_of_100_000_items_with_ids_is_stored_whole(engine):
    csv = "id,title,state,owner_role\n" + "".join(f"{n},Item {n},new,SRE\n" for n in range(1, ROWS + 1))
    stored = import_items(engine, csv, "csv", known=KnownNames(), actor=ADMIN, now=NOW)
    assert len(stored) == ROWS and count(engine, "tracker_items") == ROWS


def test_a_tracker_import_clashing_with_a_stored_id_past_the_first_batch_is_refused_whole(engine):
    import_items(engine, "id,title,state,owner_role\n70000,Old,new,SRE\n", "csv", known=KnownNames(), actor=ADMIN,
                 now=NOW)  # fmt: skip
    csv = "id,title,state,owner_role\n" + "".join(f"{n},Item {n},new,SRE\n" for n in range(1, ROWS + 1))
    with pytest.raises(ImportFailed) as refused:
        import_items(engine, csv, "csv", known=KnownNames(), actor=ADMIN, now=NOW)
    assert any("70000 is already in the store" in line for line in refused.value.lines())
    assert count(engine, "tracker_items") == 1


def test_an_incident_import_of_100_000_rows_is_stored_whole(engine):
    csv = "id,service,severity,started\n" + "".join(
        f"INC-{n},checkout,SEV3,2026-11-01T00:00:00Z\n" for n in range(1, ROWS + 1)
    )
    result = import_incidents(engine, csv, time_zone="UTC", services=["checkout"], actor=ADMIN, recorded_at=NOW)
    assert (result.added, result.updated) == (ROWS, 0) and count(engine, "incidents") == ROWS
