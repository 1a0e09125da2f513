"""The budget adjustments page in AppTest (demo mode, a fresh SQLite store, the example catalog): an entry stored
once however often it is submitted, the SLO burn page marking the SLO and its figures changing, removal, refusals
naming the field, and a viewer who sees the list but cannot write."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.slo_adjustments.store import list_adjustments
from data.store import engine_for
from tests.support.apptest import isolated_store, texts

APP = str(Path(__file__).resolve().parents[3] / "app.py")
PAGE = "pages/slo_adjustments/page.py"
BURN_PAGE = "pages/slo_burn/page.py"
NOW = "2026-12-03T09:00:00Z"
SLO = "checkout-availability"
FORM = "slo_adjustment_form"


@pytest.fixture(autouse=True)
def store(monkeypatch, tmp_path) -> str:
    return isolated_store(monkeypatch, tmp_path, team_timezone="UTC", now=NOW)


def run(page: str = PAGE, name: str = "Kim", query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.session_state["identity_name"] = name
    app.run()
    app.switch_page(page)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def stored(url: str, include_removed: bool = False):
    engine = engine_for(url)
    try:
        return list_adjustments(engine, include_removed=include_removed)
    finally:
        engine.dispose()


def fill(app: AppTest, reason="primary failover", start=time(7, 0), end=time(9, 0), recurrence="") -> AppTest:
    app.text_area(key=f"{FORM}_reason").input(reason)
    app.date_input(key=f"{FORM}_start_date").set_value(date(2026, 12, 3))
    app.time_input(key=f"{FORM}_start_time").set_value(start)
    app.date_input(key=f"{FORM}_end_date").set_value(date(2026, 12, 3))
    app.time_input(key=f"{FORM}_end_time").set_value(end)
    app.text_input(key=f"{FORM}_recurrence").input(recurrence)
    app.multiselect(key=f"{FORM}_slos").select(SLO)
    return app


def submit(app: AppTest) -> AppTest:
    app.button(key=f"FormSubmitter:{FORM}-Enter adjustment").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_an_entered_adjustment_is_stored_once_under_the_editors_name(store):
    app = submit(fill(run()))
    [adjustment] = stored(store)
    assert (adjustment.entered_by, adjustment.scope.slos, adjustment.start, adjustment.end) == (
        "Kim",
        (SLO,),
        datetime(2026, 12, 3, 7, 0, tzinfo=UTC),
        datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
    )
    assert "Entered adjustment 1 (maintenance, 2026-12-03 07:00 → 09:00 UTC)" in texts(app.success)


def test_a_second_submit_of_the_same_entry_stores_nothing_more(store):
    app = fill(run())
    app.button(key=f"FormSubmitter:{FORM}-Enter adjustment").click()
    app.button(key=f"FormSubmitter:{FORM}-Enter adjustment").click().run()
    fill(app)
    submit(app)
    assert len(stored(store)) == 1


def test_the_slo_burn_page_marks_the_adjusted_slo_and_shows_the_raw_budget_in_the_drilldown(store):
    submit(fill(run()))
    overview = run(BURN_PAGE)
    frame = overview.dataframe[0].value
    assert set(frame.loc[frame["adjusted"] != "", "SLO"]) == {SLO}
    assert set(frame["adjusted"]) == {"± budget adjusted", ""}
    drilldown = run(BURN_PAGE, query={"slo": SLO})
    assert "events inside 1 budget adjustment count neither as good nor as bad" in texts(drilldown.info)
    assert "Without it: budget left" in texts(drilldown.info) and "alert state ■ page" in texts(drilldown.info)


def test_an_end_before_the_start_is_refused_naming_the_field_and_stores_nothing(store):
    app = submit(fill(run(), start=time(9, 0), end=time(7, 0)))
    assert stored(store) == []
    assert "Not recorded — end: " in texts(app.error)


def test_an_rrule_that_does_not_parse_is_refused_naming_the_recurrence(store):
    app = submit(fill(run(), recurrence="FREQ=NEVER"))
    assert stored(store) == []
    assert "Not recorded — recurrence: " in texts(app.error)


def test_a_removed_adjustment_leaves_the_list_in_force_and_stays_in_the_store(store):
    app = submit(fill(run()))
    app.button(key="slo_adjustment_remove_button").click().run()
    assert not app.exception
    assert stored(store) == []
    [kept] = stored(store, include_removed=True)
    assert kept.removed_by == "Kim"


def test_a_viewer_sees_the_list_but_not_the_form_or_the_removal(monkeypatch, tmp_path, store):
    submit(fill(run()))
    access = tmp_path / "access.toml"
    access.write_text('local_role = "viewer"\n', encoding="utf-8")
    monkeypatch.setenv("ACCESS_CONFIG", str(access))
    app = run(name="Vic")
    captions = texts(app.caption)
    assert "Entering budget adjustments: only editors and admins can; your role is viewer." in captions
    assert "Removing budget adjustments: only editors and admins can; your role is viewer." in captions
    [frame] = [e.value for e in app.dataframe if "reason" in getattr(e.value, "columns", [])]
    assert frame["reason"].tolist() == ["primary failover"]


def test_the_drilldown_charts_carry_one_band_of_the_adjustment_with_the_kind_named(store):
    import json

    submit(fill(run()))
    app = run(BURN_PAGE, query={"slo": SLO})
    bands = []
    for chart in app.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        bands.append(sum(len(t.get("x", [])) for t in figure["data"] if t.get("name") == "adjustments"))
    assert bands[:2] == [1, 1]  # the SLI and the burn-down charts
    assert re.search(r"\b1 adjustment[,.]", texts(app.caption))


EDIT = "slo_adjustment_edit_1"


def save_edit(app: AppTest) -> AppTest:
    app.button(key=f"FormSubmitter:{EDIT}-Save changes").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def changed_elsewhere(url: str, reason: str, who: str = "Eun") -> None:
    """Another editor's change through the store, as their own session would save it."""
    from dataclasses import replace

    from data.slo_adjustments.store import get_adjustment, update_adjustment
    from tests.support.actors import editor

    engine = engine_for(url)
    try:
        current = get_adjustment(engine, 1)
        update_adjustment(
            engine, 1, current.version, replace(current, reason=reason), actor=editor(who), at=datetime.now(UTC)
        )
    finally:
        engine.dispose()


