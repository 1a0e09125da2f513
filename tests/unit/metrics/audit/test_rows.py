"""The audit trail as people read it."""

from datetime import UTC, datetime

from metrics.audit.rows import DETAILS_LIMIT, audit_rows, details_text

AT = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)


def test_changes_read_as_sentences_before_the_other_details():
    assert (
        details_text({"version": 2, "changes": {"title": ["Old", "New"], "owner": [None, "kim"]}})
        == "title changed from Old to New; owner set to kim; version: 2"
    )


def test_a_cleared_field_says_what_it_was():
    assert details_text({"changes": {"next_revisit": ["2027-01-10", None]}}) == "next revisit cleared (was 2027-01-10)"


def test_lists_and_mappings_read_as_words_not_json():
    assert (
        details_text({"linked_slos": ["checkout", "search"], "counts": {"created": 3, "updated": 1}, "dry_run": False})
        == "linked slos: checkout, search; counts: created 3, updated 1; dry run: no"
    )


def test_long_details_are_cut_with_an_ellipsis():
    text = details_text({"note": "x" * 1000})
    assert len(text) == DETAILS_LIMIT and text.endswith("…")


def test_a_row_shows_the_time_in_the_team_zone_with_role_and_how_they_came():
    [row] = audit_rows(
        [
            {
                "at": AT,
                "actor": "kim@example.com",
                "role": "editor",
                "via": "oidc",
                "action": "created",
                "entity": "incident",
                "entity_id": "INC-1",
                "details": {"severity": "SEV2"},
            }
        ],
        "Asia/Seoul",
    )
    assert row == {
        "when": "2026-11-24 14:00:00",
        "who": "kim@example.com",
        "role": "editor",
        "via": "oidc",
        "action": "created",
        "what": "incident",
        "id": "INC-1",
        "details": "severity: SEV2",
    }


def test_entries_from_before_roles_were_recorded_show_empty_roles():
    [row] = audit_rows(
        [{"at": AT, "actor": "ann", "action": "edited", "entity": "tracker_item", "entity_id": "3", "details": {}}],
        "UTC",
    )
    assert (row["role"], row["via"], row["details"]) == ("", "", "")
