"""The trends charts' pieces: one panel per SLO with its objective line, and the compliance heatmap's legend."""

from __future__ import annotations

import pandas as pd

from metrics.trends.aggregate import MET, MISSED, NO_DATA
from pages.trends.charts import compliance_figure, sli_figure


def per_slo() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "slo": ["checkout-availability"] * 2 + ["search-latency"] * 2,
            "target": [0.999] * 2 + [0.99] * 2,
            "period": ["2026-W46", "2026-W47"] * 2,
            "status": [MET, MISSED, NO_DATA, NO_DATA],
            "sli": [0.9995, 0.998, float("nan"), float("nan")],
            "total": [1000.0, 1200.0, float("nan"), float("nan")],
        }
    )


def test_each_slo_gets_its_own_panel_with_its_objective_dashed():
    figure = sli_figure(per_slo(), "week")
    targets = sorted(shape.y0 for shape in figure.layout.shapes)
    assert (len(figure.data), targets) == (2, [0.99, 0.999])


def test_a_missed_period_is_marked_with_a_square():
    figure = sli_figure(per_slo(), "week")
    assert list(figure.data[0].marker.symbol) == ["circle", "square"]


def test_an_slo_without_events_says_no_data_in_its_panel():
    figure = sli_figure(per_slo(), "week")
    assert any(a.text == "no events in this range: no data" for a in figure.layout.annotations)


def test_the_heatmap_has_a_legend_entry_per_status():
    matrix = pd.DataFrame({"2026-W47": [MET, MISSED]}, index=["checkout", "search"])
    figure = compliance_figure(matrix, "week")
    assert [trace.name for trace in figure.data[1:]] == ["✓ met", "■ missed", "○ no data"]
