"""SLO burn: is any SLO burning its error budget too fast right now? Which tier fires, since when, and how long
until the budget is gone?

The overview lists every SLO, the urgent first (paging, ticketing, at risk, then least budget), filtered by
``?service=`` and ``?state=``; ``?slo=NAME`` opens one SLO's drill-down. Layout and widgets only: numbers come from
``pages.common.loaders`` and ``data.slo.service``, tables and charts from ``pages.slo_burn.widgets`` and
``pages.slo_burn.charts``.
"""

from collections import Counter
from difflib import get_close_matches

import streamlit as st

from data.slo.annotations import AnnotationKind, combined, slo_annotations
from data.slo.service import drilldown_series
from data.slo_policy import service as slo_policy
from metrics.access import Role
from metrics.slo.alerts import ATTENTION_STATES
from metrics.slo.report import split_named
from metrics.slo.timeseries import SHOWN_RECENT_SPAN
from pages.common import collect, identity, live, loaders, widgets
from pages.common.charts import PLOTLY_CONFIG
from pages.common.policy import show_freezes
from pages.common.theme import WARN, alert_state_badge
from pages.slo_burn import charts
from pages.slo_burn import deploys as slo_deploys
from pages.slo_burn import widgets as slo_widgets

FILTER_PARAMS = ("service", "state")

settings = loaders.settings()  # app.py has already shown invalid settings and stopped
try:
    fixed_at = loaders.requested_instant(st.query_params.get("at"))
except ValueError:
    st.warning(
        f"Ignored {widgets.literal('?at=' + str(st.query_params.get('at')))}: not a past ISO 8601 instant such as "
        "2026-11-01T14:05Z. Showing now instead.",
        icon=":material/event_busy:",
    )
    fixed_at = None


# --- header: title, auto-refresh, refresh ---------------------------------------------------------------------------

selected_slo = st.query_params.get("slo")
title_column, live_column, refresh_column = st.columns([5, 2, 1], vertical_alignment="bottom")
title_column.title("SLO burn")
if refresh_column.button("Refresh", icon=":material/refresh:", help="Re-read the data source now", width="stretch"):
    loaders.clear_slo_data()
    st.rerun()
# The overview refreshes itself (a wall screen); a drill-down and a past instant (?at=) do not.
interval = (
    None
    if selected_slo
    else live.refresh_interval(settings, "slo_burn", frozen=fixed_at is not None, where=live_column)
)

# --- catalog --------------------------------------------------------------------------------------------------------

catalog = widgets.catalog_or_stop(settings)

if catalog.problems:
    count = len(catalog.problems)
    with st.expander(
        f":material/warning: {count} catalog problem{'s' if count != 1 else ''} — the other SLOs still show",
        expanded=not catalog.slos,
    ):
        for problem in catalog.problems:
            st.warning(widgets.plain(str(problem)))

if catalog.notices:
    count = len(catalog.notices)
    with st.expander(
        f":material/info: {count} catalog notice{'s' if count != 1 else ''} — valid OpenSLO not handled or not "
        "used yet",
        expanded=not catalog.slos,
    ):
        for notice in catalog.notices:
            st.info(widgets.plain(f"{notice.severity.value}: {notice}"))

if not catalog.slos:
    widgets.show_no_slos(settings)
    st.stop()

# --- the report -----------------------------------------------------------------------------------------------------


def read_report(at, live_line: bool = False):
    """The report at ``at`` (fresh, or the last good one, marked stale, when the source fails now) and the lines
    saying how fresh it is and where it comes from: (source, shown report)."""
    slo_source = loaders.source(settings, at)
    with st.spinner(f"Evaluating {len(catalog.slos)} SLOs on {slo_source.description}…"):
        shown_report = loaders.report_or_last_good(settings, catalog, at, fixed=fixed_at is not None)
    widgets.show_freshness(
        shown_report.value.at, settings.team_timezone, slo_source.description, fixed=fixed_at is not None
    )
    if live_line:
        live.show_updated(settings, interval, frozen=fixed_at is not None)
    if fixed_at is not None:
        slo_widgets.show_past_banner(fixed_at, settings.team_timezone)
    widgets.show_demo_banner(slo_source.is_demo)
    widgets.show_source_failure(f"SLO data from {slo_source.description}", shown_report, settings.team_timezone)
    # --- error-budget policy: the services in freeze and their latest decision (its own page has the rest) ---
    with widgets.guarded_panel("error-budget policy", aside=True):
        show_freezes(slo_policy.freezes(settings, shown_report.value), caption=True)
    return slo_source, shown_report


def filter_values(name: str, options: list[str]) -> tuple[list[str], list[str]]:
    """Values of a repeated query parameter: (known, unknown)."""
    values = st.query_params.get_all(name)
    return [v for v in values if v in options], [v for v in values if v not in options]


