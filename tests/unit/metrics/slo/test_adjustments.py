"""Budget adjustments, pure: expanding windows and recurrences into merged intervals, coverage, validation, and the
counts left once the excluded events are taken out."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.slo.adjustments import (
    MAX_OCCURRENCES,
    Adjustment,
    AdjustmentCategory,
    AdjustmentError,
    Interval,
    LabelMatch,
    Scope,
    adjusted_counts,
    clip,
    exclusions,
    expand,
    merge,
    parse_label_selector,
    validate,
)
from metrics.slo.definitions import EventCounts, RatioIndicator, SloDefinition, TimeWindow

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


def slo(name="checkout-availability", service="checkout", labels=None):
    return SloDefinition(
        name=name,
        service=service,
        target=0.999,
        time_window=TimeWindow("30d"),
        indicator=RatioIndicator(total_query="t_total", bad_query="b_total"),
        labels=labels or {},
    )


def adjustment(start, end, recurrence=None, scope=Scope(slos=("checkout-availability",)), removed=False, id=1):
    return Adjustment(
        category=AdjustmentCategory.MAINTENANCE,
        reason="db upgrade",
        start=start,
        end=end,
        scope=scope,
        entered_by="kim",
        entered_at=NOW,
        recurrence=recurrence,
        id=id,
        removed_at=NOW if removed else None,
        removed_by="kim" if removed else None,
    )


# --- expansion ---------------------------------------------------------------------------------------------------


def test_a_one_off_window_inside_the_range_is_one_interval():
    start = NOW - 5 * H
    got = expand([adjustment(start, start + 2 * H)], NOW - 24 * H, NOW)
    assert got.intervals == (Interval(start, start + 2 * H),)


def test_a_window_reaching_outside_the_range_is_clipped_to_it():
    got = expand([adjustment(NOW - 3 * H, NOW + 3 * H)], NOW - 24 * H, NOW)
    assert got.intervals == (Interval(NOW - 3 * H, NOW),)


def test_a_window_outside_the_range_yields_nothing():
    assert expand([adjustment(NOW + H, NOW + 2 * H)], NOW - 24 * H, NOW).intervals == ()


def test_a_removed_adjustment_excludes_nothing():
    assert expand([adjustment(NOW - 3 * H, NOW - H, removed=True)], NOW - 24 * H, NOW).intervals == ()


def test_a_daily_recurrence_yields_one_window_per_day_each_as_long_as_the_first():
    first = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    got = expand([adjustment(first, first + 30 * timedelta(minutes=1), "FREQ=DAILY")], first, first + 3 * 24 * H)
    assert got.intervals == tuple(
        Interval(first + day * 24 * H, first + day * 24 * H + timedelta(minutes=30)) for day in range(3)
    )


def test_a_recurrence_accepts_the_rrule_prefix_and_stops_at_its_count():
    first = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    got = expand([adjustment(first, first + H, "RRULE:FREQ=DAILY;COUNT=2")], first, first + 10 * 24 * H)
    assert [i.start for i in got.intervals] == [first, first + 24 * H]


def test_an_occurrence_begun_before_the_range_still_counts_its_part_inside():
    first = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    got = expand([adjustment(first, first + 2 * H, "FREQ=DAILY")], datetime(2026, 12, 1, tzinfo=UTC), NOW)
    assert got.intervals[0] == Interval(datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 1, 1, tzinfo=UTC))


def test_a_minutely_rule_is_cut_at_the_occurrence_cap_and_says_so():
    first = NOW - 29 * 24 * H
    got = expand([adjustment(first, first + timedelta(seconds=10), "FREQ=MINUTELY", id=7)], first, NOW)
    assert len(got.intervals) == MAX_OCCURRENCES
    assert got.truncated == (7,)


def test_overlapping_windows_of_two_adjustments_merge_into_one():
    a = adjustment(NOW - 5 * H, NOW - 3 * H)
    b = adjustment(NOW - 4 * H, NOW - 2 * H, id=2)
    assert expand([a, b], NOW - 24 * H, NOW).intervals == (Interval(NOW - 5 * H, NOW - 2 * H),)


def test_an_hourly_rule_lasting_two_hours_merges_into_one_long_window():
    first = NOW - 10 * H
    got = expand([adjustment(first, first + 2 * H, "FREQ=HOURLY;COUNT=3")], NOW - 24 * H, NOW)
    assert got.intervals == (Interval(first, first + 4 * H),)


moments = st.integers(min_value=0, max_value=10_000).map(lambda m: NOW + timedelta(minutes=m))
intervals = st.lists(
    st.tuples(moments, st.integers(min_value=0, max_value=600)).map(
        lambda pair: Interval(pair[0], pair[0] + timedelta(minutes=pair[1]))
    ),
    max_size=30,
)


def _covered_minutes(items):
    return {item.start + timedelta(minutes=m) for item in items for m in range(int(item.length.total_seconds() // 60))}


@given(intervals)
def test_merged_intervals_are_sorted_disjoint_and_cover_the_same_minutes(items):
    merged = merge(items)
    assert all(a.end < b.start for a, b in zip(merged, merged[1:]))
    assert all(i.end > i.start for i in merged)
    assert _covered_minutes(merged) == _covered_minutes(items)


@given(intervals, moments, st.integers(min_value=0, max_value=5000))
def test_clipped_intervals_lie_within_the_range(items, start, minutes):
    end = start + timedelta(minutes=minutes)
    for item in clip(merge(items), start, end):
        assert start <= item.start < item.end <= end


# --- coverage ----------------------------------------------------------------------------------------------------


def test_an_adjustment_by_name_covers_only_that_slo():
    scope = Scope(slos=("checkout-availability",))
    assert scope.covers(slo())
    assert not scope.covers(slo(name="checkout-latency"))


def test_an_adjustment_by_service_covers_every_slo_of_the_service():
    scope = Scope(services=("checkout",))
    assert scope.covers(slo(name="checkout-latency"))
    assert not scope.covers(slo(name="search-availability", service="search"))


def test_a_label_selector_needs_every_match_to_hold():
    scope = Scope(selector=parse_label_selector("team=payments, tier!=batch"))
    assert scope.covers(slo(labels={"team": ("payments", "core"), "tier": ("1",)}))
    assert not scope.covers(slo(labels={"team": ("payments",), "tier": ("batch",)}))
    assert not scope.covers(slo(labels={"team": ("search",)}))


def test_a_label_selector_without_a_value_is_refused_naming_the_field():
    with pytest.raises(AdjustmentError, match="selector"):
        parse_label_selector("team=")


def test_label_selector_text_reads_back_as_written():
    assert parse_label_selector('team="payments",tier!=batch') == (
        LabelMatch("team", "payments"),
        LabelMatch("tier", "batch", negated=True),
    )


def test_exclusions_list_only_windows_that_hold_part_of_an_adjustment():
    windows = {"1h": H, "6h": 6 * H, "period": 30 * 24 * H}
    got = exclusions([adjustment(NOW - 5 * H, NOW - 3 * H)], slo(), windows, NOW)
    assert set(got) == {"6h", "period"}
    assert got["6h"].intervals == (Interval(NOW - 5 * H, NOW - 3 * H),)


def test_exclusions_are_empty_for_an_slo_no_adjustment_covers():
    got = exclusions([adjustment(NOW - 5 * H, NOW - 3 * H)], slo(name="other"), {"6h": 6 * H}, NOW)
    assert got == {}


# --- counts ------------------------------------------------------------------------------------------------------


def test_adjusted_counts_are_the_raw_counts_minus_the_excluded():
    assert adjusted_counts(EventCounts(1000, 40), EventCounts(300, 30)) == EventCounts(700, 10)


def test_adjusted_counts_never_go_below_zero():
    assert adjusted_counts(EventCounts(100, 5), EventCounts(101, 6)) == EventCounts(0, 0)


def test_adjusted_counts_without_an_exclusion_are_the_raw_counts():
    assert adjusted_counts(EventCounts(100, 5), None) == EventCounts(100, 5)


# --- validation --------------------------------------------------------------------------------------------------


def _validate(**overrides):
    fields = {
        "category": "maintenance",
        "reason": "db upgrade",
        "start": NOW - 5 * H,
        "end": NOW - 3 * H,
        "scope": Scope(slos=("checkout-availability",)),
        "now": NOW,
    }
    return validate(**{**fields, **overrides})


def test_a_valid_adjustment_comes_back_in_utc():
    category, reason, start, end, recurrence = _validate(category="load test")
    assert (category, reason, start, end, recurrence) == (
        AdjustmentCategory.LOAD_TEST,
        "db upgrade",
        NOW - 5 * H,
        NOW - 3 * H,
        None,
    )


def test_a_duration_gives_the_end():
    assert _validate(end=None, duration=2 * H)[3] == NOW - 3 * H


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end": NOW - 6 * H}, "end"),
        ({"end": NOW - 5 * H}, "end"),
        ({"start": NOW - timedelta(days=31), "end": NOW - timedelta(days=30, hours=22)}, "start"),
        ({"recurrence": "FREQ=FORTNIGHTLY"}, "recurrence"),
        ({"recurrence": "DTSTART:20261201T000000Z\nRRULE:FREQ=DAILY"}, "recurrence"),
        ({"category": "holiday"}, "category"),
        ({"reason": "  "}, "reason"),
        ({"scope": Scope()}, "slos"),
        ({"end": None}, "end"),
    ],
)
def test_a_bad_field_is_refused_with_its_name(overrides, field):
    with pytest.raises(AdjustmentError) as refused:
        _validate(**overrides)
    assert refused.value.field == field
    assert str(refused.value).startswith(f"{field}: ")


# An adjustment entered long ago, every Saturday 02:00-04:00 since 2026-10-03 (more than 30 days before NOW).
OLD_START = datetime(2026, 10, 3, 2, 0, tzinfo=UTC)
WEEKLY = adjustment(OLD_START, OLD_START + 2 * H, recurrence="FREQ=WEEKLY")


def _change_old(**overrides):
    fields = {"start": OLD_START, "end": OLD_START + 2 * H, "recurrence": "FREQ=WEEKLY", "stored": WEEKLY}
    return _validate(**{**fields, **overrides})


def test_an_adjustment_begun_more_than_30_days_ago_can_have_its_reason_and_category_changed():
    category, reason, start, *_ = _change_old(reason="firmware upgrades", category="deploy")
    assert (category, reason, start) == (AdjustmentCategory.DEPLOY, "firmware upgrades", OLD_START)


def test_an_old_recurrence_can_be_ended_from_the_recent_past_on():
    assert _change_old(recurrence="FREQ=WEEKLY;UNTIL=20261201T000000Z")[4] == "FREQ=WEEKLY;UNTIL=20261201T000000Z"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end": OLD_START + 3 * H}, "end"),
        ({"recurrence": "FREQ=WEEKLY;UNTIL=20261020T000000Z"}, "recurrence"),
        ({"recurrence": None}, "recurrence"),
        ({"scope": Scope(services=("checkout",))}, "slos"),
        ({"start": OLD_START + H, "end": OLD_START + 3 * H}, "start"),
    ],
)
def test_an_old_adjustment_keeps_what_it_took_out_more_than_30_days_ago(overrides, field):
    with pytest.raises(AdjustmentError) as refused:
        _change_old(**overrides)
    assert refused.value.field == field


def test_an_unknown_slo_is_refused_when_the_catalog_is_given():
    with pytest.raises(AdjustmentError, match="unknown SLO"):
        _validate(scope=Scope(slos=("nope",)), known_slos=["checkout-availability"])


def test_a_recurrence_with_a_naive_until_is_refused_as_a_recurrence_error():
    with pytest.raises(AdjustmentError, match="^recurrence: "):
        _validate(recurrence="FREQ=DAILY;UNTIL=20261210T000000")


# --- buckets -----------------------------------------------------------------------------------------------------


def _buckets(*ends):
    import pandas as pd

    return pd.DataFrame(
        {"time": pd.to_datetime(list(ends), utc=True), "total": [600.0] * len(ends), "bad": [60.0] * len(ends)}
    )


def test_a_bucket_wholly_inside_an_adjustment_drops_to_no_events():
    from metrics.slo.adjustments import adjust_buckets

    got = adjust_buckets(_buckets(NOW), H, [Interval(NOW - 2 * H, NOW)])
    assert (got["total"].tolist(), got["bad"].tolist()) == ([0.0], [0.0])


def test_a_bucket_half_covered_keeps_half_its_events():
    from metrics.slo.adjustments import adjust_buckets

    got = adjust_buckets(_buckets(NOW), H, [Interval(NOW - timedelta(minutes=30), NOW + H)])
    assert (got["total"].tolist(), got["bad"].tolist()) == ([300.0], [30.0])


def test_a_bucket_outside_every_adjustment_keeps_its_events():
    from metrics.slo.adjustments import adjust_buckets

    got = adjust_buckets(_buckets(NOW - 3 * H), H, [Interval(NOW - 2 * H, NOW)])
    assert (got["total"].tolist(), got["bad"].tolist()) == ([600.0], [60.0])


# --- annotations -------------------------------------------------------------------------------------------------


def test_a_recurring_adjustment_is_one_band_per_occurrence_with_who_entered_it():
    from metrics.slo.annotations import AnnotationKind, adjustment_annotations

    first = NOW - 3 * 24 * H
    marks = adjustment_annotations([adjustment(first, first + H, "FREQ=DAILY")], slo(), NOW - 4 * 24 * H, NOW)
    assert [(m.kind, m.start, m.end, m.who) for m in marks] == [
        (AnnotationKind.ADJUSTMENT, first + day * 24 * H, first + day * 24 * H + H, "kim") for day in range(3)
    ]
    assert marks[0].title == "budget adjustment (maintenance): db upgrade"


def test_an_slo_no_adjustment_covers_gets_no_band():
    from metrics.slo.annotations import adjustment_annotations

    assert adjustment_annotations([adjustment(NOW - 2 * H, NOW)], slo(name="other"), NOW - 24 * H, NOW) == []
