"""Apps the browser suites share, so a module does not pay for its own server when a shared one will do."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.support.servers import ARTIFACTS_DIR, REPO_ROOT, start_app


@pytest.fixture(scope="session")
def seeded_demo_app() -> Iterator[str]:
    """The app on its demo defaults (demo SLO data, the example databases without a DSN) with the demo tracker items
    stored through `cli.py tracker seed-demo`; for tests that only read."""
    with start_app({"TEAM_TIMEZONE": "Europe/Berlin"}, keep_log_in=ARTIFACTS_DIR / "logs") as app:
        subprocess.run(
            [sys.executable, "cli.py", "tracker", "seed-demo"],
            cwd=REPO_ROOT,
            env={**os.environ, "DATABASE_URL": app.database_url, "TEAM_TIMEZONE": "Europe/Berlin"},
            check=True,
            capture_output=True,
            timeout=120,
        )
        yield app.url
