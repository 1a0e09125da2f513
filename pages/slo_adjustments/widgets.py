"""The budget adjustments page's forms and list: text frames (shown as text, never Markdown), the form that stores
one adjustment per submission, an edit form per adjustment saved on the version it was filled from, and removal on
the version shown."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from data.settings import Settings
from data.slo_adjustments import service
from metrics.access import MissingName, PermissionDenied, Role
from metrics.slo.adjustments import Adjustment, AdjustmentCategory, AdjustmentError, describe_window
from metrics.slo.definitions import SloDefinition
from pages.common import identity, widgets
from pages.common.store_writes import store_write
from pages.common.submissions import ensure_submission_token, store_once

FORM_KEY = "slo_adjustment_form"
REMOVE_KEY = "slo_adjustment_remove"
EDIT_KEY = "slo_adjustment_edit"


def local_text(moment: datetime | None, team_timezone: str) -> str:
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(team_timezone)).strftime("%Y-%m-%d %H:%M")


def adjustments_frame(adjustments: Sequence[Adjustment], team_timezone: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": a.id,
                "version": a.version,
                "category": a.category.value,
                "window (UTC)": describe_window(a),
                "covers": a.scope.describe(),
                "reason": a.reason,
                "entered by": a.entered_by,
                f"entered ({team_timezone})": local_text(a.entered_at, team_timezone),
                "removed": f"by {a.removed_by}, {local_text(a.removed_at, team_timezone)}" if a.removed else "",
            }
            for a in adjustments
        ],
        columns=[
            "id",
            "version",
            "category",
            "window (UTC)",
            "covers",
            "reason",
            "entered by",
            f"entered ({team_timezone})",
            "removed",
        ],
    )


def _instant(day, clock: time | None, zone: ZoneInfo) -> datetime | None:
    if day is None or clock is None:
        return None
    return datetime.combine(day, clock, zone).astimezone(UTC)


def _fields(prefix: str, settings: Settings, slos: Sequence[SloDefinition], seeded: Adjustment | None) -> dict:
    """The adjustment's widgets inside a form (the entry form's, or one edit form's); the entry as typed.
    ``seeded``: the stored adjustment the edit form was filled from (its widgets take their values from the session
    then, so a refused save keeps what was typed); None draws the entry form's defaults (the coming hour)."""
    zone = ZoneInfo(settings.team_timezone)
    now = settings.now().astimezone(zone)

    def default(value) -> dict:
        return {} if seeded is not None else {"value": value}

    slo_names = [slo.name for slo in slos]
    service_names = sorted({slo.service for slo in slos})
    if seeded is not None:  # a name since gone from the catalog stays choosable: validation names it, nothing is lost
        slo_names += [name for name in seeded.scope.slos if name not in slo_names]
        service_names += [name for name in seeded.scope.services if name not in service_names]
    category = st.selectbox(
        "Category", list(AdjustmentCategory), format_func=lambda c: c.value, key=f"{prefix}_category"
    )
    reason = st.text_area("Reason", key=f"{prefix}_reason", max_chars=2000, height=80)
    # a date and its time side by side, start above end: whole dates and a readable zone in a narrow column
    st.caption(f"Times in {settings.team_timezone}")
    start_day, start_clock = st.columns(2)
    start_date = start_day.date_input("Starts on", key=f"{prefix}_start_date", **default(now.date()))
    start_time = start_clock.time_input("Start time", key=f"{prefix}_start_time", step=300, **default(time(now.hour)))
    end_day, end_clock = st.columns(2)
    end_date = end_day.date_input("Ends on", key=f"{prefix}_end_date", **default(now.date()))
    end_time = end_clock.time_input(
        "End time", key=f"{prefix}_end_time", step=300, **default(time(min(now.hour + 1, 23)))
    )
    recurrence = st.text_input(
        "Repeat (RFC 5545 RRULE, optional)",
        key=f"{prefix}_recurrence",
        placeholder="FREQ=WEEKLY;BYDAY=SA",
        help="Every occurrence starts at a time the rule yields from the start above and lasts as long as the "
        "first window. Leave empty for a one-off window.",
    )
    chosen_slos = st.multiselect("SLOs", slo_names, key=f"{prefix}_slos")
    services = st.multiselect("Every SLO of these services", service_names, key=f"{prefix}_services")
    selector = st.text_input(
        "Or SLOs whose labels match", key=f"{prefix}_selector", placeholder="team=commerce, tier!=3"
    )
    return {
        "category": category.value,
        "reason": reason or "",
        "start": _instant(start_date, start_time, zone),
        "end": _instant(end_date, end_time, zone),
        "recurrence": recurrence or None,
        "slos": tuple(chosen_slos),
        "services": tuple(services),
        "selector": selector or "",
    }


