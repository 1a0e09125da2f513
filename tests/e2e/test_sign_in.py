"""Sign-in end to end: the app with ``[auth]`` configured, a real OpenID Connect provider on loopback, real
Chromium. Nobody sees data before signing in; the role comes from config/access.toml (address, domain, ID-token
claim); an editor's change is attributed to their address; a viewer gets no forms; someone no rule names gets no
access. An address counts only when ``email_verified`` is true (the provider passes a string "false" or "TRUE"
through unchanged to ``st.user``); without one a person is "sub <subject> at <issuer>", never their display name.
Screenshots: test-artifacts/screenshots/sign-in-*.png.
"""

from __future__ import annotations

import ast
import re
import secrets
from pathlib import Path

import pytest

from data.store import engine_for
from data.store.audit import audit_entries
from tests.support.browser import (
    click_sidebar_page,
    dismiss_page_not_found,
    new_page,
    open_app,
    open_dialog,
    open_side_by_side,
    painted,
    rerun,
    settled,
)
from tests.support.oidc import oidc_provider_available, start_oidc_provider, write_auth_secrets
from tests.support.servers import ARTIFACTS_DIR, free_port, require, screenshot, start_app

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]

USERS = [
    {"sub": "alice", "email": "alice@example.com", "email_verified": True, "name": "Alice"},
    {"sub": "bob", "email": "bob@example.com", "email_verified": True, "name": "Bob"},
    {
        "sub": "carol",
        "email": "carol@partner.org",
        "email_verified": True,
        "name": "Carol",
        "groups": ["reliability-admins"],
    },
    {"sub": "dave", "email": "dave@elsewhere.net", "email_verified": True, "name": "Dave"},
    {"sub": "mallory", "email": "admin@example.com", "email_verified": "false"},
    {"sub": "trudy", "email": "alice@example.com", "name": "Alice"},
    {"sub": "eve", "name": "alice@example.com"},
    {"sub": "erin", "name": "alice@example.com", "preferred_username": "alice@example.com", "groups": ["sre"]},
    {"sub": "peggy", "email": "peggy@example.com", "email_verified": "TRUE", "name": "Peggy"},
]
COOKIE_SECRET = secrets.token_hex(32)


def navigation_pages() -> list[tuple[str, str]]:
    """(script path, url_path) of every ``st.Page`` in app.py's ``st.navigation``: the pages as the app serves them."""
    tree = ast.parse((REPO / "app.py").read_text(encoding="utf-8"))
    pages = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Page":
            url_path = next(keyword.value.value for keyword in node.keywords if keyword.arg == "url_path")
            pages.append((node.args[0].value, url_path))
    return pages


PAGES = tuple(url_path for _, url_path in navigation_pages())
# Every query parameter a page of the app reads, at once: a shared link to any drill-down.
DEEP_QUERY = (
    "?slo=checkout-availability&item=1&database=orders-primary&service=checkout&grain=month&at=2026-11-01T00:00:00Z"
)


def signed_out_paths() -> list[str]:
    """Every way a URL could name a page: each page's url_path (bare, with a trailing slash, in capitals, with the
    query strings its links carry) and the entry points; then, for the names that are no page of the app (Streamlit
    serves them all the same way, as an unknown path), each kind once: a script's file path (Streamlit's older
    `pages/` multipage mode served /<file stem>), a feature folder with and without a query, and a module's name."""
    paths = {"/", f"/{DEEP_QUERY}", "/app", "/app.py", "/cli", "/main", "/index", "/pages", "/pages/"}
    for _, url_path in navigation_pages():
        paths |= {f"/{url_path}", f"/{url_path}/", f"/{url_path.upper()}", f"/{url_path}{DEEP_QUERY}"}
    script = Path(navigation_pages()[-1][0])  # pages/<feature>/page.py
    paths |= {
        f"/{script.with_suffix('')}",
        f"/{script}",
        f"/{script.parent.name}",
        f"/{script.parent.name}{DEEP_QUERY}",
    }
    module = min((REPO / "pages").rglob("widgets.py"))
    paths |= {f"/{module.stem}", f"/{module.relative_to(REPO).with_suffix('')}"}
    return sorted(paths)


