"""Timeslices, RatioTimeslices and thresholdMetric SLOs on a real Prometheus, backfilled with samples this test
writes: a request counter with a good/bad pattern per minute and a quiet hour, and a lag gauge. The expected slices,
SLI and budget are counted here from those samples, minute by minute, without the app's code."""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, date, datetime, timedelta

import pytest

from data.slo.prometheus import PrometheusSettings, PrometheusSource
from data.slo.service import load_report
from data.trends.rollups import compute_daily_rollups
from metrics.slo.adjustments import Adjustment, AdjustmentCategory, Interval, Scope
from metrics.slo.definitions import (
    BudgetingMethod,
    Op,
    RatioIndicator,
    RawRatioIndicator,
    RawType,
    SloDefinition,
    ThresholdIndicator,
    TimeSlices,
    TimeWindow,
)
from tests.support.servers import make_backfilled_prometheus

pytestmark = pytest.mark.integration

MINUTES = 2 * 24 * 60
END = datetime(2026, 11, 2, tzinfo=UTC)  # the last sample; on a day boundary, so every slice length lines up
START = END - timedelta(minutes=MINUTES)
AT = END + timedelta(seconds=30)  # the report's instant: half a minute into a slice not yet over
QUIET = range(
    MINUTES - 299, MINUTES - 239
)  # an hour without requests (twelve whole 5-minute slices), 4 h before the end


def requests_in(minute: int) -> int:
    return 0 if minute in QUIET else 10 + minute % 7


def good_in(minute: int) -> int:
    """Every 13th minute loses half its requests; a minute in every 50 loses one request."""
    total = requests_in(minute)
    if minute % 13 == 0:
        return total // 2
    return total - 1 if minute % 50 == 0 else total


def lag_at(minute: int) -> float:
    """The gauge's value at the end of a minute: 12 s every 9th minute, else about 2 s."""
    return 12.0 if minute % 9 == 0 else 2.0 + (minute % 3) * 0.5


def success_at(minute: int) -> float:
    """A precomputed success ratio at the end of a minute: 0.9 every 11th minute, 1.0 otherwise, and 1.25 (a bad
    recording rule, clamped to 1) every 17th."""
    if minute % 11 == 0:
        return 0.9
    return 1.25 if minute % 17 == 0 else 1.0


def write_history(path) -> None:
    """Minute ``m`` (1-based) is the minute ending at sample ``m``; sample 0 opens the counters at zero."""
    lines = ["# TYPE requests counter"]
    total = good = 0
    totals, goods = [], []
    for minute in range(MINUTES + 1):
        if minute:
            total += requests_in(minute)
            good += good_in(minute)
        totals.append(total)
        goods.append(good)
    stamp = int(START.timestamp())
    lines += [f'requests_total{{outcome="all"}} {value} {stamp + 60 * m}' for m, value in enumerate(totals)]
    lines += [f'requests_total{{outcome="good"}} {value} {stamp + 60 * m}' for m, value in enumerate(goods)]
    lines.append("# TYPE queue_lag_seconds gauge")
    lines += [f"queue_lag_seconds {lag_at(m)} {stamp + 60 * m}" for m in range(MINUTES + 1)]
    lines.append("# TYPE success_ratio gauge")
    lines += [f"success_ratio {success_at(m)} {stamp + 60 * m}" for m in range(MINUTES + 1)]
    lines.append("# TYPE failure_ratio gauge")
    lines += [f"failure_ratio {1 - success_at(m)} {stamp + 60 * m}" for m in range(MINUTES + 1)]
    path.write_text("\n".join(lines) + "\n# EOF\n")


@pytest.fixture(scope="module")
def prometheus():
    key = "timeslices-" + hashlib.sha256(open(__file__, "rb").read()).hexdigest()[:12]
    with make_backfilled_prometheus(write_history, key) as server:
        yield server


RATIO = RatioIndicator(total_query='requests_total{outcome="all"}', good_query='requests_total{outcome="good"}')
LAG = ThresholdIndicator(query="max(queue_lag_seconds)", op=Op.LTE, threshold=10.0)
DAY = TimeWindow(duration="1d", is_rolling=True)


def slo(name: str, method: BudgetingMethod, indicator=RATIO, slices: TimeSlices | None = None) -> SloDefinition:
    return SloDefinition(
        name=name,
        service="queue",
        target=0.9,
        time_window=DAY,
        indicator=indicator,
        budgeting_method=method,
        time_slices=slices,
    )


def minute_slices(length: int, window_minutes: int) -> list[list[int]]:
    """The minutes of each whole slice of ``length`` minutes in the last ``window_minutes`` before AT."""
    last = MINUTES  # AT is inside minute MINUTES + 1, so the last whole slice ends with minute MINUTES
    count = window_minutes // length
    return [list(range(end - length + 1, end + 1)) for end in range(last - length * (count - 1), last + 1, length)]