def show_form(settings: Settings, slos: Sequence[SloDefinition]) -> None:
    """The entry form (editors); a refused entry stays in the form, a stored one clears it."""
    flash = st.session_state.pop(f"{FORM_KEY}_flash", None)  # the confirmation survives the rerun
    if flash:
        st.success(flash, icon=":material/check:")
    actor = identity.current_actor(settings)
    if not actor.can(Role.EDITOR):
        identity.read_only_note(actor, Role.EDITOR, "Entering budget adjustments")
        return
    ensure_submission_token(FORM_KEY)
    with st.form(FORM_KEY, clear_on_submit=False, border=True):
        entry = _fields(FORM_KEY, settings, slos, None)
        submitted = st.form_submit_button("Enter adjustment", icon=":material/event_busy:")
    if not submitted:
        return

    def save(token: str) -> Adjustment:
        scope = service.scope_of(entry["slos"], entry["services"], entry["selector"])
        return service.add_adjustment(
            settings,
            slos,
            actor=actor,
            category=entry["category"],
            reason=entry["reason"],
            start=entry["start"],
            end=entry["end"],
            recurrence=entry["recurrence"],
            scope=scope,
            submission_key=token,
        )

    stored = store_once(
        FORM_KEY,
        entry,
        what="enter the budget adjustment",
        database_url=settings.database_url,
        save=save,
        already=service.AlreadyRecorded,
        refusals=(AdjustmentError, PermissionDenied, MissingName),
        fields=("reason", "recurrence", "slos", "services", "selector"),
    )
    if stored is None:
        return
    st.session_state[f"{FORM_KEY}_flash"] = (
        f"Entered adjustment {stored.id} ({stored.category.value}, {describe_window(stored)}) covering "
        f"{widgets.plain(stored.scope.describe())}: its events no longer count for or against the budget."
    )
    st.rerun()


EDIT_FIELDS = (
    "category",
    "reason",
    "start_date",
    "start_time",
    "end_date",
    "end_time",
    "recurrence",
    "slos",
    "services",
    "selector",
)


def edit_key(adjustment_id: int) -> str:
    return f"{EDIT_KEY}_{adjustment_id}"


def _seed(prefix: str, adjustment: Adjustment, team_timezone: str) -> None:
    """Fill an edit form from the stored adjustment, and remember the version it was filled from (the one its save
    names), unless it was filled already: what someone typed stays across reruns and refusals."""
    if f"{prefix}_base" in st.session_state:
        return
    zone = ZoneInfo(team_timezone)
    start, end = adjustment.start.astimezone(zone), adjustment.end.astimezone(zone)
    st.session_state.update(
        {
            f"{prefix}_category": adjustment.category,
            f"{prefix}_reason": adjustment.reason,
            f"{prefix}_start_date": start.date(),
            f"{prefix}_start_time": start.time().replace(tzinfo=None),
            f"{prefix}_end_date": end.date(),
            f"{prefix}_end_time": end.time().replace(tzinfo=None),
            f"{prefix}_recurrence": adjustment.recurrence or "",
            f"{prefix}_slos": list(adjustment.scope.slos),
            f"{prefix}_services": list(adjustment.scope.services),
            f"{prefix}_selector": adjustment.scope.selector_text,
            f"{prefix}_base": adjustment.version,
        }
    )


def _forget(prefix: str) -> None:
    for name in (*EDIT_FIELDS, "base"):
        st.session_state.pop(f"{prefix}_{name}", None)


