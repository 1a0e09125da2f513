"""The weekly review page's "Error-budget policy" section in AppTest (demo data, a catalog where checkout has
overspent its budget, the current week 2026-W48): the spent service reads freeze with the decision recorded this
week. The documents: tests/unit/commands/test_weekly_report_policy.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.settings import load_settings
from data.slo_policy import service
from tests.support.actors import editor
from tests.support.apptest import isolated_store, texts
from tests.support.slo_policy import NORMAL_SERVICE, SPENT_SERVICE, write_spent_catalog

PAGE = str(Path(__file__).resolve().parents[3] / "pages" / "weekly_review" / "page.py")
NOW = "2026-11-24T14:05:00Z"  # Tuesday of 2026-W48 (Europe/Berlin)
WEEK = "2026-W48"
DECISION_LINE = "freeze by Dana on 2026-11-24: budget spent: P0 and security fixes only"


@pytest.fixture(autouse=True)
def store(monkeypatch, tmp_path) -> str:
    url = isolated_store(monkeypatch, tmp_path, team_timezone="Europe/Berlin", now=NOW)
    monkeypatch.setenv("SLO_CATALOG", str(write_spent_catalog(tmp_path)))
    return url


def freeze_with_decision() -> None:
    settings, services = load_settings(), [SPENT_SERVICE, NORMAL_SERVICE]
    service.set_policy(
        settings,
        services,
        actor=editor("Dana"),
        scope="*",
        actions="Halt changes but P0 and security fixes",
        approver="Lee",
        approved_on=date(2026, 11, 1),
        revisit_on=date(2027, 5, 1),
        at_risk_spent=0.75,
        freeze_spent=1.0,
        postmortem_share=0.2,
        base_version=0,
    )
    service.record_decision(
        settings,
        services,
        actor=editor("Dana"),
        service=SPENT_SERVICE,
        kind="freeze",
        reason="budget spent: P0 and security fixes only",
        state="freeze",
    )


def run() -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=90)
    app.query_params["week"] = WEEK
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def section_table(app: AppTest, heading: str):
    headings = [s.value for s in app.subheader]
    assert heading in headings
    [frame] = [e.value for e in app.dataframe if list(e.value.columns) == TABLES[heading]]
    return frame


TABLES = {
    "Error-budget policy": ["state", "service", "policy", "worst SLO", "budget spent", "latest decision"],
    "Error-budget policy: decisions of the week": ["when", "service", "decision", "incident", "by", "why"],
}


def test_the_page_shows_the_spent_service_in_freeze_with_the_recorded_decision():
    freeze_with_decision()

    states = section_table(run(), "Error-budget policy").set_index("service")

    assert states.loc[SPENT_SERVICE, "state"] == "■ freeze"
    assert states.loc[SPENT_SERVICE, "latest decision"] == DECISION_LINE
    assert states.loc[NORMAL_SERVICE, "state"] == "✓ normal"


def test_the_page_lists_the_decisions_of_the_week():
    freeze_with_decision()

    decisions = section_table(run(), "Error-budget policy: decisions of the week")

    assert decisions[["service", "decision", "by"]].values.tolist() == [[SPENT_SERVICE, "freeze", "Dana"]]


def test_without_a_decision_the_week_says_none_was_taken():
    app = run()

    assert "No decision was taken under the policy this week." in texts(app.caption)
