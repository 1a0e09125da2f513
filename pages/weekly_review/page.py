"""Weekly review (managers): one ISO week in one screen, and the same figures as Markdown and HTML downloads.

``?week=2026-W47`` picks the week (default: the last complete week in the team's time zone), so a review can be
shared as a link. Every figure is what ``python cli.py weekly-report --week ...`` prints. Layout and widgets only:
the review comes from ``pages.weekly_review.loaders`` (cached ``data.weekly.service``), its figures from
``metrics.weekly.review``, the documents from ``data.weekly.service.export_document``.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

import streamlit as st

from data.store import shared_engine
from data.weekly.export import budget_figure, fleet_counts, section_caption, sections, subtitle
from metrics.trends.aggregate import parse_iso_week, period_label
from metrics.weekly.review import last_complete_week, week_status
from pages.common import identity, loaders, theme, widgets
from pages.common.charts import PLOTLY_CONFIG
from pages.common.store_writes import is_store_error, store_read_message
from pages.weekly_review import loaders as weekly_data
from pages.weekly_review import widgets as weekly_widgets

WEEKS_OFFERED = 26

settings = loaders.settings()  # app.py has already shown invalid settings and stopped
time_zone = settings.team_timezone
now = settings.now()
actor = identity.current_actor(settings)

st.title("Weekly review")
widgets.show_demo_banner(settings.is_demo)
catalog = widgets.catalog_or_stop(settings, require_slos=True)

# --- the week, kept in the query string -------------------------------------------------------------------------------

default_week = last_complete_week(now, time_zone)
requested = st.query_params.get("week", default_week)
try:
    requested_status = week_status(requested, now, time_zone)
except ValueError as error:
    st.error(
        f"{widgets.literal(f'?week={requested}')}: {widgets.plain(str(error))}. Pick a week below, or write it "
        f"like {default_week}.",
        icon=":material/event_busy:",
    )
    requested, requested_status = default_week, "complete"
if requested_status == "future":
    st.error(
        f"`?week={requested}` has not started yet in {time_zone}: showing {default_week}, the last complete week.",
        icon=":material/event_busy:",
    )
    requested = default_week

current_week = period_label(now.astimezone(ZoneInfo(time_zone)).date(), "week")
offered = [current_week] + [
    period_label(parse_iso_week(default_week)[0] - timedelta(weeks=n), "week") for n in range(WEEKS_OFFERED)
]
if requested not in offered:
    offered.append(requested)
week = st.selectbox(
    "ISO week",
    offered,
    index=offered.index(requested),
    key="weekly_week",
    format_func=lambda label: label + (" (under way)" if label == current_week else ""),
    help=f"Monday 00:00 to Sunday 24:00 in {time_zone}",
)
if week == default_week:
    st.query_params.pop("week", None)
else:
    st.query_params["week"] = week

try:
    with st.spinner("Assembling the week…"):
        weekly, readings_shown = weekly_data.review_and_readings(settings, catalog, week)
except Exception as error:  # the store's driver errors vary; the page says what and where, never a traceback
    if not is_store_error(error):
        st.error(
            f"The week cannot be assembled ({type(error).__name__}). Check `DATABASE_URL` and run "
            "`python cli.py migrate`.",
            icon=":material/database:",
        )
        st.stop()
    st.error(
        store_read_message(
            f"the review of {week}",
            error,
            settings.database_url,
            rest="The notes below can still be written; saving waits for the store.",
        ),
        icon=":material/database:",
    )
    # The notes editor still shows, so notes being written are kept; saving says plainly that the store is down.
    st.subheader("Notes")
    with widgets.guarded_panel("notes"):
        weekly_widgets.show_week_notes_editor(shared_engine(settings.database_url), week, None, actor, now)
    st.stop()

st.caption(subtitle(weekly) + f" · as of {widgets.local_time(now, time_zone, with_date=True)}")
if readings_shown is not None:  # Prometheus fails now: the last good readings, marked stale, or "no data yet"
    widgets.show_source_failure('budget and alert readings for "SLOs at risk"', readings_shown, time_zone)
if weekly.partial:
    st.info(
        f'{week} is under way: its figures cover the days so far and "at risk" is read now.',
        icon=":material/hourglass_top:",
    )
if not weekly.has_slo_data:
    widgets.show_empty_state(
        f"No rollups for {week}: the SLO figures show no data.",
        f"Backfill it: `python cli.py collect rollups --since {weekly.first_day - timedelta(days=7)}"
        f" --until {weekly.last_day}`.",
    )

# --- headline and downloads -------------------------------------------------------------------------------------------

with widgets.guarded_panel("headline"):
    weekly_widgets.show_headline(weekly)

with widgets.guarded_panel("downloads"):
    markdown, html_document = weekly_data.documents(weekly)
    left, right, _ = st.columns([2, 2, 5])
    left.download_button(
        "Download Markdown",
        markdown,
        file_name=f"weekly-review-{week}.md",
        mime="text/markdown",
        icon=":material/description:",
        width="stretch",
    )
    right.download_button(
        "Download HTML",
        html_document,
        file_name=f"weekly-review-{week}.html",
        mime="text/html",
        icon=":material/download:",
        width="stretch",
    )
    st.caption(
        f"Same document from the command line: `python cli.py weekly-report --week {week} --format "
        "markdown|html --output FILE`"
    )

with widgets.guarded_panel("budget chart"):
    if weekly.slo_lines:
        st.plotly_chart(budget_figure(weekly, theme.register_template()), config=PLOTLY_CONFIG, key="weekly_budget")

# --- sections ---------------------------------------------------------------------------------------------------------

for number, section in enumerate(sections(weekly)):
    st.subheader(section.heading)
    with widgets.guarded_panel(section.heading.lower()):
        caption = section_caption(weekly, section)
        if caption:
            st.caption(caption)
        counts = fleet_counts(weekly, section)
        if counts:
            st.markdown(
                " · ".join(f"{theme.STATUSES.get(s, theme.NO_DATA).symbol} **{c}** {s}" for s, c in counts.items())
            )
        if section.rows:
            weekly_widgets.show_table(section.header, section.rows, key=f"weekly_section_{number}")
        else:
            st.caption(section.empty)

st.subheader("Notes")
with widgets.guarded_panel("notes"):
    weekly_widgets.show_notes_editor(shared_engine(settings.database_url), weekly, actor, now)
