"""The revisit tracker in real Chromium against the app as `make run` serves it (demo mode, SQLite).

One story: create an item and park it with a revisit date; open the app with its clock past that date and find the
item in the due queue; record a review and see it in the timeline; then two people edit the item at once and the
second gets the conflict. Screenshots land in test-artifacts/screenshots/tracker-*.png.
"""

from __future__ import annotations

import re

import pytest

from tests.support.browser import fill_name, new_page, open_app, open_dialog, painted, rerun
from tests.support.servers import screenshot

pytestmark = pytest.mark.e2e

CREATED_AT = "2026-11-24T05:00:00Z"
REVISIT_ON = "2026-12-01"
LATER = "2026-12-02T05:00:00Z"


def goto(page, url: str) -> None:
    """Open a deep link; the run is over once st.navigation has drawn the grouped sidebar."""
    open_app(page, url)
    page.get_by_test_id("stSidebarNav").get_by_text("Revisit tracker").wait_for()


def choose(page, container, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox found by its label inside ``container``."""
    box = container.get_by_test_id("stSelectbox").filter(has_text=label)
    wanted = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):  # a click that lands during a rerun does not open the list: try again
        box.click()
        try:
            wanted.wait_for(timeout=5_000)
            break
        except Exception:
            page.keyboard.press("Escape")
    wanted.click()


def type_date(container, label: str, text: str) -> None:
    """Streamlit's date field is a group of segments (year, month, day): type the digits into the first."""
    field = container.get_by_label(label, exact=True)
    field.get_by_role("spinbutton").first.click()
    field.page.keyboard.type(text.replace("-", ""))
    field.page.keyboard.press("Tab")


def open_expander(page, title: str):
    expander = page.get_by_test_id("stExpander").filter(
        has=page.locator("summary", has_text=re.compile(rf"{re.escape(title)}$"))
    )
    summary = expander.locator("summary").first
    if expander.locator("details").first.get_attribute("open") is None:
        summary.click()
        expander.get_by_test_id("stExpanderDetails").wait_for()
    return expander


def no_errors(page) -> None:
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_text("could not be shown").count() == 0


def test_park_come_due_review_and_conflict(app_factory, browser):
    first_app = app_factory({"RELIABILITY_NOW": CREATED_AT, "TEAM_TIMEZONE": "Asia/Seoul"})
    page = new_page(browser)
    goto(page, f"{first_app.url}/revisit-tracker")
    page.get_by_text("No tracker items yet.").wait_for()
    fill_name(page, "Ann")

    # Create an item, parked until REVISIT_ON.
    form = open_dialog(page, "New item")
    form.get_by_label("Title", exact=True).fill("Failover takes 9 minutes on the vendor's version")
    form.get_by_label("Problem statement (Markdown)", exact=True).fill("Promotion waits for **full WAL replay**.")
    choose(page, form, "State", "parked")
    choose(page, form, "Owner role", "DBA")
    type_date(form, "Revisit on", REVISIT_ON)
    screenshot(page, "tracker-new-item-dialog")
    with rerun(page):
        form.get_by_role("button", name="Create item").click()
    page.get_by_text("Created item #1").wait_for()
    page.get_by_role("dialog").wait_for(state="detached")
    no_errors(page)
    page.get_by_test_id("stDataFrame").first.wait_for()
    page.get_by_test_id("stPlotlyChart").first.wait_for()
    painted(page)
    screenshot(page, "tracker-created")
    page.get_by_text("Due for revisit (0)").wait_for()

    # Later: the same store, the clock past the revisit date.
    later_app = app_factory(
        {"RELIABILITY_NOW": LATER, "TEAM_TIMEZONE": "Asia/Seoul", "DATABASE_URL": first_app.database_url}
    )
    goto(page, f"{later_app.url}/revisit-tracker")
    page.get_by_text("Due for revisit (1)").wait_for()
    page.get_by_text("revisit date 2026-12-01 reached (1 d ago)").wait_for()
    no_errors(page)
    page.get_by_test_id("stPlotlyChart").first.wait_for()
    painted(page)
    screenshot(page, "tracker-due-queue")

    # Record a review; it shows in the timeline.
    fill_name(page, "Dana")
    with rerun(page):
        page.get_by_role("button", name="Open").first.click()
    page.get_by_text("#1 · Failover takes 9 minutes").first.wait_for()
    page.get_by_role("tab", name="Edit, change state, review").click()
    review = open_expander(page, "Record a review")
    choose(page, review, "Outcome", "start work")
    review.get_by_label("What changed since the last look (Markdown)", exact=True).fill(
        "New DBA did *online* failovers before."
    )
    with rerun(page):
        review.get_by_role("button", name="Record review").click()
    page.get_by_text("Review recorded: start work").wait_for()
    page.get_by_role("tab", name="Reviews and audit trail").click()
    page.get_by_text("New DBA did online failovers before.").wait_for()
    page.get_by_text("start work (due for revisit → in progress)").first.wait_for()
    no_errors(page)
    page.get_by_test_id("stDataFrame").last.wait_for()
    painted(page)
    screenshot(page, "tracker-review-timeline")

    # Two people edit the same item; the second save is refused with what changed.
    other = new_page(browser)
    pages = {"Ann": page, "Bob": other}
    for name, each in pages.items():
        goto(each, f"{later_app.url}/revisit-tracker?item=1")
        fill_name(each, name)
        each.get_by_role("tab", name="Edit, change state, review").click()
        open_expander(each, "Edit")
    for name, each in pages.items():
        editor = open_expander(each, "Edit")
        editor.get_by_label("Title", exact=True).fill(f"Failover: {name}'s wording")
        with rerun(each):
            editor.get_by_role("button", name="Save changes").click()
    page.get_by_text("Saved. Now version").wait_for()
    other.get_by_text("Not saved: this item was changed by Ann since you opened it").wait_for()
    assert open_expander(other, "Edit").get_by_label("Title", exact=True).input_value() == "Failover: Bob's wording"
    no_errors(other)
    other.get_by_text("Not saved: this item was changed by Ann").scroll_into_view_if_needed()
    painted(other)
    screenshot(other, "tracker-edit-conflict")
    other.context.close()
    page.context.close()
