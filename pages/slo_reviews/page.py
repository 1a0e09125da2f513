"""SLO reviews: every SLO's review state (overdue first), and for one SLO (``?slo=NAME``) its review history, the
review form (editors) and how its last weeks and months would have fared at another target. Layout only: the
figures come from ``data.slo_reviews.service``."""

import streamlit as st

from data.slo_reviews import service
from metrics.slo_reviews.rules import ReviewState
from pages.common import loaders, widgets
from pages.slo_reviews import widgets as review_widgets

settings = loaders.settings()
catalog = widgets.catalog_or_stop(settings, require_slos=True)
slos = list(catalog.slos)
names = [slo.name for slo in slos]
st.title("SLO reviews")
st.caption(
    "Each SLO is reviewed on a cadence — is the target still right, is the SLI still what users feel? Every 90 days "
    "unless the SLO sets its own (`reliability-dashboard/review-every: 30d`). Every review is a new row: nothing is "
    "overwritten."
)


def close_drilldown() -> None:
    del st.query_params["slo"]


def show_list(statuses) -> None:
    with widgets.guarded_panel("review list"):
        overdue = sum(s.state is ReviewState.OVERDUE for s in statuses)
        due_soon = sum(s.state is ReviewState.TO_REVIEW for s in statuses)
        left, middle, right = st.columns(3)
        left.metric("Overdue", overdue, border=True)
        middle.metric("To review", due_soon, border=True)
        right.metric("Reviewed", len(statuses) - overdue - due_soon, border=True)
        frame = review_widgets.statuses_frame(statuses, settings.team_timezone)
        widgets.drilldown_table(
            frame,
            {"SLO": "slo"},
            style=lambda shown: shown.style.map(review_widgets.state_colour, subset=["state"]),
            hide_index=True,
            key="slo_reviews_list",
            column_config={"days left": st.column_config.NumberColumn(format="%d")},
        )
        st.caption(
            "Overdue first, then to review (never reviewed, or due within 14 days), then reviewed. An SLO never "
            f"reviewed counts from its first daily rollup in the store. {widgets.DRILLDOWN_HINT}."
        )
        widgets.show_csv_download(widgets.csv_download_bytes(frame), file_name="slo-reviews.csv")


def show_what_if(name: str) -> None:
    definition = next(slo for slo in slos if slo.name == name)
    st.markdown("#### Target what-if")
    target_column, _ = st.columns([1, 3])
    typed = target_column.number_input(
        "What-if target (%)",
        min_value=0.001,
        max_value=99.999,
        value=round(definition.target * 100, 3),
        step=0.01,
        format="%.3f",
        key=f"slo_review_what_if_{name}",
        help="How the last 12 ISO weeks and 3 calendar months would have fared at this target, from the daily "
        "rollups. Budget left = 1 − error ratio ÷ (1 − target), for the period's own events.",
    )
    with widgets.guarded_panel("target what-if"):
        result = service.target_what_if(settings, slos, name, typed / 100)
        if result.demo:
            st.caption("From the demo history's daily rollups (no Prometheus configured).")
        for title, rows in (("Last 12 ISO weeks", result.weeks), ("Last 3 calendar months", result.months)):
            frame = review_widgets.what_if_frame(rows, result.current_target, result.what_if_target)
            met_columns = [column for column in frame.columns if column.startswith("met (")]
            st.markdown(f"**{title}**")
            st.dataframe(
                frame.style.map(review_widgets.met_colour, subset=met_columns), hide_index=True, placeholder="—"
            )


def show_drilldown(name: str, statuses) -> None:
    st.button("All SLOs", icon=":material/arrow_back:", type="tertiary", on_click=close_drilldown)
    status = next(s for s in statuses if s.slo == name)
    st.subheader(widgets.plain(name))
    st.markdown(review_widgets.state_line(status, settings.team_timezone))
    form_column, history_column = st.columns(2)
    with form_column:
        with widgets.guarded_panel("review form"):
            st.markdown("#### Record a review")
            review_widgets.show_review_form(settings, slos, name)
    with history_column:
        with widgets.guarded_panel("review history"):
            st.markdown("#### History")
            reviews = service.review_history(settings, name)
            if reviews:
                st.dataframe(review_widgets.history_frame(reviews, settings.team_timezone), hide_index=True)
            else:
                st.caption("Never reviewed.")
    show_what_if(name)


try:
    statuses = service.review_statuses(settings, slos)
except Exception as error:
    from pages.common.store_writes import is_store_error, store_read_message

    if is_store_error(error):
        st.error(store_read_message("the SLO reviews", error, settings.database_url), icon=":material/database:")
    else:
        st.error(
            f"The SLO reviews cannot be read from the store ({type(error).__name__}). Run `cli.py migrate` and check "
            "DATABASE_URL.",
            icon=":material/database:",
        )
    st.stop()

selected = st.query_params.get("slo")
if selected and selected in names:
    show_drilldown(selected, statuses)
else:
    if selected:
        st.warning(
            f"No SLO named {widgets.literal(selected)} in the catalog: showing them all.", icon=":material/help:"
        )
    show_list(statuses)
