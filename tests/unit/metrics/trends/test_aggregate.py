"""Weekly and monthly aggregation, compliance and regression ranking (metrics.trends.aggregate), on constructed rows."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from metrics.trends.aggregate import (
    EARLIEST_DAY,
    MAX_RANGE_DAYS,
    MISSED,
    NO_DATA,
    complete_periods,
    compliance_matrix,
    daily_frame,
    earliest_first,
    fleet_periods,
    parse_iso_week,
    period_bounds,
    period_label,
    periods_between,
    rank_changes,
    service_periods,
    slo_periods,
)
from metrics.trends.rollups import DailyRollup, local_day

BERLIN = "Europe/Berlin"
MONTH = 30 * 86400


def row(
    day: date,
    total: float | None,
    bad: float | None,
    slo: str = "api-availability",
    service: str = "api",
    target: float = 0.999,
    buckets: dict | None = None,
    time_zone: str = "UTC",
) -> dict:
    return DailyRollup(
        day, slo, service, target, MONTH, local_day(day, time_zone).seconds, total, bad, buckets
    ).as_row()


def week_of(rows, grain="week"):
    return slo_periods(daily_frame(rows), grain)


# --- calendar ------------------------------------------------------------------------------------------------------


def test_sunday_belongs_to_the_week_that_started_on_monday():
    assert period_label(date(2026, 11, 29), "week") == period_label(date(2026, 11, 23), "week") == "2026-W48"


def test_monday_starts_a_new_iso_week():
    assert period_label(date(2026, 11, 30), "week") == "2026-W49"


def test_early_january_can_belong_to_the_previous_iso_year():
    assert period_label(date(2027, 1, 1), "week") == "2026-W53"


def test_iso_week_bounds_are_monday_to_sunday():
    assert parse_iso_week("2026-W47") == (date(2026, 11, 16), date(2026, 11, 22))


@pytest.mark.parametrize("text", ["2026-W54", "2025-W53", "2026-47", "W47", "2026-W7", "9999-W52", "0000-W01"])
def test_invalid_iso_weeks_are_refused_with_a_reason(text):
    with pytest.raises(ValueError, match="ISO week"):
        parse_iso_week(text)


def test_labels_of_early_years_have_four_digits_and_read_back():
    assert period_label(date(1, 1, 1), "week") == "0001-W01"
    assert period_bounds(period_label(date(1, 1, 1), "month"), "month") == (date(1, 1, 1), date(1, 1, 31))


def test_the_earliest_first_day_keeps_a_range_within_its_maximum():
    last = date(2026, 11, 30)
    assert (last - earliest_first(last)).days + 1 == MAX_RANGE_DAYS


def test_a_range_never_starts_before_the_epoch():
    assert earliest_first(date(1971, 6, 1)) == EARLIEST_DAY
    assert earliest_first(date(1, 1, 1)) == EARLIEST_DAY


def test_month_bounds_cover_the_calendar_month():
    assert period_bounds("2026-02", "month") == (date(2026, 2, 1), date(2026, 2, 28))


def test_periods_between_lists_every_touched_week():
    assert periods_between(date(2026, 11, 20), date(2026, 12, 1), "week") == ["2026-W47", "2026-W48", "2026-W49"]


def test_a_week_across_the_fall_back_change_lasts_7_days_and_1_hour():
    # Mon 19 Oct .. Sun 25 Oct 2026 in Berlin: the Sunday has 25 hours.
    monday = date(2026, 10, 19)
    rows = [row(monday + timedelta(days=i), 1000, 0, time_zone=BERLIN) for i in range(7)]
    week = week_of(rows).iloc[0]
    assert (week["period"], week["days"], week["seconds"]) == ("2026-W43", 7, 7 * 86400 + 3600)


def test_a_week_across_the_spring_forward_change_lasts_7_days_less_1_hour():
    monday = date(2026, 3, 23)
    rows = [row(monday + timedelta(days=i), 1000, 0, time_zone=BERLIN) for i in range(7)]
    assert week_of(rows).iloc[0]["seconds"] == 7 * 86400 - 3600


# --- aggregation ---------------------------------------------------------------------------------------------------


def test_weekly_error_ratio_weights_days_by_their_events():
    monday = date(2026, 11, 16)
    rows = [row(monday, 1_000_000, 1_000), row(monday + timedelta(days=1), 1_000, 500)]
    week = week_of(rows).iloc[0]
    assert week["error_ratio"] == pytest.approx(1_500 / 1_001_000)  # not the mean of 0.1% and 50%


def test_a_week_without_events_is_no_data_not_a_perfect_week():
    week = week_of([row(date(2026, 11, 16), 0, 0)]).iloc[0]
    assert week["status"] == NO_DATA and np.isnan(week["sli"])


def test_days_without_series_do_not_count_as_covered():
    monday = date(2026, 11, 16)
    week = week_of([row(monday, 100, 0), row(monday + timedelta(days=1), None, None)]).iloc[0]
    assert (week["days"], week["days_in_period"], week["total"]) == (1, 7, 100)


def test_weekly_budget_consumed_scales_with_the_week_length():
    monday = date(2026, 11, 16)
    rows = [row(monday + timedelta(days=i), 1000, 1) for i in range(7)]  # exactly at the objective
    assert week_of(rows).iloc[0]["budget_consumed"] == pytest.approx(7 / 30)


def test_weekly_latency_comes_from_summed_buckets():
    monday = date(2026, 11, 16)
    fast = {"0.1": 100.0, "1": 100.0, "+Inf": 100.0}
    slow = {"0.1": 0.0, "1": 100.0, "+Inf": 100.0}
    week = week_of([row(monday, 100, 0, buckets=fast), row(monday + timedelta(days=1), 100, 0, buckets=slow)]).iloc[0]
    assert week["latency_p50"] == pytest.approx(0.1)  # rank 100 of 200: the last fast request


def test_monthly_grain_groups_calendar_months():
    rows = [row(date(2026, 10, 31), 100, 0), row(date(2026, 11, 1), 100, 0)]
    assert list(week_of(rows, "month")["period"]) == ["2026-10", "2026-11"]


# --- services, fleet, compliance -----------------------------------------------------------------------------------


def two_slo_week(bad_latency: float) -> list[dict]:
    monday = date(2026, 11, 16)
    return [
        row(monday, 1000, 0, slo="api-availability"),
        row(monday, 1000, bad_latency, slo="api-latency", target=0.99),
    ]


def test_a_service_misses_when_any_of_its_slos_misses():
    per_service = service_periods(week_of(two_slo_week(bad_latency=50)))
    assert per_service.iloc[0]["status"] == MISSED
    assert per_service.iloc[0]["worst_slo"] == "api-latency"


def test_service_volume_is_the_busiest_slo_not_the_sum():
    assert service_periods(week_of(two_slo_week(bad_latency=0))).iloc[0]["volume"] == 1000


def test_service_volume_leaves_out_an_slo_counting_slices():
    monday = date(2026, 11, 16)
    slices = {**row(monday, 2016, 3, slo="api-good-minutes"), "counted": "slices"}
    rows = [row(monday, 1000, 0), slices]
    assert service_periods(week_of(rows)).iloc[0]["volume"] == 1000
    only_slices = service_periods(week_of([slices])).iloc[0]
    assert only_slices["volume"] != only_slices["volume"] and only_slices["slos_with_data"] == 1  # NaN: no requests


def test_a_slice_slo_keeps_its_unit_through_the_weeks():
    slices = {**row(date(2026, 11, 16), 288, 3, slo="api-good-minutes"), "counted": "slices"}
    assert week_of([slices]).iloc[0]["counted"] == "slices"


def test_fleet_compliance_counts_only_slos_with_data():
    monday = date(2026, 11, 16)
    rows = [row(monday, 1000, 0, slo="a"), row(monday, 1000, 50, slo="b"), row(monday, 0, 0, slo="c")]
    fleet = fleet_periods(week_of(rows)).iloc[0]
    assert (fleet["slos_with_data"], fleet["slos_met"], fleet["compliance"]) == (2, 1, 0.5)


def test_compliance_matrix_fills_weeks_without_rows_with_no_data():
    per_service = service_periods(week_of(two_slo_week(bad_latency=0)))
    matrix = compliance_matrix(per_service, ["2026-W47", "2026-W48"], ["api", "web"])
    assert matrix.loc["api"].tolist() == ["met", NO_DATA]
    assert matrix.loc["web"].tolist() == [NO_DATA, NO_DATA]


def test_only_fully_covered_periods_count_as_complete():
    monday = date(2026, 11, 16)
    rows = [row(monday + timedelta(days=i), 100, 0) for i in range(7)] + [row(date(2026, 11, 23), 100, 0)]
    assert complete_periods(week_of(rows)) == ["2026-W47"]


# --- regressions and improvements ----------------------------------------------------------------------------------


def weeks(changes: dict[str, tuple[float, float]], target: float = 0.999) -> list[dict]:
    """Two weeks per SLO with the given bad events per 1000 requests in each."""
    rows = []
    for slo, (before, after) in changes.items():
        rows.append(row(date(2026, 11, 16), 1000, before, slo=slo, service=slo, target=target))
        rows.append(row(date(2026, 11, 23), 1000, after, slo=slo, service=slo, target=target))
    return rows


def test_regressions_come_first_largest_first():
    ranked = rank_changes(
        week_of(weeks({"small": (0.1, 0.3), "large": (0.1, 0.9), "better": (0.9, 0.1)})), "2026-W48", "2026-W47"
    )
    assert ranked["slo"].tolist() == ["large", "small", "better"]
    assert ranked["direction"].tolist() == ["regression", "regression", "improvement"]


def test_a_newly_missed_objective_ranks_above_a_larger_change_within_target():
    frame = week_of(weeks({"within": (0.0, 0.9), "crossed": (0.9, 1.1)}))
    assert rank_changes(frame, "2026-W48", "2026-W47")["slo"].tolist() == ["crossed", "within"]


def test_changes_below_the_threshold_are_unchanged():
    ranked = rank_changes(week_of(weeks({"flat": (0.5, 0.52)})), "2026-W48", "2026-W47")
    assert ranked["direction"].tolist() == ["unchanged"]


def test_burn_rates_put_different_targets_on_one_scale():
    rows = weeks({"strict": (0.0, 0.5)}, target=0.999) + weeks({"loose": (0.0, 5.0)}, target=0.99)
    ranked = rank_changes(week_of(rows), "2026-W48", "2026-W47")
    assert ranked["change"].tolist() == pytest.approx([0.5, 0.5])


def test_slos_without_data_in_either_period_are_not_ranked():
    rows = weeks({"quiet": (0.0, 0.0)})
    rows[0]["total"] = 0
    assert rank_changes(week_of(rows), "2026-W48", "2026-W47").empty
