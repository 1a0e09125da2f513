"""Sources failing during a browser session, in real Chromium against the app as `make run` serves it.

A real Prometheus (backfilled with the demo history) and a real PostgreSQL are stopped and restarted while the
pages are open; a deliberately slow TCP proxy sits in front of Prometheus for the timeout case. What is checked:
each affected panel says what failed and shows its last good data marked stale with the time it was read (or "no
data yet"), the other pages keep working, fresh data returns after the restart, no page hangs past the timeout, and
with the store down a write is refused plainly while the form keeps what was typed.

Screenshots: test-artifacts/screenshots/source-failure-slo-stale.png, source-failure-slo-timeout.png,
source-failure-db-stale.png, source-failure-db-drilldown-stale.png, source-failure-store-down.png.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest

from data.slo import demo
from tests.conftest import HISTORY_END, _write_demo_history
from tests.support.browser import fill_name, open_app, painted, rerun
from tests.support.servers import (
    PostgresServer,
    PrometheusServer,
    make_backfilled_prometheus,
    postgres_available,
    require,
    screenshot,
    start_postgres,
    start_slow_proxy,
)

pytestmark = pytest.mark.e2e
TIME_ZONE = "Europe/Berlin"
AT = "2026-11-01T00:00:00Z"  # the backfilled history ends here; ?at= evaluates every figure then
BOUNDED_MS = 30_000  # generous: the page must finish well within this with a 2 s Prometheus timeout


@pytest.fixture(scope="module")
def prometheus() -> Iterator[PrometheusServer]:
    """A Prometheus of this module's own (the tests stop it), on a copy of the cached demo TSDB."""
    with make_backfilled_prometheus(_write_demo_history, f"demo-{demo.cache_key(HISTORY_END)}") as server:
        yield server


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL of this module's own (the tests stop it): a monitored database, and a store."""
    require("postgresql", postgres_available(), "PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)")
    with start_postgres() as server:
        yield server


def grid_cell(page, text: str):
    """A cell of an st.dataframe, through the grid's hidden accessibility table."""
    return page.locator("[data-testid=stDataFrame] td", has_text=text).first


def local_minutes(before: datetime, after: datetime) -> set[str]:
    """Every "HH:MM" the team's clock showed between two instants: when the last good data was read."""
    zone, minute, shown = ZoneInfo(TIME_ZONE), before.replace(second=0, microsecond=0), set()
    while minute <= after:
        shown.add(minute.astimezone(zone).strftime("%H:%M"))
        minute += timedelta(minutes=1)
    return shown


def no_traceback(page) -> None:
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_text("Traceback").count() == 0


def test_slo_burn_shows_last_good_data_marked_stale_while_prometheus_is_down(app_factory, prometheus, page):
    app = app_factory(
        {
            "PROMETHEUS_URL": prometheus.url,
            "PROMETHEUS_NAME": "Prometheus prod",
            "PROMETHEUS_CACHE_TTL_SECONDS": "1",
            "PROMETHEUS_TIMEOUT_SECONDS": "5",
            "TEAM_TIMEZONE": TIME_ZONE,
        }
    )
    overview, drilldown = f"{app.url}/?at={AT}", f"{app.url}/?slo=payments-availability&at={AT}"
    page.set_viewport_size({"width": 1400, "height": 1100})
    before = datetime.now(UTC)
    open_app(page, overview)
    grid_cell(page, "checkout-availability").wait_for(state="attached")
    assert page.get_by_text("No fresh SLO data").count() == 0
    open_app(page, drilldown)  # its history gets a last good copy too
    page.get_by_test_id("stPlotlyChart").nth(3).wait_for()
    after = datetime.now(UTC)

    prometheus.stop()
    try:
        open_app(page, overview)
        warning = page.get_by_test_id("stAlert").filter(has_text="No fresh SLO data from Prometheus prod")
        warning.wait_for()
        text = warning.inner_text()
        assert "is unreachable" in text and "marked stale" in text
        assert any(f"Showing data from {minute} (" in text for minute in local_minutes(before, after)), text
        # The last good table and headline are still there, marked stale.
        grid_cell(page, "checkout-availability").wait_for(state="attached")
        assert "1" in page.get_by_test_id("stMetric").filter(has_text="SLOs paging").inner_text()
        assert page.get_by_text("▲ Stale: read at").count() == 1
        no_traceback(page)
        painted(page)
        screenshot(page, "source-failure-slo-stale")

        open_app(page, drilldown)
        page.get_by_text("No fresh history of payments-availability").wait_for()
        page.get_by_test_id("stPlotlyChart").nth(3).wait_for()  # the last good charts
        no_traceback(page)

        # Pages that do not need Prometheus keep working.
        open_app(page, f"{app.url}/database-health")
        page.get_by_text("Database health", exact=True).first.wait_for()
        no_traceback(page)
        open_app(page, f"{app.url}/revisit-tracker")
        page.get_by_text("Revisit tracker", exact=True).first.wait_for()
        no_traceback(page)
    finally:
        prometheus.start()

    open_app(page, overview)
    grid_cell(page, "checkout-availability").wait_for(state="attached")
    assert page.get_by_text("No fresh SLO data").count() == 0
    assert page.get_by_text("marked stale").count() == 0
    open_app(page, drilldown)
    page.get_by_test_id("stPlotlyChart").nth(3).wait_for()
    assert page.get_by_text("No fresh history").count() == 0


