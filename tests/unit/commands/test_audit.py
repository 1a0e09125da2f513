"""``cli.py audit``: the writes of the command line are in the trail, with their role, newest first."""

import json

from tests.unit.commands.test_cli import run_cli


def test_the_trail_lists_a_cli_import_as_an_admin_write(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}"}
    assert run_cli("tracker", "seed-demo", env=env).returncode == 0
    completed = run_cli("audit", "--entity", "tracker_item", "--format", "json", env=env)
    assert completed.returncode == 0, completed.stderr
    entries = json.loads(completed.stdout)["entries"]
    assert len(entries) == 12
    assert {(entry["role"], entry["via"], entry["action"]) for entry in entries} == {("admin", "cli", "imported")}


def test_a_cli_write_can_name_who_does_it(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}"}
    csv = tmp_path / "items.csv"
    csv.write_text("title,state,owner_role\nVendor failover,new,DBA\n", encoding="utf-8")
    assert run_cli("tracker", "import", "--file", str(csv), "--as", "Kim (on call)", env=env).returncode == 0
    table = run_cli("audit", env=env).stdout.splitlines()
    assert table[0].split()[:4] == ["when", "who", "role", "via"]
    assert set(table[1]) == {"-", " "}  # the rule under the header (commands.common.text_table)
    assert "Kim (on call)" in table[2] and "imported" in table[2]


def test_an_empty_trail_says_so(tmp_path):
    completed = run_cli("audit", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}"})
    assert (completed.returncode, completed.stdout.strip()) == (0, "no audit entries match")


def test_a_malformed_day_is_one_line_and_exit_2(tmp_path):
    completed = run_cli("audit", "--since", "24.11.2026", env={"DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}"})
    assert completed.returncode == 2
    assert completed.stderr.strip() == "error: --since '24.11.2026' is not a date like 2026-11-24"
