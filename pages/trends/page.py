"""Reliability trends (TPM): week over week and month over month, per service and for the fleet.

Filters live in the query string so a view can be shared: ``?service=`` (repeated), ``?grain=week|month``, ``?from=``
and ``?to=`` (YYYY-MM-DD). Every figure here is what ``python cli.py trends`` prints for the same arguments. Layout and
widgets only: rows come from ``pages.common.history`` (cached ``data.trends.service.trend_rows``), figures from
``data.trends.service.trends_view`` and ``pages.trends.charts``.
"""

from collections import Counter
from datetime import date

import streamlit as st

from data.incidents.service import incident_report
from data.trends.service import trend_annotations, trend_firings, trend_series_deploys, trends_range, trends_view
from metrics.access import Role
from metrics.formatting import format_count, format_percent
from metrics.slo.annotations import AnnotationKind
from metrics.trends.aggregate import EARLIEST_DAY, GRAINS, MAX_RANGE_DAYS, earliest_first
from pages.common import collect, history, identity, loaders, widgets
from pages.common.charts import PLOTLY_CONFIG, add_annotations
from pages.trends import charts as trends_charts

COLLECT_COMMAND = "python cli.py collect rollups"
CHANGE_WIDTH, SLO_WIDTH = 110, 220  # px, in the "What changed" table

settings = loaders.settings()  # app.py has already shown invalid settings and stopped
time_zone = settings.team_timezone
now = settings.now()

actor = identity.current_actor(settings)
title_column, collect_column, refresh_column = st.columns([5, 1, 1], vertical_alignment="bottom")
title_column.title("Reliability trends")
if refresh_column.button("Refresh", icon=":material/refresh:", help="Re-read the stored rollups now", width="stretch"):
    history.clear()
    st.rerun()
collect_now = collect_column.button(
    "Collect",
    icon=":material/download:",
    width="stretch",
    disabled=settings.is_demo or not actor.can(Role.ADMIN),
    help=f"Store the daily rollups still missing for the last 90 days (what `{COLLECT_COMMAND}` does from cron)"
    + (". Admins only." if not actor.can(Role.ADMIN) else "")
    + (" Not in demo mode." if settings.is_demo else ""),
)
widgets.show_demo_banner(settings.is_demo)

catalog = widgets.catalog_or_stop(settings, require_slos=True)
if collect_now:
    collect.show_collection(settings, catalog, identity.collector_actor(settings))

# --- filters, kept in the query string ------------------------------------------------------------------------------

default_first, default_last = trends_range(now, time_zone, history.oldest_rollup_day(settings))


def query_date(name: str, default: date) -> date:
    text = st.query_params.get(name)
    if not text:
        return default
    try:
        day = date.fromisoformat(text)
    except ValueError:
        st.warning(
            f"Ignored {widgets.literal(f'?{name}={text}')}: not a date like 2026-11-24.", icon=":material/event_busy:"
        )
        return default
    if day < EARLIEST_DAY:
        st.warning(
            f"Ignored {widgets.literal(f'?{name}={text}')}: before {EARLIEST_DAY}, where no data can be.",
            icon=":material/event_busy:",
        )
        return default
    return day


service_options = catalog.service_names()
requested_services = st.query_params.get_all("service")
unknown_services = [s for s in requested_services if s not in service_options]
grain_text = st.query_params.get("grain", "week")
if grain_text not in GRAINS:
    st.warning(f"Ignored {widgets.literal(f'?grain={grain_text}')}: use week or month.", icon=":material/warning:")
    grain_text = "week"
first, last = query_date("from", default_first), query_date("to", default_last)
if last > default_last:
    st.caption(f"`?to={last}` is not a complete day yet: showing up to {default_last}.")
    last = default_last
if first < earliest_first(last):
    st.warning(
        f"Ignored {widgets.literal(f'?from={first}')}: a range covers at most {MAX_RANGE_DAYS:,} days; showing from "
        f"{earliest_first(last)}.",
        icon=":material/event_busy:",
    )
    first = earliest_first(last)
if first > last:
    st.warning(
        f"The range starts ({first}) after it ends ({last}): showing the default range instead.",
        icon=":material/event_busy:",
    )
    first, last = default_first, default_last

