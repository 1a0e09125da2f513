"""Every internal drill-down opens in place (issue 11, item 2): in the same tab and session, at the drill-down's
path and query, with no "Page not found" and no traceback, and a filter set in the query string survives the
drill-down and the way back. A table's link used to open a new tab: a new session, a cold load, the filters gone.

The app runs on the demo defaults (demo SLO data, the example databases without DSN, the demo tracker items stored
through `cli.py tracker seed-demo`). Screenshot: test-artifacts/screenshots/internal-links-slo-overview.png.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.support.browser import assert_in_place, new_page, open_app, open_side_by_side, painted, rerun, settled
from tests.support.servers import screenshot

pytestmark = pytest.mark.e2e

# st.dataframe draws on a canvas; its hidden accessibility table tells which row holds a value, the geometry below
# turns that into a point to click: Streamlit's row height, and the checkbox column a row-selectable table starts with.
ROW_HEIGHT = 35
ROW_MARKER_X = 15


@pytest.fixture(scope="module")
def links_app(seeded_demo_app):
    return seeded_demo_app


@pytest.fixture
def tab(browser):
    """One tab in a fresh context; every test checks that no other tab was opened in it."""
    page = new_page(browser, width=1440, height=900)
    try:
        yield page
    finally:
        page.context.close()


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def path(page) -> str:
    return urlsplit(page.url).path


def grid_with(page, text: str):
    """The st.dataframe showing ``text`` in a cell, and that cell's row."""
    grid = page.get_by_test_id("stDataFrame").filter(has=page.locator("td", has_text=text)).first
    cell = grid.locator("td", has_text=text).first
    cell.wait_for(state="attached")
    grid.scroll_into_view_if_needed()
    painted(page)
    return grid, int(cell.get_attribute("id").rsplit("-", 1)[1])


def click_until(page, text: str, column_x: float, url_changes, attempts: int = 3) -> None:
    """Click the cell ``column_x`` px from the left edge of the grid row showing ``text`` until the address says the
    drill-down opened. The grid draws on a canvas: on a loaded machine a chart finishing above it can still move it
    after it painted, so the click is aimed again at where the row is then, never after a fixed pause."""
    for attempt in range(attempts):
        grid, row = grid_with(page, text)
        box = grid.bounding_box()
        x, y = box["x"] + column_x, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2
        page.mouse.move(x, y)
        with rerun(page):  # returns once the run the click started has finished (or none was seen)
            page.mouse.click(x, y)
        try:
            page.wait_for_url(url_changes, timeout=5_000)
            return
        except PlaywrightTimeoutError:
            if attempt == attempts - 1:
                raise


def select_row(page, text: str, url_changes) -> None:
    """Tick the row-selection box of the row showing ``text``; wait until the address says the drill-down opened."""
    click_until(page, text, ROW_MARKER_X, url_changes)


def select_cell(page, text: str, column_x: int, url_changes) -> None:
    """Click the cell showing ``text``, its column ``column_x`` px from the grid's left edge (a cell-selectable
    table)."""
    click_until(page, text, column_x, url_changes)


# --- SLO burn ---------------------------------------------------------------------------------------------------------


def test_an_slo_opens_in_place_and_the_service_filter_survives_the_way_back(links_app, tab):
    open_app(tab, f"{links_app}/?service=checkout")
    tab.get_by_test_id("stMetric").filter(has_text="SLOs paging").wait_for()

    select_row(tab, "checkout-availability", lambda url: "slo=" in url)
    assert_in_place(tab)
    assert query(tab) == {"service": ["checkout"], "slo": ["checkout-availability"]}
    tab.get_by_text("Checkout availability · checkout").wait_for()

    with rerun(tab):
        tab.get_by_role("button", name="All SLOs").click()
        tab.wait_for_url(lambda url: "slo=" not in url)
    assert_in_place(tab)
    assert query(tab) == {"service": ["checkout"]}
    tab.get_by_test_id("stMetric").filter(has_text="SLOs paging").wait_for()


def test_the_slo_burn_bookmark_opens_its_drilldown_and_its_overview(links_app, tab):
    open_app(tab, f"{links_app}/slo-burn")
    assert_in_place(tab)
    tab.get_by_test_id("stMetric").filter(has_text="SLOs paging").wait_for()
    painted(tab)
    screenshot(tab, "internal-links-slo-overview")  # 1440x900: does the table still read well?
    select_row(tab, "payments-availability", lambda url: "slo=" in url)
    assert_in_place(tab)
    assert path(tab) == "/slo-burn" and query(tab) == {"slo": ["payments-availability"]}
    tab.get_by_text("Payments availability · payments").wait_for()


# --- reliability trends -----------------------------------------------------------------------------------------------

CHANGE_WIDTH, SLO_WIDTH = 110, 220  # pages/trends/page.py fixes them so the cells sit at a known place
SLO_X, SERVICE_X = CHANGE_WIDTH + 40, CHANGE_WIDTH + SLO_WIDTH + 30


