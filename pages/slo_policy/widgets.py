"""The error-budget policy page's tables and forms, and the freeze badge the SLO burn page shows: frames of text
(shown as text, never Markdown), the policy form (a save names the version it was made on) and the decision form
(one row per submission)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from data.settings import Settings
from data.slo_policy import service
from metrics.access import MissingName, PermissionDenied, Role
from metrics.slo_policy.rules import (
    ALL_SERVICES,
    DEFAULT_AT_RISK_SPENT,
    DEFAULT_FREEZE_SPENT,
    DEFAULT_POSTMORTEM_SHARE,
    Decision,
    DecisionKind,
    IncidentBurn,
    Policy,
    PolicyError,
    PolicyState,
    ServiceState,
    decision_line,
    format_share,
    scope_label,
)
from pages.common import identity, widgets
from pages.common.store_writes import store_write
from pages.common.submissions import ensure_submission_token, store_once

POLICY_FORM = "slo_policy_form"
DECISION_FORM = "slo_policy_decision"


def state_colour(text: str) -> str:
    """The table cell's style: the palette's own colour (``metrics.status``) for the state it reads."""
    for state in PolicyState:
        if str(text) == state.badge:
            return f"color: {state.style.color}; font-weight: 600"
    return ""


def local_day(moment, team_timezone: str) -> str:
    return "" if moment is None else moment.astimezone(ZoneInfo(team_timezone)).strftime("%Y-%m-%d %H:%M")


def states_frame(states: Sequence[ServiceState]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "state": s.state.badge,
                "service": s.service,
                "policy": "" if s.policy is None else s.policy.label,
                "worst SLO": s.worst_slo or "",
                "budget spent": format_share(s.budget_spent),
                "latest decision": "" if s.latest_decision is None else decision_line(s.latest_decision),
            }
            for s in states
        ],
        columns=["state", "service", "policy", "worst SLO", "budget spent", "latest decision"],
    )


def decisions_frame(decisions: Sequence[Decision], team_timezone: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "when": local_day(d.decided_at, team_timezone),
                "service": d.service,
                "decision": d.kind.label,
                "incident": d.incident,
                "state then": d.state,
                "by": d.decided_by,
                "why": d.reason,
            }
            for d in decisions
        ],
        columns=["when", "service", "decision", "incident", "state then", "by", "why"],
    )


def postmortems_frame(burns: Sequence[IncidentBurn], decisions: Sequence[Decision] = ()) -> pd.DataFrame:
    """The incidents over their policy's share, each with the postmortem decision that names it, if any."""
    recorded = {
        d.incident: f"{d.decided_by}, {d.decided_at.date().isoformat()}"
        for d in sorted(decisions, key=lambda d: (d.decided_at, d.id or 0))
        if d.kind is DecisionKind.POSTMORTEM and d.incident
    }
    return pd.DataFrame(
        [
            {
                "incident": b.reference,
                "service": b.service,
                "SLO": b.slo,
                "budget burned": format_share(b.share),
                "policy share": format_share(b.threshold),
                "postmortem decision": recorded.get(b.reference, "not recorded yet"),
                "summary": b.summary,
            }
            for b in burns
        ],
        columns=["incident", "service", "SLO", "budget burned", "policy share", "postmortem decision", "summary"],
    )


def show_policy(policy: Policy, today: date) -> None:
    """One policy: thresholds, approver and dates (a revisit date reached says so), its tracker item, and the
    agreed actions as text."""
    st.markdown(
        f"**{widgets.plain(policy.label)}** · at risk from {format_share(policy.at_risk_spent)} spent · freeze at "
        f"{format_share(policy.freeze_spent)} spent · postmortem above {format_share(policy.postmortem_share)} of "
        f"the budget in one incident"
    )
    st.caption(
        f"Approved by {widgets.plain(policy.approver)} on {policy.approved_on.isoformat()} · revisit on "
        f"{policy.revisit_on.isoformat()} · version {policy.version}, saved by {widgets.plain(policy.updated_by)}"
    )
    if policy.revisit_on <= today:
        st.warning(
            f"Due for revisit since {policy.revisit_on.isoformat()}: look at it again with its approver and save it "
            "with the next revisit date.",
            icon=":material/event_repeat:",
        )
    st.text(policy.actions)
    if policy.tracker_item_id is not None:
        st.page_link(
            "pages/tracker/page.py",
            label=f"Revisit-tracker item #{policy.tracker_item_id}: comes due on {policy.revisit_on.isoformat()}",
            icon=":material/event_repeat:",
            query_params={"item": str(policy.tracker_item_id)},
        )


