"""The weekly review's capacity forecast: each database's forecast as at the week's end, from the snapshots stored
before it, in the page's sections and the documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy
import pytest

from data.databases.store import save_health_snapshots
from data.settings import Settings
from data.slo.catalog import load_catalog
from data.store import engine_for, migrate
from data.weekly.export import SectionKind, section_caption, sections, to_markdown
from data.weekly.service import load_weekly_review
from metrics.databases.checks import ProbeData, build_health, check_up
from tests.support.actors import admin
from tests.unit.data.weekly.test_service import CATALOG, DEMO_NOW

GB = 10**9
WEEK_END = datetime(2026, 11, 23, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)  # the end of 2026-W47
BEFORE_END = [(21, 300 * GB), (14, 320 * GB), (7, 335 * GB), (1, 352 * GB)]  # (days before the week's end, size)


def snapshot(size: int, at: datetime):
    probe = ProbeData(engine="postgresql", version="PostgreSQL 16.4", database_size_bytes=size)
    return build_health("orders", "postgresql", [check_up(probe)], at, probe=probe)


@pytest.fixture
def store(tmp_path):
    config = tmp_path / "databases.toml"
    config.write_text(
        '[[database]]\nname = "orders"\nengine = "postgresql"\ndisk_size = "400 GB"\n'
        '[[database]]\nname = "never-collected"\nengine = "postgresql"\n'
    )
    settings = Settings(
        prometheus=None,
        database_url=f"sqlite:///{tmp_path / 'store.db'}",
        catalog_path=CATALOG,
        team_timezone="Europe/Berlin",
        now_override=DEMO_NOW,
        databases_path=config,
    )
    migrate(settings.database_url)
    for days, size in BEFORE_END:
        at = WEEK_END - timedelta(days=days)
        save_health_snapshots(settings.database_url, [snapshot(size, at)], at, actor=admin())
    after = WEEK_END + timedelta(hours=20)  # this week's: not part of last week's forecast
    save_health_snapshots(settings.database_url, [snapshot(399 * GB, after)], after, actor=admin())
    engine = engine_for(settings.database_url)
    yield settings, engine
    engine.dispose()


def test_the_forecast_line_is_an_independent_fit_of_the_snapshots_before_the_weeks_end(store):
    settings, engine = store
    weekly = load_weekly_review(settings, load_catalog(CATALOG).slos, engine, "2026-W47")
    [line] = weekly.database_forecasts  # a database with no snapshot has no line
    slope, intercept = numpy.polyfit([-d for d, _ in BEFORE_END], [s for _, s in BEFORE_END], 1)
    days = (400 * GB - intercept) / slope  # about 12.5 days: warn (30), not critical (7)
    assert line.database == "orders" and line.status == "warn"
    assert line.days_left == pytest.approx(days, abs=1e-6)
    whole, hours = int(days), int((days - int(days)) * 24)
    assert line.runs_out == f"{whole} d {hours} h (disk)"

    [section] = [s for s in sections(weekly) if s.kind is SectionKind.DATABASE_FORECAST]
    assert section.rows[0][:3] == ["orders", "warn", line.runs_out]
    assert section_caption(weekly, section) == (
        "Least-squares line over the snapshots of the 28 days before the week's end."
    )
    markdown = to_markdown(weekly)
    assert "Capacity forecast at the week's end" in markdown and line.runs_out in markdown
