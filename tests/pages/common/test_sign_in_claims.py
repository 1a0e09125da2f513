"""Sign-in claims the real provider in tests/e2e cannot send (it insists on a ``sub``), through AppTest's
``st.user``: someone with nothing to attribute writes to gets no access, and a display name stays a label."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.slo_burn.test_page import APP
from tests.support.apptest import isolated_store, texts

ISSUER = "https://id.example.org"
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "reliability-dashboard",
    "client_secret": "test-client-secret",
    "server_metadata_url": f"{ISSUER}/.well-known/openid-configuration",
}


@pytest.fixture(autouse=True)
def access_rules(monkeypatch, tmp_path) -> None:
    isolated_store(monkeypatch, tmp_path, team_timezone="UTC", now="2026-11-24T14:05:00Z")
    access = tmp_path / "access.toml"
    access.write_text('default_role = "viewer"\n[members]\nadmin = ["alice@example.com"]\n', encoding="utf-8")
    monkeypatch.setenv("ACCESS_CONFIG", str(access))


def signed_in(claims: dict) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.secrets["auth"] = AUTH
    app.user = {"is_logged_in": True, "iss": ISSUER, **claims}
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_someone_without_a_subject_gets_no_access_even_with_a_listed_address():
    app = signed_in({"email": "alice@example.com", "email_verified": True, "name": "alice@example.com"})
    assert "your provider sent no subject (`sub`) or issuer (`iss`) claim" in texts(app.warning)
    assert not [button for button in app.button if button.label == "Create item"]


def test_a_display_name_is_shown_only_as_an_unverified_label_without_its_markdown():
    app = signed_in({"sub": "eve", "name": "[alice@example.com](https://evil.example) `x`"})
    captions = texts(app.sidebar.caption)
    assert "Signed in as ` sub eve at https://id.example.org ` · viewer" in captions
    assert (
        "Display name from the provider, **not verified** and not your identity here: "
        "`` [alice@example.com](https://evil.example) `x` ``" in captions
    )
