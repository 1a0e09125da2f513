"""The SLO burn page's error-budget policy line (AppTest, demo data, a catalog where checkout has overspent its
budget): a service in freeze reads "■ freeze" near the top with its latest decision; none when no policy applies."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from data.settings import load_settings
from data.slo_policy import service
from tests.pages.slo_burn.test_page import APP
from tests.support.actors import editor
from tests.support.apptest import isolated_store, texts
from tests.support.slo_policy import NORMAL_SERVICE, SPENT_SERVICE, write_spent_catalog

NOW = "2026-11-24T05:00:00Z"


@pytest.fixture(autouse=True)
def store(monkeypatch, tmp_path) -> str:
    url = isolated_store(monkeypatch, tmp_path, team_timezone="UTC", now=NOW)
    monkeypatch.setenv("SLO_CATALOG", str(write_spent_catalog(tmp_path)))
    return url


def policy_for_all() -> None:
    service.set_policy(
        load_settings(),
        [SPENT_SERVICE, NORMAL_SERVICE],
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


def run(query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def policy_lines(app: AppTest) -> list[str]:
    return [line for line in texts(app.caption).splitlines() if "Error-budget policy:" in line]


def test_a_spent_service_reads_freeze_with_its_recorded_decision():
    policy_for_all()
    service.record_decision(
        load_settings(),
        [SPENT_SERVICE],
        actor=editor("Dana"),
        service=SPENT_SERVICE,
        kind="freeze",
        reason="budget spent",
        state="freeze",
    )

    [line] = policy_lines(run())

    assert ":red[**■ freeze**] **checkout**" in line
    assert "latest decision: freeze by Dana on 2026-11-24: budget spent" in line


def test_a_freeze_without_a_decision_says_none_was_recorded():
    policy_for_all()

    [line] = policy_lines(run())

    assert "■ freeze" in line and "no decision recorded yet" in line


def test_the_drilldown_shows_the_freeze_too():
    policy_for_all()

    assert len(policy_lines(run({"slo": "checkout-availability"}))) == 1


def test_no_line_without_a_policy():
    assert policy_lines(run()) == []
