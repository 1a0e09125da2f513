"""The favicon is the app's own (issue 16, item 12): it was the one request that left the machine, a Material icon
Streamlit fetched from fonts.gstatic.com. That no page sends any request beyond loopback is checked on the walk
through every page (tests/e2e/test_walkthrough.py), which runs offline."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.support.browser import LOOPBACK, offline, open_app, watch_runs

pytestmark = pytest.mark.e2e


@pytest.fixture
def offline_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(60_000)
    watch_runs(context)
    outside = offline(context)
    try:
        yield context.new_page(), outside
    finally:
        context.close()


def test_the_favicon_is_served_by_the_app(offline_page, app_server):
    page, _ = offline_page
    open_app(page, app_server)
    icon = page.locator("link[rel~=icon]").first.get_attribute("href")
    assert urlparse(page.url).hostname in LOOPBACK and (icon.startswith("/") or urlparse(icon).hostname in LOOPBACK)
