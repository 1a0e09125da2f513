"""The audit listing on a throwaway SQLite store: what the Audit trail page and ``cli.py audit`` both read."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from data.audit.service import audit_listing, local_day_bounds
from data.incidents.store import save_incidents
from data.store import engine_for, migrate
from metrics.incidents.rules import Incident
from tests.support.actors import editor

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(url)
    engine = engine_for(url)
    save_incidents(
        engine,
        [Incident(f"INC-{n}", "checkout", "SEV3", T0) for n in range(3)],
        actor=editor("kim"),
        recorded_at=T0,
    )
    yield engine
    engine.dispose()


def test_each_entry_comes_with_its_row_in_the_team_time_zone(engine):
    listing = audit_listing(engine, "Europe/Berlin")
    assert {row["when"] for row in listing.rows} == {"2026-11-24 10:00:00"}


def test_a_listing_that_hits_its_limit_is_truncated(engine):
    assert audit_listing(engine, "UTC", limit=2).truncated


def test_a_listing_under_its_limit_is_complete(engine):
    assert not audit_listing(engine, "UTC", limit=10).truncated


def test_local_days_run_from_the_first_midnight_to_the_midnight_after_the_last():
    since, until = local_day_bounds(date(2026, 11, 23), date(2026, 11, 24), "Europe/Berlin")
    assert (since.astimezone(UTC), until.astimezone(UTC)) == (
        datetime(2026, 11, 22, 23, 0, tzinfo=UTC),
        datetime(2026, 11, 24, 23, 0, tzinfo=UTC),
    )


def test_open_ends_stay_open():
    assert local_day_bounds(None, None, "UTC") == (None, None)
