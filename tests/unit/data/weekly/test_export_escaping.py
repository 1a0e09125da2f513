"""The weekly HTML and Markdown exports open in a browser or a wiki: an ``<img onerror>`` in the note's author or
text, an incident summary or a tracker title is escaped there, never markup."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from data.weekly.export import to_html, to_markdown
from metrics.incidents.rules import Incident
from metrics.weekly.review import TrackerEvent, WeeklyNote
from tests.unit.metrics.weekly.test_review import MIXED, review

IMAGE = "<img src=x onerror=alert(1)>"
TUESDAY = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)


def weekly_with(text: str):
    return review(
        MIXED,
        incidents=[Incident("INC-8", "checkout", "SEV3", TUESDAY, summary=text)],
        tracker_events=[TrackerEvent(5, text, "reviewed", TUESDAY, text, text)],
        note=WeeklyNote("2026-W47", f"Decided:\n{text}", 2, text, TUESDAY),
    )


def test_the_html_export_has_no_element_from_user_text():
    document = to_html(weekly_with(IMAGE))
    assert "<img" not in document
    assert document.count("&lt;img src=x onerror=alert(1)&gt;") == 6  # summary, title, who, detail, author, note


def test_the_markdown_export_escapes_the_tags_of_user_text():
    markdown = to_markdown(weekly_with(IMAGE))
    assert not re.search(r"(?<!\\)<img", markdown)  # every < of a person's text has its backslash
    assert markdown.count("\\<img src=x onerror=alert(1)\\>") == 6  # summary, title, who, detail, author, note
