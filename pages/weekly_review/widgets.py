"""Drawing the weekly review: headline metrics, section tables and the notes editor with its history."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from data.weekly.export import delta_text
from data.weekly.notes import NoteConflict, NoteError, note_history, save_note
from metrics.access import Actor, MissingName, PermissionDenied, Role
from metrics.weekly.review import Figure, Verdict, WeeklyNote, WeeklyReview
from pages.common import identity
from pages.common.store_writes import store_write
from pages.common.widgets import plain

HEADLINE_COLUMNS = 4
FLASH_KEY = "weekly_notes_flash"


def show_headline(weekly: WeeklyReview) -> None:
    figures = list(weekly.headline)
    for start in range(0, len(figures), HEADLINE_COLUMNS):
        columns = st.columns(HEADLINE_COLUMNS)
        for column, figure in zip(columns, figures[start : start + HEADLINE_COLUMNS]):
            # Streamlit picks the arrow from an ASCII minus; the review's text uses the typographic one
            delta = (
                figure.delta.replace("−", "-") if figure.delta not in ("no data", "no data last week", "±0") else None
            )
            column.metric(
                f"{figure.label} · {figure.detail}" if figure.detail else figure.label,  # the value alone fits
                figure.value,
                delta=delta,
                delta_color=_delta_color(figure),
                border=True,
                help=f"{figure.help}. Against {weekly.previous_week}: {delta_text(figure)}.",
            )


def _delta_color(figure: Figure) -> str:
    """Green when the figure moved the right way, red the wrong way ("inverse" for figures where less is better);
    grey when it is neither or not compared. The sign and the help text say the same without colour."""
    if figure.verdict in (Verdict.BETTER, Verdict.WORSE):
        return "normal" if figure.higher_is_better else "inverse"
    return "off"


def show_table(header: list[str], rows: list[list[str]], key: str) -> None:
    st.dataframe(pd.DataFrame(rows, columns=header), hide_index=True, key=key)


def _base_key(week: str) -> str:
    return f"weekly_notes_base_{week}"


def show_notes_editor(engine: sa.Engine, weekly: WeeklyReview, actor: Actor, now: datetime) -> None:
    """The week's notes: edit and save (refused when someone saved in between), and every earlier version."""
    show_week_notes_editor(engine, weekly.week, weekly.note, actor, now)


def show_week_notes_editor(engine: sa.Engine, week: str, note: WeeklyNote | None, actor: Actor, now: datetime) -> None:
    """The notes editor of ``week`` given its current note (None: none, or not known because the store is down —
    a save then builds on version 0 and is refused as a conflict if someone saved meanwhile, never overwriting).
    Viewers read the notes and their history; the form is for editors and admins."""
    if not actor.can(Role.EDITOR):
        st.markdown(note.text if note is not None and note.text else "_No notes for this week._")
        identity.read_only_note(actor, Role.EDITOR, "Editing the notes")
        _show_history(engine, week, note)
        return
    base_key, text_key = _base_key(week), f"weekly_notes_text_{week}"
    if base_key not in st.session_state:
        st.session_state[base_key] = 0 if note is None else note.version
        st.session_state[text_key] = "" if note is None else note.text
    if note is not None:
        st.caption(f"Version {note.version}, saved by {plain(note.author)} on {note.saved_at:%Y-%m-%d %H:%M} UTC.")
    with st.form(f"weekly_notes_{week}", border=False):
        text = st.text_area(
            "Notes for the week", key=text_key, height=160, placeholder="Decisions, follow-ups, who does what by when…"
        )
        saved = st.form_submit_button("Save notes", icon=":material/save:")
    if saved:
        if not actor.name.strip():
            st.warning(
                "Write your name in the sidebar first: every version of the notes carries its author.",
                icon=":material/person:",
            )
        else:
            stored = None
            with store_write(f"save the notes of {week}", engine.url):
                try:
                    stored = save_note(
                        engine, week, text, actor=actor, base_version=st.session_state[base_key], now=now
                    )
                except NoteConflict as conflict:
                    st.error(
                        f"Not saved: {conflict}. Their text is below; copy what you need into yours and save again.",
                        icon=":material/sync_problem:",
                    )
                    st.code(conflict.current.text or "(empty)", language=None)
                    st.session_state[base_key] = conflict.current.version
                except (NoteError, PermissionDenied, MissingName) as error:
                    st.error(f"Not saved: {plain(str(error))}", icon=":material/error:")
            if stored is not None:
                st.session_state[base_key] = stored.version
                st.session_state[FLASH_KEY] = f"Notes saved as version {stored.version}."
                st.rerun()  # the review, its exports and the history re-read the saved notes
    if FLASH_KEY in st.session_state:
        st.success(st.session_state.pop(FLASH_KEY), icon=":material/check:")
    _show_history(engine, week, note)


def _show_history(engine: sa.Engine, week: str, note) -> None:
    history = note_history(engine, week)
    if len(history) > 1 or (history and note is None):
        with st.expander(f"History of edits ({len(history)} versions)"):
            for version in history:
                st.markdown(
                    f"**Version {version.version}** · {plain(version.author)} · {version.saved_at:%Y-%m-%d %H:%M} UTC"
                )
                st.code(version.text or "(empty)", language=None)
