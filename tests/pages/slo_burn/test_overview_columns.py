"""Which columns the SLO overview shows: a default set that fits 1440 px with the sidebar open, and the rest on
request through the "More columns" picker."""

from __future__ import annotations

import pandas as pd

from pages.slo_burn.widgets import OverviewExtra, overview_columns, overview_extra_label

FRAME_COLUMNS = [
    "state", "SLO", "service", "target", "window", "SLI", "budget remaining",
    "5m", "30m", "1h", "2h", "6h", "1d", "3d", "time to exhaustion", "error",
]  # fmt: skip


def frame(note: str = "") -> pd.DataFrame:
    return pd.DataFrame([dict.fromkeys(FRAME_COLUMNS, 1.0) | {"error": note}], columns=FRAME_COLUMNS)


def test_the_default_shows_the_tiers_long_windows_and_when_the_budget_runs_out():
    assert overview_columns(frame("no traffic")) == [
        "state", "SLO", "service", "target", "SLI", "budget remaining", "1h", "6h", "1d", "3d", "time to exhaustion",
    ]  # fmt: skip


def test_short_windows_on_request_keep_the_windows_in_order():
    shown = overview_columns(frame(), {OverviewExtra.SHORT_WINDOWS})
    assert shown[6:14] == ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "time to exhaustion"]


def test_the_period_on_request_sits_beside_the_target():
    assert overview_columns(frame(), {OverviewExtra.PERIOD})[3:5] == ["target", "window"]


def test_the_note_on_request_shows_only_when_some_slo_has_one():
    assert overview_columns(frame("no traffic"), {OverviewExtra.NOTE})[-1] == "error"
    assert "error" not in overview_columns(frame(""), {OverviewExtra.NOTE})


def test_the_short_windows_choice_names_its_windows():
    assert overview_extra_label(OverviewExtra.SHORT_WINDOWS) == "short windows (5m, 30m, 2h)"


def test_the_budget_adjusted_mark_shows_last_and_only_when_some_slo_is_adjusted():
    adjusted = pd.DataFrame(
        [dict.fromkeys(FRAME_COLUMNS, 1.0) | {"error": "", "adjusted": "± budget adjusted"}],
        columns=[*FRAME_COLUMNS, "adjusted"],
    )
    assert overview_columns(adjusted)[-1] == "adjusted"
    assert "adjusted" not in overview_columns(adjusted.assign(adjusted=""))
