"""databases.toml's ``disk_size`` (the capacity forecast's limit) and the forecast thresholds in days."""

from __future__ import annotations

import pytest

from data.databases.config import SizeError, parse_database_config, parse_size

MINIMAL = '[[database]]\nname = "orders-primary"\nengine = "postgresql"\n'


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("500 GB", 500_000_000_000),
        ("500GB", 500_000_000_000),
        ("1.5 TB", 1_500_000_000_000),
        ("2 TiB", 2 * 1024**4),
        ("750 mib", 750 * 1024**2),
        ("4096 B", 4096),
    ],
)
def test_a_disk_size_reads_si_and_binary_units(text, size):
    assert parse_size(text) == size
    [database] = parse_database_config(MINIMAL + f'disk_size = "{text}"\n').databases
    assert database.disk_size_bytes == size


def test_without_a_disk_size_there_is_no_limit():
    [database] = parse_database_config(MINIMAL).databases
    assert database.disk_size_bytes is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"500 gigs"', "unknown unit 'gigs' in '500 gigs' (known: B, kB, MB, GB, TB, PB, KiB, MiB, GiB, TiB, PiB)"),
        ('"lots"', 'must be a number and a unit such as "500 GB" or "2 TiB", got \'lots\''),
        ("500", 'must be text such as "500 GB" or "2 TiB", got 500'),
        ('"0 GB"', "must be more than 0 bytes, got '0 GB'"),
    ],
)
def test_a_bad_disk_size_is_refused_naming_the_file_the_database_and_the_field(value, message):
    config = parse_database_config(MINIMAL + f"disk_size = {value}\n", "databases.toml")
    assert config.databases == []
    assert config.problems == [f"databases.toml database 'orders-primary'.disk_size: {message}"]
    with pytest.raises(SizeError):
        parse_size(value.strip('"') if value.startswith('"') else int(value))


def test_the_forecast_thresholds_in_days_override_per_database_and_keep_their_order():
    [database] = parse_database_config(
        MINIMAL + "[database.thresholds]\nforecast_warn_days = 60\nforecast_critical_days = 14\n"
    ).databases
    assert (database.thresholds.forecast_warn_days, database.thresholds.forecast_critical_days) == (60, 14)
    config = parse_database_config(MINIMAL + "[database.thresholds]\nforecast_critical_days = 45\n", "databases.toml")
    assert config.problems == [
        "databases.toml database 'orders-primary'.thresholds: forecast_critical_days (45) is above "
        "forecast_warn_days (30)"
    ]
