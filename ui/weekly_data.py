"""Loaders of the weekly review page: the assembled review (daily rows from the trends page's cache, SLO readings
from a cache shared by every viewer) and the exported documents, cached by their content so a rerun does not rebuild
a 5 MB HTML file."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import streamlit as st

from data.catalog import Catalog
from data.settings import Settings
from data.weekly_review import load_weekly_review, slo_readings
from metrics.rollups import last_complete_day
from metrics.trends import parse_iso_week
from metrics.weekly_report import to_html, to_markdown
from metrics.weekly_review import SloReading, WeeklyReview
from ui import loaders, trends_data


@st.cache_data(ttl=loaders.DATA_TTL_SECONDS, show_spinner=False, max_entries=16)
def _slo_readings(settings_key: int, catalog_key: str, demo_day: date, at: datetime, _settings: Settings,
                  _catalog: Catalog) -> tuple[list[SloReading], str | None]:
    return slo_readings(_settings, _catalog.slos, at)


def _shared_readings(settings: Settings, catalog: Catalog):
    """``read_slos`` for the review: budget and alert state at the week's end, read from the SLO source once per
    (settings, catalog, instant) and TTL for every viewer; Streamlit lets one session compute a missing entry while
    the others wait for it, so 25 viewers opening the page together still send one set of queries."""
    settings_key = hash(settings)  # a frozen dataclass: identifies the settings without a secret in the key
    catalog_key = f"{settings.catalog_path}|{loaders.catalog_fingerprint(settings.catalog_path)!r}"
    demo_day = last_complete_day(settings.now(), settings.team_timezone)  # the demo history moves once a day

    def read(at: datetime) -> tuple[list[SloReading], str | None]:
        return _slo_readings(settings_key, catalog_key, demo_day, at, settings, catalog)

    return read


def review(settings: Settings, catalog: Catalog, week: str) -> WeeklyReview:
    """The review of ``week``; raises ``ValueError`` for a week not started and the store's errors (the page shows
    them in a panel)."""
    monday, sunday = parse_iso_week(week)
    services = tuple(catalog.service_names())
    rows = trends_data.trend_rows(settings, catalog, monday - timedelta(days=7), sunday, services)
    return load_weekly_review(settings, catalog.slos, trends_data.engine(settings.database_url), week,
                              daily=rows.daily, source=rows.source, read_slos=_shared_readings(settings, catalog))


@st.cache_data(show_spinner=False, max_entries=8)
def _html(markdown_key: str, _review: WeeklyReview) -> bytes:
    return to_html(_review).encode("utf-8")


def documents(weekly: WeeklyReview) -> tuple[bytes, bytes]:
    """(Markdown, HTML) of the review; the HTML is cached on the Markdown, which carries every figure."""
    markdown = to_markdown(weekly)
    return markdown.encode("utf-8"), _html(markdown + weekly.source, weekly)
