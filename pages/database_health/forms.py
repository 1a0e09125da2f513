"""The DBA record forms: a validated entry, one new row per submission (a double click stores one), nothing
overwritten; and the withdrawal of a mistaken record, which keeps it, struck through."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from data.databases import service
from data.databases.config import DatabaseConfig
from data.settings import Settings
from metrics.access import VIA_LOCAL, MissingName, PermissionDenied, Role
from metrics.databases.checks import RECORD_KIND_LABELS, RECORD_KINDS, DbaRecord
from metrics.databases.records import RECORD_OUTCOMES, RecordError
from pages.common import identity, widgets
from pages.common.store_writes import store_write
from pages.common.submissions import ensure_submission_token, store_once
from pages.database_health import loaders as db_loaders


def show_record_form(
    settings: Settings, config: DatabaseConfig, database: str | None = None, key: str = "record"
) -> None:
    """A form to add a DBA record; errors name the field, and a valid entry is stored and shown at once."""
    flash = st.session_state.pop(f"{key}_flash", None)  # the confirmation survives the rerun that shows the row
    if flash:
        st.success(flash, icon=":material/check:")
    names = [t.name for t in service.stored_targets(settings, config)]
    if database and database not in names and config.database(database) is not None:
        names.append(database)  # the drill-down of a database a server entry watches
    if not names:
        st.caption("Add databases to databases.toml to keep records for them.")
        return
    actor = identity.current_actor(settings)
    if not actor.can(Role.EDITOR):
        identity.read_only_note(actor, Role.EDITOR, "Adding DBA records")
        return
    ensure_submission_token(key)
    entry = _record_inputs(settings, names, database, key)
    if entry is not None:
        _save_record(settings, config, entry, key)


def _record_inputs(settings: Settings, names: list[str], database: str | None, key: str) -> dict | None:
    """The form's fields; the entry as ``service.add_record`` takes it once submitted, else None."""
    today = settings.now().date()
    # Cleared only after a successful save: a refused entry (a rule, the store down) stays in the form.
    with st.form(key, clear_on_submit=False, border=True):
        left, middle, right = st.columns(3)
        chosen = database if database else left.selectbox("Database", names, key=f"{key}_database")
        if database:
            left.text_input("Database", value=database, disabled=True, key=f"{key}_database_fixed")
        kind = middle.selectbox("Kind", RECORD_KINDS, format_func=lambda k: RECORD_KIND_LABELS[k], key=f"{key}_kind")
        done_on = right.date_input(
            "Done on", value=today, max_value=today, key=f"{key}_done_on", help="When it was done (not in the future)"
        )
        who, outcome, link = st.columns(3)
        recorded_by = who.text_input("By", key=f"{key}_by", placeholder="who did it")
        result = outcome.selectbox("Outcome", RECORD_OUTCOMES, key=f"{key}_outcome")
        url = link.text_input("Link", key=f"{key}_link", placeholder="https://… ticket or runbook (optional)")
        notes = st.text_area("Notes", key=f"{key}_notes", max_chars=2000, height=80)
        submitted = st.form_submit_button("Add record", icon=":material/add:")
    if not submitted:
        return None
    return {
        "database": chosen,
        "kind": kind,
        "done_on": done_on,
        "recorded_by": recorded_by or "",
        "outcome": result,
        "notes": notes or "",
        "link": url or "",
    }


def _save_record(settings: Settings, config: DatabaseConfig, entry: dict, key: str) -> None:
    """Store the entry, or say why not; a stored one empties the form and is confirmed after the rerun."""
    entering = identity.current_actor(settings)
    if entering.via == VIA_LOCAL and not entering.name.strip():  # one person at their machine: who did it
        entering = replace(entering, name=entry["recorded_by"].strip())
    record = store_once(
        key,
        entry,
        what="add the DBA record",
        database_url=settings.database_url,
        save=lambda token: service.add_record(settings, config, actor=entering, submission_key=token, **entry),
        already=service.AlreadyRecorded,
        refusals=(RecordError, PermissionDenied, MissingName),
        fields=("database", "kind", "done_on", "by", "outcome", "link", "notes"),
    )
    if record is None:
        return
    db_loaders.clear()
    st.session_state[f"{key}_flash"] = (
        f"Recorded {RECORD_KIND_LABELS[record.kind]} for {record.database} on {record.done_on.isoformat()}."
    )
    st.rerun()


def show_withdraw_form(settings: Settings, records: list[DbaRecord], key: str = "withdraw_record") -> None:
    """Withdraw a mistaken record (editors): choose it, say why; it stays in the history, struck through."""
    flash = st.session_state.pop(f"{key}_flash", None)
    if flash:
        st.success(flash, icon=":material/check:")
    standing = [r for r in records if not r.withdrawn and r.id is not None]
    if not standing:
        st.caption("No record to withdraw.")
        return
    actor = identity.current_actor(settings)
    if not actor.can(Role.EDITOR):
        identity.read_only_note(actor, Role.EDITOR, "Withdrawing DBA records")
        return
    by_id = {r.id: r for r in standing}
    with st.form(key, clear_on_submit=False, border=True):
        chosen = st.selectbox(
            "Record",
            list(by_id),
            format_func=lambda record_id: record_label(by_id[record_id]),
            index=None,
            placeholder="Choose the mistaken record",
            key=f"{key}_record",
        )
        reason = st.text_input(
            "Why", key=f"{key}_reason", max_chars=500, placeholder="e.g. entered for the wrong database"
        )
        submitted = st.form_submit_button("Withdraw record", icon=":material/undo:")
    if not submitted:
        return
    if chosen is None:
        st.error("Not withdrawn — record: choose the record to withdraw", icon=":material/error:")
        return
    withdrawn = None
    with store_write("withdraw the DBA record", settings.database_url):
        try:
            withdrawn = service.withdraw_record(settings, actor=actor, record_id=chosen, reason=reason or "")
        except (RecordError, PermissionDenied, MissingName) as error:
            st.error(f"Not withdrawn — {widgets.plain(str(error))}", icon=":material/error:")
    if withdrawn is None:
        return
    for name in ("record", "reason"):
        st.session_state.pop(f"{key}_{name}", None)
    db_loaders.clear()
    st.session_state[f"{key}_flash"] = f"Withdrew {widgets.plain(record_label(withdrawn))}: it stays in the history."
    st.rerun()


def record_label(record: DbaRecord) -> str:
    return (
        f"#{record.id} · {record.database} · {RECORD_KIND_LABELS.get(record.kind, record.kind)} on "
        f"{record.done_on.isoformat()} by {record.recorded_by}"
    )
