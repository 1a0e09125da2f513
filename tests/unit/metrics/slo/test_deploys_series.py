"""Deploys read from a series and merged with the entered ones: where each is placed, which version it names, the
order of the merged list, and the source each says it came from."""

from datetime import UTC, datetime, timedelta

from metrics.slo.annotations import deploy_annotations
from metrics.slo.deploys import (
    Deploy,
    DeployOrigin,
    DeploySeries,
    deploys_from_values,
    deploys_from_versions,
    merge_deploys,
    running_versions,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def entered(at: datetime, version: str = "v1", service: str = "checkout") -> Deploy:
    return Deploy(
        service=service, deployed_at=at, version=version, description="", entered_by="Dana", entered_at=NOW, id=1
    )


def read(at: datetime, version: str = "v1", service: str = "checkout") -> Deploy:
    return deploys_from_versions(service, [(at - MINUTE, "before"), (at, version)], "app_build_info", NOW)[0]


def test_the_merge_is_newest_first_across_both_origins():
    merged = merge_deploys(
        [entered(NOW - 3 * MINUTE, "v3"), entered(NOW - MINUTE, "v1")],
        [read(NOW - 2 * MINUTE, "v2"), read(NOW - 4 * MINUTE, "v4")],
    )
    assert [(d.deployed_at, d.origin) for d in merged] == [
        (NOW - MINUTE, DeployOrigin.ENTERED),
        (NOW - 2 * MINUTE, DeployOrigin.SERIES),
        (NOW - 3 * MINUTE, DeployOrigin.ENTERED),
        (NOW - 4 * MINUTE, DeployOrigin.SERIES),
    ]


def test_a_series_mark_of_the_version_entered_minutes_before_is_that_deploy_one_mark_naming_both():
    merged = merge_deploys([entered(NOW, "v2")], [read(NOW + 3 * MINUTE, "v2")])

    assert [(d.origin, d.deployed_at) for d in merged] == [(DeployOrigin.ENTERED, NOW)]
    assert merged[0].provenance == "entered by Dana, also in app_build_info"


def test_a_series_mark_of_another_version_or_service_is_another_deploy():
    merged = merge_deploys([entered(NOW, "v2")], [read(NOW, "v3"), read(NOW, "v2", service="search")])
    assert len(merged) == 3


def test_the_same_version_deployed_again_later_is_another_deploy():
    merged = merge_deploys([entered(NOW, "v2")], [read(NOW + 20 * MINUTE, "v2")])
    assert [d.origin for d in merged] == [DeployOrigin.SERIES, DeployOrigin.ENTERED]


def test_each_entered_deploy_takes_at_most_one_series_mark_the_closest():
    merged = merge_deploys([entered(NOW, "v2")], [read(NOW - 10 * MINUTE, "v2"), read(NOW + 2 * MINUTE, "v2")])
    assert [(d.origin, d.deployed_at) for d in merged] == [
        (DeployOrigin.ENTERED, NOW),
        (DeployOrigin.SERIES, NOW - 10 * MINUTE),
    ]


def test_the_merge_of_nothing_read_is_the_entered_deploys():
    assert merge_deploys([entered(NOW)], []) == [entered(NOW)]


def test_each_says_where_it_came_from():
    assert entered(NOW).provenance == "entered by Dana"
    assert read(NOW).provenance == "from app_build_info"


def test_a_timestamp_value_places_the_deploy_at_the_instant_it_states():
    deployed = NOW - timedelta(seconds=30)
    points = [(NOW - 2 * MINUTE, 1000.0), (NOW - MINUTE, 1000.0), (NOW, deployed.timestamp())]
    found = deploys_from_values("checkout", points, "deploy_timestamp_seconds", NOW, value_is_instant=True)
    assert [(d.deployed_at, d.version) for d in found] == [(deployed, "")]


def test_a_timestamp_outside_the_two_points_falls_back_to_the_point_that_shows_it():
    points = [(NOW - MINUTE, 1000.0), (NOW, (NOW - timedelta(days=3)).timestamp())]
    found = deploys_from_values("checkout", points, "deploy_timestamp_seconds", NOW, value_is_instant=True)
    assert [d.deployed_at for d in found] == [NOW]


def test_a_version_label_gives_a_deploy_at_each_change_of_version_back_and_forth():
    points = [(NOW, "v1"), (NOW + MINUTE, "v1"), (NOW + 2 * MINUTE, "v2"), (NOW + 3 * MINUTE, "v1")]
    found = deploys_from_versions("checkout", points, "app_build_info", NOW)
    assert [(d.deployed_at, d.version) for d in found] == [(NOW + 2 * MINUTE, "v2"), (NOW + 3 * MINUTE, "v1")]


def test_while_two_versions_run_side_by_side_the_newer_one_counts():
    series = [("v1", [NOW, NOW + MINUTE, NOW + 2 * MINUTE]), ("v2", [NOW + MINUTE, NOW + 2 * MINUTE, NOW + 3 * MINUTE])]
    assert running_versions(series) == [
        (NOW, "v1"),
        (NOW + MINUTE, "v2"),
        (NOW + 2 * MINUTE, "v2"),
        (NOW + 3 * MINUTE, "v2"),
    ]


def test_only_a_timestamp_seconds_metric_without_a_version_label_states_its_instant():
    assert DeploySeries("deploy_timestamp_seconds").value_is_instant
    assert DeploySeries('deploy_timestamp_seconds{env="prod"}').value_is_instant
    assert not DeploySeries("app_build_info", version_label="version").value_is_instant
    assert not DeploySeries("app_release").value_is_instant


def test_a_read_deploy_annotation_names_its_series_and_an_entered_one_who_entered_it():
    marks = deploy_annotations([read(NOW, "v2"), entered(NOW, "v3")], "checkout")
    assert [(m.title, m.who, m.provenance) for m in marks] == [
        ("deploy of checkout: v2", None, "from app_build_info"),
        ("deploy of checkout: v3", "Dana", "entered by Dana"),
    ]
