"""Figure builders: the right traces, threshold and target lines, hover text, time zones and downsampling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

from metrics.slo.alerts import DEFAULT_TIERS, Op, evaluate_tiers
from metrics.slo.definitions import BURN_WINDOWS
from metrics.slo.periods import Period
from pages.common.theme import TEMPLATE_NAME, alert_state_badge, alert_state_style
from pages.slo_burn import charts

AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
PERIOD_30D = timedelta(days=30)


def times(count: int, step: timedelta = timedelta(minutes=5), end: datetime = AT) -> pd.Series:
    return pd.Series(pd.date_range(end=end, periods=count, freq=step, tz="UTC"))


def rates_frame(count: int = 864, spike_at: int | None = None) -> pd.DataFrame:
    frame = pd.DataFrame({"time": times(count)})
    for window in BURN_WINDOWS:
        frame[window] = 0.5
    if spike_at is not None:
        frame.loc[spike_at:, ["1h", "5m"]] = 20.0
    return frame


def alerts(burn_rate: float = 0.5):
    return evaluate_tiers({w: burn_rate for w in BURN_WINDOWS}, PERIOD_30D)


# --- downsample -------------------------------------------------------------------------------------------------------


def test_downsample_leaves_short_series_alone():
    frame = pd.DataFrame({"time": times(100), "value": np.arange(100.0)})
    assert charts.downsample(frame, max_points=1500).equals(frame)


def test_downsample_caps_points_and_keeps_the_spike():
    frame = pd.DataFrame({"time": times(10_000), "value": np.zeros(10_000)})
    frame.loc[4321, "value"] = 99.0
    reduced = charts.downsample(frame, max_points=1500, how="max")
    assert len(reduced) <= 1500
    assert reduced["value"].max() == 99.0
    assert reduced["time"].is_monotonic_increasing
    assert reduced["time"].iloc[-1] == frame["time"].iloc[-1]  # buckets are stamped with their last time


def test_downsample_min_keeps_the_dip_and_last_keeps_the_end():
    frame = pd.DataFrame({"time": times(3000), "value": np.linspace(1.0, 0.5, 3000)})
    frame.loc[1001, "value"] = 0.1
    assert charts.downsample(frame, 1000, how="min")["value"].min() == 0.1
    assert charts.downsample(frame, 1000, how="last")["value"].iloc[-1] == 0.5


def test_downsample_keeps_gaps_as_gaps():
    values = np.ones(4000)
    values[1000:2000] = np.nan  # no traffic for a long stretch
    reduced = charts.downsample(pd.DataFrame({"time": times(4000), "value": values}), 1000, how="max")
    assert reduced["value"].isna().sum() >= 200
    assert reduced["value"].notna().sum() >= 500


def test_downsample_rejects_unknown_aggregation():
    with pytest.raises(ValueError, match="how must be one of"):
        charts.downsample(pd.DataFrame({"time": times(3), "value": [1.0, 2, 3]}), how="median")


def test_every_figure_reaches_the_browser_with_at_most_max_points():
    long = rates_frame(count=5000)
    figure = charts.burn_rate_figure(long, alerts(), "UTC")
    assert all(len(trace.x) <= charts.MAX_POINTS for trace in figure.data)
    figure = charts.tier_figure(long, alerts(), "UTC")
    assert all(len(trace.x) <= charts.MAX_POINTS for trace in figure.data)


# --- firing intervals -------------------------------------------------------------------------------------------------


def test_firing_intervals_need_both_windows_above_the_threshold():
    stamps = times(8)
    long_rate = pd.Series([1, 20, 20, 20, 1, 20, 20, 20], dtype=float)
    short_rate = pd.Series([20, 20, 1, 20, 20, 20, np.nan, 20], dtype=float)
    intervals = charts.firing_intervals(stamps, long_rate, short_rate, 14.4)
    assert intervals == [(stamps[1], stamps[2]), (stamps[3], stamps[4]), (stamps[5], stamps[6]), (stamps[7], stamps[7])]


def test_firing_intervals_of_a_below_tier_shade_where_both_windows_are_below_and_never_missing_data():
    stamps = times(4)
    long_rate = pd.Series([1, 1, 20, 1], dtype=float)
    short_rate = pd.Series([1, np.nan, 1, 1], dtype=float)
    assert charts.firing_intervals(stamps, long_rate, short_rate, 2.0, Op.LT) == [
        (stamps[0], stamps[1]),
        (stamps[3], stamps[3]),
    ]


def test_firing_intervals_empty_when_quiet():
    stamps = times(5)
    assert charts.firing_intervals(stamps, pd.Series([1.0] * 5), pd.Series([1.0] * 5), 14.4) == []


# --- burn rate figure ------------------------------------------------------------------------------------------------


def test_burn_rate_figure_has_a_trace_per_window_and_a_labelled_threshold_per_tier():
    figure = charts.burn_rate_figure(rates_frame(), alerts(), "UTC")
    assert [trace.name for trace in figure.data] == list(BURN_WINDOWS)
    visible = {trace.name for trace in figure.data if trace.visible is True}
    assert visible == set(charts.PROMINENT_WINDOWS)
    dashed = [shape for shape in figure.layout.shapes if shape.line.dash == "dash"]
    assert sorted(round(shape.y0, 2) for shape in dashed) == [1.0, 3.0, 6.0, 14.4]
    labels = {annotation.text for annotation in figure.layout.annotations}
    assert {"page 14.4× (1h)", "page 6.00× (6h)", "ticket 3.00× (1d)", "ticket 1.00× (3d)"} <= labels
    page_label = next(a for a in figure.layout.annotations if a.text.startswith("page 14.4"))
    assert page_label.y == pytest.approx(np.log10(14.4))  # annotations on a log axis sit at log10(value)
    assert page_label.font.color == alert_state_style("page").color
    assert figure.layout.yaxis.type == "log"
    assert figure.layout.template.layout.colorway == pio.templates[TEMPLATE_NAME].layout.colorway


def test_while_a_tier_fires_the_burn_rate_chart_opens_on_the_last_six_hours():
    figure = charts.burn_rate_figure(rates_frame(spike_at=850), alerts(burn_rate=20.0), "Asia/Seoul")
    newest = pd.Timestamp(AT).tz_convert("Asia/Seoul").tz_localize(None)
    assert [pd.Timestamp(edge) for edge in figure.layout.xaxis.range] == [newest - pd.Timedelta(hours=6), newest]


def test_when_no_tier_fires_the_burn_rate_chart_shows_all_three_days():
    figure = charts.burn_rate_figure(rates_frame(), alerts(), "UTC")
    assert figure.layout.xaxis.range is None


def test_burn_rate_hover_shows_exact_formatted_values_and_no_data():
    frame = rates_frame(count=4)
    frame.loc[0, "1h"] = np.nan
    frame.loc[1, "1h"] = 14.44
    frame.loc[2, "1h"] = 0.0
    figure = charts.burn_rate_figure(frame, alerts(), "UTC")
    trace = next(t for t in figure.data if t.name == "1h")
    assert list(trace.customdata[:3]) == ["no data", "14.4×", "0.00×"]
    assert "%{customdata}" in trace.hovertemplate
    assert trace.y[2] == charts.LOG_FLOOR  # zero drawn at the floor of the log axis, hover keeps the truth


def test_times_are_drawn_in_the_team_time_zone():
    figure = charts.burn_rate_figure(rates_frame(count=3), alerts(), "Asia/Seoul")
    last = pd.Timestamp(figure.data[0].x[-1])
    assert last == pd.Timestamp("2026-11-01 21:00")  # 12:00 UTC is 21:00 in Seoul
    assert figure.layout.xaxis.title.text == "time (Asia/Seoul)"


# --- tier figure -----------------------------------------------------------------------------------------------------


def test_tier_figure_one_row_per_tier_with_long_and_short_and_firing_shaded():
    frame = rates_frame(spike_at=800)
    figure = charts.tier_figure(frame, alerts(), "UTC")
    assert len(figure.data) == 2 * len(DEFAULT_TIERS)
    first_row = figure.data[:2]
    assert [trace.customdata[0] for trace in first_row] == ["0.50×", "0.50×"]
    assert first_row[1].line.dash == "dot"
    shaded = [shape for shape in figure.layout.shapes if shape.type == "rect"]
    assert len(shaded) == 1  # only the 1h/5m page tier has both windows above 14.4
    assert shaded[0].fillcolor == alert_state_style("page").fill
    titles = [annotation.text for annotation in figure.layout.annotations]
    assert "page: 1h and 5m above 14.4×" in titles
    assert "ticket: 3d and 6h above 1.00×" in titles


# --- SLI and burn-down -----------------------------------------------------------------------------------------------


def test_sli_figure_draws_the_target_and_formats_hover_with_target_precision():
    frame = pd.DataFrame(
        {
            "time": times(3, timedelta(hours=1)),
            "sli": [0.9996, np.nan, 0.99949],
            "total": [10_000.0, 0.0, 10_000.0],
            "bad": [4.0, 0.0, 5.1],
        }
    )
    figure = charts.sli_figure(frame, 0.9995, "UTC")
    (trace,) = figure.data
    assert trace.customdata[0] == "99.960% (4 bad of 10,000)"
    assert trace.customdata[1] == "no data"
    assert trace.customdata[2].startswith("99.949%")  # never rounded up to a met target
    target_line = figure.layout.shapes[0]
    assert target_line.y0 == 0.9995 and target_line.line.dash == "dash"
    assert figure.layout.annotations[0].text == "target 99.95%"
    assert figure.layout.yaxis.tickformat == ".3%"


def test_burn_down_covers_the_whole_calendar_period_with_ideal_and_zero_lines():
    start = datetime(2026, 11, 1, tzinfo=UTC)
    period = Period(start, start + timedelta(days=30))
    at = start + timedelta(days=10)
    frame = pd.DataFrame({"time": pd.date_range(start, at, freq="1h", tz="UTC")})
    frame["budget_remaining"] = np.linspace(1.0, 0.4, len(frame))
    frame["ideal_remaining"] = np.linspace(1.0, 2 / 3, len(frame))
    figure = charts.burn_down_figure(frame, period, at, "UTC")
    ideal, actual = figure.data
    assert ideal.name == "ideal (even spend)" and list(ideal.y) == [1.0, 0.0]
    assert pd.Timestamp(ideal.x[-1]) == pd.Timestamp("2026-12-01 00:00")
    assert actual.customdata[-1] == "40.0%"
    assert figure.layout.yaxis.tickformat == ".0%"
    zero_line = next(shape for shape in figure.layout.shapes if shape.type == "line")
    assert zero_line.y0 == 0 and zero_line.line.width >= 2
    assert any(shape.type == "rect" for shape in figure.layout.shapes)  # the rest of the period is marked


def test_burn_down_rolling_period_has_no_future_part():
    start = AT - PERIOD_30D
    frame = pd.DataFrame({"time": pd.date_range(start, AT, freq="1h", tz="UTC"), "budget_remaining": 0.5})
    figure = charts.burn_down_figure(frame, Period(start, AT), AT, "UTC")
    assert not any(shape.type == "rect" for shape in figure.layout.shapes)


# --- theme -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state, badge", [("page", "■ page"), ("ticket", "▲ ticket"), ("ok", "✓ ok"), ("no data", "○ no data")]
)
def test_alert_states_carry_a_symbol_besides_the_colour(state, badge):
    assert alert_state_badge(state) == badge


def test_alert_state_colours_are_distinct():
    colours = {alert_state_style(state).color for state in ("page", "ticket", "ok", "no data")}
    assert len(colours) == 4


# --- annotations ----------------------------------------------------------------------------------------------------


def _annotations():
    from metrics.incidents.rules import Incident
    from metrics.slo.annotations import incident_annotations, review_annotations
    from metrics.slo_reviews.rules import ReviewOutcome, SloReview

    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    incident = Incident("INC-7", "checkout", "SEV1", now - timedelta(hours=5), resolved=now - timedelta(hours=3),
                        summary="<b>cart</b> errors")  # fmt: skip
    review = SloReview("checkout-availability", now - timedelta(days=1), "Dana <script>", ReviewOutcome.KEEP, "", 0.999)
    return incident_annotations([incident], "checkout", now) + review_annotations([review])


def test_an_incident_is_shaded_and_a_review_is_a_line_each_with_a_mark_to_hover():
    figure = charts.add_annotations(go_figure(), _annotations(), "Asia/Seoul", mark_at=1.0)
    kinds = [shape.type for shape in figure.layout.shapes]
    assert sorted(kinds) == ["line", "rect"]
    marks = {trace.name: trace for trace in figure.data if trace.mode == "markers"}
    assert set(marks) == {"incidents", "reviews"} and list(marks["incidents"].y) == [1.0]


def test_the_hover_says_what_and_who_in_local_time_as_text_not_markup():
    figure = charts.add_annotations(go_figure(), _annotations(), "Asia/Seoul", mark_at=1.0)
    hovers = {trace.name: trace.hovertext[0] for trace in figure.data if trace.mode == "markers"}
    assert "2026-11-24 16:00 – 2026-11-24 18:00" in hovers["incidents"]  # 07:00–09:00 UTC in Seoul
    assert "&lt;b&gt;cart&lt;/b&gt; errors" in hovers["incidents"] and "<b>cart</b>" not in hovers["incidents"]
    assert "by Dana &lt;script&gt;" in hovers["reviews"]


def go_figure():
    import plotly.graph_objects as go

    return go.Figure()
