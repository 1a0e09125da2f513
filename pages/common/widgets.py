"""Shared page furniture (source banner, freshness line, status badges, empty states, guarded panels) and the
table builders of the SLO burn page.

Table builders are pure (report in, DataFrame out) so they are testable without a running app; the ``show_*``
functions draw with Streamlit.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from metrics.formatting import (
    NO_DATA,
    format_burn_rate,
    format_duration,
    format_percent,
    format_sli,
    format_target,
)
from metrics.last_good import Shown
from metrics.slo.alerts import ALERT_STATES
from metrics.slo.definitions import BURN_WINDOWS
from metrics.slo.report import EXHAUSTION_WINDOW, SloReport, SloStatus
from metrics.slo.timeseries import TierHistory
from metrics.spreadsheet import spreadsheet_csv
from pages.common.theme import INFO, WARN, alert_state_badge, alert_state_style
from pages.common.theme import NO_DATA as NO_DATA_STYLE

log = logging.getLogger(__name__)

# Data older than this is marked stale next to its age.
STALE_AFTER = timedelta(minutes=5)


# --- source and freshness -------------------------------------------------------------------------------------------


def local_time(moment: datetime, team_timezone: str, with_date: bool = False) -> str:
    """ "14:05", or "Tue 24 Nov 14:05" with the date: a wall-clock time in the team's zone."""
    local = moment.astimezone(ZoneInfo(team_timezone))
    return local.strftime("%a %d %b %H:%M" if with_date else "%H:%M")


@dataclass(frozen=True)
class Freshness:
    """The freshness line and what it says: ``stale`` once the data is older than ``STALE_AFTER`` (never for an
    instant a link fixes); ``age`` is None for such a fixed instant."""

    text: str
    stale: bool
    age: timedelta | None


def freshness(
    at: datetime, team_timezone: str, source_description: str, now: datetime | None = None, fixed: bool = False
) -> Freshness:
    """ "as of 14:05 (Europe/Seoul) · demo data", plus "· stale: 12 min old" when the data has aged.

    A link that fixes the instant (``?at=``) is not stale: it says so instead."""
    if fixed:
        text = (
            f"evaluated at {local_time(at, team_timezone, with_date=True)} ({team_timezone}) · "
            f"{source_description} · fixed by the link's ?at="
        )
        return Freshness(text, stale=False, age=None)
    now = now or datetime.now(UTC)
    same_day = at.astimezone(ZoneInfo(team_timezone)).date() == now.astimezone(ZoneInfo(team_timezone)).date()
    text = f"as of {local_time(at, team_timezone, with_date=not same_day)} ({team_timezone}) · {source_description}"
    age = now - at
    stale = age > STALE_AFTER
    if stale:
        text += f" · stale: {format_duration(age)} old"
    return Freshness(text, stale=stale, age=age)


def freshness_text(
    at: datetime, team_timezone: str, source_description: str, now: datetime | None = None, fixed: bool = False
) -> str:
    """``freshness(...).text``, for pages that still draw the line themselves."""
    return freshness(at, team_timezone, source_description, now, fixed).text


def show_freshness(
    at: datetime, team_timezone: str, source_description: str, fixed: bool = False, now: datetime | None = None
) -> None:
    """The freshness line: a caption, or a warning once the data is stale."""
    line = freshness(at, team_timezone, source_description, now=now, fixed=fixed)
    if line.stale:
        st.warning(line.text, icon=":material/schedule:")
    else:
        st.caption(line.text)


def stale_text(read_at: datetime, team_timezone: str, now: datetime | None = None) -> str:
    """ "showing data from 14:05 (12 min old), marked stale": what a panel says about the last good data it shows
    (the date too when it is not today's, in the team's time zone)."""
    now = now or datetime.now(UTC)
    same_day = read_at.astimezone(ZoneInfo(team_timezone)).date() == now.astimezone(ZoneInfo(team_timezone)).date()
    age = format_duration(max(now - read_at, timedelta(0)))
    return f"showing data from {local_time(read_at, team_timezone, with_date=not same_day)} ({age} old), marked stale"


