"""The range query of the deploy series: one query for the whole chart range, on a grid that repeats within a
step, so the answer cache serves every reader of that range."""

from datetime import UTC, datetime, timedelta

from data.slo.prometheus import MAX_POINTS_PER_SERIES
from data.slo_deploys.series import aligned_range, series_query
from metrics.slo.deploys import DeploySeries

END = datetime(2026, 11, 24, 12, 7, 31, tzinfo=UTC)


def test_thirty_days_fit_in_one_query_at_whole_minutes():
    first, last, step = aligned_range(END - timedelta(days=30), END)
    assert step == timedelta(minutes=4)
    assert (last - first) / step + 1 <= MAX_POINTS_PER_SERIES


def test_a_day_is_read_at_one_minute():
    assert aligned_range(END - timedelta(days=1), END)[2] == timedelta(minutes=1)


def test_reads_within_one_step_ask_the_same_range():
    start = END - timedelta(days=30)
    assert aligned_range(start, END) == aligned_range(start + timedelta(seconds=20), END + timedelta(seconds=20))


def test_every_service_is_asked_at_once_by_its_label_and_the_version_label():
    assert series_query(DeploySeries("deploy_timestamp_seconds")) == "max by (service) (deploy_timestamp_seconds)"
    assert (
        series_query(DeploySeries('app_build_info{env="prod"}', "job", "version"))
        == 'max by (job, version) (app_build_info{env="prod"})'
    )
