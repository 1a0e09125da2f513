"""What the data layer's unit tests share: a migrated SQLite store in the test's own directory."""

from __future__ import annotations

import pytest

from data.store import engine_for, migrate


@pytest.fixture
def engine(tmp_path):
    """An engine on a fresh SQLite store, migrated to head, disposed after the test."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(url)
    engine = engine_for(url)
    yield engine
    engine.dispose()
