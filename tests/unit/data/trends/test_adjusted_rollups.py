"""Daily rollups with budget adjustments (demo mode, Europe/Berlin days): a day an adjustment touches loses exactly
the events inside it, read straight off the demo's samples; a maintenance across local midnight is split between
the two days; other days and SLOs keep their rows; the weekly figures follow."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from data.settings import Settings
from data.slo.catalog import load_catalog
from data.trends.rollups import demo_source
from data.trends.service import trend_rows
from metrics.slo.adjustments import Adjustment, AdjustmentCategory, Scope

CATALOG = Path(__file__).resolve().parents[4] / "config" / "slos"
SLOS = load_catalog(CATALOG).slos
NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
ZONE = "Europe/Berlin"  # UTC+1 in November: local midnight is 23:00 UTC
SETTINGS = Settings(
    prometheus=None, database_url="sqlite:///unused.db", catalog_path=CATALOG, team_timezone=ZONE, now_override=NOW
)
H = timedelta(hours=1)


@pytest.fixture(scope="module")
def history():
    return demo_source(NOW, ZONE).history


@pytest.fixture(scope="module")
def raw():
    return trend_rows(SETTINGS, SLOS, None, date(2026, 11, 1), date(2026, 11, 23), adjustments=[]).daily


def adjustment(start, end, slos=("search-availability",)):
    return Adjustment(AdjustmentCategory.MAINTENANCE, "planned", start, end, Scope(slos=slos), "kim", NOW, id=1)


def requests(history, service, start, end, bad=False):
    stamps = history.timestamps
    at_end = np.searchsorted(stamps, end.timestamp(), side="right") - 1
    at_start = np.searchsorted(stamps, start.timestamp(), side="right") - 1
    return sum(
        float(s.values[at_end] - s.values[at_start])
        for s in history.series
        if s.metric == "http_requests_total"
        and s.labels["service"] == service
        and (not bad or s.labels["code"].startswith("5"))
    )


def row(frame, slo, day):
    return frame[(frame["slo"] == slo) & (frame["day"] == day)].iloc[0]


def test_an_adjusted_day_loses_exactly_the_events_inside_the_adjustment(history, raw):
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    rows = trend_rows(
        SETTINGS, SLOS, None, date(2026, 11, 1), date(2026, 11, 23), adjustments=[adjustment(start, start + 2 * H)]
    )
    got, before = (
        row(rows.daily, "search-availability", date(2026, 11, 20)),
        row(raw, "search-availability", date(2026, 11, 20)),
    )
    assert before["total"] - got["total"] == pytest.approx(requests(history, "search", start, start + 2 * H))
    assert before["bad"] - got["bad"] == pytest.approx(requests(history, "search", start, start + 2 * H, bad=True))


def test_a_maintenance_across_local_midnight_is_split_between_the_two_days(history, raw):
    start = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)  # 23:00 to 01:00 in Berlin
    midnight = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)
    rows = trend_rows(
        SETTINGS, SLOS, None, date(2026, 11, 1), date(2026, 11, 23), adjustments=[adjustment(start, start + 2 * H)]
    )
    for day, (a, b) in ((date(2026, 11, 20), (start, midnight)), (date(2026, 11, 21), (midnight, start + 2 * H))):
        lost = row(raw, "search-availability", day)["total"] - row(rows.daily, "search-availability", day)["total"]
        assert lost == pytest.approx(requests(history, "search", a, b))


def test_days_and_slos_no_adjustment_touches_keep_their_rows(raw):
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    rows = trend_rows(
        SETTINGS, SLOS, None, date(2026, 11, 1), date(2026, 11, 23), adjustments=[adjustment(start, start + 2 * H)]
    )
    untouched = (rows.daily["slo"] != "search-availability") | (rows.daily["day"] != date(2026, 11, 20))
    assert rows.daily[untouched][["total", "bad"]].equals(raw[untouched][["total", "bad"]])


def test_a_source_that_cannot_answer_leaves_the_rows_raw_and_says_why(raw, monkeypatch):
    from data.slo.sources import SourceError
    from data.trends import service

    class Down:
        def interval_counts(self, slos, parts):
            raise SourceError("Prometheus is unreachable")

    monkeypatch.setattr(service, "rollup_source", lambda settings, slos=(): Down())
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    rows = service.adjusted_trend_rows(
        SETTINGS, SLOS, service.TrendRows(raw, service.RollupOrigin.STORE, None), [adjustment(start, start + 2 * H)]
    )
    assert rows.daily.equals(raw)
    assert rows.adjustments_note == "Budget adjustments are not applied: Prometheus is unreachable"


SLICE_CATALOG = Path(__file__).resolve().parents[4] / "config" / "slo-examples"
SLICE_SLOS = load_catalog(SLICE_CATALOG).slos


def test_an_adjusted_day_of_a_timeslices_slo_loses_the_slices_ending_inside_the_adjustment():
    """Two hours from 09:00 UTC: the 24 five-minute slices ending 09:05 .. 11:00 no longer count that day."""
    settings = Settings(
        prometheus=None,
        database_url="sqlite:///unused.db",
        catalog_path=SLICE_CATALOG,
        team_timezone=ZONE,
        now_override=NOW,
    )
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    day = date(2026, 11, 20)
    maintenance = adjustment(start, start + 2 * H, slos=("checkout-good-minutes",))
    raw_rows = trend_rows(settings, SLICE_SLOS, None, day, day, adjustments=[]).daily
    rows = trend_rows(settings, SLICE_SLOS, None, day, day, adjustments=[maintenance]).daily
    before, got = row(raw_rows, "checkout-good-minutes", day), row(rows, "checkout-good-minutes", day)
    assert (before["total"], got["total"]) == (288, 288 - 24)
    assert got["counted"] == "slices"
    assert row(rows, "search-average-slice", day)["total"] == 288