service_column, grain_column, range_column = st.columns([5, 2, 3])
services_picked = service_column.multiselect(
    "Service",
    service_options,
    default=[s for s in requested_services if s in service_options],
    key="trends_service",
    placeholder="All services (the fleet)",
)
grain = grain_column.segmented_control("Per", list(GRAINS), default=grain_text, key="trends_grain") or "week"
picked_range = range_column.date_input(
    "Days",
    value=(first, last),
    max_value=default_last,
    key="trends_range",
    help=f"Local days in {time_zone}; weeks are ISO weeks starting Monday",
)
if isinstance(picked_range, (tuple, list)) and len(picked_range) == 2:
    first, last = picked_range
if unknown_services:
    ignored = ", ".join(widgets.literal(service) for service in unknown_services)
    st.caption(f"Ignored unknown service filter: {ignored} (not in the catalog)")

for name, value in (
    ("service", services_picked),
    ("grain", None if grain == "week" else grain),
    ("from", None if first == default_first else first.isoformat()),
    ("to", None if last == default_last else last.isoformat()),
):
    if value:
        st.query_params[name] = value
    elif name in st.query_params:
        del st.query_params[name]

services = tuple(services_picked or service_options)

# --- rows -------------------------------------------------------------------------------------------------------------

try:
    with st.spinner("Reading the daily rollups…"):
        rows = history.trend_rows(settings, catalog, first, last, services)
except Exception as error:  # the store's driver errors vary; the page says what and where, never a traceback
    st.error(
        f"The stored rollups cannot be read ({type(error).__name__}). Check `DATABASE_URL` and run "
        "`python cli.py migrate`.",
        icon=":material/database:",
    )
    st.stop()

if rows.adjustments_note:
    st.warning(rows.adjustments_note, icon=":material/event_busy:")

if rows.is_demo:
    st.caption(f"Daily rollups computed from the demo history up to {rows.newest_day} ({time_zone}) · demo data")
elif rows.newest_day is not None:
    collected = (
        f" · collected {widgets.local_time(rows.collected_at, time_zone, with_date=True)}" if rows.collected_at else ""
    )
    st.caption(
        f"Daily rollups up to {rows.newest_day} ({time_zone}) · "
        f"{loaders.source(settings, loaders.evaluation_instant(settings.now())).description}{collected}"
    )
    lag = rows.days_behind(default_last)
    if lag is not None:
        st.warning(
            f"Stale: the newest rollup is for {rows.newest_day}, {lag} days before the last complete day. "
            f"Is the daily `{COLLECT_COMMAND}` running?",
            icon=":material/schedule:",
        )

view = trends_view(rows, grain, first, last, services)
if not view.has_data:
    if rows.newest_day is None and not settings.is_demo:
        widgets.show_empty_state(
            "No data yet: no daily rollups have been collected.",
            f"Run `{COLLECT_COMMAND}` (it backfills the last 90 days from Prometheus), then "
            "press Refresh; schedule it daily from cron to keep the history growing.",
        )
    else:
        widgets.show_empty_state(
            f"No rollups between {first} and {last} for {', '.join(services)}.",
            f"Pick another range, or backfill it: `{COLLECT_COMMAND} --since {first} --until {last}`.",
        )
    st.stop()

period_word = "week" if grain == "week" else "month"

# --- headline ---------------------------------------------------------------------------------------------------------

with widgets.guarded_panel("headline"):
    fleet = view.fleet.set_index("period")
    if view.current:
        now_row, before_row = fleet.loc[view.current], fleet.loc[view.previous]
        columns = st.columns(3)
        columns[0].metric(
            f"SLOs met ({view.current})",
            f"{now_row['slos_met']} of {now_row['slos_with_data']}",
            delta=int(now_row["slos_met"] - before_row["slos_met"]),
            border=True,
            help=f"Against {view.previous}. SLOs without events that {period_word} are left out.",
        )
        columns[1].metric(
            f"Compliance ({view.current})",
            format_percent(now_row["compliance"], 0),
            delta=f"{(now_row['compliance'] - before_row['compliance']) * 100:+.0f} pts",
            border=True,
        )
        current_services = view.per_service[view.per_service["period"] == view.current]
        previous_services = view.per_service[view.per_service["period"] == view.previous]
        volume_now, volume_before = current_services["volume"].sum(), previous_services["volume"].sum()
        change = (volume_now / volume_before - 1) if volume_before else None
        columns[2].metric(
            f"Requests ({view.current})",
            format_count(volume_now),
            delta=None if change is None else f"{change * 100:+.1f}%",
            delta_color="off",
            border=True,
        )
        st.caption(f"{view.current} compared with {view.previous}: the two newest complete {period_word}s in range.")
    else:
        st.caption(f"Fewer than two complete {period_word}s in this range: nothing to compare yet.")

