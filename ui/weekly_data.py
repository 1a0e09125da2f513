"""Loaders of the weekly review page: the assembled review (daily rows from the trends page's cache) and the
exported documents, cached by their content so a rerun does not rebuild a 5 MB HTML file."""
from __future__ import annotations

from datetime import timedelta

import streamlit as st

from data.catalog import Catalog
from data.settings import Settings
from data.weekly_review import load_weekly_review
from metrics.trends import parse_iso_week
from metrics.weekly_report import to_html, to_markdown
from metrics.weekly_review import WeeklyReview
from ui import trends_data


def review(settings: Settings, catalog: Catalog, week: str) -> WeeklyReview:
    """The review of ``week``; raises ``ValueError`` for a week not started and the store's errors (the page shows
    them in a panel)."""
    monday, sunday = parse_iso_week(week)
    services = tuple(catalog.service_names())
    rows = trends_data.trend_rows(settings, catalog, monday - timedelta(days=7), sunday, services)
    return load_weekly_review(settings, catalog.slos, trends_data.engine(settings.database_url), week,
                              daily=rows.daily, source=rows.source)


@st.cache_data(show_spinner=False, max_entries=8)
def _html(markdown_key: str, _review: WeeklyReview) -> bytes:
    return to_html(_review).encode("utf-8")


def documents(weekly: WeeklyReview) -> tuple[bytes, bytes]:
    """(Markdown, HTML) of the review; the HTML is cached on the Markdown, which carries every figure."""
    markdown = to_markdown(weekly)
    return markdown.encode("utf-8"), _html(markdown + weekly.source, weekly)
