"""The weekly review's "at risk" readings from a real Prometheus that the test stops and restarts (AppTest).

While Prometheus is down the review keeps the last good readings of the week's end, marked stale with the time
they were read; after the restart the warning goes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.slo import demo
from tests.conftest import HISTORY_END, _write_demo_history
from tests.support.apptest import isolated_store, texts
from tests.support.servers import PrometheusServer, make_backfilled_prometheus

PAGE = str(Path(__file__).resolve().parents[3] / "pages" / "weekly_review" / "page.py")
NOW = "2026-11-24T14:05:00Z"
WEEK = "2026-W43"  # ends Monday 26 Oct 00:00 in Berlin, inside the backfilled history (up to 1 Nov)


@pytest.fixture(scope="module")
def prometheus() -> Iterator[PrometheusServer]:
    """A Prometheus of this module's own (the test stops it), on a copy of the cached demo TSDB."""
    with make_backfilled_prometheus(_write_demo_history, f"demo-{demo.cache_key(HISTORY_END)}") as server:
        yield server


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path, prometheus):
    isolated_store(monkeypatch, tmp_path, team_timezone="Europe/Berlin", now=NOW)
    monkeypatch.setenv("PROMETHEUS_URL", prometheus.url)
    monkeypatch.setenv("PROMETHEUS_NAME", "Prometheus prod")
    monkeypatch.setenv("PROMETHEUS_CACHE_TTL_SECONDS", "0.001")  # every run really asks
    monkeypatch.setenv("PROMETHEUS_TIMEOUT_SECONDS", "5")


def run() -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=90)
    app.query_params["week"] = WEEK
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def at_risk(app: AppTest) -> list[str]:
    [frame] = [e.value for e in app.dataframe if "budget remaining" in [str(c).lower() for c in e.value.columns]]
    return list(frame.iloc[:, 0])


def test_at_risk_readings_fall_back_on_the_last_good_ones_while_prometheus_is_down(prometheus):
    fresh = run()
    assert "No fresh budget and alert readings" not in texts(fresh.warning)
    readings_fresh = at_risk(fresh)
    assert readings_fresh  # the demo's checkout incident leaves SLOs at risk at the week's end

    prometheus.stop()
    try:
        stale = run()
        warning = texts(stale.warning)
        assert 'No fresh budget and alert readings for "SLOs at risk"' in warning
        assert "is unreachable" in warning and "marked stale" in warning
        assert at_risk(stale) == readings_fresh
    finally:
        prometheus.start()

    back = run()
    assert "No fresh budget" not in texts(back.warning)
    assert at_risk(back) == readings_fresh
