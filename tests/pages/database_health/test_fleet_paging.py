"""The fleet page at 150 databases in AppTest: one page of 50 rows sent at a time (?db_page=), grouped by server or
environment (?db_group=) worst first, with the search, while the headline counts count the whole fleet. The
databases are real probes of two closed ports (each refused at once) and some without a DSN."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.apptest import MARKDOWN_ESCAPE, isolated_store, texts
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[3]
FLEET = str(ROOT / "pages" / "database_health" / "page.py")


@pytest.fixture(autouse=True)
def fleet_of_150(monkeypatch, tmp_path) -> tuple[int, int]:
    import os

    for name in list(os.environ):
        if name.startswith(("DB_DSN_", "DATABASES_CONFIG")):
            monkeypatch.delenv(name)
    isolated_store(monkeypatch, tmp_path, team_timezone="UTC", now="2026-11-24T14:05:00Z")
    monkeypatch.setenv("PROMETHEUS_URL", "http://127.0.0.1:9")  # not demo mode: no DSN reads "not configured"
    ports = sorted((free_port(), free_port()), key=str)  # groups of a status sort by name
    lines = ["[probe]", "deadline_seconds = 20", "connect_timeout_seconds = 2"]
    for prefix, environment, port in (("a", "production", ports[0]), ("b", "staging", ports[1]), ("c", "test", None)):
        for index in range(60 if port else 30):
            name = f"{prefix}-{index:02d}"
            lines += ["[[database]]", f'name = "{name}"', 'engine = "postgresql"', f'environment = "{environment}"']
            if port:
                monkeypatch.setenv(f"DB_DSN_{prefix.upper()}_{index:02d}", f"postgresql://monitor@127.0.0.1:{port}/x")
    path = tmp_path / "databases.toml"
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setenv("DATABASES_CONFIG", str(path))
    return ports


def run(query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(FLEET, default_timeout=120)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def headings(app: AppTest) -> list[str]:
    shown = [MARKDOWN_ESCAPE.sub(r"\1", m.value) for m in app.markdown]
    return [text for text in shown if text.startswith("**") and " database" in text]


def test_one_page_of_50_rows_is_sent_and_the_cards_count_the_whole_fleet():
    app = run()
    assert len(app.dataframe) == 1 and len(app.dataframe[0].value) == 50
    assert [m.value for m in app.metric] == ["120", "0", "0", "0", "0", "30"]  # critical … ok, not configured
    assert "Page 1 of 3: databases 1–50 of 150 matching (150 in all)" in texts(app.caption)
    assert [w.key for w in app.number_input] == ["db_page"]


def test_the_last_page_from_the_link_holds_what_is_least_urgent():
    app = run({"db_page": "3"})
    frame = app.dataframe[0].value
    assert len(frame) == 50
    assert set(frame["status"][-30:]) == {"○ not configured"}  # the unconfigured come after every critical one
    assert "Page 3 of 3: databases 101–150 of 150" in texts(app.caption)


def test_a_page_past_the_end_shows_the_last_page():
    app = run({"db_page": "9"})
    assert "Page 3 of 3" in texts(app.caption)


def test_grouped_by_server_each_section_names_its_server_with_the_whole_groups_counts(fleet_of_150):
    first_port, second_port = fleet_of_150
    app = run({"db_group": "server"})
    assert headings(app) == [f"**127.0.0.1:{first_port}** (server) · 60 databases: ■ critical 60"]
    assert len(app.dataframe[0].value) == 50

    app = run({"db_group": "server", "db_page": "2"})
    assert headings(app) == [
        f"**127.0.0.1:{first_port}** (server) · 60 databases: ■ critical 60 (continued from the previous page)",
        f"**127.0.0.1:{second_port}** (server) · 60 databases: ■ critical 60",
    ]
    assert [len(table.value) for table in app.dataframe] == [10, 40]
    assert set(app.dataframe[0].value["database"]) == {f"a-{i:02d}" for i in range(50, 60)}

    app = run({"db_group": "server", "db_page": "3"})
    assert headings(app)[-1] == "**server unknown** (server) · 30 databases: ○ unknown 30"


def test_grouped_by_environment_with_the_search_the_page_holds_one_environment():
    app = run({"db_group": "environment", "db_search": "staging"})
    assert headings(app) == ["**staging** (environment) · 60 databases: ■ critical 60"]
    assert set(app.dataframe[0].value["database"]) <= {f"b-{i:02d}" for i in range(60)}
    assert "Page 1 of 2: databases 1–50 of 60 matching (150 in all)" in texts(app.caption)


def test_a_fleet_that_fits_one_page_has_no_page_control():
    app = run({"db_search": "test"})
    assert len(app.dataframe[0].value) == 30 and not list(app.number_input)


def test_a_link_with_an_unknown_grouping_and_a_page_that_is_no_number_shows_page_one_ungrouped():
    app = run({"db_group": "bogus", "db_page": "abc"})
    assert headings(app) == [] and len(app.dataframe[0].value) == 50
    assert "Page 1 of 3" in texts(app.caption)
