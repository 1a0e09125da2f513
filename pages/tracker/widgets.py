"""Tracker tables, badges, the aging chart and the read-only parts of the item page.

Frame builders are pure (items in, DataFrame out) so tests can check them without a running app.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data.tracker.store import Review, TrackerItem
from metrics.formatting import format_burn_rate, format_percent
from metrics.slo.report import SloReport
from metrics.tracker.aging import AGE_BRACKETS, ItemAge, aging_frame, item_age
from metrics.tracker.due import DueEntry
from metrics.tracker.rules import (
    FINISHED_STATES,
    OUTCOME_LABELS,
    OWNER_ROLES,
    STATE_LABELS,
    priority,
)
from metrics.tracker.triggers import DUE_BY_DATE, DUE_BY_SIGNAL, TriggerEvaluation
from pages.common.theme import (
    CRITICAL,
    INFO,
    NO_DATA,
    OK,
    SERIES_COLORS,
    WARN,
    StatusStyle,
    alert_state_badge,
    register_template,
)
from pages.common.widgets import csv_download_bytes, local_time, plain

# Tracker states on the shared palette: due needs attention (warn), work and waiting are information, finished is ok.
_STATE_STATUS: dict[str, StatusStyle] = {
    "due": WARN,
    "new": INFO,
    "assessing": INFO,
    "parked": NO_DATA,
    "in_progress": INFO,
    **{state: OK for state in FINISHED_STATES},
}


def state_badge(state: str, short: bool = False) -> str:
    """ "▲ due for revisit" ("▲ due" when short), "○ parked", "✓ resolved": symbol and word, readable without
    colour."""
    label = state.replace("_", " ") if short else STATE_LABELS.get(state, state)
    return f"{_STATE_STATUS.get(state, NO_DATA).symbol} {label}"


def item_link(item_id: int) -> str:
    return "?" + urlencode({"item": item_id})


def ages(items: Iterable[TrackerItem], review_counts: Mapping[int, int], today: date) -> dict[int, ItemAge]:
    return {
        item.id: item_age(
            item.created_at.date(),
            item.last_reviewed_at.date() if item.last_reviewed_at else None,
            item.revisit_on,
            item.state,
            review_counts.get(item.id, 0),
            today,
        )
        for item in items
    }


def filter_items(
    items: Iterable[TrackerItem],
    item_ages: Mapping[int, ItemAge],
    *,
    states: Sequence[str] = (),
    roles: Sequence[str] = (),
    services: Sequence[str] = (),
    databases: Sequence[str] = (),
    minimum_age_days: int = 0,
    search: str = "",
) -> list[TrackerItem]:
    """Items matching every filter; an empty selection means "all". Search looks in the title, problem
    statement, why parked, workaround, owner and external reference, case-insensitively."""
    needle = search.strip().lower()
    chosen = []
    for item in items:
        if states and item.state not in states:
            continue
        if roles and item.owner_role not in roles:
            continue
        if services and not set(services) & set(item.services):
            continue
        if databases and not set(databases) & set(item.databases):
            continue
        if item_ages[item.id].age_days < minimum_age_days:
            continue
        if (
            needle
            and needle
            not in " ".join(
                (
                    item.title,
                    item.problem_statement,
                    item.why_parked,
                    item.workaround,
                    item.owner,
                    item.external_reference,
                )
            ).lower()
        ):
            continue
        chosen.append(item)
    return chosen


def items_frame(items: Sequence[TrackerItem], item_ages: Mapping[int, ItemAge]) -> pd.DataFrame:
    rows = []
    for item in items:
        age = item_ages[item.id]
        rows.append(
            {
                "item": item_link(item.id),
                "title": item.title,
                "state": state_badge(item.state),
                "priority": priority(item.impact, item.urgency),
                "role": item.owner_role,
                "owner": item.owner,
                "revisit on": item.revisit_on.isoformat() if item.revisit_on else "",
                "age (days)": age.age_days,
                "since review (days)": age.days_since_review,
                "overdue (days)": age.overdue_days or None,
                "times revisited": age.times_revisited,
                "services": ", ".join(item.services),
                "SLOs": ", ".join(item.slos),
                "databases": ", ".join(item.databases),
            }
        )
    columns = [
        "item",
        "title",
        "state",
        "priority",
        "role",
        "owner",
        "revisit on",
        "age (days)",
        "since review (days)",
        "overdue (days)",
        "times revisited",
        "services",
        "SLOs",
        "databases",
    ]
    return pd.DataFrame(rows, columns=columns)


def items_column_config() -> dict:
    return {
        "item": st.column_config.TextColumn(
            "item", width=60, pinned=True, help="Select the row to open the item page (?item=N, a shareable link)"
        ),
        # Not pinned: Streamlit draws pinned text columns faded, and the title is what a person reads first.
        "title": st.column_config.TextColumn("title", width="large"),
        "priority": st.column_config.TextColumn("priority", help="From impact × urgency: P1 act now … P4 whenever"),
        "since review (days)": st.column_config.NumberColumn("since review (days)", help="Empty: never reviewed"),
    }


def reason_badge(kind: str) -> str:
    if kind == DUE_BY_DATE:
        return f"{WARN.symbol} date"
    if kind == DUE_BY_SIGNAL:
        return f"{CRITICAL.symbol} signal"
    return f"{INFO.symbol} by hand"


def show_due_entry(entry: DueEntry, team_timezone: str, on_open) -> None:
    """One card of the due queue: what the item is, and why it is due (the date, or the reading next to its
    threshold, with when and from where)."""
    item = entry.item
    with st.container(border=True):
        title_column, button_column = st.columns([6, 1], vertical_alignment="center")
        title_column.markdown(
            f"**#{item.id} · {plain(item.title)}**  \n"
            f"{state_badge(item.state)} · {priority(item.impact, item.urgency)} · "
            f"{item.owner_role}{' · ' + plain(item.owner) if item.owner else ''}"
        )
        button_column.button(
            "Open",
            key=f"open_due_{item.id}",
            on_click=on_open,
            args=(item.id,),
            icon=":material/open_in_new:",
            width="stretch",
        )
        for reason in entry.reasons:
            when = f" · {local_time(reason.at, team_timezone, with_date=True)}" if reason.at else ""
            source = f" · {reason.source}" if reason.source else ""
            st.markdown(
                f"{reason_badge(reason.kind)} — {plain(reason.text)}  \n:gray[{when.removeprefix(' · ')}{source}]"
            )


def aging_figure(items: Iterable[TrackerItem], item_ages: Mapping[int, ItemAge]) -> go.Figure:
    """Open items by age bracket, stacked by owner role."""
    frame = aging_frame((item.state, item.owner_role, item_ages[item.id].age_days) for item in items)
    figure = go.Figure(layout={"template": register_template()})
    for role, colour in zip(OWNER_ROLES, SERIES_COLORS):
        counts = frame[frame["owner role"] == role]
        figure.add_bar(
            x=counts["age"],
            y=counts["open items"],
            name=role,
            marker_color=colour,
            hovertemplate=f"{role}: %{{y}} open items aged %{{x}}<extra></extra>",
        )
    figure.update_layout(
        barmode="stack",
        title="Open items by age and owner role",
        height=320,
        hovermode="closest",
        xaxis={"categoryorder": "array", "categoryarray": [label for _, label in AGE_BRACKETS]},
        yaxis={"title": "open items", "dtick": 1, "rangemode": "tozero"},
    )
    return figure


def show_text_field(label: str, text: str) -> None:
    """A person's Markdown, rendered without raw HTML (st.markdown escapes HTML unless unsafe_allow_html=True)."""
    st.markdown(f"**{label}**")
    if text.strip():
        st.markdown(text)
    else:
        st.caption("not set")


