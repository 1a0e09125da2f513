"""`cli.py weekly-report` carries the error-budget policy (a throwaway SQLite store, the demo data, a catalog where
checkout has overspent its budget, the current week 2026-W48 in Asia/Seoul): the spent service reads freeze with the
decision recorded this week, in Markdown and in HTML."""

from __future__ import annotations

import pytest

from tests.support.slo_policy import SPENT_SERVICE, write_spent_catalog
from tests.unit.commands.test_slo_policy import POLICY

WEEK = "2026-W48"
DECISION_LINE = "freeze by Dana on 2026-11-24: budget spent"


@pytest.fixture
def env(store_env, tmp_path, run_cli):
    env = {**store_env, "SLO_CATALOG": str(write_spent_catalog(tmp_path))}
    assert run_cli(env, *POLICY, command="slo-policy").returncode == 0
    decided = run_cli(
        env,
        *("decide", "--service", SPENT_SERVICE, "--kind", "freeze", "--reason", "budget spent", "--as", "Dana"),
        command="slo-policy",
    )
    assert decided.returncode == 0, decided.stderr
    return env


def test_the_markdown_report_reads_freeze_with_the_recorded_decision(run_cli, env):
    completed = run_cli(env, "--week", WEEK, "--format", "markdown", command="weekly-report")

    assert completed.returncode == 0, completed.stderr
    markdown = completed.stdout
    assert f"| ■ freeze | {SPENT_SERVICE} | all services | checkout-availability |" in markdown
    assert DECISION_LINE in markdown
    week = markdown.split("## Error-budget policy: decisions of the week", 1)[1]
    assert f"| {SPENT_SERVICE} | freeze |  | Dana | budget spent |" in week


def test_the_html_report_reads_freeze_with_the_recorded_decision(run_cli, env, tmp_path):
    output = tmp_path / "week.html"

    completed = run_cli(env, "--week", WEEK, "--format", "html", "--output", str(output), command="weekly-report")

    assert completed.returncode == 0, completed.stderr
    html = output.read_text(encoding="utf-8")
    assert "<h2>Error-budget policy</h2>" in html
    assert f"<td>■ freeze</td><td>{SPENT_SERVICE}</td>" in html
    assert DECISION_LINE in html