def source_failure_text(subject: str, shown: Shown, team_timezone: str, now: datetime | None = None) -> str | None:
    """The panel's message when its source failed now, e.g. for the subject "SLO data from Prometheus (…)":
    "▲ No fresh SLO data from Prometheus (…). <why>. Showing data from 14:05 (12 min old), marked stale …", or
    "○ No SLO data from Prometheus (…): no data yet. <why> …" without earlier data; None when the read succeeded."""
    if not shown.failed:
        return None
    failure = shown.failure.rstrip(".")
    if shown.stale:
        showing = stale_text(shown.read_at, team_timezone, now)
        return (
            f"{WARN.symbol} **No fresh {subject}.** {failure}. {showing[0].upper()}{showing[1:]}; fresh data "
            "returns once the source answers again (press Refresh to try now)."
        )
    return (
        f"{NO_DATA_STYLE.symbol} **No {subject}: no data yet.** {failure}. Nothing was read successfully since the "
        "dashboard started, so there is no earlier data to show; press Refresh to try again."
    )


def show_source_failure(subject: str, shown: Shown, team_timezone: str, now: datetime | None = None) -> None:
    """A stale warning (last good data shown) or a "no data yet" error where a panel's fresh data would be."""
    text = source_failure_text(subject, shown, team_timezone, now)
    if text is None:
        return
    if shown.stale:
        st.warning(text, icon=":material/history:")
    else:
        st.error(text, icon=":material/cloud_off:")


def show_demo_banner(is_demo: bool) -> None:
    """The visible "demo data" banner: nobody should mistake the generator's incidents for production."""
    if is_demo:
        st.info(
            "**Demo data** — no Prometheus is configured, so these numbers come from a deterministic generator "
            "with injected incidents. Set `PROMETHEUS_URL` (or `[prometheus] url` in `.streamlit/secrets.toml`) "
            "to watch real SLOs.",
            icon=":material/science:",
        )


def status_badge(state: str) -> str:
    """Markdown for an alert state: coloured symbol and word, readable without the colour."""
    style = alert_state_style(state)
    return f":{_markdown_colour(style.key)}[{style.badge}]"


def _markdown_colour(state: str) -> str:
    # Streamlit's Markdown colours closest to the palette; the symbol and word carry the meaning anyway.
    return {"page": "red", "ticket": "orange", "ok": "green"}.get(state, "gray")


def show_empty_state(message: str, what_to_do: str) -> None:
    st.info(f"{message}\n\n{what_to_do}", icon=":material/inbox:")


def csv_download_bytes(frame: pd.DataFrame) -> bytes:
    """A table for a "Download CSV" button: UTF-8, no index, formula-like cells neutralised
    (``metrics.spreadsheet``), so opening the file in a spreadsheet never runs a cell."""
    return spreadsheet_csv(frame).encode("utf-8")


@contextlib.contextmanager
def guarded_panel(name: str) -> Iterator[None]:
    """Run one panel; an unexpected exception shows a short error in its place and the rest of the page works.

    ``st.stop()``/``st.rerun()`` raise ``BaseException`` subclasses and pass through untouched.
    """
    from pages.common.store_writes import is_store_error, store_read_message

    try:
        yield
    except Exception as error:
        if is_store_error(error):  # the store is down: say so plainly, without the SQL SQLAlchemy would quote
            log.warning("panel %r: the store cannot be read (%s)", name, type(error).__name__)
            st.error(store_read_message(f"the {name}", error, _store_url()), icon=":material/database:")
            return
        log.exception("panel %r failed", name)
        st.error(
            f"The {name} could not be shown: {type(error).__name__}: {_first_line(error)}. "
            "The rest of the page still works; the server log has the details.",
            icon=":material/error:",
        )


def _store_url():
    try:
        from pages.common import loaders

        return loaders.settings().database_url
    except Exception:
        return None


def _first_line(error: BaseException) -> str:
    from data.secrets import redact

    text = str(error).strip()
    return redact(text.splitlines()[0])[:300] if text else "no message"


# --- headline counts ------------------------------------------------------------------------------------------------

HEADLINE_STATES = (("page", "paging"), ("ticket", "ticketing"), ("ok", "ok"), ("no data", "no data"))


def state_counts(statuses: Iterable[SloStatus]) -> dict[str, int]:
    counts = {state: 0 for state, _ in HEADLINE_STATES}
    for status in statuses:
        counts[status.alert_state] = counts.get(status.alert_state, 0) + 1
    return counts


def show_headline_counts(statuses: Sequence[SloStatus]) -> None:
    counts = state_counts(statuses)
    for column, (state, label) in zip(st.columns(len(HEADLINE_STATES)), HEADLINE_STATES):
        style = alert_state_style(state)
        column.metric(f"{style.symbol} SLOs {label}", counts[state], border=True)


