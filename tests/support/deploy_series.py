"""A deploy history written as samples (``deploy_timestamp_seconds`` and ``app_build_info``) for a real
Prometheus to serve, and the deploys those samples show, computed from them here (not by the app's code)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.servers import PrometheusServer, make_backfilled_prometheus

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


def deploy_series_prometheus() -> Iterator[PrometheusServer]:
    """A Prometheus serving ``written_samples`` (backfilled once per schedule, cached between runs)."""
    key = hashlib.sha256(repr((DEPLOYS, FIRST_VERSIONS, OVERLAP, START, END)).encode()).hexdigest()[:16]
    with make_backfilled_prometheus(write_openmetrics, f"deploy-series-{key}") as server:
        yield server


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
