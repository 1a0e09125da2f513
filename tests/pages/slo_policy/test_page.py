"""The error-budget policy page in AppTest (demo mode, a fresh SQLite store, a catalog where checkout has overspent
its budget): each service's state, freeze in the palette's colour with the recorded decision, the policy form (a
stale version refused, nothing lost), the decision form (one row per submission) and a viewer's refusal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.slo_policy.store import get_policy, list_decisions
from data.store import engine_for
from metrics.status import CRITICAL
from pages.slo_policy.widgets import state_colour
from tests.support.apptest import isolated_store, texts
from tests.support.slo_policy import NORMAL_SERVICE, SPENT_SERVICE, write_spent_catalog

APP = str(Path(__file__).resolve().parents[3] / "app.py")
PAGE = "pages/slo_policy/page.py"
NOW = "2026-11-24T05:00:00Z"
POLICY, DECISION = "slo_policy_form", "slo_policy_decision"


@pytest.fixture(autouse=True)
def store(monkeypatch, tmp_path) -> str:
    url = isolated_store(monkeypatch, tmp_path, team_timezone="UTC", now=NOW)
    monkeypatch.setenv("SLO_CATALOG", str(write_spent_catalog(tmp_path)))
    return url


def run(name: str = "Kim") -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.session_state["identity_name"] = name
    app.run()
    app.switch_page(PAGE)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def stored(url: str, what):
    engine = engine_for(url)
    try:
        return what(engine)
    finally:
        engine.dispose()


def states(app: AppTest):
    [frame] = [e.value for e in app.dataframe if "budget spent" in list(e.value.columns)]
    return frame


def save_policy(app: AppTest, actions: str = "Halt changes but P0 and security fixes", approver: str = "Lee"):
    prefix = f"{POLICY}_*"
    app.text_area(key=f"{prefix}_actions").input(actions)
    app.text_input(key=f"{prefix}_approver").input(approver)
    app.date_input(key=f"{prefix}_approved").set_value(date(2026, 11, 1))
    app.date_input(key=f"{prefix}_revisit").set_value(date(2027, 5, 1))
    app.button(key=f"FormSubmitter:{prefix}-Save policy").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def record_decision(app: AppTest, kind_index: int = 0, reason: str = "budget spent: only P0 and security fixes"):
    app.selectbox(key=f"{DECISION}_service").set_value(SPENT_SERVICE)
    app.selectbox(key=f"{DECISION}_kind").select_index(kind_index)
    app.text_area(key=f"{DECISION}_reason").input(reason)
    app.button(key=f"FormSubmitter:{DECISION}-Record decision").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_without_a_policy_every_service_reads_no_policy_and_the_page_says_what_to_do():
    app = run()

    assert set(states(app)["state"]) == {"ℹ no policy"}
    assert "No error-budget policy yet" in texts(app.info)


def test_a_saved_policy_puts_the_spent_service_in_freeze_and_parks_a_tracker_item(store):
    app = save_policy(run())

    policy = stored(store, lambda engine: get_policy(engine, "*"))
    assert (policy.approver, policy.version, policy.revisit_on) == ("Lee", 1, date(2027, 5, 1))
    assert "Saved the policy for all services as version 1; revisit-tracker item #1 comes due on 2027-05-01." in texts(
        app.success
    )
    shown = states(app).set_index("service")["state"]
    assert (shown[SPENT_SERVICE], shown[NORMAL_SERVICE]) == ("■ freeze", "✓ normal")


def test_freeze_reads_freeze_in_the_palettes_critical_colour():
    app = save_policy(run())

    shown = states(app).set_index("service")["state"][SPENT_SERVICE]
    # AppTest hands back the table's values without its Styler: the cell's style is the page's own function's
    assert state_colour(shown) == f"color: {CRITICAL.color}; font-weight: 600"
    assert f":red[**{shown}**]" in texts(app.markdown)  # the headline line, in Markdown's nearest colour


def test_a_spent_service_reads_freeze_with_the_recorded_decision(store):
    app = record_decision(save_policy(run()))

    [decision] = stored(store, list_decisions)
    assert (decision.service, decision.kind.value, decision.decided_by, decision.state) == (
        SPENT_SERVICE,
        "freeze",
        "Kim",
        "freeze",
    )
    headline = texts(app.markdown)
    assert "■ freeze" in headline and "latest decision: freeze by Kim on 2026-11-24" in headline
    row = states(app).set_index("service").loc[SPENT_SERVICE]
    assert row["latest decision"] == "freeze by Kim on 2026-11-24: budget spent: only P0 and security fixes"


def test_a_double_click_of_record_decision_stores_one(store):
    app = record_decision(save_policy(run()))
    record_decision(app)

    assert len(stored(store, list_decisions)) == 1
    assert "nothing was added twice" in texts(app.info)


def test_a_decision_without_a_reason_is_refused_and_nothing_is_stored(store):
    app = record_decision(save_policy(run()), reason="")

    assert "Not recorded — reason: say why" in texts(app.error)
    assert stored(store, list_decisions) == []


def test_a_save_on_a_version_someone_else_replaced_is_refused_and_keeps_the_typed_text(store):
    app = save_policy(run())
    other = save_policy(run(name="Ann"), actions="Theirs: halt everything")  # opened version 1, saved version 2
    assert stored(store, lambda engine: get_policy(engine, "*")).version == 2 and not other.exception

    save_policy(app, actions="Mine: halt but P0")  # still on version 1

    assert "Not saved: the policy for all services was saved by Ann" in texts(app.error)
    assert "Theirs: halt everything" in texts(app.code)
    assert app.text_area(key=f"{POLICY}_*_actions").value == "Mine: halt but P0"
    assert stored(store, lambda engine: get_policy(engine, "*")).actions == "Theirs: halt everything"


def test_user_text_is_shown_as_text(store):
    app = save_policy(run(), actions="**bold** <b>html</b> [link](http://example.com)")

    assert "**bold** <b>html</b> [link](http://example.com)" in [t.value for t in app.text]


def test_a_viewer_sees_everything_but_the_forms_are_refused(monkeypatch, tmp_path, store):
    save_policy(run())
    access = tmp_path / "access.toml"
    access.write_text('local_role = "viewer"\n', encoding="utf-8")
    monkeypatch.setenv("ACCESS_CONFIG", str(access))

    app = run(name="Vic")

    assert states(app).set_index("service")["state"][SPENT_SERVICE] == "■ freeze"
    notes = texts(app.caption)
    assert "Editing the policy: only editors and admins can; your role is viewer." in notes
    assert "Recording decisions: only editors and admins can; your role is viewer." in notes
    buttons = {b.label: b.disabled for b in app.button if b.label in ("Save policy", "Record decision")}
    assert buttons == {"Save policy": True, "Record decision": True}


def test_a_double_click_of_save_policy_stores_one_version(store):
    app = save_policy(run())
    save_policy(app)  # the same values submitted again: nothing changed, nothing new is stored

    assert stored(store, lambda engine: get_policy(engine, "*")).version == 1
    assert not app.error


def test_an_incident_that_burned_more_than_the_policys_share_requires_a_postmortem():
    app = run()
    app.number_input(key=f"{POLICY}_*_share").set_value(5.0)
    save_policy(app)

    [frame] = [e.value for e in app.dataframe if "policy share" in list(e.value.columns)]
    # The page evaluates at the wall clock, so the demo outage's share moves with the time of day (24 % of checkout's
    # 99.99 % budget read at 05:00 UTC, 45 % at 11:50): a 5 % share puts it above the line at any hour.
    listed = frame.set_index("incident")
    assert (listed.loc["DEMO-checkout-1", "service"], listed.loc["DEMO-checkout-1", "policy share"]) == (
        SPENT_SERVICE,
        "5%",
    )
    assert float(listed.loc["DEMO-checkout-1", "budget burned"].rstrip("%")) > 5


def test_a_policy_past_its_revisit_date_says_it_is_due(monkeypatch):
    save_policy(run())
    monkeypatch.setenv("RELIABILITY_NOW", "2027-05-02T09:00:00Z")  # the day after the revisit date

    app = run()

    assert "Due for revisit since 2027-05-01" in texts(app.warning)


def test_a_postmortem_decision_naming_the_incident_shows_beside_it():
    app = run()
    app.number_input(key=f"{POLICY}_*_share").set_value(5.0)
    save_policy(app)
    app.text_input(key=f"{DECISION}_incident").input("DEMO-checkout-1")
    record_decision(app, kind_index=2, reason="burned a quarter of the budget")

    [frame] = [e.value for e in app.dataframe if "policy share" in list(e.value.columns)]
    assert frame.set_index("incident").loc["DEMO-checkout-1", "postmortem decision"] == "Kim, 2026-11-24"
