"""Roles are enforced where the data is written: every write path of the store refuses a role below its own,
stores nothing when it does, and leaves an audit line naming who and as what role when it does not.

Run on SQLite and a real PostgreSQL (the team's store)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from data.databases.store import add_record, save_health_snapshots
from data.incidents.store import save_incidents
from data.settings import DEFAULT_CATALOG
from data.slo.catalog import load_catalog
from data.slo.snapshots import save_snapshots
from data.store import engine_for, migrate
from data.store.audit import audit_entries
from data.tracker.demo import seed_demo_items
from data.tracker.store import change_state, create_item, list_items, mark_due, record_review, update_item
from data.tracker.transfer import import_items
from data.trends.rollups import collect_daily_rollups, demo_source
from data.trends.store import save_daily_rollups
from data.weekly.notes import save_note
from metrics.access import Actor, PermissionDenied, Role
from metrics.databases.checks import ProbeData, build_health, check_up
from metrics.incidents.rules import Incident
from metrics.tracker.rules import KnownNames
from metrics.tracker.triggers import DUE_BY_HAND, DueReason
from tests.support.actors import admin

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
TODAY = NOW.date()
KNOWN = KnownNames(slos={"checkout-availability"}, services={"checkout"}, databases={"orders-db"})
CATALOG = load_catalog(DEFAULT_CATALOG)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database(f"roles_{uuid.uuid4().hex[:12]}")
    migrate(url)
    return url


@pytest.fixture
def engine(store_url):
    engine = engine_for(store_url)
    yield engine
    engine.dispose()


@pytest.fixture
def parked_item(engine):
    """An item parked with a trigger, set up by an admin, for the paths that change an existing item."""
    item = create_item(
        engine,
        {
            "title": "Failover takes 40 min",
            "owner_role": "DBA",
            "state": "parked",
            "triggers": [{"kind": "date", "on": "2026-12-01"}],
        },
        actor=admin("setup"),
        now=NOW,
        today=TODAY,
        known=KNOWN,
    )
    return item


def _health():
    probe = ProbeData(
        engine="postgresql", version="PostgreSQL 15", database_size_bytes=1000, connections_used=3, connections_max=97
    )
    return build_health("orders-db", "postgresql", [check_up(probe)], NOW, probe=probe)


def _rollup_row():
    return {
        "day": date(2026, 11, 20),
        "slo": "checkout-availability",
        "service": "checkout",
        "target": 0.999,
        "period_seconds": 2_592_000,
        "day_seconds": 86_400,
        "total": 1000.0,
        "bad": 1.0,
        "error_ratio": 0.001,
        "sli": 0.999,
        "met_objective": True,
        "budget_consumed": 0.0333,
        "latency_p50": None,
        "latency_p95": None,
        "latency_p99": None,
        "latency_buckets": None,
        "source": "test",
        "collected_at": NOW,
    }


CSV_ITEM = "title,state,owner_role\nImported item,new,SRE\n"

# (path, the least role that may take it, the write) — every write function of the store.
WRITES = [
    (
        "create a tracker item",
        Role.EDITOR,
        lambda e, url, item, actor: create_item(
            e, {"title": "New", "owner_role": "SRE"}, actor=actor, now=NOW, today=TODAY, known=KNOWN
        ),
    ),
    (
        "edit a tracker item",
        Role.EDITOR,
        lambda e, url, item, actor: update_item(
            e, item.id, item.version, {"title": "Edited"}, actor=actor, now=NOW, today=TODAY, known=KNOWN
        ),
    ),
    (
        "change a tracker item's state",
        Role.EDITOR,
        lambda e, url, item, actor: change_state(e, item.id, item.version, "due", actor=actor, now=NOW, today=TODAY),
    ),
    (
        "record a tracker review",
        Role.EDITOR,
        lambda e, url, item, actor: record_review(
            e,
            item.id,
            reviewer=actor,
            outcome="start_work",
            what_changed="",
            next_revisit_on=None,
            now=NOW,
            today=TODAY,
        ),
    ),
    (
        "mark a tracker item due",
        Role.EDITOR,
        lambda e, url, item, actor: mark_due(
            e, {item.id: (item.version, [DueReason(DUE_BY_HAND, "test", at=NOW, source="test")])}, actor=actor, now=NOW
        ),
    ),
    (
        "import tracker items",
        Role.ADMIN,
        lambda e, url, item, actor: import_items(e, CSV_ITEM, "csv", known=KNOWN, actor=actor, now=NOW),
    ),
    ("seed the demo tracker items", Role.ADMIN, lambda e, url, item, actor: _seed(e, actor)),
    (
        "record an incident",
        Role.EDITOR,
        lambda e, url, item, actor: save_incidents(
            e, [Incident("INC-1", "checkout", "SEV2", NOW)], actor=actor, recorded_at=NOW
        ),
    ),
    (
        "import incidents",
        Role.ADMIN,
        lambda e, url, item, actor: save_incidents(
            e, [Incident("INC-2", "checkout", "SEV2", NOW)], actor=actor, recorded_at=NOW, imported=True
        ),
    ),
    (
        "add a DBA record",
        Role.EDITOR,
        lambda e, url, item, actor: add_record(
            url, actor=actor, database="orders-db", kind="backup_verified", done_on=TODAY, recorded_by="kim", now=NOW
        ),
    ),
    (
        "save weekly notes",
        Role.EDITOR,
        lambda e, url, item, actor: save_note(e, "2026-W47", "notes", actor=actor, base_version=0, now=NOW),
    ),
    (
        "store daily rollups",
        Role.ADMIN,
        lambda e, url, item, actor: save_daily_rollups(e, [_rollup_row()], actor=actor),
    ),
    (
        "collect daily rollups",
        Role.ADMIN,
        lambda e, url, item, actor: collect_daily_rollups(
            demo_source(NOW, "UTC", days=2),
            CATALOG.slos[:1],
            e,
            time_zone="UTC",
            now=NOW,
            actor=actor,
            first=TODAY - timedelta(days=1),
            last=TODAY - timedelta(days=1),
        ),
    ),
    (
        "store SLO snapshots",
        Role.ADMIN,
        lambda e, url, item, actor: save_snapshots(
            e,
            [
                {
                    "taken_at": NOW,
                    "slo": "checkout-availability",
                    "service": "checkout",
                    "target": 0.999,
                    "period": "30d",
                    "sli": 0.9995,
                    "budget_remaining": 0.5,
                    "burn_rates": {},
                    "alert_state": "ok",
                    "source": "test",
                }
            ],
            actor=actor,
        ),
    ),
    (
        "store database health snapshots",
        Role.ADMIN,
        lambda e, url, item, actor: save_health_snapshots(url, [_health()], NOW, actor=actor),
    ),
]


def _seed(engine, actor: Actor):
    """The demo seed fills only an empty tracker: for a role that may seed, remove the fixture's item first."""
    if actor.can(Role.ADMIN):
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM tracker_items"))
    return seed_demo_items(engine, actor=actor, now=NOW, team_timezone="UTC")


