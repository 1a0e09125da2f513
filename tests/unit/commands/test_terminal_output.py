"""The CLI never writes a control character from stored data to a terminal, and a bad ``--as`` name is a one-line
message (issue 16, items 10 and 11)."""

from __future__ import annotations

import json

import pytest

from commands.common import CliError, cli_actor, terminal_text, text_table

ANSI_TITLE = "Disk \x1b[2J\x1b[31mfull\x1b[0m\rnot due"


def test_terminal_text_shows_escape_sequences_as_text():
    assert terminal_text(ANSI_TITLE) == "Disk \\x1b[2J\\x1b[31mfull\\x1b[0m\\rnot due"


def test_terminal_text_shows_bidirectional_overrides_as_text():
    assert terminal_text("invoice\u202efdp.exe") == "invoice\\u202efdp.exe"


def test_terminal_text_keeps_printable_unicode():
    assert terminal_text("한국어 émigré — ✓") == "한국어 émigré — ✓"


def test_a_table_cell_cannot_break_its_row():
    table = text_table(["id", "title"], [["1", "first\nsecond"], ["2", ANSI_TITLE]])
    assert len(table.splitlines()) == 4
    assert not any(ord(character) < 32 for character in table.replace("\n", ""))


def test_an_as_name_with_a_control_character_is_refused_by_name():
    with pytest.raises(CliError, match=r"--as .*no control characters"):
        cli_actor("Ann\x1b[2J")


def test_an_as_name_longer_than_the_audit_trail_holds_is_refused():
    with pytest.raises(CliError, match="at most 200 characters"):
        cli_actor("A" * 201)


def test_importing_as_a_name_with_a_control_character_says_what_is_wrong(run_cli, store_env, tmp_path):
    items = tmp_path / "items.json"
    items.write_text(json.dumps({"items": []}), encoding="utf-8")
    completed = run_cli(store_env, "import", "--file", str(items), "--as", "Ann\x07")
    assert completed.returncode == 2
    assert (
        completed.stderr.startswith("error: --as 'Ann\\\\x07': the name to record")
        and "unexpected" not in completed.stderr
    )


def test_due_table_prints_an_ansi_title_escaped(run_cli, store_env, tmp_path):
    items = tmp_path / "items.json"
    items.write_text(
        json.dumps({"items": [{"title": ANSI_TITLE, "state": "due", "owner_role": "SRE", "revisit_on": "2026-11-01"}]}),
        encoding="utf-8",
    )
    assert run_cli(store_env, "import", "--file", str(items)).returncode == 0
    table = run_cli(store_env, "due", "--format", "table").stdout
    assert "\x1b" not in table and "\r" not in table
    assert "Disk \\x1b[2J\\x1b[31mfull" in table
