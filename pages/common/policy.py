"""The error-budget policy's freeze line, shared by the policy page and the SLO burn page: each service in freeze,
in the palette's critical shape and word, with its latest decision (``data.slo_policy.service``)."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from metrics.slo_policy.rules import PolicyState, ServiceState, decision_line, format_share
from pages.common.widgets import plain

# Streamlit's Markdown colours nearest the palette's (metrics.status): the shape and the word carry the meaning too.
_MARKDOWN_COLOUR = {
    PolicyState.FREEZE: "red",
    PolicyState.AT_RISK: "orange",
    PolicyState.NORMAL: "green",
    PolicyState.NO_DATA: "gray",
    PolicyState.NO_POLICY: "blue",
}


def state_markdown(state: PolicyState) -> str:
    """ "■ freeze" in red, bold."""
    return f":{_MARKDOWN_COLOUR[state]}[**{state.badge}**]"


def freeze_text(state: ServiceState) -> str:
    """One service in freeze, as Markdown: the state, the service, how much of its worst SLO's budget is spent and
    the latest decision (people's words escaped)."""
    decision = state.latest_decision
    said = "no decision recorded yet" if decision is None else f"latest decision: {decision_line(decision)}"
    return (
        f"{state_markdown(state.state)} **{plain(state.service)}** — {format_share(state.budget_spent)} of "
        f"{plain(state.worst_slo or '')}'s budget spent · {plain(said)}"
    )


def show_freezes(freezes: Sequence[ServiceState], *, caption: bool = False) -> None:
    """Each service in freeze on its own line (as captions on the SLO burn page); nothing when none is."""
    for state in freezes:
        text = f":material/gavel: Error-budget policy: {freeze_text(state)}"
        if caption:
            st.caption(text)
        else:
            st.markdown(freeze_text(state))
