"""Every internal drill-down opens in place (issue 11, item 2): in the same tab and session, at the drill-down's
path and query, with no "Page not found" and no traceback, and a filter set in the query string survives the
drill-down and the way back. A table's link used to open a new tab: a new session, a cold load, the filters gone.

The app runs on the demo defaults (demo SLO data, the example databases without DSN, the demo tracker items stored
through `cli.py tracker seed-demo`). Screenshot: test-artifacts/screenshots/internal-links-slo-overview.png.
"""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.browser import PAGE_NOT_FOUND, new_page, open_app, painted, rerun, settled
from tests.support.servers import REPO_ROOT, screenshot

pytestmark = pytest.mark.e2e

# st.dataframe draws on a canvas; its hidden accessibility table tells which row holds a value, the geometry below
# turns that into a point to click: Streamlit's row height, and the checkbox column a row-selectable table starts with.
ROW_HEIGHT = 35
ROW_MARKER_X = 15


@pytest.fixture(scope="module")
def links_app(app_factory):
    app = app_factory({"TEAM_TIMEZONE": "Europe/Berlin"})
    subprocess.run(
        [sys.executable, "cli.py", "tracker", "seed-demo"],
        cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": app.database_url, "TEAM_TIMEZONE": "Europe/Berlin"},
        check=True,
        capture_output=True,
        timeout=120,
    )
    return app.url


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


def assert_in_place(page) -> None:
    """Still one tab, the app rendered, no "Page not found", no traceback."""
    assert len(page.context.pages) == 1, [other.url for other in page.context.pages]
    settled(page)
    assert page.get_by_role("dialog").filter(has_text=PAGE_NOT_FOUND).count() == 0
    assert page.get_by_text(PAGE_NOT_FOUND).count() == 0
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_text("Traceback").count() == 0
    assert page.get_by_text("could not be shown").count() == 0


def grid_with(page, text: str):
    """The st.dataframe showing ``text`` in a cell, and that cell's row."""
    grid = page.get_by_test_id("stDataFrame").filter(has=page.locator("td", has_text=text)).first
    cell = grid.locator("td", has_text=text).first
    cell.wait_for(state="attached")
    grid.scroll_into_view_if_needed()
    painted(page)
    return grid, int(cell.get_attribute("id").rsplit("-", 1)[1])


def select_row(page, text: str, url_changes) -> None:
    """Tick the row-selection box of the row showing ``text``; wait until the address says the drill-down opened."""
    grid, row = grid_with(page, text)
    box = grid.bounding_box()
    x, y = box["x"] + ROW_MARKER_X, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2
    page.mouse.move(x, y)
    with rerun(page):
        page.mouse.click(x, y)
        page.wait_for_url(url_changes)


def select_cell(page, text: str, column_x: int, url_changes) -> None:
    """Click the cell showing ``text``, its column ``column_x`` px from the grid's left edge (a cell-selectable
    table)."""
    grid, row = grid_with(page, text)
    box = grid.bounding_box()
    x, y = box["x"] + column_x, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2
    page.mouse.move(x, y)
    with rerun(page):
        page.mouse.click(x, y)
        page.wait_for_url(url_changes)


# --- SLO burn ---------------------------------------------------------------------------------------------------------


def test_an_slo_opens_in_place_and_the_service_filter_survives_the_way_back(links_app, tab):
    open_app(tab, f"{links_app}/?service=checkout")
    tab.get_by_test_id("stMetric").filter(has_text="SLOs paging").wait_for()
    painted(tab)
    screenshot(tab, "internal-links-slo-overview")

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
    select_row(tab, "payments-availability", lambda url: "slo=" in url)
    assert_in_place(tab)
    assert path(tab) == "/slo-burn" and query(tab) == {"slo": ["payments-availability"]}
    tab.get_by_text("Payments availability · payments").wait_for()
