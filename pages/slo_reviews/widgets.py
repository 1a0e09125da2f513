"""The SLO reviews page's tables and the review form: frames of text (shown as text, never Markdown) and the form
that stores one review per submission."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from data.settings import Settings
from data.slo_reviews import service
from metrics.access import MissingName, PermissionDenied, Role
from metrics.formatting import NO_DATA, format_count, format_percent, format_sli, format_target, target_decimals
from metrics.slo.definitions import SloDefinition
from metrics.slo_reviews.rules import (
    ReviewError,
    ReviewOutcome,
    ReviewState,
    ReviewStatus,
    SloReview,
    WhatIfRow,
    format_cadence,
)
from metrics.status import CRITICAL, OK
from metrics.status import NO_DATA as NO_DATA_STYLE
from pages.common import identity, widgets
from pages.common.submissions import ensure_submission_token, store_once

FORM_KEY = "slo_review_form"


def slo_link(name: str) -> str:
    return "?" + urlencode({"slo": name}, quote_via=quote)


def local_day(moment, team_timezone: str, with_time: bool = False) -> str:
    """The local date (and time) in the team's zone: reviews are months apart, so the year matters."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(team_timezone)).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def statuses_frame(statuses: Sequence[ReviewStatus], team_timezone: str) -> pd.DataFrame:
    """One row per SLO, overdue first (the order ``review_statuses`` gives)."""
    return pd.DataFrame(
        [
            {
                "SLO": slo_link(s.slo),
                "state": s.state.badge,
                "service": s.service,
                "target": format_target(s.target),
                "every": format_cadence(s.cadence),
                "last review": local_day(s.last_review.reviewed_at, team_timezone) if s.last_review else "never",
                "outcome": s.last_review.outcome.label if s.last_review else "",
                "by": s.last_review.reviewer if s.last_review else "",
                "next due": local_day(s.next_due, team_timezone) or "no rollup yet",
                "days left": s.days_until_due,
            }
            for s in statuses
        ],
        columns=["SLO", "state", "service", "target", "every", "last review", "outcome", "by", "next due", "days left"],
    )


def state_line(status: ReviewStatus, team_timezone: str) -> str:
    """ "■ overdue · reviewed every 90 days · next due 2026-08-25 · target 99.9%" (no user text in it)."""
    due = f"next due {local_day(status.next_due, team_timezone)}" if status.next_due else "no due date yet"
    return (
        f"{status.state.badge} · reviewed every {format_cadence(status.cadence)} · {due} · target "
        f"{format_target(status.target)}"
    )


def state_colour(text: str) -> str:
    for state in ReviewState:
        if str(text).startswith(state.badge):
            return f"color: {state.style.color}; font-weight: 600"
    return ""


def history_frame(reviews: Sequence[SloReview], team_timezone: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "reviewed": local_day(r.reviewed_at, team_timezone, with_time=True),
                "by": r.reviewer,
                "outcome": r.outcome.label,
                "target then": format_target(r.target),
                "notes": r.notes,
            }
            for r in reviews
        ],
        columns=["reviewed", "by", "outcome", "target then", "notes"],
    )


def _met(value: bool | None) -> str:
    if value is None:
        return NO_DATA_STYLE.badge
    return OK.badge.replace("ok", "met") if value else CRITICAL.badge.replace("critical", "missed")


def what_if_frame(rows: Sequence[WhatIfRow], current: float, what_if: float) -> pd.DataFrame:
    """Each period at the current target and the what-if one; "no data" where the rollups hold no events."""
    precise = current if target_decimals(current) >= target_decimals(what_if) else what_if
    now_label, then_label = f"current {format_target(current)}", f"what-if {format_target(what_if)}"
    return pd.DataFrame(
        [
            {
                "period": row.period.label,
                "SLI": format_sli(row.sli, precise),
                f"budget left ({now_label})": format_percent(row.budget_remaining_current),
                f"budget left ({then_label})": format_percent(row.budget_remaining_what_if),
                f"met ({now_label})": _met(row.met_current),
                f"met ({then_label})": _met(row.met_what_if),
                "events": format_count(row.total) if row.sli is not None else NO_DATA,
                "days with data": f"{row.days_with_data} of {row.period.days}",
            }
            for row in rows
        ]
    )


def met_colour(text: str) -> str:
    for style, word in ((OK, "met"), (CRITICAL, "missed")):
        if str(text) == f"{style.symbol} {word}":
            return f"color: {style.color}; font-weight: 600"
    return ""


def show_review_form(settings: Settings, slos: Sequence[SloDefinition], slo: str) -> None:
    """The review form for ``slo`` (editors); a refused entry stays in the form, a stored one clears it."""
    flash = st.session_state.pop(f"{FORM_KEY}_flash", None)  # the confirmation survives the rerun
    if flash:
        st.success(flash, icon=":material/check:")
    actor = identity.current_actor(settings)
    if not actor.can(Role.EDITOR):
        identity.read_only_note(actor, Role.EDITOR, "Recording SLO reviews")
        return
    ensure_submission_token(FORM_KEY)
    # Cleared only after a successful save: a refused entry (a rule, the store down) stays in the form.
    with st.form(FORM_KEY, clear_on_submit=False, border=True):
        outcome = st.selectbox("Outcome", list(ReviewOutcome), format_func=lambda o: o.label, key=f"{FORM_KEY}_outcome")
        notes = st.text_area(
            "Notes",
            key=f"{FORM_KEY}_notes",
            max_chars=2000,
            height=100,
            placeholder="Is the target still right? Is the SLI still what users feel?",
        )
        submitted = st.form_submit_button("Record review", icon=":material/rate_review:")
    if not submitted:
        return
    entry = {"slo": slo, "outcome": outcome.value, "notes": notes or ""}
    review = store_once(
        FORM_KEY,
        entry,
        what="record the SLO review",
        database_url=settings.database_url,
        save=lambda token: service.record_review(settings, slos, actor=actor, submission_key=token, **entry),
        already=service.AlreadyRecorded,
        refusals=(ReviewError, PermissionDenied, MissingName),
        fields=("outcome", "notes"),
    )
    if review is None:
        return
    st.session_state[f"{FORM_KEY}_flash"] = (
        f"Recorded the review of {widgets.plain(review.slo)}: {review.outcome.label}, at target "
        f"{format_target(review.target)}."
    )
    st.rerun()
