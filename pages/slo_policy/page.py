"""Error-budget policy: each service's policy state (freeze, at risk, normal) from the live budgets of its SLOs, the
incidents that burned enough of a budget to need a postmortem, the policies (agreed actions, thresholds, approver,
approval and revisit dates), the decisions log, and the forms to edit a policy and record a decision (editors).
Layout only: the figures come from ``data.slo_policy.service``."""

from zoneinfo import ZoneInfo

import streamlit as st

from data.slo_policy import service
from metrics.slo_policy.rules import PolicyState
from pages.common import loaders, widgets
from pages.common.policy import show_freezes
from pages.slo_policy import widgets as policy_widgets

settings = loaders.settings()
catalog = widgets.catalog_or_stop(settings, require_slos=True)
services = catalog.service_names()
st.title("Error-budget policy")
st.caption(
    "What the team agreed to do when an error budget is spent (SRE Workbook, appendix B): ship while within the "
    "SLO; freeze changes but P0 and security fixes once the budget is spent; a postmortem when one incident burns "
    "a large share of it. A service's own policy overrides the all-services one; its worst SLO decides its state. "
    "Every decision is a new row: nothing is overwritten."
)

at = loaders.evaluation_instant()
shown = loaders.report_or_last_good(settings, catalog, at)
report = shown.value
widgets.show_demo_banner(loaders.source(settings, at).is_demo)
widgets.show_freshness(report.at, settings.team_timezone, report.source)
widgets.show_source_failure(f"SLO data from {report.source}", shown, settings.team_timezone)

try:
    overview = service.policy_overview(settings, report, services, loaders.source(settings, at))
except Exception as error:
    from pages.common.store_writes import is_store_error, store_read_message

    if is_store_error(error):
        st.error(
            store_read_message("the error-budget policy", error, settings.database_url), icon=":material/database:"
        )
    else:
        st.error(
            f"The error-budget policy cannot be read ({type(error).__name__}). Run `cli.py migrate` and check "
            "DATABASE_URL.",
            icon=":material/database:",
        )
    st.stop()

with widgets.guarded_panel("policy states"):
    counts = {state: sum(s.state is state for s in overview.states) for state in PolicyState}
    first, second, third = st.columns(3)
    first.metric("Freeze", counts[PolicyState.FREEZE], border=True)
    second.metric("At risk", counts[PolicyState.AT_RISK], border=True)
    third.metric("Normal", counts[PolicyState.NORMAL], border=True)
    show_freezes([s for s in overview.states if s.state is PolicyState.FREEZE])
    if not overview.policies:
        widgets.show_empty_state(
            "No error-budget policy yet: every service reads “no policy”.",
            "Write one for all services below (or `python cli.py slo-policy set --scope all ...`).",
        )
    frame = policy_widgets.states_frame(overview.states)
    st.dataframe(frame.style.map(policy_widgets.state_colour, subset=["state"]), hide_index=True)
    widgets.show_csv_download(widgets.csv_download_bytes(frame), file_name="error-budget-policy.csv")

with widgets.guarded_panel("postmortems required"):
    st.subheader("Postmortem required")
    if overview.incidents_note:
        st.caption(widgets.plain(overview.incidents_note))
    if overview.postmortems:
        st.dataframe(policy_widgets.postmortems_frame(overview.postmortems, overview.decisions), hide_index=True)
    else:
        st.caption("No incident of the current periods burned more than its policy's share of a budget.")
    st.caption(
        "An incident's share = the bad events counted over its interval (start to resolution, or now while open) ÷ "
        "the SLO's budget in events over its period so far ((1 − target) × the period's events); the largest over "
        "the service's SLOs."
    )

policies_column, decisions_column = st.columns(2)
with policies_column:
    with widgets.guarded_panel("policies"):
        st.subheader("Policies")
        today = settings.now().astimezone(ZoneInfo(settings.team_timezone)).date()
        for policy in overview.policies:
            with st.container(border=True):
                policy_widgets.show_policy(policy, today)
        st.markdown("#### Edit a policy")
        policy_widgets.show_policy_form(settings, services, overview.policies, today)
with decisions_column:
    with widgets.guarded_panel("decision form"):
        st.subheader("Record a decision")
        policy_widgets.show_decision_form(settings, services, overview.states)

with widgets.guarded_panel("decisions"):
    st.subheader("Decisions")
    st.caption("Newest first. A decision is never changed: a later one supersedes it.")
    if overview.decisions:
        log = policy_widgets.decisions_frame(overview.decisions, settings.team_timezone)
        st.dataframe(log, hide_index=True)
        widgets.show_csv_download(widgets.csv_download_bytes(log), file_name="error-budget-decisions.csv")
    else:
        st.caption("No decision recorded yet.")
