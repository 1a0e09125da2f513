"""Two app processes on one PostgreSQL store, as two replicas behind a load balancer: the second one's SLO burn page
costs Prometheus no query, counted by Prometheus itself, in real Chromium."""

from __future__ import annotations

import uuid

import pytest

from tests.support.browser import new_page, open_app, settled
from tests.support.prometheus_metrics import settled_queries_answered

pytestmark = pytest.mark.e2e

AT = "2026-11-01T00:00:00Z"


def show_overview(browser, url: str) -> None:
    page = new_page(browser)
    try:
        open_app(page, f"{url}/?at={AT}")
        page.locator("[data-testid=stDataFrame] td", has_text="checkout-availability").first.wait_for(state="attached")
        settled(page)
    finally:
        page.context.close()


def test_the_second_replica_on_the_same_store_sends_prometheus_no_query(
    app_factory, demo_prometheus, postgres_server, browser
):
    store = postgres_server.create_database(f"replicas_{uuid.uuid4().hex[:10]}")
    environment = {"PROMETHEUS_URL": demo_prometheus.url, "DATABASE_URL": store, "TEAM_TIMEZONE": "Europe/Berlin"}
    first, second = app_factory(environment), app_factory(environment)
    before = settled_queries_answered(demo_prometheus.url)
    show_overview(browser, first.url)
    after_first = settled_queries_answered(demo_prometheus.url)
    show_overview(browser, second.url)
    after_second = settled_queries_answered(demo_prometheus.url)
    assert after_first > before
    assert after_second == after_first
