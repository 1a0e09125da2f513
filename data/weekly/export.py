"""The weekly review as documents: Markdown (pastes into chat and wikis, diffs well: no timestamps inside tables,
stable ordering) and one self-contained HTML file (plotly.js embedded once, no network needed to open it).

Both print the strings ``metrics.weekly.review`` formatted, so they carry the page's numbers exactly. Every text a
person typed (notes, incident summaries, tracker titles, review comments) is escaped: ``html.escape`` in HTML, and
Markdown's table and markup characters in Markdown.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from enum import Enum

import plotly.graph_objects as go

from metrics.status import BETTER_COLOR, CURRENT_PERIOD_COLOR, PREVIOUS_PERIOD_COLOR, WORSE_COLOR
from metrics.weekly.review import Figure, Verdict, WeeklyReview, fleet_status_counts

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def _md(text: str) -> str:
    """User text safe inside a Markdown table cell or line: markup escaped, line breaks flattened."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def title(review: WeeklyReview) -> str:
    partial = " (week under way)" if review.partial else ""
    return f"Weekly review {review.week}{partial}"


def subtitle(review: WeeklyReview) -> str:
    return (
        f"{review.first_day:%a %d %b %Y} – {review.last_day:%a %d %b %Y} ({review.time_zone}) · compared with "
        f"{review.previous_week} · {review.source}"
    )


class SectionKind(Enum):
    """Which table a section is: what the page and the documents add above some of them is chosen by kind."""

    SLOS_BREACHED = "breached"
    SLOS_AT_RISK = "at risk"
    SLOS_RECOVERED = "recovered"
    TOP_OFFENDERS = "top offenders"
    INCIDENTS = "incidents"
    ALERTS = "alerts"
    DATABASE_FLEET = "database fleet"
    DATABASE_CHANGES = "database changes"
    DATABASE_FORECAST = "database forecast"
    TRACKER = "tracker"
    POLICY = "error-budget policy"
    POLICY_DECISIONS = "error-budget policy decisions"


@dataclass(frozen=True)
class Section:
    kind: SectionKind
    heading: str
    header: list[str]
    rows: list[list[str]]
    empty: str  # shown instead of the table when there are no rows


def section_caption(review: WeeklyReview, section: Section) -> str | None:
    """The line above a section's table, plain text: the incident counts, or how "at risk" was read."""
    if section.kind is SectionKind.INCIDENTS:
        summary = incidents_summary(review) if section.rows else ""
        return " · ".join(part for part in (summary, review.incidents_note) if part) or None
    if section.kind is SectionKind.SLOS_AT_RISK:
        return review.readings_note
    if section.kind is SectionKind.ALERTS:
        return review.alerts_note or None
    if section.kind is SectionKind.DATABASE_FLEET:
        return review.databases_note or None
    if section.kind is SectionKind.DATABASE_FORECAST:
        return review.database_forecasts_note or None
    if section.kind is SectionKind.TRACKER:
        return review.tracker_note or None
    if section.kind is SectionKind.POLICY and review.policy_states is not None:
        return f"Each service's worst SLO decides its state. {review.readings_note}"
    return None


def fleet_counts(review: WeeklyReview, section: Section) -> dict[str, int]:
    """Databases per status above the fleet table; empty for any other section or without snapshots."""
    if section.kind is not SectionKind.DATABASE_FLEET or not review.databases:
        return {}
    return fleet_status_counts(review.databases)


def sections(review: WeeklyReview) -> list[Section]:
    """Every table section (kind, heading, table header, rows, text when empty), shared by the page, Markdown and
    HTML."""
    return [
        *_slo_and_incident_sections(review),
        *_policy_sections(review),
        *_database_sections(review),
        _tracker_section(review),
    ]


