"""What a custom check's row keeps of the driver's values: numbers and text as they are, the rest as text."""

from __future__ import annotations

import pickle
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from data.databases.probes.common import plain_value


@pytest.mark.parametrize("value", [None, True, 7, 2.5, Decimal("1.50"), "text"])
def test_numbers_and_text_are_kept_as_they_are(value):
    assert plain_value(value) == value and type(plain_value(value)) is type(value)


def test_bytes_read_as_utf8_text_or_else_as_hex():
    assert (plain_value(memoryview(b"abc")), plain_value(b"\xff\x00")) == ("abc", "\\xff00")


def test_dates_and_uuids_become_their_text_so_a_reading_can_be_cached():
    values = [plain_value(datetime(2026, 11, 24, 14, 5, tzinfo=UTC)), plain_value(uuid.UUID(int=1))]
    assert values == ["2026-11-24 14:05:00+00:00", "00000000-0000-0000-0000-000000000001"]
    assert pickle.loads(pickle.dumps(values)) == values