# --- overview table -------------------------------------------------------------------------------------------------

STATE_COLUMN_WIDTH = 90  # px; fixed so the SLO links sit at a known place (the e2e test clicks them)
OVERVIEW_NUMERIC = ["budget remaining", *BURN_WINDOWS, "time to exhaustion"]


def drilldown_link(slo_name: str, **params: str | list[str]) -> str:
    """Relative link to an SLO's drill-down on the current page: ``?slo=checkout-availability``."""
    return "?" + urlencode({"slo": slo_name, **params}, doseq=True, quote_via=quote)


def filter_statuses(statuses: Iterable[SloStatus], services: Sequence[str], states: Sequence[str]) -> list[SloStatus]:
    """Statuses whose service and alert state are selected; an empty selection means "all"."""
    return [
        s for s in statuses if (not services or s.slo.service in services) and (not states or s.alert_state in states)
    ]


def overview_frame(statuses: Sequence[SloStatus], link_params: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per SLO in report order (least budget first). Numbers stay numbers (NaN = no data) so the table
    sorts correctly; ``overview_column_config`` formats them for people."""
    rows = []
    for status in statuses:
        rows.append(
            {
                "state": alert_state_badge(status.alert_state),
                "SLO": drilldown_link(status.slo.name, **(link_params or {})),
                "service": status.slo.service,
                "target": format_target(status.slo.target),
                "window": status.slo.time_window.label,
                "SLI": format_sli(status.sli, status.slo.target),
                "budget remaining": _number(status.budget_remaining),
                **{window: _number(status.burn_rates.get(window)) for window in BURN_WINDOWS},
                "time to exhaustion": _number(
                    None if status.time_to_exhaustion is None else status.time_to_exhaustion.total_seconds()
                ),
                "error": status.error or status.note or "",
            }
        )
    columns = ["state", "SLO", "service", "target", "window", "SLI", *OVERVIEW_NUMERIC, "error"]
    return pd.DataFrame(rows, columns=columns)


def overview_columns(frame: pd.DataFrame) -> list[str]:
    """Columns to show: the error column only when some SLO has an error (the table is wide already)."""
    return [c for c in frame.columns if c != "error" or frame["error"].astype(bool).any()]


def _number(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def badge_styler(frame: pd.DataFrame, columns: Sequence[str]):
    """The frame with alert-state badges ("■ page …") in their palette colour; symbol and word still say it all."""

    def colour(text: str) -> str:
        for state in ALERT_STATES:
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
            help="Most severe firing alert tier: ■ page, ▲ ticket, ✓ ok, ○ no data (no events in any window)",
        ),
        "SLO": st.column_config.LinkColumn(
            "SLO",
            display_text=r"\?slo=([^&]*)",
            alignment="left",
            pinned=True,
            help="Open the SLO's drill-down: alert tiers and charts",
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
            firing = alert_state_badge(tier.severity) + " firing"
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


def show_slo_headline(status: SloStatus, team_timezone: str) -> None:
    slo = status.slo
    columns = st.columns(4)
    columns[0].metric(f"SLI (target {format_target(slo.target)})", format_sli(status.sli, slo.target), border=True)
    columns[1].metric("Error budget remaining", format_percent(status.budget_remaining), border=True)
    style = alert_state_style(status.alert_state)
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
    st.caption(f"Window **{slo.time_window.label}** · period {period_text}{where}")
    if slo.description:
        st.caption(slo.description)


def report_counts_caption(report: SloReport, shown: int) -> str:
    total = len(report.statuses)
    return f"{shown} of {total} SLOs" if shown != total else f"{total} SLOs"


def catalog_or_stop(settings):
    """The SLO catalog for a page; when its folder is gone, one error saying what to do and the page stops."""
    from data.slo.catalog import CatalogError
    from pages.common import loaders

    try:
        return loaders.catalog(settings)
    except CatalogError as error:
        st.error(
            f"The SLO catalog cannot be read: {error}. Point `SLO_CATALOG` at a folder of OpenSLO YAML files.",
            icon=":material/folder_off:",
        )
        st.stop()


def plain(text: str) -> str:
    """Text shown inline inside our own Markdown: keep people's words, but no Markdown or HTML of theirs."""
    special = "\\`*_{}[]<>|~:$"  # emphasis, code, links, HTML, tables, strikethrough, directives, maths
    return "".join("\\" + character if character in special else character for character in text.replace("\n", " "))
