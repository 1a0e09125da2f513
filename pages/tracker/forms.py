"""The tracker's forms: create, edit, change state, record a review, import.

Each form keeps its widgets' values in ``st.session_state`` under ``<prefix>_<field>`` and saves from the submit
button's callback, which runs before the page is drawn. So a refused save (a rule, a conflicting edit, a missing
name) leaves what the person typed in place and puts the message right under the field it is about; a successful
save clears the form. Callbacks catch everything: no traceback ever reaches the page.

The new-item and review forms store each submission under an idempotency key (``submission_token``), so a second
click stores nothing and says "Already saved". An edit refused because someone saved first is merged three ways by
the store; the form is then rebuilt on the version that conflicted, holding their other changes, with a choice
for each field both changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from data.settings import Settings
from data.tracker.store import (
    AlreadySaved,
    EditConflict,
    ItemNotFound,
    SubmissionKind,
    TrackerItem,
    change_state,
    create_item,
    record_review,
    update_item,
)
from data.tracker.transfer import ImportFailed, detect_format, import_items
from metrics.access import Actor, MissingName, PermissionDenied
from metrics.import_limits import import_size_problem
from metrics.tracker.items import FORM_FIELDS
from metrics.tracker.merge import MergeChoice
from metrics.tracker.rules import (
    ALLOWED_TRANSITIONS,
    LEVELS,
    OUTCOME_LABELS,
    OWNER_ROLES,
    RESOLUTION_CODES,
    RESOLUTIONS_FOR_STATE,
    REVIEW_OUTCOMES,
    ROOT_CAUSE_CONFIDENCES,
    STATE_LABELS,
    STATES,
    WHY_PARKED_CATEGORIES,
    KnownNames,
    TrackerRuleError,
)
from metrics.tracker.triggers import (
    TRIGGER_LINE_HELP,
    Readings,
    TriggerError,
    format_trigger_lines,
    parse_trigger_lines,
)
from pages.common import identity, widgets
from pages.common.store_writes import STORE_ERRORS, store_failure_message
from pages.common.submissions import ensure_submission_token, mark_spent, submission_token

log = logging.getLogger(__name__)

EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2100, 12, 31)


def _date_input(container, label: str, widget_key: str, **options: Any) -> None:
    """A day picker in the forms' one range and format (``options``: value, help)."""
    container.date_input(
        label, key=widget_key, min_value=EARLIEST_DATE, max_value=LATEST_DATE, format="YYYY-MM-DD", **options
    )


HOLDS_CHOICES = {"unknown": None, "yes": True, "no": False}
ITEM_FIELDS = FORM_FIELDS
FIELD_LABELS = {
    "title": "Title",
    "problem_statement": "Problem statement (Markdown)",
    "owner_role": "Owner role",
    "owner": "Owner",
    "impact": "Impact",
    "urgency": "Urgency",
    "why_parked_category": "Why beyond the team",
    "why_parked": "Why it was judged beyond the team (Markdown)",
    "workaround": "Workaround (Markdown)",
    "workaround_holds": "Workaround still holds?",
    "root_cause_confidence": "Root cause",
    "decided_by": "Decided by",
    "decided_on": "Decided on",
    "revisit_on": "Revisit on",
    "cadence_days": "Review cadence (days)",
    "external_reference": "External reference",
    "services": "Services",
    "slos": "SLOs",
    "databases": "Databases",
    "triggers": "Revisit triggers",
    "state": "State",
    "resolution_code": "Resolution",
    "outcome": "Outcome",
    "what_changed": "What changed since the last look (Markdown)",
    "next_revisit_on": "Next revisit on",
    "actor": "Your name",
    "note": "Note",
}


@dataclass(frozen=True)
class FormContext:
    """What a save needs besides the form's values; built when the page is drawn."""

    engine: sa.Engine
    known: KnownNames
    now: datetime
    today: date
    settings: Settings  # the acting identity is read from it when a save runs
    readings: Readings | None = None  # the readings the page shows: what a keep-parked review acknowledges


# --- shared plumbing ------------------------------------------------------------------------------------------------


def key(prefix: str, name: str) -> str:
    return f"{prefix}_{name}"


def clear_form(prefix: str) -> None:
    for name in [k for k in st.session_state if str(k).startswith(prefix + "_")]:
        del st.session_state[name]


