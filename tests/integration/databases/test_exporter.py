"""PostgreSQL read through a real prometheus-postgres-exporter scraped by a real Prometheus (source = "prometheus")."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request

import pytest

from data.databases.config import load_database_config
from data.databases.fleet import probe_fleet
from data.settings import load_settings
from tests.support.servers import start_prometheus

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def scraping_prometheus(postgres_exporter):
    from tests.support.servers import prometheus_available, require

    require("prometheus", prometheus_available(), "`prometheus` must be on PATH")
    with start_prometheus(scrape_targets={"orders-pg": postgres_exporter.address}, scrape_interval="1s") as server:
        deadline = time.monotonic() + 30
        query = urllib.parse.urlencode({"query": 'pg_up{job="orders-pg"}'})
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"{server.url}/api/v1/query?{query}", timeout=5) as response:
                if json.load(response)["data"]["result"]:
                    break
            time.sleep(0.5)
        yield server


def health_through_prometheus(prometheus_url: str, postgres_server, tmp_path):
    path = tmp_path / "databases.toml"
    path.write_text(
        '[[database]]\nname = "orders-metrics"\nengine = "postgresql"\nsource = "prometheus"\n'
        f'selector = \'{{job="orders-pg"}}\'\ndatname = "{postgres_server.database}"\n'
    )
    config = load_database_config(path)
    assert config.problems == []
    settings = load_settings({"PROMETHEUS_URL": prometheus_url}, secrets_file=tmp_path / "none.toml")
    [health] = probe_fleet(settings, config, 10, with_store=False)
    return health


def test_the_exporter_source_reports_up_connections_and_the_size_the_server_reports(
    scraping_prometheus, postgres_server, tmp_path
):
    import psycopg

    health = health_through_prometheus(scraping_prometheus.url, postgres_server, tmp_path)
    assert health.error is None and health.source == "prometheus"
    assert health.check("up").value.startswith("PostgreSQL 15")
    assert health.check("connections").status == "ok" and health.probe.connections_max == 97
    with psycopg.connect(postgres_server.url.replace("+psycopg", "")) as connection:
        size = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    assert abs(health.probe.database_size_bytes - size) / size < 0.05


def test_signals_the_exporter_cannot_give_are_info_not_ok(scraping_prometheus, postgres_server, tmp_path):
    health = health_through_prometheus(scraping_prometheus.url, postgres_server, tmp_path)
    for check_id in ("sequences", "duplicate_indexes", "invalid_indexes", "dead_tuples", "blocked_sessions"):
        check = health.check(check_id)
        assert check.status == "info" and check.detail.startswith("not available: only through the SQL source")


def test_a_selector_matching_no_exporter_is_critical_and_says_so(scraping_prometheus, postgres_server, tmp_path):
    path = tmp_path / "databases.toml"
    path.write_text(
        '[[database]]\nname = "ghost"\nengine = "postgresql"\nsource = "prometheus"\nselector = \'{job="nobody"}\'\n'
    )
    settings = load_settings({"PROMETHEUS_URL": scraping_prometheus.url}, secrets_file=tmp_path / "none.toml")
    [health] = probe_fleet(settings, load_database_config(path), 10, with_store=False)
    assert health.status == "critical"
    assert health.error == 'no pg_up series in Prometheus matches {job="nobody"}: is postgres_exporter scraped?'
