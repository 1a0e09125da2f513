"""Loaders of the weekly review page: the assembled review (daily rows from the trends page's cache, SLO readings
from the SLO burn page's report cache, shared by every viewer) and the exported documents, cached by their content so
a rerun does not rebuild a 5 MB HTML file."""

from __future__ import annotations

from datetime import datetime, timedelta

import streamlit as st

from data.settings import Settings
from data.slo.alert_history import AlertHistory, load_alert_history
from data.slo.catalog import Catalog
from data.slo.sources import SloSource
from data.store import shared_engine
from data.weekly.service import DocumentFormat, export_document, load_weekly_review
from metrics.last_good import Shown
from metrics.slo.report import SloReport
from metrics.trends.aggregate import parse_iso_week
from metrics.weekly.review import WeeklyReview
from pages.common import history, loaders


def review(settings: Settings, catalog: Catalog, week: str) -> WeeklyReview:
    """The review of ``week``; raises ``ValueError`` for a week not started and the store's errors (the page shows
    them in a panel)."""
    return review_and_readings(settings, catalog, week)[0]


def review_and_readings(
    settings: Settings, catalog: Catalog, week: str
) -> tuple[WeeklyReview, Shown[SloReport] | None]:
    """The review of ``week`` and, on Prometheus, how its "at risk" readings were read: fresh, or the last good
    report (marked stale) when Prometheus fails now. None in demo mode."""
    monday, sunday = parse_iso_week(week)
    services = tuple(catalog.service_names())
    rows = history.trend_rows(settings, catalog, monday - timedelta(days=7), sunday, services)
    shown: list[Shown[SloReport]] = []

    def slo_report(at: datetime) -> SloReport:
        # The current week is read "now" (to the minute, shared with the SLO burn page's cache); a past week at its
        # end, a fixed instant with its own last good report.
        fixed = at < settings.now()
        shown.append(
            loaders.report_or_last_good(settings, catalog, at if fixed else loaders.evaluation_instant(at), fixed=fixed)
        )
        return shown[-1].value

    weekly = load_weekly_review(
        settings,
        catalog.slos,
        shared_engine(settings.database_url),
        week,
        rows=rows,
        slo_report=None if settings.is_demo else slo_report,
        alert_history=lambda start, end: _alert_history(settings, catalog, start, end),
    )
    return weekly, (shown[-1] if shown else None)


@st.cache_data(ttl=loaders.DATA_TTL_SECONDS, show_spinner=False, max_entries=16)
def _cached_alert_history(
    catalog_key: str, source_key: str, start: datetime, end: datetime, _source: SloSource, _catalog: Catalog
) -> AlertHistory:
    return load_alert_history(_source, _catalog.slos, start, end)


def _alert_history(settings: Settings, catalog: Catalog, start: datetime, end: datetime) -> AlertHistory:
    """The firings over [start, end] from the source the SLO pages read now (the demo history ends now, as on the
    incidents page and in ``cli.py weekly-report``), shared by every viewer for a minute."""
    at = loaders.evaluation_instant(settings.now())
    source = loaders.source(settings, at)
    key = loaders.data_key(settings, source, at)
    return _cached_alert_history(key.catalog, key.source, start, min(end, at), source, catalog)


@st.cache_data(show_spinner=False, max_entries=8)
def _html(markdown_key: str, _review: WeeklyReview) -> bytes:
    return export_document(_review, DocumentFormat.HTML).encode("utf-8")


def documents(weekly: WeeklyReview) -> tuple[bytes, bytes]:
    """(Markdown, HTML) of the review; the HTML is cached on the Markdown, which carries every figure."""
    markdown = export_document(weekly, DocumentFormat.MARKDOWN)
    return markdown.encode("utf-8"), _html(markdown + weekly.source, weekly)
