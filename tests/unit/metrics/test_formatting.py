"""Numbers formatted for people."""

from datetime import timedelta

import pytest

from metrics.formatting import (
    format_burn_rate,
    format_bytes,
    format_count,
    format_duration,
    format_percent,
    format_sli,
    format_target,
)


def test_sli_shows_one_more_decimal_than_its_target():
    assert format_sli(0.99953, 0.9995) == "99.953%"
    assert format_sli(0.9991, 0.999) == "99.91%"


def test_sli_rounding_never_turns_a_miss_into_a_hit():
    assert format_sli(0.999499, 0.9995) == "99.949%"


def test_target_keeps_its_significant_decimals():
    assert format_target(0.9995) == "99.95%"
    assert format_target(0.99) == "99%"


def test_missing_values_read_no_data():
    assert format_sli(None, 0.99) == "no data"
    assert format_burn_rate(float("nan")) == "no data"
    assert format_duration(None) == "no data"


@pytest.mark.parametrize("value, text", [(14.4, "14.4×"), (0.933, "0.93×"), (250.0, "250×")])
def test_burn_rates_read_as_multiples(value, text):
    assert format_burn_rate(value) == text


@pytest.mark.parametrize(
    "duration, text",
    [
        (timedelta(seconds=45), "45 s"),
        (timedelta(minutes=5), "5 min"),
        (timedelta(hours=3, minutes=12), "3 h 12 min"),
        (timedelta(days=4, hours=6, minutes=30), "4 d 6 h"),
        (timedelta(days=2), "2 d"),
    ],
)
def test_durations_use_two_units_at_most(duration, text):
    assert format_duration(duration) == text


def test_percent_counts_and_sizes():
    assert format_percent(0.225) == "22.5%"
    assert format_count(77_698_757) == "77.7 million"
    assert format_count(1_300_000_000) == "1.3 billion"
    assert format_count(7_698) == "7,698"
    assert format_bytes(13_000_000) == "13 MB"
    assert format_bytes(197_132_288) == "197 MB"  # what the fleet table's byte column shows for the same database
