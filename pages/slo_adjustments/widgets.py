"""The budget adjustments page's form and list: text frames (shown as text, never Markdown), the form that stores
one adjustment per submission, and removal on the version shown."""

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
from pages.common.submissions import ensure_submission_token, store_once

FORM_KEY = "slo_adjustment_form"
REMOVE_KEY = "slo_adjustment_remove"


def local_text(moment: datetime | None, team_timezone: str) -> str:
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(team_timezone)).strftime("%Y-%m-%d %H:%M")


def adjustments_frame(adjustments: Sequence[Adjustment], team_timezone: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": a.id,
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


def show_form(settings: Settings, slos: Sequence[SloDefinition]) -> None:
    """The entry form (editors); a refused entry stays in the form, a stored one clears it."""
    flash = st.session_state.pop(f"{FORM_KEY}_flash", None)  # the confirmation survives the rerun
    if flash:
        st.success(flash, icon=":material/check:")
    actor = identity.current_actor(settings)
    if not actor.can(Role.EDITOR):
        identity.read_only_note(actor, Role.EDITOR, "Entering budget adjustments")
        return
    zone = ZoneInfo(settings.team_timezone)
    now = settings.now().astimezone(zone)
    ensure_submission_token(FORM_KEY)
    with st.form(FORM_KEY, clear_on_submit=False, border=True):
        category = st.selectbox(
            "Category", list(AdjustmentCategory), format_func=lambda c: c.value, key=f"{FORM_KEY}_category"
        )
        reason = st.text_area("Reason", key=f"{FORM_KEY}_reason", max_chars=2000, height=80)
        # a date and its time side by side, start above end: whole dates and a readable zone in a narrow column
        st.caption(f"Times in {settings.team_timezone}")
        start_day, start_clock = st.columns(2)
        start_date = start_day.date_input("Starts on", value=now.date(), key=f"{FORM_KEY}_start_date")
        start_time = start_clock.time_input("Start time", value=time(now.hour), key=f"{FORM_KEY}_start_time", step=300)
        end_day, end_clock = st.columns(2)
        end_date = end_day.date_input("Ends on", value=now.date(), key=f"{FORM_KEY}_end_date")
        end_time = end_clock.time_input(
            "End time", value=time(min(now.hour + 1, 23)), key=f"{FORM_KEY}_end_time", step=300
        )
        recurrence = st.text_input(
            "Repeat (RFC 5545 RRULE, optional)",
            key=f"{FORM_KEY}_recurrence",
            placeholder="FREQ=WEEKLY;BYDAY=SA",
            help="Every occurrence starts at a time the rule yields from the start above and lasts as long as the "
            "first window. Leave empty for a one-off window.",
        )
        chosen_slos = st.multiselect("SLOs", [slo.name for slo in slos], key=f"{FORM_KEY}_slos")
        services = st.multiselect(
            "Every SLO of these services", sorted({slo.service for slo in slos}), key=f"{FORM_KEY}_services"
        )
        selector = st.text_input(
            "Or SLOs whose labels match", key=f"{FORM_KEY}_selector", placeholder="team=commerce, tier!=3"
        )
        submitted = st.form_submit_button("Enter adjustment", icon=":material/event_busy:")
    if not submitted:
        return
    start = _instant(start_date, start_time, zone)
    end = _instant(end_date, end_time, zone)
    entry = {
        "category": category.value,
        "reason": reason or "",
        "start": start,
        "end": end,
        "recurrence": recurrence or None,
        "slos": tuple(chosen_slos),
        "services": tuple(services),
        "selector": selector or "",
    }

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
