"""Prove each real-server fixture works: Prometheus backfill, PostgreSQL, MariaDB, Chromium."""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support.servers import (
    TSDB_CACHE_DIR,
    build_tsdb,
    free_port,
    http_ok,
    make_backfilled_prometheus,
    screenshot,
    spawn,
    start_app,
    start_prometheus,
    stop_process,
    wait_until,
)

pytestmark = pytest.mark.integration

# A counter sampled every minute for 10 minutes at a fixed past time (2024-01-01T00:00:00Z), in seconds.
HISTORY_START = 1_704_067_200
HISTORY_END = HISTORY_START + 9 * 60
TINY_HISTORY_KEY = "fixture-test-v1"  # bump when write_tiny_history changes
STEP_VALUE = 5.0


def write_tiny_history(path: Path) -> None:
    lines = [
        "# HELP fixture_requests Requests seen by the fixture test.",
        "# TYPE fixture_requests counter",
    ]
    for index, timestamp in enumerate(range(HISTORY_START, HISTORY_END + 1, 60)):
        lines.append(f'fixture_requests_total{{service="checkout"}} {index * STEP_VALUE} {timestamp}')
    lines.append("# EOF")
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def tiny_prometheus():
    with make_backfilled_prometheus(write_tiny_history, TINY_HISTORY_KEY) as server:
        yield server


def test_prometheus_serves_backfilled_samples(tiny_prometheus):
    from prometheus_api_client import PrometheusConnect

    prometheus = PrometheusConnect(tiny_prometheus.url, disable_ssl=True)
    at_fifth_minute = HISTORY_START + 4 * 60
    result = prometheus.custom_query('fixture_requests_total{service="checkout"}', params={"time": at_fifth_minute})
    assert len(result) == 1
    assert float(result[0]["value"][1]) == 4 * STEP_VALUE

    increase = prometheus.custom_query("increase(fixture_requests_total[5m])", params={"time": HISTORY_END})
    assert float(increase[0]["value"][1]) == pytest.approx(5 * STEP_VALUE, rel=0.3)


def test_tsdb_cache_is_reused_without_rewriting(tiny_prometheus):
    def must_not_run(path: Path) -> None:
        raise AssertionError("the cached TSDB should have been reused")

    cached = build_tsdb(must_not_run, TINY_HISTORY_KEY)
    assert cached == TSDB_CACHE_DIR / TINY_HISTORY_KEY
    assert list(cached.glob("*/meta.json"))
    assert not list(TSDB_CACHE_DIR.glob(".build-*")), "no half-built cache left behind"


def test_millisecond_timestamps_are_refused(tmp_path):
    def write_milliseconds(path: Path) -> None:
        path.write_text(f"# TYPE bad counter\nbad_total 1 {HISTORY_START * 1000}\n# EOF\n")

    with pytest.raises(ValueError, match="seconds"):
        build_tsdb(write_milliseconds, f"ms-check-{tmp_path.name}")
    assert not (TSDB_CACHE_DIR / f"ms-check-{tmp_path.name}").exists()


def test_prometheus_restarts_on_same_port_with_same_data(tiny_prometheus):
    from prometheus_api_client import PrometheusConnect

    url_before = tiny_prometheus.url
    tiny_prometheus.stop()
    assert not http_ok(f"{url_before}/-/ready")
    tiny_prometheus.start()
    assert tiny_prometheus.url == url_before
    result = PrometheusConnect(tiny_prometheus.url, disable_ssl=True).custom_query(
        "fixture_requests_total", params={"time": HISTORY_END}
    )
    assert float(result[0]["value"][1]) == 9 * STEP_VALUE


def test_postgres_answers_and_restarts(postgres_server):
    engine = sa.create_engine(postgres_server.url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_database()")).scalar() == postgres_server.database
            assert "PostgreSQL" in conn.execute(sa.text("SELECT version()")).scalar()
        engine.dispose()
        postgres_server.stop()
        postgres_server.start()
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_prometheus_scrapes_the_postgres_exporter(postgres_exporter):
    from prometheus_api_client import PrometheusConnect

    with start_prometheus(scrape_targets={"postgres": postgres_exporter.address}, scrape_interval="1s") as server:
        prometheus = PrometheusConnect(server.url, disable_ssl=True)

        def pg_up() -> bool:
            result = prometheus.custom_query('pg_up{job="postgres"}')
            return bool(result) and result[0]["value"][1] == "1"

        wait_until(pg_up, timeout_s=30, what="pg_up=1 in Prometheus", log=server.log_path)
        assert prometheus.custom_query('pg_settings_max_connections{job="postgres"}')


def test_mariadb_answers_version(mariadb_server):
    engine = sa.create_engine(mariadb_server.url)
    try:
        with engine.connect() as conn:
            assert "MariaDB" in conn.execute(sa.text("SELECT VERSION()")).scalar()
            assert conn.execute(sa.text("SELECT DATABASE()")).scalar() == mariadb_server.database
    finally:
        engine.dispose()


@contextlib.contextmanager
def static_site(html: str):
    """Serve one page with `python -m http.server` on a free loopback port."""
    with tempfile.TemporaryDirectory(prefix="static-") as root:
        Path(root, "index.html").write_text(html)
        port = free_port()
        log = Path(root, "http.log")
        process = spawn(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", root], log=log
        )
        try:
            wait_until(
                lambda: http_ok(f"http://127.0.0.1:{port}/"), timeout_s=20, what="http.server", process=process, log=log
            )
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_process(process)


def test_browser_renders_a_local_page_and_takes_a_screenshot(page):
    with static_site(
        "<html><head><title>fixture</title></head><body><h1 id='hello'>Hello, SRE</h1></body></html>"
    ) as url:
        page.goto(f"{url}/index.html")
        assert page.title() == "fixture"
        assert page.locator("#hello").inner_text() == "Hello, SRE"
        path = screenshot(page, "fixture-static-page")
    assert path.exists() and path.stat().st_size > 1000


def test_app_launcher_serves_a_streamlit_script_to_the_browser(tmp_path, page):
    """start_app as the e2e fixtures use it, on a stand-in project (the real app is tested in tests/e2e)."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "cli.py").write_text(
        "import os, pathlib, sys\n"
        "assert sys.argv[1:] == ['migrate']\n"
        "path = pathlib.Path(os.environ['DATABASE_URL'].removeprefix('sqlite:///'))\n"
        "path.write_text('migrated')\n"
    )
    (project / "app.py").write_text(
        "import os, pathlib\nimport streamlit as st\n"
        "st.title('Stand-in app')\n"
        "st.write('store: ' + pathlib.Path(os.environ['DATABASE_URL'].removeprefix('sqlite:///')).read_text())\n"
        "st.write('prometheus: ' + os.environ.get('PROMETHEUS_URL', 'demo'))\n"
    )
    with start_app({"PROMETHEUS_URL": "http://127.0.0.1:9"}, project_dir=project) as app:
        assert http_ok(f"{app.url}/_stcore/health")
        page.goto(app.url)
        page.get_by_text("Stand-in app").wait_for()
        page.get_by_text("store: migrated").wait_for()
        page.get_by_text("prometheus: http://127.0.0.1:9").wait_for()
        screenshot(page, "fixture-stand-in-app")
    assert not app.is_running
