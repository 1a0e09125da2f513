"""Database health in real Chromium against the app as `make run` serves it, watching a real PostgreSQL (with
induced problems), a real MariaDB, an unreachable server and a database without DSN (in demo mode: the demo's).

Screenshots: test-artifacts/screenshots/db-fleet.png, db-drilldown.png, db-records.png.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from tests.support.browser import open_app, painted, rerun, settled
from tests.support.servers import free_port, screenshot

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def fleet_app(app_factory, postgres_server, mariadb_server, tmp_path):
    orders = postgres_server.create_database(f"orders_{uuid.uuid4().hex[:8]}")
    catalog = mariadb_server.create_database(f"catalog_{uuid.uuid4().hex[:8]}")
    with psycopg.connect(orders.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("CREATE TABLE orders (id serial PRIMARY KEY, account int, note text)")
        connection.execute(
            "INSERT INTO orders (account, note) SELECT g % 500, repeat('x', 100) FROM generate_series(1, 20000) g"
        )
        connection.execute("CREATE INDEX orders_account ON orders (account)")
        connection.execute("CREATE INDEX orders_account_note ON orders (account, note)")
        connection.execute("SELECT setval('orders_id_seq', 2000000000)")
    config = tmp_path / "databases.toml"
    config.write_text(
        "[probe]\ndeadline_seconds = 5\n"
        '[[database]]\nname = "orders-primary"\nengine = "postgresql"\nenvironment = "production"\nowner = "dba-team"\n'
        'description = "Orders and payments"\n[database.thresholds]\nlong_query_warn_s = 1\n'
        '[[database]]\nname = "catalog"\nengine = "mariadb"\nenvironment = "production"\nowner = "dba-team"\n'
        '[[database]]\nname = "billing"\nengine = "postgresql"\nenvironment = "production"\n'
        '[[database]]\nname = "analytics"\nengine = "postgresql"\nenvironment = "staging"\n'
    )
    env = {
        "DATABASES_CONFIG": str(config),
        "DB_DSN_ORDERS_PRIMARY": orders,
        "DB_DSN_CATALOG": catalog,
        "DB_DSN_BILLING": f"postgresql://monitor:secret-pw@127.0.0.1:{free_port()}/billing",
        "TEAM_TIMEZONE": "Europe/Berlin",
    }
    app = app_factory(env)
    # Two real collections, stamped an hour apart through the app's clock, so the history charts have a line.
    now = datetime.now(UTC)
    for hours_ago in (2, 1):
        at = (now - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:00Z")
        subprocess.run(
            [sys.executable, "cli.py", "collect", "db-health"],
            cwd=REPO,
            capture_output=True,
            timeout=60,
            env={**os.environ, **env, "DATABASE_URL": app.database_url, "RELIABILITY_NOW": at},
        )
    return app, orders


def test_fleet_then_drilldown_of_a_database_with_problems(fleet_app, page):
    app, orders = fleet_app
    runner = psycopg.connect(orders.replace("+psycopg", ""), autocommit=True)

    def sleep() -> None:
        try:
            runner.execute("SELECT pg_sleep(300) /* monthly invoice run */")
        except psycopg.errors.QueryCanceled:
            pass  # cancelled at the end of the test: long enough for a slow drill-down on a loaded machine

    sleeper = threading.Thread(target=sleep)
    sleeper.start()
    try:
        page.set_viewport_size({"width": 1400, "height": 1000})
        open_app(page, f"{app.url}/database-health")
        page.get_by_test_id("stDataFrame").first.wait_for()
        assert page.get_by_text("Database health", exact=True).first.is_visible()
        # analytics has no DSN: in demo mode (no Prometheus here) the demo fleet stands in for it, never stored
        assert page.get_by_text(
            "live probes: 2 of 3 database(s) answered · demo fleet: 1 database(s)"
        ).first.is_visible()
        for name in ("orders-primary", "catalog", "billing", "analytics"):
            page.locator("[data-testid=stDataFrame] td", has_text=name).first.wait_for(state="attached")
        assert page.get_by_test_id("stException").count() == 0
        assert "secret-pw" not in page.content()
        painted(page)
        screenshot(page, "db-fleet")

        with rerun(page):
            page.get_by_role("button", name="Collect now").click()
        page.get_by_text("Stored 3 snapshot(s)").wait_for()
        assert page.get_by_text("1 demo database(s) not stored").first.is_visible()
        painted(page)
        screenshot(page, "db-fleet-collected")

        drilldown = page.context.new_page()
        drilldown.set_viewport_size({"width": 1400, "height": 2200})
        open_app(drilldown, f"{app.url}/database-health?database=orders-primary")
        drilldown.get_by_text("Checks", exact=True).wait_for()
        painted(drilldown)
        screenshot(drilldown, "db-drilldown")
        assert drilldown.get_by_text("All databases").is_visible()
        assert drilldown.get_by_role("tab", name="Sessions").is_visible()
        assert drilldown.get_by_test_id("stPlotlyChart").count() == 3
        assert drilldown.get_by_test_id("stException").count() == 0
        assert drilldown.get_by_text("could not be shown").count() == 0
        # the grid draws on a canvas and fills its accessibility table a moment later: wait for the cell, not a count
        drilldown.locator("[data-testid=stDataFrame] td", has_text="monthly invoice run").first.wait_for(
            state="attached"
        )
        drilldown.get_by_role("tab", name="Indexes").click()
        drilldown.locator("[data-testid=stDataFrame] td", has_text="orders_account_note").first.wait_for(
            state="attached"
        )
        painted(drilldown)
        screenshot(drilldown, "db-drilldown-indexes")
    finally:
        with psycopg.connect(orders.replace("+psycopg", ""), autocommit=True) as admin:
            admin.execute(
                "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%monthly invoice%' "
                "AND pid <> pg_backend_pid()"
            )
        sleeper.join(10)
        runner.close()


def test_records_page_adds_a_record_through_the_form(fleet_app, page):
    app, _ = fleet_app
    page.set_viewport_size({"width": 1400, "height": 1200})
    open_app(page, f"{app.url}/dba-records?database=orders-primary")
    page.get_by_text("Staleness").wait_for()
    settled(page)
    page.get_by_label("By").fill("kim")
    page.get_by_label("Notes").fill("Restored last night's dump into a scratch server; row counts matched.")
    with rerun(page):
        page.get_by_role("button", name="Add record").click()
    page.get_by_text("Recorded backup verified for orders-primary").wait_for()
    painted(page)
    screenshot(page, "db-records")
