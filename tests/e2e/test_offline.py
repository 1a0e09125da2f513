"""No request leaves the machine from a page (issue 16, item 12): on an offline network the app must look the same.

Every request to a host other than loopback is failed and counted while each page opens; the favicon was the one
that used to go out (a Material icon Streamlit fetches from fonts.gstatic.com)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.support.browser import open_app, watch_runs

pytestmark = pytest.mark.e2e

PAGES = (
    "",
    "slo-burn?slo=checkout-availability",
    "trends",
    "incidents",
    "weekly-review",
    "database-health",
    "dba-records",
    "revisit-tracker",
    "audit-trail",
)
LOCAL = ("127.0.0.1", "localhost", "::1")


@pytest.fixture
def offline_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(60_000)
    watch_runs(context)
    outside: list[str] = []

    def only_loopback(route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname in LOCAL:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", only_loopback)
    try:
        yield context.new_page(), outside
    finally:
        context.close()


def test_no_page_sends_a_request_beyond_loopback(offline_page, app_server):
    page, outside = offline_page
    for path in PAGES:
        open_app(page, f"{app_server}/{path}")
    assert outside == []


def test_the_favicon_is_served_by_the_app(offline_page, app_server):
    page, _ = offline_page
    open_app(page, app_server)
    icon = page.locator("link[rel~=icon]").first.get_attribute("href")
    assert urlparse(page.url).hostname in LOCAL and (icon.startswith("/") or urlparse(icon).hostname in LOCAL)
