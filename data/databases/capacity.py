"""The capacity forecast's inputs, read from the store: each database's stored sizes, tablespace sizes (PostgreSQL)
and sequence values of the last ``FORECAST_WINDOW_DAYS`` days, with its disk sizes and thresholds from
databases.toml."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from data.databases.config import DatabaseTarget
from data.databases.store import sequence_readings, size_readings, tablespace_readings
from metrics.databases.forecast import (
    FORECAST_WINDOW_DAYS,
    CapacityForecast,
    Reading,
    ResourceKind,
    forecast_resource,
)


@dataclass(frozen=True)
class SequenceHistory:
    name: str
    column: str | None
    max_value: float
    readings: list[Reading]


def target_forecast(
    target: DatabaseTarget,
    sizes: list[Reading],
    sequences: Iterable[SequenceHistory],
    now: datetime,
    tablespaces: dict[str, list[Reading]] | None = None,
) -> CapacityForecast:
    """One database's forecast from its size, tablespace and sequence histories, with its disk sizes and thresholds:
    the one place the stored snapshots (``capacity_forecasts``) and the demo fleet's made-up ones become a forecast.
    A tablespace's limit is its ``tablespace_disk_size`` (none set: "growing", no date)."""
    limits = target.tablespace_disk_size_bytes
    return CapacityForecast(
        database=target.name,
        disk=forecast_resource(ResourceKind.DISK, "disk", sizes, target.disk_size_bytes, now),
        sequences=tuple(
            forecast_resource(ResourceKind.SEQUENCE, s.name, s.readings, s.max_value, now, column=s.column)
            for s in sequences
        ),
        warn_days=target.thresholds.forecast_warn_days,
        critical_days=target.thresholds.forecast_critical_days,
        at=now,
        tablespaces=tuple(
            forecast_resource(ResourceKind.TABLESPACE, name, readings, limits.get(name), now)
            for name, readings in sorted((tablespaces or {}).items())
        ),
    )


def capacity_forecasts(database_url: str, targets: list[DatabaseTarget], now: datetime) -> dict[str, CapacityForecast]:
    """{name: forecast} for every target; raises if the store cannot be read."""
    names = [t.name for t in targets]
    since = now - timedelta(days=FORECAST_WINDOW_DAYS)
    sizes = size_readings(database_url, names, since)
    sequences = sequence_readings(database_url, names, since)
    tablespaces = tablespace_readings(database_url, names, since)
    return {
        target.name: target_forecast(
            target,
            [Reading(at, size) for at, size in sizes.get(target.name, [])],
            [
                SequenceHistory(
                    name,
                    rows[-1]["column_name"],
                    rows[-1]["max_value"],
                    [Reading(row["taken_at"], row["last_value"]) for row in rows],
                )
                for name, rows in sorted(sequences.get(target.name, {}).items())
            ],
            now,
            {name: [Reading(at, size) for at, size in rows] for name, rows in tablespaces.get(target.name, {}).items()},
        )
        for target in targets
    }
