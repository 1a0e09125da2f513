"""HTML that people type is shown as text in the real browser, never run: a ``<script>`` and an ``<img onerror>`` in
a tracker item's problem statement and in the weekly review's notes open no dialog, run nothing, and read as the
characters typed. Screenshots: test-artifacts/screenshots/user-html-*.png."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.browser import click_sidebar_page, fill_name, open_app, painted, rerun
from tests.support.servers import screenshot

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
NOW = "2026-11-24T14:05:00Z"
SCRIPT = "<script>window.__ran = 'script'; alert('script ran')</script>"
IMAGE = "<img src=x onerror=\"window.__ran = 'img'; alert('img ran')\">"
PAYLOAD = f"Vendor says **fixed in 16**. {SCRIPT} {IMAGE}"


@pytest.fixture(scope="module")
def html_app(app_factory, tmp_path_factory) -> str:
    store = f"sqlite:///{tmp_path_factory.mktemp('user-html') / 'store.db'}"
    items = tmp_path_factory.mktemp("seed") / "items.json"
    items.write_text(
        json.dumps(
            {
                "items": [
                    {
                        "id": 1,
                        "title": "Failover <b>takes</b> 9 minutes",
                        "state": "new",
                        "owner_role": "DBA",
                        "problem_statement": PAYLOAD,
                        "workaround": IMAGE,
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    env = {"DATABASE_URL": store, "RELIABILITY_NOW": NOW, "TEAM_TIMEZONE": "Europe/Berlin"}
    seeded = subprocess.run(
        [sys.executable, "cli.py", "tracker", "import", "--file", str(items), "--as", "seed"],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert seeded.returncode == 0, seeded.stderr
    return app_factory(env).url


def watch_for_script(page) -> list[str]:
    dialogs: list[str] = []

    def dismiss(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return dialogs


def nothing_ran(page, dialogs: list[str]) -> None:
    assert dialogs == []
    assert page.evaluate("() => window.__ran === undefined")
    assert page.locator("[data-testid=stMain] script").count() == 0
    assert page.locator("[data-testid=stMain] img[src=x]").count() == 0


def test_a_problem_statement_with_html_reads_as_text_and_runs_nothing(html_app, page):
    dialogs = watch_for_script(page)
    open_app(page, html_app + "/revisit-tracker?item=1")
    page.get_by_text("Problem statement", exact=True).wait_for()
    page.get_by_test_id("stMetric").first.wait_for()
    page.get_by_test_id("stDataFrame").first.wait_for()
    painted(page)
    details = page.get_by_test_id("stMain")
    assert details.get_by_text(SCRIPT, exact=False).first.is_visible()
    assert details.get_by_text("onerror=", exact=False).first.is_visible()
    assert page.get_by_role("heading", name="Failover <b>takes</b> 9 minutes", exact=False).is_visible()
    assert details.locator("strong", has_text="fixed in 16").count() == 1  # Markdown still works
    screenshot(page, "user-html-tracker-item")
    nothing_ran(page, dialogs)


def test_weekly_notes_with_html_are_saved_and_read_as_text_and_run_nothing(html_app, page):
    dialogs = watch_for_script(page)
    page.set_viewport_size({"width": 1400, "height": 3000})
    open_app(page, html_app)
    click_sidebar_page(page, "Weekly review", "**/weekly-review")
    page.get_by_test_id("stMetric").nth(6).wait_for(timeout=90_000)
    fill_name(page, "Ann")
    notes = page.get_by_label("Notes for the week")
    for text in ("First draft", PAYLOAD):  # two saves, so the history shows the versions
        notes.fill(text)
        with rerun(page):
            page.get_by_role("button", name="Save notes").click()
        page.get_by_text("Notes saved as version").wait_for()
    assert notes.input_value() == PAYLOAD
    page.get_by_text("History of edits (2 versions)").click()
    history = page.get_by_test_id("stExpander").filter(has_text="History of edits")
    history.get_by_test_id("stCode").first.wait_for()
    assert history.get_by_text(SCRIPT, exact=False).first.is_visible()
    painted(page)
    screenshot(page, "user-html-weekly-notes")
    nothing_ran(page, dialogs)
