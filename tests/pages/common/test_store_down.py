"""The store down, in Streamlit's AppTest against a real PostgreSQL store that the tests stop and restart.

Pages that read only the SLO source still work; every form that writes refuses plainly ("the store is unreachable:
your edit was not saved; it is still in the form"), keeps what was typed, and saves it once the store is back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.databases.store import list_records
from data.store import engine_for, migrate
from data.tracker.store import list_items
from data.weekly.notes import get_note
from tests.support.apptest import SETTINGS_VARIABLES, texts
from tests.support.servers import PostgresServer, postgres_available, require, start_postgres

ROOT = Path(__file__).resolve().parents[3]
APP = str(ROOT / "app.py")
REFUSED = "The store is unreachable: your edit was not saved; it is still in the form"
NOW = "2026-11-24T14:05:00Z"  # a Tuesday: the weekly review opens on 2026-W47


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    require("postgresql", postgres_available(), "PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)")
    with start_postgres() as server:
        yield server


@pytest.fixture
def store(postgres, monkeypatch, tmp_path) -> Iterator[str]:
    """A migrated store of the test's own; PostgreSQL runs again after the test, whatever happened."""
    for name in (*SETTINGS_VARIABLES, "RELIABILITY_NOW", "DATABASES_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    url = postgres.create_database(f"store_{uuid.uuid4().hex[:8]}")
    migrate(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("RELIABILITY_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("TEAM_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("RELIABILITY_NOW", NOW)
    try:
        yield url
    finally:
        if not (postgres.data_dir / "postmaster.pid").exists():
            postgres.start()


def run_page(path: str | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.run()
    if path:
        app.switch_page(path)
        app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def no_exception(app: AppTest) -> AppTest:
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_slo_burn_renders_every_slo_while_the_store_is_down(store, postgres):
    postgres.stop()
    app = run_page()
    assert len(app.dataframe[0].value) == 9
    assert app.metric  # the headline counts
    assert "postgresql+psycopg://" not in texts(app.error)


def test_a_new_tracker_item_is_refused_while_the_store_is_down_and_saved_after(store, postgres):
    app = run_page("pages/tracker/page.py")
    app.sidebar.text_input(key="identity_name_input").set_value("Ann").run()
    app.button(key="tracker_new_item").click().run()
    app.text_input(key="tracker_new_title").set_value("Failover takes 9 minutes")
    app.text_area(key="tracker_new_problem_statement").set_value("Measured in the last drill")
    postgres.stop()
    no_exception(app.button(key="FormSubmitter:tracker_new_form-Create item").click().run())
    errors = texts(app.error)
    assert REFUSED in errors and "Could not create the item: the PostgreSQL store on 127.0.0.1:" in errors
    assert "The store is unreachable: the tracker cannot be shown" in errors
    assert app.text_input(key="tracker_new_title").value == "Failover takes 9 minutes"
    assert app.text_area(key="tracker_new_problem_statement").value == "Measured in the last drill"

    postgres.start()
    no_exception(app.button(key="FormSubmitter:tracker_new_form-Create item").click().run())
    [item] = list_items(engine_for(store))
    assert (item.title, item.problem_statement) == ("Failover takes 9 minutes", "Measured in the last drill")


def test_a_dba_record_is_refused_while_the_store_is_down_and_saved_after(store, postgres):
    app = run_page("pages/database_health/records_page.py")
    app.selectbox(key="records_database").set_value("orders-primary").run()
    app.text_input(key="records_page_form_by").input("kim")
    app.text_area(key="records_page_form_notes").input("Restored into a scratch server; counts matched")
    postgres.stop()
    no_exception(app.button[0].click().run())
    assert REFUSED in texts(app.error)
    assert app.text_input(key="records_page_form_by").value == "kim"
    assert app.text_area(key="records_page_form_notes").value == "Restored into a scratch server; counts matched"

    postgres.start()
    no_exception(app.button[0].click().run())
    assert "Recorded backup verified for orders-primary" in texts(app.success)
    [record] = list_records(store, "orders-primary")
    assert record.notes == "Restored into a scratch server; counts matched"


def test_weekly_notes_are_refused_while_the_store_is_down_and_saved_after(store, postgres):
    app = run_page("pages/weekly_review/page.py")
    app.sidebar.text_input(key="identity_name_input").input("Kim").run()
    app.text_area(key="weekly_notes_text_2026-W47").input("Ship the retry fix by Friday")
    postgres.stop()
    no_exception(app.button[-1].click().run())
    errors = texts(app.error)
    assert "The store is unreachable: the review of 2026-W47 cannot be shown" in errors
    assert REFUSED in errors
    assert app.text_area(key="weekly_notes_text_2026-W47").value == "Ship the retry fix by Friday"

    postgres.start()
    no_exception(app.button[-1].click().run())
    note = get_note(engine_for(store), "2026-W47")
    assert (note.text, note.author, note.version) == ("Ship the retry fix by Friday", "Kim", 1)
