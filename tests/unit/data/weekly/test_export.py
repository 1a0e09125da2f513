"""The weekly review's Markdown and HTML: the page's numbers, a self-contained HTML file, user text escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from data.weekly.export import delta_text, external_references, to_html, to_markdown
from metrics.incidents.rules import Incident
from metrics.weekly.review import TrackerEvent, WeeklyNote
from tests.unit.metrics.weekly.test_review import MIXED, review

SCRIPT = "<script>alert('x')</script>"
TUESDAY = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def weekly():
    return review(
        MIXED,
        incidents=[
            Incident(
                "INC-7",
                "checkout",
                "SEV2",
                TUESDAY,
                acknowledged=TUESDAY + timedelta(minutes=12),
                resolved=TUESDAY + timedelta(hours=3),
                summary=f"card errors {SCRIPT} | pipe",
            )
        ],
        tracker_events=[TrackerEvent(4, f"Flaky failover {SCRIPT}", "reviewed", TUESDAY, "Kim", "parked again")],
        note=WeeklyNote("2026-W47", f"Ship the retry fix\n{SCRIPT}", 3, "Lee", TUESDAY),
    )


@pytest.fixture(scope="module")
def html_document(weekly) -> str:
    return to_html(weekly)


def test_markdown_carries_every_headline_figure_and_delta(weekly):
    markdown = to_markdown(weekly)
    for figure in weekly.headline:
        assert f"| {figure.label} | {figure.full_value} | {delta_text(figure)} |" in markdown.replace("\\", "")


def test_markdown_lists_the_breached_and_recovered_slos(weekly):
    markdown = to_markdown(weekly)
    breached = markdown.split("## SLOs breached")[1].split("##")[0]
    recovered = markdown.split("## SLOs recovered")[1].split("##")[0]
    assert "a-availability" in breached and "b-availability" not in breached
    assert "b-availability" in recovered


def test_markdown_escapes_user_text_so_a_table_keeps_its_columns(weekly):
    incident_line = next(line for line in to_markdown(weekly).splitlines() if "INC-7" in line)
    assert "\\<script\\>" in incident_line
    assert incident_line.count(" | ") == 6  # seven cells: the summary's pipe is escaped


def test_markdown_has_no_generation_time_so_two_exports_diff_clean(weekly):
    assert to_markdown(weekly) == to_markdown(weekly)
    assert "14:05" not in to_markdown(weekly)


def test_html_carries_every_headline_figure(weekly, html_document):
    for figure in weekly.headline:
        assert f">{figure.value}<" in html_document.replace("&#x27;", "'")


def test_html_carries_the_incident_times(html_document):
    assert "<td>INC-7</td>" in html_document and "<td>12 min</td>" in html_document and "<td>3 h</td>" in html_document


def test_html_fetches_nothing_from_the_network(html_document):
    assert external_references(html_document) == []
    assert not re.search(r"<script[^>]+src=", html_document)


def test_html_embeds_plotly_once(html_document):
    assert html_document.count("plotly.js v") <= 2  # the bundle's banner, not a second copy
    assert html_document.count("Plotly.newPlot") == 1


def test_html_escapes_user_text(html_document):
    assert SCRIPT not in html_document
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html_document


def test_external_references_finds_a_cdn_script():
    assert external_references('<script src="https://cdn.plot.ly/plotly.min.js"></script>')
