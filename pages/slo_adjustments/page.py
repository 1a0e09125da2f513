"""SLO budget adjustments: windows (one-off or recurring) whose events count neither as good nor as bad for the SLOs
they cover — a planned maintenance, a bad deploy already paid for, a load test. The form enters one (editors), the
list shows every one in force with a form to change it and removal, and the removed ones below. Layout only: every
step is ``data.slo_adjustments.service``'s."""

import streamlit as st

from data.slo_adjustments import service
from pages.common import loaders, widgets
from pages.slo_adjustments import widgets as adjustment_widgets

settings = loaders.settings()
catalog = widgets.catalog_or_stop(settings, require_slos=True)
slos = list(catalog.slos)
st.title("Budget adjustments")
st.caption(
    "Events inside an adjustment count neither as good nor as bad: the budget, burn rates and alert tiers of the SLOs "
    "it covers are computed without them (the CLI shows both: `cli.py slo-report --raw`). An adjustment may start at "
    "most 30 days back; every entry, change and removal is in the audit trail."
)

try:
    everything = service.adjustments(settings, include_removed=True)
except Exception as error:
    from pages.common.store_writes import is_store_error, store_read_message

    if is_store_error(error):
        st.error(store_read_message("the budget adjustments", error, settings.database_url), icon=":material/database:")
    else:
        st.error(
            f"The budget adjustments cannot be read from the store ({type(error).__name__}). Run `cli.py migrate` and "
            "check DATABASE_URL.",
            icon=":material/database:",
        )
    st.stop()

in_force = [a for a in everything if not a.removed]
removed = [a for a in everything if a.removed]

form_column, list_column = st.columns([2, 3])
with form_column:
    st.markdown("#### Enter an adjustment")
    with widgets.guarded_panel("adjustment form"):
        adjustment_widgets.show_form(settings, slos)
with list_column:
    st.markdown("#### In force")
    with widgets.guarded_panel("adjustments in force"):
        if in_force:
            st.dataframe(adjustment_widgets.adjustments_frame(in_force, settings.team_timezone), hide_index=True)
        else:
            st.caption("No adjustment in force: every event counts. Enter one with the form.")
        adjustment_widgets.show_edit_forms(settings, slos, in_force)
        adjustment_widgets.show_removal(settings, in_force)
    if removed:
        with st.expander(f"Removed ({len(removed)})"):
            st.dataframe(adjustment_widgets.adjustments_frame(removed, settings.team_timezone), hide_index=True)
