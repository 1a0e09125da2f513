"""Long windows summed from stored daily rollups plus their edges, on real Prometheus and VictoriaMetrics, against
the direct read and against events counted here from the samples this test writes.

The samples: one request counter and its bad part, a sample every minute from 20 Oct to 1 Nov 2026 UTC, in the
team zone Europe/Berlin. The history holds the 25-hour day of 25 Oct, a counter reset on 26 Oct and a local day (28
Oct) without a single sample between its two midnights, the service down and its counters flat.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from data.slo.catalog import load_catalog
from data.slo.long_windows import StoredDays
from data.slo.prometheus import PrometheusSettings, PrometheusSource
from data.slo.service import load_report
from data.store import engine_for, migrate
from data.trends.rollups import collect_daily_rollups
from metrics.slo.definitions import BudgetingMethod, RatioIndicator, SloDefinition, TimeWindow, parse_duration
from metrics.slo.report import PERIOD_KEY
from tests.integration.conftest import HISTORY_END
from tests.support.actors import admin
from tests.support.servers import make_backfilled_prometheus, make_backfilled_victoriametrics

pytestmark = pytest.mark.integration

BERLIN = "Europe/Berlin"
START = datetime(2026, 10, 20, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)
MINUTES = int((END - START).total_seconds() // 60)
AT = datetime(2026, 10, 31, 20, 17, tzinfo=UTC)  # on the minute, inside Berlin's 31 Oct
RESET = datetime(2026, 10, 26, 12, 34, tzinfo=UTC)  # the counters restart from zero at this sample
GAP = (datetime(2026, 10, 27, 23, 0, tzinfo=UTC), datetime(2026, 10, 28, 23, 0, tzinfo=UTC))  # Berlin's 28 Oct


def moment(minute: int) -> datetime:
    return START + timedelta(minutes=minute)


def in_gap(minute: int) -> bool:
    return GAP[0] < moment(minute) < GAP[1]


def requests_in(minute: int) -> int:
    """The requests of the minute ending at sample ``minute`` (none while the service is down)."""
    return 0 if in_gap(minute) or moment(minute) == GAP[1] else 5 + minute % 11


def bad_in(minute: int) -> int:
    if not requests_in(minute):
        return 0
    return (1 if minute % 17 == 0 else 0) + (3 if minute % 97 == 0 else 0)


def write_history(path: Path) -> None:
    lines = ["# TYPE requests counter"]
    series: dict[str, list[str]] = {"all": [], "bad": []}
    total = bad = 0
    for minute in range(MINUTES + 1):
        if minute and moment(minute) == RESET:
            total = bad = 0
        if minute:
            total += requests_in(minute)
            bad += bad_in(minute)
        if in_gap(minute):
            continue
        stamp = int(moment(minute).timestamp())
        series["all"].append(f'requests_total{{outcome="all"}} {total} {stamp}')
        series["bad"].append(f'requests_total{{outcome="bad"}} {bad} {stamp}')
    path.write_text("\n".join(lines + series["all"] + series["bad"]) + "\n# EOF\n")


def events_between(start: datetime, end: datetime) -> tuple[int, int]:
    """Requests and bad requests of the minutes whose samples fall in (start, end], counted from the pattern."""
    minutes = [m for m in range(1, MINUTES + 1) if start < moment(m) <= end]
    return sum(requests_in(m) for m in minutes), sum(bad_in(m) for m in minutes)


INDICATOR = RatioIndicator(total_query='requests_total{outcome="all"}', bad_query='requests_total{outcome="bad"}')


def slo(name: str, window: TimeWindow) -> SloDefinition:
    return SloDefinition(
        name=name,
        service="queue",
        target=0.99,
        time_window=window,
        indicator=INDICATOR,
        budgeting_method=BudgetingMethod.OCCURRENCES,
    )


ROLLING = slo("rolling-week", TimeWindow("7d"))
CALENDAR = slo(
    "calendar-week",
    TimeWindow("1w", is_rolling=False, calendar_start=datetime(2026, 10, 5, tzinfo=ZoneInfo(BERLIN)), time_zone=BERLIN),
)
SLOS = [ROLLING, CALENDAR]
KEY = "long-windows-" + hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


@pytest.fixture(scope="module", params=["prometheus", "victoriametrics"])
def engine_server(request):
    start = make_backfilled_prometheus if request.param == "prometheus" else make_backfilled_victoriametrics
    with start(write_history, KEY) as server:
        yield server


def collected_store(tmp_path_factory, server, slos, first: date) -> StoredDays:
    url = f"sqlite:///{tmp_path_factory.mktemp('long-windows') / 'store.db'}"
    migrate(url)
    engine = engine_for(url)
    source = PrometheusSource(PrometheusSettings(url=server.url))
    now = END + timedelta(hours=2)
    collect_daily_rollups(source, slos, engine, time_zone=BERLIN, now=now, actor=admin(), first=first, last=END.date())
    return StoredDays(engine, BERLIN)


@pytest.fixture(scope="module")
def stored(engine_server, tmp_path_factory):
    days = collected_store(tmp_path_factory, engine_server, SLOS, date(2026, 10, 21))
    yield days
    days.engine.dispose()


def source_of(server) -> PrometheusSource:
    return PrometheusSource(PrometheusSettings(url=server.url))


def test_a_rolling_week_from_stored_days_counts_the_samples_events(engine_server, stored):
    report = load_report(source_of(engine_server), SLOS, AT, stored_days=stored)
    counts = report.status(ROLLING.name).counts[PERIOD_KEY]
    total, bad = events_between(AT - timedelta(days=7), AT)
    assert PERIOD_KEY in report.long_windows.from_days[ROLLING.name]
    assert counts.total == pytest.approx(total, rel=1e-9)
    assert counts.bad == pytest.approx(bad, rel=1e-9)


def test_a_calendar_week_from_stored_days_counts_the_samples_events_since_monday(engine_server, stored):
    report = load_report(source_of(engine_server), SLOS, AT, stored_days=stored)
    monday = datetime(2026, 10, 26, tzinfo=ZoneInfo(BERLIN)).astimezone(UTC)
    total, bad = events_between(monday, AT)
    counts = report.status(CALENDAR.name).counts[PERIOD_KEY]
    assert counts.total == pytest.approx(total, rel=1e-9)
    assert counts.bad == pytest.approx(bad, rel=1e-9)


def test_figures_from_stored_days_equal_the_direct_read_over_dst_a_reset_and_a_silent_day(engine_server, stored):
    source = source_of(engine_server)
    direct = load_report(source, SLOS, AT)
    summed = load_report(source, SLOS, AT, stored_days=stored)
    assert set(summed.long_windows.from_days) == {ROLLING.name, CALENDAR.name}
    for expected in direct.statuses:
        got = summed.status(expected.slo.name)
        assert got.sli == pytest.approx(expected.sli, rel=1e-6)
        assert got.budget_remaining == pytest.approx(expected.budget_remaining, rel=1e-6)
        for window, rate in expected.burn_rates.items():
            assert got.burn_rates[window] == pytest.approx(rate, rel=1e-6), window


def test_no_query_reads_more_than_a_day_when_the_days_are_stored(engine_server, stored):
    with_days, without = source_of(engine_server), source_of(engine_server)
    load_report(with_days, SLOS, AT, stored_days=stored)
    load_report(without, SLOS, AT)
    assert with_days.query_count == without.query_count
    assert with_days.longest_range_seconds <= 86400 < without.longest_range_seconds


def test_a_window_with_a_day_not_stored_is_read_directly_and_named(engine_server, tmp_path_factory):
    late = collected_store(tmp_path_factory, engine_server, SLOS, date(2026, 10, 27))  # 25 and 26 Oct missing
    source = source_of(engine_server)
    report = load_report(source, SLOS, AT, stored_days=late)
    direct = load_report(source_of(engine_server), SLOS, AT)
    assert ROLLING.name in report.long_windows.direct
    assert date(2026, 10, 25) in report.long_windows.missing_days
    assert "2026-10-25" in report.long_windows.summary()
    assert report.status(ROLLING.name).sli == pytest.approx(direct.status(ROLLING.name).sli, rel=1e-12)
    late.engine.dispose()


# --- the demo catalog on the demo history (both engines' fixtures): every SLO, with the 25-hour day of 25 Oct ----

REPO = Path(__file__).resolve().parents[3]
CATALOG = load_catalog(REPO / "config" / "slos")
# The demo's older samples are 5 minutes apart: an instant on a 5-minute mark puts every window's start on a sample.
DEMO_AT = HISTORY_END - timedelta(hours=2, minutes=45)
OFF_GRID_AT = HISTORY_END - timedelta(hours=2, minutes=43)
SCRAPE = timedelta(minutes=5)


@pytest.fixture(scope="module")
def demo_stored(demo_prometheus, tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('demo-long-windows') / 'store.db'}"
    migrate(url)
    engine = engine_for(url)
    collect_daily_rollups(
        source_of(demo_prometheus),
        CATALOG.slos,
        engine,
        time_zone=BERLIN,
        now=HISTORY_END + timedelta(hours=1),
        actor=admin(),
        first=date(2026, 9, 27),
        last=date(2026, 10, 31),
    )
    yield StoredDays(engine, BERLIN)
    engine.dispose()


def test_every_demo_slo_from_stored_days_equals_the_direct_read(demo_prometheus, demo_stored):
    direct = load_report(source_of(demo_prometheus), CATALOG.slos, DEMO_AT)
    summed = load_report(source_of(demo_prometheus), CATALOG.slos, DEMO_AT, stored_days=demo_stored)
    assert summed.long_windows.windows_from_days >= len(CATALOG.slos)
    for expected in direct.statuses:
        got = summed.status(expected.slo.name)
        for window, counts in expected.counts.items():
            if counts is None:
                assert got.counts[window] is None, (expected.slo.name, window)
                continue
            assert got.counts[window].total == pytest.approx(counts.total, rel=1e-6), (expected.slo.name, window)
            assert got.counts[window].bad == pytest.approx(counts.bad, rel=1e-6, abs=1e-6), (expected.slo.name, window)


def test_off_the_sample_grid_stored_days_differ_from_the_direct_read_by_less_than_a_scrape_of_events(
    demo_prometheus, demo_stored
):
    """Where a window starts between two samples, the direct read and the edge read each extrapolate to that start
    from their own rate: they differ by less than one scrape interval's events at the window's rate."""
    direct = load_report(source_of(demo_prometheus), CATALOG.slos, OFF_GRID_AT)
    summed = load_report(source_of(demo_prometheus), CATALOG.slos, OFF_GRID_AT, stored_days=demo_stored)
    for expected in direct.statuses:
        got = summed.status(expected.slo.name)
        for window, counts in expected.counts.items():
            if counts is None:
                continue
            seconds = (OFF_GRID_AT - expected.period.start).total_seconds() if window == PERIOD_KEY else None
            seconds = seconds or parse_duration(window).total_seconds()
            one_scrape = counts.total / seconds * SCRAPE.total_seconds()
            assert abs(got.counts[window].total - counts.total) <= one_scrape, (expected.slo.name, window)


def run_report(prometheus_url: str, store_url: str, *extra: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PROMETHEUS_", "SLO_"))}
    environment |= {
        "PROMETHEUS_URL": prometheus_url,
        "DATABASE_URL": store_url,
        "TEAM_TIMEZONE": BERLIN,
        "RELIABILITY_NOW": DEMO_AT.isoformat(),
    }
    completed = subprocess.run(
        [sys.executable, "cli.py", "slo-report", "--format", "json", *extra],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_slo_report_says_which_windows_came_from_stored_days_and_direct_reads_them_whole(demo_prometheus, demo_stored):
    store_url = demo_stored.engine.url.render_as_string(hide_password=False)
    summed = run_report(demo_prometheus.url, store_url)
    whole = run_report(demo_prometheus.url, store_url, "--direct")
    assert set(summed["long_windows"]["from_days"]) == {slo.name for slo in CATALOG.slos}
    assert whole["long_windows"] is None
    for expected, got in zip(whole["slos"], summed["slos"], strict=True):
        assert got["slo"] == expected["slo"]
        if expected["sli"] is None:
            assert got["sli"] is None
        else:
            assert got["sli"] == pytest.approx(expected["sli"], rel=1e-6)


def test_days_stored_for_other_queries_are_not_summed_until_collected_again(engine_server, tmp_path_factory):
    from dataclasses import replace

    days = collected_store(tmp_path_factory, engine_server, [ROLLING], date(2026, 10, 21))
    changed = replace(ROLLING, indicator=replace(INDICATOR, total_query='requests_total{outcome="all",zone=""}'))
    before = load_report(source_of(engine_server), [changed], AT, stored_days=days)
    assert before.long_windows.direct == {changed.name: "6 day(s) not stored"}  # the week's whole days
    summary = collect_daily_rollups(
        source_of(engine_server),
        [changed],
        days.engine,
        time_zone=BERLIN,
        now=END + timedelta(hours=2),
        actor=admin(),
        first=date(2026, 10, 21),
        last=END.date(),
    )
    assert summary.already_collected == 0 and summary.rows_stored == 11
    after = load_report(source_of(engine_server), [changed], AT, stored_days=days)
    assert changed.name in after.long_windows.from_days
    days.engine.dispose()
