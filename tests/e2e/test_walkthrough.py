"""A walk through every page at the two screen sizes a team uses (issue 11, item 7): a laptop at 1440×900 and a
desk or wall screen at 1920×1080, on the demo defaults with the demo tracker items stored.

Each page opens in place with no "Page not found", no traceback and no panel that could not be shown, and is saved
as a full-page screenshot (test-artifacts/screenshots/walk-<page>-<width>.png) for a person to look at. The SLO
overview's table must show every column without a horizontal scroll at both sizes: the 1d and 3d burn rates and
"budget gone in" were cut off at 1440 px.

The walk is also offline (issue 16, item 12): every request to a host other than loopback is failed and recorded,
and no page may send one (the favicon used to: a Material icon Streamlit fetched from fonts.gstatic.com)."""

from __future__ import annotations

import pytest

from tests.support.browser import assert_in_place, new_page, offline, open_app, painted, table_overflow
from tests.support.servers import screenshot

pytestmark = pytest.mark.e2e

SIZES = ((1440, 900), (1920, 1080))

# (name for the screenshot, path, a text the page shows once its main content is drawn)
PAGES = (
    ("slo-overview", "/", "SLOs paging"),
    ("slo-drilldown", "/slo-burn?slo=checkout-availability", "Alert tiers"),
    ("trends", "/trends", "Reliability trends"),
    ("incidents", "/incidents", "Incidents"),
    ("weekly-review", "/weekly-review", "Weekly review"),
    ("database-fleet", "/database-health", "Database health"),
    ("database-drilldown", "/database-health?database=orders-primary", "orders-primary"),
    ("dba-records", "/dba-records", "DBA records"),
    ("tracker", "/revisit-tracker", "Due for revisit"),
    ("tracker-item", "/revisit-tracker?item=1", "#1 · "),
    ("audit-trail", "/audit-trail", "Audit trail"),
    ("slo-reviews", "/slo-reviews", "SLO reviews"),
    ("slo-review", "/slo-reviews?slo=checkout-availability", "Target what-if"),
    ("budget-adjustments", "/slo-adjustments", "Budget adjustments"),
    ("error-budget-policy", "/error-budget-policy", "Error-budget policy"),
)


@pytest.fixture(scope="module", params=SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def screen(request, browser, seeded_demo_app):
    """One browser tab at one screen size on an offline network (the list: what it tried to fetch from outside),
    warmed on the app's first page (the server's first session shows a notice on deep links, see README "Deep
    links")."""
    width, height = request.param
    page = new_page(browser, width=width, height=height)
    outside = offline(page.context)
    open_app(page, seeded_demo_app)
    yield page, width, outside
    page.context.close()


@pytest.mark.parametrize(("name", "path", "shown"), PAGES, ids=[name for name, _, _ in PAGES])
def test_every_page_opens_whole_and_offline_at_both_screen_sizes(screen, seeded_demo_app, name, path, shown):
    page, width, outside = screen
    outside.clear()
    open_app(page, f"{seeded_demo_app}{path}")
    page.get_by_text(shown).first.wait_for()
    assert_in_place(page)
    painted(page)
    screenshot(page, f"walk-{name}-{width}")
    assert outside == []


def test_the_slo_overview_shows_every_column_without_scrolling(screen, seeded_demo_app):
    page, width, _ = screen
    open_app(page, seeded_demo_app)
    page.get_by_test_id("stMetric").filter(has_text="SLOs paging").wait_for()
    painted(page)
    overview = page.get_by_test_id("stDataFrame").first
    assert table_overflow(overview) == 0, f"{table_overflow(overview)} px of the overview hidden at {width} px"


def test_the_target_what_if_shows_every_column_without_scrolling(screen, seeded_demo_app):
    page, width, _ = screen
    open_app(page, f"{seeded_demo_app}/slo-reviews?slo=checkout-availability")
    page.get_by_text("Last 12 ISO weeks").wait_for()
    painted(page)
    weeks = page.get_by_test_id("stDataFrame").filter(has_text="2026-W").first
    weeks.scroll_into_view_if_needed()
    assert table_overflow(weeks) == 0, f"{table_overflow(weeks)} px of the what-if hidden at {width} px"


def test_the_database_fleet_shows_every_column_without_scrolling(screen, seeded_demo_app):
    page, width, _ = screen
    open_app(page, f"{seeded_demo_app}/database-health")
    page.get_by_test_id("stMetric").first.wait_for()
    painted(page)
    fleet = page.get_by_test_id("stDataFrame").first
    assert table_overflow(fleet) == 0, f"{table_overflow(fleet)} px of the fleet hidden at {width} px"
