"""Driving the Streamlit app in real Chromium: open it, wait for it, act on it, on conditions and never on a clock.

Every e2e test goes through these helpers, so "the app is ready" means the same everywhere:

- ``open_app(page, url)``: load a URL and wait until the app has rendered it (``settled``), closing the
  "Page not found" notice Streamlit shows on some deep links while it runs the right page (README, "Deep links").
- ``settled(page)``: the root ``stApp`` is connected, its script run is over (``data-test-script-state`` is
  ``notRunning``), the running-man status widget is gone and no element is left stale from the previous run.
- ``rerun(page)``: a ``with`` block around an action that makes the script run again (a button, Enter in a text
  field, a sidebar link): it returns when that new run has finished, not when the old one still looks finished.
- ``painted(page)``: every chart and table on the page has drawn, before a screenshot.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

APP_TIMEOUT_MS = 90_000  # a first run on a loaded 2-core machine (migrations, first probes) takes tens of seconds
DEFAULT_TIMEOUT_MS = 30_000
RUN_SEEN_TIMEOUT_MS = 30_000
PAGE_NOT_FOUND = "Page not found"

# Counts the script runs the browser has seen finish: each time stApp's script state becomes "notRunning" from
# another state. Installed in every document of a context before the page's own scripts run.
_RUN_COUNTER = """
(() => {
  if (window.__finishedRuns !== undefined) return;
  window.__finishedRuns = 0;
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.target.dataset.testid !== 'stApp') continue;
      if (change.target.getAttribute('data-test-script-state') === 'notRunning'
          && change.oldValue !== 'notRunning') window.__finishedRuns += 1;
    }
  }).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                        attributeFilter: ['data-test-script-state']});
})();
"""

_SETTLED = """
() => {
  const app = document.querySelector('[data-testid=stApp]');
  return !!app
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid=stStatusWidget]')
    && !document.querySelector('[data-testid=stElementContainer][data-stale=true]')
    && !document.querySelector('[data-testid=stSkeleton], [data-testid=stAppSkeleton]');
}
"""

# Plotly has drawn its SVG into every chart a person can see, every visible st.dataframe has its canvas (charts and
# grids in a closed expander or another tab are drawn only when shown).
_PAINTED = """
() => {
  const shown = (selector) => [...document.querySelectorAll(selector)].filter((el) => el.checkVisibility());
  return shown('[data-testid=stPlotlyChart]').every((chart) => chart.querySelector('.main-svg'))
      && shown('[data-testid=stDataFrame]').every((grid) => grid.querySelector('canvas'));
}
"""

_NEXT_FRAME = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"

_watched: weakref.WeakSet = weakref.WeakSet()
TABS_AT_ONCE = 4  # a walk over many URLs loads this many tabs side by side: the app serves them concurrently
T = TypeVar("T")


def watch_runs(context) -> None:
    """Count finished script runs in every page ``context`` opens from now on (once per context)."""
    if context not in _watched:
        context.add_init_script(_RUN_COUNTER)
        _watched.add(context)


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def offline(context) -> list[str]:
    """Fail every request ``context`` sends beyond loopback, as a closed network would; the list fills with what was
    tried (a page of the app must send nothing there)."""
    from urllib.parse import urlparse

    outside: list[str] = []

    def only_loopback(route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname in LOOPBACK:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", only_loopback)
    return outside


def new_page(browser, width: int = 1400, height: int = 1000):
    """A page in a fresh browser context (no cookie, no session); close it with ``page.context.close()``."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    watch_runs(context)
    return context.new_page()


def open_side_by_side(
    new_tab: Callable[[], object], urls: Sequence[str], look: Callable[[object, str], T], at_once: int = TABS_AT_ONCE
) -> dict[str, T]:
    """Load every URL, ``at_once`` tabs at a time, and return ``look(page, url)`` for each: a walk over many links
    costs about one load per batch instead of one per link. ``new_tab()`` gives a page (a fresh context, or a new tab
    of one context); each is closed after its look, its context too when it has no other page."""
    seen: dict[str, T] = {}
    for start in range(0, len(urls), at_once):
        batch = list(urls[start : start + at_once])
        pages = [new_tab() for _ in batch]
        try:
            for page, url in zip(pages, batch, strict=True):
                page.goto(url, wait_until="commit")
            for page, url in zip(pages, batch, strict=True):
                seen[url] = look(page, url)
        finally:
            for page in pages:
                context = page.context
                page.close()
                if not context.pages:
                    context.close()
    return seen


def settled(page, timeout: int = APP_TIMEOUT_MS) -> None:
    """Until the app has rendered and no script run is going on (see the module docstring)."""
    page.get_by_test_id("stApp").wait_for(timeout=timeout)
    page.wait_for_function(_SETTLED, timeout=timeout)


