"""The weekly review page in Streamlit's AppTest: demo data, the week in the query string, notes and downloads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.store import engine_for
from data.weekly.notes import get_note, note_history
from tests.support.apptest import isolated_store, texts
from tests.support.prometheus_metrics import settled_queries_answered

PAGE = str(Path(__file__).resolve().parents[3] / "pages" / "weekly_review" / "page.py")
NOW = "2026-11-24T14:05:00Z"  # a Tuesday: the last complete week is 2026-W47


@pytest.fixture(autouse=True)
def store_url(monkeypatch, tmp_path) -> str:
    return isolated_store(monkeypatch, tmp_path, team_timezone="Europe/Berlin", now=NOW)


def run(query: dict | None = None) -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=90)  # the page alone: app.py's navigation is not under test
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_demo_mode_shows_the_banner():
    assert "Demo data" in texts(run().info)


def test_the_default_week_is_the_last_complete_one():
    app = run()
    assert app.selectbox(key="weekly_week").value == "2026-W47"
    assert "Mon 16 Nov 2026 – Sun 22 Nov 2026 (Europe/Berlin)" in texts(app.caption)


def test_a_headline_value_stays_short_and_its_detail_goes_beside_the_label():
    app = run()
    metrics = {metric.label.split(" · ")[0]: metric for metric in app.metric}
    assert metrics["Alerts fired"].label.startswith("Alerts fired · ")
    assert metrics["Alerts fired"].label.endswith(" ticket")
    assert metrics["Alerts fired"].value.isdigit()


def test_the_headline_has_nine_figures_with_deltas():
    app = run()
    labels = [metric.label.split(" · ")[0] for metric in app.metric]  # a detail may follow: "MTTA · median 5 min"
    assert labels == [
        "SLOs met",
        "Compliance",
        "Requests",
        "Budget burned (worst SLO)",
        "Alerts fired",
        "Incidents",
        "MTTA",
        "MTTR",
        "SLO reviews overdue",
    ]


def test_the_headline_counts_the_overdue_slo_reviews():
    from data.slo.catalog import load_catalog

    app = run()
    [overdue] = [metric for metric in app.metric if metric.label == "SLO reviews overdue"]
    # demo mode, nothing reviewed: every SLO counts from the demo history's first day, over 90 days before the week
    slos = load_catalog(Path(__file__).resolve().parents[3] / "config" / "slos").slos
    assert overdue.value == str(len(slos))


def test_the_alerts_section_lists_the_demo_tiers_that_fired_in_the_week():
    from data.slo.alert_history import load_alert_history
    from data.slo.catalog import load_catalog
    from data.slo.demo import DemoSource

    app = run()
    assert "Alerts that fired" in texts(app.subheader)
    # Independently: the demo's firing history of the same two weeks, kept where it overlaps W47 in Berlin.
    start, end = datetime(2026, 11, 15, 23, tzinfo=UTC), datetime(2026, 11, 22, 23, tzinfo=UTC)
    slos = load_catalog(Path(PAGE).parents[2] / "config" / "slos").slos
    history = load_alert_history(DemoSource(end=datetime.fromisoformat(NOW)), slos, start - timedelta(days=7), end)
    expected = {
        (interval.key.slo, interval.key.severity)
        for interval in history.intervals
        if interval.started < end and (interval.ended is None or interval.ended > start)
    }
    alerts = next(
        frame.value for frame in app.dataframe if list(frame.value.columns)[:3] == ["severity", "tier", "SLO"]
    )
    assert set(zip(alerts["SLO"], alerts["severity"])) == expected
    assert expected, "the demo history fires in W47"


def test_a_week_from_the_query_string_is_shown():
    app = run({"week": "2026-W45"})
    assert app.selectbox(key="weekly_week").value == "2026-W45"
    assert "compared with 2026-W44" in texts(app.caption)


def test_an_invalid_week_says_so_and_shows_the_default():
    app = run({"week": "2026-W60"})
    assert "2026 has weeks 1 to 53" in texts(app.error)
    assert app.selectbox(key="weekly_week").value == "2026-W47"


def test_a_future_week_says_it_has_not_started():
    app = run({"week": "2026-W50"})
    assert "has not started yet" in texts(app.error)


def test_the_demo_recovery_of_inventory_is_listed():
    app = run()
    headings = [s.value for s in app.subheader]
    recovered = app.dataframe[headings.index("SLOs recovered") - 1].value  # no breached table this week
    assert list(recovered["SLO"]) == ["inventory-availability"]


def test_in_demo_mode_without_snapshots_the_fleet_is_the_demo_fleet_marked_as_demo():
    captions = texts(run().caption)
    assert "Demo database fleet" in captions and "not stored" in captions
    assert "No database-health snapshots stored" not in captions


def test_saving_notes_without_a_name_asks_for_one():
    app = run()
    app.text_area(key="weekly_notes_text_2026-W47").input("Ship the retry fix")
    app.button[-1].click().run()
    assert "Write your name in the sidebar first" in texts(app.warning)


def test_saved_notes_are_stored_as_a_new_version(store_url):
    app = run()
    app.session_state["identity_name"] = "Kim"  # the sidebar's "Your name" of local mode (drawn by app.py)
    app.run()
    app.text_area(key="weekly_notes_text_2026-W47").input("Ship the retry fix")
    app.button[-1].click().run()
    assert not app.exception
    note = get_note(engine_for(store_url), "2026-W47")
    assert (note.text, note.author, note.version) == ("Ship the retry fix", "Kim", 1)
    assert len(note_history(engine_for(store_url), "2026-W47")) == 1


def test_a_second_viewer_of_the_weekly_review_sends_prometheus_no_queries(monkeypatch, demo_prometheus):
    """The SLO readings at the week's end are shared by every session: two viewers cost Prometheus what one does."""
    monkeypatch.setenv("PROMETHEUS_URL", demo_prometheus.url)
    monkeypatch.setenv("RELIABILITY_NOW", "2026-11-01T00:00:00Z")  # the backfilled history's end: W43 is complete
    before = settled_queries_answered(demo_prometheus.url)
    first_viewer = run()
    after_one = settled_queries_answered(demo_prometheus.url)
    second_viewer = run()
    after_two = settled_queries_answered(demo_prometheus.url)
    reading = "Budget remaining and alert tiers at the week’s end, Mon 26 Oct 00:00 (Europe/Berlin)"
    assert reading in texts(first_viewer.caption)
    assert texts(second_viewer.caption) == texts(first_viewer.caption)
    assert after_one > before  # the first viewer read the week's end from Prometheus
    assert after_two == after_one  # the second was served the same readings
