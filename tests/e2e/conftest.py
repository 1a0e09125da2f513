"""Apps the browser suites share, so a module does not pay for its own server when a shared one will do."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.servers import REPO_ROOT


@pytest.fixture(scope="session")
def seeded_demo_app(app_factory) -> str:
    """The app on its demo defaults (demo SLO data, the example databases without a DSN) with the demo tracker items
    stored through `cli.py tracker seed-demo`; for tests that only read."""
    app = app_factory({"TEAM_TIMEZONE": "Europe/Berlin"})
    subprocess.run(
        [sys.executable, "cli.py", "tracker", "seed-demo"],
        cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": app.database_url, "TEAM_TIMEZONE": "Europe/Berlin"},
        check=True,
        capture_output=True,
        timeout=120,
    )
    return app.url