def errors_of(prefix: str) -> dict[str, str]:
    return st.session_state.get(key(prefix, "errors"), {})


def show_field_error(prefix: str, name: str) -> None:
    message = errors_of(prefix).get(name)
    if message:
        st.error(f"{FIELD_LABELS.get(name, name)}: {widgets.plain(message)}", icon=":material/error:")


def show_form_messages(prefix: str) -> None:
    """Problems not tied to a shown field (who you are, unexpected failures) at the top of the form."""
    errors = errors_of(prefix)
    shown = set(ITEM_FIELDS) | {
        "state",
        "resolution_code",
        "outcome",
        "what_changed",
        "next_revisit_on",
        "note",
        "file",
    }
    for name, message in errors.items():
        if name not in shown:
            st.error(
                f"{FIELD_LABELS.get(name, name.replace('_', ' '))}: {message}" if name != "form" else message,
                icon=":material/error:",
            )


def pop_success(prefix: str) -> None:
    message = st.session_state.pop(key(prefix, "saved"), None)
    if message:
        st.success(message, icon=":material/check_circle:")


# --- saving, guarded -------------------------------------------------------------------------------------------------


def _guarded(prefix: str, save: Callable[[], None], action: str) -> None:
    """Run a save; whatever goes wrong ends as a message in the form, never as a traceback. ``action`` names the
    save in the store-down message ("could not create the item …")."""
    try:
        save()
    except TrackerRuleError as error:
        st.session_state[key(prefix, "errors")] = error.problems
    except (PermissionDenied, MissingName) as error:
        st.session_state[key(prefix, "errors")] = {"actor": str(error)}
    except ItemNotFound as error:
        st.session_state[key(prefix, "errors")] = {"form": str(error)}
    except AlreadySaved as already:  # a second click of a stored submission: quietly, nothing more stored
        clear_form(prefix)
        what = f"item #{already.entity_id}" if already.kind is SubmissionKind.ITEM else "this review"
        st.session_state[key(prefix, "saved")] = f"Already saved ({what}); nothing more was stored."
        if already.kind is SubmissionKind.ITEM:
            st.session_state[key(prefix, "created_id")] = already.entity_id
    except STORE_ERRORS as error:  # the store is down: nothing saved, the form keeps what was typed
        log.warning("tracker form %s: the store cannot be written (%s)", prefix, type(error).__name__)
        st.session_state[key(prefix, "errors")] = {"form": store_failure_message(action, error, _store_url())}
    except Exception as error:
        log.exception("tracker form %s failed", prefix)
        st.session_state[key(prefix, "errors")] = {
            "form": f"Nothing was saved: {type(error).__name__}. Try again; the server log has the details."
        }


def _store_url() -> str | None:
    """The store's URL, to name it in the message (kind, host and database only)."""
    try:
        from pages.common import loaders

        return loaders.settings().database_url
    except Exception:
        return None


def _require_actor(context: FormContext) -> Actor:
    """Who is saving, read when the save runs: a name typed just before pressing the button counts. The store
    checks the role; here only a missing name is caught early, with the message under the form."""
    actor = identity.current_actor(context.settings)
    if not actor.name.strip():
        raise TrackerRuleError({"actor": "enter your name in the sidebar first: every change is recorded under it"})
    return actor


# --- item fields (create and edit) ----------------------------------------------------------------------------------


def widget_values(item: TrackerItem | None) -> dict[str, Any]:
    """The form's starting values: an item's, or a new item's defaults."""
    if item is None:
        return {
            "title": "",
            "problem_statement": "",
            "owner_role": "SRE",
            "owner": "",
            "impact": "medium",
            "urgency": "medium",
            "why_parked_category": "other",
            "why_parked": "",
            "workaround": "",
            "workaround_holds": "unknown",
            "root_cause_confidence": "unknown",
            "decided_by": "",
            "decided_on": None,
            "revisit_on": None,
            "cadence_days": None,
            "external_reference": "",
            "services": [],
            "slos": [],
            "databases": [],
            "triggers": "",
            "state": "new",
        }
    values = {name: getattr(item, name) for name in ITEM_FIELDS}
    values["workaround_holds"] = {None: "unknown", True: "yes", False: "no"}[item.workaround_holds]
    values["triggers"] = format_trigger_lines(item.triggers)
    return values


