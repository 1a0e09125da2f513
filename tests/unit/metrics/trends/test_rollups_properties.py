"""Property-based checks of the daily and weekly SLO math: any counts — zero, negative increases after a counter
reset, bad above total, NaN or infinite from a broken source, missing — give numbers in range or "no data", never
an exception and never NaN; the trends' JSON (``cli.py trends --format json``, written with allow_nan=False) always
serialises."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from metrics.trends.aggregate import MET, MISSED, NO_DATA, build_trends, daily_frame
from metrics.trends.rollups import DailyRollup, histogram_quantile, local_day

FUZZ = settings(max_examples=200, deadline=None)
counts = (
    st.none()
    | st.sampled_from([0.0, -0.0, -1.0, 1e-300])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(-(10**12), 10**12).map(float)
)
targets = st.floats(min_value=0.0, max_value=0.99999, allow_nan=False)
bucket_counts = st.floats(allow_nan=True, allow_infinity=False) | st.integers(-100, 10**9).map(float)
histograms = st.none() | st.dictionaries(
    st.floats(min_value=-1.0, max_value=1e4, allow_nan=False).map(repr) | st.just("+Inf"), bucket_counts, max_size=6
)


def finite_or_none(value) -> bool:
    return value is None or (isinstance(value, float) and math.isfinite(value))


@FUZZ
@given(counts, counts, targets, st.sampled_from([82800, 86400, 90000]), st.sampled_from([7, 28, 30, 90]), histograms)
@example(0.0, 0.0, 0.999, 86400, 30, None)  # a quiet day: no data, not 100%
@example(100.0, -5.0, 0.999, 86400, 30, None)  # bad counter reset during the day
@example(100.0, 250.0, 0.999, 86400, 30, None)  # bad ran ahead of total
@example(-100.0, 5.0, 0.999, 86400, 30, None)  # total counter reset
@example(100.0, 1.0, 0.0, 86400, 30, {"0.1": -3.0, "+Inf": 5.0})  # a bucket that dipped below zero
def test_a_daily_rollup_of_any_counts_is_in_range_or_no_data(total, bad, target, day_seconds, period_days, buckets):
    rollup = DailyRollup(date(2026, 11, 23), "s", "svc", target, period_days * 86400, day_seconds, total, bad, buckets)
    row = rollup.as_row()
    for name in ("error_ratio", "sli"):
        assert finite_or_none(row[name]) and (row[name] is None or 0.0 <= row[name] <= 1.0), name
    assert finite_or_none(row["budget_consumed"]) and (row["budget_consumed"] is None or row["budget_consumed"] >= 0)
    assert row["met_objective"] in (None, True, False)
    assert (row["sli"] is None) == (row["met_objective"] is None)
    for name in ("latency_p50", "latency_p95", "latency_p99"):
        assert finite_or_none(row[name]), (name, row[name])


@FUZZ
@given(st.floats(min_value=0.0, max_value=1.0), histograms)
@example(0.99, {"0.25": float("nan"), "+Inf": 10.0})
@example(0.5, {"+Inf": 0.0, "1.0": 0.0})
def test_histogram_quantile_of_any_buckets_is_a_number_or_none(quantile, buckets):
    assert finite_or_none(histogram_quantile(quantile, buckets))


@settings(max_examples=60, deadline=None)  # each example builds a whole trends view
@given(
    st.lists(st.tuples(st.integers(0, 20), counts, counts, targets), min_size=1, max_size=25),
    st.sampled_from(["week", "month"]),
)
def test_trends_of_any_daily_counts_have_valid_statuses_and_serialise_without_nan(days, grain):
    first = date(2026, 9, 1)
    rows = [
        DailyRollup(
            first + timedelta(days=offset),
            f"slo-{offset % 3}",
            f"svc-{offset % 2}",
            target,
            30 * 86400,
            local_day(first + timedelta(days=offset), "Europe/Berlin").seconds,
            total,
            bad,
        ).as_row()
        for offset, total, bad, target in days
    ]
    unique = {(row["day"], row["slo"]): row for row in rows}  # the store keeps one row per (day, SLO)
    view = build_trends(
        daily_frame(list(unique.values())), grain, first, first + timedelta(days=20), ["svc-0", "svc-1"]
    )
    assert set(view.per_slo["status"]) <= {MET, MISSED, NO_DATA}
    for record in view.to_dict()["slos_by_period"]:
        if record["status"] == NO_DATA:
            assert record["sli"] is None and record["budget_consumed"] is None
        else:
            assert 0.0 <= record["sli"] <= 1.0 and record["budget_consumed"] >= 0.0
    json.dumps(view.to_dict(), allow_nan=False)  # raises on NaN or infinity
