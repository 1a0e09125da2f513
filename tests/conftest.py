"""Shared fixtures: real servers on loopback, started once per session and always cleaned up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from data.slo import demo
from tests.support.servers import (
    ARTIFACTS_DIR,
    AppServer,
    MariaDBServer,
    PostgresExporter,
    PostgresServer,
    PrometheusServer,
    VictoriaMetricsServer,
    app_available,
    chromium_executable,
    launch_browser,
    make_backfilled_prometheus,
    make_backfilled_victoriametrics,
    mariadb_available,
    playwright_available,
    postgres_available,
    postgres_exporter_available,
    require,
    screenshot,
    start_app,
    start_mariadb,
    start_postgres,
    start_postgres_exporter,
)

__all__ = ["make_backfilled_prometheus", "screenshot"]

# Property tests check behaviour, never speed: a per-example deadline fails at random on a loaded, shared machine.
hypothesis_settings.register_profile("repository", deadline=None)
hypothesis_settings.load_profile("repository")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL cluster with an empty database; `.url` is a SQLAlchemy URL."""
    require("postgresql", postgres_available(), "PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)")
    with start_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_exporter(postgres_server) -> Iterator[PostgresExporter]:
    """prometheus-postgres-exporter on the session's PostgreSQL; `.address` is its host:port to scrape."""
    require(
        "prometheus-postgres-exporter", postgres_exporter_available(), "Debian package prometheus-postgres-exporter"
    )
    with start_postgres_exporter(postgres_server) as exporter:
        yield exporter


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[MariaDBServer]:
    """A throwaway MariaDB with an empty database; `.url` is a SQLAlchemy URL."""
    require("mariadb", mariadb_available(), "`mariadbd` and `mariadb-install-db` must be on PATH")
    with start_mariadb() as server:
        yield server


@pytest.fixture(scope="session")
def app_server() -> Iterator[str]:
    """Base URL of the app in demo mode (no Prometheus), on a fresh SQLite store."""
    require("app", app_available(), "app.py and cli.py must exist at the repository root")
    with start_app(keep_log_in=ARTIFACTS_DIR / "logs") as server:
        yield server.url


@pytest.fixture(scope="module")
def app_factory():
    """Start more app instances with extra env, e.g. `app_factory({"PROMETHEUS_URL": prom.url})`; stopped when the
    module that started them ends, so a long run does not keep every module's app alive."""
    import contextlib

    require("app", app_available(), "app.py and cli.py must exist at the repository root")
    with contextlib.ExitStack() as stack:

        def start(env: dict[str, str]) -> AppServer:
            return stack.enter_context(start_app(env, keep_log_in=ARTIFACTS_DIR / "logs"))

        yield start


@pytest.fixture(scope="session")
def browser():
    """Headless system Chromium driven by Playwright, shared by the session."""
    require("playwright", playwright_available(), "the `playwright` Python package (requirements-dev.txt)")
    require("chromium", chromium_executable() is not None, "/usr/lib/chromium/chromium or /usr/bin/chromium")
    with launch_browser() as launched:
        yield launched


@pytest.fixture
def page(browser):
    """A fresh browser context and page (1400x900) per test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()


# A fixed end keeps the built TSDB cacheable between runs: the cache key changes only with the generator.
HISTORY_END = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


def _write_demo_history(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        demo.write_openmetrics(demo.generate_history(HISTORY_END), out)


@pytest.fixture(scope="session")
def demo_prometheus() -> Iterator[PrometheusServer]:
    """A real Prometheus backfilled with the demo history ending at HISTORY_END (query it with time=)."""
    with make_backfilled_prometheus(_write_demo_history, f"demo-{demo.cache_key(HISTORY_END)}") as server:
        yield server


@pytest.fixture(scope="session")
def demo_victoriametrics() -> Iterator[VictoriaMetricsServer]:
    """A real VictoriaMetrics, default query flags, holding the same demo history as ``demo_prometheus``."""
    with make_backfilled_victoriametrics(_write_demo_history, f"demo-{demo.cache_key(HISTORY_END)}") as server:
        yield server
