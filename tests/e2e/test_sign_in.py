"""Sign-in end to end: the app with ``[auth]`` configured, a real OpenID Connect provider on loopback, real
Chromium. Nobody sees data before signing in; the role comes from config/access.toml (address, domain, ID-token
claim); an editor's change is attributed to their address; a viewer gets no forms; someone no rule names gets no
access. An address counts only when ``email_verified`` is true (the provider passes a string "false" or "TRUE"
through unchanged to ``st.user``); without one a person is "sub <subject> at <issuer>", never their display name.
Screenshots: test-artifacts/screenshots/sign-in-*.png.
"""

from __future__ import annotations

import re
import secrets

import pytest

from data.store import engine_for
from data.store.audit import audit_entries
from tests.support.oidc import oidc_provider_available, start_oidc_provider, write_auth_secrets
from tests.support.servers import ARTIFACTS_DIR, free_port, require, screenshot, start_app

pytestmark = pytest.mark.e2e

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
PAGES = (
    "slo-burn",
    "trends",
    "incidents",
    "weekly-review",
    "database-health",
    "dba-records",
    "revisit-tracker",
    "audit-trail",
)
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


def settled(page) -> None:
    page.get_by_test_id("stApp").wait_for()
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)
    page.wait_for_timeout(500)


def sign_in(browser, app, sub: str):
    """A fresh browser (no cookie) that signs in as ``sub`` through the provider's authorization page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(app.url)
    page.get_by_text("Sign in to see the team's SLOs").wait_for()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/oauth2/authorize"))
    page.get_by_role("button", name=sub, exact=True).click()
    page.wait_for_url(re.compile(rf"^{re.escape(app.url)}/?(\?.*)?$"))
    settled(page)
    return context, page


def test_nobody_sees_a_page_before_signing_in(browser, signed_app):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{signed_app.url}/revisit-tracker")
        page.get_by_text("Sign in to see the team's SLOs").wait_for()
        settled(page)
        assert page.get_by_test_id("stSidebarNav").count() == 0
        assert page.get_by_text("SLO burn").count() == 0
        screenshot(page, "sign-in-page")
    finally:
        context.close()


def test_an_editor_signs_in_and_a_change_carries_their_address(browser, signed_app):
    context, page = sign_in(browser, signed_app, "alice")
    try:
        page.get_by_text("Signed in as alice@example.com · editor").wait_for()
        screenshot(page, "sign-in-editor")
        page.get_by_test_id("stSidebarNav").get_by_text("Revisit tracker").click()
        settled(page)
        page.locator("summary", has_text="New item").click()
        form = page.get_by_test_id("stExpander").filter(has=page.locator("summary", has_text="New item"))
        form.get_by_label("Title", exact=True).fill("Vendor failover takes 9 minutes")
        form.get_by_role("button", name="Create item").click()
        settled(page)
        page.get_by_text("Created item #1").wait_for()
        page.get_by_role("button", name="Open item #1").click()
        settled(page)
        page.get_by_role("tab", name="Reviews and audit trail").click()
        page.get_by_test_id("stDataFrame").last.wait_for()
        page.wait_for_timeout(800)
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
        page.goto(f"{signed_app.url}/revisit-tracker")
        settled(page)
        page.get_by_text("Creating items: only editors and admins can; your role is viewer.").wait_for()
        assert page.locator("summary", has_text="New item").count() == 0
        page.goto(f"{signed_app.url}/incidents")
        settled(page)
        page.get_by_text("Recording incidents: only editors and admins can").wait_for()
        assert page.get_by_role("button", name="Save incident").is_disabled()
        page.get_by_test_id("stSelectbox").first.wait_for()
        page.wait_for_timeout(800)
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
        page.get_by_test_id("stSidebarNav").get_by_text("Incidents").click()
        page.wait_for_url(re.compile(r"/incidents"))
        page.get_by_label("Incident id", exact=True).fill("INC-ERIN-1")
        page.get_by_label("Summary", exact=True).fill("Recorded by a group editor with no address")
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
        page.goto(f"{signed_app.url}/audit-trail")
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
            page.goto(f"{signed_app.url}/{path}")
            settled(page)
            rendered.append(page.content())
    finally:
        context.close()
    log = signed_app.log_path.read_text(errors="replace")
    for secret in (COOKIE_SECRET, "test-client-secret"):
        assert not [path for path, html in zip(PAGES, rendered) if secret in html]
        assert secret not in log
