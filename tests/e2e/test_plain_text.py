"""Markdown from a link is shown as text, never rendered (issue 16, item 7): a crafted ``?item=`` must not put a
live link inside the app's own error box, nor make the browser fetch an image from anywhere."""

from __future__ import annotations

from urllib.parse import quote, urlparse

import pytest

from tests.support.browser import open_app, watch_runs

pytestmark = pytest.mark.e2e

EVIL_HOST = "203.0.113.9"  # TEST-NET-3: never a real host
LINK = f"[Session expired - sign in again](http://{EVIL_HOST}/login)"
IMAGE = f"![x](http://{EVIL_HOST}/pixel.png)"
CRAFTED = [
    f"slo-burn?slo={quote(LINK)}",
    f"slo-burn?at={quote(LINK)}",
    f"slo-burn?service={quote(IMAGE)}",
    f"database-health?database={quote(LINK)}",
    f"revisit-tracker?item={quote(LINK)}",
    f"revisit-tracker?item={quote(IMAGE)}",
    f"trends?from={quote(LINK)}",
    f"trends?grain={quote(IMAGE)}",
    f"trends?service={quote(LINK)}",
    f"weekly-review?week={quote(LINK)}",
]


@pytest.fixture
def counted_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(60_000)
    watch_runs(context)
    fetched: list[str] = []

    def refuse_evil(route):
        if urlparse(route.request.url).hostname == EVIL_HOST:
            fetched.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", refuse_evil)
    try:
        yield context.new_page(), fetched
    finally:
        context.close()


@pytest.mark.parametrize("path", CRAFTED)
def test_markdown_in_a_link_is_shown_as_text(counted_page, app_server, path):
    page, fetched = counted_page
    open_app(page, f"{app_server}/{path}")
    main = page.get_by_test_id("stMain")
    assert main.locator(f"a[href*='{EVIL_HOST}']").count() == 0
    assert main.locator(f"img[src*='{EVIL_HOST}']").count() == 0
    assert fetched == []
    assert EVIL_HOST in main.inner_text(), "the value is still shown, as text"


OUT_OF_RANGE = [
    "slo-burn?at=0001-01-01T00:00Z",
    "slo-burn?at=9999-12-31T23:59:59Z",
    "slo-burn?slo=checkout-availability&at=0001-01-01T00:00Z",
    "trends?from=0001-01-01&to=9999-12-31",
    "weekly-review?week=2026-W54",
    "weekly-review?week=9999-W52",
    "revisit-tracker?item=18446744073709551617",
    "audit-trail?from=0001-01-01",
]


@pytest.mark.parametrize("path", OUT_OF_RANGE)
def test_an_out_of_range_link_is_a_message_not_streamlits_error(counted_page, app_server, path):
    page, _ = counted_page
    open_app(page, f"{app_server}/{path}")
    main = page.get_by_test_id("stMain")
    assert page.get_by_test_id("stException").count() == 0
    assert main.get_by_test_id("stAlert").count() >= 1, "the page says what is wrong with the link"
