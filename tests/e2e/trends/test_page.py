"""The trends page in real Chromium against the app as `make run` serves it (demo mode, Europe/Berlin, a fixed
clock). Screenshots land in test-artifacts/screenshots/ (trends-weekly.png, trends-checkout-monthly.png)."""

from __future__ import annotations

import pytest

from tests.support.browser import click_sidebar_page, fill_name, open_app, painted, rerun, settled
from tests.support.servers import screenshot

pytestmark = pytest.mark.e2e

ENV = {"TEAM_TIMEZONE": "Europe/Berlin", "RELIABILITY_NOW": "2026-11-24T14:05:00Z"}


@pytest.fixture(scope="module")
def trends_app(app_factory) -> str:
    return app_factory(ENV).url


def open_trends(page, url: str, query: str = "") -> None:
    """Through the sidebar, as a person would; a query string is then added as a shared link would carry it."""
    page.set_viewport_size({"width": 1400, "height": 4200})  # the page scrolls inside Streamlit's main block
    open_app(page, url)
    click_sidebar_page(page, "Reliability trends", "**/trends")
    if query:
        open_app(page, f"{url}/trends{query}")
    page.get_by_test_id("stPlotlyChart").nth(3).wait_for(timeout=90_000)
    page.locator(".js-plotly-plot .main-svg").nth(3).wait_for()
    painted(page)  # the grids and charts have drawn before the screenshot


def test_weekly_trends_of_the_fleet(trends_app, page):
    open_trends(page, trends_app)
    assert page.get_by_role("heading", name="Reliability trends").is_visible()
    assert page.get_by_test_id("stAlert").filter(has_text="Demo data").is_visible()
    assert page.get_by_text("What changed 2026-W46 → 2026-W47").is_visible()
    assert page.get_by_text("SLO compliance per service and week").is_visible()
    assert page.get_by_test_id("stMetric").count() == 3
    screenshot(page, "trends-weekly")


def test_a_shared_link_opens_one_service_by_month(trends_app, page):
    open_trends(page, trends_app, "?service=checkout&grain=month")
    assert page.get_by_text("SLO compliance per service and month").is_visible()
    assert page.get_by_text("checkout-latency · target 99%").is_visible()
    assert page.get_by_text("search-latency").count() == 0
    screenshot(page, "trends-checkout-monthly")


def test_the_csv_download_carries_every_slo_and_week(trends_app, page):
    open_trends(page, trends_app)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV (every SLO and period)").click()
    text = download.value.path().read_text(encoding="utf-8")
    header, *rows = text.strip().splitlines()
    assert header.startswith("period,period_start,slo,service,target,days,days_in_period,total,bad")
    assert any(row.startswith("2026-W46,2026-11-09,inventory-availability,") and "missed" in row for row in rows)


def test_an_incident_recorded_through_the_form_appears_in_the_list(trends_app, page):
    page.set_viewport_size({"width": 1400, "height": 1600})
    open_app(page, trends_app)
    click_sidebar_page(page, "Incidents", "**/incidents")
    fill_name(page, "Kim")  # local mode: every change carries a name
    page.get_by_label("Incident id", exact=True).fill("INC-E2E-1")
    page.get_by_label("Summary", exact=True).fill("Checkout card errors")
    with rerun(page):
        page.get_by_role("button", name="Save incident").click()
    page.get_by_text("Incident INC-E2E-1 recorded.").wait_for()
    page.locator("[data-testid=stDataFrame] td", has_text="INC-E2E-1").first.wait_for(state="attached")
    painted(page)
    screenshot(page, "incidents-form")


def test_the_alert_firing_history_shows_beside_the_incidents(trends_app, page):
    page.set_viewport_size({"width": 1400, "height": 2600})
    open_app(page, f"{trends_app}/incidents")
    page.get_by_role("heading", name="Alert firing history").wait_for()
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    page.locator("[data-testid=stDataFrame]").last.wait_for()
    settled(page)
    assert page.get_by_text("7 firings: 3 page, 4 ticket; 2 still firing.").is_visible()
    assert page.get_by_text("Incidents and SLO burn alerts per service").is_visible()
    painted(page)  # the chart and the grid have drawn before the screenshot
    screenshot(page, "incidents-alert-history")
