"""The pages' imports refuse a file over the import limit with a message naming it, and store nothing.

AppTest does not apply Streamlit's own ``server.maxUploadSize``, so these reach the import code's check: the one
that also guards the CLI."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.incidents.store import incidents_between
from data.store import engine_for
from data.tracker.store import list_items
from metrics.import_limits import MAX_IMPORT_BYTES
from tests.support.apptest import isolated_store

APP = str(Path(__file__).resolve().parents[3] / "app.py")


def oversized(header: str, row: str) -> bytes:
    return (header + row * (MAX_IMPORT_BYTES // len(row) + 1)).encode("utf-8")


@pytest.fixture(autouse=True)
def store(monkeypatch, tmp_path) -> str:
    monkeypatch.setenv("DATABASES_CONFIG", str(tmp_path / "no-databases.toml"))
    return isolated_store(monkeypatch, tmp_path, team_timezone="Europe/Berlin", now="2026-11-24T14:05:00Z")


def open_page(page: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.run()
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def errors(app: AppTest) -> str:
    return "\n".join(str(element.value) for element in app.error)


def test_the_tracker_refuses_an_oversized_import_and_stores_nothing(store):
    app = open_page("pages/tracker/page.py")
    app.text_input(key="identity_name_input").set_value("Ann").run()
    app.file_uploader(key="tracker_import_file").set_value(
        ("items.csv", oversized("title,state,owner_role\n", "Failover takes 9 minutes,new,DBA\n"), "text/csv")
    )
    app.button(key="FormSubmitter:tracker_import_form-Import").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert "items.csv is " in errors(app) and "imports are limited to 5 MB" in errors(app)
    engine = engine_for(store)
    try:
        assert list_items(engine) == []
    finally:
        engine.dispose()


def test_the_incidents_page_refuses_an_oversized_csv_and_stores_nothing(store):
    app = open_page("pages/incidents/page.py")
    app.file_uploader(key="incidents_csv").set_value(
        (
            "incidents.csv",
            oversized("id,service,severity,started\n", "INC-1,checkout,SEV2,2026-11-24T10:00\n"),
            "text/csv",
        )
    )
    app.run()
    [import_button] = [button for button in app.button if button.label == "Import"]
    import_button.click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert "Nothing was imported" in errors(app) and "imports are limited to 5 MB" in errors(app)
    engine = engine_for(store)
    try:
        assert incidents_between(engine, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)) == []
    finally:
        engine.dispose()
