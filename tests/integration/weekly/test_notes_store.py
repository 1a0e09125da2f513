"""Weekly notes on SQLite and a real PostgreSQL: every save kept as a version, a stale save refused."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from data.store import engine_for, migrate
from data.store.audit import audit_entries
from data.weekly.notes import NoteConflict, NoteError, get_note, note_history, save_note
from metrics.access import MissingName, PermissionDenied
from tests.support.actors import editor, viewer

NOW = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)
WEEK = "2026-W47"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database(f"notes_{uuid.uuid4().hex[:12]}")
    migrate(url)
    engine = engine_for(url)
    yield engine
    engine.dispose()


def test_a_first_save_creates_version_one(engine):
    note = save_note(engine, WEEK, "Ship the retry fix", actor=editor("Kim"), base_version=0, now=NOW)
    assert (note.version, get_note(engine, WEEK).text) == (1, "Ship the retry fix")


def test_every_save_is_kept_in_the_history_newest_first(engine):
    save_note(engine, WEEK, "first", actor=editor("Kim"), base_version=0, now=NOW)
    save_note(engine, WEEK, "second", actor=editor("Lee"), base_version=1, now=NOW + timedelta(minutes=5))
    history = note_history(engine, WEEK)
    assert [(n.version, n.text, n.author) for n in history] == [(2, "second", "Lee"), (1, "first", "Kim")]
    assert history[0].saved_at == NOW + timedelta(minutes=5)


def test_a_save_from_a_stale_version_is_refused_and_stores_nothing(engine):
    save_note(engine, WEEK, "first", actor=editor("Kim"), base_version=0, now=NOW)
    save_note(engine, WEEK, "Lee's edit", actor=editor("Lee"), base_version=1, now=NOW)
    with pytest.raises(NoteConflict) as refused:
        save_note(engine, WEEK, "Kim's edit", actor=editor("Kim"), base_version=1, now=NOW)
    assert (refused.value.current.text, refused.value.current.author) == ("Lee's edit", "Lee")
    assert "saved by Lee" in str(refused.value)
    assert len(note_history(engine, WEEK)) == 2 and get_note(engine, WEEK).text == "Lee's edit"


def test_two_first_saves_of_the_same_week_conflict(engine):
    save_note(engine, WEEK, "first", actor=editor("Kim"), base_version=0, now=NOW)
    with pytest.raises(NoteConflict):
        save_note(engine, WEEK, "also first", actor=editor("Lee"), base_version=0, now=NOW)


def test_notes_of_other_weeks_are_separate_records(engine):
    save_note(engine, WEEK, "W47", actor=editor("Kim"), base_version=0, now=NOW)
    save_note(engine, "2026-W46", "W46", actor=editor("Kim"), base_version=0, now=NOW)
    assert [get_note(engine, w).text for w in (WEEK, "2026-W46")] == ["W47", "W46"]


def test_a_save_without_an_author_is_refused(engine):
    with pytest.raises(MissingName, match="say who you are"):
        save_note(engine, WEEK, "text", actor=editor(" "), base_version=0, now=NOW)
    assert get_note(engine, WEEK) is None


def test_a_viewer_cannot_save_notes(engine):
    with pytest.raises(PermissionDenied, match="vic \\(viewer\\) may not edit the weekly notes"):
        save_note(engine, WEEK, "text", actor=viewer("vic"), base_version=0, now=NOW)
    assert get_note(engine, WEEK) is None


def test_a_save_is_attributed_in_the_audit_trail_with_the_role(engine):
    save_note(engine, WEEK, "text", actor=editor("Kim"), base_version=0, now=NOW)
    [entry] = audit_entries(engine, entity="weekly_note")
    assert (entry["actor"], entry["role"], entry["action"], entry["entity_id"]) == ("Kim", "editor", "edited", WEEK)


def test_a_malformed_week_is_refused(engine):
    with pytest.raises(ValueError, match="ISO week"):
        save_note(engine, "2026-47", "text", actor=editor("Kim"), base_version=0, now=NOW)


def test_notes_with_a_nul_character_are_a_field_message_not_a_database_error(engine):
    with pytest.raises(NoteError, match="NUL character"):
        save_note(engine, WEEK, "ship\x00it", actor=editor("Kim"), base_version=0, now=NOW)
    assert get_note(engine, WEEK) is None