def expected_ratio_slices(length: int, window_minutes: int) -> list[float]:
    ratios = []
    for minutes in minute_slices(length, window_minutes):
        total = sum(requests_in(m) for m in minutes)
        if total:
            ratios.append(sum(good_in(m) for m in minutes) / total)
    return ratios


def test_timeslices_count_good_slices_among_the_slices_with_traffic(prometheus):
    definition = slo("slices", BudgetingMethod.TIMESLICES, slices=TimeSlices("5m", 0.95))

    status = load_report(PrometheusSource(PrometheusSettings(url=prometheus.url)), [definition], AT).status("slices")

    ratios = expected_ratio_slices(5, 24 * 60)
    good = sum(1 for ratio in ratios if ratio >= 0.95)
    assert status.error is None
    assert (status.counts["period"].total, status.counts["period"].bad) == (len(ratios), len(ratios) - good)
    assert status.sli == pytest.approx(good / len(ratios))
    assert status.budget_remaining == pytest.approx(1 - ((len(ratios) - good) / len(ratios)) / 0.1)


def test_a_quiet_slice_counts_neither_as_good_nor_as_bad(prometheus):
    definition = slo("slices", BudgetingMethod.TIMESLICES, slices=TimeSlices("5m", 0.95))

    status = load_report(PrometheusSource(PrometheusSettings(url=prometheus.url)), [definition], AT).status("slices")

    assert status.counts["period"].total == 24 * 12 - 12  # the quiet hour's twelve slices are not slices


def test_timeslices_burn_rate_is_the_bad_slice_share_over_the_budget(prometheus):
    definition = slo("slices", BudgetingMethod.TIMESLICES, slices=TimeSlices("1m", 0.95))

    status = load_report(PrometheusSource(PrometheusSettings(url=prometheus.url)), [definition], AT).status("slices")

    for window, minutes in (("5m", 5), ("1h", 60), ("6h", 360)):
        ratios = expected_ratio_slices(1, minutes)
        bad = sum(1 for ratio in ratios if ratio < 0.95)
        assert status.burn_rates[window] == pytest.approx(bad / len(ratios) / 0.1), window


def test_ratio_timeslices_sli_is_the_average_of_the_slices_ratios(prometheus):
    definition = slo("ratios", BudgetingMethod.RATIO_TIMESLICES, slices=TimeSlices("5m"))

    status = load_report(PrometheusSource(PrometheusSettings(url=prometheus.url)), [definition], AT).status("ratios")

    ratios = expected_ratio_slices(5, 24 * 60)
    assert status.sli == pytest.approx(math.fsum(ratios) / len(ratios))
    assert status.budget_remaining == pytest.approx(1 - (1 - math.fsum(ratios) / len(ratios)) / 0.1)


def test_threshold_occurrences_sli_is_the_share_of_points_that_meet_it(prometheus):
    definition = slo("lag", BudgetingMethod.OCCURRENCES, indicator=LAG)

    status = load_report(PrometheusSource(PrometheusSettings(url=prometheus.url)), [definition], AT).status("lag")

    # one point on each whole minute of the day before AT, each reading the sample written at that minute
    points = [lag_at(m) for m in range(MINUTES - 24 * 60 + 1, MINUTES + 1)]
    met = sum(1 for value in points if value <= 10.0)
    assert status.counts["period"].total == len(points)
    assert status.sli == pytest.approx(met / len(points))


def test_threshold_timeslices_slice_is_good_when_its_share_of_points_meets_the_slice_target(prometheus):
    definition = slo("lag-slices", BudgetingMethod.TIMESLICES, indicator=LAG, slices=TimeSlices("5m", 0.8))

    report = load_report(PrometheusSource(PrometheusSettings(url=prometheus.url)), [definition], AT)

    status = report.status("lag-slices")
    shares = [sum(1 for m in minutes if lag_at(m) <= 10.0) / len(minutes) for minutes in minute_slices(5, 24 * 60)]
    good = sum(1 for share in shares if share >= 0.8)
    assert status.error is None
    assert status.counts["period"].total == len(shares)
    assert status.sli == pytest.approx(good / len(shares))


def test_timeslice_slos_share_the_batched_queries_with_every_other_slo(prometheus):
    """The contract: N timeslice SLOs cost the same PARALLEL_QUERIES pieces as one, while the batch fits the
    query length cap (16 KiB each by default); more SLOs cut into more queries, never one per SLO and window."""
    counted = []
    for count in (1, 4):
        definitions = [
            slo(f"slices-{n}", BudgetingMethod.TIMESLICES, slices=TimeSlices("5m", 0.9 + n / 100)) for n in range(count)
        ]
        source = PrometheusSource(PrometheusSettings(url=prometheus.url, max_query_bytes=1024 * 1024))
        report = load_report(source, definitions, AT)
        assert all(status.error is None for status in report.statuses)
        counted.append(source.query_count)
    assert counted == [4, 4]