def _policy_sections(review: WeeklyReview) -> list[Section]:
    """Each service's error-budget policy state at the week's end, and the decisions taken during the week."""
    if review.policy_states is None:
        return [Section(SectionKind.POLICY, "Error-budget policy", [], [], "The policies could not be read.")]
    return [
        Section(
            SectionKind.POLICY,
            "Error-budget policy",
            ["state", "service", "policy", "worst SLO", "budget spent", "latest decision"],
            [
                [p.state, p.service, p.policy, p.worst_slo, p.budget_spent, p.latest_decision]
                for p in review.policy_states
            ],
            "No service and no policy yet: write one on the Error-budget policy page or with "
            "`python cli.py slo-policy set`.",
        ),
        Section(
            SectionKind.POLICY_DECISIONS,
            "Error-budget policy: decisions of the week",
            ["when", "service", "decision", "incident", "by", "why"],
            [[d.when, d.service, d.decision, d.incident, d.by, d.why] for d in review.policy_decisions],
            "No decision was taken under the policy this week.",
        ),
    ]


def _slo_and_incident_sections(review: WeeklyReview) -> list[Section]:
    slo_header = ["SLO", "service", "target", "SLI", "budget burned", f"SLI {review.previous_week}"]

    def slo_rows(lines) -> list[list[str]]:
        return [
            [line.slo, line.service, line.target, line.sli, line.budget_burned, line.previous_sli] for line in lines
        ]

    return [
        Section(
            SectionKind.SLOS_BREACHED,
            "SLOs breached",
            slo_header,
            slo_rows(review.breached),
            "No SLO missed its objective this week.",
        ),
        Section(
            SectionKind.SLOS_AT_RISK,
            "SLOs at risk",
            ["SLO", "service", "budget remaining", "alert state", "why"],
            [[r.slo, r.service, r.budget_remaining, r.alert_state, r.why] for r in review.at_risk],
            "No SLO under 25% of its budget or with a firing tier.",
        ),
        Section(
            SectionKind.SLOS_RECOVERED,
            "SLOs recovered",
            slo_header,
            slo_rows(review.recovered),
            f"No SLO that missed in {review.previous_week} met its objective this week.",
        ),
        Section(
            SectionKind.TOP_OFFENDERS,
            "Top offenders by budget burned",
            ["SLO", "service", "budget burned", f"burned {review.previous_week}", "SLI", "target"],
            [
                [line.slo, line.service, line.budget_burned, line.previous_budget_burned, line.sli, line.target]
                for line in review.top_offenders
            ],
            "No SLO burned error budget this week.",
        ),
        Section(
            SectionKind.INCIDENTS,
            "Incidents",
            ["id", "service", "severity", "started", "TTA", "TTR", "summary"],
            [
                [i.reference, i.service, i.severity, i.started, i.time_to_acknowledge, i.time_to_resolve, i.summary]
                for i in review.incidents
            ],
            "No incidents started this week.",
        ),
        _alerts_section(review),
    ]


def _alerts_section(review: WeeklyReview) -> Section:
    header = ["severity", "tier", "SLO", "service", "started", "ended", "duration"]
    if review.alerts is None:
        return Section(SectionKind.ALERTS, "Alerts that fired", header, [], "The alert history could not be read.")
    return Section(
        SectionKind.ALERTS,
        "Alerts that fired",
        header,
        [[a.severity, a.tier, a.slo, a.service, a.started, a.ended, a.duration] for a in review.alerts],
        "No SLO burn tier fired this week.",
    )


def _database_sections(review: WeeklyReview) -> list[Section]:
    if review.databases is None:
        return [
            Section(
                SectionKind.DATABASE_FLEET,
                "Database fleet",
                [],
                [],
                "No database-health snapshots stored: run `python cli.py collect db-health` from cron.",
            )
        ]
    return [
        Section(
            SectionKind.DATABASE_FLEET,
            "Database fleet at the week's end",
            ["database", "status", "snapshot"],
            [[d.database, d.status, f"{d.taken_at:%Y-%m-%d %H:%M} UTC"] for d in review.databases],
            "No snapshot taken before the week's end.",
        ),
        Section(
            SectionKind.DATABASE_CHANGES,
            f"Database changes since the end of {review.previous_week}",
            ["database", "before", "after"],
            [[c.database, c.before, c.after] for c in review.database_changes],
            "No database changed status.",
        ),
        _forecast_section(review),
    ]