def test_a_slow_prometheus_gives_a_timeout_message_in_bounded_time(app_factory, prometheus, page):
    with start_slow_proxy(prometheus.port, delay_s=120) as proxy:
        app = app_factory(
            {
                "PROMETHEUS_URL": proxy.url,
                "PROMETHEUS_NAME": "Prometheus slow",
                "PROMETHEUS_TIMEOUT_SECONDS": "2",
                "TEAM_TIMEZONE": TIME_ZONE,
            }
        )
        page.set_viewport_size({"width": 1400, "height": 1100})
        open_app(page, f"{app.url}/?at={AT}", timeout=BOUNDED_MS)
        error = page.get_by_test_id("stAlert").filter(has_text="No SLO data from Prometheus slow")
        error.wait_for(timeout=BOUNDED_MS)
        text = error.inner_text()
        assert "no data yet" in text and "did not answer within 2 s" in text
        grid_cell(page, "checkout-availability").wait_for(state="attached", timeout=BOUNDED_MS)
        no_traceback(page)
        painted(page)
        screenshot(page, "source-failure-slo-timeout")

        # The drill-down does not ask again for what just timed out: it too finishes in bounded time.
        open_app(page, f"{app.url}/?slo=checkout-availability&at={AT}", timeout=BOUNDED_MS)
        page.get_by_text("No history of checkout-availability").wait_for(timeout=BOUNDED_MS)
        no_traceback(page)


def test_database_health_shows_the_last_good_probe_while_postgresql_is_down(app_factory, postgres, page, tmp_path):
    orders = postgres.create_database(f"orders_{uuid.uuid4().hex[:8]}")
    config = tmp_path / "databases.toml"
    config.write_text(
        "[probe]\ndeadline_seconds = 5\n"
        '[[database]]\nname = "orders"\nengine = "postgresql"\nenvironment = "production"\n'
    )
    app = app_factory({"DATABASES_CONFIG": str(config), "DB_DSN_ORDERS": orders, "TEAM_TIMEZONE": TIME_ZONE})
    page.set_viewport_size({"width": 2600, "height": 1000})  # wide enough for the table's note column
    open_app(page, f"{app.url}/database-health")
    grid_cell(page, "orders").wait_for(state="attached")
    page.get_by_text("live probes: 1 of 1 database(s) answered").first.wait_for()

    postgres.stop()
    try:
        with rerun(page):
            page.get_by_role("button", name="Refresh", exact=True).click()
        warning = page.get_by_test_id("stAlert").filter(has_text="did not answer now")
        warning.wait_for()
        assert "orders: showing data from" in warning.inner_text()
        note = grid_cell(page, "marked stale")  # the row's note: why it fails now, and how old its numbers are
        note.wait_for(state="attached")
        assert "cannot connect" in note.inner_text()
        assert grid_cell(page, "critical").inner_text().startswith("■ critical")
        no_traceback(page)
        painted(page)
        screenshot(page, "source-failure-db-stale")

        open_app(page, f"{app.url}/database-health?database=orders")
        page.get_by_text("No fresh numbers from orders").wait_for()
        page.get_by_text("Stale: from the last good probe at").wait_for()
        assert page.get_by_role("tab", name="Sessions").is_visible()  # the last good probe's tabs
        no_traceback(page)
        page.set_viewport_size({"width": 1400, "height": 1400})
        painted(page)
        screenshot(page, "source-failure-db-drilldown-stale")
    finally:
        postgres.start()

    open_app(page, f"{app.url}/database-health")
    with rerun(page):
        page.get_by_role("button", name="Refresh", exact=True).click()
    page.get_by_text("live probes: 1 of 1 database(s) answered").first.wait_for()
    assert page.get_by_text("did not answer now").count() == 0


def test_with_the_store_down_slo_burn_works_and_a_write_is_refused_keeping_the_form(app_factory, postgres, page):
    store = postgres.create_database(f"store_{uuid.uuid4().hex[:8]}")
    app = app_factory({"DATABASE_URL": store, "TEAM_TIMEZONE": TIME_ZONE})
    page.set_viewport_size({"width": 1400, "height": 1300})
    open_app(page, app.url)
    grid_cell(page, "checkout-availability").wait_for(state="attached")
    summary = "Checkout 502s after the 14:00 deploy; rolled back at 14:20"

    postgres.stop()
    try:
        # SLO burn's figures come from Prometheus (here the demo): they still show; what it reads from the store
        # (budget adjustments, the policy's freeze line) says so in a line, never as a red box over the figures
        open_app(page, app.url)
        grid_cell(page, "checkout-availability").wait_for(state="attached")
        assert page.get_by_text("store is unreachable").count() == 0
        no_traceback(page)

        open_app(page, f"{app.url}/incidents")
        page.get_by_text("The store is unreachable: the incident list cannot be shown").wait_for()
        fill_name(page, "Kim")  # local mode: every change carries a name
        page.get_by_label("Incident id", exact=True).fill("INC-2026-777")
        page.get_by_label("Summary", exact=True).fill(summary)
        with rerun(page):
            page.get_by_role("button", name="Save incident").click()
        refusal = page.get_by_test_id("stAlert").filter(
            has_text="The store is unreachable: your edit was not saved; it is still in the form"
        )
        refusal.wait_for()
        assert "Could not save incident INC-2026-777: the PostgreSQL store on 127.0.0.1" in refusal.inner_text()
        assert page.get_by_label("Incident id", exact=True).input_value() == "INC-2026-777"
        assert page.get_by_label("Summary", exact=True).input_value() == summary
        assert "postgresql+psycopg://" not in page.content()
        no_traceback(page)
        painted(page)
        screenshot(page, "source-failure-store-down")
    finally:
        postgres.start()

    page.get_by_role("button", name="Save incident").click()  # the same form, as it was kept
    page.get_by_text("Incident INC-2026-777 recorded.").wait_for()
    with psycopg.connect(store.replace("+psycopg", "")) as connection:
        stored = connection.execute("SELECT summary FROM incidents WHERE reference = 'INC-2026-777'").fetchall()
    assert stored == [(summary,)]