# --- compliance heatmap -----------------------------------------------------------------------------------------------

with widgets.guarded_panel("compliance heatmap"):
    st.plotly_chart(
        trends_charts.compliance_figure(view.compliance, period_word, view.partial_periods),
        config=PLOTLY_CONFIG,
        key="trends_compliance",
    )
    st.caption(
        f"A service meets its objectives in a {period_word} when every one of its SLOs with events does. "
        f"\\* partial {period_word}: cut by the range or not every day collected; it counts the days it has."
    )

# --- regressions and improvements -------------------------------------------------------------------------------------

st.subheader(f"What changed {view.previous} → {view.current}" if view.current else "What changed")
with widgets.guarded_panel("ranked changes"):
    if not view.current:
        st.caption(f"Needs two complete {period_word}s in the range.")
    elif view.changes.empty:
        st.caption("No SLO had events in both periods.")
    else:
        frame = trends_charts.changes_frame(
            view.changes, {k: v for k, v in (("grain", grain if grain != "week" else None),) if v}
        )
        widgets.drilldown_table(
            frame,
            {"SLO": "slo", "service": "service"},
            keep=("service",),  # the SLO burn page filters by service too: its "All SLOs" shows this view's services
            follow={"service": "trends_service"},
            hide_index=True,
            placeholder="no data",
            key="trends_changes",
            column_config={
                # Fixed widths: the SLO and service cells sit at a known place (tests/e2e/test_internal_links.py).
                "change": st.column_config.TextColumn("change", width=CHANGE_WIDTH),
                "SLO": st.column_config.TextColumn(
                    "SLO", width=SLO_WIDTH, help="Select an SLO to open its burn drill-down"
                ),
                "service": st.column_config.TextColumn("service", help="Select a service to show this service only"),
                "burn before": st.column_config.NumberColumn(format="%.2f×"),
                "burn now": st.column_config.NumberColumn(format="%.2f×"),
                "burn change": st.column_config.NumberColumn(
                    format="%+.2f×",
                    help="Burn rate = error ratio / error budget: SLOs with different targets on one scale",
                ),
            },
        )
        st.caption(
            "Worse first (a newly missed objective ranks first), then better. Changes under 0.05× burn rate "
            "count as unchanged. Select an SLO to open its burn drill-down, a service to show only that service."
        )

# --- SLI, budget, latency, volume -------------------------------------------------------------------------------------

st.subheader(f"SLI against the objective, per {period_word}")
with widgets.guarded_panel("SLI chart"):
    st.plotly_chart(trends_charts.sli_figure(view.per_slo, period_word), config=PLOTLY_CONFIG, key="trends_sli")
    slo_count = view.per_slo["slo"].nunique()
    if slo_count > trends_charts.MAX_SLI_PANELS:
        st.caption(
            f"The first {trends_charts.MAX_SLI_PANELS} of {slo_count} SLOs; pick services above to see "
            "others. The budget table and the CSV have them all."
        )

st.subheader(f"Error budget consumed per calendar {period_word}")
with widgets.guarded_panel("budget table"):
    budget = trends_charts.budget_table(view.per_slo)
    st.dataframe(
        budget,
        placeholder="no data",
        key="trends_budget",
        column_config={column: st.column_config.NumberColumn(format="percent") for column in budget.columns},
    )
    st.caption(
        f"Share of each SLO's period budget (e.g. 30 days) the {period_word}'s bad events used, at the "
        f"{period_word}'s own traffic: a {period_word} exactly at the objective uses its length / the period."
    )

with widgets.guarded_panel("latency chart"):
    st.plotly_chart(trends_charts.latency_figure(view.per_slo, period_word), config=PLOTLY_CONFIG, key="trends_latency")