def load_form(prefix: str, values: dict[str, Any]) -> None:
    for name, value in values.items():
        st.session_state[key(prefix, name)] = list(value) if isinstance(value, list) else value


def read_item_fields(prefix: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The item fields a form holds, typed for the store; problems reading them (a bad trigger line) by field."""
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name in ITEM_FIELDS:
        value = st.session_state.get(key(prefix, name))
        if name == "workaround_holds":
            value = HOLDS_CHOICES.get(value or "unknown")
        elif name == "triggers":
            try:
                value = parse_trigger_lines(value or "")
            except TriggerError as error:
                problems["triggers"] = str(error)
                value = []
        elif name == "cadence_days" and value is not None:
            value = int(value)
        elif name in ("services", "slos", "databases"):
            value = list(value or [])
        values[name] = value
    values["title"] = (values.get("title") or "").strip()
    return values, problems


def _options(known: Sequence[str], current: Sequence[str]) -> list[str]:
    return sorted(set(known) | set(current))


def render_item_fields(prefix: str, known: KnownNames) -> None:
    """Every editable field with its problem (if any) right under it."""
    _render_summary_fields(prefix)
    _render_link_fields(prefix, known)
    _render_decision_fields(prefix)


def _render_summary_fields(prefix: str) -> None:
    """Title, problem, owner, impact and urgency, revisit date and cadence, why parked and the workaround."""

    st.text_input(FIELD_LABELS["title"], key=key(prefix, "title"), max_chars=200)
    show_field_error(prefix, "title")
    st.text_area(FIELD_LABELS["problem_statement"], key=key(prefix, "problem_statement"), height=120)
    show_field_error(prefix, "problem_statement")
    left, middle, right = st.columns(3)
    with left:
        st.selectbox(FIELD_LABELS["owner_role"], OWNER_ROLES, key=key(prefix, "owner_role"))
        show_field_error(prefix, "owner_role")
        st.selectbox(FIELD_LABELS["impact"], LEVELS, key=key(prefix, "impact"))
        show_field_error(prefix, "impact")
        st.selectbox(FIELD_LABELS["why_parked_category"], WHY_PARKED_CATEGORIES, key=key(prefix, "why_parked_category"))
        show_field_error(prefix, "why_parked_category")
    with middle:
        st.text_input(FIELD_LABELS["owner"], key=key(prefix, "owner"))
        show_field_error(prefix, "owner")
        st.selectbox(FIELD_LABELS["urgency"], LEVELS, key=key(prefix, "urgency"))
        show_field_error(prefix, "urgency")
        st.selectbox(
            FIELD_LABELS["root_cause_confidence"], ROOT_CAUSE_CONFIDENCES, key=key(prefix, "root_cause_confidence")
        )
    with right:
        _date_input(
            st, FIELD_LABELS["revisit_on"], key(prefix, "revisit_on"), help="When to look again (team time zone)"
        )
        show_field_error(prefix, "revisit_on")
        st.number_input(
            FIELD_LABELS["cadence_days"],
            key=key(prefix, "cadence_days"),
            min_value=1,
            max_value=3650,
            step=1,
            help="How often to look again after each review; empty for none",
        )
        show_field_error(prefix, "cadence_days")
        st.selectbox(FIELD_LABELS["workaround_holds"], list(HOLDS_CHOICES), key=key(prefix, "workaround_holds"))
    st.text_area(FIELD_LABELS["why_parked"], key=key(prefix, "why_parked"), height=90)
    show_field_error(prefix, "why_parked")
    st.text_area(FIELD_LABELS["workaround"], key=key(prefix, "workaround"), height=90)
    show_field_error(prefix, "workaround")


def _render_link_fields(prefix: str, known: KnownNames) -> None:
    """Linked services, SLOs and databases, and the revisit triggers."""

    link_columns = st.columns(3)
    for column, (name, known_names) in zip(
        link_columns, (("services", known.services), ("slos", known.slos), ("databases", known.databases))
    ):
        with column:
            current = st.session_state.get(key(prefix, name)) or []
            placeholder = (
                "none configured: add them to config/databases.toml"
                if name == "databases" and not _options(known_names, current)
                else "none"
            )
            st.multiselect(
                FIELD_LABELS[name], _options(known_names, current), key=key(prefix, name), placeholder=placeholder
            )
            show_field_error(prefix, name)
    st.text_area(
        FIELD_LABELS["triggers"],
        key=key(prefix, "triggers"),
        height=90,
        help=TRIGGER_LINE_HELP,
        placeholder="budget checkout-availability < 25%",
    )
    show_field_error(prefix, "triggers")


def _render_decision_fields(prefix: str) -> None:
    """Who decided it was beyond the team, when, and the external reference."""
    decided_left, decided_right, reference = st.columns(3)
    decided_left.text_input(FIELD_LABELS["decided_by"], key=key(prefix, "decided_by"))
    _date_input(decided_right, FIELD_LABELS["decided_on"], key(prefix, "decided_on"))
    reference.text_input(
        FIELD_LABELS["external_reference"],
        key=key(prefix, "external_reference"),
        help="A ticket, vendor case or document",
    )
    show_field_error(prefix, "external_reference")


# --- create ---------------------------------------------------------------------------------------------------------

CREATE_PREFIX = "tracker_new"
CREATE_STATES = ("new", "assessing", "parked")


def _submit_create(context: FormContext) -> None:
    prefix = CREATE_PREFIX

    def save() -> None:
        values, problems = read_item_fields(prefix)
        state = st.session_state.get(key(prefix, "state"), "new")
        actor = _require_actor(context)
        if problems:
            raise TrackerRuleError(problems)
        submitted = {**values, "state": state}
        token = submission_token(prefix, submitted)
        item = create_item(
            context.engine,
            submitted,
            actor=actor,
            now=context.now,
            today=context.today,
            known=context.known,
            submission=token,
        )
        mark_spent(prefix, token, submitted)
        clear_form(prefix)
        st.session_state[key(prefix, "saved")] = f"Created item #{item.id}: {item.title}"
        st.session_state[key(prefix, "created_id")] = item.id

    st.session_state.pop(key(prefix, "errors"), None)
    _guarded(prefix, save, "create the item")


def show_create_form(context: FormContext) -> None:
    prefix = CREATE_PREFIX
    if key(prefix, "title") not in st.session_state:
        load_form(prefix, widget_values(None))
    ensure_submission_token(prefix)
    with st.form("tracker_new_form", enter_to_submit=False, border=False):
        show_form_messages(prefix)
        st.selectbox(
            FIELD_LABELS["state"],
            CREATE_STATES,
            key=key(prefix, "state"),
            format_func=STATE_LABELS.get,
            help="Parked needs a revisit date or at least one trigger",
        )
        show_field_error(prefix, "state")
        render_item_fields(prefix, context.known)
        st.form_submit_button(
            "Create item", type="primary", on_click=_submit_create, args=(context,), icon=":material/add:"
        )


# --- edit -----------------------------------------------------------------------------------------------------------


def edit_prefix(item_id: int) -> str:
    return f"tracker_edit_{item_id}"


def _start_editing(prefix: str, item: TrackerItem) -> None:
    load_form(prefix, widget_values(item))
    st.session_state[key(prefix, "base")] = item


def _conflict_message(conflict: EditConflict) -> str:
    who = ", ".join(sorted({c.changed_by for c in conflict.conflicts})) or "someone else"
    fields = ", ".join(FIELD_LABELS.get(c.field, c.field) for c in conflict.conflicts)
    theirs = [FIELD_LABELS.get(name, name) for name in conflict.merge.from_theirs] if conflict.merge else []
    kept = f" Their other changes ({', '.join(theirs)}) are now in the form too." if theirs else ""
    return (
        f"**Not saved: this item was changed by {who} since you opened it** (version "
        f"{conflict.base_version} → {conflict.current.version}). You both changed {fields}: the form holds your "
        f"value; choose which to keep below, then press Save changes.{kept} Your edits are still in the form."
    )


def _saved_message(saved: TrackerItem, base: TrackerItem, changes: Mapping[str, Any]) -> str:
    """What the save stored; names the changes others made meanwhile that it kept."""
    if not changes:
        return "Nothing changed."
    message = f"Saved. Now version {saved.version}."
    if saved.version > base.version + 1:
        theirs = [
            FIELD_LABELS.get(name, name)
            for name in FORM_FIELDS
            if name not in changes and getattr(saved, name) != getattr(base, name)
        ]
        if theirs:
            message += f" Kept the changes others saved meanwhile ({', '.join(theirs)})."
    return message


def _rebase_on_conflict(prefix: str, conflict: EditConflict) -> None:
    """Build the form on the version that conflicted: every field only one side changed takes that side's value,
    a field both changed shows yours (its choice says so). The next save is an edit of that version, so a save
    made meanwhile is merged again instead of being overwritten."""
    st.session_state[key(prefix, "conflict")] = conflict
    st.session_state[key(prefix, "base")] = conflict.current
    if conflict.merge is None:
        return
    values = conflict.merge.resolved({c.field: MergeChoice.YOURS for c in conflict.conflicts})
    shown = replace(conflict.current, **{name: values[name] for name in FORM_FIELDS})
    load_form(prefix, widget_values(shown))
    for field_conflict in conflict.conflicts:
        st.session_state[choice_key(prefix, field_conflict.field)] = MergeChoice.YOURS


def _apply_choice(prefix: str, field: str) -> None:
    """Put the chosen side's value of a conflicting field into the form."""
    conflict: EditConflict = st.session_state[key(prefix, "conflict")]
    [field_conflict] = [c for c in conflict.conflicts if c.field == field]
    chosen = MergeChoice(st.session_state[choice_key(prefix, field)])
    value = field_conflict.your_value if chosen is MergeChoice.YOURS else field_conflict.their_value
    st.session_state[key(prefix, field)] = widget_values(replace(conflict.current, **{field: value}))[field]


def _submit_edit(context: FormContext, item_id: int) -> None:
    prefix = edit_prefix(item_id)

    def save() -> None:
        values, problems = read_item_fields(prefix)
        actor = _require_actor(context)
        if problems:
            raise TrackerRuleError(problems)
        base: TrackerItem = st.session_state[key(prefix, "base")]
        changes = {name: value for name, value in values.items() if value != getattr(base, name)}
        try:
            saved = update_item(
                context.engine,
                item_id,
                base.version,
                changes,
                actor=actor,
                now=context.now,
                today=context.today,
                known=context.known,
                base=base,
            )
        except EditConflict as conflict:
            _rebase_on_conflict(prefix, conflict)
            raise TrackerRuleError({"form": _conflict_message(conflict)}) from None
        clear_form(prefix)
        st.session_state[key(prefix, "saved")] = _saved_message(saved, base, changes)
        st.session_state[key(prefix, "saved_version")] = saved.version

    st.session_state.pop(key(prefix, "errors"), None)
    _guarded(prefix, save, "save the edit")


def choice_key(prefix: str, field: str) -> str:
    return key(prefix, f"choice_{field}")


def _discard_edits(prefix: str) -> None:
    clear_form(prefix)


def conflict_frame(conflict: EditConflict) -> pd.DataFrame:
    rows = [
        {
            "field": FIELD_LABELS.get(c.field, c.field),
            "changed by": c.changed_by,
            "their value": _display(c.their_value),
            "your value": _display(c.your_value),
        }
        for c in conflict.conflicts
    ]
    return pd.DataFrame(rows, columns=["field", "changed by", "their value", "your value"])


def _display(value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return format_trigger_lines(value).replace("\n", "; ")
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _show_conflict(prefix: str, conflict: EditConflict) -> None:
    """The fields both people changed, side by side, with a choice for each that sets the form's value."""
    st.error(errors_of(prefix).get("form", "Not saved: the item changed meanwhile."), icon=":material/sync_problem:")
    st.dataframe(conflict_frame(conflict), hide_index=True, key=f"{prefix}_conflict_table")
    if conflict.merge is not None:
        for field_conflict in conflict.conflicts:
            label = FIELD_LABELS.get(field_conflict.field, field_conflict.field)
            st.radio(
                f"{label}: keep",
                list(MergeChoice),
                key=choice_key(prefix, field_conflict.field),
                horizontal=True,
                on_change=_apply_choice,
                args=(prefix, field_conflict.field),
                format_func=lambda choice, c=field_conflict: (
                    f"theirs ({c.changed_by}): {_display(c.their_value)}"
                    if choice is MergeChoice.THEIRS
                    else f"mine: {_display(c.your_value)}"
                ),
            )
    st.button(
        "Discard my edits and load the latest",
        key=f"{prefix}_discard",
        on_click=_discard_edits,
        args=(prefix,),
        icon=":material/refresh:",
    )


def _editing_caption(version: int, saved_version: int | None) -> str:
    """Which version the form holds, in words that agree with the "Saved." message just above it."""
    if saved_version is None:
        return f"Editing version {version}. If someone saves first, you will see what they changed."
    if version == saved_version:
        return f"The form now holds version {version}, the one you saved."
    return (
        f"The form now holds version {version}: the item changed again after your save (version {saved_version}), "
        "by the revisit check or by someone else. The audit trail says who."
    )


def show_edit_form(context: FormContext, item: TrackerItem) -> None:
    prefix = edit_prefix(item.id)
    if key(prefix, "base") not in st.session_state:
        _start_editing(prefix, item)
    pop_success(prefix)
    conflict: EditConflict | None = st.session_state.get(key(prefix, "conflict"))
    if conflict is not None:
        _show_conflict(prefix, conflict)
    with st.form(f"{prefix}_form", enter_to_submit=False, border=False):
        if conflict is None:
            show_form_messages(prefix)
        base: TrackerItem = st.session_state[key(prefix, "base")]
        st.caption(_editing_caption(base.version, st.session_state.pop(key(prefix, "saved_version"), None)))
        render_item_fields(prefix, context.known)
        st.form_submit_button(
            "Save changes", type="primary", on_click=_submit_edit, args=(context, item.id), icon=":material/save:"
        )


# --- change state ---------------------------------------------------------------------------------------------------


def state_prefix(item_id: int) -> str:
    return f"tracker_state_{item_id}"


def _submit_state(context: FormContext, item_id: int, version: int) -> None:
    prefix = state_prefix(item_id)

    def save() -> None:
        actor = _require_actor(context)
        target = st.session_state.get(key(prefix, "state"))
        resolution = st.session_state.get(key(prefix, "resolution_code")) or None
        try:
            saved = change_state(
                context.engine,
                item_id,
                version,
                target,
                actor=actor,
                now=context.now,
                today=context.today,
                resolution_code=resolution,
                revisit_on=st.session_state.get(key(prefix, "revisit_on")),
                note=(st.session_state.get(key(prefix, "note")) or "").strip(),
            )
        except EditConflict as conflict:
            raise TrackerRuleError(
                {
                    "form": f"Not changed: someone else changed the item meanwhile (now version "
                    f"{conflict.current.version}, {STATE_LABELS[conflict.current.state]}). "
                    "Check the page again and retry."
                }
            ) from None
        clear_form(prefix)
        st.session_state[key(prefix, "saved")] = f"The item is now {STATE_LABELS[saved.state]}."

    st.session_state.pop(key(prefix, "errors"), None)
    _guarded(prefix, save, "change the state")


def show_state_form(context: FormContext, item: TrackerItem) -> None:
    prefix = state_prefix(item.id)
    pop_success(prefix)
    targets = [state for state in STATES if state in ALLOWED_TRANSITIONS[item.state]]
    with st.form(f"{prefix}_form", enter_to_submit=False, border=False):
        show_form_messages(prefix)
        st.selectbox("New state", targets, key=key(prefix, "state"), format_func=STATE_LABELS.get)
        show_field_error(prefix, "state")
        left, right = st.columns(2)
        _date_input(
            left,
            "Revisit on (when parking)",
            key(prefix, "revisit_on"),
            value=item.revisit_on,
            help="Parking needs a revisit date (today or later) or a trigger",
        )
        with left:
            show_field_error(prefix, "revisit_on")
        right.selectbox(
            "Resolution (when finishing)",
            [""] + list(RESOLUTION_CODES),
            key=key(prefix, "resolution_code"),
            format_func=lambda code: code.replace("_", " ") or "—",
            help="; ".join(f"{STATE_LABELS[s]}: {' or '.join(c)}" for s, c in RESOLUTIONS_FOR_STATE.items()),
        )
        with right:
            show_field_error(prefix, "resolution_code")
        st.text_input("Note for the audit trail (optional)", key=key(prefix, "note"))
        st.form_submit_button(
            "Change state", on_click=_submit_state, args=(context, item.id, item.version), icon=":material/swap_horiz:"
        )


# --- review ---------------------------------------------------------------------------------------------------------


def review_prefix(item_id: int) -> str:
    return f"tracker_review_{item_id}"


def _submit_review(context: FormContext, item_id: int) -> None:
    prefix = review_prefix(item_id)

    def save() -> None:
        actor = _require_actor(context)
        submitted = {
            "outcome": st.session_state.get(key(prefix, "outcome")),
            "what_changed": st.session_state.get(key(prefix, "what_changed")) or "",
            "next_revisit_on": st.session_state.get(key(prefix, "next_revisit_on")),
        }
        token = submission_token(prefix, submitted)
        review = record_review(
            context.engine,
            item_id,
            reviewer=actor,
            **submitted,
            now=context.now,
            today=context.today,
            readings=context.readings,
            submission=token,
        )
        mark_spent(prefix, token, submitted)
        clear_form(prefix)
        st.session_state[key(prefix, "saved")] = (
            f"Review recorded: {OUTCOME_LABELS[review.outcome]}; the item is now {STATE_LABELS[review.state_after]}."
        )

    st.session_state.pop(key(prefix, "errors"), None)
    _guarded(prefix, save, "record the review")


def show_review_form(context: FormContext, item: TrackerItem) -> None:
    prefix = review_prefix(item.id)
    pop_success(prefix)
    ensure_submission_token(prefix)
    with st.form(f"{prefix}_form", enter_to_submit=False, border=False):
        show_form_messages(prefix)
        left, right = st.columns(2)
        left.selectbox(
            FIELD_LABELS["outcome"], REVIEW_OUTCOMES, key=key(prefix, "outcome"), format_func=OUTCOME_LABELS.get
        )
        with left:
            show_field_error(prefix, "outcome")
        _date_input(
            right,
            FIELD_LABELS["next_revisit_on"],
            key(prefix, "next_revisit_on"),
            value=None,
            help="Needed to keep the item parked (unless it has a trigger)",
        )
        with right:
            show_field_error(prefix, "next_revisit_on")
        st.text_area(
            FIELD_LABELS["what_changed"],
            key=key(prefix, "what_changed"),
            height=100,
            placeholder="New people, tools, vendor versions, budgets… or nothing",
        )
        st.form_submit_button(
            "Record review",
            type="primary",
            on_click=_submit_review,
            args=(context, item.id),
            icon=":material/rate_review:",
        )


# --- import ---------------------------------------------------------------------------------------------------------

IMPORT_PREFIX = "tracker_import"


def _submit_import(context: FormContext) -> None:
    prefix = IMPORT_PREFIX

    def save() -> None:
        actor = _require_actor(context)
        upload = st.session_state.get(key(prefix, "file"))
        if upload is None:
            raise TrackerRuleError({"file": "choose a CSV or JSON file first"})
        too_large = import_size_problem(upload.size, upload.name)
        if too_large:
            raise TrackerRuleError({"file": f"{too_large}; nothing was imported"})
        try:
            text = upload.getvalue().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TrackerRuleError({"file": "not UTF-8 text: export it as UTF-8 CSV or JSON"}) from None
        try:
            ids = import_items(
                context.engine,
                text,
                detect_format(upload.name, text),
                known=context.known,
                actor=actor,
                now=context.now,
            )
        except ImportFailed as failure:
            st.session_state[key(prefix, "problems")] = failure.lines()
            raise TrackerRuleError(
                {"file": f"{len(failure.problems)} problem(s) in {upload.name}; nothing was imported"}
            ) from None
        st.session_state.pop(key(prefix, "problems"), None)
        st.session_state[key(prefix, "saved")] = f"Imported {len(ids)} item(s) from {upload.name}."

    st.session_state.pop(key(prefix, "errors"), None)
    st.session_state.pop(key(prefix, "problems"), None)
    _guarded(prefix, save, "import the items")


def show_import_form(context: FormContext) -> None:
    prefix = IMPORT_PREFIX
    pop_success(prefix)
    with st.form("tracker_import_form", enter_to_submit=False, border=False):
        show_form_messages(prefix)
        st.file_uploader("CSV or JSON file (the export format)", type=["csv", "json"], key=key(prefix, "file"))
        show_field_error(prefix, "file")
        problems = st.session_state.get(key(prefix, "problems"), [])
        if problems:
            st.dataframe(pd.DataFrame({"problem": problems}), hide_index=True, key=f"{prefix}_problems")
        st.form_submit_button("Import", on_click=_submit_import, args=(context,), icon=":material/upload:")
