"""The error-budget policy in real Chromium (demo data, a catalog where checkout has overspent its budget, a policy
and a freeze decision stored through the CLI): the policy page and the SLO burn page read freeze with the decision.
Screenshots: test-artifacts/screenshots/error-budget-policy.png and slo-burn-freeze.png."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.browser import assert_in_place, click_sidebar_page, open_app, painted
from tests.support.servers import REPO_ROOT, screenshot
from tests.support.slo_policy import SPENT_SERVICE, write_spent_catalog

pytestmark = pytest.mark.e2e

NOW = "2026-11-24T05:00:00Z"


@pytest.fixture(scope="module")
def policy_app(app_factory, tmp_path_factory) -> str:
    catalog = write_spent_catalog(tmp_path_factory.mktemp("policy_catalog"))
    env = {"TEAM_TIMEZONE": "UTC", "RELIABILITY_NOW": NOW, "SLO_CATALOG": str(catalog)}
    app = app_factory(env)
    cli_env = {**os.environ, **env, "DATABASE_URL": app.database_url}
    for args in (
        ["set", "--scope", "all", "--actions", "Halt changes but P0 and security fixes", "--approver", "Lee",
         "--approved-on", "2026-11-01", "--revisit-on", "2027-05-01", "--as", "Dana"],
        ["decide", "--service", SPENT_SERVICE, "--kind", "freeze", "--reason", "budget spent", "--as", "Dana"],
    ):  # fmt: skip
        subprocess.run(
            [sys.executable, "cli.py", "slo-policy", *args],
            cwd=REPO_ROOT,
            env=cli_env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    return app.url


def test_the_policy_page_reads_freeze_with_the_decision(policy_app, page):
    page.set_viewport_size({"width": 1400, "height": 2400})
    open_app(page, policy_app)
    click_sidebar_page(page, "Error-budget policy", "**/error-budget-policy")
    page.get_by_role("heading", name="Error-budget policy").wait_for(timeout=90_000)
    painted(page)

    line = page.get_by_test_id("stMarkdown").filter(has_text="latest decision: freeze by Dana")
    assert line.first.is_visible()
    assert "■ freeze" in line.first.inner_text()
    screenshot(page, "error-budget-policy")


def test_the_slo_burn_page_names_the_service_in_freeze(policy_app, page):
    open_app(page, policy_app)
    painted(page)

    caption = page.get_by_test_id("stCaptionContainer").filter(has_text="Error-budget policy:")
    caption.first.wait_for(timeout=90_000)
    assert "■ freeze" in caption.first.inner_text() and "checkout" in caption.first.inner_text()
    screenshot(page, "slo-burn-freeze")


def test_the_policy_opens_its_tracker_item_in_place(policy_app, page):
    open_app(page, policy_app)
    click_sidebar_page(page, "Error-budget policy", "**/error-budget-policy")
    link = page.get_by_role("link", name="Revisit-tracker item #1: comes due on 2027-05-01")
    link.wait_for(timeout=90_000)

    link.click()
    page.wait_for_url("**/revisit-tracker?item=1", timeout=90_000)
    painted(page)

    assert_in_place(page)  # the same tab and session, no "Page not found", no traceback
    assert page.get_by_text("Error-budget policy: all services").first.is_visible()
