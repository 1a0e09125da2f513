"""Injection through every text that reaches a query, against the real servers.

PromQL: SLO names and a database's ``datname`` become label values in the queries sent to a real Prometheus;
escaped, they stay one value (the answer names the SLO verbatim, and no injected ``vector(1)`` adds a series).
SQL: text from the tracker and incidents imports (through the real CLI), weekly notes and DBA records is stored
and read back verbatim on SQLite and PostgreSQL, and every table is still there afterwards (parameters are bound).
The query parameters of the pages (``?item=``, ``?database=``, ``?week=``, the search box) are in tests/pages."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from data.databases.probes.prometheus_exporter import _matchers
from data.databases.store import add_record, list_records
from data.incidents.store import incidents_between
from data.settings import DEFAULT_CATALOG
from data.slo.catalog import load_catalog
from data.slo.prometheus import PrometheusSettings, PrometheusSource
from data.slo.service import load_report
from data.store import engine_for
from data.weekly.notes import note_history, save_note
from tests.integration.conftest import HISTORY_END
from tests.support.actors import editor
from tests.support.stores import fresh_store, run_cli, table_names

pytestmark = pytest.mark.integration

CATALOG = load_catalog(DEFAULT_CATALOG)
PROMQL_INJECTIONS = [
    'x") or vector(1) or label_replace(up, "slo", "y", "", "',
    'a\\"b',
    "new\nline",
    "trailing backslash \\",
    "{}[5m] offset 1h",
    "# comment",
    "한국어 SLO",
]
SQL_INJECTIONS = [
    "'; DROP TABLE tracker_items; --",
    "Robert'); DROP TABLE incidents;--",
    '" OR 1=1 --',
    "1; DELETE FROM audit_log",
    "' UNION SELECT version() --",
    "%_\\' \\\\ `backtick` $1 :name ?",
]
STORE_TABLES = {
    "tracker_items",
    "tracker_reviews",
    "audit_log",
    "incidents",
    "weekly_notes",
    "weekly_note_versions",
    "dba_records",
    "slo_snapshots",
    "slo_daily_rollups",
    "db_health_snapshots",
    "db_table_sizes",
}
NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)


# --- PromQL ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PROMQL_INJECTIONS)
def test_an_slo_name_is_one_label_value_in_the_batched_query(demo_prometheus, name):
    odd = replace(CATALOG.slo("payments-availability"), name=name)
    report = load_report(PrometheusSource(PrometheusSettings(url=demo_prometheus.url)), [odd], HISTORY_END)
    assert report.errors == {}
    [status] = report.statuses
    assert status.slo.name == name and status.error is None
    assert status.alert_state == "ticket"  # the real figures of payments-availability, nothing injected


def prometheus_query(url: str, query: str) -> dict:
    body = urllib.parse.urlencode({"query": query, "time": HISTORY_END.timestamp()}).encode()
    with urllib.request.urlopen(urllib.request.Request(f"{url}/api/v1/query", data=body), timeout=30) as answer:
        return json.load(answer)


def test_a_datname_cannot_add_a_series_to_the_exporter_query(demo_prometheus):
    """Unescaped, this datname would close the selector and OR in ``vector(1)``: one series where none exists."""
    evil = 'orders"} or vector(1)) or count(up{a="'
    selector = _matchers('{job="orders-pg"}', datname=evil)
    answer = prometheus_query(demo_prometheus.url, f"count(pg_up{selector})")
    assert answer["status"] == "success" and answer["data"]["result"] == []


# --- SQL ------------------------------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    return fresh_store(request, tmp_path, "inject")


def cli_against(monkeypatch, capsys, url: str, *args: str) -> tuple[int, str, str]:
    env = {
        "DATABASE_URL": url,
        "RELIABILITY_NOW": NOW.isoformat(),
        "TEAM_TIMEZONE": "UTC",
        "RELIABILITY_SECRETS_FILE": "/nonexistent/secrets.toml",
    }
    return run_cli(monkeypatch, capsys, env, *args)


def test_tracker_import_stores_sql_in_every_text_field_verbatim(store_url, tmp_path, monkeypatch, capsys):
    items = [
        {
            "title": text[:200],
            "state": "new",
            "owner_role": "SRE",
            "owner": text,
            "problem_statement": text,
            "why_parked": text,
            "workaround": text,
            "decided_by": text,
            "external_reference": text,
        }
        for text in SQL_INJECTIONS
    ]
    path = tmp_path / "items.json"
    path.write_text(json.dumps({"items": items}), encoding="utf-8")
    code, out, err = cli_against(
        monkeypatch, capsys, store_url, "tracker", "import", "--file", str(path), "--as", "'; DROP TABLE audit_log; --"
    )
    assert code == 0, err
    code, out, err = cli_against(monkeypatch, capsys, store_url, "tracker", "export", "--format", "json")
    exported = json.loads(out)["items"]
    assert [
        (item["title"], item["owner"], item["problem_statement"], item["external_reference"]) for item in exported
    ] == [(text[:200], text, text, text) for text in SQL_INJECTIONS]
    assert STORE_TABLES <= table_names(store_url)


def test_incidents_import_stores_sql_in_ids_and_summaries_verbatim(store_url, tmp_path, monkeypatch, capsys):
    lines = ["id,service,severity,started,summary,postmortem"]
    for number, text in enumerate(SQL_INJECTIONS):
        quoted = text.replace('"', '""')
        lines.append(
            f'"{quoted} #{number}",checkout,SEV2,2026-11-2{number}T10:00,"{quoted}",https://wiki/{number}?q=\''
        )
    path = tmp_path / "incidents.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = cli_against(
        monkeypatch,
        capsys,
        store_url,
        "incidents",
        "import",
        "--csv",
        str(path),
        "--by",
        "Robert'); DROP TABLE incidents;--",
    )
    assert code == 0, err
    engine = engine_for(store_url)
    try:
        stored = incidents_between(engine, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    finally:
        engine.dispose()
    assert [(i.reference, i.summary) for i in stored] == [
        (f"{text} #{n}", text) for n, text in enumerate(SQL_INJECTIONS)
    ]
    assert STORE_TABLES <= table_names(store_url)


@pytest.mark.parametrize("text", SQL_INJECTIONS)
def test_a_weekly_note_with_sql_is_stored_and_read_back_verbatim(store_url, text):
    engine = engine_for(store_url)
    try:
        save_note(engine, "2026-W47", text, actor=editor(text), base_version=0, now=NOW)
        [version] = note_history(engine, "2026-W47")
    finally:
        engine.dispose()
    assert (version.text, version.author) == (text, text.strip())
    assert STORE_TABLES <= table_names(store_url)


def test_dba_record_fields_with_sql_are_stored_and_read_back_verbatim(store_url):
    for text in SQL_INJECTIONS:
        add_record(
            store_url,
            actor=editor("kim"),
            database="orders-primary",
            kind="restore_drill",
            done_on=date(2026, 11, 20),
            recorded_by=text,
            outcome="ok",
            notes=text,
            link="https://wiki/runbook?q=" + text[:10],
            now=NOW,
        )
    records = list_records(store_url, "orders-primary")
    assert sorted((r.recorded_by, r.notes) for r in records) == sorted((t.strip(), t.strip()) for t in SQL_INJECTIONS)
    assert list_records(store_url, "' OR '1'='1") == []  # a filter value is a value, not a condition
    assert STORE_TABLES <= table_names(store_url)
