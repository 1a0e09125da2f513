"""What a panel says when its source fails: the last good data's time and age, or "no data yet"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from metrics.last_good import Shown
from pages.common.widgets import source_failure_text, stale_text

NOW = datetime(2026, 11, 24, 5, 17, tzinfo=UTC)  # 14:17 in Seoul
READ_AT = datetime(2026, 11, 24, 5, 5, tzinfo=UTC)  # 14:05 in Seoul


def test_stale_text_gives_the_local_time_and_age_of_the_last_good_data():
    assert stale_text(READ_AT, "Asia/Seoul", NOW) == "showing data from 14:05 (12 min old), marked stale"


def test_stale_text_gives_the_date_when_the_data_is_from_another_day():
    text = stale_text(READ_AT - timedelta(days=1), "Asia/Seoul", NOW)
    assert text == "showing data from Mon 23 Nov 14:05 (1 d old), marked stale"


def test_a_stale_panel_names_what_failed_and_shows_the_warn_symbol():
    shown = Shown(
        "report", READ_AT, failure="Prometheus (http://prom:9090) is unreachable (connection error).", stale=True
    )
    text = source_failure_text("SLO data from Prometheus (http://prom:9090)", shown, "Asia/Seoul", NOW)
    assert text.startswith("▲ **No fresh SLO data from Prometheus (http://prom:9090).**")
    assert "is unreachable (connection error). Showing data from 14:05 (12 min old), marked stale;" in text


def test_a_panel_without_earlier_data_says_no_data_yet():
    shown = Shown("no-data report", NOW, failure="Prometheus did not answer within 2 s")
    text = source_failure_text("SLO data from Prometheus", shown, "Asia/Seoul", NOW)
    assert text.startswith("○ **No SLO data from Prometheus: no data yet.** Prometheus did not answer within 2 s.")
    assert "Refresh" in text


def test_a_fresh_panel_has_no_failure_text():
    assert source_failure_text("SLO data", Shown("report", NOW), "Asia/Seoul", NOW) is None