def dismiss_page_not_found(page) -> None:
    """Close Streamlit's "Page not found" notice if the run that just finished raised it. Call after ``settled``:
    the notice arrives within the run, so it is in the page by then or not at all."""
    notice = page.get_by_role("dialog").filter(has_text=PAGE_NOT_FOUND)
    if notice.count():
        page.keyboard.press("Escape")
        notice.wait_for(state="hidden")


def open_app(page, url: str, timeout: int = APP_TIMEOUT_MS) -> None:
    """Load ``url`` (a page of the app, a deep link, the sign-in screen) and wait until the app has rendered it."""
    watch_runs(page.context)
    page.goto(url)
    settled(page, timeout)
    dismiss_page_not_found(page)


def finished_runs(page) -> int:
    return page.evaluate("() => window.__finishedRuns || 0")


@contextlib.contextmanager
def rerun(page, timeout: int = APP_TIMEOUT_MS) -> Iterator[None]:
    """``with rerun(page): button.click()``: returns once the run the action started has finished."""
    before = finished_runs(page)
    yield
    try:
        page.wait_for_function(f"() => (window.__finishedRuns || 0) > {before}", timeout=RUN_SEEN_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        # No finished run was seen: on a loaded machine a run can start and end between two observations of the
        # counter's document, or the action was taken by a run already going. The test's next condition says
        # whether the action took effect; this only stops waiting for a run it may never see.
        print(f"rerun: no new finished run seen within {RUN_SEEN_TIMEOUT_MS} ms; waiting for the app to settle")
    settled(page, timeout)


def painted(page, timeout: int = APP_TIMEOUT_MS) -> None:
    """Until the app is settled and every chart and table has drawn, then two animation frames: for screenshots."""
    settled(page, timeout)
    page.wait_for_function(_PAINTED, timeout=timeout)
    page.evaluate(_NEXT_FRAME)


def click_sidebar_page(page, title: str, url_glob: str) -> None:
    """Go to another page the way a person does: its link in the sidebar navigation."""
    with rerun(page):
        page.get_by_test_id("stSidebarNav").get_by_text(title).click()
        page.wait_for_url(url_glob)


def _name_cookie_is(page, name: str, timeout: int) -> bool:
    """True once the browser holds ``name`` in the local-name cookie (the app sets it only after it took the name)."""
    check = (
        "(name) => document.cookie.split('; ').includes('reliability_dashboard_name=' + encodeURIComponent(name))"
        if name
        else "() => !document.cookie.includes('reliability_dashboard_name=')"
    )
    try:
        page.wait_for_function(check, arg=name, timeout=timeout)
    except PlaywrightTimeoutError:
        return False
    return True


def fill_name(page, name: str, attempts: int = 3) -> None:
    """Local mode asks who makes a change: type the name, press Enter, and wait until the app has taken it.

    The condition is the app's own answer (it writes the name into a cookie once it has it), not a count of runs:
    a run still going when the box was filled can redraw the box and swallow the typing, and Enter in an unchanged
    box starts no run at all. So the typing is checked and, if the app never answered, done again."""
    box = page.get_by_label("Your name", exact=True)
    for _attempt in range(attempts):
        settled(page)
        box.fill(name)
        if box.input_value() != name:
            continue
        box.press("Enter")
        if _name_cookie_is(page, name, timeout=APP_TIMEOUT_MS // attempts):
            settled(page)
            return
    raise AssertionError(f"the app did not take the name {name!r} after {attempts} tries")


def open_dialog(page, button_name: str):
    """Press the button that opens a dialog and return the dialog once its contents are drawn."""
    with rerun(page):
        page.get_by_role("button", name=button_name, exact=True).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_test_id("stVerticalBlock").first.wait_for()
    return dialog


def assert_in_place(page) -> None:
    """Still one tab, the app rendered, no "Page not found", no traceback, no panel that could not be shown."""
    assert len(page.context.pages) == 1, [other.url for other in page.context.pages]
    settled(page)
    assert page.get_by_role("dialog").filter(has_text=PAGE_NOT_FOUND).count() == 0
    assert page.get_by_text(PAGE_NOT_FOUND).count() == 0
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_text("Traceback").count() == 0
    assert page.get_by_text("could not be shown").count() == 0


def table_overflow(table) -> int:
    """How many pixels of an ``st.dataframe`` are hidden to its right (0: every column in view without scrolling)."""
    return table.evaluate(
        "(grid) => { const scroller = grid.querySelector('.dvn-scroller');"
        " return scroller ? Math.max(0, scroller.scrollWidth - scroller.clientWidth) : 0; }"
    )
