"""Injection through the pages' links and text boxes, in AppTest on a real SQLite store: every value is matched or
stored as a value, shown as text, and no table is dropped; user text with HTML is never rendered as HTML.

PromQL values reach a query only after matching a catalog name (``?slo=``, ``?service=``), so an injection is an
unknown name with a clear message; the real-Prometheus and PostgreSQL halves are in tests/integration."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import cli
from data.store import engine_for
from data.tracker.store import list_items
from data.weekly.notes import note_history
from tests.support.apptest import isolated_store, texts
from tests.support.stores import table_names

ROOT = Path(__file__).resolve().parents[3]
APP = str(ROOT / "app.py")
NOW = "2026-11-24T14:05:00Z"
SQL = "'; DROP TABLE tracker_items; --"
PROMQL = 'checkout"}) or vector(1) or sum(up{a="'
HTML = "<script>alert('x')</script><img src=x onerror=alert(1)>"
TABLES = {
    "tracker_items",
    "tracker_reviews",
    "audit_log",
    "incidents",
    "weekly_notes",
    "weekly_note_versions",
    "dba_records",
}


@pytest.fixture(autouse=True)
def store_url(monkeypatch, tmp_path) -> str:
    monkeypatch.setenv("DATABASES_CONFIG", str(ROOT / "config" / "databases.toml"))
    for name in [n for n in os.environ if n.startswith("DB_DSN_")]:
        monkeypatch.delenv(name)
    return isolated_store(monkeypatch, tmp_path, team_timezone="Europe/Berlin", now=NOW)


PAGE_FILES = {
    "db_fleet": "pages/database_health/page.py",
    "slo_burn": "pages/slo_burn/page.py",
    "tracker": "pages/tracker/page.py",
    "weekly_review": "pages/weekly_review/page.py",
}


def page(name: str, query: dict[str, str] | None = None, identity: str | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.run()
    app.switch_page(PAGE_FILES[name])
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    if identity:
        app.text_input(key="identity_name_input").set_value(identity).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def seed_items(tmp_path, titles: list[str]) -> None:
    path = tmp_path / "seed.json"
    path.write_text(
        json.dumps(
            {
                "items": [
                    {"title": title, "state": "new", "owner_role": "SRE", "problem_statement": HTML} for title in titles
                ]
            }
        ),
        encoding="utf-8",
    )
    assert cli.main(["tracker", "import", "--file", str(path), "--as", "seed"]) == 0


# --- PromQL through the links ------------------------------------------------------------------------------------


def test_an_slo_link_with_promql_in_it_is_an_unknown_slo():
    app = page("slo_burn", {"slo": PROMQL})
    assert "There is no SLO named" in texts(app.error)
    assert not app.dataframe


def test_a_service_link_with_promql_in_it_is_ignored_and_every_slo_still_shows():
    app = page("slo_burn", {"service": PROMQL})
    assert len(app.dataframe[0].value) == 9
    assert any("Ignored unknown service filter" in caption.value for caption in app.caption)


# --- SQL through the links and the search box ----------------------------------------------------------------------


@pytest.mark.parametrize("item", ["1 OR 1=1", "1; DROP TABLE tracker_items", "' OR '1'='1"])
def test_an_item_link_with_sql_in_it_is_an_unknown_item_and_nothing_changes(store_url, tmp_path, item):
    seed_items(tmp_path, ["Failover takes 9 minutes"])
    app = page("tracker", {"item": item})
    assert "There is no tracker item" in texts(app.error)
    engine = engine_for(store_url)
    try:
        assert [i.title for i in list_items(engine)] == ["Failover takes 9 minutes"]
    finally:
        engine.dispose()
    assert TABLES <= table_names(store_url)


def test_the_search_box_treats_sql_as_words_to_find(store_url, tmp_path):
    seed_items(tmp_path, ["Failover takes 9 minutes", f"Vendor tool logs {SQL} verbatim"])
    app = page("tracker", {"search": SQL})
    [items] = [frame.value for frame in app.dataframe if list(frame.value.columns)[:1] == ["item"]]
    assert items["title"].tolist() == [f"Vendor tool logs {SQL} verbatim"]
    assert TABLES <= table_names(store_url)


def test_a_database_link_with_sql_in_it_is_an_unknown_database(store_url):
    app = page("db_fleet", {"database": "'; DROP TABLE dba_records; --"})
    assert "There is no database named" in texts(app.error)
    assert TABLES <= table_names(store_url)


def test_a_week_link_with_sql_in_it_says_so_and_shows_the_default_week(store_url):
    app = page("weekly_review", {"week": "2026-W47'; DROP TABLE weekly_notes; --"})
    assert "?week=2026-W47'; DROP TABLE weekly_notes; --" in texts(app.error)
    assert app.selectbox(key="weekly_week").value == "2026-W47"
    assert TABLES <= table_names(store_url)


# --- HTML in people's text -------------------------------------------------------------------------------------------


def test_a_problem_statement_with_html_is_shown_as_text(tmp_path):
    seed_items(tmp_path, ["Failover takes 9 minutes"])
    app = page("tracker", {"item": "1"})
    shown = [m for m in app.markdown if "<script>" in m.value]
    assert shown and all(not m.proto.allow_html for m in shown)
    assert all(not m.proto.allow_html for m in app.markdown)


def test_weekly_notes_with_html_are_stored_verbatim_and_shown_as_code_not_html(store_url):
    app = page("weekly_review", identity="Ann")
    for text in (f"Decided: {HTML}", f"Decided: {HTML}\n{SQL}"):  # two saves: the history lists both versions
        app.text_area(key="weekly_notes_text_2026-W47").input(text)  # inside the form: sent with the submit
        app.button(key="FormSubmitter:weekly_notes_2026-W47-Save notes").click().run()
        assert not app.exception, [e.value for e in app.exception]
    engine = engine_for(store_url)
    try:
        newest_first = [v.text for v in note_history(engine, "2026-W47")]
        assert newest_first == [f"Decided: {HTML}\n{SQL}", f"Decided: {HTML}"]
    finally:
        engine.dispose()
    assert {f"Decided: {HTML}", f"Decided: {HTML}\n{SQL}"} <= {code.value for code in app.code}
    assert all(not m.proto.allow_html for m in app.markdown)
    assert TABLES <= table_names(store_url)