def minute_at(minute: float) -> datetime:
    return START + timedelta(minutes=minute)


def maintenance(start: datetime, end: datetime, name: str, recurrence: str | None = None) -> Adjustment:
    return Adjustment(
        AdjustmentCategory.MAINTENANCE, "planned", start, end, Scope(slos=(name,)), "kim", AT, recurrence, id=1
    )


def kept_slices(length: int, window_minutes: int, removed: list[tuple[float, float]]) -> list[list[int]]:
    """The window's slices less those whose last minute ends inside a removed span (start, end], in minutes."""
    return [
        minutes
        for minutes in minute_slices(length, window_minutes)
        if not any(start < minutes[-1] <= end for start, end in removed)
    ]


def test_an_adjustment_takes_out_the_slices_ending_inside_it(prometheus):
    """Forty minutes starting and ending mid-slice, over two of the every-13th-minute bad slices: the 5-minute
    slices ending inside it are taken out, the one it only starts in is kept."""
    removed = (MINUTES - 600 + 1.5, MINUTES - 560 + 0.5)
    definition = slo("slices", BudgetingMethod.TIMESLICES, slices=TimeSlices("5m", 0.95))
    source = PrometheusSource(PrometheusSettings(url=prometheus.url))

    status = load_report(source, [definition], AT, [maintenance(*map(minute_at, removed), "slices")]).status("slices")

    kept = kept_slices(5, 24 * 60, [removed])
    ratios = [sum(good_in(m) for m in s) / sum(requests_in(m) for m in s) for s in kept if sum(map(requests_in, s))]
    good = sum(1 for ratio in ratios if ratio >= 0.95)
    assert len(minute_slices(5, 24 * 60)) - len(kept) == 8
    assert status.error is None
    assert (status.counts["period"].total, status.counts["period"].bad) == (len(ratios), len(ratios) - good)
    assert status.raw.counts["period"].total == len(expected_ratio_slices(5, 24 * 60))


def test_a_recurring_adjustment_takes_its_points_out_of_a_threshold_slo(prometheus):
    """Ten minutes every two hours over the last day: each point whose minute ends inside one is taken out."""
    first = (MINUTES - 24 * 60 + 30, MINUTES - 24 * 60 + 40)
    definition = slo("lag", BudgetingMethod.OCCURRENCES, indicator=LAG)
    adjustment = maintenance(*map(minute_at, first), "lag", "FREQ=HOURLY;INTERVAL=2")
    source = PrometheusSource(PrometheusSettings(url=prometheus.url))

    status = load_report(source, [definition], AT, [adjustment]).status("lag")

    removed = [(first[0] + 120 * n, first[1] + 120 * n) for n in range(12)]
    minutes = [m for m in range(MINUTES - 24 * 60 + 1, MINUTES + 1) if not any(a < m <= b for a, b in removed)]
    assert len(minutes) == 24 * 60 - 12 * 10
    assert status.counts["period"].total == len(minutes)
    assert status.sli == pytest.approx(sum(1 for m in minutes if lag_at(m) <= 10.0) / len(minutes))
    for window, length in (("1h", 60), ("6h", 360)):
        inside = [m for m in range(MINUTES - length + 1, MINUTES + 1) if not any(a < m <= b for a, b in removed)]
        bad = sum(1 for m in inside if lag_at(m) > 10.0)
        assert status.burn_rates[window] == pytest.approx(bad / len(inside) / 0.1), window


def test_adjusted_ratio_timeslices_average_only_the_slices_left(prometheus):
    removed = (MINUTES - 120.0, MINUTES - 60.0)
    definition = slo("ratios", BudgetingMethod.RATIO_TIMESLICES, slices=TimeSlices("5m"))
    source = PrometheusSource(PrometheusSettings(url=prometheus.url))

    status = load_report(source, [definition], AT, [maintenance(*map(minute_at, removed), "ratios")]).status("ratios")

    kept = kept_slices(5, 24 * 60, [removed])
    ratios = [sum(good_in(m) for m in s) / sum(requests_in(m) for m in s) for s in kept if sum(map(requests_in, s))]
    assert status.sli == pytest.approx(math.fsum(ratios) / len(ratios))
    assert status.raw.sli == pytest.approx(math.fsum(expected_ratio_slices(5, 24 * 60)) / 276)


# --- daily rollups: each local day's slices (or points), read in the batched range queries ------------------------

DAYS = [date(2026, 10, 31), date(2026, 11, 1)]  # the two UTC days the samples cover


