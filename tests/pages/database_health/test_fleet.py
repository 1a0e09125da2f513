"""The Database health and DBA records pages in Streamlit's AppTest, without any database reachable (as on a fresh
machine): honest "not configured" rows outside demo mode (a Prometheus configured; in demo mode the demo fleet
stands in, ``test_demo_fleet``), empty states, config problems, unknown names, and the record form."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.store import migrate
from tests.support.apptest import texts

ROOT = Path(__file__).resolve().parents[3]
FLEET = str(ROOT / "pages" / "database_health" / "page.py")
RECORDS = str(ROOT / "pages" / "database_health" / "records_page.py")
EXAMPLE_NAMES = ["orders-primary", "orders-replica", "catalog", "analytics-staging"]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    import os

    for name in list(os.environ):
        if name.startswith(("DB_DSN_", "PROMETHEUS_", "DATABASES_CONFIG", "RELIABILITY_")):
            monkeypatch.delenv(name)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(store)
    monkeypatch.setenv("DATABASE_URL", store)
    monkeypatch.setenv("RELIABILITY_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("RELIABILITY_NOW", "2026-11-24T14:05:00Z")


@pytest.fixture
def watching(monkeypatch):
    """A Prometheus is configured (never asked by this page): not demo mode, so no demo fleet."""
    monkeypatch.setenv("PROMETHEUS_URL", "http://127.0.0.1:9")


def run(page: str = FLEET, query: dict[str, str] | None = None, name: str | None = None) -> AppTest:
    app = AppTest.from_file(page, default_timeout=60)
    if name is not None:
        app.session_state["identity_name"] = name  # what the sidebar keeps for the session (local mode)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_without_dsns_every_database_is_listed_as_not_configured_with_the_variable_to_set(watching):
    app = run()
    frame = app.dataframe[0].value
    assert sorted(frame["database"]) == sorted(EXAMPLE_NAMES)  # names shown; a selected row opens ?database=NAME
    assert set(frame["status"]) == {"○ not configured"}
    assert set(frame["needs attention"]) == {""}  # never "○ up", which reads as up
    orders = frame[frame["database"] == "orders-primary"].iloc[0]
    assert orders["note"].startswith("not configured: set DB_DSN_ORDERS_PRIMARY")
    assert frame["connections"].isna().all() and frame["size"].isna().all()  # no invented numbers


def test_without_dsns_the_page_says_nothing_is_probed_and_how_to_start(watching):
    app = run()
    assert "No database is being probed yet" in texts(app.info)
    assert "live probes: 0 of 4 database(s) answered" in texts(app.caption)


def test_headline_counts_show_every_status_worst_first_and_the_unconfigured_apart(watching):
    app = run()
    assert [m.label for m in app.metric] == ["■ critical", "▲ warn", "○ unknown", "ℹ info", "✓ ok", "○ not configured"]
    assert [m.value for m in app.metric] == ["0", "0", "0", "0", "0", "4"]


def test_a_missing_config_file_shows_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASES_CONFIG", str(tmp_path / "absent.toml"))
    app = run()
    assert "No databases configured" in texts(app.info) and "[[database]]" in texts(app.info)


def test_config_problems_name_the_field_and_the_valid_databases_still_show(monkeypatch, tmp_path):
    path = tmp_path / "databases.toml"
    path.write_text(
        '[[database]]\nname = "good"\nengine = "postgresql"\n'
        '[[database]]\nname = "bad"\nengine = "oracle"\n[database.thresholds]\nlong_query_wran_s = 5\n'
    )
    monkeypatch.setenv("DATABASES_CONFIG", str(path))
    app = run()
    problems = texts(app.warning)
    assert "database 'bad'.engine: 'oracle' is not one of postgresql, mysql, mariadb" in problems
    assert "did you mean 'long_query_warn_s'?" in problems
    assert list(app.dataframe[0].value["database"]) == ["good"]


def test_the_status_filter_comes_from_the_link(watching):
    app = run(query={"status": "critical"})
    assert "No database matches these filters." in texts(app.info)


def test_an_unknown_database_in_the_link_suggests_a_close_name():
    app = run(query={"database": "orders-primry"})
    assert "There is no database named ` orders-primry `" in texts(app.error)
    assert "**orders-primary**" in texts(app.error)


def test_the_drilldown_of_a_database_without_dsn_explains_why_it_has_no_numbers(watching):
    app = run(query={"database": "catalog"})
    assert "No numbers from catalog:** not configured: set DB_DSN_CATALOG" in texts(app.error)
    checks = app.dataframe[0].value
    assert list(checks["id"]) == ["up"] and checks["status"].iloc[0] == "○ unknown"


def test_the_records_page_lists_staleness_of_every_expected_record():
    app = run(RECORDS)
    frame = app.dataframe[0].value
    primary = frame[frame["database"] == "orders-primary"]
    assert list(primary["kind"]) == ["backup verified", "restore drill", "failover test"]
    assert set(primary["last"]) == {"never"} and set(primary["status"]) == {"▲ warn"}
    assert "analytics-staging" not in set(frame["database"])  # its intervals are turned off


def test_a_record_without_who_did_it_is_refused_naming_the_field():
    app = run(RECORDS, {"database": "orders-primary"})
    app.button[0].click().run()  # the form's submit button
    assert "Not recorded — by: say who did it" in texts(app.error)


def test_a_valid_record_is_stored_and_the_kind_is_no_longer_stale():
    app = run(RECORDS, {"database": "orders-primary"})
    app.text_input(key="records_page_form_by").input("kim")
    app.button[0].click().run()
    assert "Recorded backup verified for orders-primary on 2026-11-24." in texts(app.success)
    app.run()
    frame = app.dataframe[0].value
    backup = frame[frame["kind"] == "backup verified"].iloc[0]
    assert backup["status"] == "✓ ok" and backup["by"] == "kim"


def stored_records() -> list:
    import os

    from data.databases.store import list_records

    return list_records(os.environ["DATABASE_URL"])


def test_submitting_the_same_record_form_twice_stores_one_record():
    app = run(RECORDS, {"database": "orders-primary"})
    app.text_input(key="records_page_form_by").input("kim")
    app.button[0].click().run()
    app.text_input(key="records_page_form_by").input("kim")  # the browser's copy of the form, sent again
    app.button[0].click().run()
    assert len(stored_records()) == 1
    assert "Already recorded: backup_verified for orders-primary" in texts(app.info)


def add_backup(by: str = "kim") -> int:
    import os

    from data.databases.store import add_record
    from tests.support.actors import editor

    record = add_record(
        os.environ["DATABASE_URL"],
        actor=editor(by),
        database="orders-primary",
        kind="backup_verified",
        done_on=date(2026, 11, 23),
        recorded_by=by,
        now=datetime(2026, 11, 24, 9, tzinfo=UTC),
    )
    return record.id


def test_a_withdrawn_record_stays_in_the_history_struck_through_and_the_kind_is_stale_again():
    record_id = add_backup()
    app = run(RECORDS, {"database": "orders-primary"}, name="lee")
    app.selectbox(key="withdraw_record_record").select(record_id)
    app.text_input(key="withdraw_record_reason").input("entered for the wrong database")
    next(button for button in app.button if button.label == "Withdraw record").click().run()
    assert "stays in the history" in texts(app.success)
    [kept] = stored_records()
    assert kept.withdrawn and kept.withdrawn_by == "lee" and kept.withdrawal_reason == "entered for the wrong database"
    history = app.dataframe[-1].value
    assert history["withdrawn"].iloc[0] == "withdrawn 2026-11-24 by lee: entered for the wrong database"
    assert history["kind"].iloc[0] == "\u0336".join("backup verified") + "\u0336"
    staleness = app.dataframe[0].value
    assert staleness[staleness["kind"] == "backup verified"]["last"].iloc[0] == "never"


def test_a_withdrawal_without_a_reason_is_refused_and_the_record_stands():
    record_id = add_backup()
    app = run(RECORDS, {"database": "orders-primary"}, name="lee")
    app.selectbox(key="withdraw_record_record").select(record_id)
    next(button for button in app.button if button.label == "Withdraw record").click().run()
    assert "Not withdrawn — reason: say why" in texts(app.error)
    assert not stored_records()[0].withdrawn


def page_text(app: AppTest) -> str:
    """Everything the page sent to the browser: every element's message, and every table as CSV."""
    parts = []

    def walk(node) -> None:
        if getattr(node, "proto", None) is not None:
            parts.append(str(node.proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app._tree)
    parts += [frame.value.to_csv() for frame in app.dataframe]
    return "\n".join(parts)


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://monitor:PG@PASS-2@127.0.0.1:{port}/orders",
        "postgresql://monitor:PG@PASS-2:/%x@127.0.0.1:{port}/orders",
    ],
    ids=["issue", "delimiters"],
)
def test_a_refused_database_whose_password_holds_delimiters_shows_no_part_of_it(dsn, monkeypatch, tmp_path):
    from tests.support.servers import free_port

    port = free_port()
    path = tmp_path / "databases.toml"
    path.write_text('[[database]]\nname = "orders"\nengine = "postgresql"\n')
    monkeypatch.setenv("DATABASES_CONFIG", str(path))
    monkeypatch.setenv("DB_DSN_ORDERS", dsn.format(port=port))
    fleet, drilldown = run(), run(query={"database": "orders"})
    assert f"cannot connect to 127.0.0.1:{port}/orders: connection refused" in fleet.dataframe[0].value.to_csv()
    assert f"No numbers from orders:** cannot connect to 127.0.0.1:{port}/orders: connection refused" in texts(
        drilldown.error
    )
    for text in (page_text(fleet), page_text(drilldown)):
        assert f"127.0.0.1:{port}/orders: connection refused" in text  # the walk reaches the messages
        for fragment in ("PG@PASS", "PASS-2", "PASS", "%x", "PG%40"):
            assert fragment not in text
