"""``cli.py incidents import`` and ``incidents report``: whole files or nothing, updates by id, recovery times."""

from __future__ import annotations

import json

from tests.unit.commands.test_rollups import run_cli

GOOD = (
    "id,service,severity,started,detected,acknowledged,resolved,summary,postmortem\n"
    "INC-1,checkout,SEV1,2026-11-16T10:00,2026-11-16T10:05,2026-11-16T10:12,2026-11-16T11:00,Card errors,\n"
    "INC-2,search,SEV3,2026-11-18T22:00Z,,2026-11-18T22:30Z,2026-11-19T01:00Z,Slow,\n"
)


def test_importing_the_same_file_twice_updates_instead_of_duplicating(tmp_path):
    (tmp_path / "incidents.csv").write_text(GOOD)
    store = tmp_path / "s.db"
    first = run_cli("incidents", "import", "--csv", str(tmp_path / "incidents.csv"), store=store)
    again = run_cli("incidents", "import", "--csv", str(tmp_path / "incidents.csv"), store=store)
    assert first.stdout.strip().endswith("2 incidents added, 0 updated"), first.stderr
    assert again.stdout.strip().endswith("0 incidents added, 2 updated")


def test_a_malformed_file_names_row_and_field_and_imports_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(GOOD + "INC-3,checkout,SEV2,2026-11-20T09:00,,2026-11-20T08:00,,,\n")
    store = tmp_path / "s.db"
    completed = run_cli("incidents", "import", "--csv", str(path), store=store)
    assert completed.returncode == 2
    assert f"{path}: row 4, acknowledged: before started" in completed.stderr
    report = run_cli("incidents", "report", "--from", "2026-11-16", "--format", "json", store=store)
    assert sum(week["count"] for week in json.loads(report.stdout)["weeks"]) == 0


def test_the_report_gives_mean_and_median_recovery_per_week(tmp_path):
    (tmp_path / "incidents.csv").write_text(GOOD)
    store = tmp_path / "s.db"
    run_cli("incidents", "import", "--csv", str(tmp_path / "incidents.csv"), store=store)
    report = json.loads(run_cli("incidents", "report", "--from", "2026-11-16", "--format", "json", store=store).stdout)
    week = next(w for w in report["weeks"] if w["key"] == "2026-W47")
    assert (week["count"], week["ttr_mean_seconds"], week["tta_median_seconds"]) == (2, 2 * 3600, 18.5 * 60)
