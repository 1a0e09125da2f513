"""Deploys read from the Prometheus series the settings name (``SLO_DEPLOY_SERIES``): one range query over the
chart's range for every service at once (``max by`` the service label, and the version label when there is one), so
the source's answer cache serves every chart and viewer of that range. The points are a step apart, the step the
smallest whole minute that keeps the range within one query's points: a deploy is placed at the first point that
shows it, at most a step late (exactly, for a ``*_timestamp_seconds`` value, which states its own instant)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from data.slo.prometheus import MAX_POINTS_PER_SERIES
from metrics.slo.deploys import (
    Deploy,
    DeploySeries,
    deploys_from_values,
    deploys_from_versions,
    running_versions,
)

MIN_STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class SeriesDeploys:
    deploys: list[Deploy]
    notes: list[str] = field(default_factory=list)  # why the series' deploys are missing


def series_query(series: DeploySeries) -> str:
    labels = [series.service_label] + ([series.version_label] if series.version_label else [])
    return f"max by ({', '.join(labels)}) ({series.selector})"


def series_step(start: datetime, end: datetime) -> timedelta:
    """Whole minutes, at least one, so [start, end] fits in one query (``MAX_POINTS_PER_SERIES`` points)."""
    minutes = math.ceil((end - start) / MIN_STEP / (MAX_POINTS_PER_SERIES - 1))
    return MIN_STEP * max(1, minutes)


def aligned_range(start: datetime, end: datetime) -> tuple[datetime, datetime, timedelta]:
    """[start, end] on the step's grid (start down, end down), so reads within a step ask the same query."""
    step = series_step(start, end)
    seconds = step.total_seconds()
    first = datetime.fromtimestamp(math.floor(start.timestamp() / seconds) * seconds, tz=UTC)
    last = datetime.fromtimestamp(math.floor(end.timestamp() / seconds) * seconds, tz=UTC)
    return first, max(first, last), step


def read_series_deploys(
    source, series: DeploySeries, services: Sequence[str] | None, start: datetime, end: datetime, now: datetime
) -> list[Deploy]:
    """The deploys the series shows within [start, end] of ``services`` (all when None), newest first; the source's
    ``SourceError`` or ``QueryError`` when it cannot answer."""
    first, last, step = aligned_range(start, end)
    answer = source.range(series_query(series), first, last, step)
    by_service: dict[str, list[dict]] = {}
    for found in answer:
        service = found["metric"].get(series.service_label)
        if service and (services is None or service in services):
            by_service.setdefault(service, []).append(found)
    deploys: list[Deploy] = []
    for service, found in by_service.items():
        if series.version_label:
            versions = [
                (
                    one["metric"].get(series.version_label, ""),
                    [datetime.fromtimestamp(float(t), tz=UTC) for t, _ in one["values"]],
                )
                for one in found
            ]
            deploys += deploys_from_versions(service, running_versions(versions), series.selector, now)
        else:
            points = [
                (datetime.fromtimestamp(float(t), tz=UTC), float(v))
                for one in found
                for t, v in one["values"]
                if math.isfinite(float(v))
            ]
            deploys += deploys_from_values(service, points, series.selector, now, series.value_is_instant)
    return sorted(
        (deploy for deploy in deploys if start <= deploy.deployed_at <= end),
        key=lambda deploy: deploy.deployed_at,
        reverse=True,
    )