ACCESS = """
default_role = "none"
[members]
admin = ["admin@example.com"]
editor = ["alice@example.com"]
viewer = ["@example.com"]
[claim]
name = "groups"
admin = ["reliability-admins"]
editor = ["sre"]
"""


@pytest.fixture(scope="module")
def provider():
    require("oidc-provider-mock", oidc_provider_available(), "the `oidc-provider-mock` package (requirements-dev.txt)")
    with start_oidc_provider(USERS) as running:
        yield running


@pytest.fixture(scope="module")
def signed_app(tmp_path_factory, provider):
    base = tmp_path_factory.mktemp("sign-in")
    (base / "access.toml").write_text(ACCESS, encoding="utf-8")
    port = free_port()
    secrets_file = write_auth_secrets(
        base / "secrets.toml", app_port=port, provider=provider, cookie_secret=COOKIE_SECRET
    )
    env = {
        "STREAMLIT_SECRETS_FILES": str(secrets_file),
        "RELIABILITY_SECRETS_FILE": str(secrets_file),
        "ACCESS_CONFIG": str(base / "access.toml"),
        "RELIABILITY_NOW": "2026-11-24T05:00:00Z",
    }
    with start_app(env, port=port, keep_log_in=ARTIFACTS_DIR / "logs") as app:
        yield app


def sign_in(browser, app, sub: str):
    """A fresh browser (no cookie) that signs in as ``sub`` through the provider's authorization page."""
    page = new_page(browser)
    open_app(page, app.url)
    page.get_by_text("Sign in to see the team's SLOs").wait_for()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/oauth2/authorize"))
    page.get_by_role("button", name=sub, exact=True).click()
    page.wait_for_url(re.compile(rf"^{re.escape(app.url)}/?(\?.*)?$"))
    settled(page)
    return page.context, page


def test_nobody_sees_a_page_before_signing_in(browser, signed_app):
    page = new_page(browser, height=900)
    try:
        open_app(page, f"{signed_app.url}/revisit-tracker")
        page.get_by_text("Sign in to see the team's SLOs").wait_for()
        assert page.get_by_test_id("stSidebarNav").count() == 0
        assert page.get_by_text("SLO burn").count() == 0
        screenshot(page, "sign-in-page")
    finally:
        page.context.close()


def sign_in_screen(page) -> dict:
    """What the main area shows, element by element, and whether anything else of the app is on the page."""
    return {
        "elements": page.locator("[data-testid=stMain] [data-testid]").evaluate_all(
            "(nodes) => nodes.map((node) => node.dataset.testid)"
        ),
        "text": page.get_by_test_id("stMain").inner_text(),
        "sidebar": page.get_by_test_id("stSidebar").count(),
        "navigation": page.get_by_test_id("stSidebarNav").count(),
    }


def test_a_visitor_who_has_not_signed_in_reaches_no_page_by_any_url(browser, signed_app):
    page = new_page(browser, height=900)
    try:
        open_app(page, signed_app.url)
        expected = sign_in_screen(page)
        assert page.get_by_role("button", name="Sign in").count() == 1
        assert "Sign in to see the team's SLOs" in expected["text"]
        assert (expected["sidebar"], expected["navigation"]) == (0, 0)
        assert not [title for title in ("SLO burn", "Reliability trends", "Audit trail") if title in expected["text"]]
        paths = signed_out_paths()
        blank = {path: nothing_of_the_app(page, f"{signed_app.url}{path}") for path in paths if nested(path)}

        def screen(tab, url: str) -> dict:
            settled(tab)
            dismiss_page_not_found(tab)
            tab.get_by_text("Sign in to see the team's SLOs").wait_for()
            assert "checkout-availability" not in tab.content(), url
            return sign_in_screen(tab)

        urls = {f"{signed_app.url}{path}": path for path in paths if not nested(path)}
        shown = {urls[url]: seen for url, seen in open_side_by_side(page.context.new_page, list(urls), screen).items()}
    finally:
        page.context.close()
    assert len(shown) > 3 * len(PAGES) and blank
    assert {path: screen for path, screen in shown.items() if screen != expected} == {}
    assert {path: text for path, text in blank.items() if text} == {}


