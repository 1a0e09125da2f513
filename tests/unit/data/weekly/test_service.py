"""The weekly review service: the document the page's downloads and ``cli.py weekly-report`` both export."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from data.incidents.store import save_incidents
from data.settings import Settings
from data.slo.catalog import load_catalog
from data.store import engine_for, migrate
from data.weekly.export import to_html, to_markdown
from data.weekly.service import DocumentFormat, export_document, load_weekly_review
from metrics.incidents.rules import Incident
from tests.support.actors import editor
from tests.unit.metrics.weekly.test_review import MIXED, review

CATALOG = Path(__file__).resolve().parents[4] / "config" / "slos"


@pytest.fixture(scope="module")
def weekly():
    return review(MIXED)


def test_markdown_is_the_markdown_export(weekly):
    assert export_document(weekly, DocumentFormat.MARKDOWN) == to_markdown(weekly)


def test_html_named_as_text_is_the_html_export(weekly):
    def without_chart_ids(document: str) -> str:  # Plotly names each chart's element by a fresh UUID
        return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID", document)

    assert without_chart_ids(export_document(weekly, "html")) == without_chart_ids(to_html(weekly))


def test_an_unknown_format_is_refused(weekly):
    with pytest.raises(ValueError):
        export_document(weekly, "pdf")


def test_a_week_not_started_is_refused(tmp_path):
    from datetime import UTC, datetime

    settings = Settings(
        prometheus=None,
        database_url=f"sqlite:///{tmp_path / 'store.db'}",
        catalog_path=CATALOG,
        team_timezone="Europe/Berlin",
        now_override=datetime(2026, 11, 24, 5, 0, tzinfo=UTC),
    )
    with pytest.raises(ValueError, match="has not started"):
        load_weekly_review(settings, [], None, "2026-W50")


# --- demo mode: the incidents section is not empty on a fresh install ----------------------------------------------

DEMO_NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # a Tuesday of 2026-W48


def demo_settings(tmp_path) -> Settings:
    return Settings(
        prometheus=None,
        database_url=f"sqlite:///{tmp_path / 'store.db'}",
        catalog_path=CATALOG,
        team_timezone="Europe/Berlin",
        now_override=DEMO_NOW,
    )


@pytest.fixture
def demo_store(tmp_path):
    settings = demo_settings(tmp_path)
    migrate(settings.database_url)
    engine = engine_for(settings.database_url)
    yield settings, engine
    engine.dispose()


def test_in_demo_mode_with_no_stored_incidents_the_review_shows_the_demo_outages_and_says_so(demo_store):
    settings, engine = demo_store
    weekly = load_weekly_review(settings, load_catalog(CATALOG).slos, engine, "2026-W48")
    # checkout (50 min before now) and payments (2 d 12 h before: Saturday 17:00, the week before) per the history
    assert [line.reference for line in weekly.incidents] == ["DEMO-checkout-1"]
    assert weekly.incidents_note.startswith("Demo incidents: the outages in the demo history")
    assert "Demo incidents" in to_markdown(weekly)


def test_one_stored_incident_replaces_the_demo_ones(demo_store):
    settings, engine = demo_store
    save_incidents(
        engine,
        [Incident("INC-1", "checkout", "SEV2", datetime(2026, 11, 23, 9, 0, tzinfo=UTC), summary="card errors")],
        actor=editor(),
        recorded_at=DEMO_NOW,
    )
    weekly = load_weekly_review(settings, load_catalog(CATALOG).slos, engine, "2026-W48")
    assert [line.reference for line in weekly.incidents] == ["INC-1"]
    assert weekly.incidents_note == ""


# --- demo mode: the database fleet is not empty on a fresh install -------------------------------------------------

# The demo fleet's design (data/databases/demo.py): a session 372 s behind a lock on orders-primary (critical past
# 300 s), 12 s of replica lag (warn past 5 s), 60 % dead rows on analytics-staging (warn past 20 %), catalog all ok.
DEMO_FLEET = {
    "analytics-staging": "warn",
    "catalog": "ok",
    "orders-primary": "critical",
    "orders-replica": "warn",
}


def test_in_demo_mode_with_no_stored_snapshot_the_review_shows_the_demo_fleet_and_says_so(demo_store):
    settings, engine = demo_store
    weekly = load_weekly_review(settings, load_catalog(CATALOG).slos, engine, "2026-W48")
    assert {d.database: d.status for d in weekly.databases} == DEMO_FLEET
    assert {d.taken_at for d in weekly.databases} == {DEMO_NOW}  # the current week is read at now
    assert weekly.database_changes == ()  # the design is the same at the week before's end
    assert weekly.databases_note.startswith("Demo database fleet")
    assert "Demo database fleet" in to_markdown(weekly)


def test_one_stored_snapshot_replaces_the_demo_fleet(demo_store):
    from data.databases.store import save_health_snapshots
    from metrics.databases.checks import OK, CheckResult, ProbeData, build_health
    from tests.support.actors import admin

    settings, engine = demo_store
    probe = ProbeData(engine="postgresql", version="PostgreSQL 16")
    answered = build_health(
        "orders-primary", "postgresql", [CheckResult("up", OK, None, "answers")], DEMO_NOW, probe=probe
    )
    save_health_snapshots(settings.database_url, [answered], datetime(2026, 11, 23, 9, 0, tzinfo=UTC), actor=admin())
    weekly = load_weekly_review(settings, load_catalog(CATALOG).slos, engine, "2026-W48")
    assert [(d.database, d.status) for d in weekly.databases] == [("orders-primary", "ok")]
    assert weekly.databases_note == ""


def test_outside_demo_mode_no_stored_snapshot_leaves_the_fleet_empty_and_the_export_says_so(demo_store):
    from dataclasses import replace

    from data.settings import PrometheusSettings
    from data.weekly.export import sections
    from data.weekly.service import _database_statuses

    settings, engine = demo_store
    watching = replace(settings, prometheus=PrometheusSettings(url="http://127.0.0.1:9"))
    assert _database_statuses(watching, engine, DEMO_NOW, DEMO_NOW) == (None, [], None)
    weekly = load_weekly_review(settings, load_catalog(CATALOG).slos, engine, "2026-W48")
    assert next(s for s in sections(weekly) if s.heading.startswith("Database fleet")).rows  # the demo's
    empty = next(s for s in sections(replace(weekly, databases=None)) if s.heading.startswith("Database fleet"))
    assert empty.empty.startswith("No database-health snapshots stored")


def test_in_demo_mode_with_no_stored_size_the_forecast_is_the_demo_fleets_and_says_so(demo_store):
    settings, engine = demo_store
    weekly = load_weekly_review(settings, load_catalog(CATALOG).slos, engine, "2026-W48")
    lines = {line.database: line for line in weekly.database_forecasts}
    assert sorted(lines) == sorted(DEMO_FLEET)
    # the archive tablespace: (250 GB − 140 GB) / 0.9 GB a day = 122.22 days, first to run out on orders-primary
    # (before orders_id_seq's (2^31-1 - 0.82 × (2^31-1)) / 1,900,000 a day = 203.45 days)
    assert lines["orders-primary"].days_left == pytest.approx((250 - 140) / 0.9, abs=0.01)
    assert lines["orders-primary"].runs_out.endswith("(tablespace archive)")
    assert "tablespace archive: runs out in 122 d 5 h" in lines["orders-primary"].outlook
    assert lines["orders-primary"].status == "ok"  # past its 45 days
    assert weekly.database_forecasts_note.startswith("Demo capacity forecast")


# --- demo mode: the tracker section is not empty on a fresh install ------------------------------------------------

# The demo items' design (data/tracker/demo.py): item 1 (the vendor failover) is parked until 3 days before today,
# so a daily revisit check marks it due on that day: 2026-11-21, in 2026-W47.


def test_in_demo_mode_with_no_stored_item_the_review_shows_the_demo_items_events_and_says_so(demo_store):
    settings, engine = demo_store
    weekly = load_weekly_review(settings, load_catalog(CATALOG).slos, engine, "2026-W47")
    came_due = [(e.item_id, e.kind, e.at.date().isoformat()) for e in weekly.tracker_events if e.kind == "came due"]
    assert (1, "came due", "2026-11-21") in came_due
    assert weekly.tracker_note.startswith("Demo tracker items")
    assert "Demo tracker items" in to_markdown(weekly)


def test_one_stored_item_replaces_the_demo_items_events(demo_store):
    from data.tracker.store import create_item
    from metrics.tracker.rules import KnownNames

    settings, engine = demo_store
    create_item(engine, {"title": "A real problem", "owner_role": "DBA"}, actor=editor(), now=DEMO_NOW,
                today=DEMO_NOW.date(), known=KnownNames())  # fmt: skip
    weekly = load_weekly_review(settings, load_catalog(CATALOG).slos, engine, "2026-W47")
    assert (weekly.tracker_events, weekly.tracker_note) == ((), "")


def test_the_weekly_reviews_budget_readings_take_out_the_stored_budget_adjustments(tmp_path):
    from datetime import timedelta

    from data.slo.service import load_report
    from data.slo_adjustments.service import add_adjustment, scope_of
    from data.trends.service import rollup_source
    from data.weekly.review import slo_readings

    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(url)
    settings = Settings(
        prometheus=None,
        database_url=url,
        catalog_path=CATALOG,
        team_timezone="UTC",
        now_override=datetime(2026, 11, 24, 5, 0, tzinfo=UTC),
    )
    slos = load_catalog(CATALOG).slos
    at = settings.now()
    raw = {r.slo: r.budget_remaining for r in slo_readings(settings, slos, at)[0]}
    midnight = datetime(2026, 11, 24, tzinfo=UTC)  # where the rollups' demo history ends
    add_adjustment(
        settings,
        slos,
        actor=editor("Dana"),
        category="maintenance",
        reason="planned",
        start=midnight - timedelta(hours=2),
        end=midnight,
        scope=scope_of(["checkout-availability"]),
    )
    adjusted = {r.slo: r.budget_remaining for r in slo_readings(settings, slos, at)[0]}
    assert adjusted["checkout-availability"] > raw["checkout-availability"]  # its incident was in those hours
    assert adjusted["payments-availability"] == raw["payments-availability"]
    plain = load_report(rollup_source(settings), slos, at)
    assert raw["checkout-availability"] == plain.status("checkout-availability").budget_remaining
