"""Deploys read from a series on a real Prometheus, backfilled with samples this test writes: each deploy is where
the written samples say (the instant a ``deploy_timestamp_seconds`` value states, the first sample of a new
``version`` label), every service comes from one range query the answer cache then serves, the entered deploys are
merged in with their source, and a Prometheus that cannot be reached drops only the series' deploys, with a note."""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
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
from tests.support.servers import PrometheusServer, make_backfilled_prometheus

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
CATALOG = load_catalog(REPO / "config" / "slos").slos
END = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
START = END - timedelta(days=2)
MINUTE = timedelta(minutes=1)

# Deploys as a deploy tool would export them: (service, instant, version). The timestamps fall between scrapes
# (each sample is on the minute), as real deploys do; a version runs beside the old one for three minutes.
DEPLOYS = [
    ("checkout", START + timedelta(hours=5, minutes=12, seconds=40), "v2"),
    ("checkout", START + timedelta(hours=30, minutes=3, seconds=5), "v3"),
    ("search", START + timedelta(hours=20, minutes=45, seconds=59), "v8"),
]
FIRST_VERSIONS = {"checkout": "v1", "search": "v7"}
OVERLAP = timedelta(minutes=3)


def sample_times() -> list[datetime]:
    return [START + MINUTE * n for n in range(int((END - START) / MINUTE) + 1)]


def written_samples() -> dict[str, list[tuple[dict[str, str], list[tuple[datetime, float]]]]]:
    """The samples the backfill writes, by metric: ``deploy_timestamp_seconds`` holds the last deploy's instant (the
    service's start before the first), ``app_build_info`` is 1 for each version running."""
    timestamps: list[tuple[dict[str, str], list[tuple[datetime, float]]]] = []
    builds: list[tuple[dict[str, str], list[tuple[datetime, float]]]] = []
    for service, first_version in FIRST_VERSIONS.items():
        ours = sorted((at, version) for name, at, version in DEPLOYS if name == service)
        started = START - timedelta(days=1)
        points = []
        for moment in sample_times():
            last = max((at for at, _ in ours if at <= moment), default=started)
            points.append((moment, last.timestamp()))
        timestamps.append(({"service": service}, points))
        spans = []
        begins = [START - timedelta(days=1)] + [at for at, _ in ours]
        versions = [first_version] + [version for _, version in ours]
        for index, version in enumerate(versions):
            until = begins[index + 1] + OVERLAP if index + 1 < len(begins) else END + MINUTE
            spans.append((version, begins[index], until))
        for version, since, until in spans:
            builds.append(
                ({"service": service, "version": version}, [(t, 1.0) for t in sample_times() if since <= t < until])
            )
    return {"deploy_timestamp_seconds": timestamps, "app_build_info": builds}


def write_openmetrics(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for metric, series in written_samples().items():
            out.write(f"# TYPE {metric} gauge\n")
            for labels, points in series:
                text = ",".join(f'{name}="{value}"' for name, value in labels.items())
                for moment, value in points:
                    out.write(f"{metric}{{{text}}} {value!r} {int(moment.timestamp())}\n")
        out.write("# EOF\n")


@pytest.fixture(scope="module")
def prometheus() -> Iterator[PrometheusServer]:
    key = hashlib.sha256(repr((DEPLOYS, FIRST_VERSIONS, OVERLAP, START, END)).encode()).hexdigest()[:16]
    with make_backfilled_prometheus(write_openmetrics, f"deploy-series-{key}") as server:
        yield server


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


def expected_from_samples(metric: str) -> list[tuple[str, datetime, str]]:
    """(service, instant, version) of each deploy the written samples show after their first one, newest first:
    where a timestamp value changes, the instant it states; where a service's newest version changes, its first
    sample."""
    found = []
    samples = written_samples()[metric]
    if metric == "deploy_timestamp_seconds":
        for labels, points in samples:
            for (_, before), (_, value) in zip(points, points[1:], strict=False):
                if value != before:
                    found.append((labels["service"], datetime.fromtimestamp(value, tz=UTC), ""))
    else:
        for service in FIRST_VERSIONS:
            firsts = {labels["version"]: points[0][0] for labels, points in samples if labels["service"] == service}
            for version, first in firsts.items():
                if first > START:
                    found.append((service, first, version))
    return sorted(found, key=lambda deploy: deploy[1], reverse=True)


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