def show_edit_forms(settings: Settings, slos: Sequence[SloDefinition], in_force: Sequence[Adjustment]) -> None:
    """One edit form per adjustment in force (editors), filled from it and saved on the version it was filled from:
    a change someone made meanwhile is refused naming them, and what was typed stays in the form until its editor
    chooses to load the current version."""
    if not in_force:
        return
    actor = identity.current_actor(settings)
    if not actor.can(Role.EDITOR):
        identity.read_only_note(actor, Role.EDITOR, "Changing budget adjustments")
        return
    flash = st.session_state.pop(f"{EDIT_KEY}_flash", None)
    if flash:
        st.success(flash, icon=":material/check:")
    for adjustment in in_force:
        prefix = edit_key(adjustment.id)
        _seed(prefix, adjustment, settings.team_timezone)
        base = st.session_state[f"{prefix}_base"]
        label = f"Change {adjustment.id} · {adjustment.category.value} · {describe_window(adjustment)}"
        with st.expander(label, expanded=base != adjustment.version):
            if base != adjustment.version:
                st.warning(
                    f"Adjustment {adjustment.id} changed since this form was filled (version {base}; now "
                    f"{adjustment.version}). Your values are kept: a save is refused until you load the current "
                    "version.",
                    icon=":material/sync_problem:",
                )
                if st.button(
                    f"Load version {adjustment.version} (drops what you typed)",
                    key=f"{prefix}_reload",
                    icon=":material/refresh:",
                ):
                    _forget(prefix)
                    st.rerun()
            with st.form(prefix, clear_on_submit=False, border=False):
                entry = _fields(prefix, settings, slos, adjustment)
                submitted = st.form_submit_button("Save changes", icon=":material/save:")
            if submitted:
                _save_edit(settings, slos, actor, adjustment, prefix, base, entry)


def _save_edit(settings, slos, actor, adjustment: Adjustment, prefix: str, base: int, entry: dict) -> None:
    stored = None
    with store_write("save the budget adjustment", settings.database_url):
        try:
            stored = service.change_adjustment(
                settings,
                slos,
                actor=actor,
                adjustment_id=adjustment.id,
                version=base,
                category=entry["category"],
                reason=entry["reason"],
                start=entry["start"],
                end=entry["end"],
                recurrence=entry["recurrence"],
                scope=service.scope_of(entry["slos"], entry["services"], entry["selector"]),
            )
        except (AdjustmentError, service.StaleEdit, service.NotFound, PermissionDenied, MissingName) as error:
            st.error(f"Not saved — {widgets.plain(str(error))}", icon=":material/error:")
    if stored is None:
        return
    _forget(prefix)  # the next run fills the form from the version just stored
    st.session_state[f"{EDIT_KEY}_flash"] = (
        f"Saved adjustment {stored.id} (version {stored.version}: {stored.category.value}, "
        f"{describe_window(stored)}) covering {widgets.plain(stored.scope.describe())}."
    )
    st.rerun()


def show_removal(settings: Settings, in_force: Sequence[Adjustment]) -> None:
    """Remove one adjustment, on the version listed (a change made meanwhile is refused)."""
    if not in_force:
        return
    actor = identity.current_actor(settings)
    if not actor.can(Role.EDITOR):
        identity.read_only_note(actor, Role.EDITOR, "Removing budget adjustments")
        return
    flash = st.session_state.pop(f"{REMOVE_KEY}_flash", None)
    if flash:
        st.success(flash, icon=":material/check:")
    by_id = {a.id: a for a in in_force}
    pick, button = st.columns([3, 1], vertical_alignment="bottom")
    chosen = pick.selectbox(
        "Remove an adjustment",
        list(by_id),
        format_func=lambda i: f"{i} · {by_id[i].category.value} · {describe_window(by_id[i])}",
        key=f"{REMOVE_KEY}_id",
    )
    if not button.button("Remove", icon=":material/delete:", key=f"{REMOVE_KEY}_button"):
        return
    try:
        removed = service.withdraw_adjustment(
            settings, actor=actor, adjustment_id=chosen, version=by_id[chosen].version
        )
    except (service.StaleEdit, service.NotFound, PermissionDenied, MissingName) as error:
        st.error(f"Not removed — {widgets.plain(str(error))}", icon=":material/error:")
        return
    st.session_state[f"{REMOVE_KEY}_flash"] = f"Removed adjustment {removed.id}: its events count again."
    st.rerun()
