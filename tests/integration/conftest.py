"""A real Prometheus backfilled with the demo history, shared by the integration tests."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest

from data import demo
from tests.support.servers import PrometheusServer, make_backfilled_prometheus

# A fixed end keeps the built TSDB cacheable between runs: the cache key changes only with the generator.
HISTORY_END = datetime(2026, 11, 1, 0, 0, tzinfo=timezone.utc)


def _write_demo_history(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        demo.write_openmetrics(demo.generate_history(HISTORY_END), out)


@pytest.fixture(scope="session")
def demo_prometheus() -> Iterator[PrometheusServer]:
    with make_backfilled_prometheus(_write_demo_history, f"demo-{demo.cache_key(HISTORY_END)}") as server:
        yield server
