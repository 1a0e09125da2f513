"""The weekly review in real Chromium (demo mode, Europe/Berlin, a fixed clock): the page, and its Markdown download
carrying the page's numbers. Screenshot: test-artifacts/screenshots/weekly-review.png."""

from __future__ import annotations

import pytest

from tests.support.browser import click_sidebar_page, open_app, painted
from tests.support.servers import screenshot

pytestmark = pytest.mark.e2e

ENV = {"TEAM_TIMEZONE": "Europe/Berlin", "RELIABILITY_NOW": "2026-11-24T14:05:00Z"}


@pytest.fixture(scope="module")
def weekly_app(app_factory) -> str:
    return app_factory(ENV).url


def open_weekly_review(page, url: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 3000})
    open_app(page, url)
    click_sidebar_page(page, "Weekly review", "**/weekly-review")
    page.get_by_test_id("stMetric").nth(6).wait_for(timeout=90_000)
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    painted(page)


def test_the_weekly_review_of_the_last_complete_week(weekly_app, page):
    open_weekly_review(page, weekly_app)
    assert page.get_by_role("heading", name="Weekly review").is_visible()
    assert page.get_by_test_id("stAlert").filter(has_text="Demo data").is_visible()
    assert page.get_by_text("compared with 2026-W46").is_visible()
    screenshot(page, "weekly-review")


def test_the_markdown_download_carries_the_pages_numbers(weekly_app, page):
    open_weekly_review(page, weekly_app)
    metrics = page.get_by_test_id("stMetric")
    shown = {
        metrics.nth(i).get_by_test_id("stMetricLabel").inner_text().strip(): metrics.nth(i)
        .get_by_test_id("stMetricValue")
        .inner_text()
        .strip()
        for i in range(metrics.count())
    }
    with page.expect_download() as download:
        page.get_by_role("button", name="Download Markdown").click()
    markdown = download.value.path().read_text(encoding="utf-8")
    assert markdown.startswith("# Weekly review 2026-W47")
    for label, value in shown.items():
        name, _, detail = label.partition(" · ")  # a card says "MTTA · median 5 min" above "7 min"
        full_value = f"{value} ({detail})" if detail else value  # the document says "7 min (median 5 min)"
        assert f"| {name} | {full_value} |" in markdown, (label, value)
