"""The weekly review service: the document the page's downloads and ``cli.py weekly-report`` both export."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from data.settings import Settings
from data.weekly.export import to_html, to_markdown
from data.weekly.service import DocumentFormat, export_document, load_weekly_review
from tests.unit.metrics.weekly.test_review import MIXED, review

CATALOG = Path(__file__).resolve().parents[4] / "config" / "slos"


@pytest.fixture(scope="module")
def weekly():
    return review(MIXED)


def test_markdown_is_the_markdown_export(weekly):
    assert export_document(weekly, DocumentFormat.MARKDOWN) == to_markdown(weekly)


def test_html_named_as_text_is_the_html_export(weekly):
    def without_chart_ids(document: str) -> str:  # Plotly names each chart's element by a fresh UUID
        return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID", document)

    assert without_chart_ids(export_document(weekly, "html")) == without_chart_ids(to_html(weekly))


def test_an_unknown_format_is_refused(weekly):
    with pytest.raises(ValueError):
        export_document(weekly, "pdf")


def test_a_week_not_started_is_refused(tmp_path):
    from datetime import UTC, datetime

    settings = Settings(
        prometheus=None,
        database_url=f"sqlite:///{tmp_path / 'store.db'}",
        catalog_path=CATALOG,
        team_timezone="Europe/Berlin",
        now_override=datetime(2026, 11, 24, 5, 0, tzinfo=UTC),
    )
    with pytest.raises(ValueError, match="has not started"):
        load_weekly_review(settings, [], None, "2026-W50")
