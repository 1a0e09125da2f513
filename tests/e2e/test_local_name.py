"""Local mode remembers the name a person typed, per browser (issue 11: "Your name" was forgotten on every reload,
deep link or new tab, and the next save was refused)."""

from __future__ import annotations

import pytest

from tests.support.browser import fill_name, new_page, open_app

pytestmark = pytest.mark.e2e
NAME = "Kim Min-jun"


def name_box(page):
    return page.get_by_label("Your name", exact=True)


def test_the_typed_name_survives_a_reload_a_deep_link_and_a_new_tab(browser, app_server):
    page = new_page(browser, 1440, 900)
    open_app(page, app_server)
    fill_name(page, NAME)
    page.wait_for_function("() => document.cookie.includes('reliability_dashboard_name=')")

    open_app(page, app_server)
    assert name_box(page).input_value() == NAME
    open_app(page, f"{app_server}/revisit-tracker")
    assert name_box(page).input_value() == NAME
    other_tab = page.context.new_page()
    open_app(other_tab, f"{app_server}/database-health")
    assert name_box(other_tab).input_value() == NAME
    page.context.close()


def test_another_browser_does_not_get_the_name(browser, app_server):
    first = new_page(browser, 1440, 900)
    open_app(first, app_server)
    fill_name(first, NAME)
    first.wait_for_function("() => document.cookie.includes('reliability_dashboard_name=')")
    second = new_page(browser, 1440, 900)
    open_app(second, app_server)
    assert name_box(second).input_value() == ""
    first.context.close()
    second.context.close()


def test_clearing_the_name_forgets_it(browser, app_server):
    page = new_page(browser, 1440, 900)
    open_app(page, app_server)
    fill_name(page, NAME)
    page.wait_for_function("() => document.cookie.includes('reliability_dashboard_name=')")
    name_box(page).fill("")
    name_box(page).press("Enter")  # no rerun wait: the cookie going is the condition
    page.wait_for_function("() => !document.cookie.includes('reliability_dashboard_name=')", timeout=60_000)
    open_app(page, app_server)
    assert name_box(page).input_value() == ""
    page.context.close()
