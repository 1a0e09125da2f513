"""The SLO reviews page in AppTest (demo mode, a fresh SQLite store, the example catalog): the list overdue first,
a drill-down with history, the review form (one row per submission, refused for viewers) and the what-if."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.slo.catalog import load_catalog
from data.slo_reviews.store import list_reviews
from data.store import engine_for
from data.trends.rollups import demo_daily_rollups
from tests.pages.test_query_fuzz import EDGES
from tests.support.apptest import isolated_store, texts

APP = str(Path(__file__).resolve().parents[3] / "app.py")
PAGE = "pages/slo_reviews/page.py"
NOW = "2026-12-03T09:00:00Z"  # a Thursday; the last complete ISO week is 2026-W48, the last complete month 2026-11
SLO = "checkout-availability"  # target 99.9 % in config/slos
FORM = "slo_review_form"


@pytest.fixture(autouse=True)
def store(monkeypatch, tmp_path) -> str:
    return isolated_store(monkeypatch, tmp_path, team_timezone="UTC", now=NOW)


def run(query: dict[str, str] | None = None, name: str = "Kim") -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.session_state["identity_name"] = name
    app.run()
    app.switch_page(PAGE)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def catalog_slos():
    return load_catalog(Path(APP).parent / "config" / "slos").slos


def reviews(url: str):
    engine = engine_for(url)
    try:
        return list_reviews(engine)
    finally:
        engine.dispose()


def table(app: AppTest, first_column: str):
    [frame] = [e.value for e in app.dataframe if list(getattr(e.value, "columns", []))[:1] == [first_column]]
    return frame


def record(app: AppTest, outcome: str = "keep", notes: str = "still what users feel") -> AppTest:
    app.selectbox(key=f"{FORM}_outcome").select_index(["keep", "change target", "change SLI", "retire"].index(outcome))
    app.text_area(key=f"{FORM}_notes").input(notes)
    app.button(key=f"FormSubmitter:{FORM}-Record review").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_the_list_shows_every_slo_overdue_first_with_its_state_shape_and_word():
    app = run()

    frame = table(app, "SLO")
    # demo mode: every SLO first seen 190 days ago and never reviewed: all overdue
    assert set(frame["state"]) == {"■ overdue"}
    assert SLO in frame["SLO"].tolist()
    assert set(frame["last review"]) == {"never"}


def test_a_recorded_review_is_stored_once_shown_in_the_history_and_moves_the_slo_down(store):
    app = run({"slo": SLO})
    record(app)

    [stored] = reviews(store)
    assert (stored.slo, stored.reviewer, stored.outcome.value, stored.target) == (SLO, "Kim", "keep", 0.999)
    assert "Recorded the review of checkout-availability: keep, at target 99.9%." in texts(app.success)
    history = table(app, "reviewed")
    assert history[["by", "outcome", "target then", "notes"]].values.tolist() == [
        ["Kim", "keep", "99.9%", "still what users feel"]
    ]
    assert app.text_area(key=f"{FORM}_notes").value in ("", None)  # the form cleared

    record(app)  # the second click of the same values
    assert len(reviews(store)) == 1
    assert "nothing was added twice" in texts(app.info)

    listing = run()
    frame = table(listing, "SLO")
    assert frame["SLO"].tolist()[-1] == SLO  # reviewed: last
    assert frame.iloc[-1]["state"] == "✓ reviewed"
    assert frame.iloc[-1]["next due"] == "2027-03-03"  # 90 days after 2026-12-03


def test_user_text_is_shown_as_text(store):
    notes = "**bold** <b>html</b> [link](http://example.com)"
    app = record(run({"slo": SLO}), outcome="change target", notes=notes)

    assert table(app, "reviewed")["notes"].tolist() == [notes]  # a dataframe cell: never Markdown


def test_a_change_without_notes_is_refused_and_nothing_is_stored(store):
    app = record(run({"slo": SLO}), outcome="retire", notes="")

    assert "Not recorded — notes: say what should change and why (retire)" in texts(app.error)
    assert reviews(store) == []


def test_a_viewer_sees_the_form_refused(monkeypatch, tmp_path, store):
    access = tmp_path / "access.toml"
    access.write_text('local_role = "viewer"\n', encoding="utf-8")
    monkeypatch.setenv("ACCESS_CONFIG", str(access))
    app = run({"slo": SLO}, name="Vic")

    assert "Recording SLO reviews: only editors and admins can; your role is viewer." in texts(app.caption)
    assert not [b for b in app.button if "Record review" in str(b.label)]


def test_the_what_if_judges_the_last_12_weeks_and_3_months_at_both_targets():
    app = run({"slo": SLO})
    app.number_input(key=f"slo_review_what_if_{SLO}").set_value(50.0).run()

    frames = [e.value for e in app.dataframe if "period" in list(getattr(e.value, "columns", []))]
    weeks, months = frames
    assert weeks["period"].tolist()[0] == "2026-W37" and weeks["period"].tolist()[-1] == "2026-W48"
    assert months["period"].tolist() == ["2026-09", "2026-10", "2026-11"]
    assert set(weeks["met (what-if 50%)"]) == {"✓ met"}  # no demo week loses half its requests
    assert set(weeks["days with data"]) == {"7 of 7"}

    # W48 from the demo's daily counts, summed here: budget left = 1 - (bad / total) / (1 - target)
    days = [
        r
        for r in demo_daily_rollups(catalog_slos(), datetime.fromisoformat(NOW), "UTC")
        if r.slo == SLO and date(2026, 11, 23) <= r.day <= date(2026, 11, 29)
    ]
    total, bad = sum(r.total for r in days), sum(r.bad for r in days)
    w48 = weeks.set_index("period").loc["2026-W48"]
    assert w48["budget left (what-if 50%)"] == f"{(1 - (bad / total) / 0.5) * 100:.1f}%"
    assert w48["budget left (current 99.9%)"] == f"{(1 - (bad / total) / 0.001) * 100:.1f}%"
    expected_met = "✓ met" if 1 - bad / total >= 0.999 else "■ missed"
    assert w48["met (current 99.9%)"] == expected_met


def test_an_unknown_slo_in_the_link_says_so_and_shows_the_list():
    app = run({"slo": "no-such-slo"})

    assert "No SLO named" in texts(app.warning)
    assert not app.exception
    assert SLO in table(app, "SLO")["SLO"].tolist()


def test_no_crafted_link_makes_the_page_raise():
    app = AppTest.from_file(APP, default_timeout=90)
    app.run()
    failures = {}
    for edge in EDGES:
        app.query_params.clear()
        app.query_params["slo"] = edge
        app.switch_page(PAGE)
        app.run()
        if app.exception:
            failures[edge[:40]] = [str(element.value)[:200] for element in app.exception]
    assert failures == {}