def _forecast_section(review: WeeklyReview) -> Section:
    return Section(
        SectionKind.DATABASE_FORECAST,
        "Capacity forecast at the week's end",
        ["database", "status", "runs out in", "disk"],
        [[f.database, f.status, f.runs_out, f.outlook] for f in review.database_forecasts],
        "No database has stored sizes to forecast from.",
    )


def _tracker_section(review: WeeklyReview) -> Section:
    if review.tracker_events is None:
        return Section(SectionKind.TRACKER, "Revisit tracker", [], [], "The tracker could not be read.")
    return Section(
        SectionKind.TRACKER,
        "Revisit tracker: came due and decisions",
        ["item", "title", "event", "when", "by", "detail"],
        [
            [f"#{e.item_id}", e.title, e.kind, f"{e.at:%a %d %b %H:%M} UTC", e.actor, e.detail]
            for e in review.tracker_events
        ],
        "No item came due and no review was recorded.",
    )


def delta_text(figure: Figure) -> str:
    """The delta with its verdict in words ("+2 (worse)"), for documents that may be read without colour."""
    if figure.verdict in (Verdict.BETTER, Verdict.WORSE):
        return f"{figure.delta} ({figure.verdict.value})"
    return figure.delta


def incidents_summary(review: WeeklyReview) -> str:
    stats = review.incident_stats
    severities = ", ".join(f"{count} {name}" for name, count in stats.by_severity.items() if count)
    return f"{stats.count} incidents" + (f" ({severities}; {stats.open} open)" if stats.count else "")


# --- Markdown ------------------------------------------------------------------------------------------------------


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_md(cell) for cell in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
    return lines


def to_markdown(review: WeeklyReview) -> str:
    lines = [f"# {title(review)}", "", _md(subtitle(review)), "", "## Headline", ""]
    lines += _md_table(
        ["figure", review.week, f"vs {review.previous_week}"],
        [[f.label, f.full_value, delta_text(f)] for f in review.headline],
    )
    for section in sections(review):
        lines += ["", f"## {section.heading}", ""]
        caption = section_caption(review, section)
        if caption:
            lines += [_md(caption), ""]
        counts = fleet_counts(review, section)
        if counts:
            lines += [", ".join(f"{count} {status}" for status, count in counts.items()), ""]
        if section.rows:
            lines += _md_table(section.header, section.rows)
        else:
            lines += [_md(section.empty) if "`" not in section.empty else section.empty]
    lines += ["", "## Notes", ""]
    if review.note and review.note.text.strip():
        lines += [
            f"_{_md(review.note.author)}, version {review.note.version}, {review.note.saved_at:%Y-%m-%d %H:%M} UTC_",
            "",
        ]
        lines += ["> " + _MARKDOWN_SPECIAL.sub(r"\\\1", line) for line in review.note.text.strip().splitlines()]
    else:
        lines.append("No notes for this week.")
    return "\n".join(lines) + "\n"


# --- the chart -----------------------------------------------------------------------------------------------------


def budget_figure(review: WeeklyReview, template: str = "plotly_white") -> go.Figure:
    """Budget burned per SLO, this week beside last week: where the week's errors went."""
    lines = sorted(
        review.slo_lines,
        key=lambda line: (
            line.budget_burned_value if line.budget_burned_value == line.budget_burned_value else -1.0,
            line.slo,
        ),
    )
    names = [line.slo for line in lines]
    figure = go.Figure()
    for week, values, texts, color in (
        (
            review.previous_week,
            [line.previous_budget_burned_value for line in lines],
            [line.previous_budget_burned for line in lines],
            PREVIOUS_PERIOD_COLOR,
        ),
        (
            review.week,
            [line.budget_burned_value for line in lines],
            [line.budget_burned for line in lines],
            CURRENT_PERIOD_COLOR,
        ),
    ):
        figure.add_bar(
            y=names,
            x=values,
            orientation="h",
            name=week,
            marker_color=color,
            customdata=texts,
            hovertemplate="%{y}: %{customdata}<extra>" + week + "</extra>",
        )
    figure.update_layout(
        template=template,
        barmode="group",
        height=max(260, 46 * len(lines) + 90),
        title="Error budget burned per SLO (share of its period budget)",
        hovermode="closest",
        xaxis=dict(tickformat=".0%", rangemode="tozero"),
        yaxis=dict(automargin=True),
        margin=dict(l=10, r=20, t=60, b=40),
    )
    return figure


