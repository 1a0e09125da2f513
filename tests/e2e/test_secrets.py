"""Secrets stay secret: a planted password and token appear on no page, in no log line and in no error."""

from __future__ import annotations

import socket

import pytest

from tests.support.browser import open_app

pytestmark = pytest.mark.e2e

PLANTED_PASSWORD = "planted-pa55word-7f3a"
PLANTED_TOKEN = "planted-token-91c2"


def visible_text_and_html(page) -> str:
    return page.content() + page.inner_text("body")


def test_planted_prometheus_credentials_appear_nowhere(app_factory, demo_prometheus, page):
    url_with_password = demo_prometheus.url.replace("http://", f"http://reader:{PLANTED_PASSWORD}@")
    app = app_factory({"PROMETHEUS_URL": url_with_password, "PROMETHEUS_TOKEN": PLANTED_TOKEN})
    seen = []
    for path in ("/?at=2026-11-01T00:00:00Z", "/?slo=checkout-availability&at=2026-11-01T00:00:00Z"):
        open_app(page, app.url + path)
        page.get_by_test_id("stMetric").first.wait_for()
        seen.append(visible_text_and_html(page))
    everything = "\n".join(seen) + app.log_path.read_text(errors="replace")
    assert "reader" not in "\n".join(seen)  # the user name too stays off the page
    assert PLANTED_PASSWORD not in everything and PLANTED_TOKEN not in everything


def test_planted_credentials_stay_out_of_the_error_when_prometheus_is_unreachable(app_factory, page):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = app_factory(
        {
            "PROMETHEUS_URL": f"http://reader:{PLANTED_PASSWORD}@127.0.0.1:{port}",
            "PROMETHEUS_TOKEN": PLANTED_TOKEN,
            "PROMETHEUS_TIMEOUT_SECONDS": "2",
        }
    )
    open_app(page, app.url)
    page.get_by_text("No SLO data from").wait_for()
    text = visible_text_and_html(page)
    assert "unreachable" in text
    assert PLANTED_PASSWORD not in text + app.log_path.read_text(errors="replace")
    assert PLANTED_TOKEN not in text
