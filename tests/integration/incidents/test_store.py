"""The incidents repository on SQLite, PostgreSQL and MariaDB: ids update instead of duplicating, times stay UTC."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from data.incidents.store import incidents_between, save_incidents
from data.store import engine_for, migrate
from metrics.incidents.rules import Incident
from tests.support.actors import editor

pytestmark = pytest.mark.integration

T0 = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the fall-back night in Europe


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        server = request.getfixturevalue({"postgresql": "postgres_server", "mariadb": "mariadb_server"}[request.param])
        url = server.create_database(f"incidents_{uuid.uuid4().hex[:12]}")
    migrate(url)
    engine = engine_for(url)
    yield engine
    engine.dispose()


def incident(reference: str = "INC-1", **changes) -> Incident:
    values = dict(
        reference=reference,
        service="checkout",
        severity="SEV2",
        started=T0,
        detected=T0 + timedelta(minutes=3),
        acknowledged=T0 + timedelta(minutes=9),
        resolved=None,
        summary="Card errors",
        postmortem_url="",
    )
    values.update(changes)
    return Incident(**values)


def test_an_incident_reads_back_as_it_was_saved(engine):
    save_incidents(engine, [incident()], actor=editor("kim"), recorded_at=T0)
    assert incidents_between(engine, T0, T0 + timedelta(hours=1)) == [incident()]


def test_saving_an_existing_id_updates_it(engine):
    save_incidents(engine, [incident()], actor=editor("kim"), recorded_at=T0)
    resolved = incident(resolved=T0 + timedelta(hours=2))
    assert save_incidents(engine, [resolved], actor=editor("kim"), recorded_at=T0) == (0, 1)
    assert incidents_between(engine, T0, T0 + timedelta(hours=1)) == [resolved]


def test_the_range_is_half_open_and_filters_services(engine):
    save_incidents(
        engine,
        [incident("A"), incident("B", started=T0 + timedelta(hours=1)), incident("C", service="search")],
        actor=editor("kim"),
        recorded_at=T0,
    )
    found = incidents_between(engine, T0, T0 + timedelta(hours=1), services=["checkout"])
    assert [i.reference for i in found] == ["A"]