@st.cache_data(ttl=loaders.DATA_TTL_SECONDS, show_spinner=False, max_entries=16)
def cached_series_deploys(settings_key: int, shown: tuple[str, ...], first_day: date, last_day: date, _settings):
    """The deploys read from ``SLO_DEPLOY_SERIES`` for the days shown, at most once a minute per view: the store's
    kinds are read fresh, but a Prometheus that is down would otherwise hold up every rerun for its timeout."""
    return trend_series_deploys(
        _settings, shown, first_day, last_day, loaders.source(_settings, loaders.evaluation_instant(_settings.now()))
    )


@st.cache_data(ttl=loaders.DATA_TTL_SECONDS, show_spinner=False, max_entries=16)
def cached_firings(settings_key: int, shown: tuple[str, ...], first_day: date, last_day: date, _settings, _slos):
    """The tiers' firings over the days shown, at most once a minute per view (a range read of ``ALERTS``)."""
    return trend_firings(
        _settings,
        _slos,
        shown,
        first_day,
        last_day,
        loaders.source(_settings, loaders.evaluation_instant(_settings.now())),
    )


with widgets.guarded_panel("volume chart"):
    marks = trend_annotations(
        settings,
        catalog.slos,
        services,
        first,
        last,
        from_series=cached_series_deploys(hash(settings), tuple(services), first, last, settings),
        firings=cached_firings(hash(settings), tuple(services), first, last, settings, catalog.slos),
    )
    TREND_KINDS = [
        AnnotationKind.INCIDENT,
        AnnotationKind.ADJUSTMENT,
        AnnotationKind.REVIEW,
        AnnotationKind.TARGET,
        AnnotationKind.FIRING,
        AnnotationKind.DEPLOY,
    ]
    kinds = st.pills(
        "Annotations on the volume chart",
        TREND_KINDS,
        selection_mode="multi",
        default=TREND_KINDS,
        key="trends_annotation_kinds",
        help="The incidents recorded for these services (shaded, from start to resolution), their SLOs' budget "
        "adjustments (shaded grey), reviews and target changes, and their deploys (dotted lines), from the store, "
        "and the deploys read from the "
        "series SLO_DEPLOY_SERIES names, and when their SLOs' paging tiers fired (Prometheus's ALERTS, or the demo's "
        "own tiers; ticket tiers are on each SLO's drill-down). Hover a mark for what happened and who.",
    )
    shown = [mark for mark in marks.annotations if mark.kind in (kinds or [])]
    st.plotly_chart(
        add_annotations(trends_charts.volume_figure(view.daily), shown, time_zone, mark_at=0),
        config=PLOTLY_CONFIG,
        key="trends_volume",
    )
    counts = Counter(mark.kind for mark in marks.annotations)
    st.caption(f"In this range: {', '.join(kind.count(counts[kind]) for kind in TREND_KINDS)}. {' '.join(marks.notes)}")

st.subheader("Incidents and recovery times")
with widgets.guarded_panel("incidents"):
    recorded = history.incidents(settings, first, last, services)
    report = incident_report(recorded, time_zone, first, last)
    if not recorded:
        widgets.show_empty_state(
            f"No incidents recorded between {first} and {last}.",
            "Add them on the Incidents page, or import a CSV: `python cli.py incidents import --csv FILE`.",
        )
    else:
        st.plotly_chart(trends_charts.incidents_figure(report.weeks), config=PLOTLY_CONFIG, key="trends_incidents")
        by_week, by_service = st.tabs(["Per week", "Per service"])
        by_week.dataframe(
            trends_charts.recovery_table(report.weeks_with_incidents), hide_index=True, key="trends_recovery_weeks"
        )
        by_service.dataframe(
            trends_charts.recovery_table(report.services), hide_index=True, key="trends_recovery_services"
        )
        st.caption(
            "TTA: detection (or start) to acknowledgement; TTR: start to resolution. Mean and median: one "
            "long outage moves the mean, the median is the typical incident."
        )

with widgets.guarded_panel("download"):
    table = trends_charts.period_table(view.per_slo)
    widgets.show_csv_download(
        widgets.csv_download_bytes(table),
        file_name=f"trends-{grain}-{first}-{last}.csv",
        label="Download CSV (every SLO and period)",
    )
    service_args = "".join(f" --service {s}" for s in services_picked)
    st.caption(
        f"Same figures from the command line: `python cli.py trends --grain {grain} --from {first} "
        f"--to {last}{service_args} --format json`"
    )
