"""A policy's revisit date as a revisit-tracker item (a throwaway SQLite store): created parked until the revisit
date and named after the policy, moved when the date changes, parked again when it had come due, and a policy
linked to its own service's item."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from data.settings import Settings
from data.slo_policy import service
from data.store import engine_for, migrate
from data.tracker.store import change_state, get_item
from tests.support.actors import editor

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
SERVICES = ["checkout", "search"]


@pytest.fixture
def settings(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(url)
    return Settings(
        prometheus=None,
        database_url=url,
        catalog_path=Path(__file__).resolve().parents[4] / "config" / "slos",
        team_timezone="UTC",
        now_override=NOW,
    )


def save(settings, scope: str = "*", base_version: int = 0, revisit_on: date = date(2027, 5, 1)):
    return service.set_policy(
        settings,
        SERVICES,
        actor=editor("Dana"),
        scope=scope,
        actions="Halt changes but P0 and security fixes",
        approver="Lee",
        approved_on=date(2026, 11, 1),
        revisit_on=revisit_on,
        at_risk_spent=0.75,
        freeze_spent=1.0,
        postmortem_share=0.2,
        base_version=base_version,
    )


def item(settings, item_id: int):
    engine = engine_for(settings.database_url)
    try:
        return get_item(engine, item_id)
    finally:
        engine.dispose()


def test_a_new_policy_parks_an_item_until_its_revisit_date_named_after_it(settings):
    saved = save(settings)

    parked = item(settings, saved.tracker_item_id)
    assert (parked.title, parked.state, parked.revisit_on, parked.owner, parked.decided_on) == (
        "Error-budget policy: all services",
        "parked",
        date(2027, 5, 1),
        "Lee",
        date(2026, 11, 1),
    )
    assert (parked.external_reference, parked.services) == ("error-budget-policy:*", [])


def test_a_services_policy_item_links_the_service(settings):
    saved = save(settings, scope="checkout")

    assert item(settings, saved.tracker_item_id).services == ["checkout"]


def test_a_policy_whose_item_came_due_is_parked_again_until_the_new_date(settings):
    first = save(settings)
    engine = engine_for(settings.database_url)
    try:
        current = get_item(engine, first.tracker_item_id)
        change_state(engine, current.id, current.version, "due", actor=editor("Kim"), now=NOW, today=NOW.date())
    finally:
        engine.dispose()

    second = save(settings, base_version=first.version, revisit_on=date(2027, 11, 1))

    again = item(settings, second.tracker_item_id)
    assert (second.tracker_item_id, again.state, again.revisit_on) == (
        first.tracker_item_id,
        "parked",
        date(2027, 11, 1),
    )


def test_saving_the_same_policy_twice_stores_one_version(settings):
    first = save(settings)

    repeated = save(settings, base_version=0)  # the second click of the same form, still on version 0

    assert (repeated.version, repeated.tracker_item_id) == (first.version, first.tracker_item_id)


def test_a_policy_save_keeps_what_someone_changed_on_the_item(settings):
    from data.tracker.store import update_item

    first = save(settings)
    engine = engine_for(settings.database_url)
    try:
        current = get_item(engine, first.tracker_item_id)
        update_item(
            engine,
            current.id,
            current.version,
            {"owner": "Kim", "impact": "high"},
            actor=editor("Kim"),
            now=NOW,
            today=NOW.date(),
            known=service_names(),
        )
    finally:
        engine.dispose()

    save(settings, base_version=first.version, revisit_on=date(2027, 8, 1))

    kept = item(settings, first.tracker_item_id)
    assert (kept.owner, kept.impact, kept.revisit_on) == ("Kim", "high", date(2027, 8, 1))


def service_names():
    from metrics.tracker.rules import KnownNames

    return KnownNames(services=SERVICES)