def slice_ratio_ending(minute: int) -> float | None:
    """The ratio of the 5-minute slice whose last minute is ``minute``; None when it had no traffic."""
    minutes = range(minute - 4, minute + 1)
    traffic = sum(requests_in(m) for m in minutes)
    return sum(good_in(m) for m in minutes) / traffic if traffic else None


def day_minutes(index: int) -> range:
    """The minutes ending inside day ``index`` of ``DAYS``: its slices and points end in (midnight, next midnight]."""
    return range(index * 1440 + 1, (index + 1) * 1440 + 1)


def test_a_timeslices_slo_rolls_up_the_slices_ending_in_each_day(prometheus):
    definition = slo("slices", BudgetingMethod.TIMESLICES, slices=TimeSlices("5m", 0.95))
    source = PrometheusSource(PrometheusSettings(url=prometheus.url))

    rows = compute_daily_rollups(source, [definition], DAYS[0], DAYS[-1], "UTC")

    assert [row.day for row in rows] == DAYS
    for index, row in enumerate(rows):
        found = [slice_ratio_ending(end) for end in day_minutes(index) if end % 5 == 0]
        ratios = [ratio for ratio in found if ratio is not None]
        assert (row.counted, row.total) == ("slices", len(ratios))
        assert row.bad == sum(1 for ratio in ratios if ratio < 0.95)


def test_a_threshold_slo_rolls_up_the_points_of_each_day(prometheus):
    definition = slo("lag", BudgetingMethod.OCCURRENCES, indicator=LAG)
    source = PrometheusSource(PrometheusSettings(url=prometheus.url))

    rows = compute_daily_rollups(source, [definition], DAYS[0], DAYS[-1], "UTC")

    for index, row in enumerate(rows):
        points = [lag_at(m) for m in day_minutes(index)]
        assert (row.counted, row.total, row.bad) == ("points", 1440, sum(1 for value in points if value > 10.0))


def test_the_slices_inside_an_adjusted_part_of_a_day_are_read_for_the_adjusted_trends(prometheus):
    definition = slo("slices", BudgetingMethod.TIMESLICES, slices=TimeSlices("5m", 0.95))
    inside = Interval(minute_at(1440 + 600 + 1.5), minute_at(1440 + 660))  # 10:01:30 to 11:00 on 1 November
    source = PrometheusSource(PrometheusSettings(url=prometheus.url))

    found = source.interval_counts([definition], {"slices": {"2026-11-01": [inside]}})

    ends = range(1440 + 605, 1440 + 661, 5)  # the 5-minute slices ending 10:05 .. 11:00
    ratios = [slice_ratio_ending(end) for end in ends]
    assert found[("slices", "2026-11-01")].total == len(ratios) == 12
    assert found[("slices", "2026-11-01")].bad == sum(1 for ratio in ratios if ratio < 0.95)


# --- raw ratios: a precomputed ratio read one point a minute ---------------------------------------------------------


def raw_slo(name: str, method: BudgetingMethod, raw_type: RawType, slices: TimeSlices | None = None) -> SloDefinition:
    query = "max(success_ratio)" if raw_type is RawType.SUCCESS else "max(failure_ratio)"
    return slo(name, method, indicator=RawRatioIndicator(query=query, raw_type=raw_type), slices=slices)


def day_points() -> list[float]:
    """Each point's goodness over the day before AT, as the samples say: the ratio, clamped into [0, 1]."""
    return [min(max(success_at(m), 0.0), 1.0) for m in range(MINUTES - 24 * 60 + 1, MINUTES + 1)]


@pytest.mark.parametrize("raw_type", [RawType.SUCCESS, RawType.FAILURE])
def test_a_raw_ratio_slo_is_the_average_of_its_points(prometheus, raw_type):
    definition = raw_slo("raw", BudgetingMethod.OCCURRENCES, raw_type)

    status = load_report(PrometheusSource(PrometheusSettings(url=prometheus.url)), [definition], AT).status("raw")

    points = day_points()
    assert status.error is None
    assert status.counts["period"].total == len(points) == 1440
    assert status.sli == pytest.approx(math.fsum(points) / len(points))


def test_raw_ratio_timeslices_count_the_slices_whose_points_average_to_the_slice_target(prometheus):
    definition = raw_slo("raw-slices", BudgetingMethod.TIMESLICES, RawType.SUCCESS, TimeSlices("5m", 0.99))

    status = load_report(PrometheusSource(PrometheusSettings(url=prometheus.url)), [definition], AT).status(
        "raw-slices"
    )

    shares = [
        math.fsum(min(success_at(m), 1.0) for m in minutes) / len(minutes) for minutes in minute_slices(5, 24 * 60)
    ]
    good = sum(1 for share in shares if share >= 0.99)
    assert (status.counts["period"].total, status.counts["period"].bad) == (len(shares), len(shares) - good)