def test_a_service_narrows_trends_in_place_and_an_slo_opens_its_burn_drilldown_with_that_filter(links_app, tab):
    open_app(tab, f"{links_app}/trends")
    tab.get_by_text("What changed", exact=False).first.wait_for()
    assert_in_place(tab)

    select_cell(tab, "payments-availability", SERVICE_X, lambda url: "service=" in url)
    assert_in_place(tab)
    assert path(tab) == "/trends" and query(tab) == {"service": ["payments"]}
    service_filter = tab.get_by_test_id("stMultiSelect").filter(has_text="Service")
    assert "payments" in service_filter.inner_text()

    select_cell(tab, "payments-availability", SLO_X, lambda url: "/slo-burn" in url)
    assert_in_place(tab)
    assert path(tab) == "/slo-burn"
    assert query(tab) == {"service": ["payments"], "slo": ["payments-availability"]}
    tab.get_by_text("Payments availability · payments").wait_for()

    with rerun(tab):  # the overview there keeps the service the trends view was narrowed to
        tab.get_by_role("button", name="All SLOs").click()
        tab.wait_for_url(lambda url: "slo=" not in url)
    assert_in_place(tab)
    assert query(tab) == {"service": ["payments"]}


# --- revisit tracker --------------------------------------------------------------------------------------------------


def test_an_item_opens_in_place_the_search_survives_the_way_back_and_its_linked_slo_opens_in_place(links_app, tab):
    open_app(tab, f"{links_app}/revisit-tracker?search=settlement")
    tab.get_by_text("All items", exact=False).first.wait_for()
    assert_in_place(tab)

    select_row(tab, "Nightly settlement batch", lambda url: "item=" in url)
    assert_in_place(tab)
    assert path(tab) == "/revisit-tracker"
    assert list(query(tab)) == ["item"] and query(tab)["item"][0].isdigit()  # the item's own shareable link
    tab.get_by_role("heading", name="Nightly settlement batch", exact=False).wait_for()

    with rerun(tab):
        tab.get_by_role("button", name="All items").click()
        tab.wait_for_url(lambda url: "item=" not in url)
    assert_in_place(tab)
    assert query(tab) == {"search": ["settlement"]}
    assert tab.get_by_role("textbox", name="Search").input_value() == "settlement"

    select_row(tab, "Nightly settlement batch", lambda url: "item=" in url)
    tab.get_by_role("tab", name="Live status and triggers").click()
    select_row(tab, "payments-availability", lambda url: "/slo-burn" in url)
    assert_in_place(tab)
    assert path(tab) == "/slo-burn" and query(tab) == {"slo": ["payments-availability"]}
    tab.get_by_text("Payments availability · payments").wait_for()


# --- database health --------------------------------------------------------------------------------------------------


def test_a_database_opens_in_place_and_the_environment_filter_survives_the_way_back(links_app, tab):
    open_app(tab, f"{links_app}/database-health?environment=production")
    assert_in_place(tab)

    select_row(tab, "orders-primary", lambda url: "database=" in url)
    assert_in_place(tab)
    assert path(tab) == "/database-health"
    assert query(tab) == {"environment": ["production"], "database": ["orders-primary"]}
    tab.get_by_role("button", name="All databases").wait_for()

    with rerun(tab):
        tab.get_by_role("button", name="All databases").click()
        tab.wait_for_url(lambda url: "database=" not in url)
    assert_in_place(tab)
    assert query(tab) == {"environment": ["production"]}


# --- every page path as a bookmark ------------------------------------------------------------------------------------

BOOKMARKS = [
    "/",
    "/slo-burn",
    "/slo-burn?slo=checkout-availability",
    "/slo-burn?service=checkout&state=page",
    "/trends?service=payments&grain=month",
    "/incidents",
    "/weekly-review",
    "/database-health?environment=production",
    "/database-health?database=orders-primary",
    "/dba-records?database=orders-primary",
    "/revisit-tracker?item=1",
    "/revisit-tracker?search=settlement",
    "/audit-trail",
    "/slo-reviews?slo=checkout-availability",
]


def test_every_page_path_works_as_a_bookmark_with_its_query(links_app, browser):
    warm = new_page(browser)
    open_app(warm, links_app)  # the server's first session shows the notice on any deep link (README): not this
    warm.context.close()

    def opened(page, url: str) -> str:
        settled(page)
        page.get_by_test_id("stSidebarNav").wait_for()
        assert_in_place(page)
        return page.url

    urls = [f"{links_app}{bookmark}" for bookmark in BOOKMARKS]
    landed = open_side_by_side(lambda: new_page(browser), urls, opened)
    assert {url: at for url, at in landed.items() if at != url} == {}


# --- a split SLO's values -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def split_app(app_factory, tmp_path_factory):
    import textwrap

    from tests.pages.slo_burn.test_split_slos import SPLIT_SLO

    catalog = tmp_path_factory.mktemp("split-catalog")
    (catalog / "api.yaml").write_text(textwrap.dedent(SPLIT_SLO), encoding="utf-8")
    return app_factory({"SLO_CATALOG": str(catalog), "RELIABILITY_NOW": "2026-11-24T14:05:00Z"}).url


def test_a_split_value_opens_its_own_drilldown_in_place_and_all_values_come_back(split_app, tab):
    open_app(tab, f"{split_app}/slo-burn?slo=api-availability")
    tab.get_by_text("Per service").wait_for()

    select_row(tab, "service:checkout", lambda url: "split=" in url)
    assert_in_place(tab)
    assert query(tab) == {"slo": ["api-availability"], "split": ["service:checkout"]}
    tab.get_by_text("service=checkout", exact=False).first.wait_for()

    with rerun(tab):
        tab.get_by_role("button", name="All values of api-availability").click()
        tab.wait_for_url(lambda url: "split=" not in url)
    assert_in_place(tab)
    assert query(tab) == {"slo": ["api-availability"]}
    tab.get_by_text("Per service").wait_for()
