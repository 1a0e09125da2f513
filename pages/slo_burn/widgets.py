"""The SLO burn page's tables and headline: headline counts, the overview table, the drill-down's tier table.

Table builders are pure (report in, DataFrame out) so they are testable without a running app; the ``show_*``
functions draw with Streamlit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from metrics.formatting import NO_DATA, format_burn_rate, format_duration, format_percent, format_sli, format_target
from metrics.slo.alerts import AT_RISK, ATTENTION_STATES
from metrics.slo.definitions import BURN_WINDOWS, SloDefinition
from metrics.slo.report import EXHAUSTION_WINDOW, SloReport, SloStatus, SplitStatus, split_summary
from metrics.slo.timeseries import TierHistory
from pages.common.loaders import DATA_TTL_SECONDS
from pages.common.theme import INFO, alert_state_badge, alert_state_markdown_color, alert_state_style
from pages.common.widgets import local_time, plain

# --- a past instant -------------------------------------------------------------------------------------------------


def back_to_now() -> None:
    del st.query_params["at"]


def show_past_banner(at: datetime, time_zone: str) -> None:
    """A link with ``?at=`` shows the past: said in a banner nobody can miss, with the way back to now in place."""
    message, back = st.columns([5, 1], vertical_alignment="center")
    message.warning(
        f"**Viewing {at.astimezone(ZoneInfo(time_zone)):%a %Y-%m-%d %H:%M} ({time_zone}), not now.** Every figure and "
        "alert tier is as it stood then.",
        icon=":material/history:",
    )
    back.button("Back to now", icon=":material/update:", on_click=back_to_now, key="back_to_now", width="stretch")


# --- headline counts ------------------------------------------------------------------------------------------------

HEADLINE_STATES = (
    ("page", "paging"),
    ("ticket", "ticketing"),
    (AT_RISK, "at risk"),
    ("ok", "ok"),
    ("no data", "no data"),
)


def state_counts(statuses: Iterable[SloStatus]) -> dict[str, int]:
    counts = {state: 0 for state, _ in HEADLINE_STATES}
    for status in statuses:
        counts[status.attention] = counts.get(status.attention, 0) + 1
    return counts


def headline_label(state: str, label: str, count: int) -> str:
    """A card's label in its status colour and shape when some SLO is in that state; plain grey when none is, so
    a red card always means something pages."""
    style = alert_state_style(state)
    colour = alert_state_markdown_color(state) if count else "gray"
    return f":{colour}[{style.symbol} SLOs {label}]"


def show_headline_counts(statuses: Sequence[SloStatus]) -> None:
    counts = state_counts(statuses)
    for column, (state, label) in zip(st.columns(len(HEADLINE_STATES)), HEADLINE_STATES):
        column.metric(headline_label(state, label, counts[state]), counts[state], border=True)


# --- overview table -------------------------------------------------------------------------------------------------

STATE_COLUMN_WIDTH = 90  # px; fixed so the SLO names sit at a known place (the e2e tests click them)
OVERVIEW_NUMERIC = ["budget remaining", *BURN_WINDOWS, "time to exhaustion"]


def drilldown_link(slo_name: str, **params: str | list[str]) -> str:
    """Relative link to an SLO's drill-down on the current page: ``?slo=checkout-availability``. A "/" (one SLO per
    objective: ``?slo=checkout/fast-reads``) stays as it is, allowed in a query string, so the table shows it."""
    return "?" + urlencode({"slo": slo_name, **params}, doseq=True, quote_via=quote, safe="/")


def filter_statuses(statuses: Iterable[SloStatus], services: Sequence[str], states: Sequence[str]) -> list[SloStatus]:
    """Statuses whose service and alert state are selected; an empty selection means "all"."""
    return [
        s for s in statuses if (not services or s.slo.service in services) and (not states or s.attention in states)
    ]


def overview_frame(
    statuses: Sequence[SloStatus],
    link_params: dict[str, str] | None = None,
    splits: Mapping[str, Sequence[SplitStatus]] | None = None,
) -> pd.DataFrame:
    """One row per SLO in report order (paging, ticketing, at risk, ok, no data; least budget first within each).
    Numbers stay numbers (NaN = no data) so the table
    sorts correctly; ``overview_column_config`` formats them for people. ``splits``: a split SLO's values, said in
    its row's note when it has no other (how many, the worst first; ``split_captions`` says it under the table)."""
    rows = []
    for status in statuses:
        rows.append(
            {
                "state": alert_state_badge(status.attention),
                "SLO": drilldown_link(status.slo.name, **(link_params or {})),
                "service": status.slo.service,
                "target": format_target(status.slo.target),
                "window": window_text(status.slo),
                "SLI": format_sli(status.sli, status.slo.target),
                "budget remaining": _number(status.budget_remaining),
                **{window: _number(status.burn_rates.get(window)) for window in BURN_WINDOWS},
                "time to exhaustion": _number(
                    None if status.time_to_exhaustion is None else status.time_to_exhaustion.total_seconds()
                ),
                "error": status.error or status.note or split_summary((splits or {}).get(status.slo.name, ())),
                "adjusted": ADJUSTED_MARK if status.adjusted else "",
            }
        )
    columns = ["state", "SLO", "service", "target", "window", "SLI", *OVERVIEW_NUMERIC, "error", "adjusted"]
    return pd.DataFrame(rows, columns=columns)