def trigger_frame(evaluations: Sequence[TriggerEvaluation]) -> pd.DataFrame:
    rows = [
        {
            "trigger": evaluation.trigger.describe(),
            "now": evaluation.text,
            "fires": f"{CRITICAL.symbol} fired"
            if evaluation.fired
            else (f"{NO_DATA.symbol} no reading yet" if evaluation.value is None else f"{OK.symbol} quiet"),
            "source": evaluation.source or "",
        }
        for evaluation in evaluations
    ]
    return pd.DataFrame(rows, columns=["trigger", "now", "fires", "source"])


def linked_slo_frame(slo_names: Sequence[str], report: SloReport | None) -> pd.DataFrame:
    rows = []
    for name in slo_names:
        status = report.status(name) if report else None
        rows.append(
            {
                "SLO": "/slo-burn?" + urlencode({"slo": name}, quote_via=quote, safe="/"),
                "alert state": alert_state_badge(status.alert_state) if status else f"{NO_DATA.symbol} not in catalog",
                "budget remaining": format_percent(status.budget_remaining) if status else "",
                "burn 1h": format_burn_rate(status.burn_rates.get("1h")) if status else "",
                "burn 6h": format_burn_rate(status.burn_rates.get("6h")) if status else "",
            }
        )
    return pd.DataFrame(rows, columns=["SLO", "alert state", "budget remaining", "burn 1h", "burn 6h"])