def test_the_edit_form_is_filled_from_the_stored_adjustment(store):
    app = submit(fill(run()))
    assert app.text_area(key=f"{EDIT}_reason").value == "primary failover"
    assert (app.time_input(key=f"{EDIT}_start_time").value, app.time_input(key=f"{EDIT}_end_time").value) == (
        time(7, 0),
        time(9, 0),
    )
    assert app.multiselect(key=f"{EDIT}_slos").value == [SLO]


def test_a_saved_change_is_stored_as_the_next_version_under_the_editors_name(store):
    app = submit(fill(run()))
    app.text_area(key=f"{EDIT}_reason").input("failover drill, extended")
    app.time_input(key=f"{EDIT}_end_time").set_value(time(9, 30))
    save_edit(app)
    [adjustment] = stored(store)
    assert (adjustment.version, adjustment.reason, adjustment.end, adjustment.entered_by) == (
        2,
        "failover drill, extended",
        datetime(2026, 12, 3, 9, 30, tzinfo=UTC),
        "Kim",
    )
    assert "Saved adjustment 1 (version 2: maintenance, 2026-12-03 07:00 → 09:30 UTC)" in texts(app.success)
    assert app.text_area(key=f"{EDIT}_reason").value == "failover drill, extended"


def test_a_change_someone_saved_meanwhile_refuses_the_save_naming_them_and_keeps_what_was_typed(store):
    app = submit(fill(run()))
    changed_elsewhere(store, "Eun's reason")
    app.text_area(key=f"{EDIT}_reason").input("Kim's reason")
    save_edit(app)
    assert "Not saved — adjustment 1 was changed by Eun" in texts(app.error)
    assert app.text_area(key=f"{EDIT}_reason").value == "Kim's reason"
    [adjustment] = stored(store)
    assert (adjustment.version, adjustment.reason) == (2, "Eun's reason")
    assert "Adjustment 1 changed since this form was filled (version 1; now 2)" in texts(app.warning)


def test_loading_the_current_version_refills_the_form_with_it(store):
    app = submit(fill(run()))
    changed_elsewhere(store, "Eun's reason")
    app.text_area(key=f"{EDIT}_reason").input("Kim's reason")
    save_edit(app)
    app.button(key=f"{EDIT}_reload").click().run()
    assert app.text_area(key=f"{EDIT}_reason").value == "Eun's reason"
    app.text_area(key=f"{EDIT}_reason").input("Kim's reason, on top of Eun's")
    save_edit(app)
    [adjustment] = stored(store)
    assert (adjustment.version, adjustment.reason) == (3, "Kim's reason, on top of Eun's")


def test_a_second_submit_of_the_same_change_stores_one_version(store):
    from data.store.audit import audit_entries

    app = submit(fill(run()))
    app.text_area(key=f"{EDIT}_reason").input("once")
    app.button(key=f"FormSubmitter:{EDIT}-Save changes").click()
    save_edit(app)
    app.text_area(key=f"{EDIT}_reason").input("once")
    save_edit(app)
    assert [(a.version, a.reason) for a in stored(store)] == [(2, "once")]
    engine = engine_for(store)
    try:
        actions = [line["action"] for line in audit_entries(engine, entity="slo_adjustment")]
    finally:
        engine.dispose()
    assert actions == ["changed", "created"]


def test_a_changed_end_before_the_start_is_refused_naming_the_field_and_keeps_the_form(store):
    app = submit(fill(run()))
    app.time_input(key=f"{EDIT}_end_time").set_value(time(6, 0))
    save_edit(app)
    assert "Not saved — end: " in texts(app.error)
    assert app.time_input(key=f"{EDIT}_end_time").value == time(6, 0)
    assert stored(store)[0].version == 1


def test_a_viewer_sees_no_edit_form(monkeypatch, tmp_path, store):
    submit(fill(run()))
    access = tmp_path / "access.toml"
    access.write_text('local_role = "viewer"\n', encoding="utf-8")
    monkeypatch.setenv("ACCESS_CONFIG", str(access))
    app = run(name="Vic")
    assert "Changing budget adjustments: only editors and admins can; your role is viewer." in texts(app.caption)
    assert not [w for w in app.text_area if w.key == f"{EDIT}_reason"]