SPLIT_COLUMNS = ["state", "value", "SLI", "budget remaining", "1h", "6h", "1d", "3d", "time to exhaustion", "error"]


def split_frame(splits: Sequence[SplitStatus], slo_name: str) -> pd.DataFrame:
    """A split SLO's values, one row each, as the overview shows SLOs (the urgent first): the value in place of
    the SLO's name, as a link to its own drill-down (``drilldown_table`` shows ``route:/pay``)."""
    frame = overview_frame([split.status for split in splits])
    frame.insert(1, "value", [drilldown_link(slo_name, split=split.parameters) for split in splits])
    return frame[SPLIT_COLUMNS]


def split_captions(statuses: Sequence[SloStatus], splits: Mapping[str, Sequence[SplitStatus]], most: int = 5) -> str:
    """Under the overview: each split SLO shown and its values in one line (``split_summary``), so a paging value
    is seen without widening the table; the drill-down lists every value."""
    lines = [
        f"**{plain(status.slo.name)}**: {plain(split_summary(splits[status.slo.name]))}"
        for status in statuses
        if splits.get(status.slo.name)
    ]
    more = f" · and {len(lines) - most} more split SLOs" if len(lines) > most else ""
    return ("Split SLOs · " + " · ".join(lines[:most]) + more) if lines else ""


class OverviewExtra(StrEnum):
    """Columns the overview leaves out until asked (the "More columns" picker), so that at 1440 px with the sidebar
    open every column it does show is in view: the state, the SLI against its target, the budget, the burn rates of
    the windows that decide the tiers and when the budget runs out. The drill-down shows all of it."""

    SHORT_WINDOWS = "short windows"
    PERIOD = "period"
    NOTE = "note"


LONG_WINDOWS = ("1h", "6h", "1d", "3d")  # the Workbook tiers' long windows: a tier cannot fire without them


def overview_columns(frame: pd.DataFrame, extras: Collection[OverviewExtra] = ()) -> list[str]:
    """The columns to show: the default set, plus each extra asked for; the note only where some SLO has one."""
    wanted = {"state", "SLO", "service", "target", "SLI", "budget remaining", *LONG_WINDOWS, "time to exhaustion"}
    if OverviewExtra.SHORT_WINDOWS in extras:
        wanted |= set(BURN_WINDOWS)
    if OverviewExtra.PERIOD in extras:
        wanted.add("window")
    if OverviewExtra.NOTE in extras and frame["error"].astype(bool).any():
        wanted.add("error")
    if "adjusted" in frame.columns and frame["adjusted"].astype(bool).any():  # adjusted figures are always marked
        wanted.add("adjusted")
    return [column for column in frame.columns if column in wanted]


def overview_extra_label(extra: OverviewExtra) -> str:
    if extra is OverviewExtra.SHORT_WINDOWS:
        short = [window for window in BURN_WINDOWS if window not in LONG_WINDOWS]
        return f"short windows ({', '.join(short)})"
    return extra.value


