"""The Audit trail page (AppTest): the service's rows, narrowed by ``?what=`` and ``?who=``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.slo_burn.test_page import APP
from tests.support.apptest import isolated_store

NOW = "2026-11-24T14:05:00Z"
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def store(monkeypatch, tmp_path) -> str:
    from data.incidents.store import save_incidents
    from data.store import engine_for
    from data.weekly.notes import save_note
    from metrics.incidents.rules import Incident
    from tests.support.actors import editor

    url = isolated_store(monkeypatch, tmp_path, team_timezone="Europe/Berlin", now=NOW)
    engine = engine_for(url)
    save_incidents(engine, [Incident("INC-3", "checkout", "SEV2", T0)], actor=editor("kim"), recorded_at=T0)
    save_note(engine, "2026-W47", "retro notes", actor=editor("lee"), base_version=0, now=T0)
    engine.dispose()
    return url


def run(**query) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.session_state["identity_name"] = "Vic"
    app.run()
    app.switch_page("pages/audit/page.py")
    for name, value in query.items():
        app.query_params[name] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def shown(app: AppTest) -> list[list[str]]:
    [frame] = [element.value for element in app.dataframe]
    return frame[["who", "what"]].values.tolist()


def test_without_filters_every_write_shows():
    assert sorted(shown(run())) == [["kim", "incident"], ["lee", "weekly_note"]]


def test_what_in_the_query_string_narrows_to_that_kind():
    assert shown(run(what="incident")) == [["kim", "incident"]]


def test_who_in_the_query_string_narrows_to_that_person():
    assert shown(run(who="lee")) == [["lee", "weekly_note"]]