def linked_database_frame(
    database_names: Sequence[str], statuses: Mapping[tuple[str, str | None], str], source: str
) -> pd.DataFrame:
    rows = [
        {"database": name, "status": statuses.get((name, None), "no reading yet"), "source": source}
        for name in database_names
    ]
    return pd.DataFrame(rows, columns=["database", "status", "source"])


def review_timeline(reviews: Sequence[Review], team_timezone: str) -> None:
    """Newest first: when, who, outcome, state change, next revisit, and what changed (Markdown, no HTML)."""
    if not reviews:
        st.caption("No reviews yet. Record the first one below.")
        return
    for review in reversed(reviews):
        with st.container(border=True):
            next_text = f" · next revisit {review.next_revisit_on.isoformat()}" if review.next_revisit_on else ""
            st.markdown(
                f"**{local_timestamp(review.reviewed_at, team_timezone)} · {plain(review.reviewer)}** — "
                f"{OUTCOME_LABELS.get(review.outcome, review.outcome)} "
                f"({STATE_LABELS.get(review.state_before, review.state_before)} → "
                f"{STATE_LABELS.get(review.state_after, review.state_after)}){next_text}"
            )
            if review.what_changed.strip():
                st.markdown(review.what_changed)


def audit_frame(entries: Sequence[Mapping], team_timezone: str) -> pd.DataFrame:
    rows = []
    for entry in entries:
        details = entry.get("details") or {}
        changes = details.get("changes") or {}
        text = "; ".join(f"{name}: {_short(old)} → {_short(new)}" for name, (old, new) in changes.items())
        rows.append(
            {
                "when": local_timestamp(entry["at"], team_timezone),
                "who": entry["actor"],
                "what": entry["action"].replace("_", " "),
                "version": details.get("version"),
                "changes": text,
            }
        )
    return pd.DataFrame(rows, columns=["when", "who", "what", "version", "changes"])


def _short(value) -> str:
    if isinstance(value, dict) and "text" in value:  # a due reason
        value = value["text"]
    elif isinstance(value, list) and value and isinstance(value[0], dict):  # triggers
        from metrics.tracker.triggers import format_trigger_lines

        value = format_trigger_lines(value).replace("\n", "; ")
    text = "—" if value in (None, "", []) else str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def local_timestamp(moment: datetime, team_timezone: str) -> str:
    """ "2026-11-24 14:05" in the team's zone: reviews span years, so the year is shown."""
    return moment.astimezone(ZoneInfo(team_timezone)).strftime("%Y-%m-%d %H:%M")


def decision_text(decided_by: str | None, decided_on: date | None) -> str:
    """Who judged the problem beyond the team and when, in words for what is known: "by Kim on 2026-03-02",
    "by Kim (no date)", "on 2026-03-02 (nobody named)", "not recorded"."""
    if decided_by and decided_on:
        return f"by {decided_by} on {day_text(decided_on)}"
    if decided_by:
        return f"by {decided_by} (no date)"
    if decided_on:
        return f"on {day_text(decided_on)} (nobody named)"
    return "not recorded"


def day_text(moment: datetime | date | None) -> str:
    if moment is None:
        return "not set"
    return (
        moment.isoformat()
        if isinstance(moment, date) and not isinstance(moment, datetime)
        else moment.date().isoformat()
    )


def table_csv(frame: pd.DataFrame) -> bytes:
    """The shown table as CSV for spreadsheets, with formula-like cells neutralised as in the export."""
    return csv_download_bytes(frame)
