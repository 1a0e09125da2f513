"""The capacity forecast's inputs, read from the store: each database's stored sizes and sequence values of the
last ``FORECAST_WINDOW_DAYS`` days, with its disk size and thresholds from databases.toml."""

from __future__ import annotations

from datetime import datetime, timedelta

from data.databases.config import DatabaseTarget
from data.databases.store import sequence_readings, size_readings
from metrics.databases.forecast import (
    FORECAST_WINDOW_DAYS,
    CapacityForecast,
    Reading,
    ResourceKind,
    forecast_resource,
)


def capacity_forecasts(database_url: str, targets: list[DatabaseTarget], now: datetime) -> dict[str, CapacityForecast]:
    """{name: forecast} for every target; raises if the store cannot be read."""
    names = [t.name for t in targets]
    since = now - timedelta(days=FORECAST_WINDOW_DAYS)
    sizes = size_readings(database_url, names, since)
    sequences = sequence_readings(database_url, names, since)
    forecasts = {}
    for target in targets:
        disk = forecast_resource(
            ResourceKind.DISK,
            "disk",
            [Reading(at, size) for at, size in sizes.get(target.name, [])],
            target.disk_size_bytes,
            now,
        )
        sequence_forecasts = tuple(
            forecast_resource(
                ResourceKind.SEQUENCE,
                name,
                [Reading(row["taken_at"], row["last_value"]) for row in rows],
                rows[-1]["max_value"],
                now,
                column=rows[-1]["column_name"],
            )
            for name, rows in sorted(sequences.get(target.name, {}).items())
        )
        forecasts[target.name] = CapacityForecast(
            database=target.name,
            disk=disk,
            sequences=sequence_forecasts,
            warn_days=target.thresholds.forecast_warn_days,
            critical_days=target.thresholds.forecast_critical_days,
            at=now,
        )
    return forecasts
