"""Property-based checks of the SLO math: any counts, including zero, negative (counter resets) and huge ones,
give a number or "no data" — never an exception, never NaN."""

import math
from datetime import UTC, datetime, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from metrics.slo.alerts import alert_state, evaluate_tiers
from metrics.slo.budget import budget_remaining, burn_rate, error_ratio, time_to_exhaustion
from metrics.slo.definitions import BURN_WINDOWS, EventCounts, RatioIndicator, SloDefinition, TimeWindow
from metrics.slo.report import PERIOD_KEY, build_status

counts_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.integers(min_value=-(10**15), max_value=10**15).map(float),
)
event_counts = st.builds(EventCounts, total=counts_values, bad=counts_values)
targets = st.floats(min_value=0.0, max_value=0.999999, allow_nan=False)


def is_number_or_none(value):
    return value is None or (isinstance(value, float) and math.isfinite(value))


# The cases a counter reset produces, named so they are always run: no events, a negative increase of either
# counter, bad above total, and both zero after a reset.
RESET_CASES = [
    EventCounts(0.0, 0.0),
    EventCounts(100.0, -5.0),
    EventCounts(-100.0, 5.0),
    EventCounts(100.0, 250.0),
    EventCounts(-1.0, -1.0),
    EventCounts(0.0, 3.0),
]


@given(event_counts)
@example(RESET_CASES[0])
@example(RESET_CASES[1])
@example(RESET_CASES[2])
@example(RESET_CASES[3])
@example(RESET_CASES[4])
@example(RESET_CASES[5])
def test_error_ratio_is_none_or_within_zero_and_one(counts):
    ratio = error_ratio(counts)
    assert ratio is None or 0.0 <= ratio <= 1.0


@given(event_counts, targets)
@example(RESET_CASES[0], 0.999)
@example(RESET_CASES[1], 0.999)
@example(RESET_CASES[3], 0.0)
def test_burn_rate_and_budget_are_numbers_or_no_data(counts, target):
    assert is_number_or_none(burn_rate(counts, target))
    assert is_number_or_none(budget_remaining(counts, target))


@given(
    st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6)),
    st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6)),
)
def test_time_to_exhaustion_never_raises(remaining, rate):
    result = time_to_exhaustion(remaining, timedelta(days=30), rate)
    assert result is None or result >= timedelta(0)


@given(st.dictionaries(st.sampled_from([*BURN_WINDOWS, PERIOD_KEY]), st.one_of(st.none(), event_counts)), targets)
def test_a_status_builds_from_any_counts(counts, target):
    slo = SloDefinition("s", "svc", target, TimeWindow("30d"), RatioIndicator(total_query="t", bad_query="b"))
    status = build_status(slo, datetime(2026, 11, 1, tzinfo=UTC), counts)
    assert status.alert_state in ("page", "ticket", "ok", "no data")
    assert all(is_number_or_none(rate) for rate in status.burn_rates.values())
    assert is_number_or_none(status.budget_remaining)


@given(st.dictionaries(st.sampled_from(BURN_WINDOWS), st.one_of(st.none(), st.floats(allow_nan=False))))
def test_alert_state_is_always_one_of_the_four(burn_rates):
    assert alert_state(evaluate_tiers(burn_rates, timedelta(days=28))) in ("page", "ticket", "ok", "no data")


def test_no_events_is_no_data_not_a_perfect_window():
    assert (error_ratio(EventCounts(0.0, 0.0)), burn_rate(EventCounts(0.0, 0.0), 0.999)) == (None, None)


def test_a_negative_bad_increase_after_a_reset_counts_as_no_bad_events():
    assert error_ratio(EventCounts(100.0, -5.0)) == 0.0


def test_bad_events_above_total_are_capped_at_every_event_bad():
    assert error_ratio(EventCounts(100.0, 250.0)) == 1.0


def test_a_negative_total_after_a_reset_is_no_data():
    assert error_ratio(EventCounts(-100.0, 5.0)) is None