def _number(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def badge_styler(frame: pd.DataFrame, columns: Sequence[str]):
    """The frame with alert-state badges ("■ page …") in their palette colour; symbol and word still say it all."""

    def colour(text: str) -> str:
        for state in ATTENTION_STATES:
            if str(text).startswith(alert_state_badge(state)):
                return f"color: {alert_state_style(state).color}; font-weight: 600"
        return ""

    return frame.style.map(colour, subset=list(columns))


def overview_styler(frame: pd.DataFrame):
    return badge_styler(frame, ["state"])


def overview_column_config() -> dict:
    """Formats for the overview table; missing numbers show as "no data" through ``st.dataframe(placeholder=...)``."""
    config = {
        "state": st.column_config.TextColumn(
            "state",
            pinned=True,
            width=STATE_COLUMN_WIDTH,
            help=(
                "Most severe firing alert tier: ■ page, ▲ ticket; ◆ at risk when none fires but the budget runs out "
                "within the period at the last hour's rate; ✓ ok; ○ no data (no events in any window)"
            ),
        ),
        "SLO": st.column_config.TextColumn(  # not pinned: Streamlit draws pinned text faded, and this is the name
            "SLO",
            help="Select the row to open the SLO's drill-down: alert tiers and charts",
        ),
        "target": st.column_config.TextColumn("target"),
        "SLI": st.column_config.TextColumn("SLI", help="Over the SLO period so far"),
        "budget remaining": st.column_config.ProgressColumn(
            "budget left",
            format="percent",
            min_value=0.0,
            max_value=1.0,
            color=INFO.color,
            width=130,
            help="Share of the period's error budget left; negative once overspent",
        ),
        "time to exhaustion": st.column_config.NumberColumn(
            "budget gone in",
            format="duration",
            help=f'At the {EXHAUSTION_WINDOW} burn rate. "a few seconds" = already spent; no data = not being '
            "spent or unknown. The drill-down shows it exactly.",
        ),
        "error": st.column_config.TextColumn(
            "note", help="Why an SLO shows no data: a rejected query, no matching series, or no traffic"
        ),
    }
    for window in BURN_WINDOWS:
        config[window] = st.column_config.NumberColumn(
            f"{window} ×",
            format="%.2f×",
            width=62,
            help=f"Burn rate over the last {window}: 1× spends the budget exactly over the period",
        )
    return config


# --- drill-down -----------------------------------------------------------------------------------------------------


def exhaustion_text(status: SloStatus) -> str:
    """Time to exhaustion for people: "already spent", "not burning" or "3 h 12 min"."""
    if status.time_to_exhaustion is not None:
        if status.time_to_exhaustion <= timedelta(0):
            return "already spent"
        return format_duration(status.time_to_exhaustion)
    rate = status.burn_rates.get(EXHAUSTION_WINDOW)
    if status.budget_remaining is not None and rate is not None and rate <= 0:
        return "not burning"
    return NO_DATA


def firing_since_text(history: TierHistory | None, at: datetime, team_timezone: str, shown_span: timedelta) -> str:
    """ "since 13:20, 45 min", "more than 3 d" or "—" when the tier is quiet."""
    if history is None or not history.firing_now or history.firing_since is None:
        return "—"
    if history.since_before_range:
        return f"more than {format_duration(shown_span)}"
    since = history.firing_since
    same_day = since.astimezone(ZoneInfo(team_timezone)).date() == at.astimezone(ZoneInfo(team_timezone)).date()
    return f"since {local_time(since, team_timezone, with_date=not same_day)}, {format_duration(at - since)}"


def tier_frame(
    status: SloStatus, histories: Sequence[TierHistory] | None, team_timezone: str, shown_span: timedelta
) -> pd.DataFrame:
    """The alert tiers table: current rates from the report, history (since when, how often) from the series."""
    by_tier = {h.tier: h for h in histories or ()}
    rows = []
    for evaluation in status.alerts:
        tier = evaluation.tier
        history = by_tier.get(tier)
        if evaluation.firing:
            firing = alert_state_badge(tier.urgency.value) + " firing"
        elif evaluation.held_back:
            firing = alert_state_badge("ok") + f" held back: too few {status.slo.unit}"
        elif not evaluation.has_data:
            firing = alert_state_badge("no data")
        else:
            firing = alert_state_badge("ok") + " quiet"
        rows.append(
            {
                "severity": tier.severity,
                "long window": tier.long_window,
                "short window": tier.short_window,
                "threshold": format_burn_rate(evaluation.threshold),
                "long burn rate": format_burn_rate(evaluation.long_burn_rate),
                "short burn rate": format_burn_rate(evaluation.short_burn_rate),
                "firing now": firing,
                "firing since": firing_since_text(history, status.at, team_timezone, shown_span)
                if evaluation.firing
                else "—",
                "fired in the last day": NO_DATA
                if history is None
                else format_percent(history.firing_share_last_day, 0),
            }
        )
    return pd.DataFrame(rows)


ADJUSTED_MARK = "± budget adjusted"


def adjustment_note(status: SloStatus) -> str | None:
    """What the adjustments changed, in words (no user text: the reasons are listed separately, as text)."""
    if not status.adjusted:
        return None
    raw = status.raw
    count = len(status.adjustments)
    return (
        f"**{ADJUSTED_MARK}**: events inside {count} budget adjustment{'s' if count != 1 else ''} count neither as "
        f"good nor as bad. Without {'them' if count != 1 else 'it'}: budget left "
        f"{format_percent(raw.budget_remaining)}, SLI {format_sli(raw.sli, status.slo.target)}, alert state "
        f"{alert_state_style(raw.attention).badge}."
    )


def adjustments_frame(status: SloStatus) -> pd.DataFrame:
    from metrics.slo.adjustments import describe_window

    return pd.DataFrame(
        [
            {
                "id": a.id,
                "category": a.category.value,
                "window": describe_window(a),
                "reason": a.reason,
                "entered by": a.entered_by,
            }
            for a in status.adjustments
        ],
        columns=["id", "category", "window", "reason", "entered by"],
    )


def show_slo_headline(status: SloStatus, team_timezone: str) -> None:
    slo = status.slo
    columns = st.columns(4)
    columns[0].metric(f"SLI (target {format_target(slo.target)})", format_sli(status.sli, slo.target), border=True)
    columns[1].metric("Error budget remaining", format_percent(status.budget_remaining), border=True)
    style = alert_state_style(status.attention)
    columns[2].metric("Alert state", style.badge, border=True)
    columns[3].metric(
        "Budget gone in",
        exhaustion_text(status),
        border=True,
        help=f"Budget remaining at the current {EXHAUSTION_WINDOW} burn rate",
    )
    period = status.period
    period_text = (
        f"{local_time(period.start, team_timezone, True)} → {local_time(period.end, team_timezone, True)}"
        f" ({team_timezone})"
    )
    where = f" · defined in `{slo.source}`" if slo.source else ""
    method = plain(slo.method_label)
    st.caption(f"Window **{slo.time_window.shown_label}** · **{method}** · period {period_text}{where}")
    objective = objective_caption(slo)
    if objective:
        st.caption(objective)
    if slo.description:
        st.caption(plain(slo.description))


def window_text(slo: SloDefinition) -> str:
    """The overview's window column: the window, and how the SLO counts when it is not events (``30d ·
    Timeslices, 5m slices at 95 %``), so a budget in slices is never read as one in requests."""
    label = slo.time_window.shown_label
    return label if slo.counts_events else f"{label} · {slo.method_label}"


def slo_title(slo: SloDefinition) -> str:
    """The drill-down's heading: the SLO's display name (or name), then, for one of several objectives, that
    objective's display name (or its key)."""
    title = slo.display_name or slo.name
    if slo.objective_key is None:
        return title
    return f"{title} · {slo.objective_display_name or slo.objective_key}"


def objective_caption(slo: SloDefinition) -> str | None:
    """The objective's display name when the heading does not show it already (one objective, and the SLO has a
    display name of its own)."""
    objective = slo.objective_display_name
    return f"Objective: {plain(objective)}" if objective and objective not in slo_title(slo) else None


def report_counts_caption(report: SloReport, shown: int) -> str:
    total = len(report.statuses)
    return f"{shown} of {total} SLOs" if shown != total else f"{total} SLOs"


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False, max_entries=32)
def cached_firing_annotations(
    catalog_key: str, source_key: str, slo_name: str, start: datetime, end: datetime, _source, _slo: SloDefinition
):
    """The tier firings of one SLO's drill-down, read from the source at most once a minute per view (the widgets'
    reruns would otherwise read ``ALERTS`` over the whole period each time); the store's kinds are read fresh."""
    from data.slo.annotations import slo_firing_annotations

    return slo_firing_annotations(_source, _slo, start, end)


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False, max_entries=32)
def cached_series_deploy_annotations(
    catalog_key: str,
    source_key: str,
    series_key: str,
    slo_name: str,
    start: datetime,
    end: datetime,
    _settings,
    _source,
    _slo,
):
    """The deploys read from ``SLO_DEPLOY_SERIES`` for one drill-down, at most once a minute per view (one range
    query for every service, which the source's answer cache shares with the other drill-downs of that range)."""
    from data.slo.annotations import slo_series_deploy_annotations

    return slo_series_deploy_annotations(_settings, _source, _slo, start, end)
