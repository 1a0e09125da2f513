"""``cli.py slo-import`` in a subprocess: what it writes, what it says, and its exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "imports"


def cli(*args: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PROMETHEUS_", "SLO_", "TEAM_"))}
    return subprocess.run(
        [sys.executable, "cli.py", *args], cwd=REPO, capture_output=True, text=True, timeout=120, env=environment
    )


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return cli("slo-import", *args)


def test_a_full_conversion_exits_0_and_names_what_it_wrote(tmp_path):
    completed = run_cli("--from", "pyrra", str(FIXTURES / "pyrra-checkout.yaml"), "--output", str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == f"{tmp_path}/pyrra-checkout.yaml: 2 SLOs (checkout-errors, checkout-latency)"
    assert completed.stderr == ""


def test_refused_constructs_exit_1_one_line_each_and_the_rest_is_written(tmp_path):
    completed = run_cli("--from", "sloth", str(FIXTURES / "sloth-refused.yaml"), "--output", str(tmp_path))
    assert completed.returncode == 1
    lines = completed.stderr.splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"refused: {FIXTURES / 'sloth-refused.yaml'}, SLO ") for line in lines)
    assert "'raw-ratio': sli.raw:" in lines[0] and "'from-plugin': sli.plugin:" in lines[1]
    assert "'averaged': sli.events.error_query" in lines[2]
    assert (tmp_path / "sloth-refused.yaml").exists()


def test_malformed_yaml_exits_2_naming_the_file_and_line(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata: {name: [x\n")
    completed = run_cli("--from", "pyrra", str(broken), "--output", str(tmp_path / "out"))
    assert completed.returncode == 2
    assert f"error: {broken}: malformed YAML at line" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_an_existing_output_exits_2_and_is_kept_unless_forced(tmp_path):
    target = tmp_path / "sloth-payments.yaml"
    target.write_text("# kept\n")
    completed = run_cli("--from", "sloth", str(FIXTURES / "sloth-payments.yaml"), "--output", str(tmp_path))
    assert completed.returncode == 2 and "--force" in completed.stderr
    assert target.read_text() == "# kept\n"
    forced = run_cli("--from", "sloth", str(FIXTURES / "sloth-payments.yaml"), "--output", str(tmp_path), "--force")
    assert forced.returncode == 0 and target.read_text() != "# kept\n"


def test_the_sloth_window_option_sets_the_period(tmp_path):
    completed = run_cli(
        "--from", "sloth", str(FIXTURES / "sloth-payments.yaml"), "--output", str(tmp_path), "--window", "28d"
    )
    assert completed.returncode == 0, completed.stderr
    assert "duration: 28d" in (tmp_path / "sloth-payments.yaml").read_text()


def test_the_written_catalog_reports_with_slo_report(tmp_path):
    run_cli("--from", "sloth", str(FIXTURES / "sloth-payments.yaml"), "--output", str(tmp_path))
    completed = cli("slo-report", "--catalog", str(tmp_path), "--demo", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    assert {row["slo"] for row in json.loads(completed.stdout)["slos"]} == {
        "payments-charge-availability",
        "payments-refund-latency",
        "payments-ledger-writes",
    }


def test_a_file_with_every_slo_refused_says_nothing_was_written_for_it(tmp_path):
    source = tmp_path / "raw.yaml"
    source.write_text(
        "version: prometheus/v1\nservice: x\nslos:\n  - name: r\n    objective: 99\n"
        "    sli:\n      raw:\n        error_ratio_query: q\n"
    )
    completed = run_cli("--from", "sloth", str(source), "--output", str(tmp_path / "out"))
    assert completed.returncode == 1
    assert f"{source}: no SLO could be carried over; nothing written for it" in completed.stderr
    assert not (tmp_path / "out").exists()


def test_an_option_of_the_other_tool_exits_2(tmp_path):
    completed = run_cli(
        "--from", "pyrra", str(FIXTURES / "pyrra-checkout.yaml"), "--output", str(tmp_path), "--window", "28d"
    )
    assert completed.returncode == 2 and "--window is for Sloth" in completed.stderr
