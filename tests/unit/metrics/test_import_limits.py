"""The import size limit: one number for the page and the CLI, and a refusal that names it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from data.tracker.transfer import ImportFailed, parse_items
from metrics.import_limits import MAX_IMPORT_BYTES, MAX_IMPORT_MB, import_size_problem, text_size_problem
from metrics.incidents.rules import IncidentError, parse_incidents_csv
from metrics.tracker.rules import KnownNames

REPO = Path(__file__).resolve().parents[3]
OVERSIZED_CSV = "title,state,owner_role\n" + "Failover takes 9 minutes,new,DBA\n" * (MAX_IMPORT_BYTES // 30)


def test_a_file_at_the_limit_is_accepted():
    assert import_size_problem(MAX_IMPORT_BYTES, "items.csv") is None


def test_one_byte_over_the_limit_is_refused_naming_the_file_and_the_limit():
    assert import_size_problem(MAX_IMPORT_BYTES + 1, "items.csv") == (
        "items.csv is 5,242,881 bytes; imports are limited to 5 MB (5,242,880 bytes): split it into smaller files"
    )


def test_text_is_measured_in_utf8_bytes_not_characters():
    assert text_size_problem("한" * (MAX_IMPORT_BYTES // 3 + 1)) is not None  # 3 bytes each
    assert text_size_problem("a" * MAX_IMPORT_BYTES) is None


def test_streamlit_refuses_bigger_uploads_with_the_same_limit():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == MAX_IMPORT_MB


def test_an_oversized_tracker_import_is_refused_before_any_row_is_read():
    with pytest.raises(ImportFailed) as failure:
        parse_items(OVERSIZED_CSV, "csv", KnownNames())
    [line] = failure.value.lines()
    assert line.startswith("file: the file is ") and "limited to 5 MB" in line


def test_an_oversized_incidents_csv_is_refused_before_any_row_is_read():
    text = "id,service,severity,started\n" + "INC-1,checkout,SEV2,2026-11-24T10:00\n" * (MAX_IMPORT_BYTES // 30)
    with pytest.raises(IncidentError) as failure:
        parse_incidents_csv(text, "UTC", ["checkout"])
    [problem] = failure.value.problems
    assert "limited to 5 MB" in problem


def test_streamlit_checks_xsrf_tokens_on_uploads_and_forms():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableXsrfProtection"] is True