def close_drilldown() -> None:
    del st.query_params["slo"]
    st.query_params.pop("split", None)


def close_split_value() -> None:
    st.query_params.pop("split", None)


def show_back_link() -> None:
    """Back to the overview in place, keeping the filters the user came from (they stay in the query string).

    A button rather than a Markdown link: Streamlit opens Markdown links in a new tab."""
    st.button("All SLOs", icon=":material/arrow_back:", type="tertiary", on_click=close_drilldown)


def show_live_overview() -> None:
    """The overview as one part: it refreshes every ``interval`` (re-reading through the loaders' caches), and a
    filter reruns only this part. Widgets keep their state across its reruns, so nothing chosen is reset."""
    at = fixed_at or loaders.evaluation_instant()
    _, shown_report = read_report(at, live_line=True)
    show_overview(shown_report, at)


def show_missing_days(use) -> None:
    """Some long windows were read whole for want of stored days: an admin collects those days here, with progress
    (what ``collect rollups`` does from cron), and the overview sums them from then on."""
    if not use.missing_days:
        return
    actor = identity.current_actor(settings)
    first, last = use.missing_days[0], use.missing_days[-1]
    collect_now = st.button(
        f"Collect the missing days ({first.isoformat()} .. {last.isoformat()})",
        icon=":material/download:",
        key="collect_missing_days",
        disabled=not actor.can(Role.ADMIN),
        help="Store the daily rollups these windows need, as `python cli.py collect rollups` does from cron"
        + ("" if actor.can(Role.ADMIN) else ". Admins only."),
    )
    if collect_now and collect.show_collection(settings, catalog, identity.collector_actor(settings), first, last):
        loaders.clear_slo_data()
        st.caption("The overview sums the stored days from its next refresh.")


def show_partial_answers(report) -> None:
    """The engine answered but said its answer may miss data (a Thanos store, a Mimir ingester): the figures
    stand, with this said above them."""
    for warning in report.warnings:
        st.warning(f"Figures may be incomplete. {widgets.plain(warning)}", icon=":material/warning:")


def show_overview(shown_report, at) -> None:
    report = shown_report.value
    source_messages = set(report.errors.values())
    show_partial_answers(report)
    with widgets.guarded_panel("headline counts"):
        slo_widgets.show_headline_counts(report.statuses)

    service_options = catalog.service_names()
    state_options = list(ATTENTION_STATES)
    services_default, services_unknown = filter_values("service", service_options)
    states_default, states_unknown = filter_values("state", state_options)
    service_column, state_column = st.columns(2)
    services = service_column.multiselect(
        "Service", service_options, default=services_default, key="filter_service", placeholder="All services"
    )
    states = state_column.multiselect(
        "Alert state",
        state_options,
        default=states_default,
        key="filter_state",
        format_func=alert_state_badge,
        placeholder="All alert states",
    )
    widgets.keep_filters_in_link({"service": services, "state": states})
    for name, unknown in (("service", services_unknown), ("alert state", states_unknown)):
        if unknown:
            st.caption(f"Ignored unknown {name} filter: {', '.join(widgets.literal(u) for u in unknown)}")

    with widgets.guarded_panel("SLO table"):
        statuses = slo_widgets.filter_statuses(report.statuses, services, states)
        if not statuses:
            widgets.show_empty_state("No SLO matches these filters.", "Clear a filter to see more SLOs.")
            return
        frame = slo_widgets.overview_frame(
            statuses, {"at": st.query_params["at"]} if fixed_at else None, splits=report.splits
        )
        extras = st.pills(
            "More columns",
            list(slo_widgets.OverviewExtra),
            selection_mode="multi",
            format_func=slo_widgets.overview_extra_label,
            key="overview_columns",
            help="The table shows what fits a laptop screen; the drill-down shows everything about one SLO.",
        )
        widgets.drilldown_table(
            frame,
            {"SLO": "slo"},
            style=slo_widgets.overview_styler,
            hide_index=True,
            column_config=slo_widgets.overview_column_config(),
            column_order=slo_widgets.overview_columns(frame, extras),
            placeholder="no data",
            key="slo_overview",
        )
        if split_line := slo_widgets.split_captions(statuses, report.splits):
            st.caption(split_line)
        if report.long_windows is not None:
            st.caption(f"Long windows: {widgets.plain(report.long_windows.summary())}.")
            show_missing_days(report.long_windows)
        caption_column, download_column = st.columns([4, 1], vertical_alignment="center")
        stale = (
            f"{WARN.symbol} Stale: read at {widgets.local_time(shown_report.read_at, settings.team_timezone)}. "
            if shown_report.stale
            else ""
        )
        caption_column.caption(
            f"{stale}{slo_widgets.report_counts_caption(report, len(statuses))}, the urgent first. "
            f"Click a column to sort. {widgets.DRILLDOWN_HINT}."
        )
        widgets.show_csv_download(
            widgets.csv_download_bytes(frame),
            f"slo-burn-{at:%Y%m%dT%H%MZ}.csv",
            where=download_column,
            width="stretch",
        )

    for status in report.statuses:
        if status.error and status.error not in source_messages:
            st.warning(
                f"**{widgets.plain(status.slo.name)}**: {widgets.plain(status.error)}", icon=":material/warning:"
            )