def nested(path: str) -> bool:
    """A path of two or more segments, like /pages/tracker/page: Streamlit loads its scripts relative to the page
    (./static/...), so there the browser gets no script and the app does not start at all."""
    return "/" in path.split("?")[0].strip("/")


def nothing_of_the_app(page, url: str) -> str:
    """Load ``url`` where the app cannot start; returns what the page shows (its visible text): nothing."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("stApp").count() == 0, url
    return page.locator("body").inner_text().strip()


def test_an_editor_signs_in_and_a_change_carries_their_address(browser, signed_app):
    context, page = sign_in(browser, signed_app, "alice")
    try:
        page.get_by_text("Signed in as alice@example.com · editor").wait_for()
        screenshot(page, "sign-in-editor")
        click_sidebar_page(page, "Revisit tracker", "**/revisit-tracker")
        form = open_dialog(page, "New item")
        form.get_by_label("Title", exact=True).fill("Vendor failover takes 9 minutes")
        with rerun(page):
            form.get_by_role("button", name="Create item").click()
        page.get_by_text("Created item #1").wait_for()
        with rerun(page):
            page.get_by_role("button", name="Open item #1").click()
        page.get_by_role("tab", name="Reviews and audit trail").click()
        page.get_by_test_id("stDataFrame").last.wait_for()
        painted(page)
        screenshot(page, "sign-in-editor-audit")
        engine = engine_for(signed_app.database_url)
        try:
            [entry] = audit_entries(engine, entity="tracker_item")
        finally:
            engine.dispose()
        assert (entry["actor"], entry["role"], entry["via"], entry["action"]) == (
            "alice@example.com",
            "editor",
            "oidc",
            "created",
        )
    finally:
        context.close()


def test_a_viewer_reads_everything_but_gets_no_forms(browser, signed_app):
    context, page = sign_in(browser, signed_app, "bob")
    try:
        page.get_by_text("Signed in as bob@example.com · viewer").wait_for()
        open_app(page, f"{signed_app.url}/revisit-tracker")
        page.get_by_text("Creating items: only editors and admins can; your role is viewer.").wait_for()
        assert page.get_by_role("button", name="New item").count() == 0
        open_app(page, f"{signed_app.url}/incidents")
        page.get_by_text("Recording incidents: only editors and admins can").wait_for()
        assert page.get_by_role("button", name="Save incident").is_disabled()
        page.get_by_test_id("stSelectbox").first.wait_for()
        painted(page)
        screenshot(page, "sign-in-viewer-incidents")
    finally:
        context.close()


def test_a_group_claim_makes_an_admin(browser, signed_app):
    context, page = sign_in(browser, signed_app, "carol")
    try:
        page.get_by_text("Signed in as carol@partner.org · admin").wait_for()
    finally:
        context.close()


def test_someone_no_rule_names_gets_no_access(browser, signed_app):
    context, page = sign_in(browser, signed_app, "dave")
    try:
        page.get_by_text("dave@elsewhere.net is signed in but has no role in this dashboard").wait_for()
        assert page.get_by_test_id("stSidebarNav").count() == 0
        screenshot(page, "sign-in-no-access")
    finally:
        context.close()


def no_access_shown(page, name: str) -> None:
    """The no-role page for ``name``, with no page of the app behind it."""
    page.get_by_text(f"{name} is signed in but has no role in this dashboard").wait_for()
    assert page.get_by_test_id("stSidebarNav").count() == 0
    assert page.get_by_text("Signed in as").count() == 0


def test_an_address_marked_unverified_by_the_string_false_gets_no_role_from_it(browser, signed_app, provider):
    context, page = sign_in(browser, signed_app, "mallory")
    try:
        no_access_shown(page, f"sub mallory at {provider.url}")
        page.get_by_text("does not mark an e-mail address of yours as verified").wait_for()
        assert page.get_by_text("admin@example.com").count() == 0
        assert page.get_by_test_id("stAlert").get_by_role("link").count() == 0
        screenshot(page, "sign-in-unverified-address")
    finally:
        context.close()


def test_an_address_without_email_verified_is_not_matched(browser, signed_app, provider):
    context, page = sign_in(browser, signed_app, "trudy")
    try:
        no_access_shown(page, f"sub trudy at {provider.url}")
        assert page.get_by_text("alice@example.com").count() == 0
    finally:
        context.close()


def test_a_display_name_that_is_an_address_is_not_who_you_are(browser, signed_app, provider):
    context, page = sign_in(browser, signed_app, "eve")
    try:
        no_access_shown(page, f"sub eve at {provider.url}")
        assert page.get_by_text("alice@example.com").count() == 0
    finally:
        context.close()


def test_email_verified_as_the_string_true_counts_in_any_case(browser, signed_app):
    context, page = sign_in(browser, signed_app, "peggy")
    try:
        page.get_by_text("Signed in as peggy@example.com · viewer").wait_for()
    finally:
        context.close()


def test_a_group_editor_without_an_address_writes_under_issuer_and_subject(browser, signed_app, provider):
    name = f"sub erin at {provider.url}"
    context, page = sign_in(browser, signed_app, "erin")
    try:
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text(f"Signed in as {name} · editor").wait_for()
        sidebar.get_by_text(
            "Display name from the provider, not verified and not your identity here: alice@example.com"
        ).wait_for()
        assert sidebar.get_by_text("Signed in as alice@example.com").count() == 0
        assert sidebar.get_by_test_id("stCaptionContainer").get_by_role("link").count() == 0
        screenshot(page, "sign-in-subject-identity")
        click_sidebar_page(page, "Incidents", "**/incidents")
        page.get_by_label("Incident id", exact=True).fill("INC-ERIN-1")
        page.get_by_label("Summary", exact=True).fill("Recorded by a group editor with no address")
        with rerun(page):
            page.get_by_role("button", name="Save incident").click()
        page.get_by_text("Incident INC-ERIN-1 recorded.").wait_for()
        engine = engine_for(signed_app.database_url)
        try:
            entries = [
                entry for entry in audit_entries(engine, entity="incident") if entry["entity_id"] == "INC-ERIN-1"
            ]
        finally:
            engine.dispose()
        assert [(entry["actor"], entry["role"], entry["via"]) for entry in entries] == [(name, "editor", "oidc")]
        open_app(page, f"{signed_app.url}/audit-trail")
        page.locator("[data-testid=stDataFrame] td", has_text=name).first.wait_for(state="attached")
    finally:
        context.close()


def test_signing_out_returns_to_the_sign_in_page(browser, signed_app):
    context, page = sign_in(browser, signed_app, "alice")
    try:
        page.get_by_role("button", name="Sign out").click()
        # The provider announces an end_session_endpoint, so Streamlit ends the session there too; the provider
        # asks to confirm, then returns to the app.
        page.get_by_role("button", name="End session").click()
        page.wait_for_url(re.compile(rf"^{re.escape(signed_app.url)}/?(\?.*)?$"))
        page.get_by_text("Sign in to see the team's SLOs").wait_for()
        screenshot(page, "sign-in-signed-out")
    finally:
        context.close()


def test_the_sign_in_secrets_appear_on_no_page_and_in_no_log_line(browser, signed_app):
    context, page = sign_in(browser, signed_app, "carol")
    try:
        rendered = []
        for path in PAGES:
            open_app(page, f"{signed_app.url}/{path}")
            rendered.append(page.content())
    finally:
        context.close()
    log = signed_app.log_path.read_text(errors="replace")
    for secret in (COOKIE_SECRET, "test-client-secret"):
        assert not [path for path, html in zip(PAGES, rendered) if secret in html]
        assert secret not in log