def show_policy_form(settings: Settings, services: Sequence[str], policies: Sequence[Policy], today: date) -> None:
    """Edit (or write) the policy of one scope. The save names the version the form was opened on: a save made
    meanwhile by someone else is refused and shown, and what was typed stays in the form."""
    flash = st.session_state.pop(f"{POLICY_FORM}_flash", None)
    if flash:
        st.success(flash, icon=":material/check:")
    actor = identity.current_actor(settings)
    allowed = actor.can(Role.EDITOR)
    if not allowed:
        identity.read_only_note(actor, Role.EDITOR, "Editing the policy")
    scopes = [ALL_SERVICES, *services]
    scope = st.selectbox("Policy for", scopes, format_func=scope_label, key=f"{POLICY_FORM}_scope")
    by_scope = {p.scope: p for p in policies}
    current = by_scope.get(scope)
    prefix = f"{POLICY_FORM}_{scope}"
    base_key = f"{prefix}_base"
    if base_key not in st.session_state:
        st.session_state[base_key] = 0 if current is None else current.version
    if scope != ALL_SERVICES and current is None and ALL_SERVICES in by_scope:
        st.caption("This service follows the all-services policy until it has its own.")
    with st.form(prefix, border=True):
        actions = st.text_area(
            "Agreed actions",
            value="" if current is None else current.actions,
            key=f"{prefix}_actions",
            max_chars=5000,
            height=120,
            placeholder="Halt changes but P0 and security fixes until the SLO is met again; …",
        )
        left, middle, right = st.columns(3)
        at_risk = left.number_input(
            "At risk from (% spent)",
            min_value=1.0,
            max_value=1000.0,
            value=round((DEFAULT_AT_RISK_SPENT if current is None else current.at_risk_spent) * 100, 2),
            step=5.0,
            key=f"{prefix}_at_risk",
            help="Budget spent over the SLO's period (1 − budget remaining) from which the service is at risk.",
        )
        freeze = middle.number_input(
            "Freeze at (% spent)",
            min_value=1.0,
            max_value=1000.0,
            value=round((DEFAULT_FREEZE_SPENT if current is None else current.freeze_spent) * 100, 2),
            step=5.0,
            key=f"{prefix}_freeze",
            help="Budget spent over the SLO's period at which changes freeze.",
        )
        share = right.number_input(
            "Postmortem above (%)",
            min_value=1.0,
            max_value=100.0,
            value=round((DEFAULT_POSTMORTEM_SHARE if current is None else current.postmortem_share) * 100, 2),
            step=5.0,
            key=f"{prefix}_share",
            help="One incident's share of the budget above which a postmortem is required.",
        )
        approver = st.text_input(
            "Approver", value="" if current is None else current.approver, key=f"{prefix}_approver"
        )
        first, second = st.columns(2)
        approved_on = first.date_input(
            "Approved on", value=today if current is None else current.approved_on, key=f"{prefix}_approved"
        )
        revisit_on = second.date_input(
            "Revisit on",
            value=date(today.year + 1, today.month, 1) if current is None else current.revisit_on,
            key=f"{prefix}_revisit",
        )
        saved = st.form_submit_button("Save policy", icon=":material/save:", disabled=not allowed)
    if not saved:
        return
    stored = None
    with store_write("save the error-budget policy", settings.database_url):
        try:
            stored = service.set_policy(
                settings,
                services,
                actor=actor,
                scope=scope,
                actions=actions or "",
                approver=approver or "",
                approved_on=approved_on,
                revisit_on=revisit_on,
                at_risk_spent=at_risk / 100,
                freeze_spent=freeze / 100,
                postmortem_share=share / 100,
                base_version=st.session_state[base_key],
            )
        except service.PolicyConflict as conflict:
            st.error(f"Not saved: {widgets.plain(str(conflict))}.", icon=":material/sync_problem:")
            if conflict.current is not None:
                st.markdown(f"**Their version {conflict.current.version}:**")
                st.code(conflict.current.actions or "(empty)", language=None)
                st.session_state[base_key] = conflict.current.version
        except (PolicyError, PermissionDenied, MissingName) as error:
            st.error(f"Not saved — {widgets.plain(str(error))}", icon=":material/error:")
    if stored is not None:
        st.session_state[base_key] = stored.version
        st.session_state[f"{POLICY_FORM}_flash"] = (
            f"Saved the policy for {stored.label} as version {stored.version}; revisit-tracker item "
            f"#{stored.tracker_item_id} comes due on {stored.revisit_on.isoformat()}."
        )
        st.rerun()


def show_decision_form(settings: Settings, services: Sequence[str], states: Sequence[ServiceState]) -> None:
    """Record a decision (one row per submission); viewers see the form with its button refused."""
    flash = st.session_state.pop(f"{DECISION_FORM}_flash", None)
    if flash:
        st.success(flash, icon=":material/check:")
    actor = identity.current_actor(settings)
    allowed = actor.can(Role.EDITOR)
    if not allowed:
        identity.read_only_note(actor, Role.EDITOR, "Recording decisions")
    ensure_submission_token(DECISION_FORM)
    now = {s.service: s.state for s in states}
    ordered = sorted(services, key=lambda name: (now.get(name, PolicyState.NO_POLICY).rank, name))
    with st.form(DECISION_FORM, clear_on_submit=False, border=True):
        chosen = st.selectbox("Service", ordered, key=f"{DECISION_FORM}_service")
        kind = st.selectbox("Decision", list(DecisionKind), format_func=lambda k: k.label, key=f"{DECISION_FORM}_kind")
        incident = st.text_input("Incident (for a postmortem)", key=f"{DECISION_FORM}_incident", max_chars=200)
        reason = st.text_area("Why", key=f"{DECISION_FORM}_reason", max_chars=2000, height=80)
        submitted = st.form_submit_button("Record decision", icon=":material/gavel:", disabled=not allowed)
    if not submitted or chosen is None:
        return
    entry = {"service": chosen, "kind": kind.value, "reason": reason or "", "incident": incident or ""}
    decision = store_once(
        DECISION_FORM,
        entry,
        what="record the decision",
        database_url=settings.database_url,
        save=lambda token: service.record_decision(
            settings, services, actor=actor, state=now.get(chosen, ""), submission_key=token, **entry
        ),
        already=service.AlreadyRecorded,
        refusals=(PolicyError, PermissionDenied, MissingName),
        fields=("incident", "reason"),
    )
    if decision is None:
        return
    st.session_state[f"{DECISION_FORM}_flash"] = (
        f"Recorded: {decision.kind.label} for {widgets.plain(decision.service)} by "
        f"{widgets.plain(decision.decided_by)}."
    )
    st.rerun()
