"""What a viewer sees (AppTest, local mode with ``local_role = "viewer"``): every page reads, no form writes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.slo_burn.test_page import APP
from tests.support.apptest import isolated_store, texts

NOW = "2026-11-24T14:05:00Z"


@pytest.fixture(autouse=True)
def viewer_mode(monkeypatch, tmp_path) -> str:
    url = isolated_store(monkeypatch, tmp_path, team_timezone="Europe/Berlin", now=NOW)
    access = tmp_path / "access.toml"
    access.write_text('local_role = "viewer"\n', encoding="utf-8")
    monkeypatch.setenv("ACCESS_CONFIG", str(access))
    monkeypatch.setenv("DATABASES_CONFIG", str(Path(__file__).resolve().parents[3] / "config" / "databases.toml"))
    return url


def run(page: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.session_state["identity_name"] = "Vic"
    app.run()
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def captions(app: AppTest) -> str:
    return texts(app.caption)


def test_the_sidebar_says_local_mode_and_the_role():
    app = run("pages/slo_burn/page.py")
    assert "Local mode: no sign-in. For one person on their own machine, not for shared deployments." in texts(
        app.sidebar.caption
    )
    assert "Your role: viewer." in texts(app.sidebar.caption)


def test_a_viewer_gets_no_new_item_form_in_the_tracker():
    app = run("pages/tracker/page.py")
    assert "Creating items: only editors and admins can; your role is viewer." in captions(app)
    assert "Importing: only admins can; your role is viewer." in captions(app)
    assert not [button for button in app.button if button.label == "Load demo items"]


def test_a_viewer_sees_the_weekly_notes_without_the_editor():
    app = run("pages/weekly_review/page.py")
    assert "Editing the notes: only editors and admins can; your role is viewer." in captions(app)
    assert not [area for area in app.text_area if area.key and area.key.startswith("weekly_notes_text_")]


def test_a_viewer_cannot_save_an_incident():
    app = run("pages/incidents/page.py")
    assert "Recording incidents: only editors and admins can; your role is viewer." in captions(app)
    [save] = [button for button in app.button if button.label == "Save incident"]
    assert save.disabled


def test_a_viewer_gets_no_dba_record_form():
    app = run("pages/database_health/records_page.py")
    assert "Adding DBA records: only editors and admins can; your role is viewer." in captions(app)


def test_a_viewer_cannot_run_the_collectors():
    trends = run("pages/trends/page.py")
    [collect] = [button for button in trends.button if button.label == "Collect"]
    assert collect.disabled
    fleet = run("pages/database_health/page.py")
    [collect_now] = [button for button in fleet.button if button.label == "Collect now"]
    assert collect_now.disabled


def test_the_audit_trail_page_shows_who_wrote_what_as_what_role(viewer_mode):
    from data.incidents.store import save_incidents
    from data.store import engine_for
    from metrics.incidents.rules import Incident
    from tests.support.actors import editor

    engine = engine_for(viewer_mode)
    started = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    save_incidents(engine, [Incident("INC-3", "checkout", "SEV2", started)], actor=editor("kim"), recorded_at=started)
    engine.dispose()
    app = run("pages/audit/page.py")
    [frame] = [element.value for element in app.dataframe]
    assert frame[["who", "role", "action", "what", "id"]].values.tolist() == [
        ["kim", "editor", "created", "incident", "INC-3"]
    ]
