"""PROMETHEUS_CACHE_TTL_SECONDS under a minute shortens how long the page's data caches keep an evaluation."""

from __future__ import annotations

from pathlib import Path

from data.settings import Settings
from data.slo.prometheus import PrometheusSettings
from pages.common.loaders import freshness_bucket


def settings(ttl: float | None) -> Settings:
    prometheus = None if ttl is None else PrometheusSettings(url="http://prom:9090", cache_ttl_seconds=ttl)
    return Settings(
        prometheus=prometheus, database_url="sqlite://", catalog_path=Path("config/slos"), team_timezone="UTC"
    )


def test_a_short_ttl_changes_the_key_every_ttl():
    short = settings(5)
    assert freshness_bucket(short, 1000.0) == freshness_bucket(short, 1004.9)
    assert freshness_bucket(short, 1005.0) != freshness_bucket(short, 1004.9)


def test_the_default_ttl_and_the_demo_keep_the_minute_of_the_caches():
    assert freshness_bucket(settings(60), 1000.0) == freshness_bucket(settings(60), 5000.0) == 0
    assert freshness_bucket(settings(None), 1000.0) == 0
