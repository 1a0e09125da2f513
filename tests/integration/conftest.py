"""Integration fixtures live in tests/conftest.py (shared with the e2e suite); HISTORY_END is re-exported here."""

from tests.conftest import HISTORY_END  # noqa: F401
