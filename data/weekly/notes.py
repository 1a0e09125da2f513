"""Weekly review notes: one record per ISO week, and every save appended as a version (author, time, text).

Why a version column: two managers editing the same week's notes must not overwrite each other silently. A save
names the version it was made on; when someone saved in between, it is refused with ``NoteConflict`` carrying the
current text and who saved it, and nothing is stored. The versions table is the history of edits: rows are only
ever inserted.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from data.store.audit import record_audit
from data.store.models import Base
from data.store.types import UTCDateTime
from metrics.access import Actor, Role, require
from metrics.trends.aggregate import parse_iso_week
from metrics.weekly.review import WeeklyNote

MAX_NOTE = 20_000


class WeeklyNoteRow(Base):
    __tablename__ = "weekly_notes"

    week: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(sa.Integer)
    updated_by: Mapped[str] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WeeklyNoteVersionRow(Base):
    __tablename__ = "weekly_note_versions"
    __table_args__ = (sa.UniqueConstraint("week", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    week: Mapped[str] = mapped_column(sa.String(8))
    version: Mapped[int] = mapped_column(sa.Integer)
    text: Mapped[str] = mapped_column(sa.Text)
    author: Mapped[str] = mapped_column(sa.String(200))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())


_NOTES = WeeklyNoteRow.__table__
_VERSIONS = WeeklyNoteVersionRow.__table__


class NoteError(ValueError):
    """A note that cannot be saved as written (the message says which field and why)."""


class NoteConflict(Exception):
    """Someone saved the week's notes after the version this edit started from; nothing was saved."""

    def __init__(self, current: WeeklyNote, base_version: int) -> None:
        self.current = current
        self.base_version = base_version
        super().__init__(
            f"the notes of {current.week} were saved by {current.author} at "
            f"{current.saved_at:%Y-%m-%d %H:%M} UTC (version {current.version}) after the version you "
            f"edited (version {base_version}); nothing was saved"
        )


def _note(row) -> WeeklyNote:
    return WeeklyNote(row["week"], row["text"], row["version"], row["updated_by"], row["updated_at"])


def get_note(engine: sa.Engine, week: str) -> WeeklyNote | None:
    with engine.connect() as connection:
        row = connection.execute(sa.select(_NOTES).where(_NOTES.c.week == week)).mappings().first()
    return None if row is None else _note(row)


def note_history(engine: sa.Engine, week: str) -> list[WeeklyNote]:
    """Every saved version of the week's notes, newest first."""
    query = sa.select(_VERSIONS).where(_VERSIONS.c.week == week).order_by(_VERSIONS.c.version.desc())
    with engine.connect() as connection:
        return [
            WeeklyNote(r["week"], r["text"], r["version"], r["author"], r["saved_at"])
            for r in connection.execute(query).mappings()
        ]


def save_note(engine: sa.Engine, week: str, text: str, *, actor: Actor, base_version: int, now: datetime) -> WeeklyNote:
    """Save the notes edited from ``base_version`` (0 for a week without notes yet) as the next version.
    Editors and admins only."""
    author = require(actor, Role.EDITOR, "edit the weekly notes")
    parse_iso_week(week)  # ValueError for a malformed week
    if len(text) > MAX_NOTE:
        raise NoteError(f"notes: at most {MAX_NOTE} characters")
    if "\x00" in text:
        raise NoteError("notes: contain a NUL character, which no database stores as text")
    version = base_version + 1
    values = {"text": text, "version": version, "updated_by": author.strip(), "updated_at": now}
    try:
        with engine.begin() as connection:
            if base_version == 0:
                connection.execute(sa.insert(_NOTES).values(week=week, **values))
            else:
                result = connection.execute(
                    sa.update(_NOTES).where(_NOTES.c.week == week, _NOTES.c.version == base_version).values(values)
                )
                if result.rowcount != 1:
                    raise _StaleSave()
            connection.execute(
                sa.insert(_VERSIONS).values(week=week, version=version, text=text, author=author.strip(), saved_at=now)
            )
            record_audit(
                connection,
                actor=actor,
                action="edited",
                entity="weekly_note",
                entity_id=week,
                at=now,
                details={"version": version, "characters": len(text)},
            )
    except (_StaleSave, sa.exc.IntegrityError):
        current = get_note(engine, week)
        if current is None:  # the base version named a note that does not exist
            raise NoteError(f"version: {week} has no notes yet; start from version 0") from None
        raise NoteConflict(current, base_version) from None
    return WeeklyNote(week, text, version, author.strip(), now)


class _StaleSave(Exception):
    pass