def show_unknown_slo(name: str) -> None:
    show_back_link()
    document_name = name.split("/", 1)[0]  # an SLO with several objectives is named document/objective
    problems = [problem for problem in catalog.problems if problem.name == document_name]
    notices = [notice for notice in catalog.notices if notice.name == document_name]
    if notices and not problems:
        st.info(
            f"The SLO **{widgets.plain(name)}** is in the catalog but uses something this tool does not handle yet, "
            "so it is not evaluated:",
            icon=":material/info:",
        )
        for notice in notices:
            st.info(widgets.plain(str(notice)))
        return
    if problems:
        st.error(
            f"The SLO **{name}** is in the catalog but its definition has problems, so it is not evaluated:",
            icon=":material/error:",
        )
        for problem in problems:
            st.warning(widgets.plain(str(problem)))
        return
    suggestions = get_close_matches(name, [slo.name for slo in catalog.slos], n=3)
    hint = f" Did you mean {', '.join(f'**{s}**' for s in suggestions)}?" if suggestions else ""
    st.error(
        f"There is no SLO named {widgets.literal(name)} in the catalog ({settings.catalog_path}).{hint}",
        icon=":material/search_off:",
    )


def show_split_values(slo, splits) -> None:
    """Each value of a split SLO, as the overview shows SLOs: the urgent first, every column sortable; selecting
    one opens its own drill-down in place (``?slo=…&split=route:/pay``, a link of its own)."""
    labels = ", ".join(slo.split_by)
    st.markdown(f"#### Per {widgets.plain(labels)}")
    with widgets.guarded_panel("split values table"):
        widgets.drilldown_table(
            slo_widgets.split_frame(splits, slo.name),
            {"value": "split"},
            style=slo_widgets.overview_styler,
            hide_index=True,
            column_config={
                **slo_widgets.overview_column_config(),
                "value": st.column_config.TextColumn(labels, help=f"The SLO over the events of this {labels} alone"),
            },
            placeholder="no data",
            key="slo_split_values",
        )
        st.caption(
            f"{len(splits)} values of {widgets.plain(labels)}, each an SLO of its own with this SLO's target and "
            "tiers; the figures above are over all of them. Select a value to open its own drill-down."
        )


def chosen_split_value(name: str):
    """The value of a split SLO a link names (``?split=route:/pay``), or None; a value the SLO does not have is
    said, and the drill-down shows all of them."""
    wanted = st.query_params.get_all("split")
    splits = report.splits.get(name)
    if not wanted or not splits:
        return None
    chosen = split_named(splits, wanted)
    if chosen is None:
        st.warning(
            f"SLO {widgets.literal(name)} has no value {widgets.literal(', '.join(wanted))}: showing all its values.",
            icon=":material/search_off:",
        )
    return chosen


def show_drilldown(name: str) -> None:
    status = report.status(name)
    if status is None:
        show_unknown_slo(name)
        return
    slo = status.slo
    show_back_link()
    value = chosen_split_value(name)
    if value is not None:
        status = value.status
        st.button(
            f"All values of {slo.name}", icon=":material/arrow_back:", type="tertiary", on_click=close_split_value
        )
    shown_value = f" · {widgets.plain(value.label)}" if value is not None else ""
    st.subheader(f"{widgets.plain(slo_widgets.slo_title(slo))} · {widgets.plain(slo.service)}{shown_value}")
    st.caption(widgets.literal(slo.name))
    with widgets.guarded_panel("SLO headline"):
        slo_widgets.show_slo_headline(status, settings.team_timezone)
        if note := slo_widgets.adjustment_note(status):
            st.info(note, icon=":material/event_busy:")
            st.dataframe(slo_widgets.adjustments_frame(status), hide_index=True)
            st.page_link("pages/slo_adjustments/page.py", label="Budget adjustments", icon=":material/event_busy:")
    if status.error and status.error not in source_messages:  # the source's own failure is said above already
        st.warning(status.error, icon=":material/warning:")
    elif status.note:
        st.info(status.note, icon=":material/info:")
    if value is None and (splits := report.splits.get(name)):
        show_split_values(slo, splits)

    # When the report just failed, the history is not asked for: the page stays within one timeout, and shows the
    # last good history instead.
    with st.spinner(f"Loading the history of {slo.name} from {slo_source.description}…"):
        shown_history = loaders.history_or_last_good(
            settings,
            catalog,
            name,
            at,
            fixed=fixed_at is not None,
            source_failure=shown_report.failure,
            split=value.values if value is not None else (),
        )
    history = shown_history.value
    if shown_history.failed:
        widgets.show_source_failure(
            f"history of {slo.name} from {slo_source.description}", shown_history, settings.team_timezone
        )

    series = None if history is None else drilldown_series(history)

    st.markdown("#### Alert tiers")
    with widgets.guarded_panel("alert tiers table"):
        tiers = slo_widgets.tier_frame(
            status, series.tiers if series else None, settings.team_timezone, SHOWN_RECENT_SPAN
        )
        st.dataframe(slo_widgets.badge_styler(tiers, ["firing now"]), hide_index=True, placeholder="no data")
        st.caption(
            "A tier fires when the burn rate over its long window **and** over its short window are both "
            "above its threshold (SRE Workbook multiwindow, multi-burn-rate alerts)."
        )

    if history is not None and series is not None:
        show_charts(status, history, series)


