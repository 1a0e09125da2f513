"""The SLO overview refreshes itself in a real browser (a wall screen), and a refresh keeps what the person chose.

The app runs with ``REFRESH_SECONDS=2``; the test waits on conditions only: the filter's answer in the address and
the table, then the "updated HH:MM:SS" line showing a later time than before.
"""

from __future__ import annotations

import re

import pytest

from tests.support.browser import open_app, settled

pytestmark = pytest.mark.e2e

UPDATED = re.compile(r"^updated \d\d:\d\d:\d\d")
_UPDATED_TEXT = """
() => [...document.querySelectorAll('[data-testid=stCaptionContainer]')]
        .map((caption) => caption.textContent.trim()).find((text) => text.startsWith('updated ')) || null
"""


def updated_text(page) -> str:
    return page.evaluate(_UPDATED_TEXT)


def test_the_overview_refreshes_by_itself_and_keeps_the_service_filter(app_factory, page):
    app = app_factory({"REFRESH_SECONDS": "2"})
    page.set_viewport_size({"width": 1440, "height": 1000})
    open_app(page, app.url)
    page.get_by_test_id("stDataFrame").first.wait_for()
    assert page.get_by_label("Auto-refresh every 2 s").first.is_checked()

    service_filter = page.get_by_test_id("stMultiSelect").filter(has_text="Service")
    service_filter.click()
    page.keyboard.type("payments")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_url("**?service=payments")
    cells = page.locator("[data-testid=stDataFrame] td")
    cells.filter(has_text="checkout-availability").first.wait_for(state="detached")
    settled(page)
    before = updated_text(page)
    assert before and UPDATED.match(before), before

    page.wait_for_function(f"() => ({_UPDATED_TEXT})() !== {before!r}", timeout=30_000)
    after = updated_text(page)
    assert UPDATED.match(after) and after > before  # HH:MM:SS of the same day: a later time reads larger

    settled(page)
    assert page.url.endswith("?service=payments")
    assert "payments" in service_filter.inner_text()
    assert cells.filter(has_text="payments-availability").count() == 1
    assert cells.filter(has_text="checkout-availability").count() == 0
    assert page.get_by_test_id("stException").count() == 0
