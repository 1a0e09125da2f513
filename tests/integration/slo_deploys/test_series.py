"""Deploys read from a series on a real Prometheus, backfilled with samples this test writes: each deploy is where
the written samples say (the instant a ``deploy_timestamp_seconds`` value states, the first sample of a new
``version`` label), every service comes from one range query the answer cache then serves, the entered deploys are
merged in with their source, and a Prometheus that cannot be reached drops only the series' deploys, with a note."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import cli
from data.settings import Settings
from data.slo.catalog import load_catalog
from data.slo.prometheus import PrometheusSettings, PrometheusSource
from data.slo_deploys.service import add_deploy, all_deploys, series_deploys
from data.store import migrate
from metrics.slo.deploys import DeployOrigin, DeploySeries
from tests.support.actors import editor
from tests.support.apptest import SETTINGS_VARIABLES
from tests.support.deploy_series import (
    DEPLOYS,
    END,
    MINUTE,
    START,
    deploy_series_prometheus,
    expected_from_samples,
)
from tests.support.servers import PrometheusServer

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
CATALOG = load_catalog(REPO / "config" / "slos").slos


@pytest.fixture(scope="module")
def prometheus() -> Iterator[PrometheusServer]:
    yield from deploy_series_prometheus()


def settings_for(url: str, series: DeploySeries, tmp_path: Path) -> Settings:
    database_url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(database_url)
    return Settings(
        prometheus=PrometheusSettings(url=url),
        database_url=database_url,
        catalog_path=REPO / "config" / "slos",
        team_timezone="UTC",
        now_override=END,
        deploy_series=series,
    )


TIMESTAMPS = DeploySeries("deploy_timestamp_seconds")
BUILDS = DeploySeries("app_build_info", version_label="version")


def test_a_timestamp_series_gives_each_deploy_at_the_instant_it_states(prometheus, tmp_path):
    settings = settings_for(prometheus.url, TIMESTAMPS, tmp_path)
    read = series_deploys(settings, START, END)
    assert not read.notes
    assert [(d.service, d.deployed_at, d.version) for d in read.deploys] == expected_from_samples(
        "deploy_timestamp_seconds"
    )
    assert [(service, at) for service, at, _ in sorted(DEPLOYS, key=lambda d: d[1], reverse=True)] == [
        (service, at) for service, at, _ in expected_from_samples("deploy_timestamp_seconds")
    ]


def test_a_version_label_gives_each_deploy_at_the_first_sample_of_the_new_version(prometheus, tmp_path):
    settings = settings_for(prometheus.url, BUILDS, tmp_path)
    read = series_deploys(settings, START, END)
    assert not read.notes
    assert [(d.service, d.deployed_at, d.version) for d in read.deploys] == expected_from_samples("app_build_info")
    assert all(d.origin is DeployOrigin.SERIES and d.provenance == "from app_build_info" for d in read.deploys)


def test_every_service_comes_from_one_range_query_and_a_second_read_from_the_cache(prometheus, tmp_path):
    settings = settings_for(prometheus.url, BUILDS, tmp_path)
    source = PrometheusSource(settings.prometheus)
    checkout = series_deploys(settings, START, END, ["checkout"], source)
    search = series_deploys(settings, START + timedelta(seconds=20), END, ["search"], source)
    assert source.query_count == 1
    assert {d.service for d in checkout.deploys} == {"checkout"} and {d.service for d in search.deploys} == {"search"}


def test_the_entered_deploys_are_merged_in_newest_first_each_with_its_source(prometheus, tmp_path):
    settings = settings_for(prometheus.url, BUILDS, tmp_path)
    entered_at = END - timedelta(hours=1)
    add_deploy(settings, CATALOG, actor=editor("Dana"), service="checkout", deployed_at=entered_at, version="v4")
    read = all_deploys(settings, START, END, ["checkout"])
    expected = [(entered_at, "v4", "entered by Dana")] + [
        (at, version, "from app_build_info")
        for service, at, version in expected_from_samples("app_build_info")
        if service == "checkout"
    ]
    assert [(d.deployed_at, d.version, d.provenance) for d in read.deploys] == expected


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_prometheus_drops_only_the_series_deploys_with_a_note(tmp_path):
    settings = settings_for(f"http://127.0.0.1:{closed_port()}", BUILDS, tmp_path)
    settings = replace(settings, prometheus=replace(settings.prometheus, timeout_seconds=2.0))
    entered_at = END - timedelta(hours=1)
    add_deploy(settings, CATALOG, actor=editor("Dana"), service="checkout", deployed_at=entered_at, version="v4")
    read = all_deploys(settings, START, END)
    assert [(d.deployed_at, d.provenance) for d in read.deploys] == [(entered_at, "entered by Dana")]
    assert len(read.notes) == 1
    assert read.notes[0].startswith("The deploys from app_build_info could not be read (")
    assert "unreachable" in read.notes[0] and read.notes[0].endswith("only the deploys entered by hand are shown.")


def test_the_cli_lists_both_with_a_source_column(prometheus, tmp_path, monkeypatch, capsys):
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "RELIABILITY_NOW": END.isoformat(),
        "RELIABILITY_SECRETS_FILE": str(tmp_path / "none.toml"),
        "PROMETHEUS_URL": prometheus.url,
        "SLO_DEPLOY_SERIES": "app_build_info",
        "SLO_DEPLOY_VERSION_LABEL": "version",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    def run(*args: str) -> str:
        capsys.readouterr()
        assert cli.main(["slo-deploys", *args]) == 0
        return capsys.readouterr().out

    run("add", "--service", "search", "--version", "v9", "--at", (END - MINUTE).isoformat(), "--as", "Dana")
    since = START.isoformat()
    listed = json.loads(run("list", "--since", since, "--format", "json"))
    expected = [(END - MINUTE, "search", "v9", "entered")] + [
        (at, service, version, "series") for service, at, version in expected_from_samples("app_build_info")
    ]
    assert [
        (datetime.fromisoformat(d["deployed_at"]), d["service"], d["version"], d["source"]) for d in listed["deploys"]
    ] == expected
    table = run("list", "--since", since)
    assert "source" in table.splitlines()[1] and "entered by Dana" in table and "from app_build_info" in table
