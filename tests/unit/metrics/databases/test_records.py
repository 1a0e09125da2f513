"""What makes a DBA record valid: pure rules, every message naming the field."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.databases.records import RecordError, is_web_link, validate_record

TODAY = date(2026, 11, 24)


def valid(**changes) -> dict:
    fields = {
        "database": "orders",
        "kind": "backup_verified",
        "done_on": TODAY,
        "recorded_by": "kim",
        "outcome": "ok",
        "notes": "",
        "link": "",
        "known_databases": ["orders"],
        "today": TODAY,
    }
    return {**fields, **changes}


@pytest.mark.parametrize("link", ["https://wiki.example/runbook", "HTTP://tickets.example/42", " https://a.example "])
def test_an_http_link_with_a_host_is_a_web_link(link):
    assert is_web_link(link)


@pytest.mark.parametrize("link", ["javascript:alert(1)", "https:///path", "https://", "ftp://files.example", "wiki"])
def test_a_link_without_http_or_a_host_is_not_a_web_link(link):
    assert not is_web_link(link)


def test_a_valid_record_passes():
    validate_record(**valid())


def test_a_record_for_an_unknown_database_names_the_database_field():
    with pytest.raises(RecordError, match="^database: 'billing' is not in databases.toml"):
        validate_record(**valid(database="billing"))


def test_a_record_with_an_unknown_outcome_names_the_outcome_field():
    with pytest.raises(RecordError, match="^outcome: 'great' is not one of ok, partial, failed"):
        validate_record(**valid(outcome="great"))