# --- HTML ----------------------------------------------------------------------------------------------------------

_STYLE = """
body { font-family: "Source Sans Pro", "Source Sans 3", system-ui, sans-serif; color: #262730; margin: 2rem auto;
       max-width: 1100px; padding: 0 1rem; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #E5E5E5; padding-bottom: 0.2rem; }
.sub, .note-meta, .caption { color: #6b6b76; font-size: 0.92rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 0.75rem; }
.figure { border: 1px solid #E5E5E5; border-radius: 0.5rem; padding: 0.6rem 0.8rem; }
.figure .label { font-size: 0.9rem; color: #6b6b76; } .figure .value { font-size: 1.5rem; }
.figure .delta { font-size: 0.9rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.93rem; }
th, td { text-align: left; padding: 0.3rem 0.6rem; border-bottom: 1px solid #E5E5E5; vertical-align: top; }
th { background: #F6F6F8; }
blockquote { white-space: pre-wrap; border-left: 3px solid #0072B2; margin: 0; padding: 0.3rem 1rem; }
"""


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _delta_style(figure: Figure) -> str:
    color = {Verdict.BETTER: BETTER_COLOR, Verdict.WORSE: WORSE_COLOR}.get(figure.verdict)
    return f" style='color: {color}'" if color else ""


def to_html(review: WeeklyReview) -> str:
    """One file: styles inline, plotly.js embedded once, every user text escaped."""
    escape = html.escape
    parts = [
        f"<h1>{escape(title(review))}</h1>",
        f"<p class='sub'>{escape(subtitle(review))}</p>",
        "<h2>Headline</h2><div class='figures'>",
    ]
    for figure in review.headline:
        parts.append(
            f"<div class='figure' title='{escape(figure.help)}'><div class='label'>{escape(figure.label)}"
            f"</div><div class='value'>{escape(figure.full_value)}</div><div class='delta'{_delta_style(figure)}>"
            f"{escape(delta_text(figure))} vs {escape(review.previous_week)}</div></div>"
        )
    parts.append("</div>")
    if review.slo_lines:
        chart = budget_figure(review).to_html(
            full_html=False, include_plotlyjs=True, config={"displaylogo": False, "responsive": True}
        )
        parts.append(f"<h2>Error budget burned</h2>{chart}")
    for section in sections(review):
        parts.append(f"<h2>{escape(section.heading)}</h2>")
        caption = section_caption(review, section)
        if caption:
            parts.append(f"<p class='caption'>{escape(caption)}</p>")
        counts = fleet_counts(review, section)
        if counts:
            parts.append(f"<p>{escape(', '.join(f'{c} {s}' for s, c in counts.items()))}</p>")
        if section.rows:
            parts.append(_html_table(section.header, section.rows))
        else:
            parts.append(f"<p>{escape(section.empty.replace('`', ''))}</p>")
    parts.append("<h2>Notes</h2>")
    if review.note and review.note.text.strip():
        parts.append(
            f"<p class='note-meta'>{escape(review.note.author)}, version {review.note.version}, "
            f"{review.note.saved_at:%Y-%m-%d %H:%M} UTC</p><blockquote>{escape(review.note.text.strip())}"
            "</blockquote>"
        )
    else:
        parts.append("<p>No notes for this week.</p>")
    body = "\n".join(parts)
    return (
        f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{escape(title(review))}</title>"
        f"<style>{_STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )


def external_references(document: str) -> list[str]:
    """``src``/``href`` attributes that would fetch from the network when the file is opened: none expected."""
    return re.findall(
        r"""<(?:script|link|img|iframe)[^>]*\s(?:src|href)\s*=\s*["']?(?:https?:)?//[^"'\s>]+""",
        document,
        flags=re.IGNORECASE,
    )