def chart_annotations(slo, period) -> list:
    """The period's annotations of the kinds the person keeps on, with a line on what is there."""
    stored = slo_annotations(settings, slo, period.start, at)
    key = loaders.data_key(settings, slo_source, at)
    firings = slo_widgets.cached_firing_annotations(
        key.catalog, key.source, slo.name, period.start, at, slo_source, slo
    )
    series_deploys = slo_widgets.cached_series_deploy_annotations(
        key.catalog, key.source, repr(settings.deploy_series), slo.name, period.start, at, settings, slo_source, slo
    )
    found = combined(stored, firings, series_deploys)
    kinds = st.pills(
        "Annotations on the charts",
        list(AnnotationKind),
        selection_mode="multi",
        default=list(AnnotationKind),
        key="slo_annotation_kinds",
        help="Incidents of the service (shaded, from start to resolution), the SLO's budget adjustments (shaded grey: "
        "their events count neither as good nor as bad), the firings of its alert tiers (shaded, from the first "
        "evaluation that fired to the first that did not), the SLO's reviews, the changes of its target seen in the "
        "stored snapshots and the deploys of its service (dotted lines: entered by hand, or read from the series "
        "SLO_DEPLOY_SERIES names). Hover a mark for what happened and who entered it or where it was read from.",
    )
    counts = Counter(annotation.kind for annotation in found.annotations)
    summary = ", ".join(
        f"{counts[kind]} {kind.value if counts[kind] != 1 else kind.value[:-1]}" for kind in AnnotationKind
    )
    st.caption(f"In this period: {summary}. {' '.join(found.notes)}".strip())
    return [annotation for annotation in found.annotations if annotation.kind in (kinds or [])]


def show_charts(status, history, series) -> None:
    """The drill-down's four charts: SLI, budget burn-down, burn rate per window, alert tiers; the first two with
    the period's annotations."""
    slo = status.slo
    tz = settings.team_timezone
    annotations = []
    with widgets.guarded_panel("chart annotations"):
        annotations = chart_annotations(slo, history.period)
    with widgets.guarded_panel("deploy form"):
        slo_deploys.show_deploy_form(settings, catalog.slos, slo)
    left, right = st.columns(2)
    with left, widgets.guarded_panel("SLI chart"):
        figure = charts.add_annotations(charts.sli_figure(series.sli, slo.target, tz), annotations, tz, mark_at=1.0)
        st.plotly_chart(figure, theme=None, config=PLOTLY_CONFIG)
    with right, widgets.guarded_panel("burn-down chart"):
        figure = charts.burn_down_figure(series.burn_down, history.period, at, tz)
        st.plotly_chart(charts.add_annotations(figure, annotations, tz, mark_at=1.04), theme=None, config=PLOTLY_CONFIG)
    with widgets.guarded_panel("burn rate chart"):
        st.plotly_chart(
            charts.burn_rate_figure(series.shown_burn_rates, status.alerts, tz), theme=None, config=PLOTLY_CONFIG
        )
        st.caption("Short windows (5m, 30m, 2h) are hidden at first: click them in the legend.")
    with widgets.guarded_panel("alert tier chart"):
        st.plotly_chart(
            charts.tier_figure(series.shown_burn_rates, status.alerts, tz), theme=None, config=PLOTLY_CONFIG
        )
        st.caption("Solid: long window; dotted: short window; shaded: the tier was firing.")


if selected_slo:
    at = fixed_at or loaders.evaluation_instant()
    slo_source, shown_report = read_report(at)
    report = shown_report.value
    source_messages = set(report.errors.values())
    show_partial_answers(report)
    show_drilldown(selected_slo)
else:
    live.part(show_live_overview, settings, interval)()