def row_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(sa.text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()
            for table in sa.inspect(connection).get_table_names()
            if table != "alembic_version"
        }


def roles_below(role: Role) -> list[Role]:
    return [lower for lower in Role if lower < role]


REFUSALS = [
    pytest.param(path, needed, write, lower, id=f"{lower.label} may not {path}")
    for path, needed, write in WRITES
    for lower in roles_below(needed)
]
ALLOWED = [pytest.param(path, needed, write, id=f"{needed.label} may {path}") for path, needed, write in WRITES]


@pytest.mark.parametrize(("path", "needed", "write", "role"), REFUSALS)
def test_a_role_below_the_path_is_refused_and_nothing_is_stored(
    engine, store_url, parked_item, path, needed, write, role
):
    before = row_counts(engine)
    with pytest.raises(PermissionDenied, match=f"may not .*only {'admins' if needed is Role.ADMIN else 'editors'}"):
        write(engine, store_url, parked_item, Actor(f"someone-{role.label}", role))
    assert row_counts(engine) == before


@pytest.mark.parametrize(("path", "needed", "write"), ALLOWED)
def test_the_least_role_of_a_path_may_take_it_and_the_audit_trail_says_so(
    engine, store_url, parked_item, path, needed, write
):
    before = len(audit_entries(engine))
    write(engine, store_url, parked_item, Actor("kim@example.com", needed, "oidc"))
    mine = [entry for entry in audit_entries(engine) if entry["actor"] == "kim@example.com"]
    assert len(audit_entries(engine)) > before and mine
    assert {(entry["role"], entry["via"]) for entry in mine} == {(needed.label, "oidc")}


def test_a_refused_write_leaves_the_item_as_it_was(engine, parked_item):
    with pytest.raises(PermissionDenied):
        update_item(
            engine,
            parked_item.id,
            parked_item.version,
            {"title": "Vandalised"},
            actor=Actor("vic", Role.VIEWER),
            now=NOW,
            today=TODAY,
            known=KNOWN,
        )
    [item] = list_items(engine)
    assert (item.title, item.version) == ("Failover takes 40 min", parked_item.version)
