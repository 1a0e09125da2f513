"""The SLO burn page in real Chromium against the app as `make run` serves it (demo mode).

Screenshots land in test-artifacts/screenshots/ (slo-overview.png, slo-drilldown.png) for a person to look at.
"""

from __future__ import annotations

import pytest

from tests.support.browser import PAGE_NOT_FOUND, new_page, open_app, painted, rerun, settled
from tests.support.servers import screenshot

pytestmark = pytest.mark.e2e

# st.dataframe draws on a canvas; its hidden accessibility table tells which row holds a value, the geometry below
# turns that into a point to click: Streamlit's default row height, and the row-selection checkbox a drill-down
# table starts with (pages.common.widgets.drilldown_table).
ROW_HEIGHT = 35
ROW_MARKER_X = 15


def test_overview_then_drilldown_of_checkout_availability(app_server, page):
    page.set_viewport_size({"width": 1400, "height": 1100})  # the page scrolls inside Streamlit's main block
    open_app(page, app_server)
    grid = page.get_by_test_id("stDataFrame").first
    grid.wait_for()

    assert page.get_by_text("SLO burn", exact=True).first.is_visible()
    banner = page.get_by_test_id("stAlert").filter(has_text="Demo data")
    assert banner.is_visible()
    assert page.get_by_text("· demo data").first.is_visible()
    assert page.get_by_test_id("stMetric").count() == 5  # paging, ticketing, at risk, ok, no data
    link_cell = page.locator("[data-testid=stDataFrame] td", has_text="checkout-availability").first
    link_cell.wait_for(state="attached")
    for name in ("inventory-availability", "payments-availability", "reporting-availability"):
        assert page.locator("[data-testid=stDataFrame] td", has_text=name).count() == 1
    painted(page)
    screenshot(page, "slo-overview")

    # Open the drill-down by selecting the SLO's row (its checkbox, left of "state"): in place, in the same tab.
    row = int(link_cell.get_attribute("id").rsplit("-", 1)[1])
    box = grid.bounding_box()
    x, y = box["x"] + ROW_MARKER_X, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2
    page.mouse.move(x, y)
    with rerun(page):
        page.mouse.click(x, y)
        page.wait_for_url("**?slo=checkout-availability")
    assert len(page.context.pages) == 1
    drilldown = page
    drilldown.set_viewport_size({"width": 1400, "height": 2700})
    drilldown.get_by_text("Checkout availability · checkout").wait_for()
    charts = drilldown.get_by_test_id("stPlotlyChart")
    charts.nth(3).wait_for()
    assert charts.count() == 4
    drilldown.locator(".js-plotly-plot .main-svg").nth(3).wait_for()
    settled(drilldown)
    assert drilldown.get_by_text("Alert tiers", exact=True).is_visible()
    assert drilldown.get_by_text("All SLOs").is_visible()
    assert drilldown.get_by_test_id("stException").count() == 0
    assert drilldown.get_by_text("could not be shown").count() == 0
    painted(drilldown)
    screenshot(drilldown, "slo-drilldown")

    # The back link returns to the overview in place.
    with rerun(drilldown):
        drilldown.get_by_text("All SLOs").click()
        drilldown.wait_for_url(lambda url: "slo=" not in url, timeout=15_000)
    drilldown.get_by_test_id("stMetric").filter(has_text="SLOs paging").wait_for()


def test_overview_on_a_real_prometheus_at_a_fixed_instant(app_factory, demo_prometheus, page):
    """A link with ?at= shows the backfilled history as it stood then: no demo banner, the source by name."""
    app = app_factory(
        {
            "PROMETHEUS_URL": demo_prometheus.url,
            "PROMETHEUS_NAME": "Prometheus backfill",
            "TEAM_TIMEZONE": "Europe/Berlin",
        }
    )
    page.set_viewport_size({"width": 1400, "height": 1100})
    open_app(page, f"{app.url}/?at=2026-11-01T00:00:00Z")
    page.get_by_test_id("stDataFrame").first.wait_for()
    assert page.get_by_text("evaluated at").first.is_visible()
    assert page.get_by_text("Prometheus backfill").first.is_visible()
    assert page.get_by_test_id("stAlert").filter(has_text="Demo data").count() == 0
    paging = page.get_by_test_id("stMetric").filter(has_text="SLOs paging")
    assert "1" in paging.inner_text()
    cell = page.locator("[data-testid=stDataFrame] td", has_text="checkout-availability").first
    cell.wait_for(state="attached")
    painted(page)
    screenshot(page, "slo-overview-prometheus")

    open_app(page, f"{app.url}/?slo=payments-availability&at=2026-11-01T00:00:00Z")
    page.get_by_text("Payments availability · payments").wait_for()
    page.get_by_test_id("stPlotlyChart").nth(3).wait_for()
    assert page.get_by_test_id("stException").count() == 0
    assert "ticket" in page.get_by_test_id("stMetric").filter(has_text="Alert state").inner_text()
    page.set_viewport_size({"width": 1400, "height": 2700})
    painted(page)
    screenshot(page, "slo-drilldown-prometheus")


def test_a_link_to_the_slo_burn_url_path_opens_the_drilldown_without_page_not_found(app_server, browser):
    """The app's own links (trends, tracker) name /slo-burn?slo=NAME. It must open that drill-down as it is: no
    "Page not found", the address kept. Needs app.py to serve /slo-burn too (README, "Deep links")."""
    warm = new_page(browser)
    open_app(warm, app_server)  # the server's first session shows the notice on any deep link (README): not this
    warm.context.close()
    page = new_page(browser)
    try:
        page.goto(f"{app_server}/slo-burn?slo=checkout-availability")
        settled(page)
        page.get_by_text("Checkout availability · checkout").wait_for()
        assert page.get_by_role("dialog").filter(has_text=PAGE_NOT_FOUND).count() == 0
        assert page.url == f"{app_server}/slo-burn?slo=checkout-availability"
    finally:
        page.context.close()
